// Which uploads are module inventories (and which stay logs for the event readers), and where an image lives.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeHead } from "../ingest/input/text";
import { imagePlace, parseInventory, sniffInventory } from "./module-inventory";

const head = (text: string) => text;
const LOG_FIXTURES = path.join(__dirname, "../ingest/formats/fixtures");
const INVENTORY_FIXTURES = path.join(__dirname, "../../tests/fixtures/inventory");

describe("sniffing a module inventory", () => {
  it("recognises both forms, the JSON in Windows PowerShell's UTF-16", () => {
    expect(sniffInventory(decodeHead(fs.readFileSync(path.join(INVENTORY_FIXTURES, "WEB01-applicationHost.config"))))).toBe("applicationHost.config");
    expect(sniffInventory(decodeHead(fs.readFileSync(path.join(INVENTORY_FIXTURES, "WEB01-Get-WebGlobalModule.json"))))).toBe("Get-WebGlobalModule JSON");
    expect(sniffInventory(head('{"name": "UriCacheModule", "image": "%windir%\\\\System32\\\\inetsrv\\\\cachuri.dll"}'))).toBe("Get-WebGlobalModule JSON");
  });

  it("leaves every event log format to the event readers, Sysmon's Image field included", () => {
    const logs = fs.readdirSync(LOG_FIXTURES).filter((f) => /\.(xml|json|ndjson|csv|log)$/.test(f));
    expect(logs.length).toBeGreaterThanOrEqual(10);
    for (const file of logs) {
      expect(sniffInventory(decodeHead(fs.readFileSync(path.join(LOG_FIXTURES, file)).subarray(0, 65536))), file).toBeNull();
    }
    const sysmon = '{"@timestamp":"2024-03-05T10:00:00Z","winlog":{"event_id":1,"event_data":{"Image":"C:\\\\Windows\\\\System32\\\\inetsrv\\\\appcmd.exe","Name":"x"}}}';
    expect(sniffInventory(head(sysmon))).toBeNull();
  });
});

describe("reading", () => {
  it("applies <remove> and <clear> as IIS does, and refuses a module listed twice", () => {
    const config = (modules: string) =>
      head(`<configuration><system.webServer><globalModules>${modules}</globalModules></system.webServer></configuration>`);
    const read = (modules: string) => parseInventory(config(modules), "a.config", "applicationHost.config").modules.map((m) => m.name);
    expect(read('<add name="A" image="a.dll"/><add name="B" image="b.dll"/><remove name="a"/>')).toEqual(["B"]);
    expect(read('<add name="A" image="a.dll"/><clear/><add name="C" image="c.dll"/>')).toEqual(["C"]);
    expect(() => read('<add name="A" image="a.dll"/>\n<add name="a" image="b.dll"/>')).toThrow("a.config: line 2, column 29: module 'a' is listed twice");
    expect(() => parseInventory(head("<configuration/>"), "b.config", "applicationHost.config")).toThrow("b.config: no <system.webServer><globalModules> section");
  });
});

describe("where a module's image lives", () => {
  it("inetsrv however %windir% is spelled; the .NET Framework folders; anything else", () => {
    expect(imagePlace("%windir%\\System32\\inetsrv\\cachuri.dll")).toBe("inetsrv");
    expect(imagePlace("C:\\WINDOWS\\system32\\inetsrv\\static.dll")).toBe("inetsrv");
    expect(imagePlace("%SystemRoot%\\System32\\inetsrv\\iiscore.dll")).toBe("inetsrv");
    expect(imagePlace("%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\webengine4.dll")).toBe("dotnet");
    expect(imagePlace("%windir%\\System32\\inetsrv\\sub\\evil.dll")).toBe("elsewhere");
    expect(imagePlace("C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll")).toBe("elsewhere");
    expect(imagePlace("D:\\Windows\\System32\\inetsrv\\x.dll")).toBe("inetsrv");
  });
});
