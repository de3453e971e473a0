// ES's risk incident rules over all the data, not only "now": every time an object's risk crossed a rule anywhere
// in its history, one notable of the rule's own (as ES creates them), with the risk events that made it cross.
//
//   scoreOver24h   sum(risk_score) over the preceding 24 h  > 100
//   tacticsOver7d  dc(tactic) >= 3 and dc(source) >= 4 over the preceding 7 days
//
// The windows slide over the object's risk events: a window's figures only rise when a risk event enters it, so it
// is enough to test the window ending at each risk event (inclusive). ES throttles these notables by risk_object
// for a day, so a crossing within 24 h of the object's last incident notable of the same rule adds none: each
// episode is stored once, whatever order the data arrives in and however often this runs.
import type pg from "pg";
import { pgPool } from "../db/pg";
import { inTransaction } from "../db/transaction";
import { EFFECTIVE_RISK_EVENTS } from "./effective";
import { INCIDENT_RULES } from "./incident-rules";
import { urgencyFor } from "./severity";

const HOUR = 3_600_000;
/** ES throttles risk incident notables per risk_object for a day. */
const THROTTLE_MS = 24 * HOUR;

export type IncidentRule = keyof typeof INCIDENT_RULES;

/** The notables' titles: ES's rule names, with the thresholds. */
export const INCIDENT_TITLES: Record<IncidentRule, string> = {
  scoreOver24h: "Risk Threshold Exceeded For Object Over 24 Hour Period",
  tacticsOver7d: "ATT&CK Tactic Threshold Exceeded For Object Over Previous 7 Days",
};
/** ES ships both rules' notables as high severity. */
const SEVERITY = "high";

interface RiskRow {
  id: string;
  object: string;
  time: Date;
  score: number;
  tactics: string[];
  source: string;
}

export interface Crossing {
  rule: IncidentRule;
  object: string;
  /** The risk event at which the window crossed: the notable's time. */
  time: Date;
  score: number;
  tactics: string[];
  sources: number;
  /** Every risk event in the window that ends at `time`. */
  riskEventIds: string[];
}

/** Crossings of one object's risk events (time order), before throttling. */
export function crossingsOf(events: RiskRow[]): Crossing[] {
  const found: Crossing[] = [];
  const rules = [
    { rule: "scoreOver24h" as const, ms: INCIDENT_RULES.scoreOver24h.hours * HOUR },
    { rule: "tacticsOver7d" as const, ms: INCIDENT_RULES.tacticsOver7d.hours * HOUR },
  ];
  for (const { rule, ms } of rules) {
    let start = 0;
    let end = 0;
    while (end < events.length) {
      // The window ends at events[end] and takes every event at that same instant.
      const at = events[end].time.getTime();
      while (end + 1 < events.length && events[end + 1].time.getTime() === at) end++;
      while (events[start].time.getTime() <= at - ms) start++;
      const window = events.slice(start, end + 1);
      const score = window.reduce((n, e) => n + e.score, 0);
      const tactics = [...new Set(window.flatMap((e) => e.tactics))].sort();
      const sources = new Set(window.map((e) => e.source)).size;
      const crosses =
        rule === "scoreOver24h"
          ? score > INCIDENT_RULES.scoreOver24h.threshold
          : tactics.length >= INCIDENT_RULES.tacticsOver7d.minTactics && sources >= INCIDENT_RULES.tacticsOver7d.minSources;
      if (crosses) found.push({ rule, object: events[end].object, time: events[end].time, score, tactics, sources, riskEventIds: window.map((e) => e.id) });
      end++;
    }
  }
  return found;
}

/**
 * Finds every crossing in the data and stores those not yet stored (one per object, rule and day). Returns how many
 * notables it created. One evaluation at a time (an advisory lock), in one transaction.
 */
