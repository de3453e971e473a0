// npm run bench:load — the dashboard under load while a large upload is worked.
//
// Starts the dashboard exactly as `npm start` does (`node --import tsx scripts/start.ts`: migrations, a build when
// the code changed, `next start` and IISWATCH_WORKERS=1 worker process) on a scratch database on DATABASE_URL's
// server, with its own data directory (spool) and port. Seeds it through the HTTP API with a fleet log (50,000
// events by default) and waits until that upload is done (detections included), so the pages have content and
// there is a busy host. Then, for BENCH_LOAD_SECONDS, BENCH_LOAD_READERS concurrent readers (each one request at
// a time, one after another) read the hosts page, the busiest host's page (session cookie), GET /api/uploads and
// GET /api/notables (API token), while a BENCH_LOAD_MB log is POSTed to /api/uploads and worked.
// Prints, per route: requests, errors (non-2xx or network), p50/p95/max latency (whole response read), and p95 by
// what the upload was doing; the upload's timeline (received, processing, detecting, done); and where the CPU went
// (web server, worker, PostgreSQL serving each, this process, the rest of the machine: from /proc, matching
// PostgreSQL backends to their clients by port), by phase and over time.
// Goal on a 2-core machine: no error, p95 < 1 s for the API reads and < 2 s for the pages.
//   DATABASE_URL=postgresql://… npm run bench:load
//   BENCH_LOAD_SECONDS=60 BENCH_LOAD_MB=200 BENCH_LOAD_READERS=50 BENCH_LOAD_SEED_EVENTS=50000 BENCH_LOAD_PORT=3300
//   BENCH_LOAD_UNTIL_DONE=1     keep reading past BENCH_LOAD_SECONDS until the upload is done
//   BENCH_LOAD_MB=0             no upload: the readers alone (a baseline)
//   BENCH_LOAD_ONLY=notables    only the routes whose name contains this
//   BENCH_LOAD_UPLOAD_HOSTS=23  hosts of the uploaded log (20: all its module installs on the busy host too)
//   BENCH_LOAD_HOST=web01.corp.example   the host page to read instead of the busiest host's
//   BENCH_LOAD_DUMP=/tmp/pages  write each route's warm-up response there (to see what a page weighs)
// Any other variable is passed on to the dashboard (DATABASE_POOL_MAX, IISWATCH_WORKER_NICE, IISWATCH_WEB_PROCESSES, …);
// IISWATCH_WEB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the web processes (start.ts passes it to them).
// Everything it starts is stopped at the end, on failure and on Ctrl-C; the scratch database and files are removed.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createScratchDatabase, type ScratchDatabase } from "../lib/db/scratch";
import { redactUrl } from "../lib/db/url";
import { eventLine, writeFleetLog } from "../tests/faults/fixtures";

const ROOT = path.resolve(import.meta.dirname, "..");
const envNumber = (name: string, fallback: number, zero = false) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zero)) throw new Error(`${name} must be a positive number (got '${process.env[name]}')`);
  return n;
};
const SECONDS = envNumber("BENCH_LOAD_SECONDS", 60);
/** 0: no upload (the readers alone, as a baseline). */
const UPLOAD_MB = envNumber("BENCH_LOAD_MB", 200, true);
/** Only the route of this name, or those whose name contains this (to measure one alone). */
const ONLY = process.env.BENCH_LOAD_ONLY;
const READERS = Math.round(envNumber("BENCH_LOAD_READERS", 50));
const SEED_EVENTS = Math.round(envNumber("BENCH_LOAD_SEED_EVENTS", 50_000));
const PORT = Math.round(envNumber("BENCH_LOAD_PORT", 3300));
const UNTIL_DONE = process.env.BENCH_LOAD_UNTIL_DONE === "1";
/**
 * The seed's hosts. writeFleetLog makes every 200th record an Event 29 adding a module of its own name, and with 20
 * hosts they all land on WEB00: the busy host, with 250 modules and a result for each (its page lists them all).
 */
