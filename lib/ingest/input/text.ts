// Text decoding for the text formats (XML, classic, JSON, CSV): byte-order-mark detection (UTF-8, UTF-16LE,
// UTF-16BE; UTF-16 without a BOM is recognised by its zero bytes), chunk-boundary-safe decoding, early
// rejection of binary data (a NUL where text should be), and a line splitter that never buffers a line
// past a limit.
import { StringDecoder } from "node:string_decoder";
import { InputFormatError } from "../event";

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

const binaryError = (offset: number) =>
  new InputFormatError("binary data where text was expected (NUL byte): not a text event log", `byte ${offset}`);

/**
 * Decodes a byte stream to text chunks: BOM detected and removed, multi-byte characters kept whole across
 * chunks. A NUL character anywhere is binary data, not text: InputFormatError with its byte offset.
 */
export async function* decodeText(input: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let head: Buffer | null = Buffer.alloc(0);
  let decoder: ChunkDecoder | null = null;
  let byteOffset = 0; // bytes of the file before the current chunk (UTF-8)
  let charOffset = 0; // UTF-16 code units decoded so far
  let bomLength = 0;

  const decode = (bytes: Uint8Array): string => {
    const d = decoder!;
    if (d.encoding === "utf8") {
      const nul = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(0);
      if (nul >= 0) throw binaryError(byteOffset + nul);
      byteOffset += bytes.length;
      return d.write(bytes);
    }
    const text = d.write(bytes);
    const nul = text.indexOf("\0");
    if (nul >= 0) throw binaryError(bomLength + 2 * (charOffset + nul));
    charOffset += text.length;
    return text;
  };

  for await (const chunk of input) {
    if (head !== null) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 4) continue;
      const info = detectEncoding(head);
      decoder = new ChunkDecoder(info.encoding);
      bomLength = byteOffset = info.bomLength;
      const text = decode(head.subarray(info.bomLength));
      head = null;
      if (text) yield text;
      continue;
    }
    const text = decode(chunk);
    if (text) yield text;
  }
  if (head !== null) {
    const info = detectEncoding(head);
    decoder = new ChunkDecoder(info.encoding);
    bomLength = byteOffset = info.bomLength;
    const text = decode(head.subarray(info.bomLength));
    if (text) yield text;
  }
  const tail = decoder?.end() ?? "";
  if (tail) yield tail;
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
