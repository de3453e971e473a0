// Each host's last event per collected channel (lib/ingest/collected-channels.ts) and whether its shipper went quiet:
// a channel that delivered regularly — on average at least once every IISWATCH_QUIET_AFTER_HOURS — and has sent
// nothing for that long before the view's reference time.
//
// "Regularly", because some channels are sparse by nature: the IIS configuration log writes only when the
// configuration changes, so days of silence there are normal and flagging them would cry wolf on every healthy server.
// A channel's usual pace is its average gap over what the host has sent of it ((last − first) / (count − 1)).
//
// Why the reference time and not the clock: the hosts page is a view "as of" a time (lib/views/as-of.ts) — now, or
// the latest data when the data is historical, or a time the analyst chose. Measured against the clock, every host of
// last month's uploaded exports would be "quiet"; measured against the reference time, the flag says what was true
// then: no event of that channel in the quiet hours before it.
//
// Cheap at any scale: `host_channels` (kept at ingest, host-counters.ts) gives each channel's first and last event and
// count, and the page asks only for its own hosts' rows. When the view looks at a time before a channel's last event
// (events came after it), the last event as of then is looked up — for regular channels only — in the quiet hours
// before it, newest first on the events' key (host, time), stopping at the first event of the channel.
import { query, sql, type Sql } from "../db/sql";
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
  /**
   * The last event of the channel at or before the reference time, ISO; null when events came after it and the last
   * one before it was not looked up (a sparse channel) or is older than the quiet hours (then `quiet`).
   */
  lastEvent: string | null;
  /** A regular channel (see above) with no event in the quiet hours before the reference time. */
  quiet: boolean;
  /** Events of the channel came after the reference time (the view looks at the past). */
  laterEvents: boolean;
}

interface ChannelRow {
  host_id: string;
  channel: string;
  last_event: Date;
  regular: boolean;
  last_as_of: Date | null;
}

/** The quiet window of a view at `at`: (since, at]. */
function quietWindow(at: Date, quietHours: number) {
  return { at, since: new Date(at.getTime() - quietHours * HOUR), hours: sql`make_interval(secs => ${quietHours * 3600})` };
}

/** SQL over `host_channels hc`: the channel delivered regularly — on average at least once per quiet window. */
const regular = (hours: Sql) => sql`(hc.event_count >= 2 AND (hc.last_event - hc.first_event) / (hc.event_count - 1) <= ${hours})`;

/**
 * SQL over `host_channels hc`: the channel's newest event in (since, at], looked up on the events' key. It names the
 * channel as the events spell it (`name`) beside lower(channel): the column's statistics tell the planner how common
 * the channel is, so it walks the (host, time) key newest first and stops at the first event (0.1 ms) instead of
 * fetching the host's whole window (5 ms; 0.7 s for a page of busy hosts at 5 M events).
 */
const newestInWindow = (since: Date, at: Date) =>
  sql`(SELECT e.time FROM events e WHERE e.host_id = hc.host_id AND e.time > ${since} AND e.time <= ${at}
        AND (e.channel = hc.name OR lower(e.channel) = hc.channel) ORDER BY e.time DESC LIMIT 1)`;

/**
 * SQL over `hosts h`: the host has a quiet channel as of `at` — what the hosts table's "quiet shippers" filter lists.
 * The same test as channelActivity's flag.
 */
export function hasQuietChannel(at: Date, quietHours = quietAfterHours()): Sql {
  const w = quietWindow(at, quietHours);
  return sql`EXISTS (SELECT 1 FROM host_channels hc WHERE hc.host_id = h.id AND hc.first_event <= ${w.at} AND ${regular(w.hours)}
    AND CASE WHEN hc.last_event <= ${w.at} THEN hc.last_event <= ${w.since} ELSE ${newestInWindow(w.since, w.at)} IS NULL END)`;
}

/**
 * The collected channels each of these hosts had delivered by `at`, in the list's order, with the last event as of
 * `at` and the quiet flag. A channel that had not delivered by then is not listed (nothing went quiet).
 */
export async function channelActivity(hostIds: readonly string[], at: Date, quietHours = quietAfterHours()): Promise<Map<string, ChannelActivity[]>> {
  const byHost = new Map<string, ChannelActivity[]>(hostIds.map((id) => [id, []]));
  if (hostIds.length === 0) return byHost;
  const w = quietWindow(at, quietHours);
  const rows = await query<ChannelRow>(
    sql`SELECT hc.host_id, hc.channel, hc.last_event, ${regular(w.hours)} AS regular,
            CASE WHEN hc.last_event <= ${w.at} THEN hc.last_event WHEN ${regular(w.hours)} THEN ${newestInWindow(w.since, w.at)} END AS last_as_of
     FROM host_channels hc WHERE hc.host_id = ANY(${[...hostIds]}::text[]) AND hc.first_event <= ${w.at}`,
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
        quiet: row.regular && (row.last_as_of === null || row.last_as_of.getTime() <= w.since.getTime()),
        laterEvents: row.last_event.getTime() > at.getTime(),
      });
    }
  }
  return byHost;
}
