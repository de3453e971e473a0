// Risk rollups (by host, detection, ATT&CK tactic, day) and the Splunk ES risk incident rules, over the risk
// that counts (effective.ts).
import { pgPool } from "../db/pg";
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
const ONCE_PER_EVENT = "FILTER (WHERE tactic_n IS NULL OR tactic_n = 1)";
/** An object's risk score, in hostRisk's `having`. */
const HOST_SCORE = `sum(risk_score) ${ONCE_PER_EVENT}`;

/**
 * Risk per object (normalized_risk_object) in [from, to), highest first: every object, or those `having` (an SQL
 * condition over the group, e.g. the incident rules' thresholds), up to `limit`.
 */
async function hostRisk(window: RiskWindow, options: { limit?: number; having?: string } = {}): Promise<HostRisk[]> {
  const { rows } = await pgPool().query<HostRisk>(
    `SELECT normalized_risk_object AS host, (${HOST_SCORE})::int AS score, (count(*) ${ONCE_PER_EVENT})::int AS events,
            count(DISTINCT search_name)::int AS sources,
            coalesce(array_agg(DISTINCT tactic ORDER BY tactic) FILTER (WHERE tactic IS NOT NULL), '{}') AS tactics,
            max(time) AS "lastTime"
     FROM (${EFFECTIVE_RISK_EVENTS}) re LEFT JOIN LATERAL unnest(re.mitre_tactics) WITH ORDINALITY AS t(tactic, tactic_n) ON true
     WHERE time >= $1 AND time < $2
     GROUP BY normalized_risk_object
     ${options.having ? `HAVING ${options.having}` : ""}
     ORDER BY score DESC, host
     LIMIT $3`,
    [window.from, window.to, options.limit ?? null],
  );
  return rows;
}

/** Risk per object in [from, to), highest first. */
export async function riskByHost(window: RiskWindow, limit = 1000): Promise<HostRisk[]> {
  return hostRisk(window, { limit });
}

// The distinct counts are taken in two hashed steps (per group and object, then per group) rather than with
// count(DISTINCT …), which sorts every risk event of the window: at 50,000 risk events that is most of the time.
export async function riskByDetection(window: RiskWindow) {
  const { rows } = await pgPool().query<{ searchName: string; detectionId: string; score: number; events: number; hosts: number }>(
    `SELECT search_name AS "searchName", detection_id AS "detectionId", sum(score)::int AS score, sum(events)::int AS events, count(*)::int AS hosts
     FROM (
       SELECT search_name, detection_id, normalized_risk_object, sum(risk_score) AS score, count(*) AS events
       FROM (${EFFECTIVE_RISK_EVENTS}) re WHERE time >= $1 AND time < $2
       GROUP BY 1, 2, 3
     ) per_host
     GROUP BY 1, 2 ORDER BY score DESC`,
    [window.from, window.to],
  );
  return rows;
}

export async function riskByTactic(window: RiskWindow) {
  const { rows } = await pgPool().query<{ tactic: string; score: number; events: number; hosts: number }>(
    `SELECT tactic, sum(score)::int AS score, sum(events)::int AS events, count(*)::int AS hosts
     FROM (
       SELECT tactic, normalized_risk_object, sum(risk_score) AS score, count(*) AS events
       FROM (${EFFECTIVE_RISK_EVENTS}) re, unnest(re.mitre_tactics) AS tactic
       WHERE time >= $1 AND time < $2
       GROUP BY 1, 2
     ) per_host
     GROUP BY 1 ORDER BY score DESC`,
    [window.from, window.to],
  );
  return rows;
}

/** Risk per UTC day in [from, to), every day present (zero when none), optionally for one host. */
export async function riskByDay(window: RiskWindow, host?: string) {
  const { rows } = await pgPool().query<{ day: string; score: number; events: number }>(
    `WITH days AS (
       SELECT generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'), date_trunc('day', ($2::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC'), interval '1 day') AS day
     ), risk AS (
       SELECT date_trunc('day', time AT TIME ZONE 'UTC') AS day, sum(risk_score)::int AS score, count(*)::int AS events
       FROM (${EFFECTIVE_RISK_EVENTS}) re
       WHERE time >= $1 AND time < $2 AND ($3::text IS NULL OR normalized_risk_object = lower($3))
       GROUP BY 1
     )
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, coalesce(risk.score, 0) AS score, coalesce(risk.events, 0) AS events
     FROM days LEFT JOIN risk USING (day) ORDER BY days.day`,
    [window.from, window.to, host ?? null],
  );
  return rows;
}

export interface ContributingRisk {
  id: string;
  time: Date;
  searchName: string;
  riskScore: number;
  riskMessage: string;
  tactics: string[];
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
  const { rows } = await pgPool().query<ContributingRisk & { host: string }>(
    `SELECT normalized_risk_object AS host, id::text, time, search_name AS "searchName", risk_score AS "riskScore",
            risk_message AS "riskMessage", mitre_tactics AS tactics, result_id::text AS "resultId"
     FROM (${EFFECTIVE_RISK_EVENTS}) re
     WHERE normalized_risk_object = ANY($1::text[]) AND time >= $2 AND time < $3 ORDER BY time, id`,
    [hosts, window.from, window.to],
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
    { rule: "scoreOver24h", hours: scoreOver24h.hours, having: `${HOST_SCORE} > ${scoreOver24h.threshold}` },
    {
      rule: "tacticsOver7d",
      hours: tacticsOver7d.hours,
      having: `count(DISTINCT tactic) >= ${tacticsOver7d.minTactics} AND count(DISTINCT search_name) >= ${tacticsOver7d.minSources}`,
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
    pgPool().query<{ t: Date }>(
      `SELECT time AS t FROM (${EFFECTIVE_RISK_EVENTS}) re ${dest === undefined ? "" : "WHERE normalized_risk_object = lower($1)"} ORDER BY time ${order} LIMIT 1`,
      dest === undefined ? [] : [dest],
    );
  const [first, last] = await Promise.all([one("ASC"), one("DESC")]);
  return { first: first.rows[0]?.t ?? null, last: last.rows[0]?.t ?? null };
}

/** The latest risk event that counts, overall or of one object (`dest`): the reference for historical data. */
export async function latestRiskEventTime(dest?: string): Promise<Date | null> {
  // ORDER BY … LIMIT 1 rather than max(): an index on time (or on the object and time) is walked backwards.
  const { rows } = await pgPool().query<{ t: Date }>(
    `SELECT time AS t FROM (${EFFECTIVE_RISK_EVENTS}) re ${dest === undefined ? "" : "WHERE normalized_risk_object = lower($1)"} ORDER BY time DESC LIMIT 1`,
    dest === undefined ? [] : [dest],
  );
  return rows[0]?.t ?? null;
}
