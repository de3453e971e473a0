// Bulk writes of normalized events: an upload's events are staged (COPY on PostgreSQL; INSERT … SELECT FROM
// unnest(arrays) on the embedded PGlite, where COPY over its socket breaks the connection), the partitions of their
// time made, then they are merged into `events` in one transaction that skips events already stored (by the stable
// event key, per host and second), so re-uploads and overlapping exports store each event once.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { ensureEventPartitions, spanStartsOf } from "../db/partitions";
import { execute, join, queryOne, raw, sql } from "../db/sql";
import { transactionOn } from "../db/transaction";
import { from as copyFrom } from "pg-copy-streams";
import type { NormalizedEvent, RejectedRecord } from "./event";
import { HOST_EVENT_COUNTS, UPSERT_HOST_CHANNELS } from "./host-counters";
import { eventKey } from "./identity";
import { retentionCutoff, retentionDays } from "./retention-policy";
import { SPLUNK_FIELD_NAMES, SPLUNK_FIELDS } from "./splunk-fields";

// Postgres text cannot hold NUL; event text is attacker-controlled, so NULs become U+FFFD instead of failing.
const clean = (s: string) => (s.includes("\u0000") ? s.replaceAll("\u0000", "\uFFFD") : s);
const str = (s: string | null) => (s === null ? null : clean(s));

/** Event data as JSON for jsonb, which refuses the NUL escape too: NULs in names or values become U+FFFD. */
function dataJson(data: Record<string, string | null>): string {
  const json = JSON.stringify(data);
  if (!json.includes("\\u0000")) return json;
  return JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [clean(k), v === null ? null : clean(v)])));
}

type ColumnValue = string | number | null;

/** A column of `events` the bulk writer fills: its name, its type, and its value for an event of an upload. */
interface EventColumn {
  column: string;
  type: string;
  value: (e: NormalizedEvent, uploadId: string) => ColumnValue;
}

/**
 * The one list of what an event is stored as: the staging table, the COPY column list and its encoder, the
 * embedded database's unnest arrays and the merge's column list are all derived from it.
 */
const COLUMNS: readonly EventColumn[] = [
  { column: "event_key", type: "text", value: (e) => eventKey(e) },
  { column: "upload_id", type: "uuid", value: (_, uploadId) => uploadId },
  { column: "position", type: "int4", value: (e) => e.position },
  // timeCreated keeps sub-millisecond digits; Postgres keeps microseconds of it.
  { column: "time", type: "timestamptz", value: (e) => e.timeCreated ?? e.time.toISOString() },
  { column: "time_created", type: "text", value: (e) => str(e.timeCreated) },
  { column: "host", type: "text", value: (e) => clean(e.host) },
  { column: "host_id", type: "text", value: (e) => clean(e.host).toLowerCase() },
  { column: "channel", type: "text", value: (e) => clean(e.channel) },
  { column: "provider", type: "text", value: (e) => clean(e.provider) },
  { column: "provider_guid", type: "text", value: (e) => str(e.providerGuid) },
  { column: "event_source_name", type: "text", value: (e) => str(e.eventSourceName) },
  { column: "event_code", type: "int4", value: (e) => e.eventCode },
  { column: "qualifiers", type: "int4", value: (e) => e.qualifiers },
  { column: "record_id", type: "int8", value: (e) => e.recordId },
  { column: "version", type: "int4", value: (e) => e.version },
  { column: "level", type: "int4", value: (e) => e.level },
  { column: "opcode", type: "int4", value: (e) => e.opcode },
  { column: "opcode_name", type: "text", value: (e) => str(e.opcodeName) },
  { column: "task", type: "int4", value: (e) => e.task },
  { column: "keywords", type: "text", value: (e) => str(e.keywords) },
  { column: "user_sid", type: "text", value: (e) => str(e.userSid) },
  { column: "process_id", type: "int4", value: (e) => e.processId },
  { column: "thread_id", type: "int4", value: (e) => e.threadId },
  { column: "data", type: "jsonb", value: (e) => dataJson(e.data) },
  { column: "message", type: "text", value: (e) => str(e.message) },
  // The Splunk fields, from their one registry (name, value, column).
  ...SPLUNK_FIELD_NAMES.map((f): EventColumn => ({ column: SPLUNK_FIELDS[f].column, type: "text", value: (e) => str(e.splunk[f]) })),
  { column: "format", type: "text", value: (e) => e.format },
  { column: "raw", type: "text", value: (e) => clean(e.raw) },
];

