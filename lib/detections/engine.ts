// The one engine that runs every detection spec. A batch of run windows is one set-based SQL statement that
// searches the events (compiled from the spec's structured search), groups them like `stats ... by`, applies the
// `_filter` macro (suppressions), and, for rows with events no earlier result of the detection counted, writes the
// result, its contributing events, its risk events (one per risk object) and, for TTP detections, its notable,
// plus one DetectionRun row per window. Enrichment is computed from the new results' event details and stored in
// the same transaction, then the results' risk factors (rba.ts).
import type pg from "pg";
import type { RunKind } from "../db/enums";
import { execute, join, query, sql, type Sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { applyRiskFactors, riskContext, riskMessageSql } from "./rba";
import { DEFAULT_HOST_PRIORITY, urgencyRow } from "./severity";
import { enrich, MAX_EVENT_IDS_IN_ENRICHMENT, type EventDetail } from "./enrichment";
import { suppressedSql } from "./suppressed";
import { disjointBatches, type RunWindow } from "./schedule";
import { engineSearch } from "./engine-search";
import type { Detection } from "./settings";
import { resultHostField, type DetectionSpec } from "./spec";

/** Runs that report (results, risk, notables): every RunKind but ad-hoc searches. */
export type ReportingRunKind = Exclude<RunKind, "adhoc">;

export interface RunSummary {
  runId: string;
  detectionId: string;
  kind: RunKind;
  runTime: Date;
  windowStart: Date;
  windowEnd: Date;
  /** Rows the search returned (after the filter macro). */
  rowCount: number;
  suppressedCount: number;
  /** New results reported (rows with events no earlier result counted); always 0 for ad-hoc runs. */
  resultCount: number;
}

/** A result row as the search returns it, with what it was computed from. */
export interface SearchRow {
  /** The ESCU row: by-fields (renamed), count, firstTime, lastTime. */
  fields: Record<string, string | number>;
  groupKey: string;
  eventIds: string[];
  enrichment: ReturnType<typeof enrich>;
}

/** Windows per statement: bounds the statement's memory on long replays. */
const WINDOWS_PER_STATEMENT = 24;

/** What a statement records about its runs: the detection, the kind of run, what triggered it, its windows. */
interface RunsOf {
  detectionId: string;
  kind: RunSummary["kind"];
  trigger: string;
  windows: RunWindow[];
}

/** The search part shared by reporting and ad-hoc runs: windows -> matched events -> grouped rows -> filter. */
function searchCtes(spec: DetectionSpec, runs: RunsOf): Sql {
  // The compiled search (engine-search.ts): an ESCU search's SQL, or a Sigma rule's predicate with bound values.
  const search = engineSearch(spec);
  const groups = search.groupAliases;
  const detail = sql`jsonb_build_object(${join(spec.enrichment.dataFields.map((f) => sql`${f.name}::text, e.data ->> ${f.key}::text`))})`;
  return sql`
  windows AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('detection_runs', 'id')) AS run_id, w.run_time, w.window_start, w.window_end
    FROM unnest(${runs.windows.map((w) => w.runTime)}::timestamptz[], ${runs.windows.map((w) => w.start)}::timestamptz[],
                ${runs.windows.map((w) => w.end)}::timestamptz[]) AS w(run_time, window_start, window_end)
  ),
  -- The id sequence, not max(id): that would read every partition of events, whatever the window.
  high_water AS MATERIALIZED (SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('events', 'id')::regclass), 0) AS max_event_id),
  matched AS MATERIALIZED (
    SELECT w.run_id, m.*
    FROM windows w
    -- Lateral, so each window is one index range scan on (event_code, time) rather than a pass over all candidates.
    CROSS JOIN LATERAL (
      SELECT e.id AS event_id, e.host_id AS event_host_id, e.time, ${search.groupSelect}, ${detail} AS detail
      FROM events e
      WHERE e.time >= w.window_start AND e.time < w.window_end
        AND ${search.eventPredicate}
      OFFSET 0 -- keeps the planner from flattening the subquery back into a join
    ) m
  ),
  grouped AS MATERIALIZED (
    SELECT run_id, md5(jsonb_build_array(${groups})::text) AS group_key, ${search.rowJson} AS fields,
      count(*)::int AS count, min(time) AS first_time, max(time) AS last_time,
      array_agg(event_id ORDER BY time, event_id) AS event_ids,
      array_agg(event_host_id ORDER BY time, event_id) AS event_host_ids,
      (array_agg(DISTINCT detail))[1:50] AS details
    FROM matched
    GROUP BY run_id, ${groups}
  ),
  kept AS MATERIALIZED (
    SELECT g.*, ${suppressedSql(runs.detectionId, sql`g.fields`)} AS suppressed FROM grouped g
  )`;
}

function runsInsert(runs: RunsOf, reporting: boolean): Sql {
  return sql`
  run_counts AS (
    SELECT run_id, count(*) FILTER (WHERE NOT suppressed) AS row_count, count(*) FILTER (WHERE suppressed) AS suppressed_count
    FROM kept GROUP BY run_id
  ),
  result_counts AS (${reporting ? sql`SELECT run_id, count(*) AS result_count FROM novel GROUP BY run_id` : sql`SELECT NULL::bigint AS run_id, 0 AS result_count WHERE false`}),
  runs AS (
    INSERT INTO detection_runs (id, detection_id, kind, run_time, window_start, window_end, status, row_count, suppressed_count,
                                result_count, trigger, max_event_id, started_at, finished_at)
    SELECT w.run_id, ${runs.detectionId}, ${runs.kind}::"RunKind", w.run_time, w.window_start, w.window_end, 'done',
      coalesce(c.row_count, 0), coalesce(c.suppressed_count, 0), coalesce(n.result_count, 0),
      ${runs.trigger}, (SELECT max_event_id FROM high_water), statement_timestamp(), clock_timestamp()
    FROM windows w LEFT JOIN run_counts c USING (run_id) LEFT JOIN result_counts n USING (run_id)
    RETURNING id, run_time, window_start, window_end, row_count, suppressed_count, result_count
  )`;
}

/** The statement of a reporting (scheduled or replay) batch of windows. */
export function reportingStatement(detection: Detection, kind: ReportingRunKind, trigger: string, windows: RunWindow[]): Sql {
  const { spec } = detection;
  const detectionId = spec.id;
  const runs: RunsOf = { detectionId, kind, trigger, windows };
  const context = riskContext(spec);
  const urgency = urgencyRow(detection.severity ?? "informational");
  const severity = detection.severity ?? "informational";
  const notable = spec.deployment.notable;
  // Rule title `%name%`: the detection's name.
  const notableTitle = (notable?.ruleTitle ?? "%name%").replaceAll("%name%", spec.name);
  // The risk message with each `$field$` token replaced by the result's field.
  const message = riskMessageSql(spec.rba.message, sql`r.fields`);
  const hostPriority = sql`lower(coalesce(h.priority, ${DEFAULT_HOST_PRIORITY}))`;
  return sql`WITH ${searchCtes(spec, runs)},
  novel AS MATERIALIZED (
    SELECT k.* FROM kept k
    WHERE NOT k.suppressed AND EXISTS (
      SELECT 1 FROM unnest(k.event_ids, k.event_host_ids) AS x(event_id, host_id)
      WHERE NOT EXISTS (SELECT 1 FROM detection_result_events c WHERE c.host_id = x.host_id AND c.detection_id = ${detectionId} AND c.event_id = x.event_id))
  ),
  results AS (
    INSERT INTO detection_results (detection_id, run_id, group_key, dest, fields, count, first_time, last_time)
    SELECT ${detectionId}, run_id, group_key, fields ->> ${resultHostField(spec)!}::text, fields, count, first_time, last_time FROM novel
    RETURNING id, run_id, group_key, dest, fields
  ),
  covered AS (
    INSERT INTO detection_result_events (host_id, detection_id, event_id, result_id)
    SELECT x.host_id, ${detectionId}, x.event_id, r.id FROM results r JOIN novel n USING (run_id, group_key)
    CROSS JOIN LATERAL unnest(n.event_ids, n.event_host_ids) AS x(event_id, host_id)
    RETURNING 1
  ),
  risk AS (
    INSERT INTO risk_events (time, detection_id, result_id, risk_object, risk_object_type, normalized_risk_object, risk_score, base_risk_score,
                             risk_message, search_name, analytic_stories, annotations, mitre_tactics, info_min_time, info_max_time, fields)
    SELECT w.run_time, ${detectionId}, r.id, v.value, ro.type, lower(v.value), ro.score, ro.score, ${message}, ${context.searchName}, ${context.analyticStories},
      -- The result's fields, and its host as \`dest\` (the CIM name) where the search names it otherwise (4104's
      -- Computer): the risk event is filed under that host (risk_events.host_id is lower(fields ->> 'dest')).
      ${JSON.stringify(context.annotations)}, ${context.mitreTactics}, w.window_start, w.window_end, r.fields || jsonb_build_object('dest', r.dest)
    FROM results r
    JOIN windows w USING (run_id)
    CROSS JOIN unnest(${detection.riskObjects.map((r) => r.field)}::text[], ${detection.riskObjects.map((r) => r.type)}::text[],
                      ${detection.riskObjects.map((r) => r.score)}::int[]) AS ro(field, type, score)
    CROSS JOIN LATERAL (SELECT r.fields ->> ro.field AS value) v
    WHERE ${spec.deployment.rba.enabled} AND v.value IS NOT NULL AND v.value <> ''
    RETURNING 1
  ),
  notables AS (
    INSERT INTO notables (result_id, detection_id, time, title, dest, severity, urgency, updated_at)
    SELECT r.id, ${detectionId}, w.run_time, ${notableTitle}, r.dest, ${severity}, coalesce(u.urgency, ${severity}), now()
    FROM results r
    JOIN windows w USING (run_id)
    LEFT JOIN hosts h ON h.id = lower(r.dest)
    LEFT JOIN unnest(${urgency.priorities}::text[], ${urgency.urgencies}::text[]) AS u(priority, urgency)
      ON u.priority = CASE WHEN ${hostPriority} = ANY(${urgency.priorities}::text[]) THEN ${hostPriority} ELSE 'unknown' END
    WHERE ${notable !== null}
    RETURNING 1
  ),
  ${runsInsert(runs, true)}
  SELECT r.id::text AS result_id, n.event_ids[1:${MAX_EVENT_IDS_IN_ENRICHMENT}]::text[] AS event_ids, cardinality(n.event_ids) AS event_count, n.details,
    NULL::text AS run_id
  FROM results r JOIN novel n USING (run_id, group_key)
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, id::text FROM runs`;
}

/** The statement of an ad-hoc run over one window: the search's rows and a DetectionRun row, nothing reported. */
export function adhocStatement(spec: DetectionSpec, trigger: string, window: RunWindow): Sql {
  const runs: RunsOf = { detectionId: spec.id, kind: "adhoc", trigger, windows: [window] };
  return sql`WITH ${searchCtes(spec, runs)},
  ${runsInsert(runs, false)}
  SELECT k.fields, k.group_key, k.event_ids::text[] AS event_ids, k.details, k.first_time, NULL::text AS run_id
  FROM kept k WHERE NOT k.suppressed
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, id::text FROM runs`;
}

/** The advisory lock that serializes a detection's runs (and anything that must not interleave with them). */
export const detectionRunLockKey = (detectionId: string) => `iiswatch:detection:${detectionId}`;

/** A transaction holding the detection's run lock. */
function inRunTransaction<T>(detectionId: string, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  return inTransaction(async (client) => {
    // One run of a detection at a time (scheduler, catch-up after an upload, replay): each must see what the
    // previous one reported, or both could report the same events.
    await execute(sql`SELECT pg_advisory_xact_lock(hashtext(${detectionRunLockKey(detectionId)}))`, client);
    return fn(client);
  });
}

interface ReportingRow {
  result_id: string | null;
  /** The first of the result's events (as many as its enrichment keeps), and how many it counted. */
  event_ids: string[] | null;
  event_count: number | null;
  details: EventDetail[] | null;
  run_id: string | null;
}

async function loadRuns(client: pg.ClientBase, runIds: string[]): Promise<RunSummary[]> {
  const rows = await query<{
    id: string;
    detection_id: string;
    kind: RunSummary["kind"];
    run_time: Date;
    window_start: Date;
    window_end: Date;
    row_count: number;
    suppressed_count: number;
    result_count: number;
  }>(
    sql`SELECT id::text, detection_id, kind::text AS kind, run_time, window_start, window_end, row_count, suppressed_count, result_count
     FROM detection_runs WHERE id = ANY(${runIds}::bigint[]) ORDER BY run_time, id`,
    client,
  );
  return rows.map((r) => ({
    runId: r.id,
    detectionId: r.detection_id,
    kind: r.kind,
    runTime: r.run_time,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    rowCount: r.row_count,
    suppressedCount: r.suppressed_count,
    resultCount: r.result_count,
  }));
}

/**
 * Runs a detection over scheduled windows and reports what is new: results, risk events, notables. Windows that
 * overlap go to separate statements, in order, so an event is never reported twice.
 */
export async function executeReportingRuns(
  detection: Detection,
  windows: RunWindow[],
  kind: ReportingRunKind,
  trigger: string,
): Promise<RunSummary[]> {
  if (windows.length === 0) return [];
  const runs: RunSummary[] = [];
  for (const batch of disjointBatches(windows)) {
    for (let i = 0; i < batch.length; i += WINDOWS_PER_STATEMENT) {
      const chunk = batch.slice(i, i + WINDOWS_PER_STATEMENT);
      runs.push(
        ...(await inRunTransaction(detection.spec.id, async (client) => {
          const rows = await query<ReportingRow>(reportingStatement(detection, kind, trigger, chunk), client);
          const results = rows.filter((r) => r.result_id !== null);
          if (results.length > 0) {
            const enrichments = results.map((r) => JSON.stringify(enrich(detection.spec.enrichment.kind, r.details ?? [], r.event_ids ?? [], r.event_count ?? 0)));
            await execute(
              sql`UPDATE detection_results d SET enrichment = x.enrichment
               FROM unnest(${results.map((r) => r.result_id)}::bigint[], ${enrichments}::jsonb[]) AS x(id, enrichment) WHERE d.id = x.id`,
              client,
            );
            // Module provenance, prevalence and first sighting, from the enrichment just stored (rba.ts).
            await applyRiskFactors(client, results.map((r) => r.result_id!));
          }
          return loadRuns(client, rows.filter((r) => r.run_id !== null).map((r) => r.run_id!));
        })),
      );
    }
  }
  return runs.sort((a, b) => a.runTime.getTime() - b.runTime.getTime());
}

/** Runs a detection's search over one window without reporting anything (ES "run search"). */
export async function executeAdhocRun(detection: Detection, window: RunWindow, trigger: string): Promise<{ run: RunSummary; rows: SearchRow[] }> {
  return inRunTransaction(detection.spec.id, async (client) => {
    const rows = await query<{
      fields: SearchRow["fields"] | null;
      group_key: string;
      event_ids: string[];
      details: EventDetail[];
      first_time: Date;
      run_id: string | null;
    }>(adhocStatement(detection.spec, trigger, window), client);
    const [run] = await loadRuns(client, [rows.find((r) => r.run_id !== null)!.run_id!]);
    const found = rows.filter((r) => r.fields !== null).sort((a, b) => a.first_time.getTime() - b.first_time.getTime() || a.group_key.localeCompare(b.group_key));
    return {
      run,
      rows: found.map((r) => ({
        fields: r.fields!,
        groupKey: r.group_key,
        eventIds: r.event_ids,
        enrichment: enrich(detection.spec.enrichment.kind, r.details ?? [], r.event_ids),
      })),
    };
  });
}
