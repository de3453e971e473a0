// False-positive suppressions end to end on the real database: pre-fill from a result, preview (counts and risk),
// save, hidden results (and the toggle that shows them), risk leaving every rollup and drilldown at once, future
// runs not emitting, edit, disable and re-enable, expiry, and the audit trail.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import type { Actor } from "../audit/log";
import { db } from "../db/client";
import { filterMacroDefinition } from "../detections/filter";
import { activeSuppressionMatches, getResult, listResults } from "../detections/queries";
import { runScheduled } from "../detections/runs";
import { store2282, store29 } from "../../tests/support/iis-events";
import { listHosts, hostListParams } from "../hosts/queries";
import { riskDrilldown } from "../risk/queries";
import { riskByDay, riskByDetection, riskByHost, riskByTactic } from "../risk/rollups";
import { overviewCounts } from "../views/overview";
import { listNotables } from "./notables";
import { notableListParams } from "./fields";
import {
  createSuppression,
  draftFromNotable,
  draftFromResult,
  filterMacros,
  getSuppression,
  listSuppressions,
  previewSuppression,
  setSuppressionEnabled,
  TriageError,
  updateSuppression,
} from "./suppressions";

const NEW_MODULE = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";
const MODULE_ADD = '/system.webServer/globalModules/add[@name="EvilModule"]';
const VENDOR = "C:\\Program Files\\Vendor\\ok.dll";
const MSF = "c:\\temp\\msf.dll";
// Risk with the module provenance factors (lib/detections/risk-factors.ts), each new on its host (+10): the vendor
// DLL outside the IIS folders (25 + 15 + 10), msf.dll in C:\temp (25 + 25 + 15 + 10), the module without an image (48 + 10).
const VENDOR_RISK = 50;
const MSF_RISK = 75;
const MODULE_RISK = 58;
const WEB01_RISK = VENDOR_RISK + MSF_RISK + MODULE_RISK;

