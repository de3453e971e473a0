// The risk rollups (by host, detection, tactic) on risk events written by the real engine: scores, event counts
// and the distinct counts (sources, hosts) an analyst reads off the Risk page.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { pgPool } from "../db/pg";
import { runScheduled } from "../detections/runs";
import { store2282, store29 } from "../../tests/support/iis-events";
import { getHost, hostDataBounds, hostRiskEvents } from "../hosts/queries";
import { defaultRangeFor, resolveRange } from "../views/range";
import { evaluateIncidentRules, riskByDetection, riskByHost, riskByTactic, riskEventBounds } from "./rollups";

const NEW_MODULE = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";
const HOUR = 3_600_000;
const base = new Date("2026-05-01T09:00:00Z");
const t = (minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();
const window = { from: new Date(base.getTime() - HOUR), to: new Date(base.getTime() + 3 * HOUR) };

beforeEach(async () => {
  await resetDatabase();
  // web01: two DLLs failing (two results, 25 each) and a module added (48); WEB02 (the same casing rules as ES:
  // normalized to web02): one DLL failing. Each adds its provenance factors (lib/detections/risk-factors.ts): a DLL
  // outside the IIS folders +15 and first seen on its host +10 (50 each), the module first seen on web01 +10 (58).
  await store2282([
    { host: "web01", time: t(5), moduleDll: "c:\\a.dll" },
    { host: "web01", time: t(6), moduleDll: "c:\\b.dll" },
    { host: "WEB02", time: t(7), moduleDll: "c:\\a.dll" },
  ]);
  await store29([{ host: "web01", time: t(8), configuration: '/system.webServer/globalModules/add[@name="Evil"]' }]);
  await runScheduled(new Date(base.getTime() + HOUR));
});

describe("risk rollups", () => {
  it("by host: score, risk events, distinct sources and tactics", async () => {
    expect(await riskByHost(window)).toMatchObject([
      { host: "web01", score: 158, events: 3, sources: 2, tactics: ["Persistence"] },
      { host: "web02", score: 50, events: 1, sources: 1, tactics: ["Persistence"] },
    ]);
  });

  it("by detection: score, risk events and distinct hosts", async () => {
    const rows = await riskByDetection(window);
    expect(rows.map((r) => [r.detectionId, r.score, r.events, r.hosts])).toEqual([
      [FAILED_TO_LOAD, 150, 3, 2],
      [NEW_MODULE, 58, 1, 1],
    ]);
  });

  it("by ATT&CK tactic: score, risk events and distinct hosts", async () => {
    expect(await riskByTactic(window)).toEqual([{ tactic: "Persistence", score: 208, events: 4, hosts: 2 }]);
  });
});

describe("ES risk incident rules", () => {
  // Risk from three other sources for web02 (as ES gathers it from every detection), each event with two tactics.
  const otherSources = () =>
    pgPool().query(
      `INSERT INTO risk_events (time, detection_id, result_id, risk_object, risk_object_type, normalized_risk_object, risk_score,
                                risk_message, search_name, analytic_stories, annotations, mitre_tactics, info_min_time, info_max_time, fields)
       SELECT time, detection_id, result_id, risk_object, risk_object_type, normalized_risk_object, 30, risk_message,
              'ESCU - Other ' || g || ' - Rule', analytic_stories, annotations, ARRAY['Execution', 'Defense Evasion'],
              info_min_time, info_max_time, fields
       FROM risk_events, generate_series(1, 3) AS g WHERE normalized_risk_object = 'web02'`,
    );

  it("count a risk event with several tactics once in the score and the event count", async () => {
    await otherSources();
    expect((await riskByHost(window)).find((h) => h.host === "web02")).toMatchObject({
      score: 50 + 3 * 30,
      events: 4,
      sources: 4,
      tactics: ["Defense Evasion", "Execution", "Persistence"],
    });
  });

  it("find every object over 100 in 24 hours, and with 3 tactics from 4 sources in 7 days, with every contributing risk event", async () => {
    const at = new Date(base.getTime() + 2 * HOUR);
    const row = (f: Awaited<ReturnType<typeof evaluateIncidentRules>>[number]) => [f.rule, f.host, f.score, f.sources, f.tactics.length, f.contributing.length];
    // web01: 158 (its factors take it over 100; 98 without them), one tactic, two sources; web02: 50.
    expect((await evaluateIncidentRules(at)).map(row)).toEqual([["scoreOver24h", "web01", 158, 2, 1, 3]]);
    await otherSources();
    const findings = (await evaluateIncidentRules(at)).filter((f) => f.host === "web02");
    expect(findings.map(row)).toEqual([
      ["scoreOver24h", "web02", 140, 4, 3, 4],
      ["tacticsOver7d", "web02", 140, 4, 3, 4],
    ]);
    expect(findings[0].contributing.map((c) => c.riskScore).sort()).toEqual([30, 30, 30, 50]);
  });
});

describe("time that means what it says, on data months old", () => {
  it("the Risk page's 'all' spans every risk event, and an old host's page holds every one of its risk events", async () => {
    // Risk raised later, by a second run: the host's last risk event comes after its last event.
    await store29([{ host: "web01", time: t(70), configuration: '/system.webServer/modules/add[@name="Evil2"]' }]);
    await runScheduled(new Date(base.getTime() + 2 * HOUR));
    const [sql] = (
      await pgPool().query<{ n: number; first: Date; last: Date; host_n: number }>(
        `SELECT count(*)::int AS n, min(time) AS first, max(time) AS last, count(*) FILTER (WHERE normalized_risk_object = 'web01')::int AS host_n FROM risk_events`,
      )
    ).rows;
    const bounds = await riskEventBounds();
    expect(bounds).toEqual({ first: sql.first, last: sql.last });
    const all = resolveRange({ range: "all" }, bounds);
    expect((await riskByHost(all)).reduce((n, h) => n + h.events, 0)).toBe(sql.n);

    const host = (await getHost("web01"))!;
    expect(host.lastEvent!.getTime()).toBeLessThan(sql.last.getTime());
    const hostBounds = await hostDataBounds(host);
    const range = resolveRange({ range: defaultRangeFor(hostBounds.last) }, hostBounds);
    expect(range.key).toBe("all");
    expect((await hostRiskEvents("web01", range.from, range.to, { limit: 100, offset: 0 })).total).toBe(sql.host_n);
  });
});
