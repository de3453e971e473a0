// A realistic demo fleet, written as the Windows event XML a Splunk forwarder sends (one <Event> per line,
// single-quoted attributes) so that it travels the exact path of a real upload. Built from the real event
// schemas in docs/reference/splunk-semantics.md §8: Event 29 (Microsoft-IIS-Configuration/Operational) and
// Event 2282 (Application, W3SVC-WP), with the ordinary Application/System noise an IIS server produces.
//
import { renderMessage } from "../ingest/message-templates";

// The fleet: IIS servers over the last N days with routine configuration changes; a few hosts where a
// malicious native module is installed (globalModules + modules, as `appcmd install module` commits them);
// hosts where a module DLL fails to load; and hosts whose IIS configuration log was never enabled.

export interface FleetOptions {
  /** "xml": Splunk XmlWinEventLog lines (default); "classic": Splunk classic WinEventLog text records. */
  format?: "xml" | "classic";
  hosts: number;
  days: number;
  /** The fleet's "now": the last event is before it. */
  end: Date;
  seed: number;
}

export const DEFAULT_FLEET: Omit<FleetOptions, "end"> = { hosts: 40, days: 30, seed: 1505004 };

/** Small deterministic PRNG (mulberry32), so a demo fleet is the same every time for the same seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const xmlEscape = (s: string) => s.replace(/[&<>'"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;" })[c]!);

export interface DemoEvent {
  time: Date;
  host: string;
  channel: string;
  provider: string;
  providerGuid: string;
  eventSourceName?: string;
  eventId: number;
  qualifiers?: number;
  level: number;
  keywords: string;
  userSid?: string;
  data: [string, string][];
  binary?: string;
}

/** Windows writes 100 ns precision: keep 7 fractional digits. */
function systemTime(d: Date, rnd: () => number): string {
  const extra = String(Math.floor(rnd() * 10000)).padStart(4, "0");
  return d.toISOString().replace(/\.(\d{3})Z$/, `.$1${extra}Z`);
}

function renderXml(e: DemoEvent, recordId: number, rnd: () => number): string {
  const source = e.eventSourceName ? ` EventSourceName='${e.eventSourceName}'` : "";
  const qualifiers = e.qualifiers !== undefined ? ` Qualifiers='${e.qualifiers}'` : "";
  const security = e.userSid ? `<Security UserID='${e.userSid}'/>` : "<Security/>";
  const data = e.data.map(([n, v]) => (v === "" ? `<Data Name='${n}'/>` : `<Data Name='${n}'>${xmlEscape(v)}</Data>`)).join("");
  const binary = e.binary ? `<Binary>${e.binary}</Binary>` : "";
  return (
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${e.provider}' Guid='${e.providerGuid}'${source}/>` +
    `<EventID${qualifiers}>${e.eventId}</EventID><Version>0</Version><Level>${e.level}</Level><Task>0</Task><Opcode>0</Opcode>` +
    `<Keywords>${e.keywords}</Keywords><TimeCreated SystemTime='${systemTime(e.time, rnd)}'/><EventRecordID>${recordId}</EventRecordID>` +
    `<Correlation/><Execution ProcessID='${1000 + Math.floor(rnd() * 30000)}' ThreadID='${100 + Math.floor(rnd() * 9000)}'/>` +
    `<Channel>${e.channel}</Channel><Computer>${e.host}</Computer>${security}</System><EventData>${data}${binary}</EventData></Event>`
  );
}

