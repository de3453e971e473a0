// Text decoding for the text formats (XML, classic, JSON, CSV): byte-order-mark detection (UTF-8, UTF-16LE,
// UTF-16BE; UTF-16 without a BOM is recognised by its zero bytes), chunk-boundary-safe decoding that replaces
// invalid bytes with a visible U+FFFD and says where (TextReport), rejection of binary data (NUL and control bytes
// throughout; a NUL in one record only costs that record), and a line splitter that never buffers a line past a
// limit.
import { StringDecoder } from "node:string_decoder";
import { InputFormatError } from "../event";
import type { ReaderNotice } from "../parser";

export type TextEncoding = "utf8" | "utf16le" | "utf16be";

export interface EncodingInfo {
  encoding: TextEncoding;
  /** Bytes of byte-order mark at the start of the file (0, 2 or 3). */
  bomLength: number;
}

/** The encoding of a file from its first bytes: the BOM, else UTF-16 by its zero bytes, else UTF-8. */
export function detectEncoding(head: Uint8Array): EncodingInfo {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: "utf8", bomLength: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf16le", bomLength: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf16be", bomLength: 2 };
  if (head.length >= 4) {
    // ASCII text in UTF-16 has a zero byte in every other position.
    if (head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0) return { encoding: "utf16le", bomLength: 0 };
    if (head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0) return { encoding: "utf16be", bomLength: 0 };
  }
  return { encoding: "utf8", bomLength: 0 };
}

/** Incremental decoder that keeps multi-byte sequences split across chunks intact. */
export class ChunkDecoder {
  private readonly decoder: StringDecoder;
  private odd: number | null = null;

  constructor(readonly encoding: TextEncoding) {
    this.decoder = new StringDecoder(encoding === "utf8" ? "utf8" : "utf16le");
  }

  write(chunk: Uint8Array): string {
    if (this.encoding !== "utf16be") return this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    // Big-endian: swap each byte pair and decode as little-endian, carrying an odd byte to the next chunk.
    const bytes = this.odd === null ? Buffer.from(chunk) : Buffer.concat([Buffer.from([this.odd]), chunk]);
    const even = bytes.length - (bytes.length % 2);
    this.odd = bytes.length % 2 ? bytes[bytes.length - 1] : null;
    const swapped = Buffer.from(bytes.subarray(0, even));
    swapped.swap16();
    return this.decoder.write(swapped);
  }

  end(): string {
    return this.decoder.end();
  }
}

/** Decodes the head of a file (at most a few KiB, possibly cut mid-character) for sniffing, BOM removed. */
export function decodeHead(head: Uint8Array): string {
  const { encoding, bomLength } = detectEncoding(head);
  const decoder = new ChunkDecoder(encoding);
  return decoder.write(head.subarray(bomLength));
}

/**
 * Byte offset of the first byte that cannot be in a text log (NUL, or a C0 control other than tab, CR, LF,
 * form feed and escape), or -1. Used on the head of a file to reject binary data early.
 */
export function findBinaryByte(head: Uint8Array): number {
  const { encoding, bomLength } = detectEncoding(head);
  const isBinary = (c: number) => c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b;
  if (encoding === "utf8") {
    for (let i = bomLength; i < head.length; i++) if (isBinary(head[i])) return i;
    return -1;
  }
  const text = new ChunkDecoder(encoding).write(head.subarray(bomLength));
  for (let i = 0; i < text.length; i++) if (isBinary(text.charCodeAt(i))) return bomLength + 2 * i;
  return -1;
}

/**
 * What decoding a text file found that its upload report should say: the places where bytes that are not valid text
 * in the file's encoding (invalid UTF-8, a lone UTF-16 surrogate, an odd trailing byte) were replaced by U+FFFD, so
 * that the stored text shows where it was damaged, and how many NUL bytes were passed on to the readers (each
 * rejects the record holding one). Hand it to decodeText by wrapping its input with `withTextReport`.
 */
export class TextReport {
  /** The first places replaced (byte offset in the file's decoded data, 1-based line). */
  readonly replaced: { byte: number; line: number }[] = [];
  /** How many places were replaced in all. */
  replacedCount = 0;
  /** NUL bytes (characters) met in the text. */
  nulCount = 0;
  encoding: TextEncoding | null = null;

  constructor(readonly maxListed = 20) {}

  addReplaced(byte: number, line: number): void {
    this.replacedCount++;
    if (this.replaced.length < this.maxListed) this.replaced.push({ byte, line });
  }

