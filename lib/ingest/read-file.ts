// One log file (or archive) -> its records, in order, whatever the format: decompression, format sniffing
// (or the user's override) and the matching reader. Shared by the upload pipeline and `iiswatch parse`.
//
// Messages name the file as the user knows it (`name`: the uploaded file's name, never the spooled copy's internal
// id) and, for an archive, the member. What decoding replaced in a text file (invalid UTF-8 stored as U+FFFD) is one
// notice per member, at its end, with the places listed (input/text.ts TextReport).
import path from "node:path";
import { InputFormatError, type InputFormat, type ParsedRecord } from "./event";
import { detectFormat, openInputs, peek, SNIFF_BYTES } from "./input";
import { TextReport, withTextReport } from "./input/text";
import { ingestLimits } from "./limits";
import type { ReaderNotice, ReaderProgress } from "./parser";
import { readerForFormat } from "./readers";

export interface FileRecord {
  /** Archive member name, or the file's own name. */
  member: string;
  isArchiveMember: boolean;
  format: InputFormat;
  record: ParsedRecord;
}

/** Records of one member, in order: what one chunk of it held (see FormatReader.readBatches). */
export interface FileRecordBatch {
  member: string;
  isArchiveMember: boolean;
  format: InputFormat;
  records: ParsedRecord[];
}

export interface ReadFileOptions {
  format?: InputFormat;
  /** The file's name in messages (default: the path's last part): the uploaded name of a spooled upload. */
  name?: string;
  /** Computer and log name for records that do not carry them (Event Viewer CSV). */
  host?: string;
  channel?: string;
  /** Bytes of the file itself (compressed) consumed so far. */
  onFileBytes?: (n: number) => void;
  onReaderProgress?: (p: ReaderProgress & { member: string }) => void;
  /** Problems a reader worked around without losing a record, located within their member. */
  onNotice?: (notice: ReaderNotice) => void;
}

/** The error, with the archive member it happened in at the front of its message. */
function inMember(e: InputFormatError, member: string): InputFormatError {
  const suffix = e.location ? ` (at ${e.location})` : "";
  const message = suffix && e.message.endsWith(suffix) ? e.message.slice(0, -suffix.length) : e.message;
  return message.includes(`'${member}'`) ? e : new InputFormatError(`'${member}': ${message}`, e.location);
}

/** Every record of a file, one at a time. */
export async function* readLogFile(filePath: string, options: ReadFileOptions = {}): AsyncGenerator<FileRecord> {
  for await (const { member, isArchiveMember, format, records } of readLogFileBatches(filePath, options)) {
    for (const record of records) yield { member, isArchiveMember, format, record };
  }
}

/** Every record of a file, a batch at a time: the upload pipeline's way, one await per chunk of the file. */
export async function* readLogFileBatches(filePath: string, options: ReadFileOptions = {}): AsyncGenerator<FileRecordBatch> {
  const limits = ingestLimits();
  const name = options.name || path.basename(filePath);
  const members = openInputs(filePath, {
    name,
    maxUncompressedBytes: limits.maxUncompressedBytes,
    maxRatio: limits.maxCompressionRatio,
    onCompressedBytes: options.onFileBytes,
  });
  let records = 0;
  for await (const member of members) {
    const { head, stream } = await peek(member.stream, SNIFF_BYTES);
    if (head.length === 0) continue;
    const locate = (n: ReaderNotice): ReaderNotice => (member.isArchiveMember ? { ...n, location: `${member.name}: ${n.location}` } : n);
    const text = new TextReport();
    try {
      const format = options.format ?? detectFormat(head, member.name);
      const reader = readerForFormat(format);
      const batches = reader.readBatches(withTextReport(stream, text), {
        maxRecordBytes: limits.maxRecordBytes,
        host: options.host,
        channel: options.channel,
        onProgress: (p) => options.onReaderProgress?.({ ...p, member: member.name }),
        onNotice: (n) => options.onNotice?.(locate(n)),
      });
      for await (const batch of batches) {
        records += batch.length;
        yield { member: member.name, isArchiveMember: member.isArchiveMember, format, records: batch };
      }
    } catch (e) {
      throw e instanceof InputFormatError && member.isArchiveMember ? inMember(e, member.name) : e;
    } finally {
      for (const n of text.notices()) options.onNotice?.(locate(n));
    }
  }
  if (records === 0) throw new InputFormatError(`'${name}' holds no event records`);
}