const HOUR = 3_600_000;
// Recent data, so the hosts table's 24 h / 7 d windows (which end at now) see it.
const base = new Date(Math.floor(Date.now() / HOUR) * HOUR - 20 * HOUR);
const t = (minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();
const RUN1 = new Date(base.getTime() + HOUR); // covers [base - 10m, base + 50m)


let triager: Actor;

beforeEach(async () => {
  await resetDatabase();
  const user = await db().user.create({ data: { username: "tina", passwordHash: "x", role: "triager" } });
  triager = { id: user.id, username: "tina", address: "192.0.2.7" };
  // web01: the vendor DLL failing (benign, twice as two rows: two hosts would be two rows too) and msf.dll;
  // web02: the vendor DLL; web01 also gets a module added (TTP: notable + 48).
  await store2282([
    { host: "web01", time: t(5), moduleDll: VENDOR },
    { host: "web01", time: t(6), moduleDll: MSF },
    { host: "WEB02", time: t(7), moduleDll: VENDOR },
  ]);
  await store29([{ host: "web01", time: t(8), configuration: MODULE_ADD }]);
  await runScheduled(RUN1);
});

async function resultFor(detectionId: string, dest: string, moduleDll?: string) {
  const { rows } = await listResults({ detectionId, includeSuppressed: true });
  const row = rows.find((r) => r.dest?.toLowerCase() === dest && (moduleDll === undefined || r.fields.ModuleDll === moduleDll));
  if (!row) throw new Error(`no result for ${dest} ${moduleDll}`);
  return row;
}

const window = () => ({ from: new Date(base.getTime() - 24 * HOUR), to: new Date(Date.now() + HOUR) });
const hostRisk = async (host: string) => (await riskByHost(window())).find((h) => h.host === host)?.score ?? 0;
const tableRisk = async (host: string) => (await listHosts(hostListParams.parse({}))).rows.find((h) => h.id === host);

describe("mark as false positive: the draft", () => {
  it("is pre-filled with the row's group fields only (not count, firstTime, lastTime)", async () => {
    const result = await resultFor(FAILED_TO_LOAD, "web01", MSF);
    const draft = await draftFromResult(result.id);
    expect(draft).toMatchObject({
      detectionId: FAILED_TO_LOAD,
      groupFields: ["EventCode", "dest", "Name", "ModuleDll"],
      match: { EventCode: "2282", dest: "web01", Name: "Microsoft-Windows-IIS-W3SVC-WP", ModuleDll: MSF },
      resultId: String(result.id),
    });
    expect(Object.keys(draft!.match)).not.toContain("count");

    // New Module Added: renamed ComputerName -> dest, and the notable leads to the same draft.
    const added = await resultFor(NEW_MODULE, "web01");
    const fromNotable = await draftFromNotable(added.notableId!);
    expect(Object.keys(fromNotable!.match)).toEqual(["OpCode", "EventCode", "dest", "Message"]);
    expect(fromNotable!.notableId).toBe(String(added.notableId));
    expect(await draftFromResult("999999")).toBeNull();
    expect(await draftFromResult("not a number")).toBeNull();
  });
});

describe("preview", () => {
  it("counts the results and the risk it would remove, per host, without changing anything", async () => {
    // Fleet-wide: the vendor DLL on both hosts.
    const p = await previewSuppression({ detectionId: FAILED_TO_LOAD, match: { ModuleDll: VENDOR.toUpperCase() } });
    expect(p).toMatchObject({ matched: 2, newlyHidden: 2, alreadyHidden: 0, riskEvents: 2, riskScore: 2 * VENDOR_RISK, hostCount: 2, detectionResults: 3, openNotables: 0 });
    expect(p.hosts).toEqual([
      { dest: "web01", results: 1, risk: VENDOR_RISK },
      { dest: "web02", results: 1, risk: VENDOR_RISK },
    ]);
    // Wildcards, and a dest narrowing it to one host.
    expect(await previewSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "WEB01", ModuleDll: "c:\\program files\\*" } })).toMatchObject({
      matched: 1,
      riskScore: VENDOR_RISK,
    });
    // The TTP's notable is counted.
    expect(await previewSuppression({ detectionId: NEW_MODULE, match: { dest: "web01" } })).toMatchObject({ matched: 1, riskScore: MODULE_RISK, openNotables: 1 });
    // Nothing was saved by previewing.
    expect(await db().suppression.count()).toBe(0);
    expect(await hostRisk("web01")).toBe(VENDOR_RISK + MSF_RISK + MODULE_RISK);
  });

  it("tells apart what another suppression already hides, and ignores the one being edited", async () => {
    const s = await createSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "web02" }, reason: "lab box", expiresAt: null }, triager);
    const p = await previewSuppression({ detectionId: FAILED_TO_LOAD, match: { ModuleDll: VENDOR } });
    expect(p).toMatchObject({ matched: 2, newlyHidden: 1, alreadyHidden: 1, riskScore: VENDOR_RISK, hosts: [{ dest: "web01", results: 1, risk: VENDOR_RISK }] });
    // Editing s itself: its own effect is not "already hidden".
    expect(await previewSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "web02" } }, { excludeId: s.id })).toMatchObject({ matched: 1, newlyHidden: 1, riskScore: VENDOR_RISK });
    expect(await previewSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "web02" } })).toMatchObject({ matched: 1, newlyHidden: 0, riskScore: 0 });
    expect(await db().suppression.count()).toBe(1);
    expect((await db().suppression.findUniqueOrThrow({ where: { id: s.id } })).enabled).toBe(true);
  });
});

