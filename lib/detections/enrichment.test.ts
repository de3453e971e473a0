import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CHANGE_KEYS,
  classifyCommand,
  classifyConfigurationChange,
  CONFIGURATION_CHANGE_KINDS,
  describeModuleLoadFailure,
  enrich,
  ENRICHMENT_KEYS,
  FAILURE_KEYS,
  FINDING_KEYS,
  FINDING_KINDS,
  MAX_EVENT_IDS_IN_ENRICHMENT,
  win32ErrorFromBinary,
  type EnrichmentKind,
  type EventDetail,
} from "./enrichment";
import { parseDetectionSpec } from "./spec";
import { DETECTION_SPECS } from "./specs";

describe("Event 29 classification", () => {
  it("recognises a module added server-wide with its image", () => {
    expect(
      classifyConfigurationChange({ Configuration: '/system.webServer/globalModules/add[@name="Backdoor"]', EditOperationType: "1", NewValue: "C:\\inetpub\\bd.dll" }),
    ).toMatchObject({ kind: "module_added", scope: "globalModules", module: "Backdoor", image: "C:\\inetpub\\bd.dll", operation: "add" });
  });

  it("takes the image from an @image attribute change and the name from an @name one", () => {
    expect(classifyConfigurationChange({ Configuration: '/system.webServer/globalModules/add[@name="X"]/@image', NewValue: "%windir%\\x.dll" })).toMatchObject({
      module: "X",
      image: "%windir%\\x.dll",
    });
    expect(classifyConfigurationChange({ Configuration: "/system.webServer/modules/add/@name", NewValue: "RGDoor" })).toMatchObject({
      kind: "module_added",
      scope: "modules",
      module: "RGDoor",
    });
  });

  it("recognises removals, HTTP logging disabled, and everything else", () => {
    expect(classifyConfigurationChange({ Configuration: '/system.webServer/modules/remove[@name="HttpLoggingModule"]' })).toMatchObject({
      kind: "module_removed",
      module: "HttpLoggingModule",
    });
    expect(classifyConfigurationChange({ Configuration: '/system.webServer/modules/add[@name="Y"]', EditOperationType: "2" }).kind).toBe("module_removed");
    expect(classifyConfigurationChange({ Configuration: "/system.webServer/httpLogging/@dontLog", NewValue: "True", EditOperationType: "3" })).toMatchObject({
      kind: "http_logging_disabled",
      operation: "modify",
    });
    expect(classifyConfigurationChange({ Configuration: "/system.webServer/httpLogging/@dontLog", NewValue: "false" }).kind).toBe("other_configuration_change");
    expect(classifyConfigurationChange({ Configuration: '/system.web/customErrors/error[@statusCode="404"]', EditOperationType: "1" })).toMatchObject({
      kind: "other_configuration_change",
      operation: "add",
      oldValue: null,
      newValue: null,
    });
  });
});

