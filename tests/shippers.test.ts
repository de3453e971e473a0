// The shipper configurations and the PowerShell script admins paste (docs/shippers) cannot drift from the product:
// each names every channel the product collects (lib/ingest/collected-channels.ts, which a unit test ties to the
// detections' macros), the script's list is exactly that list, and the event forms the configurations send are read
// by the dashboard's readers with the fields the detections need.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COLLECTED_CHANNEL_NAMES } from "../lib/ingest/collected-channels";
import { jsonReader } from "../lib/ingest/formats/json";
import { xmlReader } from "../lib/ingest/formats/xml";
import { readAll } from "./support/format-readers";

const SHIPPERS = path.join(import.meta.dirname, "../docs/shippers");
const read = (name: string) => readFileSync(path.join(SHIPPERS, name), "utf8");

const CONFIGURATIONS = ["winlogbeat.yml", "otelcol.yaml", "vector.yaml", "fluent-bit.conf", "nxlog.conf"];

describe("shipper configurations and the logging script", () => {
  it.each([...CONFIGURATIONS, "Enable-IisWatchLogging.ps1", "README.md"])("%s names every collected channel", (file) => {
    const text = read(file);
    const missing = COLLECTED_CHANNEL_NAMES.filter((channel) => !text.includes(channel));
    expect(missing).toEqual([]);
  });

  it("the script's channel list is the product's, in its order", () => {
    const script = read("Enable-IisWatchLogging.ps1");
    const block = /\$Channels = \[ordered\]@\{([\s\S]*?)\n\}/.exec(script)?.[1] ?? "";
    const names = [...block.matchAll(/^\s*'([^']+)'\s*=/gm)].map((m) => m[1]);
    expect(names).toEqual(COLLECTED_CHANNEL_NAMES);
    // It enables the log that is off by default, as the hosts page tells admins to.
    expect(script).toContain("wevtutil.exe sl $IisConfigurationChannel /e:true");
  });

  it("every configuration sends to the dashboard's HEC or _bulk endpoint with the token", () => {
    expect(read("otelcol.yaml")).toMatch(/endpoint: "https:\/\/[^"]+\/services\/collector\/event"/);
    expect(read("nxlog.conf")).toMatch(/URL\s+https:\/\/\S+\/services\/collector\/event/);
    expect(read("nxlog.conf")).toMatch(/AddHeader\s+Authorization: Splunk /);
    expect(read("vector.yaml")).toMatch(/type: splunk_hec_logs/);
    expect(read("fluent-bit.conf")).toMatch(/Name\s+splunk/);
    expect(read("winlogbeat.yml")).toMatch(/setup\.template\.enabled: false[\s\S]*setup\.ilm\.enabled: false/);
  });
});

// What each configuration puts in a HEC event, as the readers see it once the HEC endpoint has unwrapped it.
const XML_2282 =
  "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-IIS-W3SVC-WP' Guid='{670080D9-742A-4187-8D16-41143D1290BD}' EventSourceName='W3SVC-WP'/>" +
  "<EventID Qualifiers='49152'>2282</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>" +
  "<TimeCreated SystemTime='2026-11-02T10:00:00.1234567Z'/><EventRecordID>4711</EventRecordID><Correlation/><Execution ProcessID='0' ThreadID='0'/>" +
  "<Channel>Application</Channel><Computer>web01.corp.example</Computer><Security/></System>" +
  "<EventData><Data Name='ModuleDll'>C:\\Windows\\Temp\\evil.dll</Data><Data Name='ProcessorArchitecture'>64-bit</Data><Binary>C1000000</Binary></EventData></Event>";

describe("the forms the configurations send", () => {
  it("the event's XML (OpenTelemetry raw: true, Vector include_xml): XmlWinEventLog without rendering", async () => {
    const { events, rejected } = await readAll(xmlReader, Buffer.from(XML_2282));
    expect(rejected).toEqual([]);
    expect(events[0]).toMatchObject({ channel: "Application", host: "web01.corp.example", eventCode: 2282, time: new Date("2026-11-02T10:00:00.123Z") });
    expect(events[0].splunk.ModuleDll).toBe("C:\\Windows\\Temp\\evil.dll");
  });

  it("NXLog's to_json() record, EventTime in UTC (nxlog.conf's strftime)", async () => {
    const record = {
      EventTime: "2026-11-02T10:00:00.123456Z",
      Hostname: "web01.corp.example",
      Keywords: -9187343239835811840,
      EventType: "ERROR",
      SeverityValue: 4,
      Severity: "ERROR",
      EventID: 2282,
      SourceName: "Microsoft-Windows-IIS-W3SVC-WP",
      ProviderGuid: "{670080D9-742A-4187-8D16-41143D1290BD}",
      Version: 0,
      Task: 0,
      OpcodeValue: 0,
      RecordNumber: 4711,
      ProcessID: 0,
      ThreadID: 0,
      Channel: "Application",
      Message: "The Module DLL 'C:\\Windows\\Temp\\evil.dll' could not be loaded due to a configuration problem.",
      ModuleDll: "C:\\Windows\\Temp\\evil.dll",
      ProcessorArchitecture: "64-bit",
      EventReceivedTime: "2026-11-02 11:00:01",
      SourceModuleName: "eventlog",
      SourceModuleType: "im_msvistalog",
    };
    const { events, rejected } = await readAll(jsonReader, Buffer.from(JSON.stringify(record)));
    expect(rejected).toEqual([]);
    expect(events[0]).toMatchObject({ channel: "Application", host: "web01.corp.example", eventCode: 2282, time: new Date("2026-11-02T10:00:00.123Z") });
    expect(events[0].splunk.ModuleDll).toBe("C:\\Windows\\Temp\\evil.dll");
  });

  it("Fluent Bit's winevtlog record as iiswatch.lua rewrites it: positional data named, local time with its offset", async () => {
    const record = {
      SourceName: "Microsoft-Windows-IIS-W3SVC-WP",
      ProviderGuid: "{670080D9-742A-4187-8D16-41143D1290BD}",
      Qualifiers: 49152,
      EventID: 2282,
      Version: 0,
      Level: 2,
      Task: 0,
      Opcode: 0,
      Keywords: "0x80000000000000",
      EventTime: "2026-11-02T11:00:00+01:00",
      RecordNumber: 4711,
      ProcessID: 0,
      ThreadID: 0,
      Channel: "Application",
      Hostname: "web01.corp.example",
      UserID: "",
      Message: "The Module DLL 'C:\\Windows\\Temp\\evil.dll' could not be loaded due to a configuration problem.",
      "0": "C:\\Windows\\Temp\\evil.dll",
      "1": "64-bit",
    };
    const { events, rejected } = await readAll(jsonReader, Buffer.from(JSON.stringify(record)));
    expect(rejected).toEqual([]);
    expect(events[0]).toMatchObject({ channel: "Application", host: "web01.corp.example", eventCode: 2282, time: new Date("2026-11-02T10:00:00Z") });
    expect(events[0].data).toMatchObject({ ModuleDll: "C:\\Windows\\Temp\\evil.dll", ProcessorArchitecture: "64-bit" });
    expect(events[0].splunk.ModuleDll).toBe("C:\\Windows\\Temp\\evil.dll");
  });
});
