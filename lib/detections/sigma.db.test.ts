// Golden tests of SigmaHQ's IIS rules on the same engine (content/sigma/): Event 29 changes and Sysmon 1 / Security
// 4688 process starts, synthesised from Atomic Red Team T1505.004/T1562.002 and the published DoorMe and IIS-Raid
// command lines, are written as whole files in each export's layout — EVTX-rendered XML (wevtutil), an EVTX file,
// Splunk XmlWinEventLog and Winlogbeat NDJSON (tests/support/process-events.ts) — and read back by the real readers,
// go through ingest, the real database and the scheduled run, and each rule gives, in every layout, exactly the rows
// written here (grouped by dest and the fields the rule reads), a risk event scored from its level whose message
// names the rule's authors (DRL 1.1), and a notable for the high rules only.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { normalized, storeAsUpload, store29, type Event29Input } from "../../tests/support/iis-events";
import { GOLDEN_FORMATS, uploadGolden, type GoldenEventInput } from "../../tests/support/process-events";
import { db } from "../db/client";
import type { EventParts } from "../ingest/event";
import { listResults } from "./queries";
import { runScheduled } from "./runs";
import { DETECTION_SPECS } from "./specs";

const at = (iso: string) => new Date(iso);
const specNamed = (name: string) => {
  const spec = DETECTION_SPECS.find((s) => s.name === name);
  if (!spec) throw new Error(`no detection ${name}`);
  return spec;
};

const APPCMD = "C:\\Windows\\System32\\inetsrv\\appcmd.exe";
const W3WP = "c:\\windows\\system32\\inetsrv\\w3wp.exe";
const CMD = "C:\\Windows\\System32\\cmd.exe";
const POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
const GACUTIL = "C:\\Program Files (x86)\\Microsoft SDKs\\Windows\\v10.0A\\bin\\NETFX 4.8 Tools\\gacutil.exe";
// DoorMe's install (Elastic Security Labs) and IIS-Raid's (its README), as the reports quote them.
const DOORME_INSTALL = "c:\\windows\\system32\\inetsrv\\appcmd.exe install module /name:FastCgiModule_64bit /image:%windir%\\System32\\inetsrv\\iisfcgix64.dll";
const IIS_RAID_INSTALL = 'APPCMD.EXE install module /name:IIS-Backdoor /image:"%windir%\\System32\\inetsrv\\IIS-Backdoor.dll" /add:true';
// Atomic Red Team T1562.002 test 1, and the same as the real EVTX sample runs it (through cmd.exe).
const DISABLE_HTTP_LOGGING = `${APPCMD} set config "Default Web Site" /section:httplogging /dontLog:true`;
const DISABLE_HTTP_LOGGING_VIA_CMD = `cmd.exe /c "${APPCMD} set config " "Default /section:httplogging /dontLog:true"`;
const PUBLISH_TO_GAC =
  "powershell.exe -c [System.Reflection.Assembly]::LoadWithPartialName('System.EnterpriseServices'); $p = New-Object System.EnterpriseServices.Internal.Publish; $p.GacInstall('C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll')";