describe("saving a suppression", () => {
  it("hides the results (viewable with the toggle), removes their risk from every rollup and drilldown at once, and is audited", async () => {
    const before = {
      host: await hostRisk("web01"),
      table: await tableRisk("web01"),
      drilldown: await riskDrilldown("web01", new Date()),
      detection: (await riskByDetection(window())).find((d) => d.detectionId === FAILED_TO_LOAD)!.score,
      tactic: (await riskByTactic(window()))[0].score,
      day: (await riskByDay(window(), "web01")).reduce((a, d) => a + d.score, 0),
    };
    expect(before).toMatchObject({ host: WEB01_RISK, table: { risk24h: WEB01_RISK, risk7d: WEB01_RISK, results: 3 }, drilldown: { count: 3 }, detection: 2 * VENDOR_RISK + MSF_RISK, tactic: WEB01_RISK + VENDOR_RISK, day: WEB01_RISK });

    const msf = await resultFor(FAILED_TO_LOAD, "web01", MSF);
    const draft = (await draftFromResult(msf.id))!;
    const saved = await createSuppression({ detectionId: draft.detectionId, match: draft.match, reason: "red team exercise", expiresAt: null }, triager, {
      sourceResultId: msf.id,
    });
    expect(saved).toMatchObject({ createdById: triager.id, updatedById: triager.id, sourceResultId: msf.id, enabled: true });

    // Results: hidden by default, shown (and flagged) on request.
    expect((await listResults({ dest: "web01" })).rows.map((r) => r.id)).not.toContain(msf.id);
    const shown = (await listResults({ dest: "web01", includeSuppressed: true })).rows.find((r) => r.id === msf.id)!;
    expect(shown.suppressed).toBe(true);
    // Without an expiry it is hidden until a date every client reads (Prisma included), not 'infinity'.
    expect((await getResult(msf.id))!.suppressedUntil!.getUTCFullYear()).toBe(9999);

    // Risk leaves everything at once.
    expect(await hostRisk("web01")).toBe(WEB01_RISK - MSF_RISK);
    expect(await tableRisk("web01")).toMatchObject({ risk24h: WEB01_RISK - MSF_RISK, risk7d: WEB01_RISK - MSF_RISK, results: 2 });
    expect(await riskDrilldown("web01", new Date())).toMatchObject({ count: 2 });
    expect((await riskByDetection(window())).find((d) => d.detectionId === FAILED_TO_LOAD)!.score).toBe(2 * VENDOR_RISK);
    expect((await riskByTactic(window()))[0].score).toBe(2 * VENDOR_RISK + MODULE_RISK);
    expect((await riskByDay(window(), "web01")).reduce((a, d) => a + d.score, 0)).toBe(WEB01_RISK - MSF_RISK);
    expect(await hostRisk("web02")).toBe(VENDOR_RISK);

    // The filter macro, as SPL.
    const macros = await filterMacros();
    expect(macros.find((m) => m.detectionId === FAILED_TO_LOAD)).toMatchObject({
      macroName: "windows_iis_components_module_failed_to_load_filter",
      active: 1,
      definition: 'search NOT (EventCode="2282" dest="web01" Name="Microsoft-Windows-IIS-W3SVC-WP" ModuleDll="c:\\\\temp\\\\msf.dll")',
    });
    // The detection page's rendering of the same macro (field order aside).
    expect(filterMacroDefinition(await activeSuppressionMatches(FAILED_TO_LOAD))).toContain('ModuleDll="c:\\\\temp\\\\msf.dll"');
    expect(macros.find((m) => m.detectionId === NEW_MODULE)).toMatchObject({ definition: "search *", active: 0 });

    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "suppression.create" } });
    expect(audit).toMatchObject({ actorId: triager.id, actorName: "tina", address: "192.0.2.7", targetType: "suppression", targetId: String(saved.id), before: null });
    expect(audit.after).toMatchObject({ detectionId: FAILED_TO_LOAD, match: draft.match, reason: "red team exercise", enabled: true, expiresAt: null, hid: { results: 1, riskScore: MSF_RISK } });
  });

  it("stops future runs from emitting matching rows (fleet-wide when dest is dropped)", async () => {
    await createSuppression({ detectionId: FAILED_TO_LOAD, match: { ModuleDll: VENDOR }, reason: "vendor DLL, known", expiresAt: null }, triager);
    await store2282([
      { host: "web03", time: t(65), moduleDll: VENDOR },
      { host: "web03", time: t(66), moduleDll: MSF },
    ]);
    const [run] = await runScheduled(new Date(RUN1.getTime() + HOUR), { detectionIds: [FAILED_TO_LOAD] });
    expect(run).toMatchObject({ rowCount: 1, suppressedCount: 1, resultCount: 1 });
    const web03 = (await listResults({ dest: "web03", includeSuppressed: true })).rows;
    expect(web03.map((r) => r.fields.ModuleDll)).toEqual([MSF]);
    expect(await hostRisk("web03")).toBe(MSF_RISK);
  });

  it("hides a notable's result from the queue (shown with the toggle)", async () => {
    const added = await resultFor(NEW_MODULE, "web01");
    const draft = (await draftFromNotable(added.notableId!))!;
    const open = () => listNotables(notableListParams.parse({}), null);
    expect((await open()).total).toBe(1);
    await createSuppression({ detectionId: NEW_MODULE, match: draft.match, reason: "change ticket CHG-1", expiresAt: null }, triager);
    expect((await open()).total).toBe(0);
    const all = await listNotables(notableListParams.parse({ suppressed: "show" }), null);
    expect(all.rows).toMatchObject([{ suppressed: true, dest: "web01" }]);
  });

  it("refuses bad input with a clear message", async () => {
    const bad = (input: Record<string, unknown>) => createSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "web01" }, reason: "r", expiresAt: null, ...input }, triager);
    await expect(bad({ reason: "  " })).rejects.toThrow(/reason is required/);
    await expect(bad({ match: {} })).rejects.toThrow(/at least one field/);
    await expect(bad({ match: { count: "1" } })).rejects.toThrow(/count: not a field/);
    await expect(bad({ match: { dest: "" } })).rejects.toThrow(TriageError);
    await expect(bad({ detectionId: "nope" })).rejects.toThrow(/Unknown detection/);
    await expect(bad({ expiresAt: new Date(Date.now() - 1000) })).rejects.toThrow(/future/);
    expect(await db().suppression.count()).toBe(0);
    expect(await db().auditLog.count({ where: { action: { startsWith: "suppression." } } })).toBe(0);
  });
});

