// Every format reader, by format name.
import type { InputFormat } from "./event";
import { evtxReader } from "./evtx";
import { textReaders } from "./formats";
import type { FormatReader } from "./parser";
import { withDataNotices } from "./catalogue/notice";

/**
 * The readers' version: raise it with any change to a reader (or to normalizing) that changes what the records of
 * some file become — an event read differently, a record rejected or accepted that was not. An upload is recognised
 * as an earlier one only if that one was read by the same version (reupload.ts); with a new version, the same file
 * uploaded again is read again, and stores what the readers now find.
 */
export const READERS_VERSION = 1;

/** Each reports, once per file, event data the catalogue could not name (catalogue/notice.ts). */
const READERS: FormatReader[] = [evtxReader, ...textReaders].map(withDataNotices);

export function readerForFormat(format: InputFormat): FormatReader {
  const reader = READERS.find((r) => r.format === format);
  if (!reader) throw new Error(`no reader for format '${format}'`);
  return reader;
}
