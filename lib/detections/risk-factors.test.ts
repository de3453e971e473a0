import { describe, expect, it } from "vitest";
import { riskArithmetic, scoreWithFactors } from "./rba";
import { imitatedBuiltin, normalizedImage, provenanceFactors } from "./risk-factors";

const factorsOf = (name: string | undefined, image: string | undefined) => provenanceFactors([{ name, image }]).map((f) => f.factor);

describe("module provenance factors", () => {
  it("reads images with environment variables, drives and either slash alike", () => {
    expect(normalizedImage("%windir%\\System32\\inetsrv\\iisfcgi.dll")).toBe("\\windows\\system32\\inetsrv\\iisfcgi.dll");
    expect(normalizedImage("C:/ProgramData/Microsoft/DRM/log/ManagedEngine64.dll")).toBe("\\programdata\\microsoft\\drm\\log\\managedengine64.dll");
    expect(normalizedImage("%IIS_BIN%\\static.dll")).toBe("\\windows\\system32\\inetsrv\\static.dll");
  });

  it("gives a built-in from its own folder nothing, and GhostRedirector's DRM-log DLL three factors", () => {
    expect(factorsOf("StaticFileModule", "%windir%\\System32\\inetsrv\\static.dll")).toEqual([]);
    expect(factorsOf("ManagedEngineV4.0_64bit", "%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\webengine4.dll")).toEqual([]);
    expect(factorsOf("WebEngine64", "C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll")).toEqual([
      "image_in_user_writable_path",
      "image_outside_iis_folders",
      "imitates_builtin_module",
    ]);
    // Enabling a module by name (modules/add, no image) says nothing about where it lives.
    expect(factorsOf("EvilModule", undefined)).toEqual([]);
  });

  it("catches DoorMe's legit-looking name even inside inetsrv, and near-misses of built-in names", () => {
    expect(factorsOf("FastCgiModule_64bit", "%windir%\\System32\\inetsrv\\iisfcgix64.dll")).toEqual(["imitates_builtin_module"]);
    expect(imitatedBuiltin("StaticFileModul")).toMatchObject({ name: "StaticFileModule", exact: false });
    expect(imitatedBuiltin("StaticFlieModule")).toMatchObject({ name: "StaticFileModule", exact: false });
    expect(imitatedBuiltin("IisBackdoor")).toBeNull();
    // A built-in's name with another image is an imitation.
    expect(factorsOf("HttpLoggingModule", "C:\\Windows\\Temp\\loghttp.dll")).toContain("imitates_builtin_module");
  });

  it("adds the factors to the base score, capped at 100, and says the arithmetic", () => {
    const factors = [
      { factor: "image_outside_iis_folders" as const, points: 15 },
      { factor: "first_seen_on_host" as const, points: 10 },
    ];
    expect(scoreWithFactors(48, factors)).toBe(73);
    expect(scoreWithFactors(85, factors)).toBe(100);
    expect(riskArithmetic(48, factors)).toBe("48 base + 15 image outside the IIS and .NET folders + 10 module first seen on this host = 73");
    expect(riskArithmetic(85, factors)).toBe("85 base + 15 image outside the IIS and .NET folders + 10 module first seen on this host = 100 (110, capped at 100)");
  });
});
