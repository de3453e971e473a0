// The IIS backdoor chain per host, from the events themselves: a module added (Event 29, as `appcmd install module`
// commits it), the DLL failing to load (2282), w3wp.exe starting cmd.exe (Sysmon 1) and an account created (4720),
// as GhostRedirector's intrusions run (ESET 2025: the module, then w3wp child shells, then MysqlServiceEx admins).
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { normalized, store2282, store29, storeAsUpload } from "../../tests/support/iis-events";
import type { EventParts } from "../ingest/event";
import { db } from "../db/client";
import { listNotables } from "../triage/notables";
import { notableListParams } from "../triage/fields";
import { CHAIN_RULE, hostChains, storeChainNotables } from "./chains";
import { listRiskIncidents } from "./incidents";
import { deleteUpload } from "../pipeline/delete-upload";

const HOUR = 3_600_000;
const IMAGE = "C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll";
let recordId = 50_000;

function sysmonProcess(host: string, time: string, parentImage: string, image: string, commandLine: string): EventParts {
  return {
    system: { provider: "Microsoft-Windows-Sysmon", eventId: 1, timeCreated: time, channel: "Microsoft-Windows-Sysmon/Operational", computer: host, recordId: recordId++, opcode: 0, level: 4, version: 5, task: 1 },
    data: { UtcTime: time, ProcessGuid: "{00000000-0000-0000-0000-000000000001}", ProcessId: "4242", Image: image, CommandLine: commandLine, User: "IIS APPPOOL\\DefaultAppPool", ParentImage: parentImage, ParentCommandLine: "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap DefaultAppPool" },
  };
}

function imageLoad(host: string, time: string, imageLoaded: string): EventParts {
  return {
    system: { provider: "Microsoft-Windows-Sysmon", eventId: 7, timeCreated: time, channel: "Microsoft-Windows-Sysmon/Operational", computer: host, recordId: recordId++, opcode: 0, level: 4, version: 3, task: 7 },
    data: { UtcTime: time, ProcessId: "4242", Image: "c:\\windows\\system32\\inetsrv\\w3wp.exe", ImageLoaded: imageLoaded, Signed: "false", SignatureStatus: "Unavailable" },
  };
}

function accountCreated(host: string, time: string, user: string): EventParts {
  return {
    system: { provider: "Microsoft-Windows-Security-Auditing", eventId: 4720, timeCreated: time, channel: "Security", computer: host, recordId: recordId++, opcode: 0, level: 0, version: 0, task: 13824 },
    data: { TargetUserName: user, TargetDomainName: "WEB01", SubjectUserName: "WEB01$" },
  };
}

/** The four links on web01 from `start`, each `gapHours` after the previous. */
async function intrusion(start: Date, gapHours: number) {
  const at = (n: number) => new Date(start.getTime() + n * gapHours * HOUR).toISOString();
  await store29([{ host: "web01", time: at(0), configuration: '/system.webServer/globalModules/add[@name="WebEngine64"]', newValue: IMAGE }]);
  await store2282([{ host: "web01", time: at(1), moduleDll: IMAGE }]);
  return storeAsUpload(
    normalized(
      [
        sysmonProcess("web01", at(2), "C:\\Windows\\System32\\inetsrv\\w3wp.exe", "C:\\Windows\\System32\\cmd.exe", "cmd.exe /c whoami"),
        // Not a w3wp child: no link.
        sysmonProcess("web01", at(2), "C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\notepad.exe", "notepad.exe"),
        accountCreated("web01", at(3), "MysqlServiceEx"),
      ],
      "xml",
    ),
  );
}

const chainNotables = () => db().notable.findMany({ where: { incidentRule: CHAIN_RULE } });

beforeEach(resetDatabase);

