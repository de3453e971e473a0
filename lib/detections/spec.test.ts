import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { detectionSpecSchema, filterMacroName, messageTokens, outputFieldNames, searchName } from "./spec";
import { parseEscuSearch } from "./search-shape";
import { DETECTION_SPECS, specById } from "./specs";
import { SAMPLES_DIR } from "../../tests/samples";

const SAMPLES = SAMPLES_DIR;
const V5 = path.join(SAMPLES, "sec-js+security_content@a235fbe4");
const REPO = path.resolve(import.meta.dirname, "../..");

describe("detection specs", () => {
  it("hold the two ESCU defaults, then our own Anomaly detections of 2282's family", () => {
    expect(DETECTION_SPECS.filter((s) => s.content.origin === "ESCU").map((s) => [s.id, s.name, s.type, s.rba.riskObjects, s.deployment.notable !== null])).toEqual([
      ["55f22929-cfd3-4388-ba5c-4d01fac7ee7e", "Windows IIS Components New Module Added", "TTP", [{ field: "dest", type: "system", score: 48 }], true],
      ["40c2ba5b-dd6a-496b-9e6e-c9524d0be167", "Windows IIS Components Module Failed to Load", "Anomaly", [{ field: "dest", type: "system", score: 25 }], false],
    ]);
    const local = DETECTION_SPECS.filter((s) => s.content.origin === "local");
    expect(local.map((s) => s.structuredSearch.where[0].value)).toEqual(["2293", "2295", "2296", "2298", "2214", "2220"]);
    for (const spec of local) {
      expect(spec).toMatchObject({ type: "Anomaly", author: "IIS Module Watch", deployment: { notable: null, rba: { enabled: true } } });
      expect(spec.content.detectionFile).toMatch(/^lib\/detections\/content\/local\/detections\//);
    }
    for (const spec of DETECTION_SPECS) {
      expect(spec.deployment).toMatchObject({ cron: "0 * * * *", earliest: "-70m@m", latest: "-10m@m" });
    }
  });

  for (const [file, id] of [
    ["windows_iis_components_new_module_added", "55f22929-cfd3-4388-ba5c-4d01fac7ee7e"],
    ["windows_iis_components_module_failed_to_load", "40c2ba5b-dd6a-496b-9e6e-c9524d0be167"],
  ] as const) {
    it(`carries ${file}.yml verbatim`, () => {
      const spec = specById(id)!;
      const published = fs.readFileSync(path.join(V5, "detections/endpoint", `${file}.yml`), "utf8");
      // The repository's copy is the published file, byte for byte, and the spec is what it says.
      expect(fs.readFileSync(path.join(REPO, spec.content.detectionFile), "utf8")).toBe(published);
      const yaml = parseYaml(published);
      expect(spec).toMatchObject({
        id: yaml.id,
        name: yaml.name,
        version: yaml.version,
        date: yaml.date,
        type: yaml.type,
        author: yaml.author,
        search: yaml.search,
        description: yaml.description,
        howToImplement: yaml.how_to_implement,
        knownFalsePositives: yaml.known_false_positives,
        references: yaml.references,
        dataSource: yaml.data_source,
        rba: { message: yaml.rba.message, riskObjects: yaml.rba.risk_objects, threatObjects: [] },
        content: { origin: "ESCU", sidecarFile: `lib/detections/content/sidecars/${file}.yml`, test: "lib/detections/engine.db.test.ts" },
      });
      expect(spec.drilldownSearches).toEqual(
        yaml.drilldown_searches.map((d: Record<string, string>) => ({ name: d.name, search: d.search, earliestOffset: d.earliest_offset, latestOffset: d.latest_offset })),
      );
      // The YAML's techniques, and the sidecar's T1505 beside them.
      expect(spec.tags.mitreAttackId).toEqual(["T1505", ...yaml.tags.mitre_attack_id]);
    });
  }

  it("copy ES's default deployments and the macros verbatim", () => {
    const copies = [
      ...["ttp", "anomaly", "hunting"].map((t) => [`escu/deployments/escu_default_configuration_${t}.yml`, `splunk+security_content@b13b314a/deployments/escu_default_configuration_${t}.yml`]),
      ...["iis_operational_logs", "wineventlog_application"].map((m) => [`escu/macros/${m}.yml`, `sec-js+security_content@a235fbe4/macros/${m}.yml`]),
      ["escu/macros/security_content_ctime.yml", "splunk+security_content@b13b314a/macros/security_content_ctime.yml"],
    ];
    for (const [copy, published] of copies) {
      expect(fs.readFileSync(path.join(REPO, "lib/detections/content", copy), "utf8")).toBe(fs.readFileSync(path.join(SAMPLES, published), "utf8"));
    }
  });

  it("run exactly the search their SPL says", () => {
    expect(specById("55f22929-cfd3-4388-ba5c-4d01fac7ee7e")!.structuredSearch).toMatchObject({
      macro: { name: "iis_operational_logs", definition: 'sourcetype="IIS:Configuration:Operational"' },
      where: [{ field: "EventCode", value: "29" }],
      stats: { by: ["OpCode", "EventCode", "ComputerName", "Message"] },
      rename: [{ from: "ComputerName", to: "dest" }],
      ctime: { fields: ["firstTime", "lastTime"], timeformat: "%Y-%m-%dT%H:%M:%S" },
      filterMacro: "windows_iis_components_new_module_added_filter",
    });
    expect(specById("40c2ba5b-dd6a-496b-9e6e-c9524d0be167")!.structuredSearch).toMatchObject({
      macro: { name: "wineventlog_application" },
      where: [{ field: "EventCode", value: "2282" }],
      stats: { by: ["EventCode", "dest", "Name", "ModuleDll"] },
      rename: [],
    });
  });

  it("expand each macro from its real definition", () => {
    // A Sigma rule's logsource is no ESCU macro: sigma.test.ts covers its mapping.
    for (const spec of DETECTION_SPECS.filter((s) => !s.sigma)) {
      const { macro } = spec.structuredSearch;
      const file = path.join(SAMPLES, "splunk+security_content@b13b314a/macros", `${macro.name}.yml`);
      expect(fs.readFileSync(file, "utf8")).toContain(`definition: ${macro.definition}`);
    }
  });

  it("name the result fields, filter macro and search as ES does", () => {
    const spec = specById("55f22929-cfd3-4388-ba5c-4d01fac7ee7e")!;
    expect(outputFieldNames(spec.structuredSearch)).toEqual(["OpCode", "EventCode", "dest", "Message", "count", "firstTime", "lastTime"]);
    expect(filterMacroName(spec.name)).toBe("windows_iis_components_new_module_added_filter");
    expect(searchName(spec)).toBe("ESCU - Windows IIS Components New Module Added - Rule");
    expect(messageTokens("on $dest$ by $user$ ($dest$)")).toEqual(["dest", "user"]);
  });

  it("are rejected when inconsistent", () => {
    const spec = DETECTION_SPECS[0];
    expect(() => detectionSpecSchema.parse({ ...spec, deployment: { ...spec.deployment, notable: null } })).toThrow(/TTP detections create notables/);
    expect(() => detectionSpecSchema.parse({ ...spec, rba: { ...spec.rba, message: "on $ComputerName$" } })).toThrow(/not a result field/);
    expect(() => detectionSpecSchema.parse({ ...spec, rba: { ...spec.rba, riskObjects: [{ field: "dest", type: "system", score: 0 }] } })).toThrow();
    expect(() => detectionSpecSchema.parse({ ...spec, structuredSearch: { ...spec.structuredSearch, filterMacro: "x_filter" } })).toThrow(/contentctl/);
  });
});

describe("parseEscuSearch", () => {
  it("refuses what it does not understand", () => {
    expect(() => parseEscuSearch("`m` EventCode=1 | eval x=1")).toThrow(/unrecognised search stage/);
  });
});
