// EVTX reader benchmark: `npx tsx scripts/bench-evtx.ts` (npm run bench:evtx).
//
// 1. Our reader on every sample under tests/fixtures/samples, and in the same run evtxexport and python-evtx on them.
// 2. Our reader on a large synthetic log in .bench/ made by repeating the samples' real chunks with renumbered
//    records and recomputed CRCs. Size: BENCH_EVTX_GB (default 1; BENCH_EVTX_GB=5 checks > 4 GiB offsets).
//
// Each measurement runs in its own process so peak RSS means something. Goal: >= 50,000 records/s.
// Env: BENCH_EVTX_GB, BENCH_EVTX_SAMPLES (samples dir), BENCH_EVTX_SKIP_ORACLES=1, BENCH_EVTX_SKIP_PYTHON=1.
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { crc32 } from "../lib/ingest/evtx/crc32";
import { CHUNK_SIZE, FILE_HEADER_SIZE, evtxReader, readEvtxRecords } from "../lib/ingest/evtx/index";
import { DEFAULT_READ_OPTIONS } from "../lib/ingest/parser";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "..");
const SAMPLES = process.env.BENCH_EVTX_SAMPLES ?? path.resolve(ROOT, "tests/fixtures/samples");
const BENCH_DIR = path.join(ROOT, ".bench");

