// The ingest job: one worker reads one received upload into a staging table and merges it into `events` in one
// transaction, which also records the counts, marks the upload `detecting` and sends its detection job. So an
// upload's events are stored whole or not at all, and stored events always have a detection job to follow.
//
// Faults: a file that cannot be read fails the upload with the reader's reason (no retry: it would fail again).
// Anything else (the database went away, the worker is stopping) hands the upload back to the queue; after
// MAX_ATTEMPTS the upload fails saying so. A worker killed mid-way holds nothing: its staging table dies with its
// connection, and its lease lapses, so the reaper (lib/jobs/reaper.ts) queues the upload again.
//
// A file an earlier upload already brought (same bytes, read the same way: reupload.ts) is not read: in the same
// kind of lease-checked transaction, the upload is made a holder of that upload's events and reports its accounting.
import fs from "node:fs";
import type pg from "pg";
import { isEmbeddedServer, pgPool } from "../db/pg";
import { execute, queryOne, raw, sql } from "../db/sql";
import { transactionOn } from "../db/transaction";
import { holdsLease, keepLeaseAlive, LeaseLostError, releaseLease, takeLease, type Lease } from "../jobs/leases";
import { QUEUES } from "../jobs/queues";
import { parseFormatOverride, enqueueDetect, enqueueIngest } from "./uploads";
import { stageUpload } from "./pipeline";
import { removeSpool, spoolPath } from "./spool";
import { adoptIdenticalUpload, findIdenticalUpload, IdenticalUploadGoneError, readAs } from "./reupload";
import { StagingTable } from "./store";
import { readInventoryUpload } from "./inventory-upload";
import { InventoryError } from "../inventory/module-inventory";
import { storeModuleSnapshot } from "../inventory/snapshots";

/** How many times an upload is tried before it fails (a worker dying, the database going away). */
export const MAX_ATTEMPTS = Number(process.env.IISWATCH_MAX_ATTEMPTS ?? 3);

/** The worker is stopping: the job goes back to the queue for another worker. */
export class WorkerStoppingError extends Error {
  name = "WorkerStoppingError";
}

interface ClaimedUpload {
  filename: string;
  format: string | null;
  recordHost: string | null;
  recordChannel: string | null;
  sha256: string | null;
  sizeBytes: number;
  attempts: number;
  /** Why the previous attempt ended, if one did. */
  lastError: string | null;
}

/**
 * Takes an upload for this job: it must be queued (or processing by this very job: a retry) with this job as its
 * current one. Clears what an earlier attempt recorded. Null when the job is stale (its upload moved on).
 */
async function claim(client: pg.ClientBase, lease: Lease): Promise<ClaimedUpload | null> {
  return transactionOn(client, async () => {
    const r = await queryOne<{
      filename: string;
      format: string | null;
      record_host: string | null;
      record_channel: string | null;
      sha256: string | null;
      size_bytes: string;
      attempts: number;
      last_error: string | null;
    }>(
      sql`UPDATE uploads u SET status = 'processing', worker = ${lease.owner}, attempts = u.attempts + 1, started_at = now(), error = NULL,
         bytes_processed = 0, records_read = 0, stored = 0, duplicates = 0, rejected = 0, notices = '[]', reader_progress = NULL
       FROM (SELECT id, error FROM uploads WHERE id = ${lease.uploadId} FOR UPDATE) previous
       WHERE u.id = previous.id AND u.job_id = ${lease.jobId} AND u.status IN ('queued', 'processing')
       RETURNING u.filename, u.format, u.record_host, u.record_channel, u.sha256, u.size_bytes, u.attempts, previous.error AS last_error`,
      client,
    );
    if (!r) return null;
    await execute(sql`DELETE FROM upload_rejections WHERE upload_id = ${lease.uploadId}`, client);
    await takeLease(client, lease);
    return {
      filename: r.filename,
      format: r.format,
      recordHost: r.record_host,
      recordChannel: r.record_channel,
      sha256: r.sha256,
      sizeBytes: Number(r.size_bytes),
      attempts: r.attempts,
      lastError: r.last_error,
    };
  });
}

/** Runs `fn` in a transaction that first checks this job still holds its lease; false (nothing done) if not. */
async function underLease(client: pg.ClientBase, lease: Lease, fn: () => Promise<void>): Promise<boolean> {
  return transactionOn(client, async () => {
    if (!(await holdsLease(client, lease))) return false;
    await fn();
    await releaseLease(client, lease);
    return true;
  });
}

/** Fails an upload for good, under the job's lease. */
async function failUpload(client: pg.ClientBase, lease: Lease, message: string): Promise<void> {
  const done = await underLease(client, lease, async () => {
    await execute(
      sql`UPDATE uploads SET status = 'failed', finished_at = now(), error = ${message.slice(0, 2000)}, stored = 0, duplicates = 0, worker = NULL,
            reader_progress = NULL
          WHERE id = ${lease.uploadId}`,
      client,
    );
  });
  if (done) removeSpool(lease.uploadId);
}

