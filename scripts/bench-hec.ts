// npm run bench:hec — live ingestion over HTTP Event Collector, end to end: events/s accepted, and latency from a
// batch's request to its answer (accepted: on disk and queued), to its indexer acknowledgement (a worker stored its
// events) and, in near-real-time mode (IISWATCH_DETECTIONS=nrt), to the notable its module install raises.
//
// On a scratch database (DATABASE_URL's server, else the embedded one): the real HEC handlers (lib/hec/receive.ts)
// on a real socket in this process, as a web process serves them, and one worker process as `npm start` runs it
// (`iiswatch worker`, no clock: only the batches' own detection jobs run). BENCH_HEC_CONCURRENCY clients each send
// BENCH_HEC_BATCHES batches of BENCH_HEC_BATCH_SIZE events, one request after another, on a channel of their own with
// acknowledgement on; a `503` (code 9, server busy) is retried after its Retry-After, as HEC clients do, and counted.
// Each batch holds one Event 29 (a module installed on a host of its own, a minute ago: a new notable) and Windows
// System events the detections do not read. Acknowledgements are polled every 100 ms per channel and notables every
// 100 ms, so those latencies are at most that much late. Prints the load average before and after.
//   BENCH_HEC_MODE=both|scheduled|nrt   (default both: each on a fresh database)
//   BENCH_HEC_CONCURRENCY=4 BENCH_HEC_BATCH_SIZE=100 BENCH_HEC_BATCHES=10 npm run bench:hec
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createScratchDatabase } from "../lib/db/scratch";
import { workerProcessArgs, workerProcessEnv } from "../lib/pipeline/worker-process";
import { event29Xml, newChannel, serveHecRoutes } from "../tests/support/hec";

const ROOT = path.resolve(import.meta.dirname, "..");
const positiveInt = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got '${process.env[name]}')`);
  return n;
};
const CONCURRENCY = positiveInt("BENCH_HEC_CONCURRENCY", 4);
const BATCH_SIZE = positiveInt("BENCH_HEC_BATCH_SIZE", 100);
const BATCHES = positiveInt("BENCH_HEC_BATCHES", 10);
const MODE = process.env.BENCH_HEC_MODE ?? "both";
if (!["both", "scheduled", "nrt"].includes(MODE)) throw new Error(`BENCH_HEC_MODE must be both, scheduled or nrt (got '${MODE}')`);
const NEW_MODULE_ADDED = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const POLL_MS = 100;

/** A Windows System event as Winlogbeat ships it (a service changed state): stored, read by no detection. */
function systemEvent(host: string, time: string, recordId: number) {
  return {
    "@timestamp": time,
    message: "The Windows Update service entered the running state.",
    winlog: { channel: "System", computer_name: host, event_id: "7036", provider_name: "Service Control Manager", record_id: recordId, event_data: { param1: "Windows Update", param2: "running" } },
  };
}

/** One batch: an Event 29 on a host of its own (its notable marks the batch), the rest System events. */
function batchBody(client: number, seq: number): { body: string; marker: string } {
  const time = new Date(Date.now() - 60_000).toISOString();
  const marker = `BENCH-C${client}-B${seq}`;
  const lines = [JSON.stringify({ event: event29Xml({ host: marker, time, recordId: seq + 1, module: `Mod${client}x${seq}` }), sourcetype: "XmlWinEventLog" })];
  for (let i = 1; i < BATCH_SIZE; i++) {
    lines.push(JSON.stringify({ event: systemEvent(`BENCH-FLEET-${(seq * BATCH_SIZE + i) % 50}`, time, client * 10_000_000 + seq * BATCH_SIZE + i), sourcetype: "_json" }));
  }
  return { body: lines.join("\n"), marker };
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (v: number) => (Number.isNaN(v) ? "—" : `${Math.round(v)} ms`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

async function startWorkerProcess(url: string, spool: string, mode: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, workerProcessArgs(ROOT, ["--no-scheduler"]), {
    cwd: ROOT,
    env: workerProcessEnv({ ...process.env, DATABASE_URL: url, IISWATCH_SPOOL_DIR: spool, IISWATCH_DETECTIONS: mode, IISWATCH_SCHEDULER: "off", IISWATCH_WORKER_NICE: process.env.IISWATCH_WORKER_NICE ?? "0" }),
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output = (output + d.toString()).slice(-20_000);
      if (output.includes("working uploads")) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the worker exited (${code}) before it was ready:\n${output}`)));
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