  /** The report's notices: one for all the replaced places (the first `maxListed` listed), none when there were none. */
  notices(): ReaderNotice[] {
    if (this.replacedCount === 0) return [];
    const what = this.encoding === "utf8" || this.encoding === null ? "invalid UTF-8" : `invalid ${this.encoding === "utf16le" ? "UTF-16LE" : "UTF-16BE"}`;
    const places = this.replaced.map((r) => `line ${r.line} (byte ${r.byte})`).join(", ");
    const more = this.replacedCount > this.replaced.length ? `, and ${this.replacedCount - this.replaced.length} more` : "";
    const first = this.replaced[0];
    return [
      {
        location: `line ${first.line} (byte ${first.byte})`,
        summary: true,
        message:
          `${what} in ${this.replacedCount} place${this.replacedCount === 1 ? "" : "s"}, stored as U+FFFD (\uFFFD) so the damage stays visible: ` +
          `${places}${more}`,
      },
    ];
  }
}

const TEXT_REPORT = Symbol("iiswatch.textReport");

type Reported = AsyncIterable<Uint8Array> & { [TEXT_REPORT]?: TextReport };

/**
 * The same byte stream, carrying a TextReport that decodeText fills in. The format readers take a plain stream and
 * call decodeText on it; this is how the caller of a reader (read-file.ts) learns what decoding replaced without
 * every reader passing it along.
 */
export function withTextReport<T extends Uint8Array>(input: AsyncIterable<T>, report: TextReport): AsyncIterable<T> {
  const wrapped: AsyncIterable<T> & { [TEXT_REPORT]: TextReport } = {
    [Symbol.asyncIterator]: () => input[Symbol.asyncIterator](),
    [TEXT_REPORT]: report,
  };
  return wrapped;
}

/**
 * Binary data rather than text with a few damaged records: NUL runs and other C0 control bytes (each NUL run counts
 * once, so a zero-filled block left by a crash is one) make up more than 1 byte in 64 of what was decoded so far, at
 * least 16 of them. Text with a NUL in a record or two goes on: the readers reject just those records.
 */
const BINARY_MIN = 16;
const BINARY_DENSITY = 64;

const binaryError = (offset: number) =>
  new InputFormatError("binary data where text was expected (NUL and control bytes throughout): not a text event log", `byte ${offset}`);

const isControl = (c: number) => c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b && c !== 0;

/**
 * Walks UTF-8 bytes, calling `onInvalid(start, length)` for each maximal invalid subsequence (each becomes one
 * U+FFFD, as the decoder replaces it). Returns where a sequence cut off by the end of `b` starts (b.length if none).
 */
export function scanUtf8(b: Uint8Array, onInvalid: (start: number, length: number) => void): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else {
      onInvalid(i, 1);
      i++;
      continue;
    }
    let k = 1;
    while (k <= need && i + k < n) {
      const d = b[i + k];
      if (d < lo || d > hi) break;
      lo = 0x80;
      hi = 0xbf;
      k++;
    }
    if (k === need + 1) {
      i += k;
      continue;
    }
    if (i + k >= n) return i; // cut off: the next bytes decide
    onInvalid(i, k);
    i += k;
  }
  return n;
}

const EMPTY = Buffer.alloc(0);

/**
 * Where a UTF-8 character cut off by the end of `b` starts (a lead byte and the valid continuation bytes that follow
 * it, too few), or b.length when the last character is complete (or invalid anyway).
 */
function incompleteTail(b: Buffer): number {
  const n = b.length;
  for (let j = n - 1; j >= 0 && j >= n - 3; j--) {
    const c = b[j];
    if (c < 0x80) return n;
    if (c < 0xc0) continue; // a continuation byte: look for its lead
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0 || j + need < n) return n;
    // Continuation bytes after the lead must be valid for it (the second byte's range depends on the lead).
    for (let k = j + 1; k < n; k++) {
      const d = b[k];
      let lo = 0x80;
      let hi = 0xbf;
      if (k === j + 1) {
        if (c === 0xe0) lo = 0xa0;
        else if (c === 0xed) hi = 0x9f;
        else if (c === 0xf0) lo = 0x90;
        else if (c === 0xf4) hi = 0x8f;
      }
      if (d < lo || d > hi) return n;
    }
    return j;
  }
  return n;
}

function countNewlines(buf: Buffer, from = 0, to = buf.length): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i >= 0 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

