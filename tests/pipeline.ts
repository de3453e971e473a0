// The pipeline as database tests drive it: files received as uploads, then worked by a real worker (pg-boss on
// the test database, leases, staging and merge) in this process until every upload is over.
import fs from "node:fs";
import path from "node:path";
import { db } from "../lib/db/client";
import { pgPool } from "../lib/db/pg";
import { ACTIVE_UPLOAD_STATUSES, receiveUpload, type RecordDefaults } from "../lib/ingest/uploads";
import { startWorker } from "../lib/pipeline/worker";
import type { InputFormat } from "../lib/ingest/event";

/** Works every upload in progress to its end (done or failed) with a worker in this process. */
export async function drainUploads(timeoutMs = 120_000): Promise<void> {
  const worker = await startWorker({ scheduler: false, pollingIntervalSeconds: 0.5, log: () => {} });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await pgPool().query<{ n: string }>(`SELECT count(*) AS n FROM uploads WHERE status::text = ANY($1::text[])`, [[...ACTIVE_UPLOAD_STATUSES]]);
      if (Number(rows[0].n) === 0) return;
      if (Date.now() > deadline) throw new Error("uploads still in progress");
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await worker.stop();
  }
}

/** Receives a file as an upload and works it to its end; the outcome is "ok" or the upload's error. */
export async function ingestFile(file: string, options: { name?: string; format?: InputFormat; defaults?: RecordDefaults } = {}) {
  const id = await receiveUpload({
    filename: options.name ?? path.basename(file),
    body: fs.createReadStream(file),
    format: options.format,
    defaults: options.defaults,
    expectedBytes: fs.statSync(file).size,
  });
  await drainUploads();
  const upload = await db().upload.findUniqueOrThrow({ where: { id } });
  return { outcome: upload.status === "done" ? "ok" : (upload.error ?? upload.status), upload };
}