// One hour of a web farm's logs: the run at 11:00 searches [09:50, 10:50).
const CHANGES: Event29Input[] = [
  // New Module Module Added To IIS Server: a module that is not built in...
  { host: "WEB01", time: "2026-03-02T10:05:00Z", configuration: '/system.webServer/modules/add[@name="FastCgiModule_64bit"]', newValue: "FastCgiModule_64bit" },
  { host: "WEB01", time: "2026-03-02T10:15:00Z", configuration: '/system.webServer/modules/add[@name="FastCgiModule_64bit"]', newValue: "FastCgiModule_64bit" },
  // ...but not a built-in one (in any case), nor an add with no value (a removal).
  { host: "WEB01", time: "2026-03-02T10:06:00Z", configuration: '/system.webServer/modules/add[@name="DefaultDocumentModule"]', newValue: "DEFAULTDOCUMENTMODULE" },
  { host: "WEB02", time: "2026-03-02T10:07:00Z", configuration: '/system.webServer/modules/add[@name="EvilMod"]', editOperationType: "2", newValue: "" },
  // Previously Installed IIS Module Was Removed.
  { host: "WEB02", time: "2026-03-02T10:08:00Z", configuration: '/system.webServer/modules/remove[@name="HttpLoggingModule"]', newValue: "HttpLoggingModule" },
  // HTTP Logging Disabled On IIS Server: set to true, not to false.
  { host: "WEB03", time: "2026-03-02T10:09:00Z", configuration: "/system.webServer/httpLogging/@dontLog", oldValue: "false", newValue: "true", editOperationType: "3" },
  { host: "WEB03", time: "2026-03-02T10:10:00Z", configuration: "/system.webServer/httpLogging/@dontLog", oldValue: "true", newValue: "false", editOperationType: "3" },
  // ETW Logging/Processing Option Disabled: ETW dropped from the W3C log target; not when it was not there, nor kept.
  { host: "WEB03", time: "2026-03-02T10:11:00Z", configuration: "/system.applicationHost/sites/siteDefaults/logFile/@logTargetW3C", oldValue: "File,ETW", newValue: "File", editOperationType: "3" },
  { host: "WEB04", time: "2026-03-02T10:12:00Z", configuration: "/system.applicationHost/sites/siteDefaults/logFile/@logTargetW3C", oldValue: "File", newValue: "File,ETW", editOperationType: "3" },
  { host: "WEB04", time: "2026-03-02T10:13:00Z", configuration: "/system.applicationHost/sites/siteDefaults/logFile/@logTargetW3C", oldValue: "ETW", newValue: "File,ETW", editOperationType: "3" },
  // After the window: the next run's.
  { host: "WEB04", time: "2026-03-02T10:55:00Z", configuration: '/system.webServer/modules/add[@name="Late"]', newValue: "Late" },
];

interface ProcessStart {
  host: string;
  time: string;
  log: "sysmon" | "security";
  image: string;
  commandLine: string;
  parentImage: string;
  originalFileName?: string;
}

const PROCESSES: ProcessStart[] = [
  // IIS Native-Code Module Command Line Installation: DoorMe's install in Sysmon, IIS-Raid's in 4688 (/name: as -name:)...
  { host: "WEB01", time: "2026-03-02T10:20:00Z", log: "sysmon", image: APPCMD, originalFileName: "appcmd.exe", commandLine: DOORME_INSTALL, parentImage: CMD },
  { host: "WEB02", time: "2026-03-02T10:21:00Z", log: "security", image: "C:\\Windows\\System32\\inetsrv\\APPCMD.EXE", commandLine: IIS_RAID_INSTALL, parentImage: POWERSHELL },
  // ...but not IIS setup's own installs.
  { host: "WEB02", time: "2026-03-02T10:22:00Z", log: "security", image: APPCMD, commandLine: IIS_RAID_INSTALL, parentImage: "C:\\Windows\\System32\\inetsrv\\iissetup.exe" },
  // Suspicious IIS Module Registration: w3wp.exe (a web shell) running appcmd add module, gacutil /I, or Publish.
  { host: "WEB03", time: "2026-03-02T10:23:00Z", log: "sysmon", image: APPCMD, originalFileName: "appcmd.exe", commandLine: `${APPCMD} add module /name:EvilMod`, parentImage: W3WP },
  { host: "WEB03", time: "2026-03-02T10:24:00Z", log: "security", image: GACUTIL, commandLine: "gacutil.exe /I C:\\inetpub\\temp\\evil.dll", parentImage: W3WP },
  { host: "WEB04", time: "2026-03-02T10:25:00Z", log: "sysmon", image: POWERSHELL, originalFileName: "PowerShell.EXE", commandLine: PUBLISH_TO_GAC, parentImage: W3WP },
  // The same gacutil from an admin's desktop is not.
  { host: "WEB04", time: "2026-03-02T10:26:00Z", log: "sysmon", image: GACUTIL, originalFileName: "gacutil.exe", commandLine: "gacutil.exe /I C:\\inetpub\\temp\\evil.dll", parentImage: "C:\\Windows\\explorer.exe" },
  // Disable Windows IIS HTTP Logging: appcmd itself, not the cmd.exe wrapping it (the real EVTX sample's case).
  { host: "WEB01", time: "2026-03-02T10:27:00Z", log: "sysmon", image: APPCMD, originalFileName: "appcmd.exe", commandLine: DISABLE_HTTP_LOGGING, parentImage: CMD },
  { host: "WEB01", time: "2026-03-02T10:28:00Z", log: "sysmon", image: CMD, originalFileName: "Cmd.Exe", commandLine: DISABLE_HTTP_LOGGING_VIA_CMD, parentImage: POWERSHELL },
];

