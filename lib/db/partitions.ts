// The partitions of `events` (partitioned by range of event time, see the migration 20261206120000_partitioned_events).
//
// The application makes them as data arrives: before an upload's events are merged, every span of time they fall in
// (a month by default, IISWATCH_PARTITION_SPAN) gets a partition of its own, on PostgreSQL and on the embedded PGlite
// alike. A span overlapping partitions made earlier with another span is filled around them, so changing the span
// never makes two partitions overlap. Rows that arrive where no partition is — a test's direct insert, or an event
// dated outside [1990, 2100), which makes no partition so that a hostile file cannot make thousands — land in the
// default partition; a partition made later for their span takes them out of it.
import type pg from "pg";
import { execute, query, queryOne, raw, sql, type Queryable, type Sql } from "./sql";
import { transactionOn } from "./transaction";
import { pgPool } from "./pg";

const PARTITION_SPANS = ["day", "week", "month"] as const;
export type PartitionSpan = (typeof PARTITION_SPANS)[number];

/** The span a new partition covers: IISWATCH_PARTITION_SPAN (day, week or month; default month). */
export function partitionSpan(): PartitionSpan {
  const configured = (process.env.IISWATCH_PARTITION_SPAN ?? "month").trim().toLowerCase();
  if (!(PARTITION_SPANS as readonly string[]).includes(configured)) {
    throw new Error(`IISWATCH_PARTITION_SPAN must be one of ${PARTITION_SPANS.join(", ")} (it is '${process.env.IISWATCH_PARTITION_SPAN}')`);
  }
  return configured as PartitionSpan;
}

/** Event times partitions are made for; rows outside stay in the default partition. */
const PARTITIONED_FROM = new Date("1990-01-01T00:00:00Z");
const PARTITIONED_UNTIL = new Date("2100-01-01T00:00:00Z");

export const DEFAULT_PARTITION = "events_default";

/** The start (UTC) of the span `time` falls in. */
export function spanStart(time: Date, span: PartitionSpan): Date {
  const d = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), span === "month" ? 1 : time.getUTCDate()));
  // ISO weeks start on Monday.
  if (span === "week") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d;
}

export function spanEnd(start: Date, span: PartitionSpan): Date {
  const d = new Date(start);
  if (span === "month") d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCDate(d.getUTCDate() + (span === "week" ? 7 : 1));
  return d;
}

