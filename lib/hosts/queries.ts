// Hosts: the fleet table (risk, notables, results, modules, log coverage) and one host's timeline.
import { z } from "zod";
import { urlText } from "../db/ids";
import { containsPattern } from "../db/like";
import { empty, query, queryOne, raw, sql, whereAll, type Sql } from "../db/sql";
import { IIS_CONFIGURATION_LOG_MISSING } from "../ingest/iis-activity";
import { IIS_CONFIGURATION_CHANNEL } from "../ingest/splunk-fields";
import { CHANGE_KEYS, ENRICHMENT_KEYS, FAILURE_KEYS, type ConfigurationChangeKind } from "../detections/enrichment";
import { RESULT_SUPPRESSED, suppressedNow } from "../detections/suppressed";
import { EFFECTIVE_RISK_EVENTS } from "../risk/effective";
import { riskEventBounds, type RiskEventSummary } from "../risk/rollups";
import { unionBounds, type Bounds } from "../views/range";
import { tableStateSchema } from "../url/table-state";
import { OPEN_STATUSES } from "../triage/fields";
import { channelActivity, hasQuietChannel, type ChannelActivity } from "./channels";

const HOUR = 3_600_000;

/** The hosts table's sortable column ids (components/HostsTable.tsx, SORT_SQL below). */
export const HOST_SORTS = ["host", "finding", "risk24h", "risk7d", "openNotables", "results", "lastEvent", "firstEvent"] as const;
export type HostSort = (typeof HOST_SORTS)[number];

export const hostListParams = tableStateSchema({
  filters: {
    q: urlText().trim().max(255).optional().catch(undefined),
    /**
     * "missing": only IIS servers (hosts with an event of IIS, lib/ingest/iis-activity.ts) without any IIS configuration
     * log events — a host with no IIS activity at all is not an IIS server, so no log is missing there.
     */
    coverage: z.enum(["all", "missing", "present"]).catch("all"),
    /** "quiet": only hosts with a channel whose shipper went quiet as of the view's time (channels.ts). */
    shipper: z.enum(["all", "quiet"]).catch("all"),
  },
  /** Backdoors first: hosts with a module installed, then DLL load failures or HTTP logging disabled…, by 7-day risk. */
  sort: { ids: HOST_SORTS, default: "finding" },
});
export type HostListParams = z.infer<typeof hostListParams>;

export interface HostRow {
  id: string;
  name: string;
  priority: string;
  risk24h: number;
  risk7d: number;
  openNotables: number;
  results: number;
  resultsByDetection: Record<string, number>;
  firstEvent: string | null;
  lastEvent: string | null;
  events: number;
  /** The first MODULES_LISTED module names (alphabetically) of moduleCount. */
  modules: string[];
  moduleCount: number;
  /** The most serious finding among the host's results (lib/detections/enrichment.ts FINDING_KINDS), if any. */
  topFinding: string | null;
  iisConfigEvents: number;
  /** Events of IIS on the host (lib/ingest/iis-activity.ts): 0 means it is not an IIS server. */
  iisEvents: number;
  /** The collected channels the host had delivered by the reference time: last event of each, and which went quiet (channels.ts). */
  channels: ChannelActivity[];
}

/** A row of the `hosts` table as SQL returns it. */
interface HostsTableRow {
  id: string;
  name: string;
  priority: string;
  first_event: Date | null;
  last_event: Date | null;
  event_count: number;
  iis_config_events: number;
  iis_events: number;
}

/** A row of the hosts list: the host and the figures listHosts computes for it. */
interface HostTableRow extends HostsTableRow {
  risk24h: number;
  risk7d: number;
  open_notables: number;
  results: number;
  by_detection: Record<string, number>;
  modules: string[];
  module_count: number;
  top_finding: string | null;
}

/** Module names a row of the hosts table lists; the host's page has them all. */
export const MODULES_LISTED = 5;

const SORT_SQL: Record<HostSort, string> = {
  host: "h.id",
  finding: "finding_rank",
  risk24h: "risk24h",
  risk7d: "risk7d",
  openNotables: "open_notables",
  results: "results",
  lastEvent: "h.last_event",
  firstEvent: "h.first_event",
};

