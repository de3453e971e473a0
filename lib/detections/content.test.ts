// Detections are upstream data: the loader reads any ESCU version of a detection's YAML, so upgrading (or
// downgrading) one is replacing its YAML, and what it yields is checked against what that version says.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSidecar, sidecarSchema, specFromYaml } from "./content";
import { riskContext, riskMessage, scoredRisk } from "./rba";
import { DETECTION_SPECS, specById } from "./specs";
import { SAMPLES_DIR } from "../../tests/samples";

const REPO = path.resolve(import.meta.dirname, "../..");
const published = (version: string, file: string) => path.join(SAMPLES_DIR, version, "detections/endpoint", file);
const FAILED_TO_LOAD = "windows_iis_components_module_failed_to_load";
const NEW_MODULE = "windows_iis_components_new_module_added";

/** The spec a given version of the detection's YAML gives, through the same loader and the detection's own sidecar. */
function specOfVersion(version: string, name: string) {
  const file = published(version, `${name}.yml`);
  return specFromYaml({ ...readSidecar(name), detectionYaml: fs.readFileSync(file, "utf8"), detectionFile: path.relative(REPO, file) });
}

describe("upgrading a detection is replacing its YAML", () => {
  it("reads the tags-era v3 of Module Failed to Load: risk from impact x confidence / 100", () => {
    const v3 = specOfVersion("splunk+security_content@b13b314a", FAILED_TO_LOAD);
    const v5 = specById("40c2ba5b-dd6a-496b-9e6e-c9524d0be167")!;
    expect(v3).toMatchObject({ id: v5.id, name: v5.name, version: 3, date: "2024-09-30", type: "Anomaly" });
    // v3 has no rba block: impact 50 x confidence 50 / 100 on its Victim observable dest (a Hostname).
    expect(v3.rba).toEqual({ message: "A new IIS Module has been loaded and should be reviewed on $dest$.", riskObjects: [{ field: "dest", type: "system", score: 25 }], threatObjects: [] });
    expect(v3.tags.mitreAttackId).toEqual(["T1505", "T1505.004"]);
    // v3's drilldowns are its own (no quotes around $dest$).
    expect(v3.drilldownSearches[0]).toMatchObject({ name: "View the detection results for $dest$", search: "%original_detection_search% | search  dest = $dest$" });
    expect(v3.structuredSearch).toEqual(v5.structuredSearch);
    expect(v3.deployment).toEqual(v5.deployment);
    expect(v3.provenance).toMatch(/^ESCU tests\/fixtures\/samples\/splunk\+security_content@b13b314a\/.*\.yml v3 \(2024-09-30\)\. /);
  });

  it("reads the tags-era v3 of New Module Added: impact 60 x confidence 80 / 100 = 48, a medium notable", () => {
    const v3 = specOfVersion("splunk+security_content@b13b314a", NEW_MODULE);
    expect(v3.version).toBe(3);
    expect(v3.rba.riskObjects).toEqual([{ field: "dest", type: "system", score: 48 }]);
    expect(scoredRisk(v3, null)).toEqual({ riskObjects: v3.rba.riskObjects, riskScore: 48, severity: "medium" });
    expect(v3.deployment.notable).toEqual({ ruleTitle: "%name%", ruleDescription: "%description%", nesFields: ["user", "dest"] });
  });

  it("reads v8 of 2026 (a multi-line search, score 20): same search, lower score", () => {
    const v8 = specOfVersion("splunk+security_content@newer", FAILED_TO_LOAD);
    const v5 = specById("40c2ba5b-dd6a-496b-9e6e-c9524d0be167")!;
    expect(v8).toMatchObject({ version: 8, date: "2026-03-10" });
    expect(v8.search).toContain("\n");
    expect(v8.structuredSearch).toEqual(v5.structuredSearch);
    expect(v8.rba.riskObjects).toEqual([{ field: "dest", type: "system", score: 20 }]);
    expect(scoredRisk(v8, null)).toMatchObject({ riskScore: 20, severity: null });
  });

  it("refuses a YAML whose search the engine cannot run, rather than running something else", () => {
    const text = fs.readFileSync(published("sec-js+security_content@a235fbe4", `${FAILED_TO_LOAD}.yml`), "utf8");
    const load = (yaml: string) => specFromYaml({ ...readSidecar(FAILED_TO_LOAD), detectionYaml: yaml, detectionFile: "x.yml" });
    expect(() => load(text.replace("`wineventlog_application`", "`sysmon`"))).toThrow(/macro sysmon/);
    expect(() => load(text.replace("| stats ", "| eval x=1 | stats "))).toThrow(/unrecognised search stage/);
    expect(() => load(text.replace(/^rba:\n(?: .*\n)+/m, ""))).toThrow(/neither an rba block nor tags impact/);
    expect(() => load(text.replace("score: 25", "score: 0"))).toThrow();
  });
});

describe("sidecars", () => {
  it("each point to a test that exists, and say nothing they should not", () => {
    for (const spec of DETECTION_SPECS) {
      expect(fs.existsSync(path.join(REPO, spec.content.test)), spec.content.test).toBe(true);
      expect(fs.existsSync(path.join(REPO, spec.content.sidecarFile))).toBe(true);
    }
    const { sidecar } = readSidecar(NEW_MODULE);
    expect(() => sidecarSchema.parse({ ...sidecar, search: "`x` | stats count by dest" })).toThrow();
  });
});

describe("risk, computed in one place (rba.ts)", () => {
  const spec = specById("55f22929-cfd3-4388-ba5c-4d01fac7ee7e")!;

  it("scores and grades with an admin's override", () => {
    expect(scoredRisk(spec, null)).toMatchObject({ riskScore: 48, severity: "medium" });
    expect(scoredRisk(spec, 90)).toEqual({ riskObjects: [{ field: "dest", type: "system", score: 90 }], riskScore: 90, severity: "critical" });
  });

  it("annotates as contentctl does: CIS 10, NIST by type, kill chain from the tactics", () => {
    expect(riskContext(spec).annotations).toMatchObject({ cis20: ["CIS 10"], nist: ["DE.CM"], kill_chain_phases: ["Installation"], mitre_attack_tactics: ["Persistence"] });
    expect(riskContext(specById("40c2ba5b-dd6a-496b-9e6e-c9524d0be167")!).annotations).toMatchObject({ nist: ["DE.AE"], type: "Anomaly" });
  });

  it("writes the risk message from the result's fields", () => {
    expect(riskMessage(spec.rba.message, { dest: "WEB01" })).toBe("A new IIS Module has been loaded and should be reviewed on WEB01.");
    expect(riskMessage("on $dest$ by $user$", { dest: "WEB01" })).toBe("on WEB01 by ");
  });
});
