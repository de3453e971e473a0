// npm run bench:node-share — Node's share of ingest alone (read, parse, normalize, key, encode as COPY text; no
// database), the "node alone" figure of bench:ingest, on the same generated files (under .bench/), for profiling:
//   BENCH_INGEST_MB=200 node --cpu-prof --import tsx scripts/bench-node-share.ts [xml|classic] [runs]
// With BENCH_NODE_SHARE_HASH=1 it also prints a SHA-256 of all the COPY text, to check that a change keeps it
// byte-identical.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeDemoFleet } from "../lib/demo/load";
import { readLogFileBatches } from "../lib/ingest/read-file";
import { EventBatch } from "../lib/ingest/store";

const ROOT = path.resolve(import.meta.dirname, "..");
const BENCH_DIR = path.join(ROOT, ".bench");
const targetMb = Number(process.env.BENCH_INGEST_MB ?? 200);
const FLEET = { days: 30, end: new Date("2026-11-01T00:00:00Z"), seed: 7 } as const;

/** The file bench:ingest would use (same name, same fleet); generated here when missing. */
async function ensureFile(format: "xml" | "classic"): Promise<string> {
  const file = path.join(BENCH_DIR, `ingest-${format}-${targetMb}mb.${format === "xml" ? "xml" : "log"}`);
  if (fs.existsSync(file) && Math.abs(fs.statSync(file).size / 1e6 / targetMb - 1) < 0.2) return file;
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const sample = path.join(BENCH_DIR, `calibrate-${format}.tmp`);
  await writeDemoFleet(sample, { ...FLEET, format, hosts: 20 });
  const perHost = fs.statSync(sample).size / 20;
  fs.rmSync(sample, { force: true });
  const hosts = Math.max(1, Math.round((targetMb * 1e6) / perHost));
  console.log(`generating ${path.relative(ROOT, file)} (${hosts} hosts × ${FLEET.days} days)…`);
  await writeDemoFleet(file, { ...FLEET, format, hosts });
  return file;
}

/** One pass, as bench:ingest's nodeOnly(): events/s, and the hash of the COPY text when asked. */
async function run(file: string, hash: crypto.Hash | null): Promise<{ events: number; seconds: number; cpuSeconds: number }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let events = 0;
  let batch = new EventBatch("00000000-0000-0000-0000-000000000000", "copy");
  const done = (b: EventBatch) => {
    if (hash) for (const chunk of b.copyChunks()) hash.update(chunk);
  };
  for await (const { records } of readLogFileBatches(file)) {
    for (const record of records) {
      if (!record.ok) continue;
      batch.add(record.event);
      events++;
      if (batch.length >= 10_000) {
        done(batch);
        batch = new EventBatch(batch.uploadId, "copy");
      }
    }
  }
  done(batch);
  const cpu = process.cpuUsage(cpuBefore);
  return { events, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function main() {
  const formats = (process.argv[2] ? [process.argv[2]] : ["xml", "classic"]) as ("xml" | "classic")[];
  const runs = Number(process.argv[3] ?? 3);
  const wantHash = process.env.BENCH_NODE_SHARE_HASH === "1";
  for (const format of formats) {
    const file = await ensureFile(format);
    let best = Infinity;
    let bestCpu = Infinity;
    let events = 0;
    for (let i = 0; i < runs; i++) {
      const hash = wantHash && i === 0 ? crypto.createHash("sha256") : null;
      const r = await run(file, hash);
      events = r.events;
      best = Math.min(best, r.seconds);
      bestCpu = Math.min(bestCpu, r.cpuSeconds);
      console.log(
        `${format} run ${i + 1}: ${r.events} events in ${r.seconds.toFixed(2)} s = ${Math.round(r.events / r.seconds)} events/s ` +
          `(${r.cpuSeconds.toFixed(2)} CPU s = ${Math.round(r.events / r.cpuSeconds)} events per CPU second)`,
      );
      if (hash) console.log(`${format} COPY text sha256: ${hash.digest("hex")}`);
    }
    console.log(
      `${format}: best of ${runs}: ${Math.round(events / best)} events/s (${(fs.statSync(file).size / 1e6 / best).toFixed(1)} MB/s; ` +
        `${Math.round(events / bestCpu)} events per CPU second), ` +
        `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, load ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
