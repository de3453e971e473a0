// Streaming EVTX reader: file header, then every 64 KiB chunk in the file (not only the header's chunk count, so
// dirty and wrapped logs lose nothing), records walked inside each chunk, each record rendered from its BinXML.
//
// Memory: at most one chunk (64 KiB) is buffered, plus the caller's input buffers; names and templates are cached per
// chunk and dropped with it. File offsets are plain JS numbers (exact to 2^53), so files past 4 GiB are fine.
import type { EventParts } from "../event";
import { InputFormatError } from "../event";
import type { ReaderProgress } from "../parser";
import { BinXmlError, ChunkDecoder } from "./binxml";
import { crc32 } from "./crc32";
import { renderRecord } from "./record";
import { ValueError, filetimeAt } from "./values";

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
export const CHUNK_HEADER_SIZE = 512;
export const RECORD_SIGNATURE = 0x00002a2a;

const FILE_MAGIC = Buffer.from("ElfFile\0", "latin1");
const CHUNK_MAGIC = Buffer.from("ElfChnk\0", "latin1");
const RECORD_MAGIC = Buffer.from([0x2a, 0x2a, 0, 0]);
/** File/chunk header flag: the writer did not compute CRC32s. */
const FLAG_NO_CRC32 = 0x4;

/** One decoded event record. */
export interface EvtxRecord {
  kind: "record";
  /** Record id from the record header (EventRecordID). */
  recordId: number;
  /** Record header time, ISO 8601 UTC with 100 ns precision. */
  time: string;
  /** The event as Windows renders it to XML. */
  xml: string;
  parts: EventParts;
  /** 0-based index of the chunk in the file (file order, not the header's numbering). */
  chunkIndex: number;
  /** File offset of the record. */
  offset: number;
  /** Record size in bytes. */
  size: number;
  /**
   * Set for a record salvaged from damage: its size field was unusable (it disagrees with its trailing copy, or runs
   * past the chunk) but its event decoded whole. Says what was wrong; the record is flagged in the upload report.
   */
  damage?: string;
}

/**
 * Something wrong in the file. `lost` says whether data was (probably) lost: a record that could not be decoded,
 * an unreadable or cut-off chunk. Problems with `lost: false` (CRC mismatch, header oddities) lost nothing:
 * every record around them was still decoded.
 */
export interface EvtxProblem {
  kind: "problem";
  /** File offset where the problem is. */
  offset: number;
  /** 0-based chunk index, null for the file header. */
  chunkIndex: number | null;
  recordId?: number;
  reason: string;
  lost: boolean;
}

export type EvtxItem = EvtxRecord | EvtxProblem;

export interface EvtxIteratorOptions {
  /** Records larger than this are reported as problems instead of decoded (EVTX records are < 64 KiB anyway). */
  maxRecordBytes?: number;
  onProgress?: (p: ReaderProgress) => void;
}

/** The file header fields the reader uses. */
export interface EvtxFileHeader {
  firstChunkNumber: number;
  lastChunkNumber: number;
  nextRecordId: number;
  majorVersion: number;
  minorVersion: number;
  headerBlockSize: number;
  chunkCount: number;
  flags: number;
}

function u64(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off + 4) * 4294967296 + buf.readUInt32LE(off);
}

const ZEROS = Buffer.alloc(CHUNK_SIZE);

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let p = from; p < to; p += CHUNK_SIZE) {
    const e = Math.min(to, p + CHUNK_SIZE);
    if (!buf.subarray(p, e).equals(ZEROS.subarray(0, e - p))) return false;
  }
  return true;
}

/** Pulls exact-size blocks out of an async stream of buffers, copying only when a block straddles two buffers. */
class BlockReader {
  private bufs: Buffer[] = [];
  private head = 0;
  private avail = 0;
  private done = false;
  private readonly it: AsyncIterator<Buffer> | Iterator<Buffer>;

  constructor(input: AsyncIterable<Buffer> | Iterable<Buffer>) {
    this.it = Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : (input as Iterable<Buffer>)[Symbol.iterator]();
  }

