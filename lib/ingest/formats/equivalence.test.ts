// The same two real events (the Splunk Attack Range Event 2282 and the blog's Event 29) exported in every
// supported layout must give the same Splunk fields, because those are what the ESCU searches group by.
import { describe, expect, it } from "vitest";
import type { NormalizedEvent } from "../event";
import { sniffFormat } from "../input/sniff";
import { readerForFormat } from "../readers";
import { fixture, readAll, utf16 } from "../../../tests/support/format-readers";

const EXPECTED_2282 = {
  OpCode: "Info",
  ComputerName: "win-dc-exch01.attackrange.local",
  Name: "Microsoft-Windows-IIS-W3SVC-WP",
  ModuleDll: "c:\\temp\\msf.dll",
  dest: "win-dc-exch01.attackrange.local",
  Message:
    "The Module DLL 'c:\\temp\\msf.dll' could not be loaded due to a configuration problem. The current configuration only supports loading images built " +
    "for a AMD64 processor architecture. The data field contains the error number. To learn more about this issue, including how to troubleshooting this " +
    "kind of processor architecture mismatch error, see http://go.microsoft.com/fwlink/?LinkId=29349.",
};
const EXPECTED_29 = {
  OpCode: "Info",
  ComputerName: "DESKTOP-RM9DD5S",
  Name: "Microsoft-Windows-IIS-Configuration",
  ModuleDll: null,
  dest: "DESKTOP-RM9DD5S",
  Message: "Changes to '/system.web/customErrors/error[@statusCode=\"404\"]' at 'MACHINE/WEBROOT/APPHOST/Default Web Site' have successfully been committed.",
};

interface Case {
  name: string;
  bytes: () => Buffer;
  options?: Record<string, unknown>;
}

const CASES: Case[] = [
  { name: "Splunk XmlWinEventLog (single quotes)", bytes: () => fixture("splunk-xmlwineventlog.xml") },
  { name: "Event Viewer Save as XML", bytes: () => fixture("eventviewer-saved.xml") },
  { name: "Event Viewer XML in UTF-16LE", bytes: () => utf16(fixture("eventviewer-saved.xml").toString("utf8")) },
  { name: "wevtutil with RenderingInfo", bytes: () => fixture("wevtutil-rendered.xml") },
  { name: "Splunk classic text", bytes: () => fixture("classic.log") },
  { name: "Winlogbeat NDJSON", bytes: () => fixture("winlogbeat.ndjson") },
  { name: "Get-WinEvent JSON array", bytes: () => fixture("get-winevent.json") },
  { name: "OTRF NXLog JSON", bytes: () => fixture("otrf.json") },
  { name: "Splunk JSON export", bytes: () => fixture("splunk-export.json") },
  { name: "Splunk CSV export with _raw", bytes: () => fixture("splunk-export.csv") },
  { name: "Splunk CSV export of fields", bytes: () => fixture("splunk-fields.csv") },
  { name: "Event Viewer CSV (Application)", bytes: () => fixture("eventviewer-application.csv"), options: { host: "win-dc-exch01.attackrange.local" } },
  { name: "Event Viewer CSV (IIS-Configuration)", bytes: () => fixture("eventviewer-iis-configuration.csv"), options: { host: "DESKTOP-RM9DD5S" } },
];

/** The blog's Event 29 (fixtures also hold other Event 29s). */
const isReal29 = (e: NormalizedEvent) => e.eventCode === 29 && e.time.toISOString().startsWith("2023-04-17T18:50:04");

const pick = (e: NormalizedEvent) => ({ OpCode: e.splunk.OpCode, ComputerName: e.splunk.ComputerName, Name: e.splunk.Name, ModuleDll: e.splunk.ModuleDll, dest: e.splunk.dest, Message: e.splunk.Message });

describe("cross-format equivalence of the real events", () => {
  it.each(CASES)("$name: sniffed, read, and gives the ESCU fields", async ({ bytes, options }) => {
    const data = bytes();
    const format = sniffFormat(data);
    expect(format).not.toBeNull();
    const reader = readerForFormat(format!);
    const { events, rejected } = await readAll(reader, data, options ?? {});
    expect(rejected).toEqual([]);
    const e2282 = events.filter((e) => e.eventCode === 2282);
    const e29 = events.filter(isReal29);
    expect(e2282.length + e29.length).toBeGreaterThan(0);
    for (const e of e2282) {
      expect(pick(e)).toEqual(EXPECTED_2282);
      expect(e.data.ModuleDll).toBe("c:\\temp\\msf.dll");
      expect(e.data.ProcessorArchitecture).toBe("AMD64");
      expect(Math.floor(e.time.getTime() / 1000)).toBe(Date.UTC(2022, 11, 20, 15, 58, 25) / 1000);
      expect(e.channel).toBe("Application");
    }
    for (const e of e29) {
      expect(pick(e)).toEqual(EXPECTED_29);
      expect(e.data.Configuration).toBe('/system.web/customErrors/error[@statusCode="404"]');
      expect(e.data.ConfigPath).toBe("MACHINE/WEBROOT/APPHOST/Default Web Site");
      expect(Math.floor(e.time.getTime() / 1000)).toBe(Date.UTC(2023, 3, 17, 18, 50, 4) / 1000);
      expect(e.splunk.sourcetype).toBe("IIS:Configuration:Operational");
    }
  });

  it("every layout is covered for both events", async () => {
    const seen = { 2282: 0, 29: 0 };
    for (const c of CASES) {
      const data = c.bytes();
      const { events } = await readAll(readerForFormat(sniffFormat(data)!), data, c.options ?? {});
      for (const e of events) if (e.eventCode === 2282 || isReal29(e)) seen[e.eventCode as 2282 | 29]++;
    }
    expect(seen).toEqual({ 2282: 12, 29: 12 });
  });
});
