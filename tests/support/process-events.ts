// Golden events of the IIS Components story's process and PowerShell detections — Sysmon EventID 1, Security 4688
// with command-line auditing, PowerShell/Operational 4104 — and of the IIS events the Sigma and local detections read
// — IIS-Configuration/Operational 29, the W3SVC-WP family on the Application log (2293, 2295, …) — written out as whole files in the real layout of each
// export, so the golden tests read them through the real format readers:
//   - "evtx-xml": the XML Windows renders from an EVTX record (`wevtutil qe /f:xml`: concatenated events, double
//     quotes), and the same events encoded as an EVTX file (evtxFromXml, the BinXML fixture builder);
//   - "splunk-xml": Splunk's XmlWinEventLog _raw (single quotes, one event per line);
//   - "winlogbeat": Winlogbeat 8 NDJSON (winlog.event_data with the event's own names, winlog.user.identifier).
// System blocks follow the providers' manifests: Sysmon (schema 4.x, event version 5), Microsoft-Windows-Security-
// Auditing 4688 (version 2, hex process ids), Microsoft-Windows-PowerShell 4104 (version 1, opcode 15 "On create
// calls", the user's SID in <Security UserID>), Microsoft-Windows-IIS-Configuration 29 (version 0, level 5, named
// data) and the classic W3SVC-WP source (EventSourceName, Qualifiers 49152, unnamed <Data> and <Binary>, which
// Winlogbeat names param1… and Binary). Event 29's data and message and W3SVC-WP's strings, binary and message are
// those iis-events.ts builds (event29Parts, w3svcWpEventParts). The events are synthesised: no public sample of a module install
// exists (see lib/detections/content/README.md); their command lines are Atomic Red Team T1505.004's and those
// published about DoorMe, IIS-Raid and GhostRedirector.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { NormalizedEvent } from "../../lib/ingest/event";
import { readLogFile } from "../../lib/ingest/read-file";
import { evtxFromXml } from "./escu-fixtures";
import { event29Parts, IIS_CONFIG_CHANNEL, IIS_CONFIG_PROVIDER, storeAsUpload, W3SVC_WP_PROVIDER, w3svcWpEventParts, type Event29Input, type W3svcWpEventInput } from "./iis-events";

export const SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational";
export const POWERSHELL_CHANNEL = "Microsoft-Windows-PowerShell/Operational";

interface Common {
  host: string;
  /** ISO 8601 UTC, to the 100 ns as Windows writes it or less. */
  time: string;
  recordId: number;
}

/** Sysmon EventID 1 (process creation). */
export interface SysmonProcessInput extends Common {
  kind: "sysmon1";
  image: string;
  commandLine: string;
  parentImage: string;
  parentCommandLine: string;
  processId: number;
  parentProcessId: number;
  user: string;
  originalFileName: string;
}

/** Security 4688 (a new process has been created), with command-line auditing on. */
export interface SecurityProcessInput extends Common {
  kind: "security4688";
  newProcessName: string;
  commandLine: string;
  parentProcessName: string;
  /** Decimal; written in hex as Windows does. */
  newProcessId: number;
  processId: number;
  subjectUserName: string;
  subjectDomainName: string;
}

/** PowerShell/Operational 4104 (script block logging). */
export interface ScriptBlockInput extends Common {
  kind: "ps4104";
  scriptBlockText: string;
  userSid: string;
  path?: string;
}

/** IIS-Configuration/Operational 29 (a configuration change committed). */
export interface ConfigChangeInput extends Common, Omit<Event29Input, keyof Common> {
  kind: "iis29";
}

/** An event of the W3SVC-WP family on the Application log (2282's, with unnamed data). */
export interface W3svcWpInput extends Common, Omit<W3svcWpEventInput, keyof Common> {
  kind: "w3svcwp";
}

