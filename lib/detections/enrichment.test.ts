import { describe, expect, it } from "vitest";
import { classifyConfigurationChange, describeModuleLoadFailure, enrich, MAX_EVENT_IDS_IN_ENRICHMENT, win32ErrorFromBinary } from "./enrichment";

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
