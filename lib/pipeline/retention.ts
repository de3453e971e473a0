// Retention: IISWATCH_RETENTION_DAYS (default: keep everything) lets whole partitions of `events` go once every event
// they can hold is older than the limit — a DROP of the partition, which takes the same time whatever its size, rather
// than a DELETE row by row. What was derived from the events stays: results, risk events, notables, the ledger of
// which events each result counted and the audit trail; each range dropped is recorded (event_expirations), so that
// a result can say its raw events have expired rather than seem to have none. The workers run it every hour
// (lib/pipeline/scheduler.ts); `iiswatch retention --apply` runs it at once; the admin's Storage page shows it.
import type pg from "pg";
import { SYSTEM_ACTOR, writeAuditOn, type Actor } from "../audit/log";
import { DEFAULT_PARTITION, listEventPartitions, type EventPartition } from "../db/partitions";
import { pgPool } from "../db/pg";
import { execute, query, queryOne, raw, sql } from "../db/sql";
import { transactionOn } from "../db/transaction";
import { HOST_EVENT_COUNTS, IS_COLLECTED_CHANNEL, recountHosts } from "../ingest/host-counters";
import { retentionCutoff, retentionDays } from "../ingest/retention-policy";
import { EVENTS_MERGE_LOCK } from "../ingest/store";

export interface DroppedPartition extends EventPartition {
  events: number;
  hosts: number;
  /** How long the drop itself took (the transaction that detached and dropped the partition). */
  dropMs: number;
}

export interface RetentionOutcome {
  days: number | null;
  cutoff: Date | null;
  dropped: DroppedPartition[];
  /** Rows the default partition held before the cutoff (deleted row by row: there are few or none). */
  strays: number;
}

/**
 * Drops one partition whose every event is past the cutoff, with its bookkeeping, in one transaction: the host
 * counters lose its events (counted beforehand, outside the lock), the uploads' holds on them go, and the range is
 * recorded as expired.
 */
async function dropPartition(client: pg.ClientBase, partition: EventPartition, days: number, actor: Actor): Promise<DroppedPartition> {
  const table = raw(`"${partition.name}"`);
  // Counted before the drop's transaction, so that the lock on `events` lasts only as long as the drop. Events cannot
  // arrive meanwhile: a merge refuses events past the cutoff (lib/ingest/store.ts).
  const perHost = await query<{ host_id: string; n: string; iis_config: string; iis: string }>(
    sql`SELECT host_id, ${raw(HOST_EVENT_COUNTS)} FROM ${table} GROUP BY host_id`,
    client,
  );
  // And its events of each collected channel, per host, for host_channels.
  const perChannel = await query<{ host_id: string; channel: string; n: string }>(
    sql`SELECT host_id, lower(channel) AS channel, count(*) AS n FROM ${table} WHERE ${raw(IS_COLLECTED_CHANNEL)} GROUP BY 1, 2`,
    client,
  );
  const hosts = perHost.map((h) => h.host_id);
  const events = perHost.reduce((sum, h) => sum + Number(h.n), 0);
  let dropMs = 0;
  await transactionOn(client, async () => {
    await execute(sql`SET LOCAL lock_timeout = '30s'`, client);
    // Deleting an upload and merging events wait for this (and it for them): neither may see half of it.
    await execute(sql`SELECT pg_advisory_xact_lock(hashtext(${EVENTS_MERGE_LOCK}))`, client);
    const started = performance.now();
    await execute(sql`ALTER TABLE events DETACH PARTITION ${table}`, client);
    await execute(sql`DROP TABLE ${table}`, client);
    dropMs = performance.now() - started;
    await execute(sql`DELETE FROM event_holders WHERE event_time >= ${partition.rangeStart} AND event_time < ${partition.rangeEnd}`, client);
    await execute(
      sql`UPDATE hosts h SET event_count = greatest(h.event_count - c.n, 0), iis_config_events = greatest(h.iis_config_events - c.iis_config, 0),
              iis_events = greatest(h.iis_events - c.iis, 0)
       FROM unnest(${hosts}::text[], ${perHost.map((h) => Number(h.n))}::int[], ${perHost.map((h) => Number(h.iis_config))}::int[],
                   ${perHost.map((h) => Number(h.iis))}::int[]) AS c(id, n, iis_config, iis)
       WHERE h.id = c.id`,
      client,
    );
    // First and last events of those hosts, from the key's index (one short scan per host).
    await execute(
      sql`UPDATE hosts h SET first_event = (SELECT min(time) FROM events e WHERE e.host_id = h.id),
                             last_event = (SELECT max(time) FROM events e WHERE e.host_id = h.id)
       WHERE h.id = ANY(${hosts}::text[])`,
      client,
    );
    // host_channels lose the partition's events; a channel left with none goes, and the others whose first (or last)
    // event was in it find theirs again from the key's index (the earliest remaining event of the channel).
    await execute(
      sql`UPDATE host_channels hc SET event_count = hc.event_count - c.n
       FROM unnest(${perChannel.map((c) => c.host_id)}::text[], ${perChannel.map((c) => c.channel)}::text[], ${perChannel.map((c) => Number(c.n))}::int[]) AS c(host_id, channel, n)
       WHERE hc.host_id = c.host_id AND hc.channel = c.channel`,
      client,
    );
    await execute(sql`DELETE FROM host_channels WHERE host_id = ANY(${hosts}::text[]) AND event_count <= 0`, client);
    await execute(
      sql`UPDATE host_channels hc SET first_event = (SELECT min(time) FROM events e WHERE e.host_id = hc.host_id AND lower(e.channel) = hc.channel),
                                    last_event = CASE WHEN hc.last_event < ${partition.rangeEnd}
                                      THEN (SELECT max(time) FROM events e WHERE e.host_id = hc.host_id AND lower(e.channel) = hc.channel) ELSE hc.last_event END
       WHERE hc.host_id = ANY(${hosts}::text[]) AND hc.first_event < ${partition.rangeEnd}`,
      client,
    );
    await execute(
      sql`INSERT INTO event_expirations (range_start, range_end, events, retention_days) VALUES (${partition.rangeStart}, ${partition.rangeEnd}, ${events}, ${days})`,
      client,
    );
    await writeAuditOn(client, actor, {
      action: "events.expire",
      targetType: "events",
      targetId: partition.name,
      before: { from: partition.rangeStart.toISOString(), to: partition.rangeEnd.toISOString(), events, hosts: hosts.length, retentionDays: days },
    });
  });
  return { ...partition, events, hosts: hosts.length, dropMs };
}