/** Puts an upload back in the queue (a new job), under the job's lease. `countAttempt`: false for a hand-back at stop. */
async function requeue(client: pg.ClientBase, lease: Lease, reason: string, options: { countAttempt: boolean; delayMs: number }): Promise<void> {
  await underLease(client, lease, async () => {
    await execute(
      sql`UPDATE uploads SET error = ${reason.slice(0, 2000)}, attempts = attempts - ${options.countAttempt ? 0 : 1}, reader_progress = NULL
          WHERE id = ${lease.uploadId}`,
      client,
    );
    await enqueueIngest(client, lease.uploadId, { startAfter: new Date(Date.now() + options.delayMs) });
  });
}

/** What an upload's report records once its records are stored (or recognised as stored). */
interface StoredReport {
  stored: number;
  duplicates: number;
  recordsRead: number;
  rejected: number;
  bytesProcessed: number;
  notices: unknown[];
  format: string | null;
  readAs: string;
}

/** Inside the lease-checked transaction that stores an upload's records: its report, `detecting`, its detection job. */
async function recordStored(client: pg.ClientBase, uploadId: string, r: StoredReport): Promise<void> {
  const detectJob = await enqueueDetect(client, uploadId);
  await execute(
    sql`UPDATE uploads SET status = 'detecting', stored = ${r.stored}, duplicates = ${r.duplicates}, records_read = ${r.recordsRead},
       rejected = ${r.rejected}, bytes_processed = ${r.bytesProcessed}, notices = ${JSON.stringify(r.notices)}, format = ${r.format},
       read_as = ${r.readAs}, finished_at = now(), job_id = ${detectJob}, worker = NULL, reader_progress = NULL, error = NULL
     WHERE id = ${uploadId}`,
    client,
  );
}

/**
 * The file is one an earlier upload already brought (reupload.ts): this upload holds that one's events and reports
 * its accounting, in one lease-checked transaction. Null when there is no such upload (or it went meanwhile): the
 * file is to be read.
 */
async function recogniseIdentical(client: pg.ClientBase, lease: Lease, upload: ClaimedUpload, reading: string): Promise<IngestJobOutcome | null> {
  if (!upload.sha256) return null;
  const found = await findIdenticalUpload(client, lease.uploadId, upload.sha256, reading);
  if (!found) return null;
  let duplicates = 0;
  try {
    const done = await underLease(client, lease, async () => {
      const report = await adoptIdenticalUpload(client, lease.uploadId, found, upload.sha256!, reading);
      duplicates = report.duplicates;
      await recordStored(client, lease.uploadId, { ...report, bytesProcessed: upload.sizeBytes, readAs: reading });
    });
    return done ? { status: "detecting", stored: 0, duplicates } : { status: "lost" };
  } catch (e) {
    if (e instanceof IdenticalUploadGoneError) return null;
    throw e;
  }
}

