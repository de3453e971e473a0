// When detections run: on the clock (scheduled), over uploaded history (replay), over windows that late events
// touched (after an upload, or a catch-up), and ad hoc. Every path ends in the one engine (engine.ts).
import { query, queryOne, sql } from "../db/sql";
import { executeAdhocRun, executeReportingRuns, type RunSummary, type SearchRow } from "./engine";
import { engineSearch } from "./engine-search";
import { cronTimesBetween, previousCronTime, runWindowsCovering, windowForRun, type RunWindow } from "./schedule";
import { listDetections, requireDetection, type Detection } from "./settings";
import type { DetectionTiming } from "./timing";

export async function enabledDetections(detectionIds?: string[]): Promise<Detection[]> {
  const all = await listDetections();
  return all.filter((d) => d.enabled && (!detectionIds || detectionIds.includes(d.spec.id)));
}

/** Windows whose scheduled time has come: the window of a later run is not complete yet. */
const due = (windows: RunWindow[], now: Date) => windows.filter((w) => w.runTime.getTime() <= now.getTime());

/**
 * Of these windows, those holding at least one event the detection's search would count (optionally only events of
 * one upload). One query, whatever the number of windows.
 */
async function windowsWithEvents(detection: Detection, windows: RunWindow[], only: { uploadId?: string } = {}): Promise<RunWindow[]> {
  if (windows.length === 0) return [];
  const search = engineSearch(detection.spec);
  const upload = only.uploadId ?? null;
  const rows = await query<{ i: string }>(
    sql`SELECT w.i FROM unnest(${windows.map((w) => w.start)}::timestamptz[], ${windows.map((w) => w.end)}::timestamptz[]) WITH ORDINALITY AS w(window_start, window_end, i)
     WHERE EXISTS (
       SELECT 1 FROM events e
       WHERE e.time >= w.window_start AND e.time < w.window_end
         AND (${upload}::uuid IS NULL OR e.upload_id = ${upload}::uuid)
         AND ${search.eventPredicate})`,
  );
  return rows.map((r) => windows[Number(r.i) - 1]);
}

/** Event-time span of the events the detection's search would count (optionally of one upload, or in a range). */
async function eventSpan(
  detection: Detection,
  only: { uploadId?: string; from?: Date; to?: Date } = {},
): Promise<{ first: Date; last: Date } | null> {
  const search = engineSearch(detection.spec);
  const [upload, from, to] = [only.uploadId ?? null, only.from ?? null, only.to ?? null];
  const span = await queryOne<{ first: Date | null; last: Date | null }>(
    sql`SELECT min(e.time) AS first, max(e.time) AS last FROM events e
     WHERE (${upload}::uuid IS NULL OR e.upload_id = ${upload}::uuid)
       AND (${from}::timestamptz IS NULL OR e.time >= ${from}::timestamptz)
       AND (${to}::timestamptz IS NULL OR e.time < ${to}::timestamptz)
       AND ${search.eventPredicate}`,
  );
  return span?.first && span.last ? { first: span.first, last: span.last } : null;
}

/**
 * The scheduled run at `runTime` of every enabled detection (or of those named): each searches
 * [runTime-70m@m, runTime-10m@m) and reports what is new. Running the same time again reports nothing new.
 */
export async function runScheduled(runTime: Date, options: { detectionIds?: string[]; trigger?: string } = {}): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (const detection of await enabledDetections(options.detectionIds)) {
    runs.push(...(await executeReportingRuns(detection, [windowForRun(detection.spec.deployment, runTime)], "scheduled", options.trigger ?? "scheduler")));
  }
  return runs;
}

export interface ReplayOptions {
  /** Event time from which to replay (default: the first event). */
  from?: Date;
  /** Event time up to which to replay, exclusive (default: after the last event). */
  to?: Date;
  detectionIds?: string[];
  /** Scheduled times after this are not run yet (default: now). */
  now?: Date;
  trigger?: string;
}

/**
 * Replays stored history as ES would have run it: every scheduled run whose window holds events of the detection,
 * each a DetectionRun (kind "replay") with its risk events and notables at the run's time. Idempotent.
 */
export async function replayHistory(options: ReplayOptions = {}): Promise<RunSummary[]> {
  const now = options.now ?? new Date();
  const runs: RunSummary[] = [];
  for (const detection of await enabledDetections(options.detectionIds)) {
    const span = await eventSpan(detection, { from: options.from, to: options.to });
    if (!span) continue;
    const candidates = due(runWindowsCovering(detection.spec.deployment, span.first, span.last), now);
    const windows = await windowsWithEvents(detection, candidates);
    runs.push(...(await executeReportingRuns(detection, windows, "replay", options.trigger ?? "replay")));
  }
  return runs;
}

