import fs from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { SAMPLE_2282_XML, SAMPLE_29_EXCERPT } from "../../tests/samples";
import { db } from "../db/client";
import type { NormalizedEvent } from "../ingest/event";
import { xmlReader } from "../ingest/formats/xml";
import { DEFAULT_READ_OPTIONS } from "../ingest/parser";
import { riskDrilldown } from "../risk/queries";
import { contributingEvents, listResults } from "./queries";
import { catchUpEvaluations, evaluateUpload, uploadsNeedingEvaluation } from "./evaluate";
import { replayHistory, runAdhoc, runForNewEvents, runScheduled } from "./runs";
import { getDetection, updateDetectionSetting } from "./settings";
import { DETECTION_SPECS } from "./specs";
import { storeAsUpload, store2282, store29, type Event2282Input, type Event29Input } from "../../tests/support/iis-events";

const NEW_MODULE = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";

async function readXml(file: string): Promise<NormalizedEvent[]> {
  async function* bytes() {
    yield fs.readFileSync(file);
  }
  const events: NormalizedEvent[] = [];
  for await (const record of xmlReader.read(bytes(), DEFAULT_READ_OPTIONS)) {
    if (!record.ok) throw new Error(`sample rejected: ${record.rejected.reason}`);
    events.push(record.event);
  }
  return events;
}


const at = (iso: string) => new Date(iso);
const MODULE_ADD = '/system.webServer/globalModules/add[@name="EvilModule"]';

async function counts() {
  return {
    results: await db().detectionResult.count(),
    risk: await db().riskEvent.count(),
    notables: await db().notable.count(),
  };
}

beforeEach(resetDatabase);

describe("golden: the real Event 2282 (Splunk Attack Range example_log)", () => {
  it("gives exactly the ESCU row, one risk event of 25 and no notable", async () => {
    await storeAsUpload(await readXml(SAMPLE_2282_XML));
    // 15:58:25 falls in [15:50, 16:50), the window of the 17:00 run.
    const runs = await runScheduled(at("2022-12-20T17:00:00Z"));
    const run = runs.find((r) => r.detectionId === FAILED_TO_LOAD)!;
    expect(run).toMatchObject({ rowCount: 1, resultCount: 1, windowStart: at("2022-12-20T15:50:00Z"), windowEnd: at("2022-12-20T16:50:00Z") });

    const { rows } = await listResults({ detectionId: FAILED_TO_LOAD });
    expect(rows).toHaveLength(1);
    expect(rows[0].fields).toEqual({
      EventCode: "2282",
      dest: "win-dc-exch01.attackrange.local",
      Name: "Microsoft-Windows-IIS-W3SVC-WP",
      ModuleDll: "c:\\temp\\msf.dll",
      count: 1,
      firstTime: "2022-12-20T15:58:25",
      lastTime: "2022-12-20T15:58:25",
    });
    expect(rows[0].enrichment).toMatchObject({
      kind: "iis-module-load-failure",
      eventCount: 1,
      failures: [{ moduleDll: "c:\\temp\\msf.dll", processorArchitecture: "AMD64", errorCode: 193, errorName: "ERROR_BAD_EXE_FORMAT" }],
    });

    const risk = await db().riskEvent.findMany();
    expect(risk).toHaveLength(1);
    expect(risk[0]).toMatchObject({
      time: at("2022-12-20T17:00:00Z"),
      detectionId: FAILED_TO_LOAD,
      riskObject: "win-dc-exch01.attackrange.local",
      riskObjectType: "system",
      normalizedRiskObject: "win-dc-exch01.attackrange.local",
      // ESCU's 25, plus the DLL's provenance: in C:\temp (+25), outside the IIS folders (+15), new on the host (+10).
      baseRiskScore: 25,
      riskScore: 75,
      riskMessage: "A new IIS Module has been loaded and should be reviewed on win-dc-exch01.attackrange.local.",
      searchName: "ESCU - Windows IIS Components Module Failed to Load - Rule",
      analyticStories: ["IIS Components"],
      mitreTactics: ["Persistence"],
      infoMinTime: at("2022-12-20T15:50:00Z"),
      infoMaxTime: at("2022-12-20T16:50:00Z"),
      fields: rows[0].fields,
    });
    expect(risk[0].annotations).toMatchObject({ analytic_story: ["IIS Components"], mitre_attack: ["T1505", "T1505.004"], type: "Anomaly" });
    expect(await db().notable.count()).toBe(0);

    // One click away: the result's contributing event is the stored sample.
    const events = await contributingEvents(rows[0].id);
    expect(events.map((e) => e.raw)).toEqual([fs.readFileSync(SAMPLE_2282_XML, "utf8").trim()]);
  });
});

