// The ingest pipeline for one uploaded file:
//   spooled file -> decompression (gz / zip members) -> format sniffing (or the user's override)
//   -> format reader (records) -> normalized events -> batched bulk writes (deduplicated) -> upload report.
//
// Batches are committed as they go, so the dashboard stays responsive and memory stays bounded. If the file
// fails part-way (unreadable, too large, server stopped), the events this upload added are removed again and
// the upload is marked failed: an upload either lands whole or leaves nothing behind but its report.
import fs from "node:fs";
import type pg from "pg";
import { isEmbeddedServer, pgPool } from "../db/pg";
import type { InputFormat, RejectedRecord } from "./event";
import type { ReaderNotice, ReaderProgress } from "./parser";
import { readLogFile } from "./read-file";
import { IIS_CONFIGURATION_CHANNEL } from "./splunk-fields";
import { EventBatch, storeRejections } from "./store";

export interface UploadProgress {
  bytesProcessed: number;
  recordsRead: number;
  stored: number;
  duplicates: number;
  rejected: number;
  /** Problems the readers worked around without losing a record (the first MAX_NOTICES). */
  notices: ReaderNotice[];
  /** Format-level progress of the member being read (EVTX: chunks done / total). */
  reader?: ReaderProgress & { member: string };
}

export interface ProcessOptions {
  /** Skip sniffing and read every member as this format. */
  format?: InputFormat;
  /** Computer and log name for records that do not carry them (Event Viewer CSV). */
  host?: string;
  channel?: string;
  batchSize?: number;
  onProgress?: (p: UploadProgress) => void;
}

/** How many worked-around problems an upload report keeps. */
export const MAX_NOTICES = 200;

async function updateCounters(client: pg.ClientBase, uploadId: string, p: UploadProgress) {
  await client.query(
    `UPDATE uploads SET bytes_processed = $2, records_read = $3, stored = $4, duplicates = $5, rejected = $6, notices = $7 WHERE id = $1`,
    [uploadId, p.bytesProcessed, p.recordsRead, p.stored, p.duplicates, p.rejected, JSON.stringify(p.notices)],
  );
}

/** Removes what a failed upload added, and recomputes the counters of the hosts it touched. */
export async function removeUploadEvents(client: pg.ClientBase, uploadId: string): Promise<void> {
  await client.query(
    `WITH gone AS (DELETE FROM events WHERE upload_id = $1 RETURNING host_id AS id),
          touched AS (SELECT DISTINCT id FROM gone)
     UPDATE hosts h SET event_count = s.n, first_event = s.first, last_event = s.last, iis_config_events = s.iis
     FROM touched t
     CROSS JOIN LATERAL (SELECT count(*) AS n, min(time) AS first, max(time) AS last,
                                count(*) FILTER (WHERE lower(e.channel) = lower($2)) AS iis
                         FROM events e WHERE e.host_id = t.id AND e.upload_id <> $1) s
     WHERE h.id = t.id`,
    [uploadId, IIS_CONFIGURATION_CHANNEL],
  );
  await client.query(`DELETE FROM hosts WHERE event_count = 0`);
}

/**
 * VACUUM (ANALYZE) the events table once an upload is over. It marks the pages the upload filled all-visible, so
 * that the host views' index-only scans (host_id, time, event_code) need not visit the table for recent events;
 * it reclaims what a failed upload left behind; and it refreshes the planner's statistics. Autovacuum would get
 * there too, but only once a fifth of the table is new. Outside any transaction, after the upload's report.
 */
export async function tidyEventsTable(): Promise<void> {
  await pgPool().query("VACUUM (ANALYZE) events");
}

export async function processUpload(uploadId: string, filePath: string, options: ProcessOptions = {}): Promise<UploadProgress> {
  const batchSize = options.batchSize ?? 5000;
  const client = await pgPool().connect();
  const method = (await isEmbeddedServer()) ? "unnest" : "copy";
  const progress: UploadProgress = { bytesProcessed: 0, recordsRead: 0, stored: 0, duplicates: 0, rejected: 0, notices: [] };
  const report = () => options.onProgress?.({ ...progress });
  // A batch is written while the next one is read: the database works on one, Node on the other. `writing` is
  // the batch in flight (at most one: the connection serves one at a time).
  let writing: Promise<void> | null = null;
  try {
    const { size } = await fs.promises.stat(filePath);
    await client.query(`UPDATE uploads SET status = 'processing', started_at = now(), size_bytes = $2, error = NULL WHERE id = $1`, [uploadId, size]);
    if (method === "copy") {
      // Batch commits need not wait for their WAL flush: a server crash could lose the last moments of an
      // upload still in progress, never corrupt anything, and the closing status update below is durable again
      // (which also makes every earlier commit durable). Embedded PGlite has no such setting worth changing.
      await client.query("SET synchronous_commit = off");
    }

    let events = new EventBatch(uploadId, method);
    let rejections: RejectedRecord[] = [];
    let lastHadDuplicates = false;
    const write = async (batchEvents: EventBatch, batchRejections: RejectedRecord[]) => {
      const batch = await batchEvents.store(client, { expectDuplicates: lastHadDuplicates });
      await storeRejections(client, uploadId, batchRejections);
      lastHadDuplicates = batch.duplicates > 0;
      progress.stored += batch.stored;
      progress.duplicates += batch.duplicates;
      await updateCounters(client, uploadId, progress);
      report();
    };
    const flush = async () => {
      if (writing) await writing;
      writing = write(events, rejections);
      // Its failure is taken up where it is awaited (the next flush, or the end); until then it is not unhandled.
      writing.catch(() => {});
      events = new EventBatch(uploadId, method);
      rejections = [];
    };

    const formats = new Set<InputFormat>();
    const records = readLogFile(filePath, {
      format: options.format,
      host: options.host,
      channel: options.channel,
      onFileBytes: (n) => {
        progress.bytesProcessed += n;
      },
      onReaderProgress: (p) => {
        progress.reader = p;
      },
      onNotice: (n) => {
        if (progress.notices.length < MAX_NOTICES) progress.notices.push(n);
      },
    });
    for await (const { member, isArchiveMember, format, record } of records) {
      formats.add(format);
      progress.recordsRead++;
      if (record.ok) {
        events.add(record.event);
      } else {
        progress.rejected++;
        const where = record.rejected.location ?? `record ${record.rejected.position}`;
        rejections.push({ ...record.rejected, location: isArchiveMember ? `${member}: ${where}` : where });
      }
      if (events.length + rejections.length >= batchSize) await flush();
    }
    await flush();
    await writing;
    writing = null;
    if (method === "copy") await client.query("RESET synchronous_commit");
    await client.query(`UPDATE uploads SET status = 'done', finished_at = now(), format = $2 WHERE id = $1`, [
      uploadId,
      [...formats].join("+"),
    ]);
    return progress;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // Let a batch still being written finish (or fail) first: its statements and ours share the connection.
    await (writing as Promise<void> | null)?.catch(() => {});
    if (method === "copy") await client.query("RESET synchronous_commit").catch(() => {});
    await removeUploadEvents(client, uploadId);
    await client.query(`UPDATE uploads SET status = 'failed', finished_at = now(), error = $2, stored = 0 WHERE id = $1`, [
      uploadId,
      message.slice(0, 2000),
    ]);
    throw e;
  } finally {
    client.release();
  }
}