interface Measure {
  records: number;
  problems: number;
  seconds: number;
  /** CPU time (user + system) of the reading process: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  bytes: number;
  maxRssKb: number;
}

/**
 * Child mode: read one file with our reader and print a Measure as JSON. Mode "iterator" = readEvtxRecords (records
 * with XML and EventParts); mode "reader" = evtxReader.read, what the ingest pipeline runs (adds normalizeEvent).
 */
async function measureOurs(file: string, mode: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let records = 0;
  let problems = 0;
  let xmlChars = 0;
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  if (mode === "reader") {
    for await (const r of evtxReader.read(input, DEFAULT_READ_OPTIONS)) {
      if (r.ok) {
        records++;
        xmlChars += r.event.raw.length;
      } else problems++;
    }
  } else {
    for await (const it of readEvtxRecords(input)) {
      if (it.kind === "record") {
        records++;
        xmlChars += it.xml.length; // touch the output so nothing is optimised away
      } else problems++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const m: Measure = { records, problems, seconds, cpuSeconds, bytes: statSync(file).size, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify({ ...m, xmlChars }) + "\n");
}

/** Runs a command under /usr/bin/time for wall time and peak RSS. */
function timed(cmd: string, args: string[]): { seconds: number; maxRssKb: number; stdout: string } | null {
  const r = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %M", cmd, ...args], { encoding: "utf8", maxBuffer: 1 << 30 });
  const m = /__TIME__ ([\d.]+) (\d+)/.exec(r.stderr ?? "");
  if (r.status !== 0 || !m) return null;
  return { seconds: Number(m[1]), maxRssKb: Number(m[2]), stdout: r.stdout };
}

function runOurs(file: string, mode = "iterator"): Measure {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--measure", file, mode], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`measuring ${file} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Measure;
}

function findEvtx(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".evtx"))
    .map((f) => path.join(dir, f))
    .sort();
}

/** Chunks worth repeating: valid signature and at least one record. */
function usableChunks(files: string[]): Buffer[] {
  const out: Buffer[] = [];
  for (const f of files) {
    const d = readFileSync(f);
    for (let p = FILE_HEADER_SIZE; p + CHUNK_SIZE <= d.length; p += CHUNK_SIZE) {
      const c = d.subarray(p, p + CHUNK_SIZE);
      if (c.toString("latin1", 0, 8) === "ElfChnk\0" && c.readUInt32LE(48) > 512 && c.readUInt32LE(48) <= CHUNK_SIZE) out.push(Buffer.from(c));
    }
  }
  return out;
}

/** Record count of a chunk (walking sizes), and renumbers its records from `first`. */
function renumber(c: Buffer, first: number): number {
  const free = c.readUInt32LE(48);
  let p = 512;
  let id = first;
  while (p + 24 <= free && c.readUInt32LE(p) === 0x2a2a) {
    const size = c.readUInt32LE(p + 4);
    if (size < 28 || p + size > CHUNK_SIZE) break;
    c.writeBigUInt64LE(BigInt(id++), p + 8);
    p += size;
  }
  const n = id - first;
  c.writeBigUInt64LE(BigInt(first), 8);
  c.writeBigUInt64LE(BigInt(id - 1), 16);
  c.writeBigUInt64LE(BigInt(first), 24);
  c.writeBigUInt64LE(BigInt(id - 1), 32);
  c.writeUInt32LE(c.readUInt32LE(120) & ~4, 120); // CRCs are valid from here on
  c.writeUInt32LE(crc32(c, 512, free), 52);
  c.writeUInt32LE(crc32(c, 128, 512, crc32(c, 0, 120)), 124);
  return n;
}

/** Writes (or reuses) a synthetic log of about `gb` GiB; returns its path and record count. */
function synthetic(gb: number, files: string[]): { file: string; records: number } {
  mkdirSync(BENCH_DIR, { recursive: true });
  const file = path.join(BENCH_DIR, `synthetic-${gb}g.evtx`);
  const meta = `${file}.records`;
  const chunks = Math.max(1, Math.round((gb * 1024 ** 3 - FILE_HEADER_SIZE) / CHUNK_SIZE));
  const size = FILE_HEADER_SIZE + chunks * CHUNK_SIZE;
  if (existsSync(file) && existsSync(meta) && statSync(file).size === size) return { file, records: Number(readFileSync(meta, "utf8")) };
  const sources = usableChunks(files);
  if (!sources.length) throw new Error(`no usable chunks in ${SAMPLES}`);
  const header = Buffer.from(readFileSync(files.find((f) => path.basename(f) === "security.evtx") ?? files[0]).subarray(0, FILE_HEADER_SIZE));
  header.writeBigUInt64LE(0n, 8);
  header.writeBigUInt64LE(BigInt(chunks - 1), 16);
  header.writeUInt16LE(Math.min(chunks, 0xffff), 42);
  header.writeUInt32LE(header.readUInt32LE(120) & ~4, 120);
  let next = 1;
  const fd = openSync(file + ".tmp", "w");
  const batch: Buffer[] = [];
  const flush = () => {
    if (batch.length) writeSync(fd, Buffer.concat(batch));
    batch.length = 0;
  };
  writeSync(fd, header); // header CRC fixed below once the next record id is known
  for (let i = 0; i < chunks; i++) {
    const c = Buffer.from(sources[i % sources.length]);
    next += renumber(c, next);
    batch.push(c);
    if (batch.length === 256) flush();
  }
  flush();
  header.writeBigUInt64LE(BigInt(next), 24);
  header.writeUInt32LE(crc32(header, 0, 120), 124);
  writeSync(fd, header, 0, header.length, 0);
  closeSync(fd);
  execFileSync("mv", [file + ".tmp", file]);
  require_write(meta, String(next - 1));
  return { file, records: next - 1 };
}

function require_write(file: string, text: string): void {
  const fd = openSync(file, "w");
  writeSync(fd, text);
  closeSync(fd);
}

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

function row(name: string, tool: string, records: number, bytes: number, seconds: number, rssKb: number): string {
  return [
    name.padEnd(44).slice(0, 44),
    tool.padEnd(12),
    fmt(records).padStart(10),
    fmt(seconds, 2).padStart(8),
    fmt(records / seconds).padStart(10),
    fmt(bytes / 1e6 / seconds, 1).padStart(8),
    fmt(rssKb / 1024, 0).padStart(7),
  ].join(" ");
}

async function main(): Promise<void> {
  if (process.argv[2] === "--measure") return measureOurs(process.argv[3], process.argv[4] ?? "iterator");
  const files = findEvtx(SAMPLES);
  const gb = Number(process.env.BENCH_EVTX_GB ?? "1");
  console.log(`EVTX benchmark — node ${process.version}, samples: ${SAMPLES} (${files.length} files)\n`);
  const head = ["file".padEnd(44), "reader".padEnd(12), "records".padStart(10), "seconds".padStart(8), "records/s".padStart(10), "MB/s".padStart(8), "RSS MB".padStart(7)].join(" ");
  console.log(head);
  console.log("-".repeat(head.length));
  const haveEe = !process.env.BENCH_EVTX_SKIP_ORACLES && spawnSync("evtxexport", ["-h"]).status !== null;
  const havePy = !process.env.BENCH_EVTX_SKIP_ORACLES && !process.env.BENCH_EVTX_SKIP_PYTHON && existsSync("/usr/bin/evtx_dump.py");
  const totals = { ours: [0, 0, 0], ee: [0, 0, 0], py: [0, 0, 0] };
  for (const f of files) {
    const name = path.relative(SAMPLES, f);
    const size = statSync(f).size;
    const m = runOurs(f);
    totals.ours[0] += m.records;
    totals.ours[1] += size;
    totals.ours[2] += m.seconds;
    console.log(row(name, "ours", m.records, size, m.seconds, m.maxRssKb));
    if (haveEe) {
      const t = timed("evtxexport", ["-f", "xml", f]);
      if (t) {
        totals.ee[0] += m.records;
        totals.ee[1] += size;
        totals.ee[2] += t.seconds;
        console.log(row("", "evtxexport", m.records, size, t.seconds, t.maxRssKb));
      }
    }
    if (havePy) {
      const t = timed("/usr/bin/python3", ["/usr/bin/evtx_dump.py", f]);
      if (t) {
        totals.py[0] += m.records;
        totals.py[1] += size;
        totals.py[2] += t.seconds;
        console.log(row("", "python-evtx", m.records, size, t.seconds, t.maxRssKb));
      }
    }
  }
  console.log("-".repeat(head.length));
  for (const [tool, [r, b, s]] of Object.entries(totals)) if (s > 0) console.log(row("all samples", tool, r, b, s, 0).replace(/ +0$/, "      -"));
  console.log("(our per-file figures include reader start-up and JIT warm-up on small files; see the synthetic run)\n");

  const syn = synthetic(gb, files);
  const size = statSync(syn.file).size;
  console.log(`synthetic log: ${syn.file} (${fmt(size / 1024 ** 3, 2)} GiB, ${fmt(syn.records)} records)`);
  let best: Measure | null = null;
  for (const mode of ["iterator", "reader"]) {
    const m = runOurs(syn.file, mode);
    const tool = mode === "iterator" ? "ours" : "ours+norm";
    console.log(row(path.basename(syn.file), tool, m.records, size, m.seconds, m.maxRssKb));
    console.log(row("  (per CPU second)", tool, m.records, size, m.cpuSeconds, m.maxRssKb));
    if (m.records !== syn.records || m.problems !== 0) console.log(`!! expected ${syn.records} records and no problems, got ${m.records} and ${m.problems}`);
    if (mode === "iterator") best = m;
  }
  const m = best!;
  const rate = m.records / m.seconds;
  console.log(
    `\nour reader (readEvtxRecords): ${fmt(rate)} records/s wall, ${fmt(m.records / m.cpuSeconds)} records/s per CPU second, ` +
      `${fmt(size / 1e6 / m.seconds, 1)} MB/s, peak RSS ${fmt(m.maxRssKb / 1024)} MB — goal 50,000 records/s: ${rate >= 50000 ? "met" : "NOT met (wall)"}`,
  );
  console.log("ours+norm = evtxReader.read, i.e. plus normalizeEvent (Splunk fields, message templates) per record.");
}

await main();