let recordId = 5000;
/** A process start as Sysmon Event 1 or Security Event 4688 carry it (each with its own data names). */
function processParts(p: ProcessStart): EventParts {
  const sysmon = p.log === "sysmon";
  return {
    system: {
      provider: sysmon ? "Microsoft-Windows-Sysmon" : "Microsoft-Windows-Security-Auditing",
      eventId: sysmon ? 1 : 4688,
      timeCreated: p.time,
      channel: sysmon ? "Microsoft-Windows-Sysmon/Operational" : "Security",
      computer: p.host,
      recordId: recordId++,
      opcode: 0,
    },
    data: sysmon
      ? { RuleName: "-", UtcTime: p.time, ProcessId: "4242", Image: p.image, OriginalFileName: p.originalFileName ?? "-", CommandLine: p.commandLine, User: "IIS APPPOOL\\DefaultAppPool", ParentImage: p.parentImage }
      : { SubjectUserName: "WEB$", NewProcessId: "0x1092", NewProcessName: p.image, TokenElevationType: "%%1936", CommandLine: p.commandLine, ParentProcessName: p.parentImage },
  };
}

/** The same process start as a golden event of its log (tests/support/process-events.ts), for the layout tests. */
function goldenProcess(p: ProcessStart, i: number): GoldenEventInput {
  const common = { host: p.host, time: p.time, recordId: 7000 + i, commandLine: p.commandLine };
  return p.log === "sysmon"
    ? { kind: "sysmon1", ...common, image: p.image, parentImage: p.parentImage, parentCommandLine: "-", processId: 4242, parentProcessId: 4100, user: "IIS APPPOOL\\DefaultAppPool", originalFileName: p.originalFileName ?? "-" }
    : { kind: "security4688", ...common, newProcessName: p.image, parentProcessName: p.parentImage, newProcessId: 0x1092, processId: 0x1004, subjectUserName: "WEB$", subjectDomainName: "CONTOSO" };
}
const goldenChange = (c: Event29Input, i: number): GoldenEventInput => ({ kind: "iis29", ...c, recordId: 6000 + i });

const span = (first: string, last = first) => ({ firstTime: first, lastTime: last });

