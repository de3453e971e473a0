// The reaper: every worker runs it on a timer, so that no upload is left without someone working on it.
//  - A lease that lapsed (its worker was killed or cut off from the database) is taken away and its upload's job
//    sent again: an ingest is queued afresh (its staging died with the worker's connection), a detection re-run.
//  - An upload that is queued, processing or detecting but whose current job is gone from pg-boss, or active
//    without a lease for longer than a lease lasts (the worker died between fetching and claiming it), gets a
//    new job.
//  - An upload whose body stopped arriving (its receiver's lease lapsed) fails, and its partial file is removed.
//  - Spool files of uploads that are over are removed.
import type pg from "pg";
import { pgPool } from "../db/pg";
import { execute, query, queryOne, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { abandonJob, jobState } from "../jobs/boss";
import { LEASE_SECONDS, takeExpiredLeases, uploadHasLiveLease } from "../jobs/leases";
import { QUEUES, type QueueName } from "../jobs/queues";
import { enqueueDetect, enqueueIngest } from "../ingest/uploads";
import { removeSpool, sweepSpool } from "../ingest/spool";

export interface ReapReport {
  leasesExpired: number;
  resent: number;
  receivesFailed: number;
  spoolRemoved: number;
}

/** Sends an upload's next job for the state it is in (inside the caller's transaction). */
async function resend(client: pg.ClientBase, uploadId: string, status: string, reason: string): Promise<boolean> {
  if (status === "queued" || status === "processing") {
    await execute(sql`UPDATE uploads SET error = ${reason}, worker = NULL, reader_progress = NULL WHERE id = ${uploadId}`, client);
    await enqueueIngest(client, uploadId);
    return true;
  }
  if (status === "detecting" || status === "done") {
    const jobId = await enqueueDetect(client, uploadId);
    if (status === "detecting") await execute(sql`UPDATE uploads SET job_id = ${jobId}, worker = NULL WHERE id = ${uploadId}`, client);
    return true;
  }
  return false;
}

/** An upload's state, its row locked (FOR UPDATE) in the caller's transaction; null when it is gone. */
const lockUpload = (client: pg.ClientBase, uploadId: string) =>
  queryOne<{ status: string; job_id: string | null }>(sql`SELECT status::text, job_id::text FROM uploads WHERE id = ${uploadId} FOR UPDATE`, client);

async function reapLeases(): Promise<{ expired: number; abandoned: { queue: QueueName; jobId: string }[] }> {
  return inTransaction(async (client) => {
    const expired = await takeExpiredLeases(client);
    const abandoned: { queue: QueueName; jobId: string }[] = [];
    for (const lease of expired) {
      const upload = await lockUpload(client, lease.uploadId);
      abandoned.push({ queue: lease.queue, jobId: lease.jobId });
      if (!upload) continue;
      // An ingest lease matters only while that job is the upload's current one; a detection is always re-run.
      if (lease.queue === QUEUES.ingest && (upload.job_id !== lease.jobId || upload.status !== "processing")) continue;
      await resend(client, lease.uploadId, upload.status, `the worker ${lease.owner} stopped responding; the upload was queued again`);
    }
    return { expired: expired.length, abandoned };
  });
}

/** Uploads in progress whose current job nobody will run. */
async function resendOrphans(): Promise<number> {
  const rows = await query<{ id: string; status: string; job_id: string | null }>(
    sql`SELECT id, status::text, job_id::text FROM uploads WHERE status IN ('queued', 'processing', 'detecting') ORDER BY created_at`,
  );
  let resent = 0;
  for (const upload of rows) {
    const queue = upload.status === "detecting" ? QUEUES.detect : QUEUES.ingest;
    const job = upload.job_id ? await jobState(queue, upload.job_id) : null;
    if (job && (job.state === "created" || job.state === "retry")) continue;
    if (job && job.state === "active") {
      const client = await pgPool().connect();
      let live: boolean;
      try {
        live = await uploadHasLiveLease(client, upload.id);
      } finally {
        client.release();
      }
      const startedLongAgo = job.startedOn && Date.now() - job.startedOn.getTime() > 2 * LEASE_SECONDS * 1000;
      if (live || !startedLongAgo) continue;
    }
    const sent = await inTransaction(async (client) => {
      // Re-read under lock: the upload may have moved on since the list was read.
      const now = await lockUpload(client, upload.id);
      if (!now || now.status !== upload.status || now.job_id !== upload.job_id) return false;
      if (await uploadHasLiveLease(client, upload.id)) return false;
      return resend(client, upload.id, upload.status, "its job was lost; the upload was queued again");
    });
    if (sent) {
      resent++;
      if (upload.job_id && job) await abandonJob(queue, upload.job_id);
    }
  }
  return resent;
}

/** Uploads whose body stopped arriving: failed, partial file removed. */
async function failStalledReceives(): Promise<number> {
  const rows = await query<{ id: string }>(
    sql`UPDATE uploads SET status = 'failed', finished_at = now(), receiving_until = NULL,
       error = 'the transfer stopped before the whole file arrived (' || size_bytes || ' bytes received); nothing was processed. Upload it again.'
     WHERE status = 'receiving' AND receiving_until < now() RETURNING id`,
  );
  for (const r of rows) removeSpool(r.id);
  return rows.length;
}

/** Spool files of uploads that no longer need them. */
export async function sweepOrphanSpool(minAgeMs?: number): Promise<number> {
  const removed = await sweepSpool(async (ids) => {
    const rows = await query<{ id: string; status: string }>(sql`SELECT id, status::text FROM uploads WHERE id = ANY(${ids}::uuid[])`);
    return new Map(rows.map((r) => [r.id, ["receiving", "queued", "processing"].includes(r.status)]));
  }, minAgeMs);
  return removed.length;
}

export async function reap(options: { sweepSpool?: boolean } = {}): Promise<ReapReport> {
  const leases = await reapLeases();
  for (const job of leases.abandoned) await abandonJob(job.queue, job.jobId);
  const resent = await resendOrphans();
  const receivesFailed = await failStalledReceives();
  const spoolRemoved = options.sweepSpool ? await sweepOrphanSpool() : 0;
  return { leasesExpired: leases.expired, resent, receivesFailed, spoolRemoved };
}