/**
 * Applies the retention: drops every partition whose range ends at or before the cutoff, oldest first, and deletes
 * what the default partition holds before it. Returns what it did (nothing when everything is kept).
 */
export async function applyRetention(options: { now?: Date; days?: number | null; actor?: Actor } = {}): Promise<RetentionOutcome> {
  const days = options.days === undefined ? retentionDays() : options.days;
  const cutoff = retentionCutoff(options.now, days);
  if (days === null || cutoff === null) return { days, cutoff, dropped: [], strays: 0 };
  const client = await pgPool().connect();
  try {
    const dropped: DroppedPartition[] = [];
    for (const partition of await listEventPartitions(client)) {
      if (partition.rangeEnd > cutoff) break;
      dropped.push(await dropPartition(client, partition, days, options.actor ?? SYSTEM_ACTOR));
    }
    const strays = await transactionOn(client, async () => {
      await execute(sql`SELECT pg_advisory_xact_lock(hashtext(${EVENTS_MERGE_LOCK}))`, client);
      const gone = await query<{ host_id: string }>(sql`DELETE FROM ${raw(DEFAULT_PARTITION)} WHERE time < ${cutoff} RETURNING host_id`, client);
      if (gone.length > 0) {
        await execute(sql`DELETE FROM event_holders WHERE event_time < ${cutoff} AND NOT EXISTS (SELECT 1 FROM events e WHERE e.host_id = event_holders.host_id AND e.id = event_holders.event_id)`, client);
        await recountHosts(client, [...new Set(gone.map((g) => g.host_id))]);
      }
      return gone.length;
    });
    return { days, cutoff, dropped, strays };
  } finally {
    client.release();
  }
}

export interface Expiration {
  rangeStart: Date;
  rangeEnd: Date;
  events: number;
  droppedAt: Date;
  retentionDays: number;
}

/** The ranges retention dropped, latest first. */
export async function listExpirations(limit = 100): Promise<Expiration[]> {
  const rows = await query<{ range_start: Date; range_end: Date; events: string; dropped_at: Date; retention_days: number }>(
    sql`SELECT range_start, range_end, events, dropped_at, retention_days FROM event_expirations ORDER BY range_end DESC LIMIT ${limit}`,
  );
  return rows.map((r) => ({ rangeStart: r.range_start, rangeEnd: r.range_end, events: Number(r.events), droppedAt: r.dropped_at, retentionDays: r.retention_days }));
}

/** Whether raw events of `time` have expired: the expiration that covers it, or null. */
export async function expirationCovering(time: Date): Promise<Expiration | null> {
  const r = await queryOne<{ range_start: Date; range_end: Date; events: string; dropped_at: Date; retention_days: number }>(
    sql`SELECT range_start, range_end, events, dropped_at, retention_days FROM event_expirations
     WHERE range_start <= ${time} AND range_end > ${time} ORDER BY dropped_at DESC LIMIT 1`,
  );
  return r ? { rangeStart: r.range_start, rangeEnd: r.range_end, events: Number(r.events), droppedAt: r.dropped_at, retentionDays: r.retention_days } : null;
}