export type GoldenEventInput = SysmonProcessInput | SecurityProcessInput | ScriptBlockInput | ConfigChangeInput | W3svcWpInput;
export const GOLDEN_FORMATS = ["evtx-xml", "evtx", "splunk-xml", "winlogbeat"] as const;
export type GoldenFormat = (typeof GOLDEN_FORMATS)[number];

interface Rendered {
  provider: string;
  guid: string;
  /** A classic event source's name (the <Provider EventSourceName> attribute) and its EventID Qualifiers. */
  eventSource?: { name: string; qualifiers: number };
  eventId: number;
  version: number;
  level: number;
  task: number;
  opcode: number;
  opcodeName: string;
  keywords: string;
  channel: string;
  userSid: string;
  pid: number;
  /** The event's <Data>, in order; a null name is an unnamed (positional) <Data>. */
  data: [string | null, string][];
  /** The <Binary> data, in hex. */
  binary?: string;
  /** The message Windows renders (Winlogbeat ships it; the XML exports do not). */
  message?: string;
  /** Winlogbeat's log.level, for events that are not informational. */
  levelName?: string;
}

const hex = (n: number) => `0x${n.toString(16)}`;

function rendered(e: GoldenEventInput): Rendered {
  switch (e.kind) {
    case "sysmon1":
      return {
        provider: "Microsoft-Windows-Sysmon",
        guid: "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}",
        eventId: 1,
        version: 5,
        level: 4,
        task: 1,
        opcode: 0,
        opcodeName: "Info",
        keywords: "0x8000000000000000",
        channel: SYSMON_CHANNEL,
        userSid: "S-1-5-18",
        pid: 2996,
        data: [
          ["RuleName", "-"],
          ["UtcTime", e.time.replace("T", " ").replace(/Z$/, "").slice(0, 23)],
          ["ProcessGuid", "{a3c3e8a1-2b1c-6570-2a01-000000000b00}"],
          ["ProcessId", String(e.processId)],
          ["Image", e.image],
          ["FileVersion", "10.0.17763.1 (WinBuild.160101.0800)"],
          ["Description", "Application Server Command Line Admin Tool"],
          ["Product", "Internet Information Services"],
          ["Company", "Microsoft Corporation"],
          ["OriginalFileName", e.originalFileName],
          ["CommandLine", e.commandLine],
          ["CurrentDirectory", "C:\\Windows\\system32\\"],
          ["User", e.user],
          ["LogonGuid", "{a3c3e8a1-2a90-6570-e703-000000000000}"],
          ["LogonId", "0x3e7"],
          ["TerminalSessionId", "0"],
          ["IntegrityLevel", "High"],
          ["Hashes", "SHA256=6F1C6B7E8B8E3B3A6B0B4F8C7D1F3A0E9A7A5E4C1C2B3D4E5F60718293A4B5C6"],
          ["ParentProcessGuid", "{a3c3e8a1-2b1b-6570-2901-000000000b00}"],
          ["ParentProcessId", String(e.parentProcessId)],
          ["ParentImage", e.parentImage],
          ["ParentCommandLine", e.parentCommandLine],
          ["ParentUser", e.user],
        ],
      };
    case "security4688":
      return {
        provider: "Microsoft-Windows-Security-Auditing",
        guid: "{54849625-5478-4994-A5BA-3E3B0328C30D}",
        eventId: 4688,
        version: 2,
        level: 0,
        task: 13312,
        opcode: 0,
        opcodeName: "Info",
        keywords: "0x8020000000000000",
        channel: "Security",
        userSid: "",
        pid: 4,
        data: [
          ["SubjectUserSid", "S-1-5-21-3271030993-2217237375-3417434233-500"],
          ["SubjectUserName", e.subjectUserName],
          ["SubjectDomainName", e.subjectDomainName],
          ["SubjectLogonId", "0x4bd3f"],
          ["NewProcessId", hex(e.newProcessId)],
          ["NewProcessName", e.newProcessName],
          ["TokenElevationType", "%%1937"],
          ["ProcessId", hex(e.processId)],
          ["CommandLine", e.commandLine],
          ["TargetUserSid", "S-1-0-0"],
          ["TargetUserName", "-"],
          ["TargetDomainName", "-"],
          ["TargetLogonId", "0x0"],
          ["ParentProcessName", e.parentProcessName],
          ["MandatoryLabel", "S-1-16-12288"],
        ],
      };
    case "ps4104":
      return {
        provider: "Microsoft-Windows-PowerShell",
        guid: "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}",
        eventId: 4104,
        version: 1,
        level: 5,
        task: 2,
        opcode: 15,
        opcodeName: "On create calls",
        keywords: "0x0",
        channel: POWERSHELL_CHANNEL,
        userSid: e.userSid,
        pid: 5532,
        data: [
          ["MessageNumber", "1"],
          ["MessageTotal", "1"],
          ["ScriptBlockText", e.scriptBlockText],
          ["ScriptBlockId", "6f3c2a0b-1d4e-4b8f-9a7c-2e5d1f0a3b4c"],
          ["Path", e.path ?? ""],
        ],
      };
    case "iis29": {
      const { data } = event29Parts(e, "xml");
      return {
        provider: IIS_CONFIG_PROVIDER,
        guid: "{dc0b8e51-4863-407a-bc3c-1b479b2978ac}",
        eventId: 29,
        version: 0,
        level: 5,
        task: 0,
        opcode: 0,
        opcodeName: "Info",
        keywords: "0x4000000000000000",
        channel: IIS_CONFIG_CHANNEL,
        userSid: "S-1-5-21-1004336348-1177238915-682003330-500",
        pid: 4120,
        data: Object.entries(data).map(([k, v]) => [k, v ?? ""]),
        message: event29Parts(e, "json").rendering?.message ?? undefined,
      };
    }
    case "w3svcwp": {
      const { data } = w3svcWpEventParts(e, "xml");
      const { Binary, ...positional } = data;
      return {
        provider: W3SVC_WP_PROVIDER,
        guid: "{670080D9-742A-4187-8D16-41143D1290BD}",
        eventSource: { name: "W3SVC-WP", qualifiers: 49152 },
        eventId: e.eventId,
        version: 0,
        level: 2,
        task: 0,
        opcode: 0,
        opcodeName: "Info",
        keywords: "0x80000000000000",
        channel: "Application",
        userSid: "",
        pid: 0,
        data: Object.values(positional).map((v) => [null, v ?? ""]),
        binary: Binary ?? undefined,
        message: w3svcWpEventParts(e, "json").rendering?.message ?? undefined,
        levelName: "error",
      };
    }
  }
}