/**
 * The hosts table, sorted, filtered and paginated in SQL. Risk windows end at `now`. Risk counts only what no
 * suppression hides; results and modules likewise.
 *
 * Each host's channels (last event, quiet shipper) are measured against `now` too: see channels.ts.
 *
 * Fast at any scale: only the aggregate the table is sorted by is computed for every host (risk over the window's
 * risk events; open notables). Results and modules — all-time figures — are looked up for the page's hosts only,
 * by `detection_results.dest_id` (lower(dest), indexed), unless the table is sorted by results; modules come from
 * `module_names`, which the database derives from each result's enrichment.
 */
export async function listHosts(params: HostListParams, now = new Date()): Promise<{ total: number; rows: HostRow[] }> {
  const filters: Sql[] = [];
  if (params.q) filters.push(sql`h.id LIKE ${containsPattern(params.q)}`);
  if (params.coverage === "missing") filters.push(IIS_CONFIGURATION_LOG_MISSING);
  if (params.coverage === "present") filters.push(sql`h.iis_config_events > 0`);
  if (params.shipper === "quiet") filters.push(hasQuietChannel(now));
  const where = whereAll(filters);
  const day = new Date(now.getTime() - 24 * HOUR);
  const week = new Date(now.getTime() - 168 * HOUR);
  const direction = params.dir === "asc" ? "ASC" : "DESC";
  // By finding, hosts of the same finding come by 7-day risk (in the same direction).
  const then = params.sort === "finding" ? `risk7d ${direction}, ` : "";
  const order = (alias: string) => raw(`${SORT_SQL[params.sort].replace("h.", `${alias}.`)} ${direction} NULLS LAST, ${then}${alias}.id`);
  const byFinding = params.sort === "finding";
  const byRisk = params.sort === "risk24h" || params.sort === "risk7d" || byFinding;
  const byResults = params.sort === "results";
  const notSuppressed = sql`NOT ${RESULT_SUPPRESSED}`;

  // Risk of one host (`hostId`, an SQL expression), or of every host (grouped), in the 7-day window.
  const risk = (hostId: Sql | null) => sql`
      SELECT ${hostId ? empty : sql`normalized_risk_object AS id, `}coalesce(sum(risk_score) FILTER (WHERE time >= ${day}), 0)::int AS risk24h,
             coalesce(sum(risk_score), 0)::int AS risk7d
      FROM (${EFFECTIVE_RISK_EVENTS}) re WHERE ${hostId ? sql`normalized_risk_object = ${hostId} AND ` : empty}time >= ${week} AND time < ${now}
      ${hostId ? empty : sql`GROUP BY 1`}`;
  // Results by host and detection, of every host, or (from `page_results`) of the page's hosts.
  const results = (from: Sql) => sql`
      SELECT id, sum(n)::int AS results, jsonb_object_agg(detection_id, n) AS by_detection
      FROM (SELECT r.dest_id AS id, r.detection_id, count(*)::int AS n FROM ${from} GROUP BY 1, 2) x GROUP BY id`;

  const statement = sql`
    WITH notables_open AS (
      SELECT lower(n.dest) AS id, count(*)::int AS n FROM notables n LEFT JOIN detection_results r ON r.dest_id = n.host_id AND r.id = n.result_id
      WHERE n.status::text = ANY(${OPEN_STATUSES}::text[]) AND ${notSuppressed} GROUP BY 1
    )${byRisk ? sql`, risk AS (${risk(null)})` : empty}${
      byFinding
        ? sql`, findings AS (SELECT r.dest_id AS id, max(r.finding_rank) AS finding_rank FROM detection_results r
                          WHERE r.dest_id IS NOT NULL AND ${notSuppressed} GROUP BY 1)`
        : empty
    }${byResults ? sql`, results AS (${results(sql`detection_results r WHERE r.dest_id IS NOT NULL AND ${notSuppressed}`)})` : empty},
    page AS (
      SELECT h.*, coalesce(notables_open.n, 0) AS open_notables
             ${byRisk ? sql`, coalesce(risk.risk24h, 0) AS risk24h, coalesce(risk.risk7d, 0) AS risk7d` : empty}
             ${byResults ? sql`, coalesce(results.results, 0) AS results, coalesce(results.by_detection, '{}'::jsonb) AS by_detection` : empty}
             ${byFinding ? sql`, findings.finding_rank` : empty}
      FROM hosts h
      LEFT JOIN notables_open ON notables_open.id = h.id
      ${byRisk ? sql`LEFT JOIN risk ON risk.id = h.id` : empty}
      ${byFinding ? sql`LEFT JOIN findings ON findings.id = h.id` : empty}
      ${byResults ? sql`LEFT JOIN results ON results.id = h.id` : empty}
      ${where}
      ORDER BY ${order("h")}
      LIMIT ${params.size} OFFSET ${(params.page - 1) * params.size}
    ),
    -- The page's hosts' results that no suppression hides, each checked once for both the counts and the modules.
    page_results AS MATERIALIZED (
      SELECT r.dest_id, r.detection_id, r.module_names, r.finding_rank, r.finding_kind FROM page JOIN detection_results r ON r.dest_id = page.id WHERE ${notSuppressed}
    ),
    page_findings AS (
      SELECT dest_id AS id, (array_agg(finding_kind ORDER BY finding_rank DESC) FILTER (WHERE finding_kind IS NOT NULL))[1] AS top_finding
      FROM page_results GROUP BY 1
    ),
    -- A busy host's results mostly name the same few modules: unpack each distinct list once.
    page_modules AS (
      SELECT dest_id AS id, (array_agg(DISTINCT name ORDER BY name))[1:${MODULES_LISTED}] AS modules, count(DISTINCT name)::int AS module_count
      FROM (SELECT DISTINCT dest_id, module_names FROM page_results) r, jsonb_array_elements_text(r.module_names) AS name
      WHERE name IS NOT NULL GROUP BY 1
    )${byResults ? empty : sql`, page_counts AS (${results(sql`page_results r`)})`}
    SELECT page.*${byRisk ? empty : sql`, rk.risk24h, rk.risk7d`}
           ${byResults ? empty : sql`, coalesce(page_counts.results, 0) AS results, coalesce(page_counts.by_detection, '{}'::jsonb) AS by_detection`},
           coalesce(page_modules.modules, '{}') AS modules, coalesce(page_modules.module_count, 0) AS module_count,
           page_findings.top_finding
    FROM page
    ${byRisk ? empty : sql`CROSS JOIN LATERAL (${risk(sql`page.id`)}) rk`}
    ${byResults ? empty : sql`LEFT JOIN page_counts ON page_counts.id = page.id`}
    LEFT JOIN page_modules ON page_modules.id = page.id
    LEFT JOIN page_findings ON page_findings.id = page.id
    ORDER BY ${order("page")}`;
  const [page, count] = await Promise.all([query<HostTableRow>(statement), queryOne<{ n: number }>(sql`SELECT count(*)::int AS n FROM hosts h ${where}`)]);
  // Last events per channel, and quiet shippers, measured against the view's reference time (`now`).
  const channels = await channelActivity(page.map((r) => r.id), now);
  return {
    total: count!.n,
    rows: page.map((r) => ({
      id: r.id,
      name: r.name,
      priority: r.priority,
      risk24h: r.risk24h,
      risk7d: r.risk7d,
      openNotables: r.open_notables,
      results: r.results,
      resultsByDetection: r.by_detection,
      firstEvent: r.first_event?.toISOString() ?? null,
      lastEvent: r.last_event?.toISOString() ?? null,
      events: r.event_count,
      modules: r.modules,
      moduleCount: r.module_count,
      topFinding: r.top_finding,
      iisConfigEvents: r.iis_config_events,
      iisEvents: r.iis_events,
      channels: channels.get(r.id) ?? [],
    })),
  };
}

