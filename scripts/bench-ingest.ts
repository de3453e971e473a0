// npm run bench:ingest — end-to-end ingest throughput (read, parse, normalize, dedupe, store) on large files.
//
// Generates (or reuses, under .bench/) a large Splunk XML file and a large classic-text file from the demo
// fleet generator, ingests each into a scratch database on the configured server (DATABASE_URL, else the
// embedded PGlite), and prints events/s, MB/s, this process's CPU time and peak RSS — plus, as the physical
// limit, the time `psql \copy` needs to load the same normalized rows into the events table (partitioned, emptied)
// and into the layout it had before partitioning (one table, the event key unique on its own).
// Two more figures say where the time goes: the same \copy into a copy with no index but the primary key (what
// the indexes the product needs cost PostgreSQL), and Node's share alone (read, parse, normalize, encode; no
// database). On two cores the two sides run side by side, so end to end is bounded by the slower of them.
// Last, two XML files of that size at once (the second the same fleet's previous 30 days, so no event is shared),
// worked by two real worker processes (`iiswatch worker`, as `npm start` runs them): their events/s together.
// BENCH_INGEST_REUPLOAD=1 measures re-uploads instead: the XML file ingested, then the same file uploaded again
// (recognised by its SHA-256: not read), then read again in full (the same bytes with the format named, which is
// not "read the same way": what a re-upload cost before, and what a file whose records are all held costs).
//   BENCH_INGEST_MB=1000 npm run bench:ingest     size of each generated file (default 1000)
//   BENCH_INGEST_FORMATS=xml npm run bench:ingest  the single-file formats measured (default xml,classic)
//   BENCH_INGEST_REUPLOAD=1 BENCH_INGEST_MB=200 npm run bench:ingest
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeDemoFleet } from "../lib/demo/load";
import { createScratchDatabase } from "../lib/db/scratch";
import { WORKER_NODE_ARGS, workerProcessEnv, workerProcessArgs } from "../lib/pipeline/worker-process";

const ROOT = path.resolve(import.meta.dirname, "..");
const BENCH_DIR = path.join(ROOT, ".bench");
const targetMb = Number(process.env.BENCH_INGEST_MB ?? 1000);

const FLEET = { days: 30, end: new Date("2026-11-01T00:00:00Z"), seed: 7 } as const;
/** The same fleet's previous 30 days: a second file of the same shape whose events are all different. */
const EARLIER_FLEET = { ...FLEET, end: new Date(FLEET.end.getTime() - FLEET.days * 86_400_000) } as const;

// The spool of this benchmark's own (not .data/spool, which a running dashboard's workers sweep of files their
// database does not know).
process.env.IISWATCH_SPOOL_DIR ??= path.join(BENCH_DIR, "spool");

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

async function ensureFile(format: "xml" | "classic", earlier = false): Promise<string> {
  const file = path.join(BENCH_DIR, `ingest-${format}-${targetMb}mb${earlier ? "-earlier" : ""}.${format === "xml" ? "xml" : "log"}`);
  // Reuse a file generated earlier, unless it is far from the size asked for (older versions of this script
  // wrote files about half their name's size).
  if (fs.existsSync(file) && Math.abs(fs.statSync(file).size / 1e6 / targetMb - 1) < 0.2) return file;
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const hosts = Math.max(1, Math.round((targetMb * 1e6) / (await bytesPerHost(format))));
  console.log(`generating ${path.relative(ROOT, file)} (${hosts} hosts × ${FLEET.days} days)…`);
  await writeDemoFleet(file, { ...(earlier ? EARLIER_FLEET : FLEET), format, hosts });
  return file;
}

interface Row {
  file: string;
  mb: number;
  events: number;
  seconds: number;
  /** CPU time (user + system) of the process(es) doing the work during the ingest: Node's share of it. */
  cpuSeconds: number;
  peakRssMb: number;
  copySeconds: number | null;
  /** The same \copy into the layout before partitioning (one table, the key unique on its own). */
  oldCopySeconds: number | null;
  /** The same \copy into a copy of the table with its primary key only: what the secondary indexes cost. */
  bareCopySeconds: number | null;
  /** Node's side alone: reading, normalizing and encoding every event as COPY text, with no database. */
  nodeOnlySeconds: number | null;
}

