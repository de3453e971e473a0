// The pipeline's recovery paths, driven on the test database: the reaper hands back the work of a worker whose
// lease lapsed and fails transfers that stopped; attempts are bounded; the spool keeps only what is needed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../lib/db/client";
import { pgPool } from "../lib/db/pg";
import { spoolDir } from "../lib/ingest/spool";
import { receiveUpload } from "../lib/ingest/uploads";
import { reap, sweepOrphanSpool } from "../lib/pipeline/reaper";
import { resetDatabase } from "./db-setup";
import { drainUploads } from "./pipeline";
import { SAMPLE_2282_XML } from "./samples";

beforeEach(async () => {
  await resetDatabase();
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-pipeline-"));
});

const receive = () => {
  const bytes = fs.readFileSync(SAMPLE_2282_XML);
  return receiveUpload({ filename: "sample.xml", body: new Blob([bytes]).stream(), expectedBytes: bytes.length });
};

describe("a worker that stopped renewing its lease", () => {
  it("has its upload queued again by the reaper, which another worker then processes once", async () => {
    const id = await receive();
    const { jobId } = await db().upload.findUniqueOrThrow({ where: { id } });
    // A worker claimed it and died: the upload is processing under a lease that has lapsed.
    await pgPool().query(`UPDATE uploads SET status = 'processing', worker = 'dead-worker', attempts = 1 WHERE id = $1`, [id]);
    await pgPool().query(`INSERT INTO work_leases (job_id, queue, upload_id, owner, expires_at) VALUES ($1, 'iiswatch-ingest', $2, 'dead-worker', now() - interval '1 second')`, [
      jobId,
      id,
    ]);
    const report = await reap();
    expect(report.leasesExpired).toBe(1);
    const requeued = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(requeued.status).toBe("queued");
    expect(requeued.jobId).not.toBe(jobId);
    expect(requeued.error).toMatch(/dead-worker stopped responding/);
    expect(await db().workLease.count()).toBe(0);
    await drainUploads();
    expect(await db().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "done", stored: 1, attempts: 2 });
    expect(await db().event.count()).toBe(1);
  });

  it("a live lease is left alone", async () => {
    const id = await receive();
    const { jobId } = await db().upload.findUniqueOrThrow({ where: { id } });
    await pgPool().query(`UPDATE uploads SET status = 'processing', worker = 'busy-worker' WHERE id = $1`, [id]);
    await pgPool().query(`INSERT INTO work_leases (job_id, queue, upload_id, owner, expires_at) VALUES ($1, 'iiswatch-ingest', $2, 'busy-worker', now() + interval '1 minute')`, [
      jobId,
      id,
    ]);
    expect(await reap()).toMatchObject({ leasesExpired: 0, resent: 0 });
    expect(await db().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "processing", jobId, worker: "busy-worker" });
  });

  it("after the last attempt the upload fails, saying so", async () => {
    const id = await receive();
    await pgPool().query(`UPDATE uploads SET attempts = 3, error = 'Connection terminated unexpectedly' WHERE id = $1`, [id]);
    await drainUploads();
    const failed = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("not processed after 3 attempts (last: Connection terminated unexpectedly)");
    expect(await db().event.count()).toBe(0);
    expect(fs.readdirSync(spoolDir())).toEqual([]);
  });
});

describe("a transfer that stopped", () => {
  it("is failed by the reaper once its receiver's lease lapses, and its partial file removed", async () => {
    const upload = await db().upload.create({ data: { filename: "half.evtx", status: "receiving", sizeBytes: 65536, receivingUntil: new Date(Date.now() - 1000) } });
    fs.mkdirSync(spoolDir(), { recursive: true });
    fs.writeFileSync(path.join(spoolDir(), `${upload.id}.part`), Buffer.alloc(65536));
    expect((await reap()).receivesFailed).toBe(1);
    const failed = await db().upload.findUniqueOrThrow({ where: { id: upload.id } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("the transfer stopped before the whole file arrived (65536 bytes received); nothing was processed. Upload it again.");
    expect(fs.readdirSync(spoolDir())).toEqual([]);
  });
});

describe("the spool sweep", () => {
  it("removes the files of uploads that are over and old files of unknown uploads, and keeps the rest", async () => {
    const waiting = await receive();
    const over = await db().upload.create({ data: { filename: "old.xml", status: "done" } });
    const stranger = "00000000-0000-4000-8000-000000000000";
    const recent = "00000000-0000-4000-8000-000000000001";
    for (const name of [over.id, stranger, `${recent}.part`]) fs.writeFileSync(path.join(spoolDir(), name), "x");
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(spoolDir(), stranger), old, old);
    expect(await sweepOrphanSpool()).toBe(2);
    expect(fs.readdirSync(spoolDir()).sort()).toEqual([`${recent}.part`, waiting].sort());
  });
});

describe("two workers, two overlapping files at once", () => {
  it("store each event once, each report adds up, and deleting either upload keeps what the other holds", async () => {
    const { writeFleetLog } = await import("./faults/fixtures");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-overlap-"));
    const end = new Date("2026-10-01T00:00:00Z");
    // Two exports cut from one log: a record has the same time, so the same identity, in both.
    const timeline = { firstRecord: 1, count: 5000 };
    await writeFleetLog(path.join(dir, "a.xml"), { count: 3000, firstRecord: 1, end, timeline });
    await writeFleetLog(path.join(dir, "b.xml"), { count: 3000, firstRecord: 2001, end, timeline });
    const { startWorker } = await import("../lib/pipeline/worker");
    const workers = await Promise.all([1, 2].map((n) => startWorker({ name: `w${n}`, scheduler: false, pollingIntervalSeconds: 0.5, log: () => {} })));
    try {
      const ids = await Promise.all(
        ["a.xml", "b.xml"].map((name) => {
          const file = path.join(dir, name);
          return receiveUpload({ filename: name, body: fs.createReadStream(file), expectedBytes: fs.statSync(file).size });
        }),
      );
      await drainUploads();
      const uploads = await db().upload.findMany({ where: { id: { in: ids } } });
      for (const u of uploads) {
        expect(u.status).toBe("done");
        expect(u.recordsRead).toBe(u.stored + u.duplicates + u.rejected);
      }
      // Records 1–5000 once each; the 1000 they share counted as stored by one and duplicate by the other.
      expect(uploads.reduce((n, u) => n + u.stored, 0)).toBe(5000);
      expect(uploads.reduce((n, u) => n + u.duplicates, 0)).toBe(1000);
      expect(await db().event.count()).toBe(5000);
      const { rows } = await pgPool().query<{ n: string }>(`SELECT count(DISTINCT record_id) AS n FROM events`);
      expect(Number(rows[0].n)).toBe(5000);
      expect(await db().eventHolder.count()).toBe(1000);

      // Deleting the upload that stored the shared events first keeps them: they pass to the other.
      const first = uploads.find((u) => u.duplicates === 0) ?? uploads[0];
      const { deleteUpload } = await import("../lib/pipeline/delete-upload");
      const deleted = await deleteUpload(first.id);
      expect(deleted).toMatchObject({ events: 2000, eventsKept: 1000 });
      expect(await db().event.count()).toBe(3000);
      expect(await db().eventHolder.count()).toBe(0);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});