/**
 * The span of a host's data: its events and the risk raised from them (stamped later, at the time of the run), so
 * that the host page's "all" and its default range on old data hold every risk event of the host.
 */
export async function hostDataBounds(host: { id: string; firstEvent: Date | null; lastEvent: Date | null }): Promise<Bounds> {
  return unionBounds({ first: host.firstEvent, last: host.lastEvent }, await riskEventBounds(host.id));
}

export interface HostDetail {
  id: string;
  name: string;
  priority: string;
  firstEvent: Date | null;
  lastEvent: Date | null;
  events: number;
  iisConfigEvents: number;
  iisEvents: number;
}

export async function getHost(id: string): Promise<HostDetail | null> {
  const h = await queryOne<HostsTableRow>(sql`SELECT * FROM hosts WHERE id = lower(${id})`);
  if (!h) return null;
  return { id: h.id, name: h.name, priority: h.priority, firstEvent: h.first_event, lastEvent: h.last_event, events: h.event_count, iisConfigEvents: h.iis_config_events, iisEvents: h.iis_events };
}

export interface TimelineBucket {
  /** Bucket start, ISO. */
  t: string;
  /** Events per event code in the bucket. */
  codes: Record<string, number>;
  results: number;
  risk: number;
  cumulativeRisk: number;
}