function countNewlinesText(text: string, to = text.length): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** ES2024 string methods (Node >= 20), not in this project's TypeScript lib. */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Decoding state of one file once its encoding is known. */
class TextStream {
  private readonly decoder: ChunkDecoder;
  /** UTF-8: file offset of the next byte. UTF-16: bytes written so far, BOM included. */
  private byteOffset: number;
  /** UTF-16: code units decoded so far. */
  private charOffset = 0;
  /** Line feeds decoded so far (counted only for a report). */
  private newlines = 0;
  /** UTF-8: the first bytes of a character that the last chunk cut off. */
  private carry: Buffer = EMPTY;
  /** NUL runs and control bytes met from the first chunk holding a NUL on (see BINARY_DENSITY). */
  private suspicious = 0;
  private firstNul = -1;
  private lastWasNul = false;
  /** UTF-16: a high surrogate that ended the last chunk, waiting for its pair. */
  private highSurrogate = "";

  constructor(
    readonly encoding: TextEncoding,
    private readonly bomLength: number,
    private readonly report: TextReport | undefined,
  ) {
    this.decoder = new ChunkDecoder(encoding);
    this.byteOffset = bomLength;
    if (report) report.encoding = encoding;
  }

  decode(bytes: Uint8Array): string {
    return this.encoding === "utf8" ? this.decodeUtf8(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) : this.decodeUtf16(bytes);
  }

  private decodeUtf8(buf: Buffer): string {
    // Control bytes are counted from the chunk of the first NUL on: text without a NUL pays for one indexOf.
    const nul = buf.indexOf(0);
    if (nul >= 0 || this.firstNul >= 0) {
      let runs = 0;
      let controls = 0;
      let nuls = 0;
      for (let i = 0; i < buf.length; i++) {
        const c = buf[i];
        if (c === 0) {
          nuls++;
          if (i === 0 ? !this.lastWasNul : buf[i - 1] !== 0) runs++;
        } else if (isControl(c)) controls++;
      }
      this.lastWasNul = buf.length > 0 && buf[buf.length - 1] === 0;
      this.noteNuls(nul >= 0 ? this.byteOffset + nul : -1, runs + controls, nuls, this.byteOffset + buf.length - this.bomLength);
    }
    // Decoded in self-contained pieces: the bytes of a character cut off by the chunk's end wait for the next chunk,
    // so every replacement in a piece is the piece's own and scanUtf8 finds exactly where the decoder made it.
    const carried = this.carry.length;
    const all = carried ? Buffer.concat([this.carry, buf]) : buf;
    const cut = incompleteTail(all);
    const text = all.toString("utf8", 0, cut);
    this.carry = cut < all.length ? Buffer.from(all.subarray(cut)) : EMPTY;
    const report = this.report;
    if (report) {
      if (text.includes("\uFFFD")) this.findInvalidUtf8(all.subarray(0, cut), this.byteOffset - carried, report);
      this.newlines += countNewlines(buf); // none in the carried bytes: they are one character's
    }
    this.byteOffset += buf.length;
    return text;
  }

  /** The places in `piece` (starting at file offset `offset`) that the decoder replaced with U+FFFD. */
  private findInvalidUtf8(piece: Buffer, offset: number, report: TextReport): void {
    const add = (start: number) => report.addReplaced(offset + start, 1 + this.newlines + countNewlines(piece, 0, start));
    // A character cut off at the piece's end is one the next chunk did not complete: replaced too.
    const cut = scanUtf8(piece, add);
    if (cut < piece.length) add(cut);
  }

