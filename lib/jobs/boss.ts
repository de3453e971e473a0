// The process's pg-boss instance. Every process that sends jobs (the web server, the CLI) or works them (workers)
// has one; only workers supervise (expiry, maintenance) and keep the cron schedule.
import PgBoss from "pg-boss";
import type pg from "pg";
import { databaseUrl } from "../db/client";
import { QUEUE_OPTIONS, QUEUES, type QueueName, type UploadJobData } from "./queues";

interface BossState {
  boss: Promise<PgBoss>;
  supervise: boolean;
}

const globalForBoss = globalThis as unknown as { iiswatchBoss?: BossState };

async function startBoss(supervise: boolean): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl(),
    max: 2,
    supervise,
    schedule: supervise,
    // Completed jobs are kept a day for the record, then archived and deleted by pg-boss.
    archiveCompletedAfterSeconds: 24 * 3600,
  });
  boss.on("error", (e: Error) => console.error(`jobs (pg-boss): ${e.message}`));
  await boss.start();
  for (const queue of Object.values(QUEUES)) {
    await boss.createQueue(queue, { name: queue, policy: "standard", ...QUEUE_OPTIONS[queue] }).catch(async (e: unknown) => {
      // Two processes starting at once may both create it; the loser finds it there.
      if (!(await boss.getQueue(queue))) throw e;
    });
  }
  return boss;
}

/**
 * This process's pg-boss, started on first use. `supervise`: run pg-boss's maintenance and cron clock here
 * (workers); a process that only sends jobs leaves that to them.
 */
export function jobBoss(options: { supervise?: boolean } = {}): Promise<PgBoss> {
  const supervise = options.supervise ?? false;
  const state = globalForBoss.iiswatchBoss;
  if (state && (state.supervise || !supervise)) return state.boss;
  // A process that only sent jobs so far becomes a worker (the CLI, tests): its pg-boss is started again, supervising.
  const previous = state ? state.boss.then((b) => b.stop({ graceful: false, wait: true }).catch(() => {}), () => {}) : Promise.resolve();
  const boss = previous.then(() => startBoss(supervise));
  globalForBoss.iiswatchBoss = { boss, supervise };
  boss.catch(() => {
    if (globalForBoss.iiswatchBoss?.boss === boss) globalForBoss.iiswatchBoss = undefined;
  });
  return boss;
}

export async function stopJobBoss(options: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const state = globalForBoss.iiswatchBoss;
  if (!state) return;
  globalForBoss.iiswatchBoss = undefined;
  const boss = await state.boss.catch(() => null);
  await boss?.stop({ graceful: options.graceful ?? true, wait: true, timeout: options.timeoutMs ?? 10_000 }).catch(() => {});
}

/** pg-boss's connection option that sends a job inside the caller's transaction. */
const inTransaction = (client: pg.ClientBase): PgBoss.ConnectionOptions => ({
  db: { executeSql: (text: string, values: unknown[]) => client.query(text, values) },
});

/**
 * Sends a pipeline job inside the caller's transaction on `client`: it exists exactly when the state change that
 * calls for it commits. Returns the job id. Start pg-boss (jobBoss) before opening the transaction: on the embedded
 * database, where one transaction holds every connection, starting it from inside would never finish.
 */
export async function sendJob(client: pg.ClientBase, queue: QueueName, data: UploadJobData, options: { startAfter?: Date | number } = {}): Promise<string> {
  const boss = await jobBoss();
  const id = await boss.send(queue, { ...data }, { ...QUEUE_OPTIONS[queue], ...options, ...inTransaction(client) });
  if (!id) throw new Error(`pg-boss refused a ${queue} job`);
  return id;
}

/** A job's state in pg-boss, or null when it no longer exists (archived or never sent). */
export async function jobState(queue: QueueName, jobId: string): Promise<{ state: string; startedOn: Date | null } | null> {
  const boss = await jobBoss();
  const job = await boss.getJobById(queue, jobId);
  return job ? { state: job.state, startedOn: job.startedOn ?? null } : null;
}

/** Cancels a job in pg-boss (no retry: the caller has sent its successor). Best effort. */
export async function abandonJob(queue: QueueName, jobId: string): Promise<void> {
  const boss = await jobBoss();
  await boss.cancel(queue, jobId).catch(() => {});
}
