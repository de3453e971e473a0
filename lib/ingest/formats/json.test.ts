import { describe, expect, it } from "vitest";
import { InputFormatError } from "../event";
import { jsonReader } from "./json";
import { fixture, readAll, SAMPLE_29_DATA, utf16 } from "../../../tests/support/format-readers";

const MSG29 = "Changes to '/system.web/customErrors/error[@statusCode=\"404\"]' at 'MACHINE/WEBROOT/APPHOST/Default Web Site' have successfully been committed.";

describe("json reader: Winlogbeat / Elastic Agent ECS (NDJSON)", () => {
  it("maps winlog.* fields", async () => {
    const { events, rejected } = await readAll(jsonReader, fixture("winlogbeat.ndjson"));
    expect(rejected).toEqual([]);
    const [e2282, e29] = events;
    expect(e2282).toMatchObject({
      time: new Date("2022-12-20T15:58:25.325Z"),
      timeCreated: "2022-12-20T15:58:25.325Z",
      host: "win-dc-exch01.attackrange.local",
      channel: "Application",
      provider: "Microsoft-Windows-IIS-W3SVC-WP",
      providerGuid: "{670080D9-742A-4187-8D16-41143D1290BD}",
      eventCode: 2282,
      recordId: 1001307,
      opcodeName: "Info",
      keywords: "Classic",
      processId: 0,
      threadId: 0,
      format: "json",
    });
    expect(e2282.data).toEqual({ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64", Binary: "C1000000" });
    expect(e29).toMatchObject({ eventCode: 29, userSid: "S-1-5-21-326179885-1229199145-3314288161-1001", processId: 31412, threadId: 1632, version: 0, message: MSG29 });
    expect(e29.raw).toBe(fixture("winlogbeat.ndjson").toString("utf8").split("\n")[1]);
  });

  it("prefers winlog.time_created and understands flattened dotted keys", async () => {
    const line = JSON.stringify({
      "@timestamp": "2024-01-01T00:00:09.000Z",
      "winlog.time_created": "2024-01-01T00:00:01.1234567Z",
      "winlog.event_id": 29,
      "winlog.channel": "Microsoft-IIS-Configuration/Operational",
      "winlog.provider_name": "Microsoft-Windows-IIS-Configuration",
      "winlog.computer_name": "H",
      "winlog.event_data": { Configuration: "/a", ConfigPath: "MACHINE/WEBROOT/APPHOST" },
    });
    const { events } = await readAll(jsonReader, Buffer.from(line));
    expect(events[0].timeCreated).toBe("2024-01-01T00:00:01.1234567Z");
    // No message in the record: rendered from the template; no opcode: Event 29's manifest opcode (Info).
    expect(events[0].splunk).toMatchObject({ OpCode: "Info", Message: "Changes to '/a' at 'MACHINE/WEBROOT/APPHOST' have successfully been committed." });
  });
});

describe("json reader: Get-WinEvent | ConvertTo-Json", () => {
  it("reads a pretty-printed array, naming positional Properties of 29 and 2282", async () => {
    const { events, rejected } = await readAll(jsonReader, fixture("get-winevent.json"));
    expect(rejected).toEqual([]);
    const [e2282, e29] = events;
    expect(e2282).toMatchObject({
      time: new Date("2022-12-20T15:58:25.325Z"),
      host: "win-dc-exch01.attackrange.local",
      channel: "Application",
      provider: "Microsoft-Windows-IIS-W3SVC-WP",
      // .NET writes GUIDs in lower case: stored as event XML writes them.
      providerGuid: "{670080D9-742A-4187-8D16-41143D1290BD}",
      eventCode: 2282,
      qualifiers: 49152,
      level: 2,
      recordId: 1001307,
      opcodeName: "Info",
      // 2^55: more digits than a double keeps, read exactly from the text.
      keywords: "0x80000000000000",
    });
    expect(e2282.data).toEqual({ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64" });
    expect(e29.data).toEqual(SAMPLE_29_DATA);
    expect(e29).toMatchObject({ userSid: "S-1-5-21-326179885-1229199145-3314288161-1001", keywords: "0x4000000000000000", position: 2 });
    expect(e29.raw.trimStart().startsWith('{\r\n        "Id": 29,')).toBe(true);
  });

  it("keeps the properties of unknown events by position, and reads a single object and ISO times", async () => {
    const one = JSON.stringify(
      { Id: 7036, ProviderName: "Service Control Manager", LogName: "System", MachineName: "H", TimeCreated: "2024-03-01T10:00:00.1234567+01:00", Properties: [{ Value: "Spooler" }, { Value: "running" }, { Value: [1, 255] }] },
      null,
      2,
    );
    const { events } = await readAll(jsonReader, Buffer.from(one));
    expect(events[0].data).toEqual({ "0": "Spooler", "1": "running", "2": "01FF" });
    expect(events[0].timeCreated).toBe("2024-03-01T09:00:00.1234567Z");
  });
});

describe("json reader: OTRF Security-Datasets (NXLog) and Splunk export", () => {
  it("reads OTRF flat records with event data at the top level", async () => {
    const { events, rejected } = await readAll(jsonReader, fixture("otrf.json"));
    expect(rejected).toEqual([]);
    const [e2282, e29] = events;
    expect(e2282).toMatchObject({ eventCode: 2282, host: "win-dc-exch01.attackrange.local", recordId: 1001307, keywords: "0x80000000000000", opcodeName: "Info" });
    expect(e2282.time.toISOString()).toBe("2022-12-20T15:58:25.325Z");
    expect(e2282.data).toEqual({ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64" });
    expect(e29.data.Configuration).toBe('/system.web/customErrors/error[@statusCode="404"]');
    expect(e29.userSid).toBe("S-1-5-21-326179885-1229199145-3314288161-1001");
  });

  it("parses the _raw of Splunk JSON export rows (XML and classic); raw is the _raw", async () => {
    const { events, rejected } = await readAll(jsonReader, fixture("splunk-export.json"));
    expect(rejected).toEqual([]);
    const [e2282, e29] = events;
    expect(e2282).toMatchObject({ eventCode: 2282, format: "xml", timeCreated: "2022-12-20T15:58:25.325383600Z", qualifiers: 49152 });
    expect(e2282.raw.startsWith("<Event xmlns='http")).toBe(true);
    expect(e29).toMatchObject({ eventCode: 29, format: "classic", recordId: 109 });
    expect(e29.raw.startsWith("04/17/2023 06:50:04 PM\nLogName=")).toBe(true);
  });

  it("rebuilds a Splunk result without _raw from its fields", async () => {
    const row = { preview: false, result: { _time: "2022-12-20T15:58:25.325+00:00", EventCode: "2282", Computer: "H", Channel: "Application", Name: "'Microsoft-Windows-IIS-W3SVC-WP'", ModuleDll: "c:\\x.dll", ProcessorArchitecture: "AMD64", sourcetype: "XmlWinEventLog" } };
    const { events } = await readAll(jsonReader, Buffer.from(JSON.stringify(row)));
    expect(events[0].splunk).toMatchObject({ Name: "Microsoft-Windows-IIS-W3SVC-WP", ModuleDll: "c:\\x.dll", dest: "H", OpCode: "Info" });
    expect(events[0].data).toEqual({ ModuleDll: "c:\\x.dll", ProcessorArchitecture: "AMD64" });
  });
});

describe("json reader: robustness", () => {
  const ok = (n: number) => JSON.stringify({ EventID: n, Channel: "Application", Hostname: "H", SourceName: "S", "@timestamp": "2024-01-01T00:00:00Z", Message: `m${n}` });

  it("rejects a broken NDJSON line and an unknown object with positions, and goes on", async () => {
    const text = [ok(1), '{"EventID": 2, "Channel": "App', ok(3), '{"hello":"world"}', "not json", ok(5)].join("\n");
    const { events, rejected } = await readAll(jsonReader, Buffer.from(text));
    expect(events.map((e) => [e.position, e.eventCode])).toEqual([
      [1, 1],
      [3, 3],
      [6, 5],
    ]);
    expect(rejected.map((r) => [r.position, r.location])).toEqual([
      [2, "line 2"],
      [4, "line 4"],
      [5, "line 5"],
    ]);
    expect(rejected[1].reason).toMatch(/unrecognised JSON record/);
    expect(rejected[2].reason).toMatch(/not an event object/);
  });

  it("streams a large array element by element and rejects an oversize element", async () => {
    const big = JSON.stringify({ EventID: 9, Channel: "Application", Hostname: "H", SourceName: "S", "@timestamp": "2024-01-01T00:00:00Z", Pad: "y".repeat(50_000) });
    const items = Array.from({ length: 300 }, (_, i) => (i === 150 ? big : ok(i + 1)));
    const text = "[\n" + items.join(",\n") + "\n]\n";
    const { events, rejected } = await readAll(jsonReader, Buffer.from(text), { maxRecordBytes: 8192 }, 1000);
    expect(events).toHaveLength(299);
    expect(rejected).toEqual([expect.objectContaining({ position: 151, location: "line 152", reason: "record larger than the limit of 8192 bytes" })]);
  });

  it("handles braces and escaped quotes inside strings", async () => {
    const tricky = JSON.stringify({ EventID: 1, Channel: "Application", Hostname: "H", SourceName: "S", "@timestamp": "2024-01-01T00:00:00Z", Message: 'a } ] { [ \\" "quoted" \\\\' });
    const { events } = await readAll(jsonReader, Buffer.from(`[${tricky},${ok(2)}]`), {}, 3);
    expect(events.map((e) => e.eventCode)).toEqual([1, 2]);
    expect(events[0].message).toBe('a } ] { [ \\" "quoted" \\\\');
  });

  it("reads UTF-16LE JSON (PowerShell's Out-File default)", async () => {
    const { events } = await readAll(jsonReader, utf16(fixture("get-winevent.json").toString("utf8")));
    expect(events.map((e) => e.eventCode)).toEqual([2282, 29]);
  });

  it("refuses a file that is not JSON", async () => {
    await expect(readAll(jsonReader, Buffer.from("hello"))).rejects.toThrow(InputFormatError);
  });

  it("sniffs event JSON but not other JSON", () => {
    expect(jsonReader.sniff(fixture("winlogbeat.ndjson"))).toBe(true);
    expect(jsonReader.sniff(fixture("get-winevent.json"))).toBe(true);
    expect(jsonReader.sniff(fixture("otrf.json"))).toBe(true);
    expect(jsonReader.sniff(fixture("splunk-export.json"))).toBe(true);
    expect(jsonReader.sniff(Buffer.from('{"name":"iis-module-watch","version":"0.1.0"}'))).toBe(false);
  });
});

describe("json reader: a NUL byte in one record", () => {
  it("rejects that record only, saying it is binary data and where", async () => {
    const [first] = fixture("winlogbeat.ndjson").toString("utf8").split("\n");
    const damaged = first.replace('"message":"', '"message":"\u0000');
    expect(damaged).not.toBe(first);
    const { events, rejected } = await readAll(jsonReader, Buffer.from([first, damaged, first].join("\n")));
    expect(events).toHaveLength(2);
    expect(rejected.map((r) => [r.position, r.reason])).toEqual([[2, expect.stringMatching(/^binary data \(a NUL byte\) inside the record, at line 2, column \d+/)]]);
  });
});