describe("golden: the real Event 29 (blog.sqeye.net customErrors change)", () => {
  it("gives OpCode=Info, dest=DESKTOP-RM9DD5S and the rendered Message, a notable (medium) and a risk event of 48", async () => {
    await storeAsUpload(await readXml(SAMPLE_29_EXCERPT));
    await runScheduled(at("2023-04-17T20:00:00Z")); // 18:50:04 is in [18:50, 19:50)

    const { rows } = await listResults({ detectionId: NEW_MODULE });
    expect(rows).toHaveLength(1);
    expect(rows[0].fields).toEqual({
      OpCode: "Info",
      EventCode: "29",
      dest: "DESKTOP-RM9DD5S",
      Message: `Changes to '/system.web/customErrors/error[@statusCode="404"]' at 'MACHINE/WEBROOT/APPHOST/Default Web Site' have successfully been committed.`,
      count: 1,
      firstTime: "2023-04-17T18:50:04",
      lastTime: "2023-04-17T18:50:04",
    });
    expect(rows[0].enrichment).toMatchObject({
      kind: "iis-configuration-change",
      changes: [{ kind: "other_configuration_change", configuration: '/system.web/customErrors/error[@statusCode="404"]', operation: "add" }],
    });

    const notables = await db().notable.findMany();
    expect(notables).toHaveLength(1);
    expect(notables[0]).toMatchObject({
      title: "Windows IIS Components New Module Added",
      dest: "DESKTOP-RM9DD5S",
      severity: "medium",
      urgency: "medium",
      status: "new",
      time: at("2023-04-17T20:00:00Z"),
      resultId: rows[0].id,
    });
    const risk = await db().riskEvent.findMany();
    expect(risk).toMatchObject([
      { riskScore: 48, riskObject: "DESKTOP-RM9DD5S", normalizedRiskObject: "desktop-rm9dd5s", riskMessage: "A new IIS Module has been loaded and should be reviewed on DESKTOP-RM9DD5S." },
    ]);
    expect(risk[0].annotations).toMatchObject({ mitre_attack: ["T1505", "T1505.004"], type: "TTP", mitre_attack_tactics: ["Persistence"] });
  });
});

