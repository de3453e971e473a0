// Reads of detection results and runs, for the UI, the API and the CLI.
import { db } from "../db/client";
import type { RunKind } from "../db/enums";
import { parseBigintId } from "../db/ids";
import { query, queryOne, sql, whereAll, type Sql } from "../db/sql";
import { eventsHeldBy } from "../ingest/holding";
import { outputFieldNames } from "./spec";
import type { StoredEnrichment } from "./enrichment";
import { specById } from "./specs";
import { RESULT_SUPPRESSED } from "./suppressed";

export interface ResultFilter {
  detectionId?: string;
  /** Exact dest, case-insensitive (Splunk's `search dest="..."`). */
  dest?: string;
  /** Results whose events reach into [from, to): lastTime >= from and firstTime < to. */
  from?: Date;
  to?: Date;
  runId?: bigint | string;
  /** Results that an uploaded file's events are part of (stored by it or already stored when it came). */
  uploadId?: string;
  /** Include results an active suppression hides (flagged `suppressed`). Default: hidden. */
  includeSuppressed?: boolean;
  limit?: number;
  offset?: number;
}

export interface ResultRow {
  id: bigint;
  detectionId: string;
  runId: bigint;
  runTime: Date;
  runKind: string;
  groupKey: string;
  dest: string | null;
  fields: Record<string, unknown>;
  count: number;
  firstTime: Date;
  lastTime: Date;
  enrichment: StoredEnrichment;
  createdAt: Date;
  /** Whether an active suppression (the `_filter` macro) matches this result. */
  suppressed: boolean;
  notableId: bigint | null;
  riskScore: number;
}

/** Detection results, newest first; suppressed ones only when asked for, and flagged. */
/**
 * SQL: the ids of the results an upload's events are part of — the events it stored and those it holds that another
 * upload had stored first (lib/ingest/holding.ts).
 */
export const UPLOAD_RESULT_IDS = (upload: string): Sql =>
  sql`SELECT dre.result_id FROM detection_result_events dre
   WHERE (dre.host_id, dre.event_id) IN (SELECT host_id, id FROM (${eventsHeldBy(upload)}) held)`;

/** A detection result as listResults's SQL returns it. */
interface ResultSqlRow {
  id: string;
  detection_id: string;
  run_id: string;
  run_time: Date;
  run_kind: string;
  group_key: string;
  dest: string | null;
  fields: Record<string, unknown>;
  count: number;
  first_time: Date;
  last_time: Date;
  enrichment: StoredEnrichment;
  created_at: Date;
  suppressed: boolean;
  notable_id: string | null;
  risk_score: number;
}

export async function listResults(f: ResultFilter = {}): Promise<{ total: number; rows: ResultRow[] }> {
  const conditions: Sql[] = [];
  if (f.detectionId) conditions.push(sql`r.detection_id = ${f.detectionId}`);
  if (f.dest) conditions.push(sql`r.dest_id = lower(${f.dest})`);
  if (f.from) conditions.push(sql`r.last_time >= ${f.from}`);
  if (f.to) conditions.push(sql`r.first_time < ${f.to}`);
  if (f.runId !== undefined) conditions.push(sql`r.run_id = ${BigInt(f.runId)}`);
  if (f.uploadId) conditions.push(sql`r.id IN (${UPLOAD_RESULT_IDS(f.uploadId)})`);
  if (!f.includeSuppressed) conditions.push(sql`NOT ${RESULT_SUPPRESSED}`);
  const where = whereAll(conditions);
  const [count, page] = await Promise.all([
    queryOne<{ n: number }>(sql`SELECT count(*)::int AS n FROM detection_results r ${where}`),
    query<ResultSqlRow>(
      sql`SELECT r.*, run.run_time, run.kind::text AS run_kind, ${RESULT_SUPPRESSED} AS suppressed, n.id AS notable_id,
              coalesce((SELECT sum(risk_score) FROM risk_events re WHERE re.host_id = r.dest_id AND re.result_id = r.id), 0)::int AS risk_score
       FROM detection_results r JOIN detection_runs run ON run.id = r.run_id LEFT JOIN notables n ON n.host_id = r.dest_id AND n.result_id = r.id
       ${where}
       ORDER BY r.last_time DESC, r.id DESC LIMIT ${Math.min(f.limit ?? 100, 1000)} OFFSET ${f.offset ?? 0}`,
    ),
  ]);
  return {
    total: count!.n,
    rows: page.map((r) => ({
      id: BigInt(r.id),
      detectionId: r.detection_id,
      runId: BigInt(r.run_id),
      runTime: r.run_time,
      runKind: r.run_kind,
      groupKey: r.group_key,
      dest: r.dest,
      fields: r.fields,
      count: r.count,
      firstTime: r.first_time,
      lastTime: r.last_time,
      enrichment: r.enrichment,
      createdAt: r.created_at,
      suppressed: r.suppressed,
      notableId: r.notable_id === null ? null : BigInt(r.notable_id),
      riskScore: r.risk_score,
    })),
  };
}

