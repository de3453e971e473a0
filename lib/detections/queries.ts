// Reads of detection results and runs, for the UI, the API and the CLI.
import { db } from "../db/client";
import { pgPool } from "../db/pg";

export interface ResultFilter {
  detectionId?: string;
  /** Exact dest, case-insensitive (Splunk's `search dest="..."`). */
  dest?: string;
  /** Results whose events reach into [from, to): lastTime >= from and firstTime < to. */
  from?: Date;
  to?: Date;
  runId?: bigint | string;
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
  enrichment: Record<string, unknown>;
  createdAt: Date;
}

function resultWhere(f: ResultFilter) {
  return {
    ...(f.detectionId ? { detectionId: f.detectionId } : {}),
    ...(f.dest ? { dest: { equals: f.dest, mode: "insensitive" as const } } : {}),
    ...(f.from ? { lastTime: { gte: f.from } } : {}),
    ...(f.to ? { firstTime: { lt: f.to } } : {}),
    ...(f.runId !== undefined ? { runId: BigInt(f.runId) } : {}),
  };
}

/** Detection results, newest first. */
export async function listResults(f: ResultFilter = {}): Promise<{ total: number; rows: ResultRow[] }> {
  const where = resultWhere(f);
  const [total, rows] = await Promise.all([
    db().detectionResult.count({ where }),
    db().detectionResult.findMany({
      where,
      include: { run: { select: { runTime: true, kind: true } } },
      orderBy: [{ lastTime: "desc" }, { id: "desc" }],
      take: Math.min(f.limit ?? 100, 1000),
      skip: f.offset ?? 0,
    }),
  ]);
  return {
    total,
    rows: rows.map(({ run, ...r }) => ({
      ...r,
      runTime: run.runTime,
      runKind: run.kind,
      fields: r.fields as Record<string, unknown>,
      enrichment: r.enrichment as Record<string, unknown>,
    })),
  };
}

export async function getResult(id: bigint | string) {
  return db().detectionResult.findUnique({
    where: { id: BigInt(id) },
    include: { run: true, riskEvents: true, notable: true },
  });
}

/** The raw events a result counted ("one click away"), in time order. */
export async function contributingEvents(resultId: bigint | string, options: { limit?: number; offset?: number } = {}) {
  return db().event.findMany({
    where: { detectionResults: { some: { resultId: BigInt(resultId) } } },
    orderBy: [{ time: "asc" }, { id: "asc" }],
    take: Math.min(options.limit ?? 200, 5000),
    skip: options.offset ?? 0,
  });
}

export interface RunFilter {
  detectionId?: string;
  kind?: "scheduled" | "replay" | "adhoc";
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
  const { rows } = await pgPool().query<{ detection_id: string; results: string; last_run_time: Date | null; last_status: string | null }>(
    `SELECT d.detection_id, coalesce(r.results, 0) AS results, d.run_time AS last_run_time, d.status::text AS last_status
     FROM (SELECT DISTINCT ON (detection_id) detection_id, run_time, status FROM detection_runs WHERE kind <> 'adhoc'
           ORDER BY detection_id, run_time DESC, id DESC) d
     LEFT JOIN (SELECT detection_id, count(*) AS results FROM detection_results GROUP BY detection_id) r USING (detection_id)`,
  );
  return new Map(rows.map((r) => [r.detection_id, { results: Number(r.results), lastRunTime: r.last_run_time, lastRunStatus: r.last_status }]));
}