describe("stats semantics", () => {
  it("groups events with the same by-fields into one row with count, firstTime and lastTime", async () => {
    await store2282([
      { host: "web01", time: "2024-05-01T09:05:10.900Z" },
      { host: "web01", time: "2024-05-01T09:20:00Z" },
      { host: "web01", time: "2024-05-01T09:49:59.999Z" },
      { host: "web01", time: "2024-05-01T09:30:00Z", moduleDll: "c:\\other.dll" },
    ]);
    await runScheduled(at("2024-05-01T10:00:00Z"));
    const { rows } = await listResults({ detectionId: FAILED_TO_LOAD });
    const byDll = Object.fromEntries(rows.map((r) => [r.fields.ModuleDll, r.fields]));
    expect(byDll["c:\\temp\\msf.dll"]).toMatchObject({ count: 3, firstTime: "2024-05-01T09:05:10", lastTime: "2024-05-01T09:49:59" });
    expect(byDll["c:\\other.dll"]).toMatchObject({ count: 1 });
    expect(rows).toHaveLength(2);
  });

  it("counts every event of a large group in its enrichment while listing only the first ids, and links them all", async () => {
    // 250 failures of one DLL in one window (distinct record ids: distinct events), one result.
    const start = at("2024-05-01T09:00:00Z").getTime();
    await store2282(Array.from({ length: 250 }, (_, i) => ({ host: "web01", time: new Date(start + i * 1000).toISOString(), recordId: 1000 + i })));
    await runScheduled(at("2024-05-01T10:00:00Z"));
    const { rows } = await listResults({ detectionId: FAILED_TO_LOAD });
    expect(rows).toHaveLength(1);
    expect(rows[0].fields).toMatchObject({ count: 250 });
    expect(rows[0].enrichment).toMatchObject({ eventCount: 250, eventIdsTruncated: true });
    const enrichment = rows[0].enrichment as { eventIds: string[] };
    expect(enrichment.eventIds).toHaveLength(100);
    // The ids listed are the group's first events in time, and the result's page still reaches all 250.
    const all = await contributingEvents(rows[0].id, { limit: 500 });
    expect(all).toHaveLength(250);
    expect(enrichment.eventIds).toEqual(all.slice(0, 100).map((e) => String(e.id)));
  });

  it("drops rows whose group field is null: 2282 without ModuleDll, 29 without Message", async () => {
    await store2282([{ host: "web01", time: "2024-05-01T09:10:00Z", moduleDll: null }]);
    await store29([{ host: "web01", time: "2024-05-01T09:10:00Z", configuration: MODULE_ADD, withoutMessage: true }]);
    const runs = await runScheduled(at("2024-05-01T10:00:00Z"));
    expect(runs.map((r) => r.rowCount)).toEqual(DETECTION_SPECS.map(() => 0));
    expect(await counts()).toEqual({ results: 0, risk: 0, notables: 0 });
  });

  it("includes an event at exactly run-70m@m and leaves one at run-10m@m to the next run", async () => {
    await store2282([
      { host: "edge-in", time: "2024-05-01T08:50:00Z" },
      { host: "edge-out", time: "2024-05-01T09:50:00Z" },
    ]);
    await runScheduled(at("2024-05-01T10:00:00Z"), { detectionIds: [FAILED_TO_LOAD] });
    expect((await listResults()).rows.map((r) => r.dest)).toEqual(["edge-in"]);
    await runScheduled(at("2024-05-01T11:00:00Z"), { detectionIds: [FAILED_TO_LOAD] });
    expect((await listResults()).rows.map((r) => r.dest).sort()).toEqual(["edge-in", "edge-out"]);
  });

  it("snaps an off-the-minute run time to the minute (@m)", async () => {
    await store2282([{ host: "web01", time: "2024-05-01T08:50:00Z" }]);
    const [run] = await runScheduled(at("2024-05-01T10:00:42Z"), { detectionIds: [FAILED_TO_LOAD] });
    expect(run).toMatchObject({ windowStart: at("2024-05-01T08:50:00Z"), windowEnd: at("2024-05-01T09:50:00Z"), resultCount: 1 });
  });

  it("gives identical ESCU rows whether the events arrived as XML, classic text or JSON", async () => {
    const inputs29: Event29Input[] = [
      { host: "WEB01", time: "2024-05-01T09:05:10Z", configuration: MODULE_ADD, newValue: "c:\\windows\\evil.dll", recordId: 1 },
      { host: "WEB01", time: "2024-05-01T09:06:11Z", configuration: MODULE_ADD, newValue: "c:\\windows\\evil.dll", recordId: 2 },
      { host: "WEB02", time: "2024-05-01T09:07:00Z", configuration: "/system.webServer/httpLogging/@dontLog", newValue: "true", recordId: 3 },
    ];
    const inputs2282: Event2282Input[] = [
      { host: "web01.corp.local", time: "2024-05-01T09:10:00Z", recordId: 4 },
      { host: "web01.corp.local", time: "2024-05-01T09:11:00Z", recordId: 5 },
    ];
    const rowsByFormat: Record<string, unknown> = {};
    for (const format of ["xml", "classic", "json"] as const) {
      await resetDatabase();
      await store29(inputs29, format);
      await store2282(inputs2282, format);
      // ESCU's searches only: Sigma's rules read event data, which classic text does not have (sigma.db.test.ts).
      await runScheduled(at("2024-05-01T10:00:00Z"), { detectionIds: DETECTION_SPECS.filter((s) => !s.sigma).map((s) => s.id) });
      const { rows } = await listResults();
      rowsByFormat[format] = rows.map((r) => ({ detectionId: r.detectionId, fields: r.fields })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    expect((rowsByFormat.xml as unknown[]).length).toBe(3);
    expect(rowsByFormat.classic).toEqual(rowsByFormat.xml);
    expect(rowsByFormat.json).toEqual(rowsByFormat.xml);
  });
});

describe("ES scheduling: overlap, idempotency, late events", () => {
  it("re-running the same window reports nothing twice", async () => {
    await store29([{ host: "web01", time: "2024-05-01T09:10:00Z", configuration: MODULE_ADD }]);
    await runScheduled(at("2024-05-01T10:00:00Z"));
    const again = await runScheduled(at("2024-05-01T10:00:00Z"));
    expect(again.find((r) => r.detectionId === NEW_MODULE)).toMatchObject({ rowCount: 1, resultCount: 0 });
    expect(await counts()).toEqual({ results: 1, risk: 1, notables: 1 });
    // Two runs of each detection.
    expect(await db().detectionRun.count()).toBe(2 * DETECTION_SPECS.length);
  });

  it("an event in two overlapping windows yields one result, one risk event and one notable", async () => {
    await store29([{ host: "web01", time: "2024-05-01T09:40:00Z", configuration: MODULE_ADD }]);
    // The 10:00 run covers [08:50, 09:50); a run delayed to 10:10 covers [09:00, 10:00): 50 minutes in common.
    await runScheduled(at("2024-05-01T10:00:00Z"));
    const delayed = await runScheduled(at("2024-05-01T10:10:00Z"));
    expect(delayed.find((r) => r.detectionId === NEW_MODULE)).toMatchObject({ rowCount: 1, resultCount: 0 });
    expect(await counts()).toEqual({ results: 1, risk: 1, notables: 1 });
  });

  it("a group seen again with a new event in an overlapping window is reported again, with Splunk's full count", async () => {
    await store29([{ host: "web01", time: "2024-05-01T09:40:00Z", configuration: MODULE_ADD }]);
    await runScheduled(at("2024-05-01T10:00:00Z"));
    await store29([{ host: "web01", time: "2024-05-01T09:55:00Z", configuration: MODULE_ADD }]);
    await runScheduled(at("2024-05-01T10:10:00Z")); // [09:00, 10:00): both events, one of them new
    const { rows } = await listResults({ detectionId: NEW_MODULE });
    expect(rows.map((r) => r.fields.count)).toEqual([2, 1]);
    expect(await counts()).toEqual({ results: 2, risk: 2, notables: 2 });
  });

  it("picks up late events of an already-run window after their upload, once", async () => {
    await store2282([{ host: "web01", time: "2024-05-01T09:10:00Z" }]);
    await runScheduled(at("2024-05-01T10:00:00Z"));
    const late = await store2282([{ host: "web01", time: "2024-05-01T09:20:00Z" }]);
    const { runs } = await runForNewEvents(late, { now: at("2024-05-01T12:00:00Z") });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ kind: "replay", runTime: at("2024-05-01T10:00:00Z"), resultCount: 1 });
    const { rows } = await listResults({ detectionId: FAILED_TO_LOAD });
    expect(rows.map((r) => r.fields.count)).toEqual([2, 1]);
    expect(await db().riskEvent.count()).toBe(2);
    // Again: nothing new.
    expect((await runForNewEvents(late, { now: at("2024-05-01T12:00:00Z") })).runs[0].resultCount).toBe(0);
    expect(await db().riskEvent.count()).toBe(2);
  });

  it("leaves windows whose time has not come to the scheduler", async () => {
    const upload = await store2282([{ host: "web01", time: "2024-05-01T09:55:00Z" }]);
    // The one window holding it, [09:50, 10:50), runs at 11:00: not due at 10:30, and said so.
    expect(await runForNewEvents(upload, { now: at("2024-05-01T10:30:00Z") })).toEqual({ runs: [], pendingUntil: at("2024-05-01T11:00:00Z") });
    expect(await runForNewEvents(upload, { now: at("2024-05-01T11:00:00Z") })).toMatchObject({ runs: [{ resultCount: 1 }], pendingUntil: null });
  });

  it("catches up on uploads by what was evaluated, not by a high-water mark", async () => {
    const first = await store2282([{ host: "web01", time: "2024-05-01T09:10:00Z" }]);
    await evaluateUpload(first, { now: at("2024-05-01T12:00:00Z") });
    // An upload stored, then a crash before its detections ran: it has no evaluation record. A later upload with
    // newer events evaluated meanwhile (what would have raised a high-water mark past it) changes nothing.
    const skipped = await store2282([{ host: "web02", time: "2024-05-01T06:00:00Z" }]);
    const later = await store2282([{ host: "web03", time: "2024-05-01T09:20:00Z" }]);
    await evaluateUpload(later, { now: at("2024-05-01T12:00:00Z") });
    expect(await uploadsNeedingEvaluation(at("2024-05-01T12:00:00Z"))).toEqual([skipped]);
    const runs = await catchUpEvaluations(at("2024-05-01T12:00:00Z"));
    expect(runs.filter((r) => r.resultCount > 0)).toMatchObject([{ detectionId: FAILED_TO_LOAD, resultCount: 1 }]);
    expect((await listResults()).rows.map((r) => r.dest).sort()).toEqual(["web01", "web02", "web03"]);
    // Everything evaluated: the next catch-up has nothing to do, and nothing was reported twice.
    expect(await uploadsNeedingEvaluation(at("2024-05-01T12:00:00Z"))).toEqual([]);
    expect(await db().riskEvent.count()).toBe(3);
  });

  it("evaluates an upload again once windows that were not due at its evaluation come due", async () => {
    const upload = await store2282([{ host: "web01", time: "2024-05-01T09:55:00Z" }]);
    expect((await evaluateUpload(upload, { now: at("2024-05-01T10:30:00Z") })).pendingUntil).toEqual(at("2024-05-01T11:00:00Z"));
    expect(await uploadsNeedingEvaluation(at("2024-05-01T10:59:00Z"))).toEqual([]);
    expect(await uploadsNeedingEvaluation(at("2024-05-01T11:00:00Z"))).toEqual([upload]);
    await catchUpEvaluations(at("2024-05-01T11:00:00Z"));
    expect(await db().detectionResult.count()).toBe(1);
    expect(await uploadsNeedingEvaluation(at("2024-05-01T11:00:00Z"))).toEqual([]);
  });

  it("replays history run by run over the hours the events cover, idempotently", async () => {
    await store29([
      { host: "web01", time: "2024-05-01T09:10:00Z", configuration: MODULE_ADD },
      { host: "web01", time: "2024-05-01T13:30:00Z", configuration: MODULE_ADD },
    ]);
    await store2282([{ host: "web02", time: "2024-05-01T11:00:00Z" }]);
    const runs = await replayHistory({ now: at("2024-06-01T00:00:00Z") });
    expect(runs.map((r) => [r.detectionId, r.kind, r.runTime.toISOString(), r.resultCount])).toEqual([
      [NEW_MODULE, "replay", "2024-05-01T10:00:00.000Z", 1],
      [NEW_MODULE, "replay", "2024-05-01T14:00:00.000Z", 1],
      [FAILED_TO_LOAD, "replay", "2024-05-01T12:00:00.000Z", 1],
    ]);
    const risk = await db().riskEvent.findMany({ orderBy: { time: "asc" } });
    expect(risk.map((r) => r.time.toISOString())).toEqual(["2024-05-01T10:00:00.000Z", "2024-05-01T12:00:00.000Z", "2024-05-01T14:00:00.000Z"]);
    const again = await replayHistory({ now: at("2024-06-01T00:00:00Z") });
    expect(again.map((r) => r.resultCount)).toEqual([0, 0, 0]);
    expect(await counts()).toEqual({ results: 3, risk: 3, notables: 2 });
  });
});

