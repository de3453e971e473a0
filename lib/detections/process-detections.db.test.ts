// Golden tests of the IIS Components story's process-creation detections (ESCU YAML verbatim, tstats over
// Endpoint.Processes): Windows IIS Components Add New Module, Windows Disable Windows Event Logging Disable HTTP
// Logging, Windows Server Software Component GACUtil Install to GAC. Sysmon EventID 1 and Security 4688 events
// (tests/support/process-events.ts), written as EVTX-rendered XML, EVTX, Splunk XmlWinEventLog and Winlogbeat NDJSON,
// go through the real readers, the database and the engine; each detection must give exactly the rows written here
// by hand from its SPL and Splunk's semantics (case-insensitive `*` globs, IN, NOT, tstats `by` with
// fillnull_value=null, drop_dm_object_name).
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { GOLDEN_FORMATS, uploadGolden, type GoldenEventInput } from "../../tests/support/process-events";
import { db } from "../db/client";
import { listResults } from "./queries";
import { runScheduled } from "./runs";

const ADD_NEW_MODULE = "38fe731c-1f13-43d4-b878-a5bbe44807e3";
const DISABLE_HTTP_LOGGING = "23fb6787-255f-4d5b-9a66-9fd7504032b5";
const GACUTIL = "7c025ef0-9e65-4c57-be39-1c13dbb1613e";

const HOST = "WEB01.contoso.local";
const APPCMD = "C:\\Windows\\System32\\inetsrv\\appcmd.exe";
const CMD = "C:\\Windows\\System32\\cmd.exe";
const GACUTIL_EXE = "C:\\Program Files (x86)\\Microsoft SDKs\\Windows\\v10.0A\\bin\\NETFX 4.8 Tools\\gacutil.exe";
const BACKDOOR = "C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll";

const sysmon = (o: Omit<Extract<GoldenEventInput, { kind: "sysmon1" }>, "kind" | "host" | "user" | "originalFileName"> & { user?: string; originalFileName?: string }): GoldenEventInput => ({
  kind: "sysmon1",
  host: HOST,
  user: "CONTOSO\\Administrator",
  originalFileName: "appcmd.exe",
  ...o,
});

