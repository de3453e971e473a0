// ES's risk incident rules over history, on risk events written by the real engine from October data: every
// crossing becomes one notable of its own with its contributing risk events, stored once however often the rules
// run; deleting the upload it came from takes it away.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { pgPool } from "../db/pg";
import { runScheduled } from "../detections/runs";
import { store29 } from "../../tests/support/iis-events";
import { hostNotables } from "../hosts/queries";
import { deleteUpload } from "../pipeline/delete-upload";
import { getNotable, listNotables } from "../triage/notables";
import { notableListParams } from "../triage/fields";
import { listRiskIncidents, storeRiskIncidents } from "./incidents";

const at = (iso: string) => new Date(iso);
const addModule = (name: string) => `/system.webServer/globalModules/add[@name="${name}"]`;
let october2: string;

beforeEach(async () => {
  await resetDatabase();
  // web01, 2 October: three modules added within the hour, each new on the host (3 × (48 + 10) = 174 > 100 in 24 h).
  october2 = await store29([
    { host: "web01", time: "2026-10-02T10:05:00Z", configuration: addModule("A") },
    { host: "web01", time: "2026-10-02T10:15:00Z", configuration: addModule("B") },
    { host: "web01", time: "2026-10-02T10:25:00Z", configuration: addModule("C") },
    // web02: one module (48): under the threshold.
    { host: "web02", time: "2026-10-02T10:30:00Z", configuration: addModule("D") },
  ]);
  await runScheduled(at("2026-10-02T11:00:00Z"));
  // web01 again, 9 October: another episode, a week later.
  await store29([
    { host: "web01", time: "2026-10-09T10:05:00Z", configuration: addModule("E") },
    { host: "web01", time: "2026-10-09T10:15:00Z", configuration: addModule("F") },
    { host: "web01", time: "2026-10-09T10:25:00Z", configuration: addModule("G") },
  ]);
  await runScheduled(at("2026-10-09T11:00:00Z"));
});

describe("risk incident rules over history", () => {
  it("stores every crossing in the data once, as a notable of its own with its contributing risk events", async () => {
    expect(await storeRiskIncidents()).toBe(2);
    // Run again (the next upload, the next hour): nothing new.
    expect(await storeRiskIncidents()).toBe(0);

    // The same crossings, found here in SQL: per object, days whose risk events sum over 100.
    const { rows: expected } = await pgPool().query<{ object: string; time: Date; score: number; n: number }>(
      `SELECT normalized_risk_object AS object, time, sum(risk_score)::int AS score, count(*)::int AS n
       FROM risk_events GROUP BY 1, 2 HAVING sum(risk_score) > 100 ORDER BY time DESC`,
    );
    const incidents = await listRiskIncidents();
    expect(incidents.total).toBe(2);
    expect(incidents.rows.map((i) => [i.rule, i.dest.toLowerCase(), i.time.toISOString(), i.score, i.riskEvents])).toEqual(
      expected.map((e) => ["scoreOver24h", e.object, e.time.toISOString(), e.score, e.n]),
    );
    expect(incidents.rows[0].title).toBe("Risk Threshold Exceeded For Object Over 24 Hour Period");

    // On the host page and in the queue, beside the detections' notables.
    const onHost = await hostNotables("web01", { limit: 25, offset: 0 });
    expect(onHost.rows.filter((n) => n.title.startsWith("Risk Threshold")).length).toBe(2);
    const queue = await listNotables(notableListParams.parse({ status: "all", detection: "risk_incident" }), null);
    expect(queue.rows.map((r) => [r.incidentRule, r.resultId, r.what])).toEqual([
      ["scoreOver24h", null, "risk 174 on WEB01".replace("WEB01", queue.rows[0].dest!)],
      ["scoreOver24h", null, "risk 174 on WEB01".replace("WEB01", queue.rows[1].dest!)],
    ]);
    const notable = await getNotable(incidents.rows[0].id);
    expect(notable).toMatchObject({ incidentRule: "scoreOver24h", resultId: null, risk: 174, severity: "high" });
    expect(notable!.contributingRisk.map((r) => r.riskScore)).toEqual([58, 58, 58]);
  });

  it("finds the same incidents whatever order the data arrives in, and an episode that starts earlier keeps its triage", async () => {
    const episodes = async () => (await listRiskIncidents({ dest: "web03" })).rows.map((i) => [i.time.toISOString(), i.score, i.riskEvents]).reverse();
    // web03, 20–21 October: crossings at 01:00 and 12:00 (one episode: ES throttles a day), then 02:00 the next day (another).
    const batch = (day: string, hour: string, names: string[]) =>
      names.map((n, i) => ({ host: "web03", time: `2026-10-${day}T${String(Number(hour) - 1).padStart(2, "0")}:${String(10 + i * 10)}:00Z`, configuration: addModule(n) }));
    // The middle one arrives (and is evaluated) first, and is triaged.
    await store29(batch("20", "12", ["M1", "M2", "M3"]));
    await runScheduled(at("2026-10-20T12:00:00Z"));
    await storeRiskIncidents();
    // Each module is new on web03 (+10) and on one host of the three (+10): 68 each.
    expect(await episodes()).toEqual([["2026-10-20T12:00:00.000Z", 204, 3]]);
    const [first] = (await listRiskIncidents({ dest: "web03" })).rows;
    await pgPool().query(`UPDATE notables SET status = 'in_progress' WHERE id = $1`, [first.id]);
    // Then the rest.
    await store29([...batch("20", "01", ["E1", "E2", "E3"]), ...batch("21", "02", ["L1", "L2", "L3"])]);
    await runScheduled(at("2026-10-20T01:00:00Z"));
    await runScheduled(at("2026-10-21T02:00:00Z"));
    await storeRiskIncidents();
    const arrivedOutOfOrder = await episodes();
    // The triaged notable now stands for the episode from its first crossing (01:00), with that window's risk events.
    expect(arrivedOutOfOrder).toEqual([
      ["2026-10-20T01:00:00.000Z", 204, 3],
      ["2026-10-21T02:00:00.000Z", 408, 6],
    ]);
    expect((await pgPool().query(`SELECT status::text FROM notables WHERE id = $1`, [first.id])).rows[0].status).toBe("in_progress");
    expect(await storeRiskIncidents()).toBe(0);

    // The same data all at once, in time order: the same incidents.
    await pgPool().query(`DELETE FROM notables WHERE incident_rule IS NOT NULL`);
    await storeRiskIncidents();
    expect(await episodes()).toEqual(arrivedOutOfOrder);
  });

  it("deleting the upload the risk came from takes its incident away; the other stays", async () => {
    await storeRiskIncidents();
    await deleteUpload(october2);
    const incidents = await listRiskIncidents();
    expect(incidents.rows.map((i) => i.time.toISOString())).toEqual(["2026-10-09T11:00:00.000Z"]);
  });
});