/** The rows each rule must give, in its fields, with the risk score its level gives and whether it notifies. */
const EXPECTED: { rule: string; score: number; notable: boolean; rows: Record<string, unknown>[] }[] = [
  {
    rule: "New Module Module Added To IIS Server",
    score: 50,
    notable: false,
    rows: [{ dest: "WEB01", Configuration: '/system.webServer/modules/add[@name="FastCgiModule_64bit"]', NewValue: "FastCgiModule_64bit", count: 2, ...span("2026-03-02T10:05:00", "2026-03-02T10:15:00") }],
  },
  {
    rule: "Previously Installed IIS Module Was Removed",
    score: 25,
    notable: false,
    rows: [{ dest: "WEB02", Configuration: '/system.webServer/modules/remove[@name="HttpLoggingModule"]', count: 1, ...span("2026-03-02T10:08:00") }],
  },
  {
    rule: "HTTP Logging Disabled On IIS Server",
    score: 75,
    notable: true,
    rows: [{ dest: "WEB03", Configuration: "/system.webServer/httpLogging/@dontLog", NewValue: "true", count: 1, ...span("2026-03-02T10:09:00") }],
  },
  {
    rule: "ETW Logging/Processing Option Disabled On IIS Server",
    score: 50,
    notable: false,
    rows: [{ dest: "WEB03", Configuration: "/system.applicationHost/sites/siteDefaults/logFile/@logTargetW3C", OldValue: "File,ETW", NewValue: "File", count: 1, ...span("2026-03-02T10:11:00") }],
  },
  {
    rule: "IIS Native-Code Module Command Line Installation",
    score: 50,
    notable: false,
    rows: [
      { dest: "WEB01", Image: APPCMD, OriginalFileName: "appcmd.exe", CommandLine: DOORME_INSTALL, ParentImage: CMD, count: 1, ...span("2026-03-02T10:20:00") },
      // 4688 has no OriginalFileName: the rule matched on the image, and the row says the field is absent.
      { dest: "WEB02", Image: "C:\\Windows\\System32\\inetsrv\\APPCMD.EXE", OriginalFileName: null, CommandLine: IIS_RAID_INSTALL, ParentImage: POWERSHELL, count: 1, ...span("2026-03-02T10:21:00") },
    ],
  },
  {
    rule: "Suspicious IIS Module Registration",
    score: 75,
    notable: true,
    rows: [
      { dest: "WEB03", ParentImage: W3WP, CommandLine: `${APPCMD} add module /name:EvilMod`, Image: APPCMD, count: 1, ...span("2026-03-02T10:23:00") },
      { dest: "WEB03", ParentImage: W3WP, CommandLine: "gacutil.exe /I C:\\inetpub\\temp\\evil.dll", Image: GACUTIL, count: 1, ...span("2026-03-02T10:24:00") },
      { dest: "WEB04", ParentImage: W3WP, CommandLine: PUBLISH_TO_GAC, Image: POWERSHELL, count: 1, ...span("2026-03-02T10:25:00") },
    ],
  },
  {
    rule: "Disable Windows IIS HTTP Logging",
    score: 75,
    notable: true,
    rows: [{ dest: "WEB01", Image: APPCMD, OriginalFileName: "appcmd.exe", CommandLine: DISABLE_HTTP_LOGGING, count: 1, ...span("2026-03-02T10:27:00") }],
  },
];

const byTime = (a: { fields: Record<string, unknown> }, b: { fields: Record<string, unknown> }) => String(a.fields.firstTime).localeCompare(String(b.fields.firstTime));

beforeEach(resetDatabase);