describe("settings", () => {
  it("a disabled detection does not run; the change is audited", async () => {
    await store29([{ host: "web01", time: "2024-05-01T09:10:00Z", configuration: MODULE_ADD }]);
    await updateDetectionSetting(NEW_MODULE, { enabled: false }, { id: null, username: "admin" });
    const runs = await runScheduled(at("2024-05-01T10:00:00Z"));
    expect(runs.map((r) => r.detectionId)).toEqual(DETECTION_SPECS.map((s) => s.id).filter((id) => id !== NEW_MODULE));
    expect(await counts()).toEqual({ results: 0, risk: 0, notables: 0 });
    const audit = await db().auditLog.findMany();
    expect(audit).toMatchObject([
      { action: "detection.update", actorName: "admin", targetId: NEW_MODULE, before: { enabled: true, riskScore: null }, after: { enabled: false, riskScore: null } },
    ]);
  });

  it("a changed score sets the risk score, the notable severity and its urgency", async () => {
    await db().host.create({ data: { id: "web01", name: "WEB01", priority: "high" } });
    await store29([{ host: "WEB01", time: "2024-05-01T09:10:00Z", configuration: MODULE_ADD }]);
    const detection = await updateDetectionSetting(NEW_MODULE, { riskScore: 85 });
    expect(detection).toMatchObject({ riskScore: 85, severity: "critical", riskScoreOverride: 85 });
    await runScheduled(at("2024-05-01T10:00:00Z"));
    // The admin's 85 is the base; the module, new on the host, adds 10.
    expect(await db().riskEvent.findMany()).toMatchObject([{ baseRiskScore: 85, riskScore: 95 }]);
    expect(await db().notable.findMany()).toMatchObject([{ severity: "critical", urgency: "critical" }]);
    await updateDetectionSetting(NEW_MODULE, { riskScore: null });
    expect(await getDetection(NEW_MODULE)).toMatchObject({ riskScore: 48, severity: "medium" });
  });

  it("urgency follows the host's priority (ES matrix): medium severity on a low-priority host is low", async () => {
    await db().host.create({ data: { id: "web01", name: "web01", priority: "low" } });
    await store29([{ host: "web01", time: "2024-05-01T09:10:00Z", configuration: MODULE_ADD }]);
    await runScheduled(at("2024-05-01T10:00:00Z"));
    expect(await db().notable.findMany()).toMatchObject([{ severity: "medium", urgency: "low" }]);
  });
});

