import { describe, expect, it } from "vitest";
import { InputFormatError } from "../event";
import { classicReader } from "./classic";
import { fixture, readAll, utf16 } from "../../../tests/support/format-readers";

describe("classic reader", () => {
  it("reads Splunk classic WinEventLog records field by field (CRLF)", async () => {
    const { events, rejected } = await readAll(classicReader, fixture("classic.log"));
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(3);
    const [e2282, e29] = events;
    expect(e2282).toMatchObject({
      time: new Date("2022-12-20T15:58:25Z"),
      timeCreated: "2022-12-20T15:58:25Z",
      host: "win-dc-exch01.attackrange.local",
      channel: "Application",
      provider: "Microsoft-Windows-IIS-W3SVC-WP",
      eventCode: 2282,
      recordId: 1001307,
      opcodeName: "Info",
      userSid: "S-1-5-18",
      keywords: "Classic",
      format: "classic",
      position: 1,
    });
    // Event data recovered from the message.
    expect(e2282.data).toEqual({ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64" });
    expect(e2282.splunk).toMatchObject({ source: "WinEventLog:Application", sourcetype: "WinEventLog", ModuleDll: "c:\\temp\\msf.dll" });
    expect(e29).toMatchObject({ eventCode: 29, recordId: 109, host: "DESKTOP-RM9DD5S", userSid: "S-1-5-21-326179885-1229199145-3314288161-1001", keywords: null });
    expect(e29.timeCreated).toBe("2023-04-17T18:50:04Z");
    expect(e29.data).toMatchObject({ Configuration: '/system.web/customErrors/error[@statusCode="404"]', ConfigPath: "MACHINE/WEBROOT/APPHOST/Default Web Site" });
    expect(e29.splunk).toMatchObject({ sourcetype: "IIS:Configuration:Operational", OpCode: "Info", ComputerName: "DESKTOP-RM9DD5S" });
  });

  it("keeps a multi-line message up to the next record, even a line that looks like a timestamp", async () => {
    const { events } = await readAll(classicReader, fixture("classic.log"));
    const e = events[2];
    expect(e.message).toBe(
      "Changes to '/system.webServer/globalModules/add[@name=\"EvilModule\"]' at 'MACHINE/WEBROOT/APPHOST' have successfully been committed.\n" +
        "Operator note: second message line.\n11/06/2022 11:24:06 AM\nthird message line looking like a date above.",
    );
    expect(e.data.Configuration).toBe('/system.webServer/globalModules/add[@name="EvilModule"]');
    expect(e.time.toISOString()).toBe("2022-11-06T11:24:05.000Z");
  });

  it("keeps the record's exact text as raw", async () => {
    const text = fixture("classic.log").toString("utf8");
    const { events } = await readAll(classicReader, fixture("classic.log"));
    expect(events[1].raw.startsWith("04/17/2023 06:50:04 PM\r\nLogName=Microsoft-IIS-Configuration/Operational\r\n")).toBe(true);
    expect(events[1].raw.endsWith("have successfully been committed.")).toBe(true);
    expect(text).toContain(events[1].raw);
    expect(events[2].raw.endsWith("looking like a date above.")).toBe(true);
  });

  it("reads UTF-16LE with a BOM", async () => {
    const { events } = await readAll(classicReader, utf16(fixture("classic.log").toString("utf8")), {}, 5);
    expect(events.map((e) => e.eventCode)).toEqual([2282, 29, 29]);
  });

  it("converts a 12 AM / PM clock to UTC 24-hour time", async () => {
    const rec = (ts: string, n: number) => `${ts}\nLogName=Application\nEventCode=1\nComputerName=H\nSourceName=S\nRecordNumber=${n}\nMessage=m\n`;
    const { events } = await readAll(classicReader, Buffer.from(rec("01/02/2024 12:05:00 AM", 1) + rec("01/02/2024 12:05:00 PM", 2) + rec("1/2/2024 1:05:00 PM", 3)));
    expect(events.map((e) => e.timeCreated)).toEqual(["2024-01-02T00:05:00Z", "2024-01-02T12:05:00Z", "2024-01-02T13:05:00Z"]);
  });

  it("rejects a record without a computer and one with a bad date, with positions, and goes on", async () => {
    const text = [
      "01/02/2024 10:00:00 AM", "LogName=Application", "EventCode=1", "ComputerName=H", "SourceName=S", "Message=ok", "",
      "01/02/2024 10:00:01 AM", "LogName=Application", "EventCode=2", "SourceName=S", "Message=no computer", "",
      "13/45/2024 10:00:02 AM", "LogName=Application", "EventCode=3", "ComputerName=H", "SourceName=S", "Message=bad date", "",
      "01/02/2024 10:00:03 AM", "LogName=Application", "EventCode=4", "ComputerName=H", "SourceName=S", "Message=ok",
    ].join("\n");
    const { events, rejected } = await readAll(classicReader, Buffer.from(text));
    expect(events.map((e) => [e.position, e.eventCode])).toEqual([
      [1, 1],
      [4, 4],
    ]);
    expect(rejected).toEqual([
      expect.objectContaining({ position: 2, location: "line 8", reason: "missing computer name" }),
      expect.objectContaining({ position: 3, location: "line 14", reason: expect.stringMatching(/unreadable record time/) }),
    ]);
  });

  it("rejects a huge line with its position, without keeping it", async () => {
    const text = [
      "01/02/2024 10:00:00 AM", "LogName=Application", "EventCode=1", "ComputerName=H", "SourceName=S", `Message=${"x".repeat(100_000)}`, "",
      "01/02/2024 10:00:03 AM", "LogName=Application", "EventCode=4", "ComputerName=H", "SourceName=S", "Message=ok",
    ].join("\n");
    const { events, rejected } = await readAll(classicReader, Buffer.from(text), { maxRecordBytes: 4096 }, 1000);
    expect(events.map((e) => [e.position, e.eventCode])).toEqual([[2, 4]]);
    expect(rejected).toEqual([expect.objectContaining({ position: 1, location: "line 1", reason: "record larger than the limit of 4096 bytes" })]);
  });

  it("says so when a file has no classic record at all", async () => {
    await expect(readAll(classicReader, Buffer.from("hello\nworld\n"))).rejects.toThrow(InputFormatError);
  });

  it("sniffs classic text only", () => {
    expect(classicReader.sniff(fixture("classic.log"))).toBe(true);
    expect(classicReader.sniff(fixture("splunk-xmlwineventlog.xml"))).toBe(false);
    expect(classicReader.sniff(Buffer.from("01/02/2024 10:00:00 AM something happened\n"))).toBe(false);
  });
});