describe("golden: SigmaHQ's IIS rules on the engine", () => {
  // Every layout carries every field these rules read (Event 29's named data; Sysmon's and 4688's own names), so each
  // gives the same rows; classic text, which carries only the message, is the test at the end.
  for (const format of GOLDEN_FORMATS) {
    it(`gives each rule its rows, risk from its level with its authors, and notables for high rules (${format})`, async () => {
      // One file per log, as each is exported: the IIS-Configuration changes, then the process starts.
      expect(await uploadGolden(CHANGES.map(goldenChange), format)).toHaveLength(CHANGES.length);
      expect(await uploadGolden(PROCESSES.map(goldenProcess), format)).toHaveLength(PROCESSES.length);
      await runScheduled(at("2026-03-02T11:00:00Z"));

      for (const expected of EXPECTED) {
        const spec = specNamed(expected.rule);
        expect(spec.content.origin).toBe("Sigma");
        const { rows } = await listResults({ detectionId: spec.id });
        expect(rows.sort(byTime).map((r) => r.fields), expected.rule).toEqual(expected.rows);

        const risk = await db().riskEvent.findMany({ where: { detectionId: spec.id }, orderBy: { id: "asc" } });
        // The rule's level gives the base score; module provenance factors (risk-factors.ts) may add to it.
        expect(risk.map((r) => [r.riskObject, r.baseRiskScore, r.searchName]).sort()).toEqual(expected.rows.map((row) => [row.dest, expected.score, `Sigma - ${expected.rule} - Rule`]).sort());
        for (const r of risk) expect(r.riskScore).toBe(Math.min(100, r.baseRiskScore! + ((r.riskFactors as { points: number }[] | null) ?? []).reduce((n, f) => n + f.points, 0)));
        // DRL 1.1: a message based on a match keeps the rule's authors.
        for (const r of risk) expect(r.riskMessage).toBe(`Sigma rule "${expected.rule}" (by ${spec.author}, DRL 1.1) matched on ${r.riskObject}.`);
        expect(risk[0].annotations).toMatchObject({ mitre_attack: spec.tags.mitreAttackId, type: expected.notable ? "TTP" : "Anomaly" });

        const notables = await db().notable.findMany({ where: { detectionId: spec.id } });
        expect(notables.map((n) => [n.dest, n.severity]).sort(), expected.rule).toEqual(expected.notable ? expected.rows.map((row) => [row.dest, "high"]).sort() : []);
        for (const n of notables) expect(n.title).toBe(`${expected.rule} (Sigma rule by ${spec.author})`);
      }
    });
  }

  it("says what each result means: the module installed, from the command line or the change", async () => {
    await store29(CHANGES);
    await storeAsUpload(normalized(PROCESSES.map(processParts), "xml"));
    await runScheduled(at("2026-03-02T11:00:00Z"));
    const finding = async (rule: string) => (await listResults({ detectionId: specNamed(rule).id })).rows.sort(byTime).map((r) => r.enrichment.finding);
    expect(await finding("IIS Native-Code Module Command Line Installation")).toEqual([
      { kind: "module_added", rank: 4, text: "Module FastCgiModule_64bit (%windir%\\System32\\inetsrv\\iisfcgix64.dll) installed by appcmd.exe (parent cmd.exe)" },
      { kind: "module_added", rank: 4, text: "Module IIS-Backdoor (%windir%\\System32\\inetsrv\\IIS-Backdoor.dll) installed by APPCMD.EXE (parent powershell.exe)" },
    ]);
    expect(await finding("Disable Windows IIS HTTP Logging")).toEqual([{ kind: "http_logging_disabled", rank: 3, text: "HTTP logging disabled by appcmd.exe (parent cmd.exe)" }]);
    expect((await finding("New Module Module Added To IIS Server"))[0]).toMatchObject({ kind: "module_added", text: "Module FastCgiModule_64bit added to modules" });
  });

  it("applies a suppression on a rule's own fields, as the _filter macro does for ESCU's", async () => {
    const spec = specNamed("Suspicious IIS Module Registration");
    // An admin's known GAC deployments from the web app: matched by its command line (`*` a wildcard, any case).
    await db().suppression.create({ data: { detectionId: spec.id, match: { CommandLine: "GACUTIL.EXE /I c:\\inetpub\\*" }, reason: "app deploys" } });
    await storeAsUpload(normalized(PROCESSES.map(processParts), "xml"));
    await runScheduled(at("2026-03-02T11:00:00Z"));
    const { rows } = await listResults({ detectionId: spec.id });
    expect(rows.sort(byTime).map((r) => r.fields.CommandLine)).toEqual([`${APPCMD} add module /name:EvilMod`, PUBLISH_TO_GAC]);
    expect(await db().notable.count({ where: { detectionId: spec.id } })).toBe(2);
  });

  it("reports the late change in the next hour's run, once", async () => {
    await store29(CHANGES);
    await runScheduled(at("2026-03-02T11:00:00Z"));
    await runScheduled(at("2026-03-02T12:00:00Z"));
    await runScheduled(at("2026-03-02T12:00:00Z"));
    const { rows } = await listResults({ detectionId: specNamed("New Module Module Added To IIS Server").id });
    expect(rows.map((r) => [r.fields.dest, r.fields.NewValue]).sort()).toEqual([
      ["WEB01", "FastCgiModule_64bit"],
      ["WEB04", "Late"],
    ]);
  });

  it("reads in classic text only what its message carries: Configuration, not OldValue or NewValue", async () => {
    await store29(CHANGES, "classic");
    await runScheduled(at("2026-03-02T11:00:00Z"));
    // The message names the changed path (the catalogue recovers Configuration from it), so the rule that reads only
    // Configuration still runs; those that read the values find nothing, rather than matching on absent values.
    const sigma = DETECTION_SPECS.filter((s) => s.sigma);
    const results = await db().detectionResult.findMany({ where: { detectionId: { in: sigma.map((s) => s.id) } } });
    expect(results.map((r) => [sigma.find((s) => s.id === r.detectionId)!.name, r.fields])).toEqual([
      ["Previously Installed IIS Module Was Removed", EXPECTED[1].rows[0]],
    ]);
  });
});
