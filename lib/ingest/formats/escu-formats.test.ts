// Item 3, unit level: every export layout of the six ESCU fixture events (fixtures/escu/) stores the same values in
// every field the two ESCU searches read (EventCode, dest, Name, ModuleDll; OpCode, ComputerName, Message; _time to
// the second), equal to the values written here by hand. The database test (escu-formats.db.test.ts) runs the real
// engine on the same files and compares the rows and risk events.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { NormalizedEvent } from "../event";
import { readLogFile } from "../read-file";
import { ESCU_CASES } from "./escu-fixtures";

const HOST = "WEB01.contoso.local";
const GLOBAL = `Changes to '/system.webServer/globalModules/add[@name="IisBackdoor"]' at 'MACHINE/WEBROOT/APPHOST' have successfully been committed.`;
const MODULES = `Changes to '/system.webServer/modules/add[@name="IisBackdoor"]' at 'MACHINE/WEBROOT/APPHOST' have successfully been committed.`;
const DLL = "C:\\Windows\\Temp\\iisbd64.dll";
const W3SVC = "Microsoft-Windows-IIS-W3SVC-WP";

/** The searched fields of each event, by time (hand-written from the fixtures). Message only for Event 29 (2282's is not searched). */
const EXPECTED = [
  { second: "2024-03-05T10:05:00", EventCode: 29, OpCode: "Info", ComputerName: HOST, dest: HOST, Name: "Microsoft-Windows-IIS-Configuration", ModuleDll: null, Message: GLOBAL, sourcetype: "IIS:Configuration:Operational" },
  { second: "2024-03-05T10:05:00", EventCode: 29, OpCode: "Info", ComputerName: HOST, dest: HOST, Name: "Microsoft-Windows-IIS-Configuration", ModuleDll: null, Message: MODULES, sourcetype: "IIS:Configuration:Operational" },
  { second: "2024-03-05T10:15:30", EventCode: 2282, OpCode: "Info", ComputerName: HOST, dest: HOST, Name: W3SVC, ModuleDll: DLL },
  { second: "2024-03-05T10:20:00", EventCode: 2282, OpCode: "Info", ComputerName: HOST, dest: HOST, Name: W3SVC, ModuleDll: null },
  { second: "2024-03-05T10:30:00", EventCode: 29, OpCode: "Info", ComputerName: HOST, dest: HOST, Name: "Microsoft-Windows-IIS-Configuration", ModuleDll: null, Message: GLOBAL, sourcetype: "IIS:Configuration:Operational" },
  { second: "2024-03-05T10:42:10", EventCode: 2282, OpCode: "Info", ComputerName: HOST, dest: HOST, Name: W3SVC, ModuleDll: DLL },
];

function searched(e: NormalizedEvent) {
  const s = e.splunk;
  return {
    second: e.time.toISOString().slice(0, 19),
    EventCode: e.eventCode,
    OpCode: s.OpCode,
    ComputerName: s.ComputerName,
    dest: s.dest,
    Name: s.Name,
    ModuleDll: s.ModuleDll,
    ...(e.eventCode === 29 ? { Message: s.Message, sourcetype: s.sourcetype } : {}),
  };
}

const order = (a: ReturnType<typeof searched>, b: ReturnType<typeof searched>) =>
  a.second.localeCompare(b.second) || String((a as { Message?: string }).Message ?? "").localeCompare(String((b as { Message?: string }).Message ?? ""));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "escu-unit-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("every export layout stores the searched fields of the six events identically", () => {
  const seen = new Map<string, ReturnType<typeof searched>[]>();
  it.each(ESCU_CASES)("$name", async ({ name, file, bytes, options }) => {
    const filePath = path.join(tmp, file);
    fs.writeFileSync(filePath, bytes());
    const events: NormalizedEvent[] = [];
    for await (const { record } of readLogFile(filePath, { host: options?.host })) {
      expect(record.ok, record.ok ? "" : record.rejected.reason).toBe(true);
      if (record.ok) events.push(record.event);
    }
    const got = events.map(searched).sort(order);
    expect(got).toEqual([...EXPECTED].sort(order));
    seen.set(name, got);
  });
  it("the layouts agree with each other", () => {
    const all = [...seen.values()];
    expect(all).toHaveLength(ESCU_CASES.length);
    for (const g of all) expect(g).toEqual(all[0]);
  });
});