export interface UploadEvaluation {
  runs: RunSummary[];
  /** The latest scheduled time of a window holding this upload's events that is not due yet, if any (none in NRT). */
  pendingUntil: Date | null;
}

/**
 * Late events: runs the scheduled windows that the events this upload stored fall in (windows whose time has
 * come; later ones are the scheduler's, and are reported in `pendingUntil`). Only events no earlier result
 * counted are reported, so running it again reports nothing new. The detection job runs this for every upload.
 *
 * Near-real-time (`timing: "nrt"`, IISWATCH_DETECTIONS=nrt): the windows not due yet are run now too, each a run of
 * kind `nrt` at `now` (its risk events' and notable's _time: when it was raised) over the scheduled window itself
 * — ESCU's window tiles event time, so every event lies in exactly one, and the row is the Splunk row of that window
 * as it stands. Their events enter the ledger, so the window's scheduled run later reports nothing again; a group
 * that gains events from a later batch is reported again with its full count, as a late event is.
 */
export async function runForNewEvents(
  uploadId: string,
  options: { now?: Date; detections?: Detection[]; timing?: DetectionTiming } = {},
): Promise<UploadEvaluation> {
  const now = options.now ?? new Date();
  const nearRealTime = (options.timing ?? "scheduled") === "nrt";
  const runs: RunSummary[] = [];
  let pendingUntil: Date | null = null;
  for (const detection of options.detections ?? (await enabledDetections())) {
    const span = await eventSpan(detection, { uploadId });
    if (!span) continue;
    const covering = runWindowsCovering(detection.spec.deployment, span.first, span.last);
    const windows = await windowsWithEvents(detection, due(covering, now), { uploadId });
    runs.push(...(await executeReportingRuns(detection, windows, "replay", `upload:${uploadId}`)));
    const notDue = covering.filter((w) => w.runTime > now);
    if (nearRealTime) {
      const early = await windowsWithEvents(detection, notDue, { uploadId });
      runs.push(...(await executeReportingRuns(detection, early.map((w) => ({ ...w, runTime: now })), "nrt", `nrt:upload:${uploadId}`)));
    } else {
      for (const w of notDue) if (!pendingUntil || w.runTime > pendingUntil) pendingUntil = w.runTime;
    }
  }
  return { runs, pendingUntil };
}

/** At most this many missed scheduled times are made up after downtime (ES continuous scheduling, bounded). */
export const MAX_MISSED_RUNS = 24;

/**
 * The scheduled part of what the clock triggers: the latest scheduled run of each enabled detection, preceded by
 * the runs missed since its last scheduled run (server down). The clock then catches up on uploads not yet
 * evaluated by every enabled detection (evaluate.ts).
 */
export async function runDue(now: Date = new Date(), options: { cron?: string } = {}): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (const detection of await enabledDetections()) {
    const { cron } = detection.spec.deployment;
    if (options.cron && cron !== options.cron) continue;
    const latest = previousCronTime(cron, now);
    const last = (await queryOne<{ last: Date | null }>(sql`SELECT max(run_time) AS last FROM detection_runs WHERE detection_id = ${detection.spec.id} AND kind = 'scheduled'`))?.last ?? null;
    const times = last ? cronTimesBetween(cron, new Date(last.getTime() + 1), latest).slice(-MAX_MISSED_RUNS) : [latest];
    const windows = times.map((t) => windowForRun(detection.spec.deployment, t));
    runs.push(...(await executeReportingRuns(detection, windows, "scheduled", "scheduler")));
  }
  return runs;
}

export interface AdhocOptions {
  /** One detection (run even when disabled), or every enabled detection. */
  detectionId?: string;
  from: Date;
  to: Date;
  trigger?: string;
}

export interface AdhocResult {
  detectionId: string;
  run: RunSummary;
  rows: SearchRow[];
}

/**
 * ES "run search": the detection's search over [from, to), returning its rows. Like ES's ad-hoc search, it creates
 * no risk events or notables and is not remembered as reported: a DetectionRun (kind "adhoc") records that it ran.
 */
export async function runAdhoc(options: AdhocOptions): Promise<AdhocResult[]> {
  if (!(options.from < options.to)) throw new Error("ad-hoc run: 'from' must be before 'to'");
  const detections = options.detectionId ? [await requireDetection(options.detectionId)] : await enabledDetections();
  const window: RunWindow = { runTime: new Date(), start: options.from, end: options.to };
  const out: AdhocResult[] = [];
  for (const detection of detections) {
    const { run, rows } = await executeAdhocRun(detection, window, options.trigger ?? "adhoc");
    out.push({ detectionId: detection.spec.id, run, rows });
  }
  return out;
}
