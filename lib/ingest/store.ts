// Bulk writes of normalized events. Each batch lands in one statement that skips events already stored
// (ON CONFLICT on the stable event key), so re-uploads and overlapping exports store each event once.
//  - Real Postgres: COPY into a session-local staging table, then INSERT … SELECT … ON CONFLICT DO NOTHING.
//  - Embedded PGlite: INSERT … SELECT FROM unnest(arrays) (COPY over its socket breaks the connection).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { NormalizedEvent, RejectedRecord } from "./event";
import { eventKey } from "./identity";

const COLUMNS = [
  ["event_key", "text"],
  ["upload_id", "uuid"],
  ["position", "int4"],
  ["time", "timestamptz"],
  ["time_created", "text"],
  ["host", "text"],
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
    clean(JSON.stringify(e.data)),
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

/** Bookkeeping that must happen in the same statement as the insert: host counters. */
const UPSERT_HOSTS = `
  INSERT INTO hosts (id, name, first_event, last_event, event_count)
  SELECT lower(host), min(host), min(time), max(time), count(*) FROM inserted GROUP BY lower(host)
  ON CONFLICT (id) DO UPDATE SET
    first_event = least(hosts.first_event, excluded.first_event),
    last_event = greatest(hosts.last_event, excluded.last_event),
    event_count = hosts.event_count + excluded.event_count`;

async function insertWithUnnest(client: pg.ClientBase, rows: (string | number | null)[][]): Promise<number> {
  const arrays = COLUMNS.map((_, i) => rows.map((r) => r[i]));
  const unnest = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const result = await client.query<{ n: string }>(
    `WITH inserted AS (
       INSERT INTO events (${COLUMN_LIST}) SELECT * FROM unnest(${unnest})
       ON CONFLICT (event_key) DO NOTHING RETURNING host, time
     ), hosts_updated AS (${UPSERT_HOSTS} RETURNING 1)
     SELECT (SELECT count(*) FROM inserted) AS n, (SELECT count(*) FROM hosts_updated)`,
    arrays,
  );
  return Number(result.rows[0].n);
}

function copyText(value: string | number | null): string {
  if (value === null) return "\\N";
  if (typeof value === "number") return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

async function insertWithCopy(client: pg.ClientBase, rows: (string | number | null)[][]): Promise<number> {
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS events_staging (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
  );
  await client.query("BEGIN");
  try {
    const lines = function* () {
      let buffer = "";
      for (const r of rows) {
        buffer += r.map(copyText).join("\t") + "\n";
        if (buffer.length > 1 << 16) {
          yield buffer;
          buffer = "";
        }
      }
      if (buffer) yield buffer;
    };
    await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY events_staging (${COLUMN_LIST}) FROM STDIN`)));
    const result = await client.query<{ n: string }>(
      `WITH inserted AS (
         INSERT INTO events (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM events_staging ORDER BY position
         ON CONFLICT (event_key) DO NOTHING RETURNING host, time
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

export interface BatchResult {
  stored: number;
  duplicates: number;
}

/** Stores a batch of events of one upload; returns how many were new and how many were already stored. */
export async function storeEvents(
  client: pg.ClientBase,
  uploadId: string,
  events: NormalizedEvent[],
  method: "copy" | "unnest",
): Promise<BatchResult> {
  if (events.length === 0) return { stored: 0, duplicates: 0 };
  const rows = events.map((e) => row(e, uploadId));
  const stored = method === "copy" ? await insertWithCopy(client, rows) : await insertWithUnnest(client, rows);
  return { stored, duplicates: events.length - stored };
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
