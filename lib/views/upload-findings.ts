// What an upload found, for its report: the hosts and event time span of its file's events (those it stored and
// those another upload had stored first), and the detection results those events are part of, with the notables
// and the risk they produced. Suppressed results and risk do not count, as everywhere else.
import { UPLOAD_RESULT_IDS } from "../detections/queries";
import { query, sql } from "../db/sql";
import { eventsHeldBy } from "../ingest/holding";
import { RESULT_SUPPRESSED } from "../detections/suppressed";
import { OPEN_STATUSES } from "../triage/fields";

/** Hosts an upload report lists by name (the busiest first); the rest are counted. */
const HOSTS_LISTED = 20;

export interface UploadFindings {
  hosts: { id: string; name: string; events: number }[];
  hostCount: number;
  firstEvent: Date | null;
  lastEvent: Date | null;
  results: number;
  resultsByDetection: Record<string, number>;
  notables: number;
  openNotables: number;
  risk: number;
}

export async function uploadFindings(uploadId: string): Promise<UploadFindings> {
  const events = eventsHeldBy(uploadId);
  const [hosts, results] = await Promise.all([
    query<{ id: string; name: string; events: number; host_count: number; first: Date; last: Date }>(
      sql`SELECT ev.host_id AS id, coalesce(h.name, ev.host_id) AS name, ev.n::int AS events, count(*) OVER ()::int AS host_count,
              min(ev.first) OVER () AS first, max(ev.last) OVER () AS last
       FROM (SELECT host_id, count(*) AS n, min(time) AS first, max(time) AS last FROM (${events}) e GROUP BY host_id) ev
       LEFT JOIN hosts h ON h.id = ev.host_id
       ORDER BY ev.n DESC, ev.host_id LIMIT ${HOSTS_LISTED}`,
    ),
    query<{ detection_id: string; results: number; notables: number; open_notables: number; risk: number }>(
      sql`SELECT r.detection_id, count(*)::int AS results, count(n.id)::int AS notables,
              count(n.id) FILTER (WHERE n.status::text = ANY(${OPEN_STATUSES}::text[]))::int AS open_notables,
              coalesce(sum((SELECT sum(re.risk_score) FROM risk_events re WHERE re.host_id = r.dest_id AND re.result_id = r.id)), 0)::int AS risk
       FROM detection_results r LEFT JOIN notables n ON n.host_id = r.dest_id AND n.result_id = r.id
       WHERE r.id IN (${UPLOAD_RESULT_IDS(uploadId)}) AND NOT ${RESULT_SUPPRESSED}
       GROUP BY r.detection_id`,
    ),
  ]);
  const sum = (k: "results" | "notables" | "open_notables" | "risk") => results.reduce((n, r) => n + r[k], 0);
  return {
    hosts: hosts.map(({ id, name, events }) => ({ id, name, events })),
    hostCount: hosts[0]?.host_count ?? 0,
    firstEvent: hosts[0]?.first ?? null,
    lastEvent: hosts[0]?.last ?? null,
    results: sum("results"),
    resultsByDetection: Object.fromEntries(results.map((r) => [r.detection_id, r.results])),
    notables: sum("notables"),
    openNotables: sum("open_notables"),
    risk: sum("risk"),
  };
}
