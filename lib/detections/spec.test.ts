import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { detectionSpecSchema, filterMacroName, messageTokens, outputFieldNames, searchName } from "./spec";
import { parseEscuSearch } from "../../tests/support/escu-search-shape";
import { DETECTION_SPECS, specById } from "./specs";
import { SAMPLES_DIR } from "../../tests/samples";

const SAMPLES = SAMPLES_DIR;
const V5 = path.join(SAMPLES, "sec-js+security_content@a235fbe4");
const yamlFile = (name: string) => path.join(V5, "detections/endpoint", `${name}.yml`);

/**
 * A top-level scalar of an ESCU YAML file, with YAML's line folding undone (single-quoted or plain scalars that
 * continue on indented lines). Enough for these files; not a YAML parser.
 */
function yamlScalar(text: string, key: string): string {
  const m = new RegExp(`^${key}: ?(.*(?:\\n {2,}.*)*)`, "m").exec(text);
  if (!m) throw new Error(`no ${key}`);
  let value = m[1].split("\n").map((l) => l.trim()).join(" ").trim();
  if (value.startsWith("'")) value = value.slice(1, -1).replaceAll("''", "'");
  return value;
}

function yamlList(text: string, key: string): string[] {
  const m = new RegExp(`^${key}:\\n((?:- .*\\n)+)`, "m").exec(text);
  if (!m) throw new Error(`no list ${key}`);
  return m[1].trim().split("\n").map((l) => l.replace(/^- /, "").trim());
}

describe("detection specs", () => {
  it("hold the two ESCU defaults", () => {
    expect(DETECTION_SPECS.map((s) => [s.id, s.name, s.type, s.rba.riskObjects, s.deployment.notable !== null])).toEqual([
      ["55f22929-cfd3-4388-ba5c-4d01fac7ee7e", "Windows IIS Components New Module Added", "TTP", [{ field: "dest", type: "system", score: 48 }], true],
      ["40c2ba5b-dd6a-496b-9e6e-c9524d0be167", "Windows IIS Components Module Failed to Load", "Anomaly", [{ field: "dest", type: "system", score: 25 }], false],
    ]);
    for (const spec of DETECTION_SPECS) {
      expect(spec.deployment).toMatchObject({ cron: "0 * * * *", earliest: "-70m@m", latest: "-10m@m" });
    }
  });

  for (const [file, id] of [
    ["windows_iis_components_new_module_added", "55f22929-cfd3-4388-ba5c-4d01fac7ee7e"],
    ["windows_iis_components_module_failed_to_load", "40c2ba5b-dd6a-496b-9e6e-c9524d0be167"],
  ] as const) {
    it(`carries ${file}.yml verbatim`, () => {
      const yaml = fs.readFileSync(yamlFile(file), "utf8");
      const spec = specById(id)!;
      expect(spec.id).toBe(yamlScalar(yaml, "id"));
      expect(spec.name).toBe(yamlScalar(yaml, "name"));
      expect(String(spec.version)).toBe(yamlScalar(yaml, "version"));
      expect(spec.type).toBe(yamlScalar(yaml, "type"));
      expect(spec.author).toBe(yamlScalar(yaml, "author"));
      expect(spec.search).toBe(yamlScalar(yaml, "search"));
      expect(spec.description).toBe(yamlScalar(yaml, "description"));
      expect(spec.howToImplement).toBe(yamlScalar(yaml, "how_to_implement"));
      expect(spec.knownFalsePositives).toBe(yamlScalar(yaml, "known_false_positives"));
      expect(spec.references).toEqual(yamlList(yaml, "references"));
      expect(spec.dataSource).toEqual(yamlList(yaml, "data_source"));
      expect(yaml).toContain(`  message: ${spec.rba.message}`);
      expect(yaml).toContain(`    score: ${spec.rba.riskObjects[0].score}`);
      for (const d of spec.drilldownSearches) {
        expect(yaml.replace(/\n\s+/g, " ")).toContain(`search: '${d.search.replaceAll("'", "''")}'`);
      }
    });
  }

  it("run exactly the search their SPL says (structured form agrees with the verbatim text)", () => {
    for (const spec of DETECTION_SPECS) {
      const shape = parseEscuSearch(spec.search);
      const s = spec.structuredSearch;
      expect(shape).toEqual({
        macro: s.macro.name,
        where: s.where,
        statsBy: s.stats.by,
        rename: s.rename,
        ctime: s.ctime.fields,
        filterMacro: s.filterMacro,
      });
    }
  });

  it("expand each macro from its real definition", () => {
    for (const spec of DETECTION_SPECS) {
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