/** The columns' names, quoted: the COPY's, the staging table's and the merge's column list. */
const COLUMN_LIST = COLUMNS.map((c) => `"${c.column}"`).join(", ");

/** The columns of the rows just stored that UPSERT_HOSTS and UPSERT_HOST_CHANNELS read from `inserted`. */
const INSERTED_COLUMNS = "host, time, channel, provider, event_source_name";

/**
 * Bookkeeping that must happen in the same transaction as the insert: host counters, from the rows `inserted`
 * (INSERTED_COLUMNS of them), counted as host-counters.ts defines them (and, beside them, UPSERT_HOST_CHANNELS).
 */
const UPSERT_HOSTS = `
  INSERT INTO hosts (id, name, first_event, last_event, event_count, iis_config_events, iis_events)
  SELECT lower(host), min(host), min(time), max(time), ${HOST_EVENT_COUNTS}
  FROM inserted GROUP BY lower(host)
  ON CONFLICT (id) DO UPDATE SET
    first_event = least(hosts.first_event, excluded.first_event),
    last_event = greatest(hosts.last_event, excluded.last_event),
    event_count = hosts.event_count + excluded.event_count,
    iis_config_events = hosts.iis_config_events + excluded.iis_config_events,
    iis_events = hosts.iis_events + excluded.iis_events`;

// ---- staging ------------------------------------------------------------------------------------------------
// An upload's events are first written to a staging table of its own (a temporary table of the worker's
// connection: it disappears with the connection if the worker dies), then merged into `events` in one
// transaction. So an upload lands whole or not at all: no other upload, view or detection ever sees half of one,
// and a failure has nothing to undo.

const COPY_SPECIAL = /[\\\t\n\r]/;

/**
 * Whether a value holds a character COPY text escapes. A short value is tested with one regular expression; a long
 * one (the raw record, the message, the data) with one search per character, which are fast scans, where the
 * regular expression steps through the text a character at a time.
 */
const needsEscaping = (value: string) =>
  value.length < 64 ? COPY_SPECIAL.test(value) : value.includes("\\") || value.includes("\t") || value.includes("\n") || value.includes("\r");

