// Bulk writes of normalized events: an upload's events are staged (COPY on PostgreSQL; INSERT … SELECT FROM
// unnest(arrays) on the embedded PGlite, where COPY over its socket breaks the connection), then merged into
// `events` in one transaction that skips events already stored (the stable event key is unique), so re-uploads
// and overlapping exports store each event once.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { transactionOn } from "../db/transaction";
import { from as copyFrom } from "pg-copy-streams";
import type { NormalizedEvent, RejectedRecord } from "./event";
import { isIisEventSql } from "./iis-activity";
import { eventKey } from "./identity";
import { IIS_CONFIGURATION_CHANNEL, SPLUNK_FIELD_NAMES, SPLUNK_FIELDS } from "./splunk-fields";

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
  ...SPLUNK_FIELD_NAMES.map((f) => [SPLUNK_FIELDS[f].column, "text"] as const),
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
    ...SPLUNK_FIELD_NAMES.map((f) => str(s[f])),
    e.format,
    clean(e.raw),
  ];
}

/** The columns of the rows just stored that UPSERT_HOSTS reads from `inserted`. */
const INSERTED_COLUMNS = "host, time, channel, provider, event_source_name";

/**
 * Bookkeeping that must happen in the same transaction as the insert: host counters, from the rows `inserted`
 * (INSERTED_COLUMNS of them). `iis_config_events` counts the host's IIS configuration log events and `iis_events`
 * its events of IIS at all (iis-activity.ts), as deleteUpload recomputes them.
 */
const UPSERT_HOSTS = `
  INSERT INTO hosts (id, name, first_event, last_event, event_count, iis_config_events, iis_events)
  SELECT lower(host), min(host), min(time), max(time), count(*),
         count(*) FILTER (WHERE lower(channel) = lower('${IIS_CONFIGURATION_CHANNEL}')),
         count(*) FILTER (WHERE ${isIisEventSql()})
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

function copyText(value: string | number | null): string {
  if (value === null) return "\\N";
  if (typeof value === "number") return String(value);
  // Most values need no escaping: test before building a new string.
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/** The advisory lock merges hold shared and deleting an upload holds exclusive. */
export const EVENTS_MERGE_LOCK = "iiswatch:events-merge";

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
    await client.query(`CREATE TEMP TABLE ${name} (seq bigserial, ${COLUMNS.map(([c, t]) => `"${c}" ${t}`).join(", ")})`);
    return new StagingTable(client, name, method);
  }

  async append(batch: EventBatch): Promise<void> {
    if (batch.length === 0) return;
    if (this.method === "copy") {
      await pipeline(Readable.from(batch.copyChunks()), this.client.query(copyFrom(`COPY ${this.name} (${COLUMN_LIST}) FROM STDIN`)));
    } else {
      const rows = batch.valueRows();
      const unnest = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
      await this.client.query(`INSERT INTO ${this.name} (${COLUMN_LIST}) SELECT * FROM unnest(${unnest})`, COLUMNS.map((_, i) => rows.map((r) => r[i])));
    }
  }

  /**
   * Inside the caller's transaction: inserts the staged events not stored yet (the stable event key is unique),
   * updates the host counters, and records this upload as a holder of the staged events another upload stored
   * first (so deleting that upload keeps them). Concurrent merges of overlapping files are safe: the unique key
   * makes the later one wait for the earlier one's commit, then count those events as duplicates.
   */
  async merge(uploadId: string): Promise<BatchResult> {
    // Merges run side by side; deleting an upload waits for them (and they for it), so that an event a merge counts
    // as a duplicate cannot be deleted under it before it records itself as a holder.
    await this.client.query("SELECT pg_advisory_xact_lock_shared(hashtext($1))", [EVENTS_MERGE_LOCK]);
    const { rows } = await this.client.query<{ staged: string; stored: string }>(
      `WITH inserted AS (
         INSERT INTO events (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${this.name} ORDER BY seq
         ON CONFLICT (event_key) DO NOTHING RETURNING ${INSERTED_COLUMNS}
       ), hosts_updated AS (${UPSERT_HOSTS} RETURNING 1)
       SELECT (SELECT count(*) FROM ${this.name}) AS staged, (SELECT count(*) FROM inserted) AS stored, (SELECT count(*) FROM hosts_updated)`,
    );
    const staged = Number(rows[0].staged);
    const stored = Number(rows[0].stored);
    if (stored < staged) {
      await this.client.query(
        `INSERT INTO event_holders (event_id, upload_id)
         SELECT DISTINCT e.id, $1::uuid FROM ${this.name} s JOIN events e ON e.event_key = s.event_key
         WHERE e.upload_id <> $1::uuid
         ON CONFLICT DO NOTHING`,
        [uploadId],
      );
    }
    return { stored, duplicates: staged - stored };
  }

  async drop(): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS ${this.name}`);
  }
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

  /** The batch as COPY text (method "copy"). */
  copyChunks(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  /** The batch as rows of values (method "unnest"). */
  valueRows(): (string | number | null)[][] {
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
    return await transactionOn(client, () => staging.merge(uploadId));
  } finally {
    await staging.drop().catch(() => {});
  }
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