/** SQL for the start of the span of a timestamptz expression (UTC), as spanStart computes it. */
export function spanStartSql(span: PartitionSpan, time: Sql): Sql {
  return sql`(date_trunc(${span}::text, (${time}) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
}

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace(/[-:T]/g, "");

/** A partition's table name: its range, readable (`events_p20261101000000_20261201000000`). */
export const partitionName = (start: Date, end: Date) => `events_p${stamp(start)}_${stamp(end)}`;

export interface EventPartition {
  name: string;
  rangeStart: Date;
  rangeEnd: Date;
}

const PARTITIONS_LOCK = "iiswatch:event-partitions";

/**
 * The partitions of `events` (but the default one) with their ranges, oldest first, read from the catalog itself:
 * what PostgreSQL holds is the only record, so nothing can drift from it (a TRUNCATE, a partition dropped by hand).
 */
const PARTITIONS_SQL = sql`
  SELECT c.oid, c.relname AS name, b.bounds[1]::timestamptz AS range_start, b.bounds[2]::timestamptz AS range_end
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM [(]''([^'']*)''[)] TO [(]''([^'']*)''[)]') AS bounds) b
  WHERE i.inhparent = 'events'::regclass AND b.bounds IS NOT NULL`;

async function madePartitions(on: Queryable): Promise<EventPartition[]> {
  const rows = await query<{ name: string; range_start: Date; range_end: Date }>(sql`SELECT name, range_start, range_end FROM (${PARTITIONS_SQL}) p ORDER BY range_start`, on);
  return rows.map((r) => ({ name: r.name, rangeStart: r.range_start, rangeEnd: r.range_end }));
}

/** The parts of [start, end) no partition covers. */
function gaps(start: Date, end: Date, partitions: EventPartition[]): [Date, Date][] {
  const out: [Date, Date][] = [];
  let from = start;
  for (const p of partitions) {
    if (p.rangeEnd <= from || p.rangeStart >= end) continue;
    if (p.rangeStart > from) out.push([from, p.rangeStart]);
    if (p.rangeEnd > from) from = p.rangeEnd;
  }
  if (from < end) out.push([from, end]);
  return out;
}

/**
 * Makes a partition for [start, end), in the caller's transaction. Rows the default partition holds in that range
 * move into it (PostgreSQL refuses a new partition over rows the default one holds): the default partition is
 * detached for that moment, which locks `events` briefly, as making any partition does.
 */
async function makePartition(client: pg.ClientBase, start: Date, end: Date): Promise<EventPartition> {
  const name = partitionName(start, end);
  const [from, to] = [start.toISOString(), end.toISOString()];
  const strays = await queryOne(sql`SELECT 1 AS found FROM ${raw(DEFAULT_PARTITION)} WHERE time >= ${start} AND time < ${end} LIMIT 1`, client);
  // DDL takes no parameters: the bounds are the code's own ISO timestamps, quoted.
  const create = sql`CREATE TABLE ${raw(name)} PARTITION OF events FOR VALUES FROM (${raw(`'${from}'`)}) TO (${raw(`'${to}'`)})`;
  if (strays) {
    await execute(sql`ALTER TABLE events DETACH PARTITION ${raw(DEFAULT_PARTITION)}`, client);
    await execute(create, client);
    await execute(
      sql`WITH moved AS (DELETE FROM ${raw(DEFAULT_PARTITION)} WHERE time >= ${start} AND time < ${end} RETURNING *)
       INSERT INTO ${raw(name)} SELECT * FROM moved`,
      client,
    );
    await execute(sql`ALTER TABLE events ATTACH PARTITION ${raw(DEFAULT_PARTITION)} DEFAULT`, client);
  } else {
    await execute(create, client);
  }
  return { name, rangeStart: start, rangeEnd: end };
}

/**
 * Makes sure a partition covers every span that `spanStarts` begin (span starts as spanStartSql gives them), in a
 * transaction of its own on `client` (it must not be in one). Returns the partitions it made, and all those that
 * cover the spans (made now or earlier), oldest first. Several workers may call it at once: an advisory lock makes
 * them take turns, and each re-reads what the others made.
 */
export async function ensureEventPartitions(
  client: pg.ClientBase,
  spanStarts: Date[],
  span: PartitionSpan = partitionSpan(),
): Promise<{ made: EventPartition[]; covering: EventPartition[] }> {
  const wanted = spanStarts.filter((s) => s >= PARTITIONED_FROM && s < PARTITIONED_UNTIL);
  if (wanted.length === 0) return { made: [], covering: [] };
  const missing = (partitions: EventPartition[]) => wanted.flatMap((s) => gaps(s, spanEnd(s, span), partitions));
  const covering = (partitions: EventPartition[]) => partitions.filter((p) => wanted.some((s) => p.rangeEnd > s && p.rangeStart < spanEnd(s, span)));
  // Most merges find every partition there: ask without the lock first.
  const existing = await madePartitions(client);
  if (missing(existing).length === 0) return { made: [], covering: covering(existing) };
  return transactionOn(client, async () => {
    // Wait for long readers briefly rather than queue every reader behind this DDL's lock for long.
    await execute(sql`SET LOCAL lock_timeout = '20s'`, client);
    await execute(sql`SELECT pg_advisory_xact_lock(hashtext(${PARTITIONS_LOCK}))`, client);
    const made: EventPartition[] = [];
    for (const [start, end] of missing(await madePartitions(client))) made.push(await makePartition(client, start, end));
    return { made, covering: covering(await madePartitions(client)) };
  });
}

/** The span starts of the times a query returns (one column, `time`), as ensureEventPartitions takes them. */
export async function spanStartsOf(client: Queryable, times: Sql, span: PartitionSpan = partitionSpan()): Promise<Date[]> {
  const rows = await query<{ start: Date }>(sql`SELECT DISTINCT ${spanStartSql(span, sql`t.time`)} AS start FROM (${times}) t WHERE t.time IS NOT NULL`, client);
  return rows.map((r) => r.start);
}

/**
 * Gives the rows the default partition holds within [1990, 2100) partitions of their own (after a migration, or
 * events inserted directly); returns how many partitions it made. Workers run it when they start.
 */
export async function partitionStrayEvents(client?: pg.ClientBase): Promise<number> {
  const own = client ?? (await pgPool().connect());
  try {
    const starts = await spanStartsOf(own, sql`SELECT time FROM ${raw(DEFAULT_PARTITION)}`);
    return (await ensureEventPartitions(own, starts)).made.length;
  } finally {
    if (!client) (own as pg.PoolClient).release();
  }
}

export interface EventPartitionStats extends EventPartition {
  /** The planner's estimate (exact after VACUUM/ANALYZE); -1 when the partition was never analysed. */
  rowsEstimate: number;
  bytes: number;
}

/** The partitions of `events`, oldest first, with their size (the default partition not among them). */
export async function listEventPartitions(on: Queryable = pgPool()): Promise<EventPartitionStats[]> {
  const rows = await query<{ name: string; range_start: Date; range_end: Date; rows: string; bytes: string }>(
    sql`SELECT p.name, p.range_start, p.range_end, c.reltuples::bigint AS rows, pg_total_relation_size(p.oid) AS bytes
     FROM (${PARTITIONS_SQL}) p JOIN pg_class c ON c.oid = p.oid ORDER BY p.range_start`,
    on,
  );
  return rows.map((r) => ({ name: r.name, rangeStart: r.range_start, rangeEnd: r.range_end, rowsEstimate: Number(r.rows), bytes: Number(r.bytes) }));
}