  /** Up to n bytes; fewer only at the end of the input. */
  async read(n: number): Promise<Buffer> {
    while (this.avail < n && !this.done) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        break;
      }
      const v = r.value as Buffer | Uint8Array;
      if (!v || v.length === 0) continue;
      this.bufs.push(Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      this.avail += v.length;
    }
    const take = Math.min(n, this.avail);
    if (take === 0) return Buffer.alloc(0);
    const first = this.bufs[0];
    let out: Buffer;
    if (first.length - this.head >= take) {
      out = first.subarray(this.head, this.head + take);
      this.head += take;
      if (this.head === first.length) {
        this.bufs.shift();
        this.head = 0;
      }
    } else {
      out = Buffer.allocUnsafe(take);
      let filled = 0;
      while (filled < take) {
        const b = this.bufs[0];
        const k = Math.min(b.length - this.head, take - filled);
        b.copy(out, filled, this.head, this.head + k);
        filled += k;
        this.head += k;
        if (this.head === b.length) {
          this.bufs.shift();
          this.head = 0;
        }
      }
    }
    this.avail -= take;
    return out;
  }

  /** Lets go of the input early (closes a file stream). */
  async close(): Promise<void> {
    const it = this.it as AsyncIterator<Buffer>;
    if (!this.done && typeof it.return === "function") await it.return();
  }
}

/** Whether these bytes start an EVTX file. */
export function isEvtx(head: Buffer): boolean {
  return head.length >= 8 && head.subarray(0, 8).equals(FILE_MAGIC);
}

export function parseFileHeader(buf: Buffer): EvtxFileHeader {
  return {
    firstChunkNumber: u64(buf, 8),
    lastChunkNumber: u64(buf, 16),
    nextRecordId: u64(buf, 24),
    minorVersion: buf.readUInt16LE(36),
    majorVersion: buf.readUInt16LE(38),
    headerBlockSize: buf.readUInt16LE(40),
    chunkCount: buf.readUInt16LE(42),
    flags: buf.readUInt32LE(120),
  };
}

/**
 * Reads an EVTX file as a stream of records and problems, in file order. Throws InputFormatError when the input
 * does not start with the EVTX signature; everything after that is recovered as far as possible and reported.
 */
export async function* readEvtxRecords(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: EvtxIteratorOptions = {},
): AsyncGenerator<EvtxItem> {
  for await (const batch of readEvtxBatches(input, options)) for (let i = 0; i < batch.length; i++) yield batch[i];
}

/**
 * The same as readEvtxRecords, one array per chunk (and one for the file header's problems): a single await per
 * chunk instead of one per record, for callers that want the speed.
 */
