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
}