const xmlEscape = (s: string, quote: "'" | '"') =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(quote === "'" ? /'/g : /"/g, quote === "'" ? "&apos;" : "&quot;");

/** One event as Windows renders its XML; `quote` is the attribute quote (Splunk: ', wevtutil: "). */
function eventXml(e: GoldenEventInput, quote: "'" | '"'): string {
  const r = rendered(e);
  const q = (v: string) => `${quote}${xmlEscape(v, quote)}${quote}`;
  const security = r.userSid ? `<Security UserID=${q(r.userSid)}/>` : "<Security/>";
  const open = (name: string | null) => (name === null ? "<Data" : `<Data Name=${q(name)}`);
  const data =
    r.data.map(([name, value]) => (value === "" ? `${open(name)}/>` : `${open(name)}>${xmlEscape(value, quote)}</Data>`)).join("") +
    (r.binary ? `<Binary>${r.binary}</Binary>` : "");
  const source = r.eventSource ? ` EventSourceName=${q(r.eventSource.name)}` : "";
  const qualifiers = r.eventSource ? ` Qualifiers=${q(String(r.eventSource.qualifiers))}` : "";
  return (
    `<Event xmlns=${q("http://schemas.microsoft.com/win/2004/08/events/event")}><System><Provider Name=${q(r.provider)} Guid=${q(r.guid)}${source}/>` +
    `<EventID${qualifiers}>${r.eventId}</EventID><Version>${r.version}</Version><Level>${r.level}</Level><Task>${r.task}</Task><Opcode>${r.opcode}</Opcode>` +
    `<Keywords>${r.keywords}</Keywords><TimeCreated SystemTime=${q(e.time)}/><EventRecordID>${e.recordId}</EventRecordID><Correlation/>` +
    `<Execution ProcessID=${q(String(r.pid))} ThreadID=${q("3412")}/><Channel>${r.channel}</Channel><Computer>${xmlEscape(e.host, quote)}</Computer>` +
    `${security}</System><EventData>${data}</EventData></Event>`
  );
}

/** One event as Winlogbeat 8 ships it. */
function winlogbeatJson(e: GoldenEventInput): string {
  const r = rendered(e);
  return JSON.stringify({
    "@timestamp": new Date(e.time).toISOString(),
    agent: { type: "winlogbeat", version: "8.12.2" },
    ecs: { version: "8.0.0" },
    event: { code: String(r.eventId), kind: "event", provider: r.provider, created: new Date(new Date(e.time).getTime() + 2000).toISOString() },
    host: { name: e.host.toLowerCase() },
    ...(r.levelName ? { log: { level: r.levelName } } : {}),
    ...(r.message ? { message: r.message } : {}),
    winlog: {
      api: "wineventlog",
      channel: r.channel,
      computer_name: e.host,
      // Winlogbeat names an unnamed <Data> param<N> (its 1-based position) and ships <Binary> as Binary.
      event_data: { ...Object.fromEntries(r.data.map(([name, value], i) => [name ?? `param${i + 1}`, value])), ...(r.binary ? { Binary: r.binary } : {}) },
      event_id: String(r.eventId),
      opcode: r.opcodeName,
      process: { pid: r.pid, thread: { id: 3412 } },
      provider_guid: r.guid,
      provider_name: r.provider,
      record_id: e.recordId,
      ...(r.userSid ? { user: { identifier: r.userSid, type: "User" } } : {}),
      version: r.version,
      task: String(r.task),
    },
  });
}

/** The events as one file of the given export layout, and a file name for it. */
export function goldenFile(events: GoldenEventInput[], format: GoldenFormat): { file: string; bytes: Buffer } {
  switch (format) {
    case "evtx-xml":
      return { file: "events.xml", bytes: Buffer.from(events.map((e) => eventXml(e, '"')).join("\r\n"), "utf8") };
    case "evtx":
      return { file: "events.evtx", bytes: evtxFromXml(events.map((e) => eventXml(e, '"')).join("")) };
    case "splunk-xml":
      return { file: "splunk.xml", bytes: Buffer.from(events.map((e) => eventXml(e, "'")).join("\n") + "\n", "utf8") };
    case "winlogbeat":
      return { file: "winlogbeat.ndjson", bytes: Buffer.from(events.map(winlogbeatJson).join("\n") + "\n", "utf8") };
  }
}

/**
 * Writes the events as a file of this layout, reads it back with the real readers (format sniffed, as an upload is)
 * and stores what they read as one upload; returns the events read.
 */
export async function uploadGolden(events: GoldenEventInput[], format: GoldenFormat): Promise<NormalizedEvent[]> {
  const { file, bytes } = goldenFile(events, format);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golden-"));
  try {
    const filePath = path.join(dir, file);
    fs.writeFileSync(filePath, bytes);
    const read: NormalizedEvent[] = [];
    for await (const { record } of readLogFile(filePath)) {
      if (!record.ok) throw new Error(`rejected: ${record.rejected.reason}`);
      read.push(record.event);
    }
    await storeAsUpload(read, file);
    return read;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
