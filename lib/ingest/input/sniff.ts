// Format detection from the first bytes of a file (compression already undone).
import { InputFormatError, type InputFormat } from "../event";
import { isEvtx } from "../evtx/reader";
import { textReaders } from "../formats";
import { decodeHead, findBinaryByte } from "./text";

/** How many bytes of a file the sniffers want to see. */
export const SNIFF_BYTES = 64 * 1024;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** The format of a file from its head, or null when no reader recognises it. */
export function sniffFormat(head: Buffer): InputFormat | null {
  if (isEvtx(head)) return "evtx";
  for (const reader of textReaders) if (reader.sniff(head)) return reader.format;
  return null;
}

/**
 * Like sniffFormat, but says why a file is refused: InputFormatError for binary data (with the offset of the
 * first byte that cannot be text), an archive that was not unpacked, an empty file, or text in no known layout.
 */
export function detectFormat(head: Buffer, name?: string): InputFormat {
  const what = name ? `'${name}'` : "the file";
  const format = sniffFormat(head);
  if (format) return format;
  if (head.length === 0) throw new InputFormatError(`${what} is empty`);
  if (head.subarray(0, 2).equals(GZIP_MAGIC) || head.subarray(0, 4).equals(ZIP_MAGIC)) {
    throw new InputFormatError(`${what} is a compressed archive: open it with openInputs first`, "byte 0");
  }
  const binary = findBinaryByte(head);
  if (binary >= 0) {
    throw new InputFormatError(
      `not a Windows event log: ${what} holds binary data (byte 0x${head[binary].toString(16).padStart(2, "0")}) and is not EVTX`,
      `byte ${binary}`,
    );
  }
  const firstLine = decodeHead(head.subarray(0, 4096)).replace(/^\s+/, "").split(/\r?\n/, 1)[0].slice(0, 80);
  throw new InputFormatError(
    `not a Windows event log: ${what} is not EVTX, event XML, Splunk classic WinEventLog text, event JSON or an event CSV export (it starts with ${JSON.stringify(firstLine)})`,
    "byte 0",
  );
}
