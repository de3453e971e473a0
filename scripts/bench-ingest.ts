// npm run bench:ingest — end-to-end ingest throughput (read, parse, normalize, dedupe, store) on large files.
//
// Generates (or reuses, under .bench/) a large Splunk XML file and a large classic-text file from the demo
// fleet generator, ingests each into a scratch database on the configured server (DATABASE_URL, else the
// embedded PGlite), and prints events/s, MB/s, this process's CPU time and peak RSS — plus, as the physical
// limit, the time `psql \copy` needs to load the same normalized rows into an empty copy of the events table.
// Two more figures say where the time goes: the same \copy into a copy with no index but the primary key (what
// the indexes the product needs cost PostgreSQL), and Node's share alone (read, parse, normalize, encode; no
// database). On two cores the two sides run side by side, so end to end is bounded by the slower of them.
//   BENCH_INGEST_MB=1000 npm run bench:ingest     size of each generated file (default 1000)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { writeDemoFleet } from "../lib/demo/load";
import { createScratchDatabase } from "../lib/db/scratch";

const ROOT = path.resolve(import.meta.dirname, "..");
const BENCH_DIR = path.join(ROOT, ".bench");
const targetMb = Number(process.env.BENCH_INGEST_MB ?? 1000);

const FLEET = { days: 30, end: new Date("2026-11-01T00:00:00Z"), seed: 7 } as const;

/** Bytes the demo fleet writes per host (30 days), measured on a small fleet rather than guessed. */
async function bytesPerHost(format: "xml" | "classic"): Promise<number> {
  const sampleHosts = 20;
  const sample = path.join(BENCH_DIR, `calibrate-${format}.tmp`);
  try {
    await writeDemoFleet(sample, { ...FLEET, format, hosts: sampleHosts });
    return fs.statSync(sample).size / sampleHosts;
  } finally {
    fs.rmSync(sample, { force: true });
  }
}

async function ensureFile(format: "xml" | "classic"): Promise<string> {
  const file = path.join(BENCH_DIR, `ingest-${format}-${targetMb}mb.${format === "xml" ? "xml" : "log"}`);
  // Reuse a file generated earlier, unless it is far from the size asked for (older versions of this script
  // wrote files about half their name's size).
  if (fs.existsSync(file) && Math.abs(fs.statSync(file).size / 1e6 / targetMb - 1) < 0.2) return file;
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const hosts = Math.max(1, Math.round((targetMb * 1e6) / (await bytesPerHost(format))));
  console.log(`generating ${path.relative(ROOT, file)} (${hosts} hosts × ${FLEET.days} days)…`);
  await writeDemoFleet(file, { ...FLEET, format, hosts });
  return file;
}

interface Row {
  file: string;
  mb: number;
  events: number;
  seconds: number;
  /** CPU time of this process (user + system) during the ingest: Node's share of the work. */
  cpuSeconds: number;
  peakRssMb: number;
  copySeconds: number | null;
  /** The same \copy into a copy of the table with its primary key only: what the secondary indexes cost. */
  bareCopySeconds: number | null;
  /** Node's side alone: reading, normalizing and encoding every event as COPY text, with no database. */
  nodeOnlySeconds: number;
}

/** Node's whole share of the work, without the database: read, parse, normalize, key and encode each event. */
async function nodeOnly(file: string): Promise<number> {
  const { readLogFile } = await import("../lib/ingest/read-file");
  const { EventBatch } = await import("../lib/ingest/store");
  const started = performance.now();
  let batch = new EventBatch("00000000-0000-0000-0000-000000000000", "copy");
  for await (const { record } of readLogFile(file)) {
    if (record.ok) batch.add(record.event);
    if (batch.length >= 10_000) batch = new EventBatch(batch.uploadId, "copy");
  }
  return (performance.now() - started) / 1000;
}

async function benchOne(file: string): Promise<Row> {
  const scratch = await createScratchDatabase("bench_ingest");
  process.env.DATABASE_URL = scratch.url;
  const { db, disconnectDb } = await import("../lib/db/client");
  const { closePgPool, pgPool } = await import("../lib/db/pg");
  const { receiveUpload, waitForUploads } = await import("../lib/ingest/uploads");
  const { startWorker } = await import("../lib/pipeline/worker");
  const { stopJobBoss } = await import("../lib/jobs/boss");
  try {
    // The whole pipeline as a user gets it: received, queued, worked by a worker (in this process, so that its CPU
    // is measured), detections included.
    const worker = await startWorker({ scheduler: false, pollingIntervalSeconds: 0.5, log: () => {} });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const id = await receiveUpload({ filename: path.basename(file), body: fs.createReadStream(file), expectedBytes: fs.statSync(file).size });
    await waitForUploads([id]);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await worker.stop();
    await stopJobBoss();
    const p = await db().upload.findUniqueOrThrow({ where: { id } });

    let copySeconds: number | null = null;
    let bareCopySeconds: number | null = null;
    if (scratch.kind === "postgres") {
      // The same normalized rows, loaded by psql's \copy into an empty copy of the table: the physical limit.
      // Then into a copy with no index but its primary key, to show what the indexes the product needs cost.
      const tsv = path.join(BENCH_DIR, "normalized-rows.tsv");
      await pgPool().query("CREATE TABLE events_copy (LIKE events INCLUDING ALL)");
      await pgPool().query("CREATE TABLE events_bare (LIKE events INCLUDING DEFAULTS, PRIMARY KEY (id))");
      execFileSync("psql", [scratch.url, "-qc", `\\copy (SELECT * FROM events) TO '${tsv}'`]);
      const timeCopy = (table: string) => {
        const t = performance.now();
        execFileSync("psql", [scratch.url, "-qc", `\\copy ${table} FROM '${tsv}'`]);
        return (performance.now() - t) / 1000;
      };
      copySeconds = timeCopy("events_copy");
      bareCopySeconds = timeCopy("events_bare");
      fs.rmSync(tsv, { force: true });
    }
    return {
      file: path.basename(file),
      mb: fs.statSync(file).size / 1e6,
      events: p.stored,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      copySeconds,
      bareCopySeconds,
      nodeOnlySeconds: await nodeOnly(file),
    };
  } finally {
    await disconnectDb();
    await closePgPool();
    await scratch.drop();
  }
}

async function main() {
  const rows: Row[] = [];
  for (const format of ["xml", "classic"] as const) rows.push(await benchOne(await ensureFile(format)));
  console.log(`\ningest end to end on ${process.env.DATABASE_URL ? "PostgreSQL" : "the embedded PGlite"} (peak RSS is of this whole process, cumulative)`);
  console.table(
    rows.map((r) => ({
      file: r.file,
      MB: r.mb.toFixed(0),
      events: r.events,
      seconds: r.seconds.toFixed(1),
      "events/s": Math.round(r.events / r.seconds),
      "MB/s": (r.mb / r.seconds).toFixed(1),
      "node CPU s": r.cpuSeconds.toFixed(1),
      "node alone events/s": Math.round(r.events / r.nodeOnlySeconds),
      "peak RSS MB": r.peakRssMb.toFixed(0),
      "psql \\copy s": r.copySeconds?.toFixed(1) ?? "n/a",
      "\\copy events/s": r.copySeconds ? Math.round(r.events / r.copySeconds) : "n/a",
      "\\copy, pkey only, events/s": r.bareCopySeconds ? Math.round(r.events / r.bareCopySeconds) : "n/a",
    })),
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