describe("the _filter macro (suppressions)", () => {
  it("removes matching rows (values case-insensitive, * wildcard) and counts them on the run", async () => {
    await store2282([
      { host: "web01", time: "2024-05-01T09:10:00Z", moduleDll: "C:\\Program Files\\Vendor\\ok.dll" },
      { host: "web02", time: "2024-05-01T09:10:00Z", moduleDll: "c:\\temp\\msf.dll" },
    ]);
    await db().suppression.create({ data: { detectionId: FAILED_TO_LOAD, match: { ModuleDll: "c:\\program files\\*" }, reason: "vendor module" } });
    await db().suppression.create({
      data: { detectionId: FAILED_TO_LOAD, match: { dest: "web02" }, reason: "expired", expiresAt: at("2020-01-01T00:00:00Z") },
    });
    const [run] = await runScheduled(at("2024-05-01T10:00:00Z"), { detectionIds: [FAILED_TO_LOAD] });
    expect(run).toMatchObject({ rowCount: 1, suppressedCount: 1, resultCount: 1 });
    expect((await listResults()).rows.map((r) => r.dest)).toEqual(["web02"]);
  });

  it("reads %, _, \\ and quotes in a value literally: only * is a wildcard", async () => {
    await store2282([
      { host: "web01", time: "2024-05-01T09:10:00Z", moduleDll: "c:\\o'brien\\50%_off.dll" },
      { host: "web02", time: "2024-05-01T09:10:00Z", moduleDll: "c:\\o'brien\\50xxoff.dll" },
      { host: "web03", time: "2024-05-01T09:10:00Z", moduleDll: "c:/o'brien/50%_off.dll" },
    ]);
    await db().suppression.create({ data: { detectionId: FAILED_TO_LOAD, match: { ModuleDll: "C:\\O'Brien\\50%_off.dll" }, reason: "exact" } });
    await db().suppression.create({ data: { detectionId: FAILED_TO_LOAD, match: { dest: "'); DROP TABLE events; --" }, reason: "hostile" } });
    const [run] = await runScheduled(at("2024-05-01T10:00:00Z"), { detectionIds: [FAILED_TO_LOAD] });
    expect(run).toMatchObject({ rowCount: 2, suppressedCount: 1, resultCount: 2 });
    expect((await listResults()).rows.map((r) => r.dest).sort()).toEqual(["web02", "web03"]);
    expect(await db().event.count()).toBe(3);
  });
});