describe("the IIS module chain per host", () => {
  it("links module added → failed to load → w3wp.exe spawning cmd.exe → account created, in order, as one notable", async () => {
    await intrusion(new Date("2026-10-01T09:00:00Z"), 1);
    const [chain] = await hostChains("web01");
    expect(chain.complete).toBe(true);
    expect(chain.links.map((l) => [l.kind, l.eventCode, l.time.toISOString()])).toEqual([
      ["module_added", 29, "2026-10-01T09:00:00.000Z"],
      ["module_load", 2282, "2026-10-01T10:00:00.000Z"],
      ["w3wp_child", 1, "2026-10-01T11:00:00.000Z"],
      ["account_change", 4720, "2026-10-01T12:00:00.000Z"],
    ]);
    expect(chain.links.map((l) => l.detail)).toEqual([
      `/system.webServer/globalModules/add[@name="WebEngine64"] = ${IMAGE}`,
      IMAGE,
      "cmd.exe /c whoami",
      "4720 WEB01\\MysqlServiceEx by WEB01$",
    ]);

    expect(await storeChainNotables()).toBe(1);
    const notables = await chainNotables();
    expect(notables).toMatchObject([
      {
        title: "IIS module chain: module added → module loaded or failed to load → w3wp.exe started a process → account changed",
        dest: "web01",
        time: new Date("2026-10-01T09:00:00Z"),
        incidentScore: 4,
        severity: "high",
        resultId: null,
      },
    ]);
    // In the queue, saying how many links; not a risk incident.
    const queue = await listNotables(notableListParams.parse({ status: "all" }), null);
    expect(queue.rows.map((r) => r.what)).toEqual(["4 links on web01"]);
    expect((await listRiskIncidents()).total).toBe(0);
  });

  it("starts from an appcmd install seen as a process, and reads Sysmon 7 loads, 4688's ParentProcessName and a group change", async () => {
    const security = (eventId: number, time: string, data: Record<string, string>): EventParts => ({
      system: { provider: "Microsoft-Windows-Security-Auditing", eventId, timeCreated: time, channel: "Security", computer: "web02", recordId: recordId++, opcode: 0, level: 0, version: 2, task: 13312 },
      data,
    });
    // Atomic Red Team T1505.004's command line; no Event 29 (the IIS configuration log is off by default).
    const appcmd = 'C:\\Windows\\System32\\inetsrv\\appcmd.exe install module /name:DefaultDocumentModule_Atomic /image:%windir%\\system32\\inetsrv\\defdoc.dll';
    await storeAsUpload(
      normalized(
        [
          security(4688, "2026-10-05T08:00:00Z", { NewProcessName: "C:\\Windows\\System32\\inetsrv\\appcmd.exe", CommandLine: appcmd, ParentProcessName: "C:\\Windows\\System32\\cmd.exe" }),
          imageLoad("web02", "2026-10-05T08:30:00Z", "C:\\Windows\\System32\\inetsrv\\static.dll"),
          imageLoad("web02", "2026-10-05T08:31:00Z", IMAGE),
          security(4688, "2026-10-05T09:00:00Z", { NewProcessName: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", CommandLine: "powershell -enc AAAA", ParentProcessName: "C:\\Windows\\System32\\inetsrv\\w3wp.exe" }),
          security(4732, "2026-10-05T09:30:00Z", { TargetUserName: "Administrators", TargetDomainName: "Builtin", SubjectUserName: "web02$" }),
        ],
        "xml",
      ),
    );
    const [chain] = await hostChains("web02");
    expect(chain.links.map((l) => [l.kind, l.eventCode, l.detail])).toEqual([
      ["module_added", 4688, appcmd],
      // w3wp.exe loading a DLL from outside %windir% (Sysmon 7); its own inetsrv DLLs are no link.
      ["module_load", 7, IMAGE],
      ["w3wp_child", 4688, "powershell -enc AAAA"],
      ["account_change", 4732, "4732 Builtin\\Administrators by web02$"],
    ]);
    expect(chain.complete).toBe(true);
    expect(await storeChainNotables()).toBe(1);
    expect((await chainNotables())[0].title).toBe("IIS module chain: module added → module loaded or failed to load → w3wp.exe started a process → account changed");
  });

  it("re-running adds no second notable", async () => {
    await intrusion(new Date("2026-10-01T09:00:00Z"), 1);
    expect(await storeChainNotables()).toBe(1);
    expect(await storeChainNotables()).toBe(0);
    expect(await chainNotables()).toHaveLength(1);
  });

  it("deleting the upload of a link takes the chain's notable away when the rest is no chain", async () => {
    const processesAndAccounts = await intrusion(new Date("2026-10-01T09:00:00Z"), 1);
    await storeChainNotables();
    expect(await chainNotables()).toHaveLength(1);
    // The w3wp child and the account change came in one upload: without them, two links remain.
    await deleteUpload(processesAndAccounts);
    expect(await chainNotables()).toHaveLength(0);
  });

  it("gives no notable when the same links are spread beyond the window", async () => {
    // 10 h apart with a 12 h window (configurable): only the failure follows the module in time, incomplete.
    await intrusion(new Date("2026-10-01T09:00:00Z"), 10);
    const [narrow] = await hostChains("web01", 12 * HOUR);
    expect(narrow).toMatchObject({ complete: false });
    expect(narrow.links.map((l) => l.kind)).toEqual(["module_added", "module_load"]);
    expect(await storeChainNotables(12 * HOUR)).toBe(0);
    // A day and an hour apart: nothing follows the module within the default 24 h.
    await resetDatabase();
    await intrusion(new Date("2026-10-01T09:00:00Z"), 25);
    expect((await hostChains("web01"))[0].links.map((l) => l.kind)).toEqual(["module_added"]);
    expect(await storeChainNotables()).toBe(0);
    expect(await chainNotables()).toHaveLength(0);
  });
});