describe("edit, disable, re-enable, expire", () => {
  it("disabling restores everything at once; re-enabling hides it again; each change audited with before and after", async () => {
    const s = await createSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "web01" }, reason: "maintenance", expiresAt: null }, triager);
    expect(await hostRisk("web01")).toBe(MODULE_RISK);
    const admin = await db().user.create({ data: { username: "ada", passwordHash: "x", role: "admin" } });
    const adminActor = { id: admin.id, username: "ada", address: "192.0.2.8" };

    await setSuppressionEnabled(s.id, false, adminActor);
    expect(await hostRisk("web01")).toBe(WEB01_RISK);
    expect((await listResults({ dest: "web01" })).total).toBe(3);
    expect(await getSuppression(s.id)).toMatchObject({ state: "disabled", updatedBy: "ada", createdBy: "tina" });
    expect(filterMacroDefinition(await activeSuppressionMatches(FAILED_TO_LOAD))).toBe("search *");

    await setSuppressionEnabled(s.id, true, triager);
    expect(await hostRisk("web01")).toBe(MODULE_RISK);
    // A repeated enable is no change (and no audit row).
    await setSuppressionEnabled(s.id, true, triager);

    // Edit: narrow it to the vendor DLL.
    await updateSuppression(s.id, { match: { dest: "web01", ModuleDll: VENDOR }, reason: "vendor DLL on web01", expiresAt: null }, triager);
    expect(await hostRisk("web01")).toBe(WEB01_RISK - VENDOR_RISK);

    const audit = await db().auditLog.findMany({ where: { targetType: "suppression", targetId: String(s.id) }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.actorName])).toEqual([
      ["suppression.create", "tina"],
      ["suppression.disable", "ada"],
      ["suppression.enable", "tina"],
      ["suppression.update", "tina"],
    ]);
    expect(audit[1]).toMatchObject({ before: { enabled: true }, after: { enabled: false }, address: "192.0.2.8" });
    expect(audit[3]).toMatchObject({
      before: { match: { dest: "web01" }, reason: "maintenance" },
      after: { match: { dest: "web01", ModuleDll: VENDOR }, reason: "vendor DLL on web01" },
    });
    await expect(updateSuppression(s.id, { match: { nope: "x" }, reason: "r", expiresAt: null }, triager)).rejects.toThrow(/not a field/);
    await expect(setSuppressionEnabled("424242", false, triager)).rejects.toThrow(/No such suppression/);

    // An edit from a page loaded before the last change is refused, and changes nothing.
    const loaded = (await getSuppression(s.id))!.updatedAt;
    await setSuppressionEnabled(s.id, false, adminActor);
    await expect(updateSuppression(s.id, { match: { dest: "web01" }, reason: "stale edit", expiresAt: null, expectedUpdatedAt: loaded }, triager)).rejects.toThrow(
      "Not saved: this suppression was changed since you loaded it. Reload the page to see the change, then save again.",
    );
    expect(await getSuppression(s.id)).toMatchObject({ reason: "vendor DLL on web01", match: { dest: "web01", ModuleDll: VENDOR } });
    const current = (await getSuppression(s.id))!.updatedAt;
    await updateSuppression(s.id, { match: { dest: "web01", ModuleDll: VENDOR }, reason: "fresh edit", expiresAt: null, expectedUpdatedAt: current }, triager);
    expect((await getSuppression(s.id))!.reason).toBe("fresh edit");
  });

  it("an expired suppression stops applying by itself (results, risk, future runs)", async () => {
    // Real time passes: nothing is written when the suppression expires, and no job has to run.
    const expiresAt = new Date(Date.now() + 1500);
    const s = await createSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "web01" }, reason: "for a moment", expiresAt }, triager);
    expect(await hostRisk("web01")).toBe(MODULE_RISK);
    expect((await listResults({ dest: "web01" })).total).toBe(1);
    expect((await listSuppressions({ state: "active" })).map((r) => r.id)).toEqual([String(s.id)]);
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 100));
    expect(await hostRisk("web01")).toBe(WEB01_RISK);
    expect((await listResults({ dest: "web01" })).total).toBe(3);
    expect(await getSuppression(s.id)).toMatchObject({ state: "expired" });
    expect(await listSuppressions({ state: "active" })).toEqual([]);
    expect((await listSuppressions({ state: "expired" })).map((r) => r.id)).toEqual([String(s.id)]);
    await store2282([{ host: "web01", time: t(70), moduleDll: "c:\\new.dll" }]);
    const [run] = await runScheduled(new Date(RUN1.getTime() + HOUR), { detectionIds: [FAILED_TO_LOAD] });
    expect(run).toMatchObject({ suppressedCount: 0, resultCount: 1 });
    // Its reason can still be edited while keeping the past expiry; a new past expiry is refused.
    await updateSuppression(s.id, { match: { dest: "web01" }, reason: "expired, kept for the record", expiresAt }, triager);
    await expect(updateSuppression(s.id, { match: { dest: "web01" }, reason: "x", expiresAt: new Date(Date.now() - 5000) }, triager)).rejects.toThrow(/future/);
  });

  it("lists the suppressions that can apply to a host (fleet-wide, or dest matching)", async () => {
    await createSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "WEB01" }, reason: "a", expiresAt: null }, triager);
    await createSuppression({ detectionId: FAILED_TO_LOAD, match: { ModuleDll: VENDOR }, reason: "b", expiresAt: null }, triager);
    await createSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "web0*" }, reason: "c", expiresAt: null }, triager);
    await createSuppression({ detectionId: FAILED_TO_LOAD, match: { dest: "web02" }, reason: "d", expiresAt: null }, triager);
    expect((await listSuppressions({ dest: "web01" })).map((s) => s.reason).sort()).toEqual(["a", "b", "c"]);
    expect((await listSuppressions({ dest: "web02" })).map((s) => s.reason).sort()).toEqual(["b", "c", "d"]);
    expect((await listSuppressions({ detectionId: NEW_MODULE })).length).toBe(0);
    expect((await listSuppressions())[0].spl).toBe('search NOT (dest="web02")');
  });

  it("keeps the overview's result count in step", async () => {
    const before = (await overviewCounts()).results24h;
    await createSuppression({ detectionId: FAILED_TO_LOAD, match: { ModuleDll: VENDOR }, reason: "vendor", expiresAt: null }, triager);
    expect((await overviewCounts()).results24h).toBe(before - 2);
  });
});