describe("ad-hoc runs (ES run search)", () => {
  it("returns the search's rows over any range without reporting them", async () => {
    await store2282([
      { host: "web01", time: "2024-05-01T09:10:00Z" },
      { host: "web01", time: "2024-05-03T17:45:00Z" },
    ]);
    const [result] = await runAdhoc({ detectionId: FAILED_TO_LOAD, from: at("2024-05-01T00:00:00Z"), to: at("2024-05-04T00:00:00Z") });
    expect(result.run).toMatchObject({ kind: "adhoc", rowCount: 1, resultCount: 0 });
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0].fields).toMatchObject({ count: 2, firstTime: "2024-05-01T09:10:00", lastTime: "2024-05-03T17:45:00" });
    expect(result.rows[0].eventIds).toHaveLength(2);
    expect(await counts()).toEqual({ results: 0, risk: 0, notables: 0 });
    // The scheduled run still reports them.
    await runScheduled(at("2024-05-01T10:00:00Z"));
    expect(await db().riskEvent.count()).toBe(1);
  });
});

describe("enrichment", () => {
  it("tells a module added to globalModules with its image from other configuration changes", async () => {
    await store29([
      { host: "web01", time: "2024-05-01T09:10:00Z", configuration: MODULE_ADD, newValue: "C:\\Windows\\Temp\\evil.dll" },
      { host: "web01", time: "2024-05-01T09:10:01Z", configuration: '/system.webServer/modules/add[@name="EvilModule"]' },
      { host: "web01", time: "2024-05-01T09:10:02Z", configuration: "/system.webServer/httpLogging/@dontLog", newValue: "true", editOperationType: "3" },
    ]);
    await runScheduled(at("2024-05-01T10:00:00Z"));
    const { rows } = await listResults({ detectionId: NEW_MODULE });
    const changes = rows.flatMap((r) => (r.enrichment.changes as { kind: string }[]).map((c) => ({ ...c, eventIds: r.enrichment.eventIds })));
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "module_added", scope: "globalModules", module: "EvilModule", image: "C:\\Windows\\Temp\\evil.dll" }),
        expect.objectContaining({ kind: "module_added", scope: "modules", module: "EvilModule" }),
        expect.objectContaining({ kind: "http_logging_disabled", operation: "modify" }),
      ]),
    );
    for (const r of rows) {
      const ids = (await contributingEvents(r.id)).map((e) => String(e.id));
      expect(r.enrichment.eventIds).toEqual(ids);
    }
  });
});