const HOSTS = 20;
/**
 * The upload's hosts: 23 spreads its Events 29 over every host (with 20, WEB00 would gain 1,500 more modules while
 * the load runs, and the busy host's page would grow several times over — what the fixture does, not what a fleet does).
 */
const UPLOAD_HOSTS = Math.round(envNumber("BENCH_LOAD_UPLOAD_HOSTS", 23));
/** Goals, p95 in ms. */
const GOAL = { api: 1000, page: 2000 } as const;
/** A request taking longer than this is given up and counted as an error. */
const REQUEST_TIMEOUT_MS = 60_000;

const log = (s: string) => console.log(s);
const loadavg = () => os.loadavg().map((n) => n.toFixed(2)).join(", ");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Set on Ctrl-C (SIGINT) or SIGTERM: every loop ends, every connection is dropped. */
let aborted = false;

// ---------------------------------------------------------------------------------------------------------------
// HTTP: plain node:http, keep-alive, every response read to its end.

const agent = new http.Agent({ keepAlive: true, maxSockets: READERS + 8 });

interface Reply {
  status: number;
  bytes: number;
  body: string;
}

function request(pathname: string, options: { headers?: http.OutgoingHttpHeaders; method?: string; body?: fs.ReadStream; keepBody?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: PORT, path: pathname, method: options.method ?? "GET", headers: options.headers, agent: options.body ? undefined : agent },
      (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => {
          bytes += c.length;
          if (options.keepBody) chunks.push(c);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(options.body ? 0 : REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
    if (options.body) options.body.pipe(req);
    else req.end();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Where the CPU goes: every process's CPU time from /proc, summed by role once a second.

const CLOCK_TICKS = 100;

function readProcStat(pid: string): { pgrp: number; comm: string; ticks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    // After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
    const f = stat.slice(close + 2).split(" ");
    return { pgrp: Number(f[2]), comm: stat.slice(stat.indexOf("(") + 1, close), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null; // gone meanwhile
  }
}

function cmdline(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** Local TCP ports of a process's sockets (its connections to PostgreSQL among them). */
function localPorts(pids: string[], inodePorts: Map<string, number>): Set<number> {
  const ports = new Set<number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        const port = m && inodePorts.get(m[1]);
        if (port) ports.add(port);
      } catch {
        // closed meanwhile
      }
    }
  }
  return ports;
}

function tcpInodePorts(): Map<string, number> {
  const map = new Map<string, number>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      map.set(cols[9], parseInt(cols[1].split(":")[1], 16));
    }
  }
  return map;
}