describe("Event 2282", () => {
  it("decodes the Win32 error from the binary data", () => {
    expect(win32ErrorFromBinary("C1000000")).toBe(193);
    expect(win32ErrorFromBinary("")).toBeUndefined();
    expect(describeModuleLoadFailure({ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64", Binary: "C1000000" })).toEqual({
      moduleDll: "c:\\temp\\msf.dll",
      processorArchitecture: "AMD64",
      errorCode: 193,
      errorName: "ERROR_BAD_EXE_FORMAT",
    });
  });
});

describe("enrich", () => {
  it("lists distinct changes and the contributing events, truncating long id lists", () => {
    const ids = Array.from({ length: MAX_EVENT_IDS_IN_ENRICHMENT + 5 }, (_, i) => i + 1);
    const e = enrich("iis-configuration-change", [{ Configuration: "/a" }, { Configuration: "/a" }], ids);
    expect(e).toMatchObject({ eventCount: 105, eventIdsTruncated: true });
    expect(e.eventIds).toHaveLength(MAX_EVENT_IDS_IN_ENRICHMENT);
    expect(e.kind === "iis-configuration-change" && e.changes).toHaveLength(1);
  });
});

describe("findings: what a result means, most serious first", () => {
  const add = (scope: string, name: string, attr = "", value = "") => ({
    Configuration: `/system.webServer/${scope}/add[@name="${name}"]${attr}`,
    EditOperationType: "1",
    NewValue: value,
  });

  it("names the module installed with its image and where, and counts the others", () => {
    const e = enrich("iis-configuration-change", [add("globalModules", "IsapiCache", "/@image", "C:\\Windows\\Temp\\cache.dll"), add("modules", "IsapiCache"), add("modules", "Other")], [1, 2, 3]);
    expect(e.finding).toEqual({ kind: "module_added", rank: 4, text: "Module IsapiCache (C:\\Windows\\Temp\\cache.dll) added to globalModules and modules, and 1 more module" });
  });

  it("a DLL failing to load, with its architecture and Win32 error", () => {
    const e = enrich("iis-module-load-failure", [{ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64", Binary: "C1000000" }], [1]);
    expect(e.finding).toEqual({ kind: "module_load_failure", rank: 3, text: "DLL c:\\temp\\msf.dll failed to load (AMD64, ERROR_BAD_EXE_FORMAT)" });
  });

  it("no DLL named (2298: the globalModules list is empty): says modules failed, not a DLL called '(unnamed)'", () => {
    const e = enrich("iis-module-load-failure", [{ Binary: null }], [1]);
    expect(e.finding).toEqual({ kind: "module_load_failure", rank: 3, text: "IIS modules failed to load" });
  });

  it("HTTP logging disabled outranks a module removed, which outranks another change", () => {
    const logging = { Configuration: "/system.webServer/httpLogging/@dontLog", EditOperationType: "3", NewValue: "true" };
    const removed = { Configuration: '/system.webServer/modules/remove[@name="Old"]', EditOperationType: "1" };
    const other = { Configuration: "/system.web/customErrors/@mode", EditOperationType: "3", NewValue: "Off" };
    expect(enrich("iis-configuration-change", [other, removed, logging], [1, 2, 3]).finding).toEqual({ kind: "http_logging_disabled", rank: 3, text: "HTTP logging disabled" });
    expect(enrich("iis-configuration-change", [other, removed], [1, 2]).finding).toEqual({ kind: "module_removed", rank: 2, text: "Module Old removed" });
    expect(enrich("iis-configuration-change", [other], [1]).finding).toEqual({ kind: "other_configuration_change", rank: 1, text: "Configuration change to /system.web/customErrors/@mode" });
    expect(FINDING_KINDS.module_added.rank).toBeGreaterThan(FINDING_KINDS.module_load_failure.rank);
  });
});

describe("classifyCommand (process command lines and PowerShell script blocks)", () => {
  it("reads the module an appcmd install or New-WebGlobalModule installs (Atomic T1505.004, DoorMe, IIS-Raid)", () => {
    const atomic = "%windir%\\system32\\inetsrv\\appcmd.exe install module /name:DefaultDocumentModule_Atomic /image:%windir%\\system32\\inetsrv\\defdoc.dll";
    expect(classifyCommand({ command: atomic })).toMatchObject({ kind: "module_installed", module: "DefaultDocumentModule_Atomic", image: "%windir%\\system32\\inetsrv\\defdoc.dll" });
    const raid = 'APPCMD.EXE install module /name:IIS-Raid /image:"%windir%\\System32\\inetsrv\\IIS-Backdoor.dll" /add:true';
    expect(classifyCommand({ command: raid })).toMatchObject({ module: "IIS-Raid", image: "%windir%\\System32\\inetsrv\\IIS-Backdoor.dll" });
    const cmdlet = "New-WebGlobalModule -Name DefaultDocumentModule_Atomic -Image %windir%\\system32\\inetsrv\\defdoc.dll";
    const e = enrich("iis-command", [{ command: cmdlet }], [7]);
    expect(e.finding).toEqual({ kind: "module_added", rank: 4, text: "Module DefaultDocumentModule_Atomic (%windir%\\system32\\inetsrv\\defdoc.dll) installed" });
  });

  it("tells HTTP logging turned off and assemblies put in the GAC", () => {
    expect(classifyCommand({ command: "appcmd.exe set config /section:httplogging /dontLog:true" }).kind).toBe("http_logging_disabled");
    expect(classifyCommand({ command: "Set-ItemProperty 'IIS:\\Sites\\Default Web Site' -Name logFile.enabled -Value false" }).kind).toBe("http_logging_disabled");
    expect(classifyCommand({ command: "gacutil.exe /i C:\\inetpub\\bin\\x.dll" }).kind).toBe("assembly_added_to_gac");
    expect(enrich("iis-command", [{ command: "[System.EnterpriseServices.Internal.Publish]::new().GacInstall('x.dll')" }], [1]).finding.kind).toBe("assembly_added_to_gac");
    expect(classifyCommand({ command: "x".repeat(400) }).text).toHaveLength(301);
  });
});

describe("process starts (Sigma's process_creation rules)", () => {
  const W3WP = "c:\\windows\\system32\\inetsrv\\w3wp.exe";
  it("reads Sysmon's and 4688's names, and says which module a command line installs", () => {
    const sysmon = { Image: "C:\\Windows\\System32\\inetsrv\\appcmd.exe", CommandLine: "appcmd.exe install module /name:Evil /image:\"C:\\x y\\evil.dll\"", ParentImage: W3WP };
    const security = { NewProcessName: "C:\\t\\gacutil.exe", CommandLine: "gacutil /i C:\\t\\m.dll", ParentProcessName: W3WP };
    const e = enrich("process-creation", [sysmon, security], [1, 2]);
    expect(e).toMatchObject({
      kind: "process-creation",
      processes: [
        { image: sysmon.Image, commandLine: sysmon.CommandLine, parentImage: W3WP },
        { image: security.NewProcessName, commandLine: security.CommandLine, parentImage: W3WP },
      ],
      finding: { kind: "module_added", rank: 4, text: "Module Evil (C:\\x y\\evil.dll) installed by appcmd.exe (parent w3wp.exe), and 1 more process start" },
    });
    expect(enrich("process-creation", [{ Image: "C:\\w\\cmd.exe", CommandLine: "cmd /c whoami", ParentImage: W3WP }], [1]).finding).toEqual({
      kind: "suspicious_process",
      rank: 2,
      text: "cmd.exe (parent w3wp.exe) started",
    });
  });
});

describe("each detection's enrichment", () => {
  it("is computed by the enricher its spec names, in that enricher's shape", () => {
    const detail: EventDetail = { Configuration: '/system.webServer/globalModules/add[@name="X"]', ModuleDll: "c:\\x.dll" };
    const shapes = Object.fromEntries(DETECTION_SPECS.map((s) => [s.name, Object.keys(enrich(s.enrichment.kind, [detail], [1])).sort()]));
    const failures = ["eventCount", "eventIds", "eventIdsTruncated", "failures", "finding", "kind"];
    expect(shapes).toEqual({
      "Windows IIS Components New Module Added": ["changes", "eventCount", "eventIds", "eventIdsTruncated", "finding", "kind"],
      "Windows IIS Components Module Failed to Load": failures,
      // 2282's family (local): the same shape, so hosts and notables read their DLLs as 2282's.
      ...Object.fromEntries(DETECTION_SPECS.filter((s) => s.content.origin === "local").map((s) => [s.name, failures])),
      // The rest of the story: process command lines and script blocks.
      ...Object.fromEntries(
        DETECTION_SPECS.filter((s) => s.enrichment.kind === "iis-command").map((s) => [s.name, ["commands", "eventCount", "eventIds", "eventIdsTruncated", "finding", "kind"]]),
      ),
      // Sigma's rules: Event 29 changes as ESCU's, process starts for the process_creation rules.
      ...Object.fromEntries(
        DETECTION_SPECS.filter((s) => s.sigma).map((s) => [
          s.name,
          s.sigma!.logsource === "windows/process_creation"
            ? ["eventCount", "eventIds", "eventIdsTruncated", "finding", "kind", "processes"]
            : ["changes", "eventCount", "eventIds", "eventIdsTruncated", "finding", "kind"],
        ]),
      ),
    });
    expect(Object.keys(shapes)).toHaveLength(21);
  });

  it("of a kind nobody computes is refused, never taken for a module that failed to load", () => {
    const [spec] = DETECTION_SPECS;
    expect(() => parseDetectionSpec({ ...spec, enrichment: { kind: "web-shell-upload", dataFields: [{ name: "TargetFilename", key: "TargetFilename" }] } })).toThrow(/enrichment/);
    expect(() => enrich("web-shell-upload" as EnrichmentKind, [{ ModuleDll: "c:\\x.dll" }], [1])).toThrow(/no enricher for enrichment kind "web-shell-upload"/);
  });
});

describe("the database's generated columns over enrichment", () => {
  // Migrations are history: a generated column's expression is whatever its latest migration wrote, and cannot
  // follow a rename in enrichment.ts. This reads those expressions so that a rename breaks this test instead of
  // silently emptying module_names, finding_kind or finding_rank.
  const migrationsDir = path.resolve(import.meta.dirname, "../../prisma/migrations");
  const generatedColumns = new Map<string, string>();
  for (const dir of readdirSync(migrationsDir).filter((d) => existsSync(path.join(migrationsDir, d, "migration.sql"))).sort()) {
    const sql = readFileSync(path.join(migrationsDir, dir, "migration.sql"), "utf8").replace(/--.*$/gm, "");
    for (const m of sql.matchAll(/"(\w+)"\s+\w+\s+GENERATED ALWAYS AS\s*\(/gi)) {
      let depth = 1;
      let end = m.index + m[0].length;
      for (; depth > 0; end++) depth += sql[end] === "(" ? 1 : sql[end] === ")" ? -1 : 0;
      generatedColumns.set(m[1], sql.slice(m.index + m[0].length, end - 1));
    }
  }
  const overEnrichment = [...generatedColumns].filter(([, expr]) => expr.includes('"enrichment"'));

  /** The key paths an expression reads from enrichment, and the values it compares a key with. */
  function readsOf(expr: string): { paths: string[][]; comparisons: { path: string[]; value: string }[] } {
    const paths: string[][] = [];
    const comparisons: { path: string[]; value: string }[] = [];
    for (const m of expr.matchAll(/"enrichment"((?:\s*->>?\s*'[^']*')+)/g)) paths.push([...m[1].matchAll(/'([^']*)'/g)].map((k) => k[1]));
    for (const m of expr.matchAll(/jsonb_path_\w+\(\s*"enrichment"\s*,\s*'([^']*)'/g)) {
      const at: string[] = [];
      for (const step of m[1].matchAll(/\.(\w+)|\[\*\]|\?\s*\(([^)]*)\)/g)) {
        if (step[1]) {
          at.push(step[1]);
          paths.push([...at]);
        }
        for (const f of (step[2] ?? "").matchAll(/@\.(\w+)(?:\s*==\s*"([^"]*)")?/g)) {
          paths.push([...at, f[1]]);
          if (f[2] !== undefined) comparisons.push({ path: [...at, f[1]], value: f[2] });
        }
      }
    }
    return { paths, comparisons };
  }

  const NESTED: Record<string, Record<string, string>> = { changes: CHANGE_KEYS, failures: FAILURE_KEYS, finding: FINDING_KEYS };
  const declared = (p: string[]) => (p.length === 1 ? p[0] in ENRICHMENT_KEYS : p.length === 2 && p[1] in (NESTED[p[0]] ?? {}));

  it("are the ones the dashboard sorts and lists by", () => {
    expect(overEnrichment.map(([column]) => column).sort()).toEqual(["finding_kind", "finding_rank", "module_names"]);
  });

  it("read only keys the enrichment shape declares, and compare a change's kind with a declared kind", () => {
    const undeclared = overEnrichment.flatMap(([column, expr]) => readsOf(expr).paths.filter((p) => !declared(p)).map((p) => `${column}: ${p.join(".")}`));
    expect(undeclared).toEqual([]);
    const read = overEnrichment.flatMap(([, expr]) => readsOf(expr).paths.map((p) => p.join(".")));
    expect(read).toEqual(expect.arrayContaining(["finding.kind", "finding.rank", "changes.kind", "changes.module", "failures.moduleDll"]));
    const comparisons = overEnrichment.flatMap(([, expr]) => readsOf(expr).comparisons);
    expect(comparisons).toEqual([{ path: ["changes", "kind"], value: "module_added" }]);
    expect(CONFIGURATION_CHANGE_KINDS).toContain(comparisons[0].value);
  });
});
