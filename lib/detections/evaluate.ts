// Which detections have evaluated which stored events. Every event belongs to the upload that stored it, so the
// record is kept per upload and detection (upload_evaluations): an upload's detection job evaluates its events
// and records that in the end; the clock's catch-up finds uploads lacking a record for an enabled detection (a
// job that never ran to its end, a detection enabled later) or with windows that have since come due. Evaluating
// again is harmless (the engine reports only events no earlier result counted), so a crash anywhere in between
// costs a repeat, never a skip.
import { execute, query, sql } from "../db/sql";
import type { RunSummary } from "./engine";
import { enabledDetections, runForNewEvents } from "./runs";
import { detectionTiming, type DetectionTiming } from "./timing";

export interface UploadEvaluationOutcome {
  runs: RunSummary[];
  /** When windows of this upload's events that were not due yet come due (the next evaluation), if any. */
  pendingUntil: Date | null;
}

/**
 * Evaluates the events one upload stored with every enabled detection (or those named), records it, and marks
 * the upload done when it was waiting for its detections.
 */
export async function evaluateUpload(
  uploadId: string,
  options: { now?: Date; detectionIds?: string[]; timing?: DetectionTiming } = {},
): Promise<UploadEvaluationOutcome> {
  const now = options.now ?? new Date();
  const timing = options.timing ?? detectionTiming();
  const runs: RunSummary[] = [];
  let pendingUntil: Date | null = null;
  for (const detection of await enabledDetections(options.detectionIds)) {
    const evaluation = await runForNewEvents(uploadId, { now, detections: [detection], timing });
    runs.push(...evaluation.runs);
    if (evaluation.pendingUntil && (!pendingUntil || evaluation.pendingUntil > pendingUntil)) pendingUntil = evaluation.pendingUntil;
    await execute(
      sql`INSERT INTO upload_evaluations (upload_id, detection_id, evaluated_at, pending_until) VALUES (${uploadId}, ${detection.spec.id}, now(), ${evaluation.pendingUntil})
       ON CONFLICT (upload_id, detection_id) DO UPDATE SET evaluated_at = now(), pending_until = excluded.pending_until`,
    );
  }
  await execute(sql`UPDATE uploads SET status = 'done', evaluated_at = now(), worker = NULL WHERE id = ${uploadId} AND status = 'detecting'`);
  return { runs, pendingUntil };
}

/**
 * Uploads whose stored events some enabled detection has not evaluated, or evaluated before windows of them came
 * due. Uploads still being processed are not included (their events are not stored yet).
 */
export async function uploadsNeedingEvaluation(now: Date = new Date(), options: { includeDetecting?: boolean } = {}): Promise<string[]> {
  const detections = (await enabledDetections()).map((d) => d.spec.id);
  if (detections.length === 0) return [];
  const rows = await query<{ id: string }>(
    sql`SELECT u.id FROM uploads u
     WHERE u.status::text = ANY(${options.includeDetecting ? ["done", "detecting"] : ["done"]}::text[])
       AND EXISTS (
         SELECT 1 FROM unnest(${detections}::text[]) AS d(detection_id)
         LEFT JOIN upload_evaluations v ON v.upload_id = u.id AND v.detection_id = d.detection_id
         WHERE v.upload_id IS NULL OR v.pending_until <= ${now})
     ORDER BY u.created_at`,
  );
  return rows.map((r) => r.id);
}

/**
 * The clock's catch-up: evaluates every upload that needs it (uploads still `detecting` have a job of their own;
 * the reaper sees to those).
 */
export async function catchUpEvaluations(now: Date = new Date()): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (const uploadId of await uploadsNeedingEvaluation(now)) runs.push(...(await evaluateUpload(uploadId, { now })).runs);
  return runs;
}
