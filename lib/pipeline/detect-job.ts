// The detection job: evaluates the events one upload stored (lib/detections/evaluate.ts) under a lease, and
// schedules the evaluation of windows that were not due yet for when they are.
import { pgPool } from "../db/pg";
import { execute, queryOne, sql } from "../db/sql";
import { evaluateUpload } from "../detections/evaluate";
import { storeChainNotables } from "../risk/chains";
import { storeRiskIncidents } from "../risk/incidents";
import { enqueueDetect } from "../ingest/uploads";
import { keepLeaseAlive, releaseLease, takeLease, type Lease } from "../jobs/leases";
import { QUEUES } from "../jobs/queues";

export async function runDetectJob(jobId: string, uploadId: string, owner: string): Promise<{ results: number; pendingUntil: Date | null } | null> {
  const lease: Lease = { jobId, queue: QUEUES.detect, uploadId, owner };
  const upload = await queryOne<{ status: string }>(sql`SELECT status::text FROM uploads WHERE id = ${uploadId}`);
  // Deleted, or not stored yet (a stale job): nothing to evaluate.
  if (!upload || !["detecting", "done"].includes(upload.status)) return null;
  const client = await pgPool().connect();
  try {
    await takeLease(client, lease);
  } finally {
    client.release();
  }
  const lost = new AbortController();
  const stopRenewing = keepLeaseAlive(lease, lost);
  try {
    await execute(sql`UPDATE uploads SET worker = ${owner} WHERE id = ${uploadId} AND status = 'detecting'`);
    const outcome = await evaluateUpload(uploadId);
    // ES's risk incident rules over the data as it now is (idempotent: a crash here is made good by the next run).
    await storeRiskIncidents();
    await storeChainNotables();
    if (outcome.pendingUntil) {
      // Windows of this upload not due yet: evaluate again once the last of them is (the scheduler runs them
      // too; this makes sure they are evaluated even if the clock misses them).
      const next = await pgPool().connect();
      try {
        await enqueueDetect(next, uploadId, { startAfter: new Date(outcome.pendingUntil.getTime() + 5000) });
      } finally {
        next.release();
      }
    }
    return { results: outcome.runs.reduce((n, r) => n + r.resultCount, 0), pendingUntil: outcome.pendingUntil };
  } finally {
    stopRenewing();
    const done = await pgPool().connect().catch(() => null);
    if (done) {
      await releaseLease(done, lease).catch(() => {});
      done.release();
    }
  }
}
