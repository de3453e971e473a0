// Re-uploads recognised before reading. A file whose bytes (SHA-256, recorded when it was received) an earlier upload
// still held already brought, read the same way (readers' version, format asked for, host and channel given: the
// rest of what its records become), would be read into the very same records: every one a duplicate of an event
// that upload holds, the same rejections, the same notices. So it is not read again. The ingest job (in its
// lease-checked transaction) makes it hold what that upload holds — one row, an alias (holding.ts), whatever the
// number of events — copies that upload's rejections, and reports what reading it would have:
// the same records read and rejected, every good record a duplicate, nothing stored.
import type pg from "pg";
import { execute, queryOne, sql } from "../db/sql";
import type { ReaderNotice } from "./parser";
import { READERS_VERSION } from "./readers";
import { holdAsAliasOf } from "./holding";
import { EVENTS_MERGE_LOCK } from "./store";

/** How an upload's file is read, as `uploads.read_as` records it: equal for two uploads only if they read alike. */
export function readAs(upload: { format: string | null; recordHost: string | null; recordChannel: string | null }): string {
  return JSON.stringify({ readers: READERS_VERSION, format: upload.format ?? "auto", host: upload.recordHost, channel: upload.recordChannel });
}

/** An earlier upload of the same bytes, read the same way, whose events are stored. */
export interface IdenticalUpload {
  id: string;
  filename: string;
  createdAt: Date;
  format: string | null;
  recordsRead: number;
  stored: number;
  duplicates: number;
  rejected: number;
  notices: unknown;
}

/**
 * The earliest upload other than `uploadId` with these bytes, read the same way, whose events are stored (its merge
 * committed: `detecting` or `done`) and none of them expired since; null if there is none. `only`: that upload, if
 * it still is one.
 */
export async function findIdenticalUpload(
  client: pg.ClientBase,
  uploadId: string,
  sha256: string,
  reading: string,
  only: string | null = null,
): Promise<IdenticalUpload | null> {
  const row = await queryOne<{
    id: string;
    filename: string;
    created_at: Date;
    format: string | null;
    records_read: number;
    stored: number;
    duplicates: number;
    rejected: number;
    notices: unknown;
  }>(
    sql`SELECT id, filename, created_at, format, records_read, stored, duplicates, rejected, notices FROM uploads
     WHERE sha256 = ${sha256} AND read_as = ${reading} AND status IN ('detecting', 'done') AND id <> ${uploadId}::uuid
       AND (${only}::uuid IS NULL OR id = ${only}::uuid)
       -- Retention dropped events since: that upload may no longer hold what reading the file would find.
       AND NOT EXISTS (SELECT 1 FROM event_expirations x WHERE x.dropped_at > uploads.created_at)
     ORDER BY created_at, id LIMIT 1`,
    client,
  );
  if (!row) return null;
  return {
    id: row.id,
    filename: row.filename,
    createdAt: row.created_at,
    format: row.format,
    recordsRead: row.records_read,
    stored: row.stored,
    duplicates: row.duplicates,
    rejected: row.rejected,
    notices: row.notices,
  };
}

/** The earlier upload was deleted (or changed) between being found and being held: read the file after all. */
export class IdenticalUploadGoneError extends Error {
  name = "IdenticalUploadGoneError";
}

/** The notice saying an upload was recognised; `recognised` marks it, so that a later recognition does not copy it. */
type RecognitionNotice = ReaderNotice & { recognised?: true };

/** What the upload's report says: the earlier upload's accounting, as reading the file again would give it. */
export interface AdoptedReport {
  recordsRead: number;
  stored: 0;
  duplicates: number;
  rejected: number;
  format: string | null;
  notices: RecognitionNotice[];
}

/**
 * Inside the caller's (lease-checked) transaction: makes `uploadId` hold every event `found` (findIdenticalUpload)
 * holds (as its alias) and copies its rejections; returns the report to record. Throws IdenticalUploadGoneError (the caller rolls
 * back and reads the file) if `found` no longer holds its events once the merge lock is held.
 */
export async function adoptIdenticalUpload(
  client: pg.ClientBase,
  uploadId: string,
  found: IdenticalUpload,
  sha256: string,
  reading: string,
): Promise<AdoptedReport> {
  // The merge lock first (shared, as a merge takes it), then the check: an upload deleted before it was taken is seen
  // gone here; one deleted after waits for this transaction, and then passes its events to this upload.
  await execute(sql`SELECT pg_advisory_xact_lock_shared(hashtext(${EVENTS_MERGE_LOCK}))`, client);
  const earlier = await findIdenticalUpload(client, uploadId, sha256, reading, found.id);
  if (!earlier) throw new IdenticalUploadGoneError(`the upload '${found.filename}' went before this one could be recognised as identical to it`);
  await holdAsAliasOf(client, uploadId, earlier.id);
  await execute(
    sql`INSERT INTO upload_rejections (upload_id, position, location, reason, excerpt)
     SELECT ${uploadId}::uuid, position, location, reason, excerpt FROM upload_rejections WHERE upload_id = ${earlier.id}::uuid ORDER BY id`,
    client,
  );
  const when = `${earlier.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const recognition: RecognitionNotice = {
    location: "the whole file",
    message:
      `identical to the upload '${earlier.filename}' of ${when} (the same bytes, read the same way): not read again; ` +
      `its records are reported as that upload's were, every event already stored`,
    summary: true,
    recognised: true,
  };
  const copied = (Array.isArray(earlier.notices) ? (earlier.notices as RecognitionNotice[]) : []).filter((n) => !n.recognised);
  return {
    recordsRead: earlier.recordsRead,
    stored: 0,
    duplicates: earlier.stored + earlier.duplicates,
    rejected: earlier.rejected,
    format: earlier.format,
    notices: [recognition, ...copied],
  };
}
