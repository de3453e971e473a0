// Reads of risk events (Risk.All_Risk), including the ESCU 7-day drilldown.
import { queryOne, sql } from "../db/sql";
import { ANNOTATION_ALL_EXCLUDED_KEYS } from "../detections/rba";
import { EFFECTIVE_RISK_EVENTS } from "./effective";

export interface RiskDrilldownRow {
  normalized_risk_object: string;
  count: number;
  /** ctime-formatted (%Y-%m-%dT%H:%M:%S, UTC), as the drilldown's security_content_ctime. */
  firstTime: string;
  lastTime: string;
  "Search Name": string[];
  "Risk Message": string[];
  "Analytic Stories": string[];
  Annotations: string[];
  "ATT&CK Tactics": string[];
}

export const DRILLDOWN_HOURS = 168;

/**
 * ESCU drilldown "View risk events for the last 7 days": `| from datamodel Risk.All_Risk | search
 * normalized_risk_object IN ("$dest$") starthoursago=168 | stats count min(_time) max(_time) values(search_name)
 * values(risk_message) values(analyticstories) values(annotations._all) values(annotations.mitre_attack.mitre_tactic)
 * by normalized_risk_object`, over the 168 hours before `reference` (default now). values() is distinct and sorted
 * lexicographically, as in Splunk. Null when the object has no risk in that span.
 */
export async function riskDrilldown(dest: string, reference: Date = new Date()): Promise<RiskDrilldownRow | null> {
  const from = new Date(reference.getTime() - DRILLDOWN_HOURS * 3_600_000);
  return queryOne<RiskDrilldownRow>(
    sql`WITH r AS (
       SELECT * FROM (${EFFECTIVE_RISK_EVENTS}) re WHERE normalized_risk_object = lower(${dest}::text) AND time >= ${from} AND time < ${reference}
     )
     SELECT lower(${dest}::text) AS normalized_risk_object, count(*)::int AS count,
       to_char(min(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS "firstTime",
       to_char(max(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS "lastTime",
       (SELECT coalesce(array_agg(DISTINCT search_name COLLATE "C" ORDER BY search_name COLLATE "C"), '{}') FROM r) AS "Search Name",
       (SELECT coalesce(array_agg(DISTINCT risk_message COLLATE "C" ORDER BY risk_message COLLATE "C"), '{}') FROM r) AS "Risk Message",
       (SELECT coalesce(array_agg(DISTINCT s COLLATE "C" ORDER BY s COLLATE "C"), '{}') FROM r, unnest(r.analytic_stories) AS s) AS "Analytic Stories",
       (SELECT coalesce(array_agg(DISTINCT v COLLATE "C" ORDER BY v COLLATE "C"), '{}')
          FROM r, jsonb_each(r.annotations) AS a(key, value),
          LATERAL (SELECT jsonb_array_elements_text(a.value) WHERE jsonb_typeof(a.value) = 'array'
                   UNION ALL SELECT a.value #>> '{}' WHERE jsonb_typeof(a.value) <> 'array') AS x(v)
          WHERE a.key <> ALL(${ANNOTATION_ALL_EXCLUDED_KEYS}::text[]) AND v IS NOT NULL) AS "Annotations",
       (SELECT coalesce(array_agg(DISTINCT t COLLATE "C" ORDER BY t COLLATE "C"), '{}') FROM r, unnest(r.mitre_tactics) AS t) AS "ATT&CK Tactics"
     FROM r
     HAVING count(*) > 0`,
  );
}
