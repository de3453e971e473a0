// Uploads: a file arrives (HTTP body, the CLI, the demo fleet), is spooled whole, and only then becomes work: an
// ingest job in PostgreSQL (lib/jobs), sent in the same transaction that marks the upload queued. Workers do the
// rest (ingest-job.ts, then the detections). Nothing here runs on the web server's event loop but the transfer.
//
// Lifecycle: receiving → queued → processing → detecting → done, or failed (with the reason) from any of the
// first three. A body that never fully arrives is never processed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import type pg from "pg";
import { db } from "../db/client";
import type { UploadStatus } from "../db/enums";
import { execute, queryOne, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { jobBoss, sendJob } from "../jobs/boss";
import { QUEUES } from "../jobs/queues";
import { LEASE_SECONDS, RENEW_EVERY_MS } from "../jobs/leases";
import { INPUT_FORMATS, type InputFormat } from "./event";
import { ingestLimits } from "./limits";
import { removeSpool, spoolBody, UploadCutOffError } from "./spool";

export { UploadCutOffError, UploadTooLargeError } from "./spool";

export interface RecordDefaults {
  host?: string;
  channel?: string;
}

export function parseFormatOverride(value: string | null | undefined): InputFormat | undefined {
  if (!value || value === "auto") return undefined;
  if ((INPUT_FORMATS as readonly string[]).includes(value)) return value as InputFormat;
  throw new Error(`unknown format '${value}' (one of: auto, ${INPUT_FORMATS.join(", ")})`);
}

/** Marks a received upload queued and sends its ingest job, in one transaction. */
export async function enqueueIngest(client: pg.ClientBase, uploadId: string, options: { startAfter?: Date } = {}): Promise<string> {
  const jobId = await sendJob(client, QUEUES.ingest, { uploadId }, options);
  await execute(sql`UPDATE uploads SET status = 'queued', job_id = ${jobId}, worker = NULL WHERE id = ${uploadId}`, client);
  return jobId;
}

/** Sends the detection job of an upload whose events are stored (inside the caller's transaction). */
export async function enqueueDetect(client: pg.ClientBase, uploadId: string, options: { startAfter?: Date } = {}): Promise<string> {
  return sendJob(client, QUEUES.detect, { uploadId }, options);
}

/**
 * Receives an upload: records it as `receiving`, streams the body into the spool (bounded, hashed, flushed), then
 * queues it. A body larger than the limit, or cut off mid-transfer, leaves a failed upload saying why and no file.
 * While the body streams, the upload's receive lease is renewed: if this process dies, a worker's reaper fails the
 * upload once the lease lapses. (A client that stops sending is cut off by the HTTP server's request timeout.)
 */
export async function receiveUpload(input: {
  filename: string;
  body: Readable | ReadableStream<Uint8Array>;
  format?: InputFormat;
  /** Computer and log name for records that do not carry them (Event Viewer CSV). */
  defaults?: RecordDefaults;
  uploadedById?: string | null;
  /** The declared length (Content-Length): a body that ends short of it was cut off. */
  expectedBytes?: number;
  /** A HTTP Event Collector batch (lib/hec): its token, channel and ackId, by which its client asks whether it is stored. */
  hec?: { tokenId: string; channel: string | null; ackId: number | null };
}): Promise<string> {
  const { maxUploadBytes } = ingestLimits();
  const upload = await db().upload.create({
    data: {
      filename: input.filename.slice(0, 500),
      format: input.format ?? null,
      status: "receiving",
      recordHost: input.defaults?.host ?? null,
      recordChannel: input.defaults?.channel ?? null,
      uploadedById: input.uploadedById ?? null,
      hecTokenId: input.hec?.tokenId ?? null,
      hecChannel: input.hec?.channel ?? null,
      hecAckId: input.hec?.ackId ?? null,
      receivingUntil: new Date(Date.now() + LEASE_SECONDS * 1000),
    },
  });
  // The receive lease is renewed on a timer while the transfer lasts (a client may pause), with the bytes so far.
  let received = 0;
  const renew = setInterval(() => {
    execute(
      sql`UPDATE uploads SET size_bytes = ${received}, receiving_until = now() + make_interval(secs => ${LEASE_SECONDS})
          WHERE id = ${upload.id} AND status = 'receiving'`,
    ).catch(() => {});
  }, RENEW_EVERY_MS);
  renew.unref();
  let spooled;
  try {
    spooled = await spoolBody(upload.id, input.body, {
      maxBytes: maxUploadBytes,
      expectedBytes: input.expectedBytes,
      onProgress: (bytes) => {
        received = bytes;
      },
    });
  } catch (e) {
    await execute(
      sql`UPDATE uploads SET status = 'failed', error = ${e instanceof Error ? e.message : String(e)}, finished_at = now(), receiving_until = NULL
          WHERE id = ${upload.id} AND status = 'receiving'`,
    );
    throw e;
  } finally {
    clearInterval(renew);
  }
  await markReceived(upload.id, spooled);
  return upload.id;
}

/** The body is whole: record its size and hash and queue it, or fail it if the reaper already gave up on it. */
async function markReceived(uploadId: string, spooled: { size: number; sha256: string }): Promise<void> {
  // pg-boss must be up before the transaction opens: on the embedded database every connection waits while one is
  // in a transaction, so starting it from inside would wait for ever.
  await jobBoss();
  const queued = await inTransaction(async (client) => {
    const received = await execute(
      sql`UPDATE uploads SET size_bytes = ${spooled.size}, sha256 = ${spooled.sha256}, received_at = now(), receiving_until = NULL
          WHERE id = ${uploadId} AND status = 'receiving'`,
      client,
    );
    if (received !== 1) return false;
    await enqueueIngest(client, uploadId);
    return true;
  });
  if (!queued) {
    removeSpool(uploadId);
    throw new UploadCutOffError("the upload was given up while it was being received (the receiver's lease lapsed); send it again");
  }
}

/**
 * Ingests a file this process writes itself (the demo fleet) exactly as an upload: `write` fills a spool file,
 * which is then received and queued like any other. Resolves with the upload id once queued.
 */
export async function receiveOwnFile(filename: string, write: (file: string) => Promise<void>, options: { uploadedById?: string | null } = {}): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-own-"));
  const file = path.join(dir, filename);
  try {
    await write(file);
    return await receiveUpload({ filename, body: fs.createReadStream(file), uploadedById: options.uploadedById, expectedBytes: fs.statSync(file).size });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Statuses of an upload that is not over yet. */
export const ACTIVE_UPLOAD_STATUSES = ["receiving", "queued", "processing", "detecting"] as const satisfies readonly UploadStatus[];

/**
 * Waits until these uploads are over (done or failed), polling the database: the work itself is done by workers,
 * in this process or others. Rejects after `timeoutMs`.
 */
export async function waitForUploads(uploadIds: string[], options: { timeoutMs?: number; onPoll?: () => void } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  for (;;) {
    const active = await queryOne<{ n: string }>(
      sql`SELECT count(*) AS n FROM uploads WHERE id = ANY(${uploadIds}::uuid[]) AND status::text = ANY(${[...ACTIVE_UPLOAD_STATUSES]}::text[])`,
    );
    options.onPoll?.();
    if (Number(active?.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`uploads still in progress after ${Math.round((options.timeoutMs ?? 0) / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export { removeSpool };
