// The overview's figures, cheap at any scale: event counts come from the per-host counters, not a scan.
import { pgPool } from "../db/pg";
import { RESULT_SUPPRESSED } from "../risk/effective";
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
  const { rows } = await pgPool().query(
    `SELECT (SELECT coalesce(sum(event_count), 0)::bigint FROM hosts) AS events,
            (SELECT count(*)::int FROM hosts) AS hosts,
            (SELECT count(*)::int FROM hosts WHERE iis_config_events = 0) AS missing,
            (SELECT count(*)::int FROM notables n JOIN detection_results r ON r.id = n.result_id
             WHERE n.status::text = ANY($1::text[]) AND NOT ${RESULT_SUPPRESSED}) AS open_notables,
            (SELECT count(*)::int FROM detection_results r WHERE r.last_time >= $2 AND NOT ${RESULT_SUPPRESSED}) AS results24h,
            (SELECT count(*)::int FROM uploads) AS uploads,
            (SELECT min(first_event) FROM hosts) AS first_event,
            (SELECT max(last_event) FROM hosts) AS last_event`,
    [OPEN_STATUSES, new Date(now.getTime() - 86_400_000)],
  );
  const r = rows[0];
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