// One hour on one IIS server. The run at 11:10 searches [10:00, 11:00).
const EVENTS: GoldenEventInput[] = [
  // Atomic Red Team T1505.004 test 1 (command_prompt executor: cmd.exe expands %windir% before appcmd starts).
  sysmon({
    time: "2026-03-02T10:05:00.1234567Z",
    recordId: 101,
    image: APPCMD,
    commandLine: "C:\\Windows\\system32\\inetsrv\\appcmd.exe install module /name:DefaultDocumentModule_Atomic /image:C:\\Windows\\system32\\inetsrv\\defdoc.dll",
    parentImage: CMD,
    parentCommandLine: '"cmd.exe" /c %windir%\\system32\\inetsrv\\appcmd.exe install module /name:DefaultDocumentModule_Atomic /image:%windir%\\system32\\inetsrv\\defdoc.dll',
    processId: 4242,
    parentProcessId: 3880,
  }),
  // IIS-Raid's install line, the image name in upper case: process_name=appcmd.exe matches case-insensitively.
  sysmon({
    time: "2026-03-02T10:12:00Z",
    recordId: 102,
    image: "C:\\Windows\\System32\\inetsrv\\APPCMD.EXE",
    commandLine: 'APPCMD.EXE install module /name:IIS-Raid /image:"%windir%\\System32\\inetsrv\\IIS-Backdoor.dll" /add:true',
    parentImage: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    parentCommandLine: "powershell.exe -nop -w hidden",
    processId: 5120,
    parentProcessId: 5004,
    originalFileName: "appcmd.exe",
  }),
  // DoorMe's install line, audited by Security 4688 (ids in hex, no OriginalFileName, user = SubjectUserName).
  {
    kind: "security4688",
    host: HOST,
    time: "2026-03-02T10:20:00Z",
    recordId: 9001,
    newProcessName: APPCMD,
    commandLine: "c:\\windows\\system32\\inetsrv\\appcmd.exe install module /name:FastCgiModule_64bit /image:%windir%\\System32\\inetsrv\\iisfcgix64.dll",
    parentProcessName: CMD,
    newProcessId: 0x1a2c,
    processId: 0xf3c,
    subjectUserName: "Administrator",
    subjectDomainName: "CONTOSO",
  },
  // An installer registering its module: the parent msiexec.exe is excluded by the search's NOT.
  sysmon({
    time: "2026-03-02T10:25:00Z",
    recordId: 103,
    image: APPCMD,
    commandLine: "C:\\Windows\\system32\\inetsrv\\appcmd.exe install module /name:RewriteModule /image:%SystemRoot%\\system32\\inetsrv\\rewrite.dll",
    parentImage: "C:\\Windows\\System32\\msiexec.exe",
    parentCommandLine: "C:\\Windows\\system32\\msiexec.exe /V",
    processId: 6010,
    parentProcessId: 6000,
    user: "NT AUTHORITY\\SYSTEM",
  }),
  // Benign: an admin lists the application pools. Matches none of the three searches.
  sysmon({
    time: "2026-03-02T10:30:00Z",
    recordId: 104,
    image: APPCMD,
    commandLine: "C:\\Windows\\system32\\inetsrv\\appcmd.exe list apppool",
    parentImage: CMD,
    parentCommandLine: "cmd.exe",
    processId: 6100,
    parentProcessId: 3880,
  }),
  // Atomic Red Team T1562.002 (Disable Windows IIS HTTP Logging), as in EVTX-ATTACK-SAMPLES' PanacheSysmon run.
  sysmon({
    time: "2026-03-02T10:35:00Z",
    recordId: 105,
    image: APPCMD,
    commandLine: 'C:\\Windows\\system32\\inetsrv\\appcmd.exe set config "Default Web Site" /section:httplogging /dontLog:true',
    parentImage: CMD,
    parentCommandLine: 'cmd.exe /c C:\\Windows\\system32\\inetsrv\\appcmd.exe set config "Default Web Site" /section:httplogging /dontLog:true',
    processId: 6200,
    parentProcessId: 6190,
  }),
  // Reading the HTTP logging section. The published search ORs its three globs, so "*httplogging*" alone gives a
  // row: Splunk's semantics, kept (the YAML's known false positives).
  sysmon({
    time: "2026-03-02T10:40:00Z",
    recordId: 106,
    image: APPCMD,
    commandLine: "C:\\Windows\\system32\\inetsrv\\appcmd.exe list config /section:httpLogging",
    parentImage: CMD,
    parentCommandLine: "cmd.exe",
    processId: 6300,
    parentProcessId: 3880,
  }),
  // gacutil /i of GhostRedirector's staged DLL, and a benign gacutil /l.
  sysmon({
    time: "2026-03-02T10:45:00Z",
    recordId: 107,
    image: GACUTIL_EXE,
    commandLine: `"${GACUTIL_EXE}" /i ${BACKDOOR}`,
    parentImage: CMD,
    parentCommandLine: "cmd.exe",
    processId: 6400,
    parentProcessId: 3880,
    originalFileName: "gacutil.exe",
  }),
  sysmon({
    time: "2026-03-02T10:46:00Z",
    recordId: 108,
    image: GACUTIL_EXE,
    commandLine: `"${GACUTIL_EXE}" /l System.Web`,
    parentImage: CMD,
    parentCommandLine: "cmd.exe",
    processId: 6500,
    parentProcessId: 3880,
    originalFileName: "gacutil.exe",
  }),
  // Outside the window (11:05): a later run's.
  sysmon({
    time: "2026-03-02T11:05:00Z",
    recordId: 109,
    image: APPCMD,
    commandLine: "appcmd.exe install module /name:Late /image:C:\\Windows\\Temp\\late.dll",
    parentImage: CMD,
    parentCommandLine: "cmd.exe",
    processId: 7000,
    parentProcessId: 3880,
  }),
];

const row = (fields: Record<string, unknown>, time: string) => ({ ...fields, count: 1, firstTime: time, lastTime: time });

/** The rows each detection must give (by fields, then count, firstTime, lastTime), sorted by firstTime. */
const EXPECTED: Record<string, Record<string, unknown>[]> = {
  [ADD_NEW_MODULE]: [
    row(
      {
        dest: HOST,
        user: "CONTOSO\\Administrator",
        parent_process_name: "cmd.exe",
        process_name: "appcmd.exe",
        original_file_name: "appcmd.exe",
        process: EVENTS[0].kind === "sysmon1" ? EVENTS[0].commandLine : "",
        process_id: "4242",
        parent_process_id: "3880",
      },
      "2026-03-02T10:05:00",
    ),
    row(
      {
        dest: HOST,
        user: "CONTOSO\\Administrator",
        parent_process_name: "powershell.exe",
        process_name: "APPCMD.EXE",
        original_file_name: "appcmd.exe",
        process: 'APPCMD.EXE install module /name:IIS-Raid /image:"%windir%\\System32\\inetsrv\\IIS-Backdoor.dll" /add:true',
        process_id: "5120",
        parent_process_id: "5004",
      },
      "2026-03-02T10:12:00",
    ),
    row(
      {
        dest: HOST,
        user: "Administrator",
        parent_process_name: "cmd.exe",
        process_name: "appcmd.exe",
        // 4688 has no original file name: tstats' fillnull_value=null.
        original_file_name: "null",
        process: "c:\\windows\\system32\\inetsrv\\appcmd.exe install module /name:FastCgiModule_64bit /image:%windir%\\System32\\inetsrv\\iisfcgix64.dll",
        process_id: "6700",
        parent_process_id: "3900",
      },
      "2026-03-02T10:20:00",
    ),
  ],
  [DISABLE_HTTP_LOGGING]: [
    row(
      {
        dest: HOST,
        user: "CONTOSO\\Administrator",
        parent_process_name: "cmd.exe",
        process_name: "appcmd.exe",
        original_file_name: "appcmd.exe",
        process: 'C:\\Windows\\system32\\inetsrv\\appcmd.exe set config "Default Web Site" /section:httplogging /dontLog:true',
        process_id: "6200",
        parent_process_id: "6190",
      },
      "2026-03-02T10:35:00",
    ),
    row(
      {
        dest: HOST,
        user: "CONTOSO\\Administrator",
        parent_process_name: "cmd.exe",
        process_name: "appcmd.exe",
        original_file_name: "appcmd.exe",
        process: "C:\\Windows\\system32\\inetsrv\\appcmd.exe list config /section:httpLogging",
        process_id: "6300",
        parent_process_id: "3880",
      },
      "2026-03-02T10:40:00",
    ),
  ],
  [GACUTIL]: [
    row(
      {
        dest: HOST,
        user: "CONTOSO\\Administrator",
        parent_process_name: "cmd.exe",
        process_name: "gacutil.exe",
        process: `"${GACUTIL_EXE}" /i ${BACKDOOR}`,
        process_id: "6400",
        parent_process_id: "3880",
      },
      "2026-03-02T10:45:00",
    ),
  ],
};