describe("risk queries", () => {
  it("gives the ESCU 7-day drilldown aggregate of a host", async () => {
    await store29([{ host: "WEB01", time: "2024-05-01T09:10:00Z", configuration: MODULE_ADD }]);
    await store2282([{ host: "web01", time: "2024-05-02T09:10:00Z" }]);
    await replayHistory({ now: at("2024-06-01T00:00:00Z") });
    const row = await riskDrilldown("Web01", at("2024-05-03T00:00:00Z"));
    expect(row).toEqual({
      normalized_risk_object: "web01",
      count: 2,
      firstTime: "2024-05-01T10:00:00",
      lastTime: "2024-05-02T10:00:00",
      "Search Name": ["ESCU - Windows IIS Components Module Failed to Load - Rule", "ESCU - Windows IIS Components New Module Added - Rule"],
      "Risk Message": ["A new IIS Module has been loaded and should be reviewed on WEB01.", "A new IIS Module has been loaded and should be reviewed on web01."],
      "Analytic Stories": ["IIS Components"],
      Annotations: ["Anomaly", "CIS 10", "DE.AE", "DE.CM", "IIS Components", "Installation", "T1505", "T1505.004", "TTP", "Windows Event Log Application 2282", "Windows IIS 29"],
      "ATT&CK Tactics": ["Persistence"],
    });
    // 168 hours back from the reference only.
    expect(await riskDrilldown("web01", at("2024-05-09T09:00:00Z"))).toMatchObject({ count: 1 });
    expect(await riskDrilldown("web01", at("2024-05-20T00:00:00Z"))).toBeNull();
    // normalized_risk_object is the lower-cased risk object.
    expect(await db().riskEvent.count({ where: { normalizedRiskObject: "web01", time: { gte: at("2024-05-01T00:00:00Z"), lt: at("2024-05-02T00:00:00Z") } } })).toBe(1);
  });
});