interface Sent {
  marker: string;
  /** When the request was sent (performance.now()). */
  sentAt: number;
  answeredAt: number;
  ackedAt?: number;
  notableAt?: number;
}

async function benchMode(mode: "scheduled" | "nrt") {
  const scratch = await createScratchDatabase(`bench_hec_${mode}`);
  const spool = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-bench-hec-"));
  process.env.DATABASE_URL = scratch.url;
  process.env.IISWATCH_SPOOL_DIR = spool;
  // The batches this run sends may all wait for the worker at once: back-pressure is measured separately (tests).
  process.env.IISWATCH_HEC_MAX_PENDING ??= String(Math.max(200, CONCURRENCY * BATCHES));
  const { createHecToken } = await import("../lib/hec/tokens");
  const { cliActor } = await import("../lib/audit/log");
  const { handleEvent, handleAck } = await import("../lib/hec/receive");
  const { pgPool, closePgPool } = await import("../lib/db/pg");
  const { disconnectDb } = await import("../lib/db/client");
  let worker: Awaited<ReturnType<typeof startWorkerProcess>> | null = null;
  const server = await serveHecRoutes({ "/services/collector/event": handleEvent, "/services/collector/ack": handleAck });
  try {
    const { token } = await createHecToken({ name: `bench ${mode}`, ackEnabled: true }, cliActor());
    worker = await startWorkerProcess(scratch.url, spool, mode);
    const loadBefore = load();
    const sent: Sent[] = [];
    const pendingAcks = new Map<string, Map<number, Sent>>();
    const pendingNotables = new Map<string, Sent>();
    let busy = 0;
    let sending = true;
    const started = performance.now();

    const client = async (c: number) => {
      const channel = newChannel();
      const outstanding = new Map<number, Sent>();
      pendingAcks.set(channel, outstanding);
      for (let seq = 0; seq < BATCHES; seq++) {
        const { body, marker } = batchBody(c, seq);
        const sentAt = performance.now();
        for (;;) {
          const res = await fetch(`${server.url}/services/collector/event`, { method: "POST", headers: { authorization: `Splunk ${token}`, "x-splunk-request-channel": channel }, body });
          const answer = (await res.json()) as { code: number; ackId?: number; text: string };
          if (res.status === 503) {
            busy++;
            await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after") ?? 1) * 1000));
            continue;
          }
          if (answer.code !== 0 || answer.ackId === undefined) throw new Error(`batch refused: ${res.status} ${JSON.stringify(answer)}`);
          const s: Sent = { marker, sentAt, answeredAt: performance.now() };
          sent.push(s);
          outstanding.set(answer.ackId, s);
          if (mode === "nrt") pendingNotables.set(marker, s);
          break;
        }
      }
    };
    const ackPoller = async (channel: string) => {
      const outstanding = pendingAcks.get(channel)!;
      while (sending || outstanding.size > 0) {
        if (outstanding.size > 0) {
          const ids = [...outstanding.keys()];
          const res = await fetch(`${server.url}/services/collector/ack`, { method: "POST", headers: { authorization: `Splunk ${token}`, "x-splunk-request-channel": channel }, body: JSON.stringify({ acks: ids }) });
          const { acks } = (await res.json()) as { acks: Record<string, boolean> };
          const now = performance.now();
          for (const id of ids) {
            if (acks[String(id)]) {
              outstanding.get(id)!.ackedAt = now;
              outstanding.delete(id);
            }
          }
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };
    const notablePoller = async () => {
      while (mode === "nrt" && (sending || pendingNotables.size > 0)) {
        if (pendingNotables.size > 0) {
          const { rows } = await pgPool().query<{ dest: string }>("SELECT DISTINCT dest FROM notables WHERE detection_id = $1 AND dest = ANY($2::text[])", [NEW_MODULE_ADDED, [...pendingNotables.keys()]]);
          const now = performance.now();
          for (const { dest } of rows) {
            pendingNotables.get(dest)!.notableAt = now;
            pendingNotables.delete(dest);
          }
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };

    const clients = Array.from({ length: CONCURRENCY }, (_, c) => client(c));
    // The pollers start once each client has its channel (set synchronously by client()).
    const pollers = [...[...pendingAcks.keys()].map(ackPoller), notablePoller()];
    const deadline = setTimeout(() => {
      console.error(`bench:hec (${mode}): not done after 5 minutes; the worker said:\n${worker?.output()}`);
      process.exit(1);
    }, 300_000);
    await Promise.all(clients);
    const sendSeconds = (performance.now() - started) / 1000;
    sending = false;
    await Promise.all(pollers);
    clearTimeout(deadline);
    const totalSeconds = (performance.now() - started) / 1000;
    const loadAfter = load();

    const events = sent.length * BATCH_SIZE;
    const answer = sent.map((s) => s.answeredAt - s.sentAt);
    const acked = sent.map((s) => s.ackedAt! - s.sentAt);
    const notable = sent.filter((s) => s.notableAt !== undefined).map((s) => s.notableAt! - s.sentAt);
    const { rows } = await pgPool().query<{ stored: string; notables: string }>(
      "SELECT (SELECT count(*) FROM events) AS stored, (SELECT count(*) FROM notables WHERE detection_id = $1) AS notables",
      [NEW_MODULE_ADDED],
    );
    console.log(`\n${mode === "nrt" ? "near-real-time (IISWATCH_DETECTIONS=nrt)" : "scheduled (default)"} — ${scratch.kind} database`);
    console.log(`  ${CONCURRENCY} clients × ${BATCHES} batches × ${BATCH_SIZE} events = ${events} events; ${busy} answer(s) 503 (retried)`);
    console.log(`  accepted: ${Math.round(events / sendSeconds)} events/s (${sendSeconds.toFixed(1)} s to send); stored and acknowledged: ${Math.round(events / totalSeconds)} events/s (${totalSeconds.toFixed(1)} s)`);
    console.log(`  latency to the answer (accepted)       p50 ${ms(percentile(answer, 50))}  p95 ${ms(percentile(answer, 95))}  max ${ms(Math.max(...answer))}`);
    console.log(`  latency to acknowledgement (stored)    p50 ${ms(percentile(acked, 50))}  p95 ${ms(percentile(acked, 95))}  max ${ms(Math.max(...acked))}`);
    if (mode === "nrt") console.log(`  latency to the notable                 p50 ${ms(percentile(notable, 50))}  p95 ${ms(percentile(notable, 95))}  max ${ms(Math.max(...notable))} (${notable.length} of ${sent.length} batches)`);
    console.log(`  stored ${rows[0].stored} events, ${rows[0].notables} notable(s) of New Module Added${mode === "scheduled" ? " (none expected before the hourly run)" : ""}`);
    console.log(`  load average (1, 5, 15 min) before ${loadBefore}, after ${loadAfter}; ${os.cpus().length} cores`);
  } finally {
    if (worker) await stopProcess(worker.child);
    await server.close();
    await disconnectDb();
    await closePgPool();
    await scratch.drop();
    fs.rmSync(spool, { recursive: true, force: true });
  }
}

for (const mode of MODE === "both" ? (["scheduled", "nrt"] as const) : [MODE as "scheduled" | "nrt"]) await benchMode(mode);