const LEVEL_NAMES: Record<number, string> = { 1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose" };

/** The same event as Splunk's classic WinEventLog text (what the `IIS:Configuration:Operational` inputs produce). */
export function renderClassic(e: DemoEvent, recordId: number, message: string): string {
  const d = e.time;
  const p = (n: number) => String(n).padStart(2, "0");
  const hours = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12;
  const stamp = `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(hours)}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? "AM" : "PM"}`;
  return [
    stamp,
    `LogName=${e.channel}`,
    `EventCode=${e.eventId}`,
    `EventType=${e.level}`,
    `ComputerName=${e.host}`,
    `User=NOT_TRANSLATED`,
    `Sid=${e.userSid ?? "S-1-5-18"}`,
    `SidType=0`,
    `SourceName=${e.provider}`,
    `Type=${LEVEL_NAMES[e.level] ?? "Information"}`,
    `RecordNumber=${recordId}`,
    `Keywords=None`,
    `TaskCategory=None`,
    `OpCode=Info`,
    `Message=${message}`,
  ].join("\n");
}

const IIS_CONFIG = { channel: "Microsoft-IIS-Configuration/Operational", provider: "Microsoft-Windows-IIS-Configuration", providerGuid: "{dc0b8e51-4863-407a-bc3c-1b479b2978ac}" };
const W3SVC_WP = { channel: "Application", provider: "Microsoft-Windows-IIS-W3SVC-WP", providerGuid: "{670080D9-742A-4187-8D16-41143D1290BD}", eventSourceName: "W3SVC-WP" };
const ADMIN_SID = "S-1-5-21-3623811015-3361044348-30300820-500";

function configChange(host: string, time: Date, configuration: string, configPath: string, physicalPath: string, op: 1 | 2 | 3, oldValue = "", newValue = ""): DemoEvent {
  return {
    ...IIS_CONFIG,
    time,
    host,
    eventId: 29,
    level: 5,
    keywords: "0x4000000000000000",
    userSid: ADMIN_SID,
    data: [
      ["PhysicalPath", physicalPath],
      ["ConfigPath", configPath],
      ["EffectiveLocationPath", ""],
      ["Configuration", configuration],
      ["EditOperationType", String(op)],
      ["OldValue", oldValue],
      ["NewValue", newValue],
    ],
  };
}

const APPHOST = "\\\\?\\C:\\Windows\\system32\\inetsrv\\config\\applicationHost.config";
const SITE_CONFIG = "\\\\?\\C:\\inetpub\\wwwroot\\web.config";

/** Routine changes administrators make: the Event 29 noise the New Module Added search also fires on. */
const ROUTINE: ((host: string, t: Date, rnd: () => number) => DemoEvent)[] = [
  (h, t) => configChange(h, t, '/system.web/customErrors/error[@statusCode="404"]', "MACHINE/WEBROOT/APPHOST/Default Web Site", SITE_CONFIG, 1),
  (h, t) => configChange(h, t, "/system.webServer/defaultDocument/files/add[@value=\"index.aspx\"]", "MACHINE/WEBROOT/APPHOST/Default Web Site", SITE_CONFIG, 1),
  (h, t, r) => configChange(h, t, "/system.applicationHost/applicationPools/add[@name=\"DefaultAppPool\"]/recycling/periodicRestart/@time", "MACHINE/WEBROOT/APPHOST", APPHOST, 3, "1.05:00:00", `${1 + Math.floor(r() * 3)}.00:00:00`),
  (h, t) => configChange(h, t, "/system.webServer/staticContent/mimeMap[@fileExtension=\".webp\"]", "MACHINE/WEBROOT/APPHOST", APPHOST, 1),
  (h, t) => configChange(h, t, "/system.webServer/security/requestFiltering/requestLimits/@maxAllowedContentLength", "MACHINE/WEBROOT/APPHOST/Default Web Site", SITE_CONFIG, 3, "30000000", "52428800"),
  (h, t) => configChange(h, t, "/system.webServer/httpErrors/@errorMode", "MACHINE/WEBROOT/APPHOST/Default Web Site", SITE_CONFIG, 3, "DetailedLocalOnly", "Custom"),
];

/** Malicious native modules, named the way IIS backdoors disguise themselves. */
const BACKDOORS = [
  { name: "IsapiCacheModule", image: "%windir%\\System32\\inetsrv\\cachuri64.dll" },
  { name: "HttpLoggerCore", image: "C:\\Windows\\Temp\\iislog.dll" },
  { name: "ManagedEngine64", image: "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\ManagedEngine64.dll" },
];

const FAILING_DLLS = [
  { dll: "C:\\Windows\\Temp\\msf.dll", arch: "AMD64" },
  { dll: "C:\\inetpub\\temp\\authfilter32.dll", arch: "AMD64" },
  { dll: "%windir%\\System32\\inetsrv\\rewrite.dll", arch: "x86" },
];

function noise(host: string, t: Date, rnd: () => number): DemoEvent {
  const pick = rnd();
  if (pick < 0.6) {
    return {
      channel: "Application",
      provider: "Microsoft-Windows-IIS-W3SVC-WP",
      providerGuid: W3SVC_WP.providerGuid,
      eventSourceName: "W3SVC-WP",
      time: t,
      host,
      eventId: 2303,
      qualifiers: 16384,
      level: 4,
      keywords: "0x80000000000000",
      data: [["AppPoolId", "DefaultAppPool"]],
    };
  }
  if (pick < 0.985) {
    return {
      channel: "System",
      provider: "Microsoft-Windows-WAS",
      providerGuid: "{524B5D04-133C-4A62-8362-64E8EDB9CE40}",
      eventSourceName: "WAS",
      time: t,
      host,
      eventId: 5186,
      qualifiers: 16384,
      level: 4,
      keywords: "0x80000000000000",
      data: [
        ["AppPoolID", "DefaultAppPool"],
        ["ProcessID", String(2000 + Math.floor(rnd() * 9000))],
        ["Minutes", "20"],
      ],
    };
  }
  return configChange(host, t, "/system.applicationHost/sites/site[@name=\"Default Web Site\"]/logFile/@period", "MACHINE/WEBROOT/APPHOST", APPHOST, 3, "Daily", "Daily");
}

export interface DemoFleet {
  hosts: string[];
  compromised: { host: string; module: string; image: string; at: Date }[];
  failing: { host: string; dll: string; at: Date }[];
  withoutIisConfigLog: string[];
}

function classicMessage(e: DemoEvent): string {
  const data = Object.fromEntries(e.data);
  return renderMessage(e.provider, e.eventId, data) ?? `Event ${e.eventId} from ${e.provider}: ${e.data.map(([k, v]) => `${k}=${v}`).join(", ")}`;
}

/** Yields the fleet's event records (oldest first per host); returns a description of what it planted. */
export function* demoFleetRecords(options: FleetOptions): Generator<string, DemoFleet> {
  const rnd = random(options.seed);
  const hosts = Array.from({ length: options.hosts }, (_, i) => {
    const role = ["web", "api", "portal", "exch"][i % 4];
    return `${role}-${["prod", "dmz", "int"][i % 3]}-${String(i + 1).padStart(2, "0")}.contoso.local`;
  });
  const start = options.end.getTime() - options.days * 86_400_000;
  const span = options.days * 86_400_000 - 3_600_000;
  const at = (fraction: number) => new Date(start + Math.floor(fraction * span));

  // Every 8th host never enabled the IIS configuration log: only Application/System events reach us.
  const withoutIisConfigLog = hosts.filter((_, i) => i % 8 === 5);
  const compromised = [hosts[3], hosts[17], hosts[30]].map((host, i) => ({ host, ...BACKDOORS[i], module: BACKDOORS[i].name, at: at(0.55 + i * 0.12) }));
  const failing = [hosts[3], hosts[9], hosts[22], hosts[26]].map((host, i) => ({ host, dll: FAILING_DLLS[i % FAILING_DLLS.length].dll, arch: FAILING_DLLS[i % FAILING_DLLS.length].arch, at: at(0.4 + i * 0.13) }));
  // The second backdoor was built for the wrong architecture: its DLL fails to load half an hour after the install,
  // so that host crosses ES's 24-hour risk threshold (48 + 48 + 25 > 100).
  const sloppy = compromised[1];
  failing.push({ host: sloppy.host, dll: sloppy.image, arch: "x86", at: new Date(sloppy.at.getTime() + 1_800_000) });

  for (const host of hosts) {
    const events: DemoEvent[] = [];
    const hasConfigLog = !withoutIisConfigLog.includes(host);
    const perDay = 4 + Math.floor(rnd() * 8);
    for (let i = 0; i < options.days * perDay; i++) {
      const e = noise(host, at(rnd()), rnd);
      if (e.channel !== IIS_CONFIG.channel || hasConfigLog) events.push(e);
    }
    if (hasConfigLog) {
      const changes = 2 + Math.floor(rnd() * 6);
      for (let i = 0; i < changes; i++) events.push(ROUTINE[Math.floor(rnd() * ROUTINE.length)](host, at(rnd()), rnd));
    }
    for (const c of compromised.filter((c) => c.host === host)) {
      // `appcmd install module /name:X /image:Y` commits globalModules then modules, seconds apart.
      events.push(configChange(host, c.at, `/system.webServer/globalModules/add[@name="${c.module}"]`, "MACHINE/WEBROOT/APPHOST", APPHOST, 1, "", c.image));
      events.push(configChange(host, new Date(c.at.getTime() + 2_000), `/system.webServer/modules/add[@name="${c.module}"]`, "MACHINE/WEBROOT/APPHOST", APPHOST, 1, "", c.module));
    }
    for (const f of failing.filter((f) => f.host === host)) {
      // A worker process retries: the same DLL fails on several recycles.
      for (let k = 0; k < 3; k++) {
        events.push({
          ...W3SVC_WP,
          time: new Date(f.at.getTime() + k * 1_800_000),
          host,
          eventId: 2282,
          qualifiers: 49152,
          level: 2,
          keywords: "0x80000000000000",
          data: [
            ["ModuleDll", f.dll],
            ["ProcessorArchitecture", f.arch],
          ],
          binary: "C1000000",
        });
      }
    }
    events.sort((a, b) => a.time.getTime() - b.time.getTime());
    const recordIds: Record<string, number> = {};
    for (const e of events) {
      recordIds[e.channel] = (recordIds[e.channel] ?? 1000 + Math.floor(rnd() * 50000)) + 1;
      yield options.format === "classic" ? renderClassic(e, recordIds[e.channel], classicMessage(e)) : renderXml(e, recordIds[e.channel], rnd);
    }
  }
  return { hosts, compromised: compromised.map(({ host, module, image, at }) => ({ host, module, image, at })), failing: failing.map(({ host, dll, at }) => ({ host, dll, at })), withoutIisConfigLog };
}
