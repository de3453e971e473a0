// Opening an uploaded file: plain, gzip (by its 1f 8b magic, streamed through gunzip) or zip (by its PK\3\4
// magic, read with yauzl) holding several files of any format; a gzip member inside a zip is unpacked too.
// Decompression is bounded against zip bombs: a cap on the total uncompressed bytes of the upload and a cap on
// the expansion ratio of each member (uncompressed / compressed size, checked once past a grace size), both
// before inflating (from the zip's declared sizes) and while inflating (from the bytes actually produced), so a
// member that lies about its size is caught too. Breaking a cap is an InputFormatError naming the member and how
// far it got. Zip members are never written to disk, so names (even "../x") are only reported, as text.
import { createReadStream } from "node:fs";
import { open as openFile, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { InputFormatError } from "../event";
import { ingestLimits } from "../limits";

export interface InputMember {
  /** File name (for a zip: the member's path inside the archive; ".gz" removed for gzip data). */
  name: string;
  /** Uncompressed size when known up front (plain files, zip members). */
  size?: number;
  /** Whether this is one file of a zip archive (so locations should name it); false for a plain or gzip file. */
  isArchiveMember: boolean;
  /** The member's bytes, decompressed. Consume it before asking openInputs for the next member. */
  stream: AsyncIterable<Buffer>;
}

export interface OpenInputsOptions {
  /**
   * The file's name as its messages should give it (the uploaded file's name: the spooled copy is named by an
   * internal id). Default: the path's last part.
   */
  name?: string;
  /** Cap on the uncompressed bytes of the whole upload (all members). Default 8 GiB. */
  maxUncompressedBytes?: number;
  /** Cap on a member's uncompressed/compressed ratio. Default 200 (text logs compress 10–50:1). */
  maxRatio?: number;
  /** The ratio cap applies once a member has produced this many bytes. Default 1 MiB. */
  ratioGraceBytes?: number;
  /**
   * Called with each increment of the upload file's own (compressed) bytes consumed, for progress. For zip members
   * the increments are estimated from the member's decompressed progress; they add up to its compressed size.
   */
  onCompressedBytes?: (bytes: number) => void;
}

type Limits = Required<Omit<OpenInputsOptions, "onCompressedBytes" | "name">>;

/** The configured bounds (limits.ts), for callers that give none. */
function defaultLimits(): Limits {
  const limits = ingestLimits();
  return { maxUncompressedBytes: limits.maxUncompressedBytes, maxRatio: limits.maxCompressionRatio, ratioGraceBytes: 1024 ** 2 };
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const startsWith = (buf: Uint8Array, magic: number[]) => magic.every((b, i) => buf[i] === b);

interface Budget {
  used: number;
}

const fmtBytes = (n: number) => (n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(n >= 1024 ** 3 ? 0 : 1)} MiB` : `${n} bytes`);

/** Passes a member's decompressed bytes through, enforcing the total and ratio caps. */
async function* bounded(source: AsyncIterable<Buffer>, member: string, compressedSize: number, opts: Limits, budget: Budget): AsyncGenerator<Buffer> {
  const ratioLimit = Math.max(opts.ratioGraceBytes, opts.maxRatio * compressedSize);
  let produced = 0;
  for await (const chunk of source) {
    produced += chunk.length;
    budget.used += chunk.length;
    if (budget.used > opts.maxUncompressedBytes) {
      throw new InputFormatError(
        `decompressed data exceeds the limit of ${fmtBytes(opts.maxUncompressedBytes)} for one upload (in '${member}'): it looks like a decompression bomb, refused`,
        `member '${member}', uncompressed byte ${produced}`,
      );
    }
    if (produced > ratioLimit) {
      throw new InputFormatError(
        `'${member}' expands more than ${opts.maxRatio}:1 (${fmtBytes(compressedSize)} compressed): it looks like a decompression bomb, refused`,
        `member '${member}', uncompressed byte ${produced}`,
      );
    }
    yield chunk;
  }
}

/** Turns decompression errors into InputFormatError for this member. */
async function* wrapErrors(source: AsyncIterable<Buffer>, member: string, what: string): AsyncGenerator<Buffer> {
  let produced = 0;
  try {
    for await (const chunk of source) {
      produced += chunk.length;
      yield chunk;
    }
  } catch (e) {
    if (e instanceof InputFormatError) throw e;
    const message = (e as Error).message ?? String(e);
    const lying = /too many bytes|not enough bytes/i.test(message);
    throw new InputFormatError(
      lying
        ? `'${member}' does not match the size its zip header declares (${message}): it looks like a decompression bomb, refused`
        : `unreadable ${what} data in '${member}': ${message}`,
      `member '${member}', uncompressed byte ${produced}`,
    );
  }
}

/** First bytes of a stream, and a stream giving all of it back. */
export async function peek(source: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const got: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    got.push(r.value);
    size += r.value.length;
  }
  const head = Buffer.concat(got);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, stream: rest() };
}

/** Gunzips a byte stream (concatenated gzip members included). */
async function* gunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = Readable.from(source, { objectMode: false });
  const z = createGunzip();
  input.on("error", (e) => z.destroy(e));
  input.pipe(z);
  try {
    for await (const chunk of z) yield chunk as Buffer;
  } finally {
    input.destroy();
    z.destroy();
  }
}

async function readHead(filePath: string, n: number): Promise<Buffer> {
  const fh = await openFile(filePath, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function* fileStream(filePath: string, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  const s = createReadStream(filePath);
  try {
    for await (const chunk of s) {
      onBytes?.((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  } finally {
    s.destroy();
  }
}

function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (e: Entry) => {
      cleanup();
      resolve(e);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

/** Reports a zip member's compressed bytes in step with its decompressed output. */
async function* reportProgress(source: AsyncIterable<Buffer>, compressedSize: number, uncompressedSize: number, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  if (!onBytes) return yield* source;
  let produced = 0;
  let reported = 0;
  for await (const chunk of source) {
    produced += chunk.length;
    const due = Math.min(compressedSize, Math.floor((produced / Math.max(1, uncompressedSize)) * compressedSize));
    if (due > reported) {
      onBytes(due - reported);
      reported = due;
    }
    yield chunk;
  }
  if (compressedSize > reported) onBytes(compressedSize - reported);
}

async function* zipMembers(filePath: string, archiveName: string, opts: Limits, budget: Budget, onBytes?: (n: number) => void): AsyncGenerator<InputMember> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(filePath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (e) {
    throw new InputFormatError(`'${archiveName}' is not a readable zip archive: ${(e as Error).message}`, "byte 0");
  }
  try {
    for (let index = 1; ; index++) {
      let entry: Entry | null;
      try {
        entry = await nextEntry(zip);
      } catch (e) {
        throw new InputFormatError(`'${archiveName}': unreadable zip directory: ${(e as Error).message}`, `entry ${index}`);
      }
      if (!entry) return;
      const raw = entry.fileNameRaw;
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
      if (name.endsWith("/") || entry.uncompressedSize === 0) {
        if (entry.compressedSize > 0) onBytes?.(entry.compressedSize);
        continue;
      }
      const where = `member '${name}' (entry ${index})`;
      if (entry.isEncrypted()) throw new InputFormatError(`'${name}' in '${archiveName}' is encrypted; unpack it first`, where);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new InputFormatError(`'${name}' in '${archiveName}' uses unsupported zip compression method ${entry.compressionMethod}`, where);
      }
      if (budget.used + entry.uncompressedSize > opts.maxUncompressedBytes) {
        throw new InputFormatError(
          `'${name}' would take the upload past the limit of ${fmtBytes(opts.maxUncompressedBytes)} uncompressed (it declares ${fmtBytes(entry.uncompressedSize)}): it looks like a decompression bomb, refused`,
          where,
        );
      }
      if (entry.uncompressedSize > opts.ratioGraceBytes && entry.uncompressedSize > opts.maxRatio * entry.compressedSize) {
        const ratio = Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize));
        throw new InputFormatError(
          `'${name}' would expand ${ratio}:1 (${fmtBytes(entry.compressedSize)} to ${fmtBytes(entry.uncompressedSize)}), over the limit of ${opts.maxRatio}:1: it looks like a decompression bomb, refused`,
          where,
        );
      }
      let readStream: Readable;
      try {
        readStream = await zip.openReadStreamPromise(entry);
      } catch (e) {
        throw new InputFormatError(`'${name}' in '${archiveName}' cannot be read: ${(e as Error).message}`, where);
      }
      try {
        const inflated = reportProgress(wrapErrors(readStream as AsyncIterable<Buffer>, name, "zip"), entry.compressedSize, entry.uncompressedSize, onBytes);
        const { head, stream } = await peek(inflated, 4);
        let content: AsyncIterable<Buffer> = stream;
        let memberName = name;
        let size: number | undefined = entry.uncompressedSize;
        if (startsWith(head, GZIP_MAGIC)) {
          content = wrapErrors(gunzip(stream), name, "gzip");
          memberName = name.replace(/\.gz$/i, "") || name;
          size = undefined;
        } else if (startsWith(head, ZIP_MAGIC)) {
          content = (async function* (): AsyncGenerator<Buffer> {
            throw new InputFormatError(`'${name}' is a zip archive inside '${archiveName}': nested zip archives are not supported; unpack it first`, where);
          })();
        }
        yield { name: memberName, ...(size !== undefined ? { size } : {}), isArchiveMember: true, stream: bounded(content, name, entry.compressedSize, opts, budget) };
      } finally {
        readStream.destroy();
      }
    }
  } finally {
    zip.close();
  }
}

/**
 * The files inside an upload: one member for a plain or gzip file, one per file for a zip (directories and
 * empty members skipped). Each member's stream must be read (or abandoned) before the next member is asked for.
 */
export async function* openInputs(filePath: string, options: OpenInputsOptions = {}): AsyncGenerator<InputMember> {
  const { onCompressedBytes, name: displayName, ...limits } = options;
  const given = Object.fromEntries(Object.entries(limits).filter(([, v]) => typeof v === "number" && v > 0));
  const opts: Limits = { ...defaultLimits(), ...given };
  const budget: Budget = { used: 0 };
  const { size: fileSize } = await stat(filePath);
  const name = displayName || path.basename(filePath);
  const head = await readHead(filePath, 4);
  if (startsWith(head, GZIP_MAGIC)) {
    const stream = bounded(wrapErrors(gunzip(fileStream(filePath, onCompressedBytes)), name, "gzip"), name, fileSize, opts, budget);
    yield { name: name.replace(/\.gz$/i, "") || name, isArchiveMember: false, stream };
  } else if (startsWith(head, ZIP_MAGIC)) {
    yield* zipMembers(filePath, name, opts, budget, onCompressedBytes);
  } else {
    yield { name, size: fileSize, isArchiveMember: false, stream: fileStream(filePath, onCompressedBytes) };
  }
}