/** A host's activity in [from, to): events by code, results and risk per bucket (hour, or day past 14 days). */
export async function hostTimeline(id: string, from: Date, to: Date): Promise<{ bucket: "hour" | "day"; buckets: TimelineBucket[]; codes: string[] }> {
  const bucket = to.getTime() - from.getTime() > 14 * 24 * HOUR ? "day" : "hour";
  const host = id.toLowerCase();
  const rows = await query<{ t: string; codes: Record<string, number>; results: number; risk: number; cumulative: number }>(
    sql`WITH series AS (
       SELECT generate_series(date_trunc(${bucket}, ${from}::timestamptz AT TIME ZONE 'UTC'), date_trunc(${bucket}, (${to}::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC'), ('1 ' || ${bucket})::interval) AS t
     ), ev AS (
       SELECT t, jsonb_object_agg(code, n) AS codes FROM (
         SELECT date_trunc(${bucket}, time AT TIME ZONE 'UTC') AS t, event_code::text AS code, count(*)::int AS n
         FROM events WHERE host_id = ${host} AND time >= ${from} AND time < ${to} GROUP BY 1, 2
       ) x GROUP BY t
     ), res AS (
       SELECT date_trunc(${bucket}, r.last_time AT TIME ZONE 'UTC') AS t, count(*)::int AS n
       FROM detection_results r WHERE r.dest_id = ${host} AND r.last_time >= ${from} AND r.last_time < ${to} AND NOT ${RESULT_SUPPRESSED} GROUP BY 1
     ), risk AS (
       SELECT date_trunc(${bucket}, time AT TIME ZONE 'UTC') AS t, sum(risk_score)::int AS score
       FROM (${EFFECTIVE_RISK_EVENTS}) re WHERE normalized_risk_object = ${host} AND time >= ${from} AND time < ${to} GROUP BY 1
     ), before AS (
       SELECT coalesce(sum(risk_score), 0)::int AS score FROM (${EFFECTIVE_RISK_EVENTS}) re WHERE normalized_risk_object = ${host} AND time < ${from}
     )
     SELECT to_char(series.t, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t, coalesce(ev.codes, '{}') AS codes,
            coalesce(res.n, 0) AS results, coalesce(risk.score, 0) AS risk,
            ((SELECT score FROM before) + sum(coalesce(risk.score, 0)) OVER (ORDER BY series.t))::int AS cumulative
     FROM series LEFT JOIN ev ON ev.t = series.t LEFT JOIN res ON res.t = series.t LEFT JOIN risk ON risk.t = series.t
     ORDER BY series.t`,
  );
  const codes = new Set<string>();
  const buckets = rows.map((r) => {
    for (const c of Object.keys(r.codes)) codes.add(c);
    return { t: r.t, codes: r.codes, results: r.results, risk: r.risk, cumulativeRisk: r.cumulative };
  });
  return { bucket, buckets, codes: [...codes].sort((a, b) => Number(a) - Number(b)) };
}

export interface HostModule {
  what: "added" | "failed";
  module: string;
  image: string | null;
  detail: string | null;
  firstSeen: Date;
  lastSeen: Date;
  results: number;
}

/**
 * Modules added to this host's IIS, or failing to load on it, from the detections' enrichment, first seen first: a
 * page of them (a host that had hundreds of modules added would otherwise make its page hundreds of KiB).
 */