/** Node's whole share of the work, without the database: read, parse, normalize, key and encode each event. */
async function nodeOnly(file: string): Promise<number> {
  const { readLogFileBatches } = await import("../lib/ingest/read-file");
  const { EventBatch } = await import("../lib/ingest/store");
  const started = performance.now();
  let batch = new EventBatch("00000000-0000-0000-0000-000000000000", "copy");
  // Read as the pipeline reads (pipeline.ts stageUpload): a batch of records per chunk of the file.
  for await (const { records } of readLogFileBatches(file)) {
    for (const record of records) {
      if (record.ok) batch.add(record.event);
      if (batch.length >= 10_000) batch = new EventBatch(batch.uploadId, "copy");
    }
  }
  return (performance.now() - started) / 1000;
}

/** A scratch database for one measurement, and the pipeline's modules bound to it (imported once DATABASE_URL names it). */
async function pipelineOnScratch(purpose: string) {
  const scratch = await createScratchDatabase(purpose);
  process.env.DATABASE_URL = scratch.url;
  return {
    scratch,
    ...(await import("../lib/db/client")),
    ...(await import("../lib/db/pg")),
    ...(await import("../lib/ingest/uploads")),
    ...(await import("../lib/pipeline/worker")),
    ...(await import("../lib/jobs/boss")),
    ...(await import("../lib/pipeline/delete-upload")),
  };
}

async function benchOne(file: string): Promise<Row> {
  const { scratch, db, disconnectDb, closePgPool, pgPool, receiveUpload, waitForUploads, startWorker, stopJobBoss } = await pipelineOnScratch("bench_ingest");
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
    let oldCopySeconds: number | null = null;
    let bareCopySeconds: number | null = null;
    if (scratch.kind === "postgres") {
      // The same normalized rows, loaded by psql's \copy into an empty copy of the table: the physical limit.
      // Then into a copy with no index but its primary key, to show what the indexes the product needs cost.
      // Three targets: the layout before partitioning (one table, its primary key on id, the 43-character event key
      // unique on its own, and its four other indexes), the partitioned table itself (emptied; its partitions stay),
      // and a table with its primary key only.
      const tsv = path.join(BENCH_DIR, "normalized-rows.tsv");
      await pgPool().query("CREATE TABLE events_old_layout (LIKE events INCLUDING DEFAULTS, PRIMARY KEY (id), UNIQUE (event_key))");
      for (const columns of ["time", "host_id, time, event_code", "event_code, time", "upload_id"]) {
        await pgPool().query(`CREATE INDEX ON events_old_layout (${columns})`);
      }
      await pgPool().query("CREATE TABLE events_bare (LIKE events INCLUDING DEFAULTS, PRIMARY KEY (id))");
      execFileSync("psql", [scratch.url, "-qc", `\\copy (SELECT * FROM events ORDER BY id) TO '${tsv}'`]);
      const timeCopy = (table: string) => {
        const t = performance.now();
        execFileSync("psql", [scratch.url, "-qc", `\\copy ${table} FROM '${tsv}'`]);
        return (performance.now() - t) / 1000;
      };
      oldCopySeconds = timeCopy("events_old_layout");
      await pgPool().query("TRUNCATE events");
      copySeconds = timeCopy("events");
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
      oldCopySeconds,
      bareCopySeconds,
      nodeOnlySeconds: await nodeOnly(file),
    };
  } finally {
    await disconnectDb();
    await closePgPool();
    await scratch.drop();
  }
}

/** CPU seconds (user + system) and peak RSS (MB) of a live process, from /proc (Linux); null elsewhere. */
function procUsage(pid: number): { cpuSeconds: number; peakRssMb: number } | null {
  try {
    // Fields after the command name (which may hold spaces): state is the 3rd field, utime and stime the 14th and 15th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return { cpuSeconds: ticks / 100, peakRssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return null;
  }
}

