// The overview's figures, cheap at any scale: event counts come from the per-host counters, not a scan.
import { query, queryOne, raw, sql } from "../db/sql";
import { ENRICHMENT_KEYS, FINDING_KEYS, FINDING_KINDS } from "../detections/enrichment";
import { IIS_CONFIGURATION_LOG_MISSING } from "../ingest/iis-activity";
import { RESULT_SUPPRESSED } from "../detections/suppressed";
import { OPEN_STATUSES } from "../triage/fields";

export interface OverviewCounts {
  events: number;
  hosts: number;
  hostsWithoutIisConfigLog: number;
  openNotables: number;
  results24h: number;
  uploads: number;
  firstEvent: Date | null;
  lastEvent: Date | null;
}

export async function overviewCounts(now = new Date()): Promise<OverviewCounts> {
  const r = await queryOne<{
    events: string;
    hosts: number;
    missing: number;
    open_notables: number;
    results24h: number;
    uploads: number;
    first_event: Date | null;
    last_event: Date | null;
  }>(
    sql`SELECT (SELECT coalesce(sum(event_count), 0)::bigint FROM hosts) AS events,
            (SELECT count(*)::int FROM hosts) AS hosts,
            (SELECT count(*)::int FROM hosts h WHERE ${IIS_CONFIGURATION_LOG_MISSING}) AS missing,
            (SELECT count(*)::int FROM notables n LEFT JOIN detection_results r ON r.dest_id = n.host_id AND r.id = n.result_id
             WHERE n.status::text = ANY(${OPEN_STATUSES}::text[]) AND NOT ${RESULT_SUPPRESSED}) AS open_notables,
            (SELECT count(*)::int FROM detection_results r WHERE r.last_time >= ${new Date(now.getTime() - 86_400_000)} AND NOT ${RESULT_SUPPRESSED}) AS results24h,
            (SELECT count(*)::int FROM uploads) AS uploads,
            (SELECT min(first_event) FROM hosts) AS first_event,
            (SELECT max(last_event) FROM hosts) AS last_event`,
  );
  if (!r) throw new Error("the overview's counts returned no row");
  return {
    events: Number(r.events),
    hosts: r.hosts,
    hostsWithoutIisConfigLog: r.missing,
    openNotables: r.open_notables,
    results24h: r.results24h,
    uploads: r.uploads,
    firstEvent: r.first_event,
    lastEvent: r.last_event,
  };
}

/** A host whose results hold a sign of an IIS backdoor: a module installed, a DLL failing to load, logging disabled. */
export interface BackdoorSign {
  host: string;
  name: string;
  kind: string;
  /** The latest such finding, as one line. */
  what: string;
  results: number;
  lastSeen: Date;
}

/**
 * Hosts with backdoor signs, most serious first (then most recent): what the overview shows above the risk tables,
 * whatever their risk score — a module installed on one quiet server matters more than routine changes on a busy one.
 */
export async function backdoorSigns(limit = 10): Promise<BackdoorSign[]> {
  // First the hosts (counts and the latest, most serious rank: from the partial index alone), then for each of the
  // `limit` shown its one result to quote, newest of that rank: never the enrichment of every result.
  const rows = await query<{ host: string; name: string; kind: string; what: string; results: number; last_seen: Date }>(
    sql`SELECT s.host, coalesce(h.name, s.host) AS name, f.kind, f.what, s.results, s.last_seen
     FROM (
       SELECT r.dest_id AS host, count(*)::int AS results, max(r.last_time) AS last_seen, max(r.finding_rank) AS rank
       FROM detection_results r
       WHERE r.finding_rank >= ${BACKDOOR_SIGN_RANK} AND NOT ${RESULT_SUPPRESSED}
       GROUP BY r.dest_id
       ORDER BY rank DESC, last_seen DESC, host LIMIT ${limit}
     ) s
     CROSS JOIN LATERAL (
       SELECT r.finding_kind AS kind, r.enrichment -> ${raw(`'${ENRICHMENT_KEYS.finding}'`)} ->> ${raw(`'${FINDING_KEYS.text}'`)} AS what
       FROM detection_results r
       WHERE r.dest_id = s.host AND r.finding_rank = s.rank AND NOT ${RESULT_SUPPRESSED}
       ORDER BY r.last_time DESC LIMIT 1
     ) f
     LEFT JOIN hosts h ON h.id = s.host
     ORDER BY s.rank DESC, s.last_seen DESC, s.host`,
  );
  return rows.map((r) => ({ host: r.host, name: r.name, kind: r.kind, what: r.what, results: r.results, lastSeen: r.last_seen }));
}

/** Findings from this rank up are backdoor signs (module installed; DLL failed to load; HTTP logging disabled). */
export const BACKDOOR_SIGN_RANK = FINDING_KINDS.module_load_failure.rank;
