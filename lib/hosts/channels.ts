// Each host's last event per collected channel (lib/ingest/collected-channels.ts) and whether its shipper went quiet:
// a channel that had delivered and has sent nothing for IISWATCH_QUIET_AFTER_HOURS before the view's reference time.
//
// Why the reference time and not the clock: the hosts page is a view "as of" a time (lib/views/as-of.ts) — now, or
// the latest data when the data is historical, or a time the analyst chose. Measured against the clock, every host of
// last month's uploaded exports would be "quiet"; measured against the reference time, the flag says what was true
// then: no event of that channel in the QUIET hours before it, although the channel had delivered before.
//
// Cheap at any scale: `host_channels` (kept at ingest, host-counters.ts) gives each channel's first and last event, and
// the page asks only for its own hosts' rows. When the view looks at a time before a channel's last event (events
// came after it), the last event as of then is looked up in the QUIET hours before it only, on the events' key
// (host, time): a short index range per row, never a scan of the host's history.
import { query, sql } from "../db/sql";
import { COLLECTED_CHANNELS } from "../ingest/collected-channels";

const HOUR = 3_600_000;

/** IISWATCH_QUIET_AFTER_HOURS: hours without an event after which a channel that had delivered is flagged (default 24). */
export function quietAfterHours(): number {
  const configured = (process.env.IISWATCH_QUIET_AFTER_HOURS ?? "").trim();
  if (configured === "") return 24;
  const hours = Number(configured);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 366) {
    throw new Error(`IISWATCH_QUIET_AFTER_HOURS must be a number of hours above 0, at most 8784 (it is '${configured}')`);
  }
  return hours;
}

export interface ChannelActivity {
  /** The channel as Windows names it (collected-channels.ts), and its short label. */
  channel: string;
  label: string;
  /** The last event of the channel at or before the reference time, ISO; null when none came in the quiet hours before it and events came after it. */
  lastEvent: string | null;
  /** No event in the quiet hours before the reference time, though the channel had delivered before. */
  quiet: boolean;
  /** Events of the channel came after the reference time (the view looks at the past). */
  laterEvents: boolean;
}

interface ChannelRow {
  host_id: string;
  channel: string;
  last_event: Date;
  last_as_of: Date | null;
}

/**
 * The collected channels each of these hosts had delivered by `at`, in the list's order, with the last event as of
 * `at` and the quiet flag. A channel that had not delivered by then is not listed (nothing went quiet).
 */
export async function channelActivity(hostIds: readonly string[], at: Date, quietHours = quietAfterHours()): Promise<Map<string, ChannelActivity[]>> {
  const byHost = new Map<string, ChannelActivity[]>(hostIds.map((id) => [id, []]));
  if (hostIds.length === 0) return byHost;
  const since = new Date(at.getTime() - quietHours * HOUR);
  const rows = await query<ChannelRow>(
    sql`SELECT hc.host_id, hc.channel, hc.last_event,
            CASE WHEN hc.last_event <= ${at} THEN hc.last_event
                 ELSE (SELECT max(e.time) FROM events e WHERE e.host_id = hc.host_id AND e.time > ${since} AND e.time <= ${at} AND lower(e.channel) = hc.channel)
            END AS last_as_of
     FROM host_channels hc WHERE hc.host_id = ANY(${[...hostIds]}::text[]) AND hc.first_event <= ${at}`,
  );
  const found = new Map(rows.map((r) => [`${r.host_id}\n${r.channel}`, r]));
  for (const id of hostIds) {
    for (const c of COLLECTED_CHANNELS) {
      const row = found.get(`${id}\n${c.channel.toLowerCase()}`);
      if (!row) continue;
      byHost.get(id)!.push({
        channel: c.channel,
        label: c.label,
        lastEvent: row.last_as_of?.toISOString() ?? null,
        quiet: row.last_as_of === null || row.last_as_of.getTime() <= since.getTime(),
        laterEvents: row.last_event.getTime() > at.getTime(),
      });
    }
  }
  return byHost;
}