/** Errors that say nothing about the file: the database or the worker, worth another attempt. */
function isTransient(e: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  const err = e as { code?: string; message?: string } | null;
  const code = err?.code ?? "";
  // Connection failures, admin shutdown or termination (57P01..57P03), serialization or deadlock (40xxx),
  // insufficient resources (53xxx), and the driver's own connection errors.
  if (/^(08|57P|40|53)/.test(code)) return true;
  if (["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(code)) return true;
  return /Connection terminated|connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed/i.test(err?.message ?? "");
}

export interface IngestJobOutcome {
  /** done: a module inventory, stored as a snapshot (no events, so no detection job). */
  status: "done" | "detecting" | "failed" | "requeued" | "stale" | "lost";
  stored?: number;
  duplicates?: number;
}

/**
 * Runs one ingest job. `owner` names this worker; `stopping` aborts when the worker is asked to stop (the job
 * is handed back rather than finished).
 */
export async function runIngestJob(jobId: string, uploadId: string, owner: string, stopping: AbortSignal): Promise<IngestJobOutcome> {
  const lease: Lease = { jobId, queue: QUEUES.ingest, uploadId, owner };
  // Asked before the job's connection is taken: nothing may wait for a second connection while holding one.
  const method = (await isEmbeddedServer()) ? "unnest" : "copy";
  // The connection the whole job runs on: the staging table lives in its session.
  const client = await pgPool().connect();
  let broken = false;
  const onError = () => {
    broken = true;
  };
  client.on("error", onError);
  const lost = new AbortController();
  const signal = AbortSignal.any([stopping, lost.signal]);
  let stopRenewing = () => {};
  try {
    const upload = await claim(client, lease);
    if (!upload) return { status: "stale" };
    stopRenewing = keepLeaseAlive(lease, lost);
    if (upload.attempts > MAX_ATTEMPTS) {
      await failUpload(client, lease, `not processed after ${MAX_ATTEMPTS} attempts${upload.lastError ? ` (last: ${upload.lastError})` : ""}`);
      return { status: "failed" };
    }
    const file = spoolPath(uploadId);
    if (!fs.existsSync(file)) {
      await failUpload(client, lease, `the received file '${upload.filename}' is no longer in the spool; upload it again`);
      return { status: "failed" };
    }
    if (!upload.format) {
      const stored = await storeIfInventory(client, lease, upload, file);
      if (stored) return stored;
    }
    const reading = readAs(upload);
    const recognised = await recogniseIdentical(client, lease, upload, reading);
    if (recognised) {
      // Nothing was written to `events`: no VACUUM to follow.
      if (recognised.status === "detecting") removeSpool(uploadId);
      return recognised;
    }
    let staging: StagingTable | null = null;
    try {
      staging = await StagingTable.create(client, method);
      if (method === "copy") {
        // Staging writes need not wait for their WAL flush: a temporary table has none, and the merge commits
        // durably below.
        await execute(sql`SET synchronous_commit = off`, client);
      }
      const { progress, formats } = await stageUpload(staging, uploadId, file, {
        name: upload.filename,
        format: parseFormatOverride(upload.format),
        host: upload.recordHost ?? undefined,
        channel: upload.recordChannel ?? undefined,
        signal,
      });
      signal.throwIfAborted();
      if (method === "copy") await execute(sql`RESET synchronous_commit`, client);
      const partitions = await staging.preparePartitions();
      let counts = { stored: 0, duplicates: 0, expired: 0 };
      const merged = await underLease(client, lease, async () => {
        counts = await staging!.merge(uploadId);
        await recordStored(client, uploadId, {
          ...counts,
          recordsRead: progress.recordsRead,
          rejected: progress.rejected + counts.expired,
          bytesProcessed: progress.bytesProcessed,
          notices: progress.notices,
          format: formats.join("+"),
          readAs: reading,
        });
      });
      if (!merged) return { status: "lost" };
      removeSpool(uploadId);
      await tidyEventPartitions(client, partitions).catch((e: unknown) => console.error(`VACUUM after upload ${uploadId} failed: ${(e as Error).message}`));
      return { status: "detecting", ...counts };
    } finally {
      if (!broken) await staging?.drop().catch(() => {});
    }
  } catch (e) {
    stopRenewing();
    if (lost.signal.aborted || e instanceof LeaseLostError) return { status: "lost" };
    const message = e instanceof Error ? e.message : String(e);
    // The job's own connection may be the casualty: the hand-back goes through a fresh one.
    const other = broken ? await pgPool().connect() : client;
    try {
      if (stopping.aborted) {
        await requeue(other, lease, "handed back by a worker that stopped", { countAttempt: false, delayMs: 0 });
        return { status: "requeued" };
      }
      if (isTransient(e, signal)) {
        await requeue(other, lease, message, { countAttempt: true, delayMs: 5000 });
        return { status: "requeued" };
      }
      await failUpload(other, lease, message);
      return { status: "failed" };
    } finally {
      if (other !== client) other.release();
    }
  } finally {
    stopRenewing();
    client.off("error", onError);
    client.release(broken ? new Error("connection lost") : undefined);
  }
}

/**
 * A module inventory (lib/inventory) is stored as one snapshot and its upload is done; null when the file is a log.
 * An unreadable inventory fails the upload with the reason (no retry: it would fail again).
 */
async function storeIfInventory(client: pg.ClientBase, lease: Lease, upload: ClaimedUpload, file: string): Promise<IngestJobOutcome | null> {
  let read;
  try {
    read = readInventoryUpload(file, upload.filename, upload.recordHost);
  } catch (e) {
    if (!(e instanceof InventoryError)) throw e;
    await failUpload(client, lease, e.message);
    return { status: "failed" };
  }
  if (!read) return null;
  const { host, inventory } = read;
  const stored = await underLease(client, lease, async () => {
    await storeModuleSnapshot(client, { host, uploadId: lease.uploadId, filename: upload.filename, inventory });
    await execute(
      sql`UPDATE uploads SET status = 'done', finished_at = now(), format = ${inventory.source}, records_read = ${inventory.modules.length},
            stored = ${inventory.modules.length}, bytes_processed = size_bytes, worker = NULL, reader_progress = NULL
          WHERE id = ${lease.uploadId}`,
      client,
    );
  });
  if (!stored) return { status: "lost" };
  removeSpool(lease.uploadId);
  return { status: "done", stored: inventory.modules.length, duplicates: 0 };
}

/**
 * VACUUM (ANALYZE) the partitions of `events` an upload was merged into. It marks the pages the upload filled
 * all-visible, so that the host views' index-only scans (host_id, time, event_code) need not visit the table for
 * recent events, and it refreshes the planner's statistics. Autovacuum would get there too, but only once a fifth of
 * a partition is new. Only the partitions the upload touched: a fleet's older months are left alone. Outside any
 * transaction.
 */
export async function tidyEventPartitions(client: pg.ClientBase, partitions: readonly string[]): Promise<void> {
  if (partitions.length === 0) return;
  await execute(sql`VACUUM (ANALYZE) ${raw(partitions.map((p) => `"${p}"`).join(", "))}`, client);
}
