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
import type { InputFormat, NormalizedEvent, RejectedRecord } from "./event";
import type { ReaderProgress } from "./parser";
import { readLogFile } from "./read-file";
import { storeEvents, storeRejections } from "./store";

export interface UploadProgress {
  bytesProcessed: number;
  recordsRead: number;
  stored: number;
  duplicates: number;
  rejected: number;
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

async function updateCounters(client: pg.ClientBase, uploadId: string, p: UploadProgress) {
  await client.query(
    `UPDATE uploads SET bytes_processed = $2, records_read = $3, stored = $4, duplicates = $5, rejected = $6 WHERE id = $1`,
    [uploadId, p.bytesProcessed, p.recordsRead, p.stored, p.duplicates, p.rejected],
  );
}

/** Removes what a failed upload added, and recomputes the counters of the hosts it touched. */
export async function removeUploadEvents(client: pg.ClientBase, uploadId: string): Promise<void> {
  await client.query(
    `WITH gone AS (DELETE FROM events WHERE upload_id = $1 RETURNING lower(host) AS id),
          touched AS (SELECT DISTINCT id FROM gone)
     UPDATE hosts h SET event_count = s.n, first_event = s.first, last_event = s.last
     FROM touched t
     CROSS JOIN LATERAL (SELECT count(*) AS n, min(time) AS first, max(time) AS last
                         FROM events e WHERE lower(e.host) = t.id AND e.upload_id <> $1) s
     WHERE h.id = t.id`,
    [uploadId],
  );
  await client.query(`DELETE FROM hosts WHERE event_count = 0`);
}

export async function processUpload(uploadId: string, filePath: string, options: ProcessOptions = {}): Promise<UploadProgress> {
  const batchSize = options.batchSize ?? 5000;
  const client = await pgPool().connect();
  const method = (await isEmbeddedServer()) ? "unnest" : "copy";
  const progress: UploadProgress = { bytesProcessed: 0, recordsRead: 0, stored: 0, duplicates: 0, rejected: 0 };
  const report = () => options.onProgress?.({ ...progress });
  try {
    const { size } = await fs.promises.stat(filePath);
    await client.query(`UPDATE uploads SET status = 'processing', started_at = now(), size_bytes = $2, error = NULL WHERE id = $1`, [uploadId, size]);

    let events: NormalizedEvent[] = [];
    let rejections: RejectedRecord[] = [];
    const flush = async () => {
      const batch = await storeEvents(client, uploadId, events, method);
      await storeRejections(client, uploadId, rejections);
      progress.stored += batch.stored;
      progress.duplicates += batch.duplicates;
      events = [];
      rejections = [];
      await updateCounters(client, uploadId, progress);
      report();
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
    });
    for await (const { member, isArchiveMember, format, record } of records) {
      formats.add(format);
      progress.recordsRead++;
      if (record.ok) {
        events.push(record.event);
      } else {
        progress.rejected++;
        const where = record.rejected.location ?? `record ${record.rejected.position}`;
        rejections.push({ ...record.rejected, location: isArchiveMember ? `${member}: ${where}` : where });
      }
      if (events.length + rejections.length >= batchSize) await flush();
    }
    await flush();
    await client.query(`UPDATE uploads SET status = 'done', finished_at = now(), format = $2 WHERE id = $1`, [
      uploadId,
      [...formats].join("+"),
    ]);
    return progress;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
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
