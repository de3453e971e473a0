// The counters `hosts` keeps of its events — how many, how many of the IIS configuration log, how many of IIS at
// all (iis-activity.ts), the first and last — so that the host views read columns instead of scanning events. One
// definition for every place that changes them: a merge adds (store.ts), deleting an upload and retention take away
// (lib/pipeline).
import type pg from "pg";
import { execute, raw, sql } from "../db/sql";
import { isIisEventSql } from "./iis-activity";
import { IIS_CONFIGURATION_CHANNEL } from "./splunk-fields";

/** The counts of a set of rows of `events` (columns `channel`, `provider`, `event_source_name`): n, iis_config, iis. */
export const HOST_EVENT_COUNTS = `count(*) AS n,
  count(*) FILTER (WHERE lower(channel) = '${IIS_CONFIGURATION_CHANNEL.toLowerCase().replace(/'/g, "''")}') AS iis_config,
  count(*) FILTER (WHERE ${isIisEventSql()}) AS iis`;

/** Sets the counters and first and last event of these hosts from the events they still have. */
export async function recountHosts(client: pg.ClientBase, hostIds: string[]): Promise<void> {
  if (hostIds.length === 0) return;
  await execute(
    sql`UPDATE hosts h SET event_count = s.n, first_event = s.first, last_event = s.last, iis_config_events = s.iis_config, iis_events = s.iis
     FROM unnest(${hostIds}::text[]) AS t(id)
     CROSS JOIN LATERAL (SELECT ${raw(HOST_EVENT_COUNTS)}, min(time) AS first, max(time) AS last FROM events WHERE host_id = t.id) s
     WHERE h.id = t.id`,
    client,
  );
}
