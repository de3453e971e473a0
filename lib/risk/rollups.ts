// Risk rollups (by host, detection, ATT&CK tactic, day) and the Splunk ES risk incident rules, over the risk
// that counts (effective.ts).
import { empty, query, queryOne, sql, type Sql } from "../db/sql";
import { EFFECTIVE_RISK_EVENTS } from "./effective";
import { INCIDENT_RULES } from "./incident-rules";

export { INCIDENT_RULES };

const HOUR = 3_600_000;

export interface RiskWindow {
  from: Date;
  to: Date;
}

export interface HostRisk {
  host: string;
  score: number;
  events: number;
  sources: number;
  tactics: string[];
  lastTime: Date;
}

// hostRisk reads one row per risk event and tactic (so that `tactic` gives the distinct tactics): a risk event with
// several tactics counts once, by its first row, in the score and the event count.
const ONCE_PER_EVENT = sql`FILTER (WHERE tactic_n IS NULL OR tactic_n = 1)`;
/** An object's risk score, in hostRisk's `having`. */
const HOST_SCORE = sql`sum(risk_score) ${ONCE_PER_EVENT}`;

/**
 * Risk per object (normalized_risk_object) in [from, to), highest first: every object, or those `having` (an SQL
 * condition over the group, e.g. the incident rules' thresholds), up to `limit`.
 */
async function hostRisk(window: RiskWindow, options: { limit?: number; having?: Sql } = {}): Promise<HostRisk[]> {
  return query<HostRisk>(
    sql`SELECT normalized_risk_object AS host, (${HOST_SCORE})::int AS score, (count(*) ${ONCE_PER_EVENT})::int AS events,
            count(DISTINCT search_name)::int AS sources,
            coalesce(array_agg(DISTINCT tactic ORDER BY tactic) FILTER (WHERE tactic IS NOT NULL), '{}') AS tactics,
            max(time) AS "lastTime"
     FROM (${EFFECTIVE_RISK_EVENTS}) re LEFT JOIN LATERAL unnest(re.mitre_tactics) WITH ORDINALITY AS t(tactic, tactic_n) ON true
     WHERE time >= ${window.from} AND time < ${window.to}
     GROUP BY normalized_risk_object
     ${options.having ? sql`HAVING ${options.having}` : empty}
     ORDER BY score DESC, host
     LIMIT ${options.limit ?? null}`,
  );
}

/** Risk per object in [from, to), highest first. */
export async function riskByHost(window: RiskWindow, limit = 1000): Promise<HostRisk[]> {
  return hostRisk(window, { limit });
}

// The distinct counts are taken in two hashed steps (per group and object, then per group) rather than with
// count(DISTINCT …), which sorts every risk event of the window: at 50,000 risk events that is most of the time.
export async function riskByDetection(window: RiskWindow) {
  return query<{ searchName: string; detectionId: string; score: number; events: number; hosts: number }>(
    sql`SELECT search_name AS "searchName", detection_id AS "detectionId", sum(score)::int AS score, sum(events)::int AS events, count(*)::int AS hosts
     FROM (
       SELECT search_name, detection_id, normalized_risk_object, sum(risk_score) AS score, count(*) AS events
       FROM (${EFFECTIVE_RISK_EVENTS}) re WHERE time >= ${window.from} AND time < ${window.to}
       GROUP BY 1, 2, 3
     ) per_host
     GROUP BY 1, 2 ORDER BY score DESC`,
  );
}

export async function riskByTactic(window: RiskWindow) {
  return query<{ tactic: string; score: number; events: number; hosts: number }>(
    sql`SELECT tactic, sum(score)::int AS score, sum(events)::int AS events, count(*)::int AS hosts
     FROM (
       SELECT tactic, normalized_risk_object, sum(risk_score) AS score, count(*) AS events
       FROM (${EFFECTIVE_RISK_EVENTS}) re, unnest(re.mitre_tactics) AS tactic
       WHERE time >= ${window.from} AND time < ${window.to}
       GROUP BY 1, 2
     ) per_host
     GROUP BY 1 ORDER BY score DESC`,
  );
}

/** Risk per UTC day in [from, to), every day present (zero when none), optionally for one host. */
export async function riskByDay(window: RiskWindow, host?: string) {
  return query<{ day: string; score: number; events: number }>(
    sql`WITH days AS (
       SELECT generate_series(date_trunc('day', ${window.from}::timestamptz AT TIME ZONE 'UTC'), date_trunc('day', (${window.to}::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC'), interval '1 day') AS day
     ), risk AS (
       SELECT date_trunc('day', time AT TIME ZONE 'UTC') AS day, sum(risk_score)::int AS score, count(*)::int AS events
       FROM (${EFFECTIVE_RISK_EVENTS}) re
       WHERE time >= ${window.from}::timestamptz AND time < ${window.to}::timestamptz AND (${host ?? null}::text IS NULL OR normalized_risk_object = lower(${host ?? null}::text))
       GROUP BY 1
     )
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, coalesce(risk.score, 0) AS score, coalesce(risk.events, 0) AS events
     FROM days LEFT JOIN risk USING (day) ORDER BY days.day`,
  );
}

