// Coverage per detection: can the hosts' logs feed it? How many hosts have events its search reads (its macro and
// conditions: `wineventlog_application` EventCode=2293 is the Application log's 2293s), against the hosts that run
// IIS (hosts.iis_events, kept by the merge). A detection no host can feed finds nothing whatever happens: the
// catalogue says so rather than showing a quiet zero.
import { join, query, sql } from "../db/sql";
import { engineSearch } from "./engine-search";
import { SIGMA_LOGSOURCES } from "./sigma";
import type { DetectionSpec } from "./spec";

export interface DetectionCoverage {
  /** Hosts with at least one event the detection reads, by detection id. */
  hostsFed: Map<string, number>;
  /** Hosts that sent any event of IIS (configuration log, worker process, WAS…). */
  iisHosts: number;
  hosts: number;
}

/**
 * One statement for the whole catalogue. Each detection's count reads only events of its EventCode (every ESCU
 * event search names one, a tstats search's data model names its sources' codes, and the events table is indexed by
 * event code and time), so the cost is that of the events the detections read, not of the store; a search without
 * either is not counted (null). A Sigma logsource of whole channels is counted from host_channels.
 */
export async function detectionCoverage(specs: readonly DetectionSpec[]): Promise<DetectionCoverage> {
  // A Sigma rule's predicate names its channels and event codes (its logsource), so it is counted too; so does a data
  // model's (datamodel.ts).
  const counted = specs.filter((s) => s.sigma || s.structuredSearch.tstats || s.structuredSearch.where.some((c) => c.field === "EventCode" && /^\d+$/.test(c.value)));
  const perDetection = counted.map((s) => {
    // A logsource of whole channels (Sigma's iis-configuration: every event of the channel) names no event code to
    // narrow the events by: the hosts that sent events of those channels are in host_channels (kept at ingest), where
    // a count over the events would read the whole store.
    const channels = s.sigma ? SIGMA_LOGSOURCES[s.sigma.logsource].sources : [];
    if (channels.length > 0 && channels.every((c) => c.eventCode === null)) {
      const names = channels.map((c) => c.channel.toLowerCase());
      return sql`SELECT ${s.id}::text AS detection_id, (SELECT count(DISTINCT hc.host_id) FROM host_channels hc WHERE hc.channel = ANY(${names}::text[]) AND hc.event_count > 0) AS hosts`;
    }
    return sql`SELECT ${s.id}::text AS detection_id, (SELECT count(DISTINCT e.host_id) FROM events e WHERE ${engineSearch(s).sourcePredicate}) AS hosts`;
  });
  const [rows, [totals]] = await Promise.all([
    perDetection.length ? query<{ detection_id: string; hosts: string }>(join(perDetection, " UNION ALL ")) : Promise.resolve([]),
    query<{ hosts: string; iis_hosts: string }>(sql`SELECT count(*) AS hosts, count(*) FILTER (WHERE iis_events > 0) AS iis_hosts FROM hosts`),
  ]);
  return { hostsFed: new Map(rows.map((r) => [r.detection_id, Number(r.hosts)])), iisHosts: Number(totals.iis_hosts), hosts: Number(totals.hosts) };
}