/** Total busy and total jiffies of the machine (/proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3] - cpu[4], total };
}

const GROUPS = [
  "web server (next start)",
  "worker process",
  "start.ts (supervisor)",
  "PostgreSQL for the web server",
  "PostgreSQL for the worker",
  "PostgreSQL autovacuum (this db)",
  "PostgreSQL, rest (WAL, checkpoints, other dbs)",
  "this benchmark (load client)",
  "rest of the machine",
] as const;
type Group = (typeof GROUPS)[number];

class CpuSampler {
  private last = new Map<string, number>();
  private lastMachine = machineTicks();
  private timer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> | null = null;
  private first = true;
  private window = "";
  /** Per window: CPU ticks by group, the machine's busy and total ticks, and when it was current (performance.now()). */
  readonly windows = new Map<string, { ticks: Map<Group, number>; busy: number; total: number; seconds: number; spans: { from: number; to: number }[] }>();
  private windowStarted = performance.now();
  /** Every sample: when it was taken (performance.now()) and the CPU ticks by group since the one before. */
  readonly series: { at: number; ticks: Map<Group, number> }[] = [];

  constructor(
    private appGroup: number,
    private monitor: pg.Pool,
  ) {}

  start(window: string): void {
    this.setWindow(window);
    void this.tick();
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  /** Counts what follows in another window (a phase of the run); what came before is sampled into the current one. */
  setWindow(name: string): void {
    if (name === this.window) return;
    if (this.timer) void this.tick();
    const now = performance.now();
    const w = this.windows.get(this.window);
    if (w) {
      w.seconds += (now - this.windowStarted) / 1000;
      w.spans.push({ from: this.windowStarted, to: now });
    }
    this.windowStarted = now;
    this.window = name;
    if (!this.windows.has(name)) this.windows.set(name, { ticks: new Map(), busy: 0, total: 0, seconds: 0, spans: [] });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sampling;
    await this.tick();
    this.setWindow("");
    this.windows.delete("");
  }

  /** One sample at a time (the monitor's query can be slow under load). */
  private tick(): Promise<void> {
    if (this.sampling) return this.sampling;
    return (this.sampling = this.sample().finally(() => (this.sampling = null)));
  }

  private async sample(): Promise<void> {
    // The window this sample's time belongs to: the one current when it was taken.
    const window = this.windows.get(this.window);
    let backends: { pid: number; client_port: number | null; backend_type: string }[] = [];
    try {
      backends = (await this.monitor.query("SELECT pid, client_port, backend_type FROM pg_stat_activity WHERE datname = current_database()")).rows;
    } catch {
      // the monitor's connection is gone (stopping): count what /proc says
    }
    const procs = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p));
    const stats = new Map(procs.map((p) => [p, readProcStat(p)] as const));
    const appPids = procs.filter((p) => stats.get(p)?.pgrp === this.appGroup);
    const workerPids = appPids.filter((p) => cmdline(p).includes("scripts/iiswatch.ts"));
    const supervisorPids = appPids.filter((p) => cmdline(p).includes("scripts/start.ts"));
    const webPids = appPids.filter((p) => !workerPids.includes(p) && !supervisorPids.includes(p));
    const inodePorts = tcpInodePorts();
    const workerPorts = localPorts(workerPids, inodePorts);
    const webPorts = localPorts(webPids, inodePorts);
    const backendGroup = new Map<string, Group>();
    for (const b of backends) {
      const group: Group =
        b.client_port !== null && workerPorts.has(b.client_port)
          ? "PostgreSQL for the worker"
          : b.client_port !== null && webPorts.has(b.client_port)
            ? "PostgreSQL for the web server"
            : b.backend_type === "autovacuum worker"
              ? "PostgreSQL autovacuum (this db)"
              : "this benchmark (load client)"; // the monitor's own connection
      backendGroup.set(String(b.pid), group);
    }
    const groupOf = (pid: string, comm: string): Group | null => {
      if (workerPids.includes(pid)) return "worker process";
      if (supervisorPids.includes(pid)) return "start.ts (supervisor)";
      if (webPids.includes(pid)) return "web server (next start)";
      if (backendGroup.has(pid)) return backendGroup.get(pid)!;
      if (comm === "postgres") return "PostgreSQL, rest (WAL, checkpoints, other dbs)";
      if (pid === String(process.pid)) return "this benchmark (load client)";
      return null;
    };
    const seen = new Map<string, number>();
    const ticks = new Map<Group, number>();
    let attributed = 0;
    for (const [pid, s] of stats) {
      if (!s) continue;
      seen.set(pid, s.ticks);
      // A process first seen after the first sample started since: all its time is new.
      const delta = s.ticks - (this.last.get(pid) ?? (this.first ? s.ticks : 0));
      const group = groupOf(pid, s.comm);
      if (!window || delta <= 0 || !group) continue;
      window.ticks.set(group, (window.ticks.get(group) ?? 0) + delta);
      ticks.set(group, (ticks.get(group) ?? 0) + delta);
      attributed += delta;
    }

    const machine = machineTicks();
    if (window && !this.first) {
      const busy = machine.busy - this.lastMachine.busy;
      window.busy += busy;
      window.total += machine.total - this.lastMachine.total;
      window.ticks.set("rest of the machine", (window.ticks.get("rest of the machine") ?? 0) + Math.max(0, busy - attributed));
      ticks.set("rest of the machine", Math.max(0, busy - attributed));
    }
    if (!this.first) this.series.push({ at: performance.now(), ticks });
    this.last = seen;
    this.lastMachine = machine;
    this.first = false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The dashboard, as `npm start` runs it.