const fieldsOf = async (detectionId: string) =>
  (await listResults({ detectionId })).rows.map((r) => r.fields as Record<string, unknown>).sort((a, b) => String(a.firstTime).localeCompare(String(b.firstTime)));

beforeEach(resetDatabase);

describe("golden: the IIS Components story's process-creation detections (Sysmon 1, Security 4688)", () => {
  for (const format of GOLDEN_FORMATS) {
    it(`give exactly the rows written here, with their risk and notables (${format})`, async () => {
      expect(await uploadGolden(EVENTS, format)).toHaveLength(EVENTS.length);
      await runScheduled(new Date("2026-03-02T11:10:00Z"));

      for (const [detectionId, rows] of Object.entries(EXPECTED)) expect(await fieldsOf(detectionId), detectionId).toEqual(rows);

      // Add New Module is an Anomaly (risk, no notable): 64 on the user and on the host, per row.
      const risk = await db().riskEvent.findMany({ where: { detectionId: ADD_NEW_MODULE }, orderBy: [{ riskObjectType: "asc" }, { riskObject: "asc" }] });
      expect(risk.map((r) => [r.riskObjectType, r.riskObject, r.riskScore])).toEqual([
        ["system", HOST, 64],
        ["system", HOST, 64],
        ["system", HOST, 64],
        ["user", "Administrator", 64],
        ["user", "CONTOSO\\Administrator", 64],
        ["user", "CONTOSO\\Administrator", 64],
      ]);
      expect(risk.find((r) => r.riskObject === "Administrator")!.riskMessage).toBe(
        `An instance of cmd.exe spawning appcmd.exe was identified on endpoint ${HOST} by user Administrator attempting to install a new IIS module.`,
      );
      // The TTPs make a notable per row; the Anomaly none.
      const notables = await db().notable.findMany({ select: { detectionId: true } });
      expect(notables.filter((n) => n.detectionId === DISABLE_HTTP_LOGGING)).toHaveLength(2);
      expect(notables.filter((n) => n.detectionId === GACUTIL)).toHaveLength(1);
      expect(notables.filter((n) => n.detectionId === ADD_NEW_MODULE)).toHaveLength(0);
      expect((await db().riskEvent.findFirst({ where: { detectionId: GACUTIL } }))!.riskScore).toBe(49);

      // What each install put where, from the command line (enrichment).
      const [atomic] = (await listResults({ detectionId: ADD_NEW_MODULE })).rows.filter((r) => r.fields.process_id === "4242");
      expect(atomic.enrichment).toMatchObject({
        kind: "iis-command",
        finding: { kind: "module_added", text: "Module DefaultDocumentModule_Atomic (C:\\Windows\\system32\\inetsrv\\defdoc.dll) installed" },
      });
    });
  }

  it("reports the late install in the next hour's run, once", async () => {
    await uploadGolden(EVENTS, "splunk-xml");
    await runScheduled(new Date("2026-03-02T11:10:00Z"));
    await runScheduled(new Date("2026-03-02T12:10:00Z"));
    await runScheduled(new Date("2026-03-02T12:10:00Z"));
    const late = (await fieldsOf(ADD_NEW_MODULE)).filter((r) => r.process_id === "7000");
    expect(late).toEqual([expect.objectContaining({ process: "appcmd.exe install module /name:Late /image:C:\\Windows\\Temp\\late.dll", firstTime: "2026-03-02T11:05:00" })]);
  });
});