  private decodeUtf16(bytes: Uint8Array): string {
    let text = this.decoder.write(bytes);
    this.byteOffset += bytes.length;
    // A surrogate pair split across chunks: hold its first half until the next chunk.
    if (this.highSurrogate) {
      text = this.highSurrogate + text;
      this.highSurrogate = "";
    }
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.highSurrogate = text[text.length - 1];
      text = text.slice(0, -1);
    }
    const nul = text.indexOf("\0");
    if (nul >= 0 || this.firstNul >= 0) {
      let runs = 0;
      let controls = 0;
      let nuls = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0) {
          nuls++;
          if (i === 0 ? !this.lastWasNul : text.charCodeAt(i - 1) !== 0) runs++;
        } else if (isControl(c)) controls++;
      }
      this.lastWasNul = text.length > 0 && text.charCodeAt(text.length - 1) === 0;
      this.noteNuls(nul >= 0 ? this.bomLength + 2 * (this.charOffset + nul) : -1, runs + controls, nuls, 2 * (this.charOffset + text.length));
    }
    text = this.checkUtf16(text);
    if (this.report) this.newlines += countNewlinesText(text);
    this.charOffset += text.length;
    return text;
  }

  /** Lone surrogates become U+FFFD (and are reported). */
  private checkUtf16(text: string): string {
    if ((text as unknown as WellFormed).isWellFormed()) return text;
    if (this.report) {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 0xd800 || c > 0xdfff) continue;
        const pair = c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
        if (pair) {
          i++;
          continue;
        }
        this.report.addReplaced(this.bomLength + 2 * (this.charOffset + i), 1 + this.newlines + countNewlinesText(text, i));
      }
    }
    return (text as unknown as WellFormed).toWellFormed();
  }

  private noteNuls(firstNul: number, suspicious: number, nuls: number, decodedBytes: number): void {
    if (this.firstNul < 0) this.firstNul = firstNul;
    if (this.firstNul < 0) return;
    this.suspicious += suspicious;
    if (this.report) this.report.nulCount += nuls;
    if (this.suspicious >= BINARY_MIN && this.suspicious * BINARY_DENSITY > decodedBytes) throw binaryError(this.firstNul);
  }

  end(): string {
    let text = this.decoder.end();
    const report = this.report;
    if (this.encoding === "utf8") {
      // A character cut off by the end of the file: one replacement.
      if (!this.carry.length) return "";
      report?.addReplaced(this.byteOffset - this.carry.length, 1 + this.newlines);
      this.carry = EMPTY;
      return "\uFFFD";
    }
    text = this.checkUtf16(this.highSurrogate + text);
    this.highSurrogate = "";
    // An odd byte at the end of UTF-16 text is dropped by the decoder: say so.
    if (report && (this.byteOffset - this.bomLength) % 2 === 1) report.addReplaced(this.byteOffset - 1, 1 + this.newlines);
    this.charOffset += text.length;
    return text;
  }
}

/**
 * Decodes a byte stream to text chunks: BOM detected and removed, multi-byte characters kept whole across chunks.
 * Bytes that are not valid in the encoding become U+FFFD (listed in the stream's TextReport, see withTextReport).
 * NUL characters are passed on (the readers reject the records that hold one), unless they and other control bytes
 * are so dense that the data is binary, not text: then InputFormatError at the first NUL's byte offset.
 */
export async function* decodeText(input: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const report = (input as Reported)[TEXT_REPORT];
  let head: Buffer | null = Buffer.alloc(0);
  let stream: TextStream | null = null;
  const start = (bytes: Buffer): string => {
    const info = detectEncoding(bytes);
    stream = new TextStream(info.encoding, info.bomLength, report);
    return stream.decode(bytes.subarray(info.bomLength));
  };
  for await (const chunk of input) {
    if (head !== null) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 4) continue;
      const text = start(head);
      head = null;
      if (text) yield text;
      continue;
    }
    const text = stream!.decode(chunk);
    if (text) yield text;
  }
  if (head !== null && head.length > 0) {
    const text = start(head);
    if (text) yield text;
  }
  const tail = (stream as TextStream | null)?.end() ?? "";
  if (tail) yield tail;
}

/**
 * Where a record's first NUL is, for its rejection: "line 14, column 7" from the record's first line (the number in
 * a "line N" location, else 1), or null when the text holds no NUL.
 */
export function nulPosition(text: string, location: string | undefined): string | null {
  const at = text.indexOf("\0");
  if (at < 0) return null;
  const firstLine = Number(/^line (\d+)/.exec(location ?? "")?.[1] ?? 1);
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  return `line ${firstLine + countNewlinesText(text, at)}, column ${at - lineStart + 1}`;
}

/** The rejection reason for a record holding a NUL byte, or null when it holds none. */
export function nulRejection(text: string, location: string | undefined): string | null {
  const where = nulPosition(text, location);
  return where === null ? null : `binary data (a NUL byte) inside the record, at ${where}: the record is not stored`;
}

/** Whether a text is longer than `maxBytes` in UTF-8, computing the byte length only when it matters. */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return Buffer.byteLength(text, "utf8") > maxBytes;
}

