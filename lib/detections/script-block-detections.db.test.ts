// Golden tests of the IIS Components story's PowerShell detections (ESCU YAML verbatim): Windows PowerShell IIS
// Components WebGlobalModule Usage, Windows PowerShell Add Module to Global Assembly Cache, Windows PowerShell Disable
// HTTP Logging — `powershell` EventCode=4104 ScriptBlockText IN (…) | stats … by EventCode ScriptBlockText Computer
// user_id. PowerShell/Operational 4104 events (tests/support/process-events.ts) as EVTX-rendered XML, EVTX, Splunk
// XmlWinEventLog and Winlogbeat NDJSON go through the real readers, the database and the engine; each detection must
// give exactly the rows written here by hand from its SPL and Splunk's semantics.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { GOLDEN_FORMATS, uploadGolden, type GoldenEventInput } from "../../tests/support/process-events";
import { db } from "../db/client";
import { listResults } from "./queries";
import { runScheduled } from "./runs";

const WEBGLOBALMODULE = "33fc9f6f-0ce7-4696-924e-a69ec61a3d57";
const GAC = "3fc16961-97e5-4a5b-a079-e4ab0d9763eb";
const DISABLE_HTTP_LOGGING = "27958de0-2857-43ca-9d4c-b255cf59dcab";

const HOST = "WEB01.contoso.local";
const ADMIN_SID = "S-1-5-21-3271030993-2217237375-3417434233-500";
const BACKDOOR = "C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll";

// Atomic Red Team T1505.004 test 2 (powershell executor: %windir% is not expanded), run twice: one row, count 2.
const ATOMIC = "New-WebGlobalModule -Name DefaultDocumentModule_Atomic -Image %windir%\\system32\\inetsrv\\defdoc.dll";
// GhostRedirector's staged DLL registered by cmdlet.
const SET_MODULE = `Set-WebGlobalModule -Name ManagedEngine64 -Image ${BACKDOOR}`;
// Microsoft's "malicious IIS extensions" write-up: a managed module put in the GAC through EnterpriseServices.
const PUBLISH = `[System.Reflection.Assembly]::LoadWithPartialName("System.EnterpriseServices"); $p = New-Object System.EnterpriseServices.Internal.Publish; $p.GacInstall("${BACKDOOR}")`;
const LOGFILE_OFF = "Set-ItemProperty 'IIS:\\Sites\\Default Web Site' -Name logFile.enabled -Value false";
// Read-only, but it names get-WebConfigurationProperty, httpLogging and dontLog: the published search gives a row.
const READ_DONTLOG = "Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter system.webServer/httpLogging -Name dontLog";
// Set-WebConfigurationProperty turns logging off too, but the published search asks for get-WebConfigurationProperty
// or Set-ItemProperty: no row (the search's own gap, kept).
const SET_DONTLOG = "Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter system.webServer/httpLogging -Name dontLog -Value $true";
// Benign inventory: none of the three.
const INVENTORY = "Get-WebGlobalModule | Select-Object Name, Image | ConvertTo-Json";

let record = 500;
const block = (time: string, scriptBlockText: string): GoldenEventInput => ({ kind: "ps4104", host: HOST, time, recordId: record++, scriptBlockText, userSid: ADMIN_SID });

// The run at 11:10 searches [10:00, 11:00).
const EVENTS: GoldenEventInput[] = [
  block("2026-03-02T10:10:00Z", ATOMIC),
  block("2026-03-02T10:40:00.5Z", ATOMIC),
  block("2026-03-02T10:15:00Z", SET_MODULE),
  block("2026-03-02T10:20:00Z", PUBLISH),
  block("2026-03-02T10:25:00Z", LOGFILE_OFF),
  block("2026-03-02T10:26:00Z", READ_DONTLOG),
  block("2026-03-02T10:27:00Z", SET_DONTLOG),
  block("2026-03-02T10:30:00Z", INVENTORY),
  // Outside the window.
  block("2026-03-02T11:02:00Z", "Enable-WebGlobalModule -Name LateModule"),
];

const row = (text: string, count: number, firstTime: string, lastTime = firstTime) => ({ EventCode: "4104", ScriptBlockText: text, Computer: HOST, user_id: ADMIN_SID, count, firstTime, lastTime });

const EXPECTED: Record<string, Record<string, unknown>[]> = {
  [WEBGLOBALMODULE]: [row(ATOMIC, 2, "2026-03-02T10:10:00", "2026-03-02T10:40:00"), row(SET_MODULE, 1, "2026-03-02T10:15:00")],
  [GAC]: [row(PUBLISH, 1, "2026-03-02T10:20:00")],
  [DISABLE_HTTP_LOGGING]: [row(LOGFILE_OFF, 1, "2026-03-02T10:25:00"), row(READ_DONTLOG, 1, "2026-03-02T10:26:00")],
};

const fieldsOf = async (detectionId: string) =>
  (await listResults({ detectionId })).rows.map((r) => r.fields as Record<string, unknown>).sort((a, b) => String(a.firstTime).localeCompare(String(b.firstTime)));

beforeEach(resetDatabase);

describe("golden: the IIS Components story's PowerShell 4104 detections", () => {
  for (const format of GOLDEN_FORMATS) {
    it(`give exactly the rows written here, with their risk and notables (${format})`, async () => {
      expect(await uploadGolden(EVENTS, format)).toHaveLength(EVENTS.length);
      await runScheduled(new Date("2026-03-02T11:10:00Z"));

      for (const [detectionId, rows] of Object.entries(EXPECTED)) expect(await fieldsOf(detectionId), detectionId).toEqual(rows);

      // Risk on Computer (system), 64 each; notables for the two TTPs, none for the Anomaly.
      const risk = await db().riskEvent.findMany({ select: { detectionId: true, riskObject: true, riskObjectType: true, riskScore: true, riskMessage: true } });
      expect(risk.filter((r) => [WEBGLOBALMODULE, GAC, DISABLE_HTTP_LOGGING].includes(r.detectionId))).toHaveLength(5);
      expect(risk.find((r) => r.detectionId === GAC)).toEqual({
        detectionId: GAC,
        riskObject: HOST,
        riskObjectType: "system",
        riskScore: 64,
        riskMessage: `PowerShell was used to install a module to the Global Assembly Cache on ${HOST}.`,
      });
      const notables = await db().notable.findMany({ select: { detectionId: true } });
      expect(notables.map((n) => n.detectionId).sort()).toEqual([DISABLE_HTTP_LOGGING, DISABLE_HTTP_LOGGING, GAC].sort());

      // The module each cmdlet registers (enrichment, from the script block).
      const findings = (await listResults({ detectionId: WEBGLOBALMODULE })).rows.map((r) => r.enrichment.finding?.text).sort();
      expect(findings).toEqual(["Module DefaultDocumentModule_Atomic (%windir%\\system32\\inetsrv\\defdoc.dll) installed", `Module ManagedEngine64 (${BACKDOOR}) installed`]);
    });
  }

  it("reports the late script block in the next hour's run, once", async () => {
    await uploadGolden(EVENTS, "winlogbeat");
    await runScheduled(new Date("2026-03-02T11:10:00Z"));
    await runScheduled(new Date("2026-03-02T12:10:00Z"));
    await runScheduled(new Date("2026-03-02T12:10:00Z"));
    const late = (await fieldsOf(WEBGLOBALMODULE)).filter((r) => r.ScriptBlockText === "Enable-WebGlobalModule -Name LateModule");
    expect(late).toEqual([row("Enable-WebGlobalModule -Name LateModule", 1, "2026-03-02T11:02:00")]);
  });
});
