// One log file (or archive) -> its records, in order, whatever the format: decompression, format sniffing
// (or the user's override) and the matching reader. Shared by the upload pipeline and `iiswatch parse`.
import { InputFormatError, type InputFormat, type ParsedRecord } from "./event";
import { detectFormat, openInputs, peek, SNIFF_BYTES } from "./input";
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

export interface ReadFileOptions {
  format?: InputFormat;
  /** Computer and log name for records that do not carry them (Event Viewer CSV). */
  host?: string;
  channel?: string;
  /** Bytes of the file itself (compressed) consumed so far. */
  onFileBytes?: (n: number) => void;
  onReaderProgress?: (p: ReaderProgress & { member: string }) => void;
  /** Problems a reader worked around without losing a record, located within their member. */
  onNotice?: (notice: ReaderNotice) => void;
}

export async function* readLogFile(filePath: string, options: ReadFileOptions = {}): AsyncGenerator<FileRecord> {
  const limits = ingestLimits();
  const members = openInputs(filePath, {
    maxUncompressedBytes: limits.maxUncompressedBytes,
    maxRatio: limits.maxCompressionRatio,
    onCompressedBytes: options.onFileBytes,
  });
  let records = 0;
  for await (const member of members) {
    const { head, stream } = await peek(member.stream, SNIFF_BYTES);
    if (head.length === 0) continue;
    const format = options.format ?? detectFormat(head, member.name);
    const reader = readerForFormat(format);
    const records$ = reader.read(stream, {
      maxRecordBytes: limits.maxRecordBytes,
      host: options.host,
      channel: options.channel,
      onProgress: (p) => options.onReaderProgress?.({ ...p, member: member.name }),
      onNotice: (n) => options.onNotice?.(member.isArchiveMember ? { ...n, location: `${member.name}: ${n.location}` } : n),
    });
    for await (const record of records$) {
      records++;
      yield { member: member.name, isArchiveMember: member.isArchiveMember, format, record };
    }
  }
  if (records === 0) throw new InputFormatError("the file holds no event records");
}