export interface TextLine {
  /** The line without its terminator; for a line over the limit, only its first characters. */
  text: string;
  /** "\n", "\r\n" or "" (last line without terminator). */
  eol: string;
  /** 1-based line number. */
  line: number;
  /** The line was longer than the limit; `text` is an excerpt and the rest was dropped unread. */
  tooLong: boolean;
  /** For a too-long line: how many `"` it held in all (CSV needs the quote parity of what was dropped). */
  quotes?: number;
}

/**
 * Whether a record built line by line is over `maxBytes` of UTF-8. Lines are measured exactly only once the record
 * could be over (at most 3 bytes a character), and each line once: never the whole record again per line, which
 * made a long record cost the square of its line count.
 */
export class RecordSize {
  private chars = 0;
  private bytes: number | null = null;

  constructor(private readonly maxBytes: number) {}

  /** Adds the last line of `lines` (the record so far); true when the record is now over the limit. */
  add(lines: readonly TextLine[]): boolean {
    const line = lines[lines.length - 1];
    this.chars += line.text.length + line.eol.length;
    if (this.bytes === null) {
      if (this.chars * 3 <= this.maxBytes) return false;
      this.bytes = 0;
      for (const l of lines) this.bytes += Buffer.byteLength(l.text, "utf8") + l.eol.length;
    } else {
      this.bytes += Buffer.byteLength(line.text, "utf8") + line.eol.length;
    }
    return this.bytes > this.maxBytes;
  }
}

const EXCERPT_CHARS = 200;

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * Splits decoded text into lines, keeping each line's terminator: `push` each chunk, then `end`; each returns the
 * lines completed so far. A line longer than `maxLineBytes` is not buffered: it is returned once, as an excerpt
 * flagged `tooLong`, so the reader can reject it with its line number.
 */
export class LineSplitter {
  private pending = "";
  private tooLong = false;
  private excerpt = "";
  private quotes = 0;
  private line = 1;

  constructor(private readonly maxLineBytes: number) {}

  private make(text: string, eol: string): TextLine {
    let t = text;
    let e = eol;
    if (e === "\n" && t.endsWith("\r")) {
      t = t.slice(0, -1);
      e = "\r\n";
    }
    const out: TextLine = this.tooLong
      ? { text: this.excerpt, eol: e, line: this.line, tooLong: true, quotes: this.quotes + countChar(t, '"') }
      : { text: t, eol: e, line: this.line, tooLong: false };
    this.line++;
    this.pending = "";
    this.tooLong = false;
    this.excerpt = "";
    this.quotes = 0;
    return out;
  }

  push(chunk: string): TextLine[] {
    const out: TextLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf("\n", start);
      if (nl < 0) break;
      const text = this.pending + chunk.slice(start, nl);
      if (!this.tooLong && exceedsBytes(text, this.maxLineBytes)) {
        this.tooLong = true;
        this.excerpt = text.slice(0, EXCERPT_CHARS);
        this.quotes = countChar(text, '"');
        this.pending = "";
        out.push(this.make("", "\n"));
      } else {
        out.push(this.make(text, "\n"));
      }
      start = nl + 1;
    }
    const rest = chunk.slice(start);
    if (this.tooLong) {
      this.quotes += countChar(rest, '"');
      return out;
    }
    this.pending += rest;
    if (exceedsBytes(this.pending, this.maxLineBytes)) {
      this.tooLong = true;
      this.excerpt = this.pending.slice(0, EXCERPT_CHARS);
      this.quotes = countChar(this.pending, '"');
      this.pending = "";
    }
    return out;
  }

  end(): TextLine[] {
    return this.pending !== "" || this.tooLong ? [this.make(this.pending, "")] : [];
  }
}

/** The lines of decoded text, one at a time (see LineSplitter). */
export async function* readLines(chunks: AsyncIterable<string>, maxLineBytes: number): AsyncGenerator<TextLine> {
  for await (const lines of readLineBatches(chunks, maxLineBytes)) yield* lines;
}

/**
 * The lines of decoded text, as the arrays each chunk completes (see LineSplitter): for readers that handle
 * lines synchronously, one await per chunk instead of one per line.
 */
export async function* readLineBatches(chunks: AsyncIterable<string>, maxLineBytes: number): AsyncGenerator<TextLine[]> {
  const splitter = new LineSplitter(maxLineBytes);
  for await (const chunk of chunks) {
    const lines = splitter.push(chunk);
    if (lines.length) yield lines;
  }
  const last = splitter.end();
  if (last.length) yield last;
}
