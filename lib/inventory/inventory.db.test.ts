// Module inventories through the real upload flow (received, worked by a worker, stored): an applicationHost.config,
// then a day later a `Get-WebGlobalModule | ConvertTo-Json` of the same host; the host's module list and the
// changes are written here by hand from the fixtures (tests/fixtures/inventory/README.md).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ModuleInventory } from "../../app/hosts/[host]/ModuleInventory";
import { TimeZoneProvider } from "../../components/time/TimeZone";
import { resetDatabase } from "../../tests/db-setup";
import { ingestFile } from "../../tests/pipeline";
import { pgPool } from "../db/pg";
import { deleteUpload } from "../pipeline/delete-upload";
import { hostModuleInventory, moduleQueryRows } from "./snapshots";

const FIXTURES = path.join(__dirname, "../../tests/fixtures/inventory");
const CONFIG = path.join(FIXTURES, "WEB01-applicationHost.config");
const JSON_INVENTORY = path.join(FIXTURES, "WEB01-Get-WebGlobalModule.json");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-inventory-"));

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
beforeEach(resetDatabase);

function write(name: string, text: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The default list's 31 inetsrv modules, then ManagedEngine (.NET 2.0) and ConfigurationValidationModule. */
const DEFAULT_COUNT = 33;

describe("IIS module inventories", () => {
  it("an applicationHost.config, then a JSON inventory a day later: the latest list and what changed", async () => {
    const first = await ingestFile(CONFIG, { defaults: { host: "WEB01.contoso.local" } });
    expect(first.outcome).toBe("ok");
    expect(first.upload).toMatchObject({ format: "applicationHost.config", recordsRead: DEFAULT_COUNT + 1, stored: DEFAULT_COUNT + 1 });
    // The JSON names its host itself (PSComputerName); no host field.
    const second = await ingestFile(JSON_INVENTORY);
    expect(second.outcome).toBe("ok");
    expect(second.upload).toMatchObject({ format: "Get-WebGlobalModule JSON", recordsRead: DEFAULT_COUNT + 1 });
    // Neither form says when it was taken: a snapshot's time is its upload's. The first inventory was taken a day earlier.
    await pgPool().query(`UPDATE host_module_snapshots SET taken_at = taken_at - interval '1 day' WHERE upload_id = $1`, [first.upload.id]);
    // No events were stored and no detection job follows an inventory.
    expect((await pgPool().query(`SELECT count(*)::int AS n FROM events`)).rows[0].n).toBe(0);

    const inventory = await hostModuleInventory("web01.contoso.local");
    expect(inventory.snapshots).toBe(2);
    expect(inventory.latest).toMatchObject({ filename: "WEB01-Get-WebGlobalModule.json", source: "Get-WebGlobalModule JSON" });
    const modules = inventory.latest!.modules;
    expect(modules).toHaveLength(DEFAULT_COUNT + 1);
    expect(modules[0]).toEqual({ name: "UriCacheModule", image: "%windir%\\System32\\inetsrv\\cachuri.dll", preCondition: null, place: "inetsrv" });
    expect(modules.find((m) => m.name === "ManagedEngine")).toEqual({
      name: "ManagedEngine",
      image: "%windir%\\Microsoft.NET\\Framework\\v2.0.50727\\webengine.dll",
      preCondition: "integratedMode,runtimeVersionv2.0,bitness32",
      place: "dotnet",
    });
    // What the page highlights: the modules outside %windir%\System32\inetsrv.
    expect(modules.filter((m) => m.place !== "inetsrv").map((m) => `${m.name} ${m.image}`)).toEqual([
      "DynamicCompressionModule C:\\inetpub\\temp\\compdyn.dll",
      "ManagedEngine %windir%\\Microsoft.NET\\Framework\\v2.0.50727\\webengine.dll",
      "UrlRewriteCache C:\\Windows\\Temp\\iiscache64.dll",
    ]);

    expect(inventory.changes).toHaveLength(1);
    const [change] = inventory.changes;
    // A day, and the second or so between the two uploads.
    expect(change.takenAt.getTime() - change.previousTakenAt.getTime()).toBeGreaterThanOrEqual(86_400_000);
    expect(change.takenAt.getTime() - change.previousTakenAt.getTime()).toBeLessThan(86_400_000 + 60_000);
    expect(change.filename).toBe("WEB01-Get-WebGlobalModule.json");
    expect(change.added).toEqual([{ name: "UrlRewriteCache", image: "C:\\Windows\\Temp\\iiscache64.dll", preCondition: null, place: "elsewhere" }]);
    expect(change.removed).toEqual([{ name: "ManagedEngine64", image: "C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll", preCondition: null, place: "elsewhere" }]);
    expect(change.imageChanged).toEqual([
      { name: "DynamicCompressionModule", from: "%windir%\\System32\\inetsrv\\compdyn.dll", to: "C:\\inetpub\\temp\\compdyn.dll", place: "elsewhere" },
    ]);
    // The host page's section: the list with the outsiders marked, and one row per change.
    const page = renderToStaticMarkup(createElement(TimeZoneProvider, null, createElement(ModuleInventory, { inventory })));
    const rows = [...page.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((m) => m[1].replace(/<[^>]+>/g, "|").replace(/\|+/g, "|"));
    expect(rows.filter((r) => r.includes("⚠"))).toHaveLength(2 + 3); // two in the list (ManagedEngine, in the .NET Framework, is marked without ⚠), three in the changes
    expect(rows.find((r) => r.includes("|ManagedEngine64|"))).toMatch(/\|removed\|ManagedEngine64\|C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64\.dll\| — ⚠ outside %windir%\\System32\\inetsrv\|$/);
    expect(rows.find((r) => r.includes("|image changed|"))).toContain("|DynamicCompressionModule|%windir%\\System32\\inetsrv\\compdyn.dll| → |C:\\inetpub\\temp\\compdyn.dll|");
    expect(rows.find((r) => r.includes("|ManagedEngine|"))).toContain("webengine.dll| — outside inetsrv (.NET Framework)|");
    // ESCU's Hunting search's rows (… | stats count min(_time) max(_time) by host name image | rename host as dest):
    // 32 modules unchanged in both (count 2), then what only one inventory lists.
    const hunt = await moduleQueryRows("web01.contoso.local");
    expect(hunt).toHaveLength(32 + 4);
    expect(hunt.filter((r) => r.count === 2)).toHaveLength(32);
    const day1 = hunt[0].firstTime;
    const day2 = change.takenAt;
    expect(hunt.filter((r) => r.count === 1)).toEqual([
      { dest: "WEB01.contoso.local", name: "DynamicCompressionModule", image: "%windir%\\System32\\inetsrv\\compdyn.dll", count: 1, firstTime: day1, lastTime: day1 },
      { dest: "WEB01.contoso.local", name: "ManagedEngine64", image: "C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll", count: 1, firstTime: day1, lastTime: day1 },
      { dest: "WEB01.contoso.local", name: "DynamicCompressionModule", image: "C:\\inetpub\\temp\\compdyn.dll", count: 1, firstTime: day2, lastTime: day2 },
      { dest: "WEB01.contoso.local", name: "UrlRewriteCache", image: "C:\\Windows\\Temp\\iiscache64.dll", count: 1, firstTime: day2, lastTime: day2 },
    ]);
    // The host exists for the host page although no event named it.
    expect((await pgPool().query(`SELECT id, name FROM hosts`)).rows).toEqual([{ id: "web01.contoso.local", name: "WEB01.contoso.local" }]);
  });

  it("the same inventory twice is no change; deleting an upload deletes its snapshot, and the host with the last one", async () => {
    const first = await ingestFile(CONFIG, { defaults: { host: "web01.contoso.local" } });
    const second = await ingestFile(CONFIG, { name: "again.config", defaults: { host: "WEB01.contoso.local" } });
    const inventory = await hostModuleInventory("web01.contoso.local");
    expect(inventory.snapshots).toBe(2);
    expect(inventory.changes).toEqual([]);

    expect(await deleteUpload(second.upload.id)).toMatchObject({ filename: "again.config", events: 0 });
    expect((await hostModuleInventory("web01.contoso.local")).latest?.filename).toBe("WEB01-applicationHost.config");
    expect((await pgPool().query(`SELECT count(*)::int AS n FROM hosts`)).rows[0].n).toBe(1);
    await deleteUpload(first.upload.id);
    expect((await hostModuleInventory("web01.contoso.local")).snapshots).toBe(0);
    expect((await pgPool().query(`SELECT count(*)::int AS n FROM hosts`)).rows[0].n).toBe(0);
  });

  it("a malformed or hostless inventory fails its upload with a reason naming the file and where", async () => {
    const config = fs.readFileSync(CONFIG, "utf8");
    // An <add> whose attribute value lost its closing quote, on the file's line of the extra module.
    const line = config.split("\n").findIndex((l) => l.includes("ManagedEngine64")) + 1;
    const broken = write("broken-applicationHost.config", config.replace('ManagedEngine64.dll" />', "ManagedEngine64.dll />"));
    const bad = await ingestFile(broken, { defaults: { host: "WEB01" } });
    expect(bad.upload.status).toBe("failed");
    expect(bad.outcome).toMatch(new RegExp(`^broken-applicationHost\\.config: malformed XML at line ${line + 1}, column \\d+: `));

    const truncated = write("cut.json", '[{"name": "UriCacheModule", "image": "%windir%\\\\System32\\\\inetsrv\\\\cachuri.dll"}, {"name": "X", "image"');
    expect((await ingestFile(truncated, { defaults: { host: "WEB01" } })).outcome).toBe(
      "cut.json: malformed JSON at its end (character 103: the file is cut short): Unexpected end of JSON input",
    );
    const typo = write("typo.json", '[{"name": "UriCacheModule" "image": "x.dll"}]');
    expect((await ingestFile(typo, { defaults: { host: "WEB01" } })).outcome).toMatch(/^typo\.json: malformed JSON: .* at position 27\b/);

    const noImage = write("noimage.json", '[{"name": "UriCacheModule", "image": "%windir%\\\\System32\\\\inetsrv\\\\cachuri.dll"}, {"name": "Evil", "image": ""}]');
    expect((await ingestFile(noImage, { defaults: { host: "WEB01" } })).outcome).toBe("noimage.json: entry 2: module 'Evil' has no image");

    const hostless = write("applicationHost.config", config);
    expect((await ingestFile(hostless)).outcome).toBe(
      "applicationHost.config: the inventory (applicationHost.config) names no host: upload it with the host field (host=NAME)",
    );

    const dtd = write("dtd.config", config.replace("<configuration>", '<!DOCTYPE configuration [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<configuration>'));
    expect((await ingestFile(dtd, { defaults: { host: "WEB01" } })).outcome).toMatch(/^dtd\.config: line \d+: a <!DOCTYPE> declaration is refused/);

    expect((await pgPool().query(`SELECT count(*)::int AS n FROM host_module_snapshots`)).rows[0].n).toBe(0);
  });
});