function startApp(url: string, dataDir: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(PORT),
      HOST: "127.0.0.1",
      IISWATCH_WORKERS: "1",
      IISWATCH_DATA_DIR: dataDir,
      IISWATCH_SPOOL_DIR: path.join(dataDir, "spool"),
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: start.ts, `next start` and the worker stop together
  });
  const relay = (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) process.stdout.write(`  [app] ${line}\n`);
  };
  child.stdout!.on("data", relay);
  child.stderr!.on("data", relay);
  return child;
}

async function stopApp(child: ChildProcess | null): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  const group = -child.pid;
  try {
    process.kill(group, "SIGTERM");
  } catch {
    return; // gone
  }
  const killer = setTimeout(() => {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // gone
    }
  }, 40_000);
  await exited;
  clearTimeout(killer);
  // The group's other processes (the web server, the worker) may outlive start.ts by a moment.
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(group, 0);
    } catch {
      return;
    }
    await sleep(250);
  }
  try {
    process.kill(group, "SIGKILL");
  } catch {
    // gone
  }
}

async function waitForHealth(app: ChildProcess, timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (aborted) throw new Error("stopped");
    if (app.exitCode !== null) throw new Error(`the app exited (${app.exitCode})`);
    try {
      if ((await request("/api/health")).status === 200) return;
    } catch {
      // not up yet
    }
    await sleep(1000);
  }
  throw new Error("the app did not come up");
}

