// Deleting an upload: the events only it holds, and the results (with their risk events and notables) derived
// only from those events. Events another upload also holds stay, passed on to that upload (all of them to an upload
// recognised as identical to it, if there is one). One transaction,
// holding every detection's run lock, so no detection run sees half of it.
import type pg from "pg";
import { storeChainNotables } from "../risk/chains";
import { storeRiskIncidents } from "../risk/incidents";
import { SYSTEM_ACTOR, writeAuditOn, type Actor } from "../audit/log";
import { execute, query, queryOne, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { DETECTION_SPECS } from "../detections/specs";
import { detectionRunLockKey } from "../detections/engine";
import { handOverToAlias } from "../ingest/holding";
import { recountHosts } from "../ingest/host-counters";
import { EVENTS_MERGE_LOCK } from "../ingest/store";
import { removeSpool } from "../ingest/spool";
import { UserFacingError } from "../errors/user-facing-error";

export interface DeletedUpload {
  filename: string;
  events: number;
  eventsKept: number;
  results: number;
  riskEvents: number;
  notables: number;
}

export class UploadInProgressError extends UserFacingError {
  name = "UploadInProgressError";
}

/** Deletes an upload that is over (done or failed), audited as `actor`'s; null when there is no such upload. */
export async function deleteUpload(uploadId: string, actor: Actor = SYSTEM_ACTOR): Promise<DeletedUpload | null> {
  const deleted = await inTransaction(async (client) => {
    const outcome = await deleteInTransaction(client, uploadId);
    if (outcome) await writeAuditOn(client, actor, { action: "upload.delete", targetType: "upload", targetId: uploadId, before: outcome });
    return outcome;
  });
  if (deleted) {
    removeSpool(uploadId);
    // Crossings the remaining risk still makes (an incident that lost risk events went with the upload).
    await storeRiskIncidents();
    // Module chains too: one whose events went with the upload takes its notable with it.
    await storeChainNotables();
  }
  return deleted;
}

async function deleteInTransaction(client: pg.ClientBase, uploadId: string): Promise<DeletedUpload | null> {
  const upload = await queryOne<{ filename: string; status: string }>(sql`SELECT filename, status::text FROM uploads WHERE id = ${uploadId} FOR UPDATE`, client);
  if (!upload) return null;
  const { filename, status } = upload;
  if (status !== "done" && status !== "failed") {
    throw new UploadInProgressError(`the upload '${filename}' is ${status}: it can be deleted once it is done or has failed`);
  }
  await execute(sql`SELECT pg_advisory_xact_lock(hashtext(${EVENTS_MERGE_LOCK}))`, client);
  for (const spec of DETECTION_SPECS) await execute(sql`SELECT pg_advisory_xact_lock(hashtext(${detectionRunLockKey(spec.id)}))`, client);

  // An upload recognised as identical to this one (an alias, lib/ingest/holding.ts) takes over everything it holds:
  // nothing goes. Otherwise the events another upload also holds pass to that upload (the lowest id among them, for
  // a stable choice). Deleting an alias itself removes only its row (with the upload's, by the foreign key).
  const handedOver = await handOverToAlias(client, uploadId);
  const kept = handedOver ?? (await execute(
    sql`WITH heirs AS (
       SELECT DISTINCT ON (h.event_id) h.host_id, h.event_time, h.event_id, h.upload_id
       FROM events e JOIN event_holders h ON h.host_id = e.host_id AND h.event_id = e.id AND h.upload_id <> ${uploadId}
       WHERE e.upload_id = ${uploadId} ORDER BY h.event_id, h.upload_id
     ), moved AS (
       UPDATE events e SET upload_id = heirs.upload_id FROM heirs
       WHERE e.host_id = heirs.host_id AND e.time = heirs.event_time AND e.id = heirs.event_id
       RETURNING e.host_id, e.id, e.upload_id
     )
     DELETE FROM event_holders h USING moved WHERE h.host_id = moved.host_id AND h.event_id = moved.id AND h.upload_id = moved.upload_id`,
    client,
  ));

  // Results that counted an event of this upload; those left with no event once the events go are derived only
  // from this upload and go too (their risk events and notables with them, by the foreign keys).
  const touched = await query<{ id: string }>(
    sql`SELECT DISTINCT c.result_id::text AS id FROM events e JOIN detection_result_events c ON c.host_id = e.host_id AND c.event_id = e.id
     WHERE e.upload_id = ${uploadId}`,
    client,
  );
  const [gone] = await query<{ n: string; hosts: string[] | null }>(
    // The ledger's rows of the events going go with them (no foreign key does it: the ledger outlives retention).
    sql`WITH gone AS (DELETE FROM events WHERE upload_id = ${uploadId} RETURNING host_id, id),
     uncounted AS (DELETE FROM detection_result_events c USING gone WHERE c.host_id = gone.host_id AND c.event_id = gone.id RETURNING 1)
     SELECT count(*) AS n, array_agg(DISTINCT host_id) AS hosts, (SELECT count(*) FROM uncounted) AS uncounted FROM gone`,
    client,
  );
  const [derived] = await query<{ results: string; risk: string; notables: string }>(
    sql`WITH orphaned AS (
       SELECT r.id FROM detection_results r
       WHERE r.id = ANY(${touched.map((t) => t.id)}::bigint[]) AND NOT EXISTS (SELECT 1 FROM detection_result_events c WHERE c.result_id = r.id)
     ), incidents AS (
       -- Risk incident notables that counted a risk event going now: derived (in part) from this upload, they go
       -- too; the rules are evaluated again afterwards, and store the crossings the remaining risk still makes.
       DELETE FROM notables WHERE id IN (
         SELECT nr.notable_id FROM notable_risk_events nr JOIN risk_events re ON re.host_id = nr.host_id AND re.id = nr.risk_event_id
         WHERE re.result_id IN (SELECT id FROM orphaned))
       RETURNING 1
     ), counted AS (
       SELECT (SELECT count(*) FROM risk_events WHERE result_id IN (SELECT id FROM orphaned)) AS risk,
              (SELECT count(*) FROM notables WHERE result_id IN (SELECT id FROM orphaned)) + (SELECT count(*) FROM incidents) AS notables
     ), deleted AS (DELETE FROM detection_results WHERE id IN (SELECT id FROM orphaned) RETURNING 1)
     SELECT (SELECT count(*) FROM deleted) AS results, risk, notables FROM counted`,
    client,
  );

  // A module inventory's snapshot (lib/inventory) goes with its upload.
  const inventoried = await query<{ host_id: string }>(sql`DELETE FROM host_module_snapshots WHERE upload_id = ${uploadId} RETURNING host_id`, client);

  // Host counters of the hosts that lost events, recomputed; hosts left with no event (and no inventory) go.
  const hosts = gone.hosts ?? [];
  await recountHosts(client, hosts);
  await execute(
    sql`DELETE FROM hosts WHERE id = ANY(${[...hosts, ...inventoried.map((r) => r.host_id)]}::text[]) AND event_count = 0
          AND NOT EXISTS (SELECT 1 FROM host_module_snapshots s WHERE s.host_id = hosts.id)`,
    client,
  );
  await execute(sql`DELETE FROM uploads WHERE id = ${uploadId}`, client);
  return {
    filename,
    events: Number(gone.n),
    eventsKept: kept,
    results: Number(derived.results),
    riskEvents: Number(derived.risk),
    notables: Number(derived.notables),
  };
}
