// Bulk writes of normalized events. Each batch lands in one transaction that skips events already stored
// (the stable event key is unique), so re-uploads and overlapping exports store each event once.
//  - Real Postgres: COPY straight into events; if the batch holds an event already stored, COPY into a
//    session-local staging table, then INSERT … SELECT … ON CONFLICT DO NOTHING (see insertWithCopy).
//  - Embedded PGlite: INSERT … SELECT FROM unnest(arrays) (COPY over its socket breaks the connection).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { NormalizedEvent, RejectedRecord } from "./event";
import { eventKey } from "./identity";
import { IIS_CONFIGURATION_CHANNEL } from "./splunk-fields";

const COLUMNS = [
  ["event_key", "text"],
  ["upload_id", "uuid"],
  ["position", "int4"],
  ["time", "timestamptz"],
  ["time_created", "text"],
  ["host", "text"],
  ["host_id", "text"],
  ["channel", "text"],
  ["provider", "text"],
  ["provider_guid", "text"],
  ["event_source_name", "text"],
  ["event_code", "int4"],
  ["qualifiers", "int4"],
  ["record_id", "int8"],
  ["version", "int4"],
  ["level", "int4"],
  ["opcode", "int4"],
  ["opcode_name", "text"],
  ["task", "int4"],
  ["keywords", "text"],
  ["user_sid", "text"],
  ["process_id", "int4"],
  ["thread_id", "int4"],
  ["data", "jsonb"],
  ["message", "text"],
  ["source", "text"],
  ["sourcetype", "text"],
  ["f_opcode", "text"],
  ["f_computer_name", "text"],
  ["f_message", "text"],
  ["f_name", "text"],
  ["f_module_dll", "text"],
  ["dest", "text"],
  ["format", "text"],
  ["raw", "text"],
] as const;

const COLUMN_LIST = COLUMNS.map(([name]) => `"${name}"`).join(", ");

// Postgres text cannot hold NUL; event text is attacker-controlled, so NULs become U+FFFD instead of failing.
const clean = (s: string) => (s.includes("\u0000") ? s.replaceAll("\u0000", "\uFFFD") : s);
const str = (s: string | null) => (s === null ? null : clean(s));

/** Event data as JSON for jsonb, which refuses the NUL escape too: NULs in names or values become U+FFFD. */
function dataJson(data: Record<string, string | null>): string {
  const json = JSON.stringify(data);
  if (!json.includes("\\u0000")) return json;
  return JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [clean(k), v === null ? null : clean(v)])));
}


function row(e: NormalizedEvent, uploadId: string): (string | number | null)[] {
  const s = e.splunk;
  return [
    eventKey(e),
    uploadId,
    e.position,
    // timeCreated keeps sub-millisecond digits; Postgres keeps microseconds of it.
    e.timeCreated ?? e.time.toISOString(),
    str(e.timeCreated),
    clean(e.host),
    clean(e.host).toLowerCase(),
    clean(e.channel),
    clean(e.provider),
    str(e.providerGuid),
    str(e.eventSourceName),
    e.eventCode,
    e.qualifiers,
    e.recordId,
    e.version,
    e.level,
    e.opcode,
    str(e.opcodeName),
    e.task,
    str(e.keywords),
    str(e.userSid),
    e.processId,
    e.threadId,
    dataJson(e.data),
    str(e.message),
    clean(s.source),
    clean(s.sourcetype),
    str(s.OpCode),
    str(s.ComputerName),
    str(s.Message),
    str(s.Name),
    str(s.ModuleDll),
    str(s.dest),
    e.format,
    clean(e.raw),
  ];
}

/** The columns of the rows just stored that UPSERT_HOSTS reads from `inserted`. */
const INSERTED_COLUMNS = "host, time, channel";

/**
 * Bookkeeping that must happen in the same transaction as the insert: host counters, from the rows `inserted`
 * (INSERTED_COLUMNS of them). `iis_config_events` counts the host's IIS configuration log events, as
 * removeUploadEvents recomputes it.
 */
