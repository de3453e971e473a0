import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { db } from "../db/client";
import { pgPool } from "../db/pg";
import { previousCronTime } from "../detections/schedule";
import { detectionSchedulerStatus, startDetectionScheduler, stopDetectionScheduler, triggerScheduledTick } from "./scheduler";
import { runDue } from "../detections/runs";
import { DETECTION_SPECS } from "../detections/specs";
import { event2282Parts, normalized, storeAsUpload } from "../../tests/support/iis-events";

const FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";

beforeEach(resetDatabase);
afterAll(stopDetectionScheduler);

async function storeRecent2282(host: string) {
  // 30 minutes before the latest scheduled time: inside that run's window [-70m, -10m).
  const due = previousCronTime("0 * * * *", new Date());
  const time = new Date(due.getTime() - 30 * 60_000).toISOString();
  await storeAsUpload(normalized([event2282Parts({ host, time }, "xml")], "xml"));
  return due;
}

describe("the detection scheduler", () => {
  it("runs on pg-boss (real Postgres and embedded PGlite alike): schedules the ESCU cron and runs what is due", async () => {
    const started = await startDetectionScheduler();
    expect(started.mode).toBe("pg-boss");
    expect(await startDetectionScheduler()).toEqual(started);
    expect(detectionSchedulerStatus()).toMatchObject({ running: true, mode: "pg-boss" });
    const { rows } = await pgPool().query<{ name: string; cron: string }>("SELECT name, cron FROM pgboss.schedule");
    expect(rows).toEqual([{ name: "iiswatch-detections-0", cron: "0 * * * *" }]);

    const due = await storeRecent2282("web01");
    const jobId = await triggerScheduledTick();
    // Until the tick's job is done (every detection run), so that no run of it lands in the next test's database.
    let state: string | undefined;
    for (let i = 0; i < 120 && state !== "completed"; i++) {
      await new Promise((r) => setTimeout(r, 500));
      state = (await pgPool().query<{ state: string }>("SELECT state::text FROM pgboss.job WHERE id = $1", [jobId])).rows[0]?.state;
    }
    expect(state).toBe("completed");
    expect(await db().detectionResult.count()).toBe(1);
    const runs = await db().detectionRun.findMany({ where: { kind: "scheduled" } });
    expect(runs.map((r) => [r.detectionId, r.runTime.toISOString(), r.trigger]).sort()).toContainEqual([FAILED_TO_LOAD, due.toISOString(), "scheduler"]);

    await stopDetectionScheduler();
    expect(detectionSchedulerStatus()).toEqual({ running: false });
  });

  it("makes up scheduled runs missed while the server was down", async () => {
    const now = new Date("2024-05-01T10:20:00Z");
    const first = await runDue(new Date("2024-05-01T06:05:00Z"));
    // One run of each detection.
    expect(first.filter((r) => r.kind === "scheduled").map((r) => r.runTime.toISOString())).toEqual(DETECTION_SPECS.map(() => "2024-05-01T06:00:00.000Z"));
    const later = await runDue(now);
    expect([...new Set(later.map((r) => r.runTime.toISOString()))]).toEqual([
      "2024-05-01T07:00:00.000Z",
      "2024-05-01T08:00:00.000Z",
      "2024-05-01T09:00:00.000Z",
      "2024-05-01T10:00:00.000Z",
    ]);
    expect((await runDue(now)).length).toBe(0);
  });
});
