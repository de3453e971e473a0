// Uploads: received files are spooled to disk (bounded), then processed one at a time by the server process.
// One at a time keeps a 2-core machine responsive and makes "remove what a failed upload added" safe: no other
// upload can have counted one of its events as a duplicate in the meantime.
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { db } from "../db/client";
import { pgPool } from "../db/pg";
import { INPUT_FORMATS, type InputFormat } from "./event";
import { ingestLimits } from "./limits";
import { processUpload, removeUploadEvents, tidyEventsTable, type UploadProgress } from "./pipeline";

export interface RecordDefaults {
  host?: string;
  channel?: string;
}

export class UploadTooLargeError extends Error {
  name = "UploadTooLargeError";
}

interface QueueState {
  tail: Promise<unknown>;
  live: Map<string, UploadProgress>;
  /** Called after each upload that landed (the server runs the detections over its events). */
  afterUpload?: (uploadId: string) => Promise<unknown>;
}

const globalForQueue = globalThis as unknown as { iiswatchUploadQueue?: QueueState };
const queue = (): QueueState => (globalForQueue.iiswatchUploadQueue ??= { tail: Promise.resolve(), live: new Map() });

export function spoolDir(): string {
  return path.resolve(process.env.IISWATCH_DATA_DIR ?? ".data", "spool");
}

const spoolPath = (uploadId: string) => path.join(spoolDir(), uploadId);

export function parseFormatOverride(value: string | null | undefined): InputFormat | undefined {
  if (!value || value === "auto") return undefined;
  if ((INPUT_FORMATS as readonly string[]).includes(value)) return value as InputFormat;
  throw new Error(`unknown format '${value}' (one of: auto, ${INPUT_FORMATS.join(", ")})`);
}

/**
 * Streams an upload to the spool directory and queues it. Rejects a body larger than the configured maximum
 * while it streams, without storing anything.
 */
export async function receiveUpload(input: {
  filename: string;
  body: Readable | ReadableStream<Uint8Array>;
  format?: InputFormat;
  /** Computer and log name for records that do not carry them (Event Viewer CSV). */
  defaults?: RecordDefaults;
  uploadedById?: string | null;
}): Promise<string> {
  const { maxUploadBytes } = ingestLimits();
  const upload = await db().upload.create({
    data: { filename: input.filename.slice(0, 500), format: input.format ?? null, status: "queued", uploadedById: input.uploadedById ?? null },
  });
  fs.mkdirSync(spoolDir(), { recursive: true });
  const target = spoolPath(upload.id);
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > maxUploadBytes) {
        callback(new UploadTooLargeError(`the file is larger than the ${maxUploadBytes.toLocaleString("en")}-byte upload limit (IISWATCH_MAX_UPLOAD_BYTES)`));
      } else callback(null, chunk);
    },
  });
  const source = input.body instanceof Readable ? input.body : Readable.fromWeb(input.body as import("node:stream/web").ReadableStream);
  try {
    await pipeline(source, limiter, fs.createWriteStream(target));
  } catch (e) {
    fs.rmSync(target, { force: true });
    await db().upload.update({
      where: { id: upload.id },
      data: { status: "failed", error: e instanceof Error ? e.message : String(e), sizeBytes: received, finishedAt: new Date() },
    });
    throw e;
  }
  await db().upload.update({ where: { id: upload.id }, data: { sizeBytes: received } });
  enqueueUpload(upload.id, input.format, input.defaults);
  return upload.id;
}

/**
 * Ingests a file this process writes itself (the demo fleet) exactly as an upload: `write` fills its spool file,
 * then it goes through the queue, one at a time with every other upload, followed by the after-upload step.
 * Resolves with the upload's counters once processed; rejects with its error when it failed.
 */
