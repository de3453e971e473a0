// Coverage per detection (the catalogue page): how many hosts have events each detection reads, against the hosts
// that run IIS. A fleet whose IIS configuration log is on for one server only, and a domain controller.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { normalized, storeAsUpload, store2282, store29, storeW3svcWp } from "../../tests/support/iis-events";
import { uploadGolden } from "../../tests/support/process-events";
import { detectionCoverage } from "./coverage";
import { DETECTION_SPECS } from "./specs";

const NEW_MODULE = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";
const byName = (name: string) => DETECTION_SPECS.find((s) => s.name === name)!.id;

beforeEach(resetDatabase);

describe("detection coverage", () => {
  it("counts the hosts whose logs can feed each detection, and the IIS hosts", async () => {
    await store29([{ host: "web01", time: "2026-03-02T10:00:00Z", configuration: '/system.webServer/globalModules/add[@name="X"]' }]);
    await store2282([
      { host: "web01", time: "2026-03-02T10:01:00Z" },
      { host: "WEB02", time: "2026-03-02T10:02:00Z" },
    ]);
    // In classic text: the same Application log exported another way still feeds the detection.
    await storeW3svcWp([{ host: "web03", time: "2026-03-02T10:03:00Z", eventId: 2214, strings: ["C:\\f\\filter.dll"], error: 2 }], "classic");
    // A domain controller: no IIS, feeds nothing.
    const logon = { system: { provider: "Microsoft-Windows-Security-Auditing", eventId: 4624, timeCreated: "2026-03-02T10:04:00Z", channel: "Security", computer: "dc01", recordId: 9 }, data: {} };
    await storeAsUpload(normalized([logon], "xml"));
    // Process creation on web02 (Sysmon 1, any process): it feeds the Endpoint.Processes detections, whatever it ran.
    await uploadGolden(
      [{ kind: "sysmon1", host: "WEB02", time: "2026-03-02T10:05:00Z", recordId: 1, image: "C:\\Windows\\System32\\whoami.exe", commandLine: "whoami", parentImage: "C:\\Windows\\System32\\cmd.exe", parentCommandLine: "cmd.exe", processId: 10, parentProcessId: 9, user: "CONTOSO\\web", originalFileName: "whoami.exe" }],
      "splunk-xml",
    );

    const coverage = await detectionCoverage(DETECTION_SPECS);
    expect(coverage).toMatchObject({ hosts: 4, iisHosts: 3 });
    const processCreation = ["Windows IIS Components Add New Module", "Windows Disable Windows Event Logging Disable HTTP Logging", "Windows Server Software Component GACUtil Install to GAC"];
    expect(Object.fromEntries(coverage.hostsFed)).toEqual({
      [NEW_MODULE]: 1,
      [FAILED_TO_LOAD]: 2,
      [byName("Windows IIS HTTP Filter DLL Failed to Load")]: 1,
      [byName("Windows IIS ISAPI Application Failed to Load")]: 0,
      [byName("Windows IIS Module Registration Failed")]: 0,
      [byName("Windows IIS Module Missing RegisterModule Entrypoint")]: 0,
      [byName("Windows IIS Module Invalid Precondition")]: 0,
      [byName("Windows IIS Global Modules List Empty")]: 0,
      ...Object.fromEntries(processCreation.map((name) => [byName(name), 1])),
      // No PowerShell/Operational log anywhere: the 4104 detections cannot be fed.
      ...Object.fromEntries(DETECTION_SPECS.filter((s) => s.structuredSearch.macro?.name === "powershell").map((s) => [s.id, 0])),
      // Sigma's rules: those on Event 29's channel are fed by web01, the process_creation ones by web02's Sysmon 1 (dc01's
      // 4624 is on the Security log, but is no process start).
      ...Object.fromEntries(DETECTION_SPECS.filter((s) => s.sigma).map((s) => [s.id, 1])),
    });
  });

  it("reads an empty store as no host at all", async () => {
    const coverage = await detectionCoverage(DETECTION_SPECS);
    expect(coverage).toMatchObject({ hosts: 0, iisHosts: 0 });
    expect([...coverage.hostsFed.values()]).toEqual(DETECTION_SPECS.map(() => 0));
  });
});
