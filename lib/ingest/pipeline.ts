// Reading one uploaded file into a staging table:
//   spooled file -> decompression (gz / zip members) -> format sniffing (or the user's override)
//   -> format reader (records) -> normalized events -> batches appended to the upload's staging table.
//
// Batches are written as they go, so memory stays bounded; the upload's counters and rejected records are
// recorded as they go too, so its page shows progress. Nothing reaches `events` here: the ingest job merges the
// staging table in one transaction once the whole file has been read (ingest-job.ts).
import fs from "node:fs";
import type pg from "pg";
import { execute, sql } from "../db/sql";
import type { InputFormat, RejectedRecord } from "./event";
import type { ReaderNotice, ReaderProgress } from "./parser";
import { readLogFileBatches } from "./read-file";
import { EventBatch, storeRejections, type StagingTable } from "./store";

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
  /** The uploaded file's name, which messages give (the spooled file is named by the upload's id). */
  name?: string;
  /** Skip sniffing and read every member as this format. */
  format?: InputFormat;
  /** Computer and log name for records that do not carry them (Event Viewer CSV). */
  host?: string;
  channel?: string;
  batchSize?: number;
  /** Stops reading between batches (the worker is stopping, or lost its lease). */
  signal?: AbortSignal;
}

/** How many worked-around problems an upload report keeps. */
export const MAX_NOTICES = 200;

async function updateCounters(client: pg.ClientBase, uploadId: string, p: UploadProgress) {
  await execute(
    sql`UPDATE uploads SET bytes_processed = ${p.bytesProcessed}, records_read = ${p.recordsRead}, rejected = ${p.rejected},
          notices = ${JSON.stringify(p.notices)}, reader_progress = ${p.reader ? JSON.stringify(p.reader) : null}
        WHERE id = ${uploadId}`,
    client,
  );
}

/**
 * Reads a spooled file into `staging` (on its connection), recording progress and rejected records on the upload.
 * Returns the final counters (stored and duplicates are the merge's to count) and the formats seen. Throws the
 * reader's error for a file that cannot be read, or the signal's reason when aborted.
 */
export async function stageUpload(
  staging: StagingTable,
  uploadId: string,
  filePath: string,
  options: ProcessOptions = {},
): Promise<{ progress: UploadProgress; formats: string[] }> {
  const client = staging.client;
  const batchSize = options.batchSize ?? 5000;
  const progress: UploadProgress = { bytesProcessed: 0, recordsRead: 0, stored: 0, duplicates: 0, rejected: 0, notices: [] };
  const { size } = await fs.promises.stat(filePath);
  await execute(sql`UPDATE uploads SET size_bytes = ${size} WHERE id = ${uploadId}`, client);
  let events = new EventBatch(uploadId, staging.method);
  let rejections: RejectedRecord[] = [];
  // A batch is written while the next one is read: the database works on one, Node on the other. `writing` is
  // the batch in flight (at most one: the connection serves one at a time).
  let writing: Promise<void> | null = null;
  const write = async (batch: EventBatch, batchRejections: RejectedRecord[]) => {
    await staging.append(batch);
    await storeRejections(client, uploadId, batchRejections);
    await updateCounters(client, uploadId, progress);
  };
  const flush = async () => {
    if (writing) await writing;
    options.signal?.throwIfAborted();
    writing = write(events, rejections);
    // Its failure is taken up where it is awaited (the next flush, or the end); until then it is not unhandled.
    writing.catch(() => {});
    events = new EventBatch(uploadId, staging.method);
    rejections = [];
  };
  try {
    const formats = new Set<InputFormat>();
    const batches = readLogFileBatches(filePath, {
      name: options.name,
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
        // One-problem notices up to the cap; a file's summaries come at its end and are kept past it (bounded too).
        const kept = progress.notices.filter((k) => Boolean(k.summary) === Boolean(n.summary)).length;
        if (kept < MAX_NOTICES) progress.notices.push(n);
      },
    });
    for await (const { member, isArchiveMember, format, records } of batches) {
      formats.add(format);
      for (const record of records) {
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
    }
    await flush();
    await writing;
    writing = null;
    return { progress, formats: [...formats] };
  } finally {
    // Let a batch still being written finish (or fail) first: its statements and the caller's share the connection.
    await (writing as Promise<void> | null)?.catch(() => {});
  }
}
