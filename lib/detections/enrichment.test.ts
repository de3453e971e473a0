import { describe, expect, it } from "vitest";
import { classifyConfigurationChange, describeModuleLoadFailure, enrich, FINDING_KINDS, MAX_EVENT_IDS_IN_ENRICHMENT, win32ErrorFromBinary } from "./enrichment";

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
