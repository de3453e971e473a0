// ES's risk incident rules over all the data, not only "now": every time an object's risk crossed a rule anywhere
// in its history, one notable of the rule's own (as ES creates them), with the risk events that made it cross.
//
//   scoreOver24h   sum(risk_score) over the preceding 24 h  > 100
//   tacticsOver7d  dc(tactic) >= 3 and dc(source) >= 4 over the preceding 7 days
//
// The windows slide over the object's risk events: a window's figures only rise when a risk event enters it, so it
// is enough to test the window ending at each risk event (inclusive). ES throttles these notables by risk_object
// for a day: an object's incidents of a rule are its first crossing, then the first crossing a day or more after
// the last one kept (`throttle`). That set is computed from all the data each time, and what is stored is brought
// in line with it, so that it depends on the data only — not on the order uploads arrived in, nor on how often
// this ran in between (data arriving later can make a crossing earlier: the stored incident of that episode is
// moved to it, keeping its triage, rather than a second one added or the episode's later crossings lost).
import type pg from "pg";
import { execute, query, queryOne, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { EFFECTIVE_RISK_EVENTS } from "./effective";
import { INCIDENT_RULES } from "./incident-rules";
import { urgencyFor } from "../detections/severity";

const HOUR = 3_600_000;
/** ES throttles risk incident notables per risk_object for a day. */
const THROTTLE_MS = 24 * HOUR;

export type IncidentRule = keyof typeof INCIDENT_RULES;

/** The notables' titles: ES's rule names, with the thresholds. */
export const INCIDENT_TITLES: Record<IncidentRule, string> = {
  scoreOver24h: "Risk Threshold Exceeded For Object Over 24 Hour Period",
  tacticsOver7d: "ATT&CK Tactic Threshold Exceeded For Object Over Previous 7 Days",
};
/** The rules of this module (module chains, chains.ts, are stored the same way under their own rule). */
const RISK_RULES = Object.keys(INCIDENT_TITLES);
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
 * An object's incidents of one rule from its crossings (time order), as ES's one-day throttle keeps them: the first
 * crossing, then the first one a day or more after the last kept. Each kept crossing stands for its episode, the
 * day that starts at it; every crossing lies in exactly one episode.
 */
export function throttle(crossings: Crossing[]): Crossing[] {
  const kept: Crossing[] = [];
  for (const c of crossings) if (kept.length === 0 || c.time.getTime() - kept[kept.length - 1].time.getTime() >= THROTTLE_MS) kept.push(c);
  return kept;
}

interface StoredRow {
  id: string;
  rule: IncidentRule;
  object: string;
  time: Date;
  score: number;
  riskEventIds: string[];
}

/**
 * Brings the stored incident notables in line with the data: one per object, rule and episode (`throttle`). An
 * episode already stored keeps its notable — status, owner, comments and all — which is updated if the episode now
 * starts earlier or has more risk events; a new episode is inserted. Returns how many notables it created or
 * changed. One evaluation at a time (an advisory lock), in one transaction.
 */
export async function storeRiskIncidents(): Promise<number> {
  return inTransaction(async (client) => {
    await execute(sql`SELECT pg_advisory_xact_lock(hashtext('iiswatch:risk-incidents'))`, client);
    const rows = await query<RiskRow>(
      sql`SELECT id::text, normalized_risk_object AS object, time, risk_score AS score, mitre_tactics AS tactics, search_name AS source
       FROM (${EFFECTIVE_RISK_EVENTS}) re ORDER BY normalized_risk_object, time, id`,
      client,
    );
    const stored = await query<StoredRow>(
      sql`SELECT n.id::text, n.incident_rule AS rule, lower(n.dest) AS object, n.time, n.incident_score AS score,
              ARRAY(SELECT nr.risk_event_id::text FROM notable_risk_events nr WHERE nr.host_id = n.host_id AND nr.notable_id = n.id ORDER BY nr.risk_event_id) AS "riskEventIds"
       FROM notables n WHERE n.incident_rule = ANY(${RISK_RULES})`,
      client,
    );
    const storedBy = new Map<string, StoredRow[]>();
    for (const s of stored) storedBy.set(`${s.rule}\u0000${s.object}`, [...(storedBy.get(`${s.rule}\u0000${s.object}`) ?? []), s]);
    let changed = 0;
    for (const events of byObject(rows)) {
      const crossings = crossingsOf(events);
      for (const rule of Object.keys(INCIDENT_TITLES) as IncidentRule[]) {
        for (const c of throttle(crossings.filter((x) => x.rule === rule))) {
          const start = c.time.getTime();
          // The notable stored for this episode, if any: its time is a crossing of the data it saw, which (risk only
          // adds up as data arrives) is still a crossing, so it lies in this episode's day.
          const existing = (storedBy.get(`${rule}\u0000${c.object}`) ?? []).find((s) => s.time.getTime() >= start && s.time.getTime() < start + THROTTLE_MS);
          if (!existing) {
            await insertIncident(client, c);
            changed++;
          } else if (existing.time.getTime() !== start || existing.score !== c.score || !sameIds(existing.riskEventIds, c.riskEventIds)) {
            await moveIncident(client, existing.id, c);
            changed++;
          }
        }
      }
    }
    return changed;
  });
}

const sameIds = (a: string[], b: string[]) => a.length === b.length && [...b].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0)).every((id, i) => id === a[i]);

