// The counters `hosts` keeps of its events — how many, how many of the IIS configuration log, how many of IIS at
// all (iis-activity.ts), the first and last — so that the host views read columns instead of scanning events. One
// definition for every place that changes them: a merge adds (store.ts), deleting an upload and retention take away
// (lib/pipeline). Beside them, `host_channels`: when each host's events of each collected channel came (first, last,
// how many), for the hosts page's last event per channel and its quiet-shipper flag (lib/hosts/channels.ts).
import type pg from "pg";
import { execute, raw, sql } from "../db/sql";
import { COLLECTED_CHANNEL_KEYS } from "./collected-channels";
import { isIisEventSql } from "./iis-activity";
import { IIS_CONFIGURATION_CHANNEL } from "./splunk-fields";

/** The counts of a set of rows of `events` (columns `channel`, `provider`, `event_source_name`): n, iis_config, iis. */
export const HOST_EVENT_COUNTS = `count(*) AS n,
  count(*) FILTER (WHERE lower(channel) = '${IIS_CONFIGURATION_CHANNEL.toLowerCase().replace(/'/g, "''")}') AS iis_config,
  count(*) FILTER (WHERE ${isIisEventSql()}) AS iis`;

/** SQL true for an event (column `channel`) of a collected channel: the events `host_channels` keeps track of. */
export const IS_COLLECTED_CHANNEL = `lower(channel) IN (${COLLECTED_CHANNEL_KEYS.map((c) => `'${c.replace(/'/g, "''")}'`).join(", ")})`;

/**
 * Adds the rows of `inserted` (columns `host`, `channel`, `time`) to `host_channels`: the merge's bookkeeping, in its
 * transaction (lib/ingest/store.ts).
 */
export const UPSERT_HOST_CHANNELS = `
  INSERT INTO host_channels (host_id, channel, name, first_event, last_event, event_count)
  SELECT lower(host), lower(channel), min(channel), min(time), max(time), count(*) FROM inserted
  WHERE ${IS_COLLECTED_CHANNEL} GROUP BY 1, 2
  ON CONFLICT (host_id, channel) DO UPDATE SET
    first_event = least(host_channels.first_event, excluded.first_event),
    last_event = greatest(host_channels.last_event, excluded.last_event),
    event_count = host_channels.event_count + excluded.event_count`;

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
  await recountHostChannels(client, hostIds);
}

/** Sets `host_channels` of these hosts from the events they still have (one pass over their events). */
export async function recountHostChannels(client: pg.ClientBase, hostIds: string[]): Promise<void> {
  if (hostIds.length === 0) return;
  await execute(sql`DELETE FROM host_channels WHERE host_id = ANY(${hostIds}::text[])`, client);
  await execute(
    sql`INSERT INTO host_channels (host_id, channel, name, first_event, last_event, event_count)
     SELECT host_id, lower(channel), min(channel), min(time), max(time), count(*) FROM events
     WHERE host_id = ANY(${hostIds}::text[]) AND ${raw(IS_COLLECTED_CHANNEL)} GROUP BY 1, 2`,
    client,
  );
}
