// Every format reader, by format name.
import type { InputFormat } from "./event";
import { evtxReader } from "./evtx";
import { textReaders } from "./formats";
import type { FormatReader } from "./parser";
import { withDataNotices } from "./catalogue/notice";

/** Each reports, once per file, event data the catalogue could not name (catalogue/notice.ts). */
const READERS: FormatReader[] = [evtxReader, ...textReaders].map(withDataNotices);

export function readerForFormat(format: InputFormat): FormatReader {
  const reader = READERS.find((r) => r.format === format);
  if (!reader) throw new Error(`no reader for format '${format}'`);
  return reader;
}