const UPSERT_HOSTS = `
  INSERT INTO hosts (id, name, first_event, last_event, event_count, iis_config_events)
  SELECT lower(host), min(host), min(time), max(time), count(*),
         count(*) FILTER (WHERE lower(channel) = lower('${IIS_CONFIGURATION_CHANNEL}'))
  FROM inserted GROUP BY lower(host)
  ON CONFLICT (id) DO UPDATE SET
    first_event = least(hosts.first_event, excluded.first_event),
    last_event = greatest(hosts.last_event, excluded.last_event),
    event_count = hosts.event_count + excluded.event_count,
    iis_config_events = hosts.iis_config_events + excluded.iis_config_events`;

async function insertWithUnnest(client: pg.ClientBase, rows: (string | number | null)[][]): Promise<number> {
  const arrays = COLUMNS.map((_, i) => rows.map((r) => r[i]));
  const unnest = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const result = await client.query<{ n: string }>(
    `WITH inserted AS (
       INSERT INTO events (${COLUMN_LIST}) SELECT * FROM unnest(${unnest})
       ON CONFLICT (event_key) DO NOTHING RETURNING ${INSERTED_COLUMNS}
     ), hosts_updated AS (${UPSERT_HOSTS} RETURNING 1)
     SELECT (SELECT count(*) FROM inserted) AS n, (SELECT count(*) FROM hosts_updated)`,
    arrays,
  );
  return Number(result.rows[0].n);
}

// ---- COPY (real Postgres) ---------------------------------------------------------------------------------

const COPY_SPECIAL = /[\\\t\n\r]/;

function copyText(value: string | number | null): string {
  if (value === null) return "\\N";
  if (typeof value === "number") return String(value);
  // Most values need no escaping: test before building a new string.
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

async function copyInto(client: pg.ClientBase, table: string, chunks: Buffer[]): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} (${COLUMN_LIST}) FROM STDIN`)));
}

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "23505";

/**
 * Real Postgres. A batch normally goes straight into `events` with one COPY, so an upload of new events (the
 * common case) costs about what `psql \copy` costs. COPY cannot skip conflicts: when the batch holds an event
 * already stored (a re-upload, overlapping exports, a repeat within the file) it fails on the unique key, is
 * rolled back to a savepoint, and the batch goes the careful way — COPY into a session-local staging table
 * without indexes, then INSERT … SELECT … ON CONFLICT DO NOTHING in file order. Either way the batch is one
 * transaction, and the host counters come from the same UPSERT_HOSTS over the rows actually inserted.
 * `expectDuplicates` (the previous batch had some) skips the attempt that would most likely fail.
 */
async function insertWithCopy(client: pg.ClientBase, chunks: Buffer[], count: number, uploadId: string, expectDuplicates: boolean): Promise<number> {
  await client.query("BEGIN");
  try {
    if (!expectDuplicates && (await copyDirectly(client, uploadId, chunks))) {
      await client.query("COMMIT");
      return count;
    }
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS events_staging (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    await copyInto(client, "events_staging", chunks);
    const result = await client.query<{ n: string }>(
      `WITH inserted AS (
         INSERT INTO events (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM events_staging ORDER BY position
         ON CONFLICT (event_key) DO NOTHING RETURNING ${INSERTED_COLUMNS}
       ), hosts_updated AS (${UPSERT_HOSTS} RETURNING 1)
       SELECT (SELECT count(*) FROM inserted) AS n, (SELECT count(*) FROM hosts_updated)`,
    );
    await client.query("COMMIT");
    return Number(result.rows[0].n);
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}

/**
 * Inside the batch's transaction: COPY the batch straight into events and update the host counters. False
 * (everything undone) when an event was already stored.
 */
async function copyDirectly(client: pg.ClientBase, uploadId: string, chunks: Buffer[]): Promise<boolean> {
  await client.query("SAVEPOINT direct_copy");
  // Every id the COPY assigns lies between this one and the sequence's value after it (currval), and no other
  // batch of this upload runs meanwhile: the rows of this upload in that range are exactly the ones the COPY
  // inserted. The range is read through the primary key alone (a materialized CTE keeps the planner from also
  // scanning the upload_id index, which would cost every row of the upload so far, per batch, whenever the
  // table's statistics are stale, as they are while it grows).
  const before = await client.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('events', 'id')) AS id`);
  try {
    await copyInto(client, "events", chunks);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    await client.query("ROLLBACK TO SAVEPOINT direct_copy");
    return false;
  }
  await client.query(
    `WITH copied AS MATERIALIZED (
       SELECT upload_id, ${INSERTED_COLUMNS} FROM events
       WHERE id > $2 AND id <= (SELECT currval(pg_get_serial_sequence('events', 'id')))
     ), inserted AS (SELECT ${INSERTED_COLUMNS} FROM copied WHERE upload_id = $1)
     ${UPSERT_HOSTS}`,
    [uploadId, before.rows[0].id],
  );
  return true;
}