export async function ingestOwnFile(filename: string, write: (spoolFile: string) => Promise<void>): Promise<{ uploadId: string; stored: number; duplicates: number }> {
  const upload = await db().upload.create({ data: { filename, status: "queued" } });
  fs.mkdirSync(spoolDir(), { recursive: true });
  try {
    await write(spoolPath(upload.id));
  } catch (e) {
    fs.rmSync(spoolPath(upload.id), { force: true });
    await db().upload.update({ where: { id: upload.id }, data: { status: "failed", error: e instanceof Error ? e.message : String(e), finishedAt: new Date() } });
    throw e;
  }
  await db().upload.update({ where: { id: upload.id }, data: { sizeBytes: fs.statSync(spoolPath(upload.id)).size } });
  await enqueueUpload(upload.id);
  const done = await db().upload.findUniqueOrThrow({ where: { id: upload.id } });
  if (done.status !== "done") throw new Error(`${filename}: ${done.error ?? "the upload failed"}`);
  return { uploadId: upload.id, stored: done.stored, duplicates: done.duplicates };
}

/**
 * What to do once an upload has landed. The server wires the detection engine here (instrumentation.ts), so that
 * ingestion does not depend on the steps that follow it.
 */
export function setAfterUpload(hook: (uploadId: string) => Promise<unknown>): void {
  queue().afterUpload = hook;
}

/** Queues a spooled upload for processing; resolves when it has been processed (successfully or not). */
export function enqueueUpload(uploadId: string, format?: InputFormat, defaults: RecordDefaults = {}): Promise<void> {
  const state = queue();
  const run = async () => {
    state.live.set(uploadId, { bytesProcessed: 0, recordsRead: 0, stored: 0, duplicates: 0, rejected: 0, notices: [] });
    let landed = false;
    try {
      await processUpload(uploadId, spoolPath(uploadId), { format, ...defaults, onProgress: (p) => state.live.set(uploadId, p) });
      landed = true;
    } catch {
      // processUpload recorded the failure on the upload itself.
    }
    try {
      if (landed) await state.afterUpload?.(uploadId);
    } catch (e) {
      console.error(`detections after upload ${uploadId} failed:`, e);
    } finally {
      state.live.delete(uploadId);
      fs.rmSync(spoolPath(uploadId), { force: true });
    }
    await tidyEventsTable().catch((e: unknown) => console.error(`VACUUM after upload ${uploadId} failed:`, e));
  };
  const done = state.tail.then(run);
  state.tail = done;
  return done;
}

/** Format-level progress of an upload being processed right now (EVTX chunks), if any. */
export function liveProgress(uploadId: string): UploadProgress | undefined {
  return queue().live.get(uploadId);
}

/**
 * Called once at server start. An upload still "processing" was cut off by a stop or crash: what it added is
 * removed and it is marked failed, so nothing is half-written. Queued uploads whose file is still spooled are
 * queued again.
 */
export async function recoverUploads(): Promise<{ failed: number; requeued: number }> {
  const client = await pgPool().connect();
  let failed = 0;
  let requeued = 0;
  try {
    const { rows } = await client.query<{ id: string; status: string; format: string | null }>(
      `SELECT id, status, format FROM uploads WHERE status IN ('queued', 'processing') ORDER BY created_at`,
    );
    for (const upload of rows) {
      if (upload.status === "queued" && fs.existsSync(spoolPath(upload.id))) {
        enqueueUpload(upload.id, parseFormatOverride(upload.format));
        requeued++;
        continue;
      }
      await removeUploadEvents(client, upload.id);
      await client.query(
        `UPDATE uploads SET status = 'failed', stored = 0, finished_at = now(),
           error = 'The server stopped while this file was being processed; the events it had added were removed. Upload it again.'
         WHERE id = $1`,
        [upload.id],
      );
      fs.rmSync(spoolPath(upload.id), { force: true });
      failed++;
    }
  } finally {
    client.release();
  }
  return { failed, requeued };
}

/** Waits until every queued upload has been processed (tests, CLI). */
export async function drainUploads(): Promise<void> {
  let tail: Promise<unknown>;
  do {
    tail = queue().tail;
    await tail;
  } while (tail !== queue().tail);
}
