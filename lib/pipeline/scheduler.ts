// The clock: pg-boss (in the worker processes) fires each distinct detection cron (ESCU: `0 * * * *`) and a worker
// runs what is due (lib/detections/runs.ts runDue), then the risk incident rules over the risk that produced.
// pg-boss keeps its schedule and jobs in Postgres, so several server processes fire each scheduled time once, and a
// run missed while the server was down is made up on the next tick. Each tick then applies the retention
// (lib/pipeline/retention.ts).
//
// pg-boss 10 works on the embedded PGlite too (checked: start, schedule, cron firing and workers over the socket
// server). Should it fail to start anyway, an in-process timer takes over, so live data is still run on the clock.
import type PgBoss from "pg-boss";
import { jobBoss } from "../jobs/boss";
import { cronTimesBetween } from "../detections/schedule";
import { catchUpEvaluations } from "../detections/evaluate";
import { runDue } from "../detections/runs";
import { storeChainNotables } from "../risk/chains";
import { storeRiskIncidents } from "../risk/incidents";
import { DETECTION_SPECS } from "../detections/specs";
import { applyRetention } from "./retention";

export type SchedulerMode = "pg-boss" | "timer";

interface SchedulerState {
  mode: SchedulerMode;
  boss?: PgBoss;
  timers: NodeJS.Timeout[];
  lastError?: string;
}

const globalForScheduler = globalThis as unknown as { iiswatchDetectionScheduler?: SchedulerState };

/** The distinct crons of the detection specs, each with its pg-boss queue. */
export function scheduleQueues(): { queue: string; cron: string }[] {
  const crons = [...new Set(DETECTION_SPECS.map((s) => s.deployment.cron))];
  return crons.map((cron, i) => ({ queue: `iiswatch-detections-${i}`, cron }));
}

async function tick(cron: string, state: SchedulerState): Promise<void> {
  try {
    const now = new Date();
    const runs = [...(await runDue(now, { cron })), ...(await catchUpEvaluations(now))];
    const results = runs.reduce((n, r) => n + r.resultCount, 0);
    // One line per scheduled run, results or not: the server log says the clock works.
    console.log(`detections: ${runs.length} run(s), ${results} new result(s)`);
    const incidents = await storeRiskIncidents();
    if (incidents > 0) console.log(`risk incident rules: ${incidents} new notable(s)`);
    const chains = await storeChainNotables();
    if (chains > 0) console.log(`module chains: ${chains} new or longer chain notable(s)`);
    // Retention after the detections, so that a window they still had to run over is never dropped first.
    const retention = await applyRetention({ now });
    for (const d of retention.dropped) {
      console.log(`retention: events of ${d.rangeStart.toISOString()} to ${d.rangeEnd.toISOString()} expired (${d.events} events, dropped in ${Math.round(d.dropMs)} ms)`);
    }
  } catch (e) {
    state.lastError = e instanceof Error ? e.message : String(e);
    console.error(`detections: scheduled run failed: ${state.lastError}`);
    throw e;
  }
}

async function startPgBoss(state: SchedulerState): Promise<void> {
  // The process's one pg-boss (lib/jobs), supervising: its cron clock fires the schedules.
  const boss = await jobBoss({ supervise: true });
  try {
    for (const { queue, cron } of scheduleQueues()) {
      if (!(await boss.getQueue(queue))) await boss.createQueue(queue).catch(() => {});
      await boss.schedule(queue, cron, {}, { tz: "UTC" });
      await boss.work(queue, { pollingIntervalSeconds: 2 }, async () => tick(cron, state));
    }
  } catch (e) {
    for (const { queue } of scheduleQueues()) await boss.offWork(queue).catch(() => {});
    throw e;
  }
  state.boss = boss;
}

function startTimers(state: SchedulerState): void {
  for (const { cron } of scheduleQueues()) {
    const arm = () => {
      const now = new Date();
      const [next] = cronTimesBetween(cron, new Date(now.getTime() + 1000), new Date(now.getTime() + 25 * 3_600_000));
      const timer = setTimeout(() => {
        state.timers = state.timers.filter((t) => t !== timer);
        void tick(cron, state).catch(() => {}).finally(() => globalForScheduler.iiswatchDetectionScheduler === state && arm());
      }, next.getTime() - now.getTime());
      timer.unref();
      state.timers.push(timer);
    };
    arm();
  }
}

/**
 * Starts running the detections on their schedule in this process (idempotent). Returns which clock runs them.
 */
export async function startDetectionScheduler(): Promise<{ mode: SchedulerMode; error?: string }> {
  const running = globalForScheduler.iiswatchDetectionScheduler;
  if (running) return { mode: running.mode, error: running.lastError };
  const state: SchedulerState = { mode: "pg-boss", timers: [] };
  globalForScheduler.iiswatchDetectionScheduler = state;
  try {
    await startPgBoss(state);
  } catch (e) {
    state.mode = "timer";
    state.lastError = `pg-boss did not start (${e instanceof Error ? e.message : String(e)}); using an in-process timer`;
    console.warn(`detections: ${state.lastError}`);
    startTimers(state);
  }
  return { mode: state.mode, error: state.lastError };
}

export async function stopDetectionScheduler(): Promise<void> {
  const state = globalForScheduler.iiswatchDetectionScheduler;
  if (!state) return;
  globalForScheduler.iiswatchDetectionScheduler = undefined;
  state.timers.forEach(clearTimeout);
  // Stops this process working the clock's queues; the schedules stay (other workers keep the clock).
  for (const { queue } of scheduleQueues()) await state.boss?.offWork(queue).catch(() => {});
}

export function detectionSchedulerStatus(): { running: boolean; mode?: SchedulerMode; lastError?: string } {
  const state = globalForScheduler.iiswatchDetectionScheduler;
  return state ? { running: true, mode: state.mode, lastError: state.lastError } : { running: false };
}

/** Queues a run of what is due now, as the clock would (for an admin's "run now" and for tests). */
export async function triggerScheduledTick(): Promise<string | null> {
  const state = globalForScheduler.iiswatchDetectionScheduler;
  if (!state?.boss) throw new Error("the detection scheduler is not running on pg-boss");
  const [{ queue }] = scheduleQueues();
  return state.boss.send(queue, {});
}