export async function storeRiskIncidents(): Promise<number> {
  return inTransaction(async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('iiswatch:risk-incidents'))`);
    const { rows } = await client.query<RiskRow>(
      `SELECT id::text, normalized_risk_object AS object, time, risk_score AS score, mitre_tactics AS tactics, search_name AS source
       FROM (${EFFECTIVE_RISK_EVENTS}) re ORDER BY normalized_risk_object, time, id`,
    );
    const stored = await client.query<{ rule: IncidentRule; object: string; time: Date }>(
      `SELECT incident_rule AS rule, lower(dest) AS object, time FROM notables WHERE incident_rule IS NOT NULL`,
    );
    const last = new Map<string, number[]>();
    for (const s of stored.rows) last.set(`${s.rule}\u0000${s.object}`, [...(last.get(`${s.rule}\u0000${s.object}`) ?? []), s.time.getTime()]);
    let created = 0;
    for (const events of byObject(rows)) {
      for (const c of crossingsOf(events)) {
        const key = `${c.rule}\u0000${c.object}`;
        const times = last.get(key) ?? [];
        // Throttled: an incident of this rule and object within a day either side (an episode already stored).
        if (times.some((t) => Math.abs(t - c.time.getTime()) < THROTTLE_MS)) continue;
        await insertIncident(client, c);
        last.set(key, [...times, c.time.getTime()]);
        created++;
      }
    }
    return created;
  });
}

function* byObject(rows: RiskRow[]): Generator<RiskRow[]> {
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i === rows.length || rows[i].object !== rows[start].object) {
      yield rows.slice(start, i);
      start = i;
    }
  }
}

async function insertIncident(client: pg.ClientBase, c: Crossing): Promise<void> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO notables (result_id, incident_rule, incident_score, detection_id, time, title, dest, severity, urgency, updated_at)
     SELECT NULL, $1, $2, 'risk_incident', $3, $4, coalesce(h.name, $5), $6, $7, now()
     FROM (SELECT 1) one LEFT JOIN hosts h ON h.id = $5
     RETURNING id::text`,
    [c.rule, c.score, c.time, INCIDENT_TITLES[c.rule], c.object, SEVERITY, urgencyFor(SEVERITY, await hostPriority(client, c.object))],
  );
  await client.query(`INSERT INTO notable_risk_events (notable_id, risk_event_id) SELECT $1, unnest($2::bigint[])`, [rows[0].id, c.riskEventIds]);
}

async function hostPriority(client: pg.ClientBase, object: string): Promise<string> {
  const { rows } = await client.query<{ priority: string }>(`SELECT priority FROM hosts WHERE id = $1`, [object]);
  return rows[0]?.priority ?? "unknown";
}

export interface StoredIncident {
  id: string;
  rule: IncidentRule;
  title: string;
  dest: string;
  time: Date;
  score: number;
  riskEvents: number;
  status: string;
}

/** The stored risk incident notables up to `until` (all data when unset), newest first, optionally of one object. */
export async function listRiskIncidents(options: { limit?: number; dest?: string; until?: Date } = {}): Promise<{ total: number; rows: StoredIncident[] }> {
  // $1: the object, or null for every object; $2: the latest time, or null.
  const where = `WHERE n.incident_rule IS NOT NULL AND ($1::text IS NULL OR lower(n.dest) = lower($1)) AND ($2::timestamptz IS NULL OR n.time <= $2)`;
  const [count, page] = await Promise.all([
    pgPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM notables n ${where}`, [options.dest ?? null, options.until ?? null]),
    pgPool().query<StoredIncident>(
      `SELECT n.id::text, n.incident_rule AS rule, n.title, n.dest, n.time, n.incident_score AS score, n.status::text AS status,
              (SELECT count(*)::int FROM notable_risk_events nr WHERE nr.notable_id = n.id) AS "riskEvents"
       FROM notables n ${where} ORDER BY n.time DESC, n.id DESC LIMIT $3`,
      [options.dest ?? null, options.until ?? null, options.limit ?? 100],
    ),
  ]);
  return { total: count.rows[0].n, rows: page.rows };
}