/** A result row for client components (bigints and dates as strings). */
/**
 * A result row's fields in the order Splunk shows them (the SPL's `stats … by` fields, renamed, then count,
 * firstTime, lastTime): jsonb keeps its keys in its own order, not the search's.
 */
export function splFieldOrder(detectionId: string, fields: Record<string, unknown>): Record<string, unknown> {
  const spec = specById(detectionId);
  const order = spec ? outputFieldNames(spec.structuredSearch) : [];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => rank(a) - rank(b)));
}

export function resultRowJson(r: ResultRow) {
  return {
    id: String(r.id),
    detectionId: r.detectionId,
    dest: r.dest,
    fields: splFieldOrder(r.detectionId, r.fields),
    count: r.count,
    firstTime: r.firstTime.toISOString(),
    lastTime: r.lastTime.toISOString(),
    runTime: r.runTime.toISOString(),
    enrichment: r.enrichment,
    suppressed: r.suppressed,
    notableId: r.notableId === null ? null : String(r.notableId),
    riskScore: r.riskScore,
  };
}
export type ResultJson = ReturnType<typeof resultRowJson>;

export async function getResult(id: bigint | string) {
  const key = parseBigintId(id);
  if (key === null) return null;
  return db().detectionResult.findFirst({
    where: { id: key },
    include: { run: true, riskEvents: true, notable: true },
  });
}

/** The raw events a result counted ("one click away"), in time order. */
export async function contributingEvents(resultId: bigint | string, options: { limit?: number; offset?: number } = {}) {
  // The page's ids from the ledger (joined on the host, as the events' keys are), then the events themselves. Events
  // whose partition retention dropped are simply not there (see expiredEventsOf).
  const page = await query<{ id: string }>(
    sql`SELECT e.id::text AS id FROM detection_result_events c JOIN events e ON e.host_id = c.host_id AND e.id = c.event_id
     WHERE c.result_id = ${parseBigintId(resultId) ?? -1n} ORDER BY e.time, e.id
     LIMIT ${Math.min(options.limit ?? 200, 5000)} OFFSET ${options.offset ?? 0}`,
  );
  if (page.length === 0) return [];
  return db().event.findMany({ where: { id: { in: page.map((r) => BigInt(r.id)) } }, orderBy: [{ time: "asc" }, { id: "asc" }] });
}

export interface RunFilter {
  detectionId?: string;
  kind?: RunKind;
  limit?: number;
  offset?: number;
}

/** Detection runs, latest run time first. */
export async function listRuns(f: RunFilter = {}) {
  const where = { ...(f.detectionId ? { detectionId: f.detectionId } : {}), ...(f.kind ? { kind: f.kind } : {}) };
  const [total, rows] = await Promise.all([
    db().detectionRun.count({ where }),
    db().detectionRun.findMany({ where, orderBy: [{ runTime: "desc" }, { id: "desc" }], take: Math.min(f.limit ?? 100, 1000), skip: f.offset ?? 0 }),
  ]);
  return { total, rows };
}

/** Per detection: results, latest run and its time (for the catalog). */
export async function detectionActivity(): Promise<Map<string, { results: number; lastRunTime: Date | null; lastRunStatus: string | null }>> {
  const rows = await query<{ detection_id: string; results: string; last_run_time: Date | null; last_status: string | null }>(
    sql`SELECT d.detection_id, coalesce(r.results, 0) AS results, d.run_time AS last_run_time, d.status::text AS last_status
     FROM (SELECT DISTINCT ON (detection_id) detection_id, run_time, status FROM detection_runs WHERE kind <> 'adhoc'
           ORDER BY detection_id, run_time DESC, id DESC) d
     LEFT JOIN (SELECT detection_id, count(*) AS results FROM detection_results GROUP BY detection_id) r USING (detection_id)`,
  );
  return new Map(rows.map((r) => [r.detection_id, { results: Number(r.results), lastRunTime: r.last_run_time, lastRunStatus: r.last_status }]));
}

/** The field matches of a detection's active suppressions: what its `_filter` macro holds right now. */
export async function activeSuppressionMatches(detectionId: string): Promise<Record<string, unknown>[]> {
  const rows = await db().suppression.findMany({
    where: { detectionId, enabled: true, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
    orderBy: { id: "asc" },
    select: { match: true },
  });
  return rows.map((r) => r.match as Record<string, unknown>);
}