/** A risk event as the views list it (a host's risk events, a notable's contributing risk). */
export interface RiskEventSummary {
  id: string;
  time: Date;
  searchName: string;
  riskScore: number;
  riskMessage: string;
  tactics: string[];
}

export interface ContributingRisk extends RiskEventSummary {
  resultId: string;
}

export interface IncidentFinding {
  rule: "scoreOver24h" | "tacticsOver7d";
  host: string;
  score: number;
  tactics: string[];
  sources: number;
  /** Every risk event that contributed (no cap). */
  contributing: ContributingRisk[];
}

/** Every risk event that counts of these objects in the window, by object. */
async function contributing(hosts: string[], window: RiskWindow): Promise<Map<string, ContributingRisk[]>> {
  const rows = await query<ContributingRisk & { host: string }>(
    sql`SELECT normalized_risk_object AS host, id::text, time, search_name AS "searchName", risk_score AS "riskScore",
            risk_message AS "riskMessage", mitre_tactics AS tactics, result_id::text AS "resultId"
     FROM (${EFFECTIVE_RISK_EVENTS}) re
     WHERE normalized_risk_object = ANY(${hosts}::text[]) AND time >= ${window.from} AND time < ${window.to} ORDER BY time, id`,
  );
  const byHost = new Map<string, ContributingRisk[]>();
  for (const { host, ...risk } of rows) byHost.set(host, [...(byHost.get(host) ?? []), risk]);
  return byHost;
}

/**
 * Evaluates both incident rules at `at` (their windows end there). The thresholds are tested in SQL over every
 * object, so an object is found whatever its rank by score.
 */
export async function evaluateIncidentRules(at: Date): Promise<IncidentFinding[]> {
  const { scoreOver24h, tacticsOver7d } = INCIDENT_RULES;
  const rules = [
    { rule: "scoreOver24h", hours: scoreOver24h.hours, having: sql`${HOST_SCORE} > ${scoreOver24h.threshold}` },
    {
      rule: "tacticsOver7d",
      hours: tacticsOver7d.hours,
      having: sql`count(DISTINCT tactic) >= ${tacticsOver7d.minTactics} AND count(DISTINCT search_name) >= ${tacticsOver7d.minSources}`,
    },
  ] as const;
  const findings: IncidentFinding[] = [];
  for (const { rule, hours, having } of rules) {
    const window: RiskWindow = { from: new Date(at.getTime() - hours * HOUR), to: at };
    const hosts = await hostRisk(window, { having });
    const events = await contributing(hosts.map((h) => h.host), window);
    for (const h of hosts) findings.push({ rule, host: h.host, score: h.score, tactics: h.tactics, sources: h.sources, contributing: events.get(h.host) ?? [] });
  }
  return findings;
}

/**
 * The first and the latest risk event that count, overall or of one object (`dest`): what "all" spans. Risk events
 * are stamped with the time of the run that raised them, after the events they come from, so a view's "all" must
 * reach them and not stop at the last event.
 */
export async function riskEventBounds(dest?: string): Promise<{ first: Date | null; last: Date | null }> {
  const one = (order: "ASC" | "DESC") =>
    queryOne<{ t: Date }>(
      sql`SELECT time AS t FROM (${EFFECTIVE_RISK_EVENTS}) re ${ofObject(dest)} ORDER BY time ${order === "ASC" ? sql`ASC` : sql`DESC`} LIMIT 1`,
    );
  const [first, last] = await Promise.all([one("ASC"), one("DESC")]);
  return { first: first?.t ?? null, last: last?.t ?? null };
}

/** The latest risk event that counts, overall or of one object (`dest`): the reference for historical data. */
export async function latestRiskEventTime(dest?: string): Promise<Date | null> {
  // ORDER BY … LIMIT 1 rather than max(): an index on time (or on the object and time) is walked backwards.
  const row = await queryOne<{ t: Date }>(sql`SELECT time AS t FROM (${EFFECTIVE_RISK_EVENTS}) re ${ofObject(dest)} ORDER BY time DESC LIMIT 1`);
  return row?.t ?? null;
}

/** The WHERE of the risk of one object, or nothing for every object. */
const ofObject = (dest: string | undefined): Sql => (dest === undefined ? empty : sql`WHERE normalized_risk_object = lower(${dest})`);