/** A worker process as `npm start` runs it (`iiswatch worker`), on `url`; resolves once it is taking jobs. */
async function startWorkerProcess(url: string, index: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, workerProcessArgs(ROOT, ["--no-scheduler"]), {
    cwd: ROOT,
    // At normal priority unless asked otherwise, like the in-process worker of the single-file rows: here nothing
    // competes with the workers but PostgreSQL (and whatever else runs on the machine).
    env: workerProcessEnv({ ...process.env, DATABASE_URL: url, IISWATCH_WORKER_INDEX: String(index), IISWATCH_WORKER_NICE: process.env.IISWATCH_WORKER_NICE ?? "0", IISWATCH_SCHEDULER: "off" }),
    // With an IPC channel the worker stops by itself if this process goes away.
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes("working uploads")) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`worker ${index} exited (${code}) before it was ready:\n${output}`)));
  });
  return { child, output: () => output };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(killer);
}

/** Two files received at once and worked by two worker processes: events/s of the two together. */
async function benchTwo(files: [string, string]): Promise<Row> {
  const scratch = await createScratchDatabase("bench_ingest2");
  if (scratch.kind !== "postgres") {
    // Worker processes need a server they can all reach; the in-memory embedded database is this process's own.
    await scratch.drop();
    throw new Error("two worker processes need a PostgreSQL server (DATABASE_URL)");
  }
  process.env.DATABASE_URL = scratch.url;
  const { db, disconnectDb } = await import("../lib/db/client");
  const { closePgPool } = await import("../lib/db/pg");
  const { receiveUpload, waitForUploads } = await import("../lib/ingest/uploads");
  const { stopJobBoss } = await import("../lib/jobs/boss");
  const workers: { child: ChildProcess; output: () => string }[] = [];
  try {
    for (const i of [0, 1]) workers.push(await startWorkerProcess(scratch.url, i));
    const usageBefore = workers.map((w) => procUsage(w.child.pid!));
    const started = performance.now();
    // Both bodies received side by side, as two clients uploading at once.
    const ids = await Promise.all(
      files.map((file) => receiveUpload({ filename: path.basename(file), body: fs.createReadStream(file), expectedBytes: fs.statSync(file).size })),
    );
    await waitForUploads(ids);
    const seconds = (performance.now() - started) / 1000;
    const usage = workers.map((w, i) => {
      const [before, after] = [usageBefore[i], procUsage(w.child.pid!)];
      return before && after ? { cpuSeconds: after.cpuSeconds - before.cpuSeconds, peakRssMb: after.peakRssMb } : null;
    });
    const uploads = await db().upload.findMany({ where: { id: { in: ids } } });
    const failed = uploads.filter((u) => u.status !== "done");
    if (failed.length) throw new Error(`upload(s) not done: ${failed.map((u) => `${u.filename} ${u.status} ${u.error ?? ""}`).join("; ")}`);
    // Both workers must have ingested a file (the one that did logs "upload <id>: <status> (<n> stored, …"), or this
    // measured one worker.
    const ingested = workers.map((w) => ids.filter((id) => new RegExp(`upload ${id}: \\w+ \\(\\d+ stored`).test(w.output())).length);
    if (ingested.some((n) => n !== 1)) console.warn(`warning: the files were not one per worker (worker 0 ingested ${ingested[0]}, worker 1 ${ingested[1]})`);
    return {
      file: `${path.basename(files[0])} and its -earlier twin at once, 2 worker processes`,
      mb: files.reduce((sum, f) => sum + fs.statSync(f).size / 1e6, 0),
      events: uploads.reduce((sum, u) => sum + u.stored, 0),
      seconds,
      cpuSeconds: usage.every(Boolean) ? usage.reduce((sum, u) => sum + u!.cpuSeconds, 0) : NaN,
      peakRssMb: usage.every(Boolean) ? Math.max(...usage.map((u) => u!.peakRssMb)) : NaN,
      copySeconds: null,
      oldCopySeconds: null,
      bareCopySeconds: null,
      nodeOnlySeconds: null,
    };
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w.child)));
    await stopJobBoss();
    await disconnectDb();
    await closePgPool();
    await scratch.drop();
  }
}

