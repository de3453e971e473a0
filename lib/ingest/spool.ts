// The spool: where an upload's file waits between its arrival and its processing. A directory every worker can
// read (IISWATCH_SPOOL_DIR, by default under the data directory; on a shared filesystem for workers on several
// machines). A body being received is `<id>.part`; it becomes `<id>` only once it has fully arrived, been
// flushed to disk and hashed, so no worker ever reads a partial body.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

export function spoolDir(): string {
  return path.resolve(process.env.IISWATCH_SPOOL_DIR ?? path.join(process.env.IISWATCH_DATA_DIR ?? ".data", "spool"));
}

export const spoolPath = (uploadId: string) => path.join(spoolDir(), uploadId);
const partPath = (uploadId: string) => `${spoolPath(uploadId)}.part`;

export class UploadTooLargeError extends Error {
  name = "UploadTooLargeError";
}

/** A body that ended before it was complete (the client went away, or the server stopped). */
export class UploadCutOffError extends Error {
  name = "UploadCutOffError";
}

export interface SpooledFile {
  size: number;
  sha256: string;
}

/**
 * Streams a body into the spool as `<id>.part`, bounded by `maxBytes`, hashing it on the way; on success flushes
 * it to disk and renames it `<id>`. On any failure the partial file is removed. `onProgress` is told the bytes
 * received so far as they arrive.
 */
export async function spoolBody(
  uploadId: string,
  body: Readable | ReadableStream<Uint8Array>,
  options: { maxBytes: number; expectedBytes?: number; onProgress?: (received: number) => void },
): Promise<SpooledFile> {
  fs.mkdirSync(spoolDir(), { recursive: true });
  const part = partPath(uploadId);
  const hash = createHash("sha256");
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > options.maxBytes) {
        callback(new UploadTooLargeError(`the file is larger than the ${options.maxBytes.toLocaleString("en")}-byte upload limit (IISWATCH_MAX_UPLOAD_BYTES)`));
        return;
      }
      hash.update(chunk);
      options.onProgress?.(received);
      callback(null, chunk);
    },
  });
  const source = body instanceof Readable ? body : Readable.fromWeb(body as import("node:stream/web").ReadableStream);
  const out = fs.createWriteStream(part, { flags: "wx" });
  try {
    await pipeline(source, meter, out);
    if (options.expectedBytes !== undefined && Number.isFinite(options.expectedBytes) && received !== options.expectedBytes) {
      throw new UploadCutOffError(`the transfer ended after ${received.toLocaleString("en")} of ${options.expectedBytes.toLocaleString("en")} bytes`);
    }
    const fd = fs.openSync(part, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(part, spoolPath(uploadId));
  } catch (e) {
    fs.rmSync(part, { force: true });
    if (e instanceof UploadTooLargeError || e instanceof UploadCutOffError) throw e;
    throw new UploadCutOffError(`the transfer stopped after ${received.toLocaleString("en")} bytes (${e instanceof Error ? e.message : String(e)})`);
  }
  return { size: received, sha256: hash.digest("hex") };
}

/** Removes an upload's spool files (complete or partial). */
export function removeSpool(uploadId: string): void {
  fs.rmSync(spoolPath(uploadId), { force: true });
  fs.rmSync(partPath(uploadId), { force: true });
}

/**
 * Removes spool files nobody needs: those of uploads that are over (`states` maps an id to whether its upload still
 * needs its file), and those of unknown uploads once older than `minAgeMs` (an upload's row is written just before
 * its file, possibly on another machine). Returns the names removed.
 */
export async function sweepSpool(states: (uploadIds: string[]) => Promise<Map<string, boolean>>, minAgeMs = 10 * 60_000): Promise<string[]> {
  const dir = spoolDir();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const files = names.map((name) => ({ name, id: name.replace(/\.part$/, "") })).filter((f) => /^[0-9a-f-]{36}$/.test(f.id));
  if (files.length === 0) return [];
  const needed = await states([...new Set(files.map((f) => f.id))]);
  const removed: string[] = [];
  for (const f of files) {
    const need = needed.get(f.id);
    if (need === true) continue;
    const full = path.join(dir, f.name);
    try {
      if (need === undefined && Date.now() - fs.statSync(full).mtimeMs < minAgeMs) continue;
      fs.rmSync(full, { force: true });
      removed.push(f.name);
    } catch {
      // gone already
    }
  }
  return removed;
}