/** An episode's notable follows its crossing: its time, score and contributing risk events (its triage stays). */
async function moveIncident(client: pg.ClientBase, id: string, c: Crossing): Promise<void> {
  await execute(sql`UPDATE notables SET time = ${c.time}, incident_score = ${c.score} WHERE id = ${id}`, client);
  await execute(sql`DELETE FROM notable_risk_events WHERE notable_id = ${id}`, client);
  await linkRiskEvents(client, id, c);
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
  const urgency = urgencyFor(SEVERITY, await hostPriority(client, c.object));
  const notable = await queryOne<{ id: string }>(
    sql`INSERT INTO notables (result_id, incident_rule, incident_score, detection_id, time, title, dest, severity, urgency, updated_at)
     SELECT NULL, ${c.rule}, ${c.score}, 'risk_incident', ${c.time}, ${INCIDENT_TITLES[c.rule]}, coalesce(h.name, ${c.object}), ${SEVERITY}, ${urgency}, now()
     FROM (SELECT 1) one LEFT JOIN hosts h ON h.id = ${c.object}
     RETURNING id::text`,
    client,
  );
  await linkRiskEvents(client, notable!.id, c);
}

/** Records the crossing's risk events as the notable's contributing risk, on the notable's host (part of every key). */
async function linkRiskEvents(client: pg.ClientBase, notableId: string, c: Crossing): Promise<void> {
  await execute(
    sql`INSERT INTO notable_risk_events (host_id, notable_id, risk_event_id)
     SELECT n.host_id, n.id, x.id FROM notables n CROSS JOIN unnest(${c.riskEventIds}::bigint[]) AS x(id) WHERE n.id = ${notableId}`,
    client,
  );
}

async function hostPriority(client: pg.ClientBase, object: string): Promise<string> {
  const host = await queryOne<{ priority: string }>(sql`SELECT priority FROM hosts WHERE id = ${object}`, client);
  return host?.priority ?? "unknown";
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
  const dest = options.dest ?? null;
  const until = options.until ?? null;
  const where = sql`WHERE n.incident_rule = ANY(${RISK_RULES}) AND (${dest}::text IS NULL OR lower(n.dest) = lower(${dest}::text)) AND (${until}::timestamptz IS NULL OR n.time <= ${until}::timestamptz)`;
  const [count, rows] = await Promise.all([
    queryOne<{ n: number }>(sql`SELECT count(*)::int AS n FROM notables n ${where}`),
    query<StoredIncident>(
      sql`SELECT n.id::text, n.incident_rule AS rule, n.title, n.dest, n.time, n.incident_score AS score, n.status::text AS status,
              (SELECT count(*)::int FROM notable_risk_events nr WHERE nr.host_id = n.host_id AND nr.notable_id = n.id) AS "riskEvents"
       FROM notables n ${where} ORDER BY n.time DESC, n.id DESC LIMIT ${options.limit ?? 100}`,
    ),
  ]);
  return { total: count!.n, rows };
}
