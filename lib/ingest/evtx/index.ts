// Public API of the project's own EVTX (Windows XML Event Log) reader.
//
//   evtxReader                 the FormatReader the ingest pipeline uses (format "evtx")
//   readEvtxRecords(input)     lower level: every record ({recordId, time, xml, parts, chunkIndex, offset}) and
//                              every problem ({offset, chunkIndex, reason, lost}) in file order
//
// How problems surface through evtxReader:
//   * a problem that lost data (a record that could not be decoded, a cut-off record, an unreadable stretch of a
//     chunk) becomes a rejection: {ok:false, rejected:{position, location:"byte N (chunk C)", reason}};
//   * a problem that lost nothing (CRC32 mismatch, bad chunk signature whose records were all recovered, file cut
//     at a chunk boundary...) goes to the caller's `onNotice` (ReadOptions), and to `onProblem` (EvtxReadOptions);
//   * a record salvaged from a damaged size field (its event decoded whole) is stored, and flagged by a notice;
//   * records with an empty <Channel/> (logs converted from ETW) are stored with an empty channel (the one mapping,
//     formats/event-xml.ts), and readers.ts says so once per file;
//   * input that is not EVTX at all throws InputFormatError ("not an EVTX file: bad signature", at byte 0).
// Records are not deduplicated: both oracles (python-evtx, libevtx) yield every stored copy, and the samples hold
// no duplicate record ids; the database's event identity (identity.ts) stores a re-read record once anyway.
import type { ParsedRecord } from "../event";
import { rejectRecord } from "../formats/common";
import { normalizeEvent, RecordError } from "../normalize";
import { batchOf, recordsOf, type FormatReader, type ReadOptions } from "../parser";
import type { EvtxItem, EvtxProblem } from "./reader";
import { isEvtx, readEvtxBatches } from "./reader";

export { readEvtxRecords, readEvtxBatches, readChunk, isEvtx, parseFileHeader, CHUNK_SIZE, FILE_HEADER_SIZE } from "./reader";
export type { EvtxItem, EvtxRecord, EvtxProblem, EvtxIteratorOptions, EvtxFileHeader } from "./reader";

export interface EvtxReadOptions extends ReadOptions {
  /** Problems that lost no record (CRC mismatches and the like). */
  onProblem?: (problem: EvtxProblem) => void;
}

export function problemLocation(p: { offset: number; chunkIndex: number | null }): string {
  return p.chunkIndex === null ? `byte ${p.offset} (file header)` : `byte ${p.offset} (chunk ${p.chunkIndex})`;
}

/** The records of each chunk of the file, as one batch. */
async function* readEvtxRecordBatches(input: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<ParsedRecord[]> {
  const onProblem = (options as EvtxReadOptions).onProblem;
  const notice = (p: EvtxProblem) => {
    options.onNotice?.({ location: problemLocation(p), message: p.reason });
    onProblem?.(p);
  };
  let position = 0;
  const parse = (item: EvtxItem): ParsedRecord | null => {
    if (item.kind === "problem") {
      if (item.lost) return rejectRecord(++position, problemLocation(item), item.reason);
      notice(item);
      return null;
    }
    position++;
    const location = problemLocation(item);
    let parsed: ParsedRecord;
    try {
      parsed = { ok: true, event: normalizeEvent(item.parts, item.xml, "evtx", position) };
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      parsed = rejectRecord(position, location, `record ${item.recordId}: ${e.message}`, item.xml);
    }
    // A record salvaged from a damaged size field is kept, and flagged in the report.
    if (item.damage && parsed.ok) {
      options.onNotice?.({ location, message: `record ${item.recordId} (file record ${position}) salvaged: ${item.damage}, but its event decoded whole; check it` });
    }
    return parsed;
  };
  for await (const batch of readEvtxBatches(input, { maxRecordBytes: options.maxRecordBytes, onProgress: options.onProgress })) yield* batchOf(batch, parse);
}

export const evtxReader: FormatReader = {
  format: "evtx",
  sniff: (head: Buffer) => isEvtx(head),
  read: (input, options) => recordsOf(readEvtxRecordBatches(input, options)),
  readBatches: readEvtxRecordBatches,
};
