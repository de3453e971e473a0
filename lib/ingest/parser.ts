// What every input-format reader implements. The pipeline (lib/ingest/pipeline.ts) opens the file, undoes
// compression, sniffs the format (or takes the user's override) and pulls records from the matching reader.
import type { InputFormat, ParsedRecord } from "./event";
import { ingestLimits } from "./limits";

export interface ReaderProgress {
  /** Format-specific units: "chunks" for EVTX, "records" elsewhere. */
  unit: string;
  done: number;
  /** Known only when the format says it up front (EVTX chunk count). */
  total?: number;
}

export interface ReaderNotice {
  /** Where ("byte 65536 (chunk 0)"). */
  location: string;
  message: string;
  /**
   * A file's summary (given once, at its end: records without a channel, data left unnamed, invalid text): kept in
   * the report even after the cap on one-problem notices is reached.
   */
  summary?: true;
}

export interface ReadOptions {
  /** Largest single record accepted, in bytes; a larger one is rejected with its position. */
  maxRecordBytes: number;
  /** Called now and then with format-level progress. */
  onProgress?: (p: ReaderProgress) => void;
  /** A problem the reader worked around without losing a record (a CRC mismatch, a damaged chunk header...). */
  onNotice?: (notice: ReaderNotice) => void;
  /** Computer name for formats that do not carry it (Event Viewer CSV). */
  host?: string;
  /** Log name for formats that do not carry it and sources we cannot place (Event Viewer CSV). */
  channel?: string;
}

/** The configured record bound (limits.ts). */
export const DEFAULT_READ_OPTIONS: ReadOptions = { maxRecordBytes: ingestLimits().maxRecordBytes };

export interface FormatReader {
  format: InputFormat;
  /** Whether a file starting with these bytes (at most 64 KiB, compression already undone) is in this format. */
  sniff(head: Buffer): boolean;
  /**
   * Yields every record in file order: an event, or a rejection saying where and why. Throws InputFormatError
   * when the input is not this format at all, or is unreadable past recovery (with where it went wrong).
   */
  read(input: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<ParsedRecord>;
  /**
   * The same records as `read`, a chunk of the file at a time: one await per chunk rather than one per record, which
   * at tens of thousands of records a second is a good part of the time reading takes. The upload pipeline reads
   * this way. Callbacks (notices, progress) about a batch's records may come before the batch.
   */
  readBatches(input: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<ParsedRecord[]>;
}

/** `read` for a reader whose records come in batches. */
export async function* recordsOf(batches: AsyncIterable<ParsedRecord[]>): AsyncGenerator<ParsedRecord> {
  for await (const batch of batches) yield* batch;
}

/** `readBatches` for a reader whose records come one at a time: each is a batch of its own. */
export async function* batchesOf(records: AsyncIterable<ParsedRecord>): AsyncGenerator<ParsedRecord[]> {
  for await (const record of records) yield [record];
}

/**
 * The records of one chunk's items (`parse` may give null: nothing for that item), as one batch. Should an item
 * throw (a file-level error, such as a DTD inside a record), the records before it are delivered first, as reading
 * one record at a time would have delivered them.
 */
export function* batchOf<T>(items: readonly T[], parse: (item: T) => ParsedRecord | null): Generator<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  try {
    for (const item of items) {
      const record = parse(item);
      if (record) records.push(record);
    }
  } catch (e) {
    if (records.length) yield records;
    throw e;
  }
  if (records.length) yield records;
}
