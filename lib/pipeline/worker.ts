// A worker: works the pipeline's queues (ingest, then detections), keeps the detection clock, and reaps what
// dead workers left. `iiswatch worker` runs one as a process; `npm start` runs IISWATCH_WORKERS of them beside the
// web server; the CLI's `ingest` runs one in its own process until its files are done. Any number may run, on
// this machine or others sharing the database (and the spool directory).
import os from "node:os";
import { randomBytes } from "node:crypto";
import type PgBoss from "pg-boss";
import { backfillFindings } from "../detections/backfill-findings";
import { partitionStrayEvents } from "../db/partitions";
import { startDetectionScheduler, stopDetectionScheduler } from "./scheduler";
import { runIngestJob } from "../ingest/ingest-job";
import { jobBoss, stopJobBoss } from "../jobs/boss";
import { closeLeasePool, RENEW_EVERY_MS } from "../jobs/leases";
import { QUEUES, type UploadJobData } from "../jobs/queues";
import { runDetectJob } from "./detect-job";
import { reap } from "./reaper";

export interface WorkerOptions {
  /** Names this worker in leases and on the uploads it works on (default: host:pid:random). */
  name?: string;
  /** Run the hourly detection clock here too (default: true). */
  scheduler?: boolean;
  /** How often to look for new jobs (seconds). */
  pollingIntervalSeconds?: number;
  log?: (line: string) => void;
}

export interface Worker {
  name: string;
  /** Stops taking jobs; in-flight ingests are handed back to the queue, a detection run is let finish. */
  stop(): Promise<void>;
}

/** Workers running in this process (tests and the CLI may run several). */
const globalForWorkers = globalThis as unknown as { iiswatchWorkers?: number };

export function workerName(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export async function startWorker(options: WorkerOptions = {}): Promise<Worker> {
  const name = options.name ?? workerName();
  const log = options.log ?? ((line: string) => console.log(`worker ${name}: ${line}`));
  const stopping = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };
  const boss: PgBoss = await jobBoss({ supervise: true });
  const polling = options.pollingIntervalSeconds ?? 1;

  globalForWorkers.iiswatchWorkers = (globalForWorkers.iiswatchWorkers ?? 0) + 1;
  // pg-boss takes at most one job per polling interval. Once a job is done, the queue is asked again at once (and an
  // upload's detection job is taken as soon as its ingest job sent it): HEC and _bulk batches (lib/hec) are many
  // small uploads, each of which would otherwise wait up to an interval per queue. An empty queue is polled as before.
  const workerIds = { ingest: "", detect: "" };
  const next = (...queues: (keyof typeof workerIds)[]) => {
    for (const q of queues) if (workerIds[q]) boss.notifyWorker(workerIds[q]);
  };
  const ingestWorker = await boss.work<UploadJobData>(QUEUES.ingest, { pollingIntervalSeconds: polling, batchSize: 1 }, async ([job]) =>
    track(
      runIngestJob(job.id, job.data.uploadId, name, stopping.signal).then((outcome) => {
        if (outcome.status !== "stale") log(`upload ${job.data.uploadId}: ${outcome.status}${outcome.stored !== undefined ? ` (${outcome.stored} stored, ${outcome.duplicates} duplicate)` : ""}`);
        if (!stopping.signal.aborted) next("ingest", "detect");
        return outcome;
      }),
    ),
  );
  workerIds.ingest = ingestWorker;
  const detectWorker = await boss.work<UploadJobData>(QUEUES.detect, { pollingIntervalSeconds: polling, batchSize: 1 }, async ([job]) =>
    track(
      runDetectJob(job.id, job.data.uploadId, name).then((outcome) => {
        if (outcome) log(`upload ${job.data.uploadId}: detections done (${outcome.results} new result(s))`);
        if (!stopping.signal.aborted) next("detect");
        return outcome;
      }),
    ),
  );
  workerIds.detect = detectWorker;
  if (options.scheduler !== false && process.env.IISWATCH_SCHEDULER !== "off") await startDetectionScheduler();
  // Events the default partition of `events` holds (moved there by the migration that partitioned the table, or
  // inserted directly) get partitions of their own, so that queries prune to them.
  void track(
    partitionStrayEvents().then(
      (n) => n > 0 && log(`events: ${n} partition(s) made for events stored before the table was partitioned`),
      (e: unknown) => log(`partitioning stored events failed (tried again at the next start): ${e instanceof Error ? e.message : String(e)}`),
    ),
  );
  // Results stored by an earlier release get their finding (what they mean, for "backdoors first").
  void track(
    backfillFindings().then(
      (n) => n > 0 && log(`findings added to ${n} earlier result(s)`),
      (e: unknown) => log(`adding findings to earlier results failed (tried again at the next start): ${e instanceof Error ? e.message : String(e)}`),
    ),
  );

  // The reaper: soon after start (what a previous stop left), then as often as a lease is renewed.
  let reaping = false;
  let sweeps = 0;
  const runReaper = async () => {
    if (reaping || stopping.signal.aborted) return;
    reaping = true;
    try {
      // The spool sweep at start and then every few minutes.
      const report = await reap({ sweepSpool: sweeps++ % 20 === 0 });
      const total = report.leasesExpired + report.resent + report.receivesFailed + report.spoolRemoved;
      if (total > 0) log(`reaper: ${JSON.stringify(report)}`);
    } catch (e) {
      log(`reaper: ${(e as Error).message}`);
    } finally {
      reaping = false;
    }
  };
  const reaper = setInterval(() => void runReaper(), RENEW_EVERY_MS);
  reaper.unref();
  void runReaper();

  return {
    name,
    async stop() {
      if (stopping.signal.aborted) return;
      clearInterval(reaper);
      await boss.offWork({ id: ingestWorker }).catch(() => {});
      await boss.offWork({ id: detectWorker }).catch(() => {});
      stopping.abort(new Error("the worker is stopping"));
      await Promise.allSettled([...inFlight]);
      // The process's pg-boss, clock and lease connection are shared by its workers: the last one out stops them.
      if (--globalForWorkers.iiswatchWorkers! === 0) {
        await stopDetectionScheduler();
        await stopJobBoss();
        await closeLeasePool();
      }
    },
  };
}
