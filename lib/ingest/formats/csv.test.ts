import { describe, expect, it } from "vitest";
import { InputFormatError } from "../event";
import { csvReader } from "./csv";
import { fixture, readAll, utf16 } from "../../../tests/support/format-readers";

describe("csv reader: Splunk search-results export", () => {
  it("parses each row's _raw (XML and multi-line classic); raw is the _raw", async () => {
    const { events, rejected } = await readAll(csvReader, fixture("splunk-export.csv"));
    expect(rejected).toEqual([]);
    const [e2282, e29] = events;
    expect(e2282).toMatchObject({ eventCode: 2282, host: "win-dc-exch01.attackrange.local", timeCreated: "2022-12-20T15:58:25.325383600Z", position: 1, format: "xml" });
    expect(e2282.data.ModuleDll).toBe("c:\\temp\\msf.dll");
    expect(e29).toMatchObject({ eventCode: 29, host: "DESKTOP-RM9DD5S", recordId: 109, position: 2, format: "classic" });
    expect(e29.raw.split("\r\n")).toHaveLength(15);
  });

  it("rebuilds events from the columns when there is no _raw (TA-quoted values unquoted)", async () => {
    const { events, rejected } = await readAll(csvReader, fixture("splunk-fields.csv"));
    expect(rejected).toEqual([]);
    const [e2282, e29] = events;
    expect(e2282).toMatchObject({
      eventCode: 2282,
      host: "win-dc-exch01.attackrange.local",
      channel: "Application",
      provider: "Microsoft-Windows-IIS-W3SVC-WP",
      providerGuid: "{670080D9-742A-4187-8D16-41143D1290BD}",
      recordId: 1001307,
      opcode: 0,
      opcodeName: "Info",
      timeCreated: "2022-12-20T15:58:25.325383600Z",
      format: "csv",
    });
    expect(e2282.data).toEqual({ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64" });
    expect(e29).toMatchObject({ eventCode: 29, channel: "Microsoft-IIS-Configuration/Operational", recordId: 109, opcodeName: "Info", timeCreated: "2023-04-17T18:50:04.000Z" });
    expect(e29.data.Configuration).toBe('/system.web/customErrors/error[@statusCode="404"]');
    expect(e29.raw).toBe(fixture("splunk-fields.csv").toString("utf8").split("\n")[2]);
  });
});

describe("csv reader: Event Viewer 'Save as CSV'", () => {
  it("takes the channel from the source, the computer from the host option, and the time as UTC", async () => {
    const { events, rejected } = await readAll(csvReader, fixture("eventviewer-application.csv"), { host: "win-dc-exch01.attackrange.local" });
    expect(rejected).toEqual([]);
    expect(events[0]).toMatchObject({
      eventCode: 2282,
      channel: "Application",
      provider: "Microsoft-Windows-IIS-W3SVC-WP",
      eventSourceName: "W3SVC-WP",
      host: "win-dc-exch01.attackrange.local",
      timeCreated: "2022-12-20T15:58:25Z",
      opcodeName: "Info",
      recordId: null,
    });
    expect(events[0].data).toEqual({ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64" });
    expect(events[0].raw.startsWith("Error,12/20/2022 3:58:25 PM,W3SVC-WP,2282,None,\"The Module DLL")).toBe(true);
  });

  it("reads a quoted multi-line message and recovers Event 29's data from it", async () => {
    const { events } = await readAll(csvReader, fixture("eventviewer-iis-configuration.csv"), { host: "WEB01" });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ channel: "Microsoft-IIS-Configuration/Operational", timeCreated: "2023-04-17T18:50:04Z" });
    expect(events[1].message).toBe(
      "Changes to '/system.webServer/globalModules/add[@name=\"EvilModule\"]' at 'MACHINE/WEBROOT/APPHOST' have successfully been committed.\nSecond line of the message.",
    );
    expect(events[1].data).toEqual({ Configuration: '/system.webServer/globalModules/add[@name="EvilModule"]', ConfigPath: "MACHINE/WEBROOT/APPHOST" });
    expect(events[1].raw.split("\r\n")).toHaveLength(2);
    expect(events[1].position).toBe(2);
  });

  it("rejects rows without a known computer or channel, saying which option to give", async () => {
    const noHost = await readAll(csvReader, fixture("eventviewer-application.csv"));
    expect(noHost.rejected).toEqual([expect.objectContaining({ position: 1, location: "line 2", reason: expect.stringMatching(/computer.*host option/) })]);
    const csv = "Level,Date and Time,Source,Event ID,Task Category\nInformation,1/2/2024 1:00:00 PM,Some Source,100,None,hello\n";
    const noChannel = await readAll(csvReader, Buffer.from(csv), { host: "H" });
    expect(noChannel.rejected[0].reason).toMatch(/channel option/);
    const withChannel = await readAll(csvReader, Buffer.from(csv), { host: "H", channel: "System" });
    expect(withChannel.events[0]).toMatchObject({ channel: "System", provider: "Some Source", eventCode: 100, message: "hello" });
  });

  it("reads UTF-16LE with a BOM", async () => {
    const { events } = await readAll(csvReader, utf16(fixture("eventviewer-iis-configuration.csv").toString("utf8")), { host: "H" }, 5);
    expect(events.map((e) => e.eventCode)).toEqual([29, 29]);
  });
});

describe("csv reader: robustness", () => {
  it("rejects an oversize record and a row with a bad event id with their lines, and goes on", async () => {
    const header = "_time,host,EventCode,ComputerName,LogName,SourceName,Message";
    const row = (code: string, msg = "m") => `2024-01-01T00:00:00.000+0000,H,${code},H,Application,S,"${msg}"`;
    const csv = [header, row("1"), row("2", "x".repeat(50_000)), row("abc"), row("4")].join("\n");
    const { events, rejected } = await readAll(csvReader, Buffer.from(csv), { maxRecordBytes: 4096 }, 999);
    expect(events.map((e) => [e.position, e.eventCode])).toEqual([
      [1, 1],
      [4, 4],
    ]);
    expect(rejected).toEqual([
      expect.objectContaining({ position: 2, location: "line 3", reason: "record larger than the limit of 4096 bytes" }),
      expect.objectContaining({ position: 3, location: "line 4", reason: "invalid event id 'abc'" }),
    ]);
  });

  it("refuses a CSV that is not an event export", async () => {
    await expect(readAll(csvReader, Buffer.from("name,age\nbob,3\n"))).rejects.toThrow(InputFormatError);
  });

  it("sniffs both layouts and not other CSV", () => {
    expect(csvReader.sniff(fixture("splunk-export.csv"))).toBe(true);
    expect(csvReader.sniff(fixture("splunk-fields.csv"))).toBe(true);
    expect(csvReader.sniff(fixture("eventviewer-application.csv"))).toBe(true);
    expect(csvReader.sniff(Buffer.from("name,age\nbob,3\n"))).toBe(false);
  });
});

describe("csv reader: a NUL byte in one row", () => {
  it("rejects that row only, wherever in the row the NUL is (not only in _raw), and keeps the others", async () => {
    const [header, row] = fixture("splunk-export.csv").toString("utf8").split(/\r?\n/);
    // The same row three times; the second has a NUL in its `host` column, outside _raw.
    const damaged = row.replace(/,"win-dc-exch01[^"]*",/, ',"win-dc\u0000exch01",');
    expect(damaged).not.toBe(row);
    const { events, rejected } = await readAll(csvReader, Buffer.from([header, row, damaged, row].join("\n")));
    expect(events).toHaveLength(2);
    expect(rejected.map((r) => [r.position, r.reason])).toEqual([[2, expect.stringMatching(/^binary data \(a NUL byte\) inside the record, at line 3, column \d+/)]]);
  });
});
