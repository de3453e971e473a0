// Job ownership. A worker holds a lease on each job it runs and renews it while the job runs; a lease that is not
// renewed (the worker was killed, or lost its database connection) expires, and any worker's reaper then hands
// the job back (leases are rows, so this works across processes and machines, and on the embedded database).
// Writes that end a job check the lease in their own transaction (`holdsLease`), so a worker that lost its lease
// can never commit over the work of the one that took over.
import pg from "pg";
import { databaseUrl } from "../db/client";
import { execute, query, sql } from "../db/sql";
import type { QueueName } from "./queues";

/** How long a lease lasts without renewal, and how often a live worker renews it. */
export const LEASE_SECONDS = Number(process.env.IISWATCH_LEASE_SECONDS ?? 45);
export const RENEW_EVERY_MS = Math.max(1000, Math.floor((LEASE_SECONDS * 1000) / 4));

export interface Lease {
  jobId: string;
  queue: QueueName;
  /** The upload the job works on. */
  uploadId: string;
  owner: string;
}

/** Takes the lease of a job (inside the caller's transaction on `client`). */
export async function takeLease(client: pg.ClientBase, lease: Lease): Promise<void> {
  await execute(
    sql`INSERT INTO work_leases (job_id, queue, upload_id, owner, expires_at)
     VALUES (${lease.jobId}, ${lease.queue}, ${lease.uploadId}, ${lease.owner}, now() + make_interval(secs => ${LEASE_SECONDS}))
     ON CONFLICT (job_id) DO UPDATE SET owner = excluded.owner, acquired_at = now(), expires_at = excluded.expires_at`,
    client,
  );
}

/** Inside the caller's transaction: locks the lease if this owner still holds it; false if it was lost. */
export async function holdsLease(client: pg.ClientBase, lease: Lease): Promise<boolean> {
  return (await execute(sql`SELECT 1 FROM work_leases WHERE job_id = ${lease.jobId} AND owner = ${lease.owner} FOR UPDATE`, client)) === 1;
}

export async function releaseLease(client: pg.ClientBase, lease: Lease): Promise<void> {
  await execute(sql`DELETE FROM work_leases WHERE job_id = ${lease.jobId} AND owner = ${lease.owner}`, client);
}

const globalForLeases = globalThis as unknown as { iiswatchLeasePool?: pg.Pool };

/**
 * Renewals have a connection of their own, so that a worker whose jobs keep its other connections busy (a long
 * merge, a detection run) never loses a lease for want of one.
 */
function leasePool(): pg.Pool {
  if (!globalForLeases.iiswatchLeasePool) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 1, connectionTimeoutMillis: 10_000 });
    pool.on("error", () => {});
    globalForLeases.iiswatchLeasePool = pool;
  }
  return globalForLeases.iiswatchLeasePool;
}

export async function closeLeasePool(): Promise<void> {
  const pool = globalForLeases.iiswatchLeasePool;
  globalForLeases.iiswatchLeasePool = undefined;
  await pool?.end().catch(() => {});
}

/** Renews a lease; false if it is no longer this owner's (it expired and was reaped). */
async function renewLease(lease: Lease): Promise<boolean> {
  const renewed = await execute(
    sql`UPDATE work_leases SET expires_at = now() + make_interval(secs => ${LEASE_SECONDS}) WHERE job_id = ${lease.jobId} AND owner = ${lease.owner}`,
    leasePool(),
  );
  return renewed === 1;
}

/**
 * Keeps a lease alive while `signal` is not aborted. Aborts `lost` when the lease is found taken away, or when it
 * could not be renewed for as long as it lasts (the database is out of reach: someone else may take over).
 */
export function keepLeaseAlive(lease: Lease, lost: AbortController): () => void {
  let lastRenewed = Date.now();
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing) return;
    renewing = true;
    renewLease(lease)
      .then((held) => {
        if (held) lastRenewed = Date.now();
        else lost.abort(new LeaseLostError(lease));
      })
      .catch(() => {
        if (Date.now() - lastRenewed > LEASE_SECONDS * 1000) lost.abort(new LeaseLostError(lease));
      })
      .finally(() => {
        renewing = false;
      });
  }, RENEW_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export class LeaseLostError extends Error {
  name = "LeaseLostError";
  constructor(lease: Lease) {
    super(`the lease on job ${lease.jobId} (${lease.queue}) was lost: another worker has taken the job over`);
  }
}

/** Expired leases, taken out of the table (inside the caller's transaction): their jobs are the reaper's now. */
export async function takeExpiredLeases(client: pg.ClientBase): Promise<Lease[]> {
  const rows = await query<{ job_id: string; queue: QueueName; upload_id: string; owner: string }>(
    sql`DELETE FROM work_leases WHERE expires_at < now() RETURNING job_id, queue, upload_id, owner`,
    client,
  );
  return rows.map((r) => ({ jobId: r.job_id, queue: r.queue, uploadId: r.upload_id, owner: r.owner }));
}

/** Whether a live lease is held on any job of this upload. */
export async function uploadHasLiveLease(client: pg.ClientBase, uploadId: string): Promise<boolean> {
  return (await execute(sql`SELECT 1 FROM work_leases WHERE upload_id = ${uploadId} AND expires_at >= now()`, client)) > 0;
}