/** The file ingested, then uploaded again (recognised), then read again in full: each end to end, received to done. */
async function benchReupload(file: string): Promise<void> {
  const { scratch, db, disconnectDb, closePgPool, pgPool, receiveUpload, waitForUploads, startWorker, stopJobBoss, deleteUpload } =
    await pipelineOnScratch("bench_reupload");
  const worker = await startWorker({ scheduler: false, pollingIntervalSeconds: 0.5, log: () => {} });
  // An upload is `done` once its detections have evaluated it; its detection job then still evaluates the risk
  // incident rules, and its ingest job VACUUMs the events table. Each upload is timed until all of that is over
  // too, so that one upload's tail is neither left out of its time nor counted in the next one's.
  const waitIdle = async () => {
    for (;;) {
      const { rows } = await pgPool().query<{ n: string }>(
        `SELECT (SELECT count(*) FROM pgboss.job WHERE name LIKE 'iiswatch-%' AND state IN ('created', 'retry', 'active') AND start_after <= now())
              + (SELECT count(*) FROM work_leases) AS n`,
      );
      if (Number(rows[0].n) === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    const upload = async (label: string, format?: "xml") => {
      const started = performance.now();
      const id = await receiveUpload({ filename: path.basename(file), body: fs.createReadStream(file), expectedBytes: fs.statSync(file).size, format });
      await waitForUploads([id]);
      await waitIdle();
      const seconds = (performance.now() - started) / 1000;
      const idle = new Date();
      const u = await db().upload.findUniqueOrThrow({ where: { id } });
      if (u.status !== "done") throw new Error(`${label}: ${u.status} ${u.error ?? ""}`);
      const span = (from: Date | null, to: Date | null) => (from && to ? (to.getTime() - from.getTime()) / 1000 : NaN);
      // finished_at is the storing transaction's start (now()); its detection job starts once it commits.
      const { rows } = await pgPool().query<{ started: Date | null }>(
        `SELECT min(started_on) AS started FROM pgboss.job WHERE name = 'iiswatch-detect' AND data->>'uploadId' = $1`,
        [id],
      );
      const detectStarted = rows[0]?.started ?? null;
      return {
        id,
        label,
        seconds,
        // Where the time went: the body received (streamed to the spool, hashed, flushed), waiting for a worker,
        // claimed to the storing transaction (the file read into staging; nothing when recognised), that transaction
        // (merge, or holding the earlier upload's events) until its detection job starts, the detections, then the
        // risk incident rules and the VACUUM until the worker is idle.
        receiving: span(u.createdAt, u.receivedAt),
        waiting: span(u.receivedAt, u.startedAt),
        reading: span(u.startedAt, u.finishedAt),
        storing: span(u.finishedAt, detectStarted),
        detecting: span(detectStarted, u.evaluatedAt),
        after: span(u.evaluatedAt, idle),
        read: u.recordsRead,
        stored: u.stored,
        duplicates: u.duplicates,
        rejected: u.rejected,
      };
    };
    const rows = [await upload("first ingest"), await upload("same file again (recognised)"), await upload("same file again, read in full (format named)", "xml")];
    const [first, again, full] = rows;
    console.log(`\nre-upload of ${path.basename(file)} (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) on ${scratch.kind === "postgres" ? "PostgreSQL" : "the embedded PGlite"}`);
    console.table(
      rows.map((r) => ({
        upload: r.label,
        "received to idle s": r.seconds.toFixed(1),
        "receiving s": r.receiving.toFixed(1),
        "waiting s": r.waiting.toFixed(1),
        "reading s": r.reading.toFixed(1),
        "storing s": r.storing.toFixed(1),
        "detecting s": r.detecting.toFixed(1),
        "incidents, VACUUM s": r.after.toFixed(1),
        read: r.read,
        stored: r.stored,
        duplicates: r.duplicates,
        rejected: r.rejected,
        "vs first": `${((100 * r.seconds) / first.seconds).toFixed(1)} %`,
      })),
    );
    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;
    console.log(`recognised re-upload: ${again.seconds.toFixed(1)} s of the first ingest's ${first.seconds.toFixed(1)} s = ${pct(again.seconds, first.seconds)} (goal ≤ 10 %); read in full: ${pct(full.seconds, first.seconds)}`);
    const worked = (r: typeof first) => r.seconds - r.receiving;
    console.log(
      `after the body has arrived: recognised ${worked(again).toFixed(1)} s of ${worked(first).toFixed(1)} s = ${pct(worked(again), worked(first))}; ` +
        `read in full ${pct(worked(full), worked(first))}`,
    );
    // Deleting the first upload while the recognised one stands hands every event it stored to that one (its alias).
    const deleting = performance.now();
    const deleted = await deleteUpload(first.id);
    console.log(
      `deleting the first upload: ${((performance.now() - deleting) / 1000).toFixed(1)} s, its ${deleted?.eventsKept} events handed to the recognised upload, ${deleted?.events} deleted`,
    );
    console.log(`Node's share alone of reading it (parse, normalize, key, encode; no database): ${(await nodeOnly(file)).toFixed(1)} s`);
  } finally {
    await worker.stop();
    await stopJobBoss();
    await disconnectDb();
    await closePgPool();
    await scratch.drop();
  }
}

async function main() {
  if (process.env.BENCH_INGEST_REUPLOAD === "1") {
    await benchReupload(await ensureFile("xml"));
    console.log(`load average: ${os.loadavg().map((n) => n.toFixed(2)).join(", ")} (${os.cpus().length} cores)`);
    return;
  }
  const rows: Row[] = [];
  const formats = (process.env.BENCH_INGEST_FORMATS ?? "xml,classic").split(",").filter((f): f is "xml" | "classic" => f === "xml" || f === "classic");
  for (const format of formats) rows.push(await benchOne(await ensureFile(format)));
  if (process.env.DATABASE_URL) rows.push(await benchTwo([await ensureFile("xml"), await ensureFile("xml", true)]));
  else console.log("\n(two files with two worker processes: skipped, it needs a PostgreSQL server in DATABASE_URL)");
  console.log(
    `\ningest end to end on ${process.env.DATABASE_URL ? "PostgreSQL" : "the embedded PGlite"} (CPU and peak RSS: this whole process, cumulative, ` +
      `for the single files; the two worker processes' CPU and the larger one's peak RSS for two at once)`,
  );
  console.table(
    rows.map((r) => ({
      file: r.file,
      MB: r.mb.toFixed(0),
      events: r.events,
      seconds: r.seconds.toFixed(1),
      "events/s": Math.round(r.events / r.seconds),
      "MB/s": (r.mb / r.seconds).toFixed(1),
      "node CPU s": r.cpuSeconds.toFixed(1),
      "node alone events/s": r.nodeOnlySeconds ? Math.round(r.events / r.nodeOnlySeconds) : "n/a",
      "peak RSS MB": r.peakRssMb.toFixed(0),
      "psql \\copy s": r.copySeconds?.toFixed(1) ?? "n/a",
      "\\copy events/s": r.copySeconds ? Math.round(r.events / r.copySeconds) : "n/a",
      "\\copy, old layout, events/s": r.oldCopySeconds ? Math.round(r.events / r.oldCopySeconds) : "n/a",
      "\\copy, pkey only, events/s": r.bareCopySeconds ? Math.round(r.events / r.bareCopySeconds) : "n/a",
    })),
  );
  console.log(`load average: ${os.loadavg().map((n) => n.toFixed(2)).join(", ")} (${os.cpus().length} cores)`);
}

/**
 * The single-file rows measure this process as the worker that does the work: it runs with a worker process's
 * settings (lib/pipeline/worker-process.ts), which glibc and V8 read at start, so it starts itself again with them.
 */
function asWorkerProcess(): boolean {
  if (process.env.BENCH_INGEST_AS_WORKER === "1") return false;
  const child = spawn(process.execPath, [...WORKER_NODE_ARGS, "--import", "tsx", import.meta.filename], {
    stdio: "inherit",
    env: workerProcessEnv({ ...process.env, BENCH_INGEST_AS_WORKER: "1" }),
  });
  const stop = () => child.kill("SIGTERM");
  process.on("SIGINT", stop).on("SIGTERM", stop);
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}

if (!asWorkerProcess()) main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