export async function* readEvtxBatches(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: EvtxIteratorOptions = {},
): AsyncGenerator<EvtxItem[]> {
  const reader = new BlockReader(input);
  try {
    const head = await reader.read(FILE_HEADER_SIZE);
    if (head.length === 0) throw new InputFormatError("not an EVTX file: empty input", "byte 0");
    const n = Math.min(8, head.length);
    if (!head.subarray(0, n).equals(FILE_MAGIC.subarray(0, n))) throw new InputFormatError("not an EVTX file: bad signature", "byte 0");
    if (head.length < 8) throw new InputFormatError("not an EVTX file: truncated file header", `byte ${head.length}`);
    const headerProblems: EvtxProblem[] = [];
    const truncatedHeader: EvtxProblem = {
      kind: "problem",
      offset: 0,
      chunkIndex: null,
      reason: `file ends inside the file header (${head.length} bytes)`,
      lost: false,
    };
    if (head.length < 128) {
      yield [truncatedHeader];
      return;
    }
    const header = parseFileHeader(head);
    const fileNoCrc = (header.flags & FLAG_NO_CRC32) !== 0;
    if (!fileNoCrc) {
      const stored = head.readUInt32LE(124);
      const actual = crc32(head, 0, 120);
      if (stored !== actual)
        headerProblems.push({ kind: "problem", offset: 124, chunkIndex: null, reason: `file header CRC32 mismatch (stored 0x${hex(stored)}, computed 0x${hex(actual)})`, lost: false });
    }
    if (header.majorVersion !== 3)
      headerProblems.push({ kind: "problem", offset: 38, chunkIndex: null, reason: `unexpected format version ${header.majorVersion}.${header.minorVersion}`, lost: false });
    if (head.length < FILE_HEADER_SIZE) headerProblems.push(truncatedHeader);
    if (headerProblems.length) yield headerProblems;
    if (head.length < FILE_HEADER_SIZE) return;
    const maxRecordBytes = options.maxRecordBytes ?? Infinity;
    let fileOffset = FILE_HEADER_SIZE;
    for (let index = 0; ; index++) {
      const buf = await reader.read(CHUNK_SIZE);
      if (buf.length === 0) break;
      const batch = [...readChunk(buf, fileOffset, index, fileNoCrc, maxRecordBytes)];
      if (batch.length) yield batch;
      fileOffset += buf.length;
      const done = index + 1;
      options.onProgress?.({ unit: "chunks", done, total: Math.max(done, header.chunkCount) });
      if (buf.length < CHUNK_SIZE) break;
    }
  } finally {
    await reader.close();
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** Finds the next plausible record (signature, size and trailing size copy agree) at or after `from`. */
function resync(buf: Buffer, from: number, limit: number): number {
  let p = from;
  while (p + 24 <= limit) {
    const q = buf.indexOf(RECORD_MAGIC, p);
    if (q < 0 || q + 24 > limit) return -1;
    const size = buf.readUInt32LE(q + 4);
    if (size >= 28 && q + size <= buf.length && buf.readUInt32LE(q + size - 4) === size) return q;
    p = q + 1;
  }
  return -1;
}

/** Decodes the records of one chunk (a full 64 KiB, or what is left of it at the end of a truncated file). */
export function* readChunk(
  buf: Buffer,
  chunkOffset: number,
  index: number,
  fileNoCrc: boolean,
  maxRecordBytes = Infinity,
): Generator<EvtxItem> {
  const problem = (at: number, reason: string, lost: boolean, recordId?: number): EvtxProblem => {
    const p: EvtxProblem = { kind: "problem", offset: chunkOffset + at, chunkIndex: index, reason, lost };
    if (recordId !== undefined) p.recordId = recordId;
    return p;
  };
  const len = buf.length;
  const magicOk = len >= 8 && buf.subarray(0, 8).equals(CHUNK_MAGIC);
  if (!magicOk) {
    if (isZero(buf, 0, len)) return; // never used
  }
  const truncated = len < CHUNK_SIZE;
  // Located at the chunk's start: every location a problem gives lies inside the file.
  if (truncated) yield problem(0, `file ends ${len} bytes into chunk ${index} (a chunk is ${CHUNK_SIZE} bytes)`, false);
  if (len < CHUNK_HEADER_SIZE) {
    yield problem(0, `chunk ${index} is cut off inside its header`, true);
    return;
  }

  const flags = buf.readUInt32LE(120);
  const noCrc = fileNoCrc || (flags & FLAG_NO_CRC32) !== 0;
  let freeSpace = buf.readUInt32LE(48);
  const freeSpaceOk = freeSpace >= CHUNK_HEADER_SIZE && freeSpace <= CHUNK_SIZE;
  if (!freeSpaceOk) {
    if (magicOk) yield problem(48, `chunk ${index} has an impossible free-space offset ${freeSpace}; recovering its records by scanning`, false);
    freeSpace = len;
  }
  if (magicOk && !noCrc) {
    const stored = buf.readUInt32LE(124);
    const actual = crc32(buf, 128, CHUNK_HEADER_SIZE, crc32(buf, 0, 120));
    if (stored !== actual)
      yield problem(124, `chunk ${index} header CRC32 mismatch (stored 0x${hex(stored)}, computed 0x${hex(actual)})`, false);
    if (freeSpaceOk && freeSpace <= len) {
      const storedData = buf.readUInt32LE(52);
      const actualData = crc32(buf, CHUNK_HEADER_SIZE, freeSpace);
      if (storedData !== actualData)
        yield problem(52, `chunk ${index} event records CRC32 mismatch (stored 0x${hex(storedData)}, computed 0x${hex(actualData)})`, false);
    }
  }
  const limit = Math.min(freeSpace, len);
  let p = CHUNK_HEADER_SIZE;
  if (!magicOk) {
    // Not a chunk: slack or foreign data after the log (common in dirty files), or a chunk whose signature was
    // damaged. Only in the latter case does a record turn up.
    const first = resync(buf, p, limit);
    if (first < 0) {
      yield problem(0, `chunk ${index} has no chunk signature and no recognisable record; skipped`, false);
      return;
    }
    yield problem(0, `bad chunk signature in chunk ${index}; recovering its records`, false);
    if (first !== p) yield problem(p, `unreadable bytes at chunk offset ${p}..${first} before the first recognisable record`, true);
    p = first;
  }
  const decoder = new ChunkDecoder(buf);
  /** The record at `p` (`size` bytes), its BinXML decoded up to `end`, or the problem that stopped it (lost data). */
  const render = (p: number, recordId: number, size: number, end: number, damage?: string): EvtxItem => {
    try {
      const { xml, parts } = renderRecord(decoder, p + 24, end);
      const time = filetimeAt(buf, p + 16);
      if (parts.system.recordId == null) parts.system.recordId = recordId;
      if (parts.system.timeCreated == null) parts.system.timeCreated = time;
      const record: EvtxRecord = { kind: "record", recordId, time, xml, parts, chunkIndex: index, offset: chunkOffset + p, size };
      if (damage) record.damage = damage;
      return record;
    } catch (e) {
      if (!(e instanceof BinXmlError || e instanceof ValueError || e instanceof RangeError)) throw e;
      // A damaged offset inside the BinXML can point anywhere: the problem is then located at its record.
      const at = e instanceof BinXmlError && e.offset >= p && e.offset < len ? e.offset : p;
      return problem(at, `record ${recordId}: ${damage ? `${damage}, and ` : ""}${e.message}`, true, recordId);
    }
  };
  while (p + 24 <= limit) {
    let bad: string | null = null;
    /** The size field is unusable but the record may still be whole: try to salvage it. */
    let salvage = false;
    const sig = buf.readUInt32LE(p);
    let size = 0;
    if (sig !== RECORD_SIGNATURE) {
      if (isZero(buf, p, limit)) break; // slack after the last record
      bad = "no record signature";
    } else {
      size = buf.readUInt32LE(p + 4);
      if (size < 28) {
        bad = `record size ${size} is too small`;
        salvage = true;
      } else if (p + size > len) {
        bad = truncated ? `record is cut off by the end of the file (size ${size})` : `record size ${size} runs past the chunk`;
        salvage = !truncated;
      } else if (buf.readUInt32LE(p + size - 4) !== size) {
        bad = `record size ${size} does not match its trailing copy (${buf.readUInt32LE(p + size - 4)})`;
        salvage = true;
      }
    }
    if (bad !== null && salvage) {
      // Where the record ends: at the next record found, unless its size field is borne out by what follows it (a
      // record signature, or the end of the records) and no record is found before that.
      const recordId = u64(buf, p + 8);
      const next = resync(buf, p + 24, limit);
      const bySize = p + size;
      const sizeFits =
        size >= 28 && bySize <= limit && (bySize === limit || (bySize + 4 <= len && buf.readUInt32LE(bySize) === RECORD_SIGNATURE) || isZero(buf, bySize, limit));
      const end = sizeFits && (next < 0 || next >= bySize) ? bySize : next >= 0 ? next : limit;
      const item = end - p > maxRecordBytes ? null : render(p, recordId, end - p, end - 4, `${bad} at chunk offset ${p}`);
      if (item && item.kind === "record") {
        yield item;
        p = end;
        continue;
      }
      yield item ?? problem(p, `${bad} at chunk offset ${p}`, true, recordId);
      if (next < 0) {
        p = limit;
        break;
      }
      p = next;
      continue;
    }
    if (bad !== null) {
      const recordId = sig === RECORD_SIGNATURE ? u64(buf, p + 8) : undefined;
      yield problem(p, `${bad} at chunk offset ${p}`, true, recordId);
      const next = resync(buf, p + 1, limit);
      if (next < 0) {
        p = limit;
        break;
      }
      p = next;
      continue;
    }
    const recordId = u64(buf, p + 8);
    if (size > maxRecordBytes) {
      yield problem(p, `record ${recordId} is ${size} bytes, more than the ${maxRecordBytes} accepted`, true, recordId);
      p += size;
      continue;
    }
    yield render(p, recordId, size, p + size - 4);
    p += size;
  }
  // A file cut inside a record's first 24 bytes.
  if (truncated && p < limit && !isZero(buf, p, limit)) yield problem(p, `record header cut off by the end of the file at chunk offset ${p}`, true);
}