export interface BatchResult {
  stored: number;
  duplicates: number;
}

/** COPY text is handed over in pieces of about this many characters. */
const COPY_CHUNK_CHARS = 1 << 16;

/**
 * The events of one upload gathered for one write. Each event is turned into what the database will be sent
 * (a line of COPY text, or a row of values for the embedded database) as soon as it is added, and COPY text is
 * kept as UTF-8 buffers: a batch then holds a few large buffers rather than thousands of event objects, which
 * costs far less memory and garbage-collector work than keeping the events until the batch is written.
 */
export class EventBatch {
  length = 0;
  private readonly chunks: Buffer[] = [];
  private text = "";
  private readonly rows: (string | number | null)[][] = [];

  constructor(
    readonly uploadId: string,
    readonly method: "copy" | "unnest",
  ) {}

  add(e: NormalizedEvent): void {
    this.length++;
    const r = row(e, this.uploadId);
    if (this.method === "unnest") {
      this.rows.push(r);
      return;
    }
    let line = copyText(r[0]);
    for (let i = 1; i < r.length; i++) line += "\t" + copyText(r[i]);
    this.text += line + "\n";
    if (this.text.length >= COPY_CHUNK_CHARS) this.seal();
  }

  private seal(): void {
    if (this.text) this.chunks.push(Buffer.from(this.text, "utf8"));
    this.text = "";
  }

  /** Stores the batch; returns how many events were new and how many were already stored. */
  async store(client: pg.ClientBase, options: { expectDuplicates?: boolean } = {}): Promise<BatchResult> {
    if (this.length === 0) return { stored: 0, duplicates: 0 };
    this.seal();
    const stored =
      this.method === "copy"
        ? await insertWithCopy(client, this.chunks, this.length, this.uploadId, options.expectDuplicates ?? false)
        : await insertWithUnnest(client, this.rows);
    return { stored, duplicates: this.length - stored };
  }
}

/**
 * Stores a batch of events of one upload; returns how many were new and how many were already stored.
 * `expectDuplicates` is a hint (the previous batch of the upload had duplicates); it never changes the outcome.
 */
export async function storeEvents(
  client: pg.ClientBase,
  uploadId: string,
  events: NormalizedEvent[],
  method: "copy" | "unnest",
  options: { expectDuplicates?: boolean } = {},
): Promise<BatchResult> {
  const batch = new EventBatch(uploadId, method);
  for (const e of events) batch.add(e);
  return batch.store(client, options);
}

export async function storeRejections(client: pg.ClientBase, uploadId: string, rejections: RejectedRecord[]): Promise<void> {
  if (rejections.length === 0) return;
  await client.query(
    `INSERT INTO upload_rejections (upload_id, position, location, reason, excerpt)
     SELECT $1::uuid, * FROM unnest($2::int4[], $3::text[], $4::text[], $5::text[])`,
    [
      uploadId,
      rejections.map((r) => r.position),
      rejections.map((r) => str(r.location ?? null)),
      rejections.map((r) => clean(r.reason).slice(0, 2000)),
      rejections.map((r) => (r.excerpt === undefined ? null : clean(r.excerpt).slice(0, 500))),
    ],
  );
}