async function portInUse(): Promise<boolean> {
  try {
    await request("/");
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Events of about `mb` MB as writeFleetLog writes them (its lines measured, not guessed). */
function eventsForMb(mb: number, firstRecord: number): number {
  const time = new Date().toISOString();
  let bytes = 0;
  const sample = 2_000;
  for (let i = 0; i < sample; i++) bytes += eventLine(firstRecord + i, `WEB${String(i % HOSTS).padStart(2, "0")}.corp.example`, time).length + 1;
  return Math.round((mb * 1e6) / (bytes / sample));
}

async function postFile(file: string, token: string): Promise<string> {
  const reply = await request(`/api/uploads?filename=${encodeURIComponent(path.basename(file))}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream", "content-length": fs.statSync(file).size },
    body: fs.createReadStream(file),
    keepBody: true,
  });
  if (reply.status !== 202) throw new Error(`POST /api/uploads: HTTP ${reply.status} ${reply.body}`);
  return (JSON.parse(reply.body) as { id: string }).id;
}

async function uploadStatus(monitor: pg.Pool, id: string): Promise<{ status: string; error: string | null; stored: number }> {
  const { rows } = await monitor.query("SELECT status::text, error, stored FROM uploads WHERE id = $1", [id]);
  return rows[0];
}

async function waitDone(monitor: pg.Pool, id: string, timeoutMs = 60 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (aborted) throw new Error("stopped");
    const u = await uploadStatus(monitor, id);
    if (u.status === "done") return;
    if (u.status === "failed") throw new Error(`upload ${id} failed: ${u.error}`);
    if (Date.now() > deadline) throw new Error(`upload ${id} still ${u.status} after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

interface Route {
  name: string;
  path: string;
  kind: "page" | "api";
}

interface Sample {
  route: number;
  /** Start, ms since the load began. */
  at: number;
  ms: number;
  ok: boolean;
  error?: string;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-");

async function main() {
  if (!process.env.DATABASE_URL) throw new Error("bench:load needs DATABASE_URL (a PostgreSQL server; a scratch database is made on it)");
  if (os.platform() !== "linux") log("(not Linux: no CPU breakdown)");

  let scratch: ScratchDatabase | null = null;
  let app: ChildProcess | null = null;
  let monitor: pg.Pool | null = null;
  let sampler: CpuSampler | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-bench-load-"));
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await sampler?.stop().catch(() => {});
      await stopApp(app);
      agent.destroy();
      await monitor?.end().catch(() => {});
      await scratch?.drop().catch((e: unknown) => console.error(`could not drop ${scratch?.url}: ${String(e)}`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    // Once: Ctrl-C reaches this process twice (from the terminal, and relayed by tsx or npm).
    if (aborted) return;
    log(`\n${signal}: stopping everything this started…`);
    // The readers stop, and their connections go (the web server waits for open requests before it stops).
    aborted = true;
    agent.destroy();
    void cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let missed = false;
  try {
    if (await portInUse()) throw new Error(`port ${PORT} is taken (BENCH_LOAD_PORT to choose another)`);
    scratch = await createScratchDatabase("bench_load");
    process.env.DATABASE_URL = scratch.url;
    log(`database: ${redactUrl(scratch.url)}; data directory ${dataDir}; port ${PORT}`);

    // The logs: the seed (records 1…) and the big upload (records from 10,000,001: no event in common).
    const seedFile = path.join(dataDir, "seed-fleet.xml");
    const bigFile = UPLOAD_MB > 0 ? path.join(dataDir, `fleet-${UPLOAD_MB}mb.xml`) : null;
    const bigEvents = eventsForMb(UPLOAD_MB, 10_000_001);
    let t0 = performance.now();
    await writeFleetLog(seedFile, { count: SEED_EVENTS, hosts: HOSTS });
    if (bigFile) await writeFleetLog(bigFile, { count: bigEvents, firstRecord: 10_000_001, hosts: UPLOAD_HOSTS });
    log(
      `logs written: seed ${SEED_EVENTS.toLocaleString("en")} events (${(fs.statSync(seedFile).size / 1e6).toFixed(0)} MB), ` +
        (bigFile ? `upload ${bigEvents.toLocaleString("en")} events (${(fs.statSync(bigFile).size / 1e6).toFixed(0)} MB)` : "no upload") +
        ` in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // A reader: an analyst with a session (pages) and an API token (the API).
    const { createUser } = await import("../lib/auth/users");
    const { createSession } = await import("../lib/auth/sessions");
    const { createApiToken } = await import("../lib/auth/tokens");
    const { SESSION_COOKIE } = await import("../lib/auth/config");
    const { cliActor } = await import("../lib/audit/log");
    const user = await createUser({ username: "bench-reader", password: "bench reader passphrase 1", role: "analyst" }, cliActor());
    const session = await createSession(user.id, { address: "127.0.0.1", userAgent: "bench-load" });
    const { token } = await createApiToken({ userId: user.id, name: "bench-load" }, cliActor());
    const { disconnectDb } = await import("../lib/db/client");
    const { closePgPool } = await import("../lib/db/pg");
    await disconnectDb();
    await closePgPool();
    const cookie = `${SESSION_COOKIE}=${session.token}`;
    monitor = new pg.Pool({ connectionString: scratch.url, max: 1 });

    app = startApp(scratch.url, dataDir);
    t0 = performance.now();
    await waitForHealth(app);
    log(`app up in ${((performance.now() - t0) / 1000).toFixed(1)} s (builds when the code changed)`);

    t0 = performance.now();
    const seedId = await postFile(seedFile, token);
    await waitDone(monitor, seedId);
    const seeded = (
      await monitor.query(
        `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM hosts)::int AS hosts,
                (SELECT count(*) FROM detection_results)::int AS results, (SELECT count(*) FROM notables)::int AS notables,
                (SELECT id FROM hosts ORDER BY event_count DESC, id LIMIT 1) AS busy`,
      )
    ).rows[0] as { events: number; hosts: number; results: number; notables: number; busy: string };
    log(
      `seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${seeded.events.toLocaleString("en")} events, ${seeded.hosts} hosts, ` +
        `${seeded.results} detection results, ${seeded.notables} notables; busy host ${seeded.busy}`,
    );

    const routes = (
      [
        { name: "page /hosts", path: "/hosts", kind: "page" },
        { name: "page /hosts/<busy>", path: `/hosts/${encodeURIComponent(process.env.BENCH_LOAD_HOST ?? seeded.busy)}`, kind: "page" },
        { name: "GET /api/uploads", path: "/api/uploads", kind: "api" },
        { name: "GET /api/notables", path: "/api/notables", kind: "api" },
      ] satisfies Route[]
    ).filter((r, _, all) => !ONLY || (all.some((x) => x.name === ONLY) ? r.name === ONLY : r.name.includes(ONLY)));
    if (routes.length === 0) throw new Error(`BENCH_LOAD_ONLY=${ONLY}: no such route`);
    log(`routes: ${routes.map((r) => r.path).join("  ")}`);
    const headersFor = (r: Route): http.OutgoingHttpHeaders => (r.kind === "page" ? { cookie } : { authorization: `Bearer ${token}` });
    // One warm-up request each (the server's first request of a route loads its code), which must succeed.
    for (const r of routes) {
      const t = performance.now();
      const reply = await request(r.path, { headers: headersFor(r), keepBody: true });
      if (reply.status !== 200) throw new Error(`warm-up ${r.path}: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
      log(`warm-up ${r.name.padEnd(22)} ${ms(performance.now() - t).padStart(6)} ms, ${(reply.bytes / 1024).toFixed(0)} KiB`);
      if (process.env.BENCH_LOAD_DUMP) fs.writeFileSync(path.join(process.env.BENCH_LOAD_DUMP, r.name.replace(/[^a-z0-9]+/gi, "_") + ".html"), reply.body);
    }

    // The load: the upload, and the readers beside it.
    log(
      `\n${READERS} readers for ${SECONDS} s${UNTIL_DONE && bigFile ? " (and until the upload is done)" : ""}` +
        `${bigFile ? ` while ${path.basename(bigFile)} is uploaded and worked` : ", no upload"} (load average ${loadavg()})`,
    );
    const started = performance.now();
    const since = () => performance.now() - started;
    const phases: { status: string; at: number }[] = [{ status: bigFile ? "receiving" : "no upload", at: 0 }];
    // The CPU is counted by phase: under load or after it, and what the upload was doing.
    let loadOver = false;
    const windowName = () => `${loadOver ? "no load" : "load"}, ${bigFile ? "upload " : ""}${phases[phases.length - 1].status}`;
    const cpu = os.platform() === "linux" ? new CpuSampler(app.pid!, monitor) : null;
    sampler = cpu;
    cpu?.start(windowName());
    let uploadId: string | null = null;
    let uploadError: unknown = null;
    let postedAt = NaN;
    let doneAt = NaN;
    const upload = (bigFile ? postFile(bigFile, token) : Promise.resolve(null)).then(
      (id) => {
        uploadId = id;
        postedAt = since();
      },
      (e: unknown) => {
        uploadError = e;
      },
    );
    // The upload's status, as it changes (a dedicated connection, off the measured server).
    let watching = true;
    let watchError: unknown = null;
    const watcher = (async () => {
      while (bigFile && watching && !aborted) {
        if (uploadId) {
          const { status } = await uploadStatus(monitor!, uploadId);
          if (status !== phases[phases.length - 1].status) {
            phases.push({ status, at: since() });
            cpu?.setWindow(windowName());
            if (status === "done" || status === "failed") doneAt = since();
          }
          if (status === "done" || status === "failed") return;
        }
        if (uploadError) return;
        await sleep(250);
      }
    })().catch((e: unknown) => {
      watchError = e;
    });

    const samples: Sample[] = [];
    const loadEnds = () => aborted || (since() >= SECONDS * 1000 && (!UNTIL_DONE || !bigFile || !Number.isNaN(doneAt) || uploadError !== null));
    const reader = async (i: number) => {
      for (let k = i; !loadEnds(); k++) {
        const route = k % routes.length;
        const at = since();
        try {
          const reply = await request(routes[route].path, { headers: headersFor(routes[route]) });
          const ok = reply.status >= 200 && reply.status < 300;
          samples.push({ route, at, ms: since() - at, ok, error: ok ? undefined : `HTTP ${reply.status}` });
        } catch (e) {
          samples.push({ route, at, ms: since() - at, ok: false, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: READERS }, (_, i) => reader(i)));
    const loadSeconds = since() / 1000;
    const loadAvgAtEnd = loadavg();
    loadOver = true;
    cpu?.setWindow(windowName());
    const timeline = () => phases.map((p) => `${p.status} +${(p.at / 1000).toFixed(1)} s`).join(", ");
    log(`load over after ${loadSeconds.toFixed(1)} s${bigFile ? `; upload: ${timeline()}` : ""}`);

    // The upload, to its end (if the load ended first).
    await upload;
    if (uploadError) throw uploadError;
    if (bigFile && Number.isNaN(doneAt)) log("waiting for the upload to be done…");
    await watcher;
    watching = false;
    if (watchError) throw watchError;
    await cpu?.stop();
    const final = uploadId ? await uploadStatus(monitor, uploadId) : null;
    if (final && final.status !== "done") throw new Error(`the upload ended ${final.status}: ${final.error}`);

    // Figures.
    log(`\nper route, ${READERS} concurrent readers, ${loadSeconds.toFixed(0)} s (latency: request sent → whole response read)`);
    const table = routes.map((r, i) => {
      const mine = samples.filter((s) => s.route === i);
      const times = mine.map((s) => s.ms).sort((a, b) => a - b);
      const errors = mine.filter((s) => !s.ok);
      const p95 = pct(times, 95);
      const goal = r.kind === "api" ? GOAL.api : GOAL.page;
      const met = errors.length === 0 && p95 < goal;
      if (!met) missed = true;
      const kinds = [...new Set(errors.map((e) => e.error))].map((k) => `${k} ×${errors.filter((e) => e.error === k).length}`).join(", ");
      return {
        route: r.name,
        requests: mine.length,
        "req/s": (mine.length / loadSeconds).toFixed(1),
        errors: errors.length,
        "p50 ms": ms(pct(times, 50)),
        "p95 ms": ms(p95),
        "max ms": ms(times[times.length - 1]),
        goal: `p95 < ${goal} ms: ${met ? "yes" : "NO"}`,
        "error kinds": kinds || "-",
      };
    });
    console.table(table);

    // The same latencies by what the upload was doing when each request started.
    const phaseOf = (at: number) => [...phases].reverse().find((p) => p.at <= at)!.status;
    const phaseNames = [...new Set(phases.map((p) => p.status))];
    log("p95 ms by what the upload was doing when the request started (requests in brackets)");
    console.table(
      phaseNames.map((phase) => {
        const row: Record<string, string> = { upload: phase };
        routes.forEach((r, i) => {
          const times = samples.filter((s) => s.route === i && phaseOf(s.at) === phase).map((s) => s.ms).sort((a, b) => a - b);
          row[r.name] = times.length ? `${ms(pct(times, 95))} (${times.length})` : "-";
        });
        return row;
      }),
    );

    if (bigFile && final) {
      log(
        `upload of ${(fs.statSync(bigFile).size / 1e6).toFixed(0)} MB (${final.stored.toLocaleString("en")} events stored): ` +
          `received (202) after ${(postedAt / 1000).toFixed(1)} s, done after ${(doneAt / 1000).toFixed(1)} s — ${timeline()}`,
      );
    }

    if (cpu) {
      log(`\nCPU by phase, in cores used on average (${os.cpus().length} cores), from /proc`);
      const windows = [...cpu.windows.entries()].filter(([, w]) => w.seconds >= 2);
      // Requests started in a window, to put the web server's CPU per request.
      const requestsIn = (w: { spans: { from: number; to: number }[] }) =>
        samples.filter((x) => w.spans.some((span) => x.at >= span.from - started && x.at < span.to - started)).length;
      const perRequest = (w: { ticks: Map<Group, number>; spans: { from: number; to: number }[] }, g: Group) => {
        const n = requestsIn(w);
        return n ? ((((w.ticks.get(g) ?? 0) / CLOCK_TICKS) * 1000) / n).toFixed(1) : "-";
      };
      console.table(
        [...GROUPS, "machine busy", "idle", "requests/s", "web server CPU ms / request", "its PostgreSQL CPU ms / request"].map((g) => {
          const row: Record<string, string> = { "": g };
          for (const [name, w] of windows) {
            const column = `${name} (${w.seconds.toFixed(0)} s)`;
            if (g === "machine busy" || g === "idle") {
              const busy = (w.busy / w.total) * os.cpus().length;
              row[column] = (g === "idle" ? os.cpus().length - busy : busy).toFixed(2);
            } else if (g === "requests/s") row[column] = (requestsIn(w) / w.seconds).toFixed(1);
            else if (g === "web server CPU ms / request") row[column] = perRequest(w, "web server (next start)");
            else if (g === "its PostgreSQL CPU ms / request") row[column] = perRequest(w, "PostgreSQL for the web server");
            else row[column] = ((w.ticks.get(g as Group) ?? 0) / CLOCK_TICKS / w.seconds).toFixed(2);
          }
          return row;
        }),
      );

      // The same over time: what happens when (CPU in cores; latency p95 of the requests started in the slice).
      const end = (cpu.series[cpu.series.length - 1]?.at ?? started) - started;
      const slice = Math.max(5, Math.ceil(end / 1000 / 15 / 5) * 5);
      log(`over time, by ${slice} s (CPU in cores used; p95 ms of the requests started then)`);
      const rows: Record<string, string>[] = [];
      for (let from = 0; from < end; from += slice * 1000) {
        const to = from + slice * 1000;
        const slices = cpu.series.filter((x) => x.at - started > from && x.at - started <= to);
        // Each sample holds the CPU since the one before: the slice's samples cover its length (the last one's, part).
        const seconds = Math.max(1, Math.min(to, (slices[slices.length - 1]?.at ?? started) - started) - from) / 1000;
        const cores = (g: Group) => (slices.reduce((sum, x) => sum + (x.ticks.get(g) ?? 0), 0) / CLOCK_TICKS / seconds).toFixed(2);
        const mine = samples.filter((x) => x.at >= from && x.at < to);
        const row: Record<string, string> = {
          "from s": String(from / 1000),
          upload: phaseOf(from),
          "req/s": (mine.length / slice).toFixed(1),
        };
        routes.forEach((r, i) => {
          const times = mine.filter((x) => x.route === i).map((x) => x.ms).sort((a, b) => a - b);
          row[r.name] = ms(pct(times, 95));
        });
        row.web = cores("web server (next start)");
        row["pg web"] = cores("PostgreSQL for the web server");
        row.worker = cores("worker process");
        row["pg worker"] = cores("PostgreSQL for the worker");
        row["pg rest"] = cores("PostgreSQL, rest (WAL, checkpoints, other dbs)");
        row.others = cores("rest of the machine");
        rows.push(row);
      }
      console.table(rows);
    }
    log(`load average at the end of the load: ${loadAvgAtEnd}; now ${loadavg()} (${os.cpus().length} cores)`);
    log(missed ? "goal (no error, p95 < 1 s API, < 2 s pages): MISSED" : "goal (no error, p95 < 1 s API, < 2 s pages): met");
  } finally {
    await cleanup();
    if (!aborted) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
  process.exitCode = missed ? 1 : 0;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