export async function hostModules(id: string, page: { limit: number; offset: number }): Promise<SectionPage<HostModule>> {
  // The enrichment's keys come from its one declaration (lib/detections/enrichment.ts): a rename there moves them
  // here. They are SQL the code spells (raw), not values.
  const change = (key: keyof typeof CHANGE_KEYS) => raw(`c->>'${CHANGE_KEYS[key]}'`);
  const failure = (key: keyof typeof FAILURE_KEYS) => raw(`f->>'${FAILURE_KEYS[key]}'`);
  const moduleAdded: ConfigurationChangeKind = "module_added";
  const host = id.toLowerCase();
  const notSuppressed = sql`NOT ${RESULT_SUPPRESSED}`;
  const rows = await query<HostModule & { total: number }>(
    sql`SELECT *, count(*) OVER ()::int AS total FROM (
       SELECT 'added' AS what, ${change("module")} AS module, max(${change("image")}) AS image, string_agg(DISTINCT ${change("scope")}, ', ') AS detail,
              min(r.first_time) AS "firstSeen", max(r.last_time) AS "lastSeen", count(DISTINCT r.id)::int AS results
       FROM detection_results r, jsonb_array_elements(r.enrichment->${raw(`'${ENRICHMENT_KEYS.changes}'`)}) c
       WHERE r.dest_id = ${host} AND ${change("kind")} = ${raw(`'${moduleAdded}'`)} AND ${change("module")} IS NOT NULL AND ${notSuppressed}
       GROUP BY ${change("module")}
       UNION ALL
       SELECT 'failed', ${failure("moduleDll")}, NULL, string_agg(DISTINCT ${failure("processorArchitecture")}, ', '),
              min(r.first_time), max(r.last_time), count(DISTINCT r.id)::int
       FROM detection_results r, jsonb_array_elements(r.enrichment->${raw(`'${ENRICHMENT_KEYS.failures}'`)}) f
       WHERE r.dest_id = ${host} AND ${failure("moduleDll")} IS NOT NULL AND ${notSuppressed}
       GROUP BY ${failure("moduleDll")}
     ) m
     ORDER BY "firstSeen", what, module
     LIMIT ${page.limit} OFFSET ${page.offset}`,
  );
  if (rows.length === 0 && page.offset > 0) {
    // Past the end: the total still has to be right for the pager.
    const all = await hostModules(id, { limit: 1, offset: 0 });
    return { total: all.total, rows: [] };
  }
  return { total: rows[0]?.total ?? 0, rows: rows.map(({ total, ...m }) => (void total, m)) };
}

/** A page of one of the host page's sections: `size` rows from `offset`, and how many there are in all. */
export interface SectionPage<T> {
  total: number;
  rows: T[];
}

export interface HostNotable {
  id: string;
  time: Date;
  title: string;
  severity: string;
  urgency: string;
  status: string;
  resultId: string;
}

/** The host's notables, newest first (a page of them). */
export async function hostNotables(id: string, page: { limit: number; offset: number }): Promise<SectionPage<HostNotable>> {
  const ofHost = sql`lower(dest) = ${id.toLowerCase()}`;
  const [count, rows] = await Promise.all([
    queryOne<{ n: number }>(sql`SELECT count(*)::int AS n FROM notables WHERE ${ofHost}`),
    query<HostNotable>(
      sql`SELECT id::text, time, title, severity, urgency, status::text, result_id::text AS "resultId"
       FROM notables WHERE ${ofHost} ORDER BY time DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
    ),
  ]);
  return { total: count!.n, rows };
}

export interface HostRiskEvent extends RiskEventSummary {
  suppressed: boolean;
}

/** The host's risk events in [from, to), newest first (a page of them), each flagged when a suppression now hides it. */
export async function hostRiskEvents(
  id: string,
  from: Date,
  to: Date,
  page: { limit: number; offset: number },
): Promise<SectionPage<HostRiskEvent>> {
  const where = sql`normalized_risk_object = ${id.toLowerCase()} AND time >= ${from} AND time < ${to}`;
  const [count, rows] = await Promise.all([
    queryOne<{ n: number }>(sql`SELECT count(*)::int AS n FROM risk_events re WHERE ${where}`),
    query<HostRiskEvent>(
      sql`SELECT re.id::text, re.time, re.search_name AS "searchName", re.risk_score AS "riskScore", re.risk_message AS "riskMessage",
              re.mitre_tactics AS tactics, ${suppressedNow("re")} AS suppressed
       FROM risk_events re WHERE ${where} ORDER BY time DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
    ),
  ]);
  return { total: count!.n, rows };
}

/** How to turn on the log whose absence the coverage column flags. */
/** What the hosts table and a host's page say of a host with no event of IIS instead of "missing". */
export const NOT_AN_IIS_SERVER = "No event from an IIS component (IIS configuration, W3SVC, WAS): not an IIS server, so no IIS log is missing.";

export const ENABLE_IIS_CONFIGURATION_LOG =
  `The ${IIS_CONFIGURATION_CHANNEL} log is disabled by default. On the server: ` +
  `wevtutil sl "${IIS_CONFIGURATION_CHANNEL}" /e:true (or Event Viewer → Applications and Services Logs → Microsoft → IIS-Configuration → Operational → Enable Log), ` +
  `then collect it with the Application log.`;
