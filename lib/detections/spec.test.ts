import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { detectionSpecSchema, filterMacroName, messageTokens, outputFieldNames, searchName } from "./spec";
import { parseConditions, parseEscuSearch } from "./search-shape";
import { conditionSql, wildcardToLike } from "./search-sql";
import { DETECTION_SPECS, specById } from "./specs";
import { SAMPLES_DIR } from "../../tests/samples";

const SAMPLES = SAMPLES_DIR;
const V5 = path.join(SAMPLES, "sec-js+security_content@a235fbe4");
const REPO = path.resolve(import.meta.dirname, "../..");

describe("detection specs", () => {
  it("hold the two ESCU defaults, the rest of the IIS Components story, then our own Anomaly detections of 2282's family", () => {
    const userAndDest = (score: number) => [{ field: "user", type: "user", score }, { field: "dest", type: "system", score }];
    const computer = [{ field: "Computer", type: "system", score: 64 }];
    expect(DETECTION_SPECS.filter((s) => s.content.origin === "ESCU").map((s) => [s.id, s.name, s.type, s.rba.riskObjects, s.deployment.notable !== null])).toEqual([
      ["55f22929-cfd3-4388-ba5c-4d01fac7ee7e", "Windows IIS Components New Module Added", "TTP", [{ field: "dest", type: "system", score: 48 }], true],
      ["40c2ba5b-dd6a-496b-9e6e-c9524d0be167", "Windows IIS Components Module Failed to Load", "Anomaly", [{ field: "dest", type: "system", score: 25 }], false],
      ["38fe731c-1f13-43d4-b878-a5bbe44807e3", "Windows IIS Components Add New Module", "Anomaly", userAndDest(64), false],
      ["23fb6787-255f-4d5b-9a66-9fd7504032b5", "Windows Disable Windows Event Logging Disable HTTP Logging", "TTP", userAndDest(64), true],
      ["7c025ef0-9e65-4c57-be39-1c13dbb1613e", "Windows Server Software Component GACUtil Install to GAC", "TTP", userAndDest(49), true],
      ["33fc9f6f-0ce7-4696-924e-a69ec61a3d57", "Windows PowerShell IIS Components WebGlobalModule Usage", "Anomaly", computer, false],
      ["3fc16961-97e5-4a5b-a079-e4ab0d9763eb", "Windows PowerShell Add Module to Global Assembly Cache", "TTP", computer, true],
      ["27958de0-2857-43ca-9d4c-b255cf59dcab", "Windows PowerShell Disable HTTP Logging", "TTP", computer, true],
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

  for (const file of [
    "windows_iis_components_add_new_module",
    "windows_disable_windows_event_logging_disable_http_logging",
    "windows_server_software_component_gacutil_install_to_gac",
    "windows_powershell_iis_components_webglobalmodule_usage",
    "windows_powershell_add_module_to_global_assembly_cache",
    "windows_powershell_disable_http_logging",
  ]) {
    it(`carries ${file}.yml verbatim and runs its search`, () => {
      const published = fs.readFileSync(path.join(V5, "detections/endpoint", `${file}.yml`), "utf8");
      const spec = DETECTION_SPECS.find((s) => s.content.detectionFile.endsWith(`/${file}.yml`))!;
      expect(fs.readFileSync(path.join(REPO, spec.content.detectionFile), "utf8")).toBe(published);
      const yaml = parseYaml(published);
      expect(spec).toMatchObject({ id: yaml.id, version: yaml.version, search: yaml.search, rba: { message: yaml.rba.message, riskObjects: yaml.rba.risk_objects } });
      expect(spec.content.test).toMatch(/^lib\/detections\/(process|script-block)-detections\.db\.test\.ts$/);
    });
  }

  it("read the tstats searches over Endpoint.Processes with their IN lists, wildcards and NOT", () => {
    expect(specById("38fe731c-1f13-43d4-b878-a5bbe44807e3")!.structuredSearch).toMatchObject({
      macro: null,
      tstats: { datamodel: "Endpoint.Processes", macro: { name: "security_content_summariesonly" }, fillnullValue: "null" },
      where: [{ field: "Processes.process_name", value: "appcmd.exe" }],
      condition: {
        all: [
          { not: { field: "Processes.parent_process_name", values: ["msiexec.exe", "iissetup.exe"] } },
          { field: "Processes.process", values: ["*install *", "*module *"] },
          { field: "Processes.process", values: ["*image*"] },
        ],
      },
      stats: {
        by: [
          "Processes.dest",
          "Processes.user",
          "Processes.parent_process_name",
          "Processes.process_name",
          "Processes.original_file_name",
          "Processes.process",
          "Processes.process_id",
          "Processes.parent_process_id",
        ],
      },
    });
    // drop_dm_object_name(Processes): every by-field loses its prefix.
    const addNewModule = specById("38fe731c-1f13-43d4-b878-a5bbe44807e3")!.structuredSearch;
    expect(addNewModule.rename).toEqual(addNewModule.stats.by.map((f) => ({ from: f, to: f.replace(/^Processes\./, "") })));
    expect(outputFieldNames(specById("7c025ef0-9e65-4c57-be39-1c13dbb1613e")!.structuredSearch)).toEqual([
      "dest", "user", "parent_process_name", "process_name", "process", "process_id", "parent_process_id", "count", "firstTime", "lastTime",
    ]);
    expect(specById("27958de0-2857-43ca-9d4c-b255cf59dcab")!.structuredSearch).toMatchObject({
      macro: { name: "powershell" },
      where: [{ field: "EventCode", value: "4104" }],
      condition: {
        all: [
          { field: "ScriptBlockText", values: ["*get-WebConfigurationProperty*", "*Set-ItemProperty*"] },
          { field: "ScriptBlockText", values: ["*httpLogging*", "*Logfile.enabled*"] },
          { field: "ScriptBlockText", values: ["*dontLog*", "*false*"] },
        ],
      },
      stats: { by: ["EventCode", "ScriptBlockText", "Computer", "user_id"] },
    });
  });

  it("copy ES's default deployments and the macros verbatim", () => {
    const copies = [
      ...["ttp", "anomaly", "hunting"].map((t) => [`escu/deployments/escu_default_configuration_${t}.yml`, `splunk+security_content@b13b314a/deployments/escu_default_configuration_${t}.yml`]),
      ...["iis_operational_logs", "wineventlog_application"].map((m) => [`escu/macros/${m}.yml`, `sec-js+security_content@a235fbe4/macros/${m}.yml`]),
      ...["security_content_ctime", "powershell", "security_content_summariesonly"].map((m) => [`escu/macros/${m}.yml`, `splunk+security_content@b13b314a/macros/${m}.yml`]),
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
      const macro = spec.structuredSearch.macro ?? spec.structuredSearch.tstats!.macro;
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
    expect(() => parseEscuSearch("`m` EventCode!=1 | `x_filter`")).toThrow(/not supported/);
    expect(() => parseEscuSearch("`m` x IN (\"a\" | `x_filter`")).toThrow();
    expect(() => parseEscuSearch("| tstats count from datamodel=Endpoint.Processes by Processes.dest")).toThrow(/unrecognised tstats/);
  });

  it("compiles wildcards to LIKE patterns that take LIKE's own specials literally, and NOT to hold for a missing field", () => {
    expect(wildcardToLike("*50%_off\\*")).toBe("%50\\%\\_off\\\\%");
    expect(conditionSql({ not: { field: "ScriptBlockText", values: ["*a*", "b"] } })).toBe(
      "(NOT coalesce(((e.data ->> 'ScriptBlockText') ILIKE '%a%' OR lower((e.data ->> 'ScriptBlockText')) = lower('b')), false))",
    );
  });

  it("reads conditions with Splunk's precedence: NOT, then OR, then AND", () => {
    expect(parseConditions('a=1 b=2 OR c="x y" NOT d IN ("*p*", q)')).toEqual({
      all: [{ field: "a", values: ["1"] }, { any: [{ field: "b", values: ["2"] }, { field: "c", values: ["x y"] }] }, { not: { field: "d", values: ["*p*", "q"] } }],
    });
    expect(parseConditions('NOT (a=1 AND b=2) c="say \\"hi\\""')).toEqual({ all: [{ not: { all: [{ field: "a", values: ["1"] }, { field: "b", values: ["2"] }] } }, { field: "c", values: ['say "hi"'] }] });
  });
});