function copyText(value: ColumnValue): string {
  if (value === null) return "\\N";
  if (typeof value === "number") return String(value);
  // Most values need no escaping: test before building a new string.
  if (!needsEscaping(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/** The advisory lock merges hold shared and deleting an upload holds exclusive. */
export const EVENTS_MERGE_LOCK = "iiswatch:events-merge";

/** The advisory locks (this key, and a bucket of the host) a merge holds for each host it stores events of. */
const HOST_MERGE_LOCK = "iiswatch:host-merge";

/** A stored event `e` that is the staged event `s` (see merge). */
const sameEvent = sql`e.host_id = s.host_id AND e.event_key = s.event_key
  AND e.time >= date_trunc('second', s.time) AND e.time < date_trunc('second', s.time) + interval '1 second'`;

/** A staging table on one connection. `method`: COPY on PostgreSQL; INSERT … unnest on the embedded PGlite. */
export class StagingTable {
  private constructor(
    readonly client: pg.ClientBase,
    readonly name: string,
    readonly method: "copy" | "unnest",
  ) {}

  /** Creates a staging table on `client` (temporary: it lives as long as the connection, unless dropped). */
  static async create(client: pg.ClientBase, method: "copy" | "unnest"): Promise<StagingTable> {
    const name = `staging_${randomBytes(8).toString("hex")}`;
    // Rows are kept in file order by `seq` so the merge stores them in that order (it is what makes ids follow the file).
    await execute(sql`CREATE TEMP TABLE ${raw(name)} (seq bigserial, ${raw(COLUMNS.map((c) => `"${c.column}" ${c.type}`).join(", "))})`, client);
    return new StagingTable(client, name, method);
  }

  async append(batch: EventBatch): Promise<void> {
    if (batch.length === 0) return;
    if (this.method === "copy") {
      await pipeline(Readable.from(batch.copyChunks()), this.client.query(copyFrom(`COPY ${this.name} (${COLUMN_LIST}) FROM STDIN`)));
    } else {
      const rows = batch.valueRows();
      const arrays = COLUMNS.map((c, i) => sql`${rows.map((r) => r[i])}::${raw(c.type)}[]`);
      await execute(sql`INSERT INTO ${raw(this.name)} (${raw(COLUMN_LIST)}) SELECT * FROM unnest(${join(arrays)})`, this.client);
    }
  }

  /**
   * Makes the partitions of `events` the staged events fall in (lib/db/partitions.ts), before the merge and outside
   * its transaction: making a partition locks `events` for a moment, which the merge must not hold on to. Returns
   * the partitions the staged events fall in (to tidy after the merge).
   */
  async preparePartitions(): Promise<string[]> {
    const staging = raw(this.name);
    // None for events the merge will refuse as past the retention.
    const cutoff = retentionCutoff();
    const kept = cutoff ? sql`SELECT time FROM ${staging} WHERE time >= ${cutoff}` : sql`SELECT time FROM ${staging}`;
    const { covering } = await ensureEventPartitions(this.client, await spanStartsOf(this.client, kept));
    return covering.map((p) => p.name);
  }

  /**
   * Inside the caller's transaction: inserts the staged events not stored yet, updates the host counters, and
   * records this upload as a holder of the staged events another upload stored first (so deleting that upload keeps
   * them). An event is "stored yet" when its host holds an event with the same key within the same second (the key
   * is computed from the time to the second: one export may give 12:00:00 where another gives 12:00:00.1234567).
   * Concurrent merges of overlapping files are safe: each takes the locks of its hosts (hashed into 64, taken in
   * order), so the later waits for the earlier's commit, then counts those events as duplicates.
   */
  async merge(uploadId: string): Promise<BatchResult> {
    // Merges run side by side; deleting an upload waits for them (and they for it), so that an event a merge counts
    // as a duplicate cannot be deleted under it before it records itself as a holder.
    await execute(sql`SELECT pg_advisory_xact_lock_shared(hashtext(${EVENTS_MERGE_LOCK}))`, this.client);
    const staging = raw(this.name);
    await execute(
      sql`SELECT pg_advisory_xact_lock(hashtext(${HOST_MERGE_LOCK}), b)
       FROM (SELECT DISTINCT hashtext(host_id) & 63 AS b FROM ${staging} ORDER BY 1) buckets`,
      this.client,
    );
    // Each staged event is looked up by its host and second on the events' keys (one index probe, in the partition
    // of its time): never a pass over every stored event, which a hash join would make.
    await execute(sql`SET LOCAL enable_hashjoin = off`, this.client);
    await execute(sql`SET LOCAL enable_mergejoin = off`, this.client);
    // Events older than the retention allows are refused, each with its position and why: stored, they would only
    // make a partition for retention to drop.
    const cutoff = retentionCutoff();
    const expired = cutoff
      ? await execute(
          sql`WITH expired AS (DELETE FROM ${staging} WHERE time < ${cutoff} RETURNING position, time)
           INSERT INTO upload_rejections (upload_id, position, reason)
           SELECT ${uploadId}::uuid, position, 'dated ' || to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC, older than the '
             || ${retentionDays()}::text || ' days of events this dashboard keeps (IISWATCH_RETENTION_DAYS)' FROM expired`,
          this.client,
        )
      : 0;
    const columns = raw(COLUMN_LIST);
    const counts = await queryOne<{ staged: string; stored: string }>(
      sql`WITH inserted AS (
         INSERT INTO events (${columns}) SELECT ${columns} FROM ${staging} s
         WHERE NOT EXISTS (SELECT 1 FROM events e WHERE ${sameEvent})
         ORDER BY seq
         ON CONFLICT (host_id, time, event_key) DO NOTHING RETURNING ${raw(INSERTED_COLUMNS)}
       ), hosts_updated AS (${raw(UPSERT_HOSTS)} RETURNING 1), channels_updated AS (${raw(UPSERT_HOST_CHANNELS)} RETURNING 1)
       SELECT (SELECT count(*) FROM ${staging}) AS staged, (SELECT count(*) FROM inserted) AS stored, (SELECT count(*) FROM hosts_updated),
              (SELECT count(*) FROM channels_updated)`,
      this.client,
    );
    const staged = Number(counts!.staged);
    const stored = Number(counts!.stored);
    if (stored < staged) {
      await execute(
        sql`INSERT INTO event_holders (host_id, event_time, event_id, upload_id)
         SELECT DISTINCT e.host_id, e.time, e.id, ${uploadId}::uuid FROM ${staging} s JOIN events e ON ${sameEvent}
         WHERE e.upload_id <> ${uploadId}::uuid
         ON CONFLICT DO NOTHING`,
        this.client,
      );
    }
    return { stored, duplicates: staged - stored, expired };
  }

  async drop(): Promise<void> {
    await execute(sql`DROP TABLE IF EXISTS ${raw(this.name)}`, this.client);
  }
}

export interface BatchResult {
  stored: number;
  duplicates: number;
  /** Refused as older than the retention (recorded as rejections of the upload). */
  expired: number;
}

/** COPY text is handed over in pieces of about this many bytes. */
const COPY_CHUNK_BYTES = 1 << 16;

/**
 * The events of one upload gathered for one write. Each event is turned into what the database will be sent
 * (a line of COPY text, or a row of values for the embedded database) as soon as it is added, and COPY text is
 * kept as UTF-8 buffers: a batch then holds a few large buffers rather than thousands of event objects, which
 * costs far less memory and garbage-collector work than keeping the events until the batch is written.
 */
export class EventBatch {
  length = 0;
  private readonly chunks: Buffer[] = [];
  /** The chunk being filled, and how many of its bytes are. */
  private chunk: Buffer | null = null;
  private used = 0;
  /** One event's fields, reused from event to event. */
  private readonly fields: string[] = new Array<string>(COLUMNS.length);
  private readonly rows: ColumnValue[][] = [];

  constructor(
    readonly uploadId: string,
    readonly method: "copy" | "unnest",
  ) {}

  add(e: NormalizedEvent): void {
    this.length++;
    if (this.method === "unnest") {
      this.rows.push(COLUMNS.map((c) => c.value(e, this.uploadId)));
      return;
    }
    const { fields } = this;
    for (let i = 0; i < COLUMNS.length; i++) fields[i] = copyText(COLUMNS[i].value(e, this.uploadId));
    // The line is written straight into the chunk as UTF-8: join() makes it one flat string, where concatenating
    // its fields and then the lines of a chunk made thousands of small strings to be flattened and collected.
    this.write(fields.join("\t"));
  }

  private write(line: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit (a surrogate pair's 4 bytes are 2 per unit).
    const room = line.length * 3 + 1;
    if (this.chunk === null || this.used + room > this.chunk.length) {
      this.seal();
      this.chunk = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, room));
    }
    this.used += this.chunk.write(line, this.used, "utf8");
    this.chunk[this.used++] = 10; // \n
  }

  private seal(): void {
    if (this.chunk !== null && this.used > 0) this.chunks.push(this.chunk.subarray(0, this.used));
    this.chunk = null;
    this.used = 0;
  }

  /** The batch as COPY text (method "copy"). */
  copyChunks(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  /** The batch as rows of values (method "unnest"). */
  valueRows(): ColumnValue[][] {
    return this.rows;
  }
}

/**
 * Stores events as one upload in one go (staging and merge in one transaction); returns how many were new and how
 * many were already stored. For tests and tools that build events in memory.
 */
export async function storeEvents(client: pg.ClientBase, uploadId: string, events: NormalizedEvent[], method: "copy" | "unnest"): Promise<BatchResult> {
  const batch = new EventBatch(uploadId, method);
  for (const e of events) batch.add(e);
  const staging = await StagingTable.create(client, method);
  try {
    await staging.append(batch);
    await staging.preparePartitions();
    return await transactionOn(client, () => staging.merge(uploadId));
  } finally {
    await staging.drop().catch(() => {});
  }
}

export async function storeRejections(client: pg.ClientBase, uploadId: string, rejections: RejectedRecord[]): Promise<void> {
  if (rejections.length === 0) return;
  const positions = rejections.map((r) => r.position);
  const locations = rejections.map((r) => str(r.location ?? null));
  const reasons = rejections.map((r) => clean(r.reason).slice(0, 2000));
  const excerpts = rejections.map((r) => (r.excerpt === undefined ? null : clean(r.excerpt).slice(0, 500)));
  await execute(
    sql`INSERT INTO upload_rejections (upload_id, position, location, reason, excerpt)
     SELECT ${uploadId}::uuid, * FROM unnest(${positions}::int4[], ${locations}::text[], ${reasons}::text[], ${excerpts}::text[])`,
    client,
  );
}
