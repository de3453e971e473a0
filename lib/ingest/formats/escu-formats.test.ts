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
import { ESCU_CASES } from "../../../tests/support/escu-fixtures";

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

// Item 1 for every layout: each normalized field that a layout and the wevtutil export of the same events both carry
// holds the same value, field by field — the System fields, the event data by name, the message and every Splunk
// field — so no reader maps an event its own way. What legitimately differs, and why:
//   splunk.source / splunk.sourcetype  Splunk names them after the layout (WinEventLog:… vs XmlWinEventLog:…);
//   keywords "Classic"                 classic text prints that word, not the keywords mask;
//   message line breaks                 Windows wraps its rendered message; the catalogue renders one line.
const LAYOUT_NAMED = new Set(["splunk.source", "splunk.sourcetype"]);
const sameText = (a: unknown, b: unknown) => typeof a === "string" && typeof b === "string" && a.replace(/\s+/g, " ") === b.replace(/\s+/g, " ");
describe("every layout maps each field it carries as the wevtutil export does", () => {
  const FIELDS = [
    "host", "channel", "provider", "providerGuid", "eventSourceName", "eventCode", "qualifiers", "recordId", "version", "level", "opcode",
    "opcodeName", "task", "keywords", "userSid", "processId", "threadId", "message",
  ] as const;
  const flatten = (e: NormalizedEvent): Record<string, unknown> => ({
    second: e.time.toISOString().slice(0, 19),
    ...Object.fromEntries(FIELDS.map((f) => [f, e[f]])),
    ...Object.fromEntries(Object.entries(e.data).map(([k, v]) => [`data.${k}`, v])),
    ...Object.fromEntries(Object.entries(e.splunk).map(([k, v]) => [`splunk.${k}`, v])),
  });
  const readEvents = async (c: (typeof ESCU_CASES)[number]) => {
    const filePath = path.join(tmp, `all-${c.file}`);
    fs.writeFileSync(filePath, c.bytes());
    const events: Record<string, unknown>[] = [];
    for await (const { record } of readLogFile(filePath, { host: c.options?.host })) if (record.ok) events.push(flatten(record.event));
    // The same order in every layout: by time, then record id, then message.
    return events.sort((a, b) => String(a.second).localeCompare(String(b.second)) || Number(a.recordId) - Number(b.recordId) || String(a.message).localeCompare(String(b.message)));
  };

  it.each(ESCU_CASES.filter((c) => c.file !== "wevtutil.xml"))("$name", async (c) => {
    const reference = await readEvents(ESCU_CASES.find((r) => r.file === "wevtutil.xml")!);
    const events = await readEvents(c);
    expect(events).toHaveLength(reference.length);
    const mismatches: string[] = [];
    events.forEach((e, i) => {
      for (const [field, value] of Object.entries(e)) {
        const expected = reference[i][field];
        if (value === null || value === undefined || expected === null || expected === undefined) continue;
        // Data kept by position (a layout without names, whose count the catalogue could not match) is not a name.
        if (/^data\.\d+$/.test(field) || LAYOUT_NAMED.has(field) || (field === "keywords" && value === "Classic")) continue;
        if ((field === "message" || field === "splunk.Message") && sameText(value, expected)) continue;
        if (JSON.stringify(value) !== JSON.stringify(expected)) mismatches.push(`event ${i + 1} ${field}: ${JSON.stringify(value)} ≠ ${JSON.stringify(reference[i][field])}`);
      }
    });
    expect(mismatches).toEqual([]);
  });
});
