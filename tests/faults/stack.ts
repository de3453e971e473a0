// The fault tests' harness: the whole product started exactly as `npm start` starts it (`node --import tsx
// scripts/start.ts` — migrations, build check, `next start` and IISWATCH_WORKERS worker processes), each on a
// scratch database of its own on DATABASE_URL's server and a data directory (spool) of its own; real processes
// found through /proc and really killed; uploads sent over HTTP; and the checks every test ends with: nothing left
// in progress, every report true of the database, every event stored once, every upload evaluated, and the
// detections' output identical to a run of the same files without faults.
//
// Every process a test starts leads a process group of its own (the web server and workers start.ts spawns join
// it), so that cleanUp() — called in afterEach — can stop whatever is left, and check through /proc that nothing
// of it survives.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { expect, inject } from "vitest";
import { cliActor } from "../../lib/audit/log";
import { createApiToken } from "../../lib/auth/tokens";
import { createUser } from "../../lib/auth/users";
import { disconnectDb } from "../../lib/db/client";
import { closePgPool } from "../../lib/db/pg";
import { createScratchDatabase, type ScratchDatabase } from "../../lib/db/scratch";
import { listDetections } from "../../lib/detections/settings";
import type { FaultFixtures, FixtureFile, FixtureSet } from "./global-setup";

export type { FixtureFile, FixtureSet } from "./global-setup";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** The PostgreSQL server the scratch databases are made on (captured before anything here changes the variable). */
const SERVER_URL = process.env.DATABASE_URL;
/** Leases this short let the reaper find a dead worker within seconds. */
export const LEASE_SECONDS = 6;
/** The first start may have to build the dashboard (2–3 minutes on two cores); later ones take seconds. */
const START_TIMEOUT_MS = 360_000;
/** start.ts gives its children 30 s to stop before it kills them. */
const STOP_TIMEOUT_MS = 60_000;

export const ACTIVE_STATUSES = ["receiving", "queued", "processing", "detecting"];

export function faultFixtures(): FaultFixtures | null {
  return inject("faultFixtures");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; throws saying what it waited for after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message ?? lastError})` : ""}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}

// ---- processes ------------------------------------------------------------------------------------------------

export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  cmdline: string;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so parse from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return { pid, state: fields[0], ppid: Number(fields[1]), pgid: Number(fields[2]), cmdline };
  } catch {
    return null; // gone meanwhile
  }
}

/** The live processes of this machine (zombies left out: they are dead, only not yet reaped). */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p && p.state !== "Z" && p.state !== "X") out.push(p);
  }
  return out;
}

export const alive = (pid: number): boolean => {
  const p = readProc(pid);
  return p !== null && p.state !== "Z" && p.state !== "X";
};

/** A process this test started, leading its own process group. */
interface Started {
  what: string;
  child: ChildProcess;
  pid: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: string[];
  stderr: string[];
}

const started: Started[] = [];
const stacks: Stack[] = [];

function startProcess(what: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Started {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (!child.pid) throw new Error(`${what}: could not be started`);
  const log = fs.createWriteStream(logFile, { flags: "a" });
  log.on("error", () => {});
  const entry: Started = {
    what,
    child,
    pid: child.pid,
    exit: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    stdout: [],
    stderr: [],
  };
  const collect = (stream: NodeJS.ReadableStream, into: string[]) => {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      log.write(chunk);
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      into.push(...lines);
    });
    stream.on("end", () => {
      if (rest) into.push(rest);
    });
  };
  collect(child.stdout!, entry.stdout);
  collect(child.stderr!, entry.stderr);
  void entry.exit.then(() => log.end());
  started.push(entry);
  return entry;
}

/** Members of a process group still running. */
const groupMembers = (pgid: number) => processes().filter((p) => p.pgid === pgid);

/**
 * Kills a process group at once (whatever a test left running). Only while it has members: an id whose group is
 * empty may since have been given to someone else's process.
 */
function killGroup(pgid: number): void {
  if (groupMembers(pgid).length === 0) return;
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // none left
  }
}

// A test runner that goes away (a hard timeout) takes what it started with it.
process.once("exit", () => {
  for (const s of started) killGroup(s.pid);
});

/** Sends a signal to one process: a test's own (start.ts's children found through /proc, or their lease owners). */
export function signal(pid: number, sig: NodeJS.Signals): void {
  process.kill(pid, sig);
}

/**
 * Stops everything the test started that is still running (SIGTERM, then SIGKILL to each process group), ends the stacks'
 * database pools, drops their databases and removes their directories, then checks with /proc that no process
 * of any of those groups survives. For afterEach: runs whether the test passed or not.
 */
export async function cleanUp(options: { printLogs?: boolean } = {}): Promise<void> {
  if (options.printLogs) {
    for (const s of started) {
      const lines = [...s.stdout, ...s.stderr.map((l) => `[stderr] ${l}`)];
      console.error(`--- ${s.what} (pid ${s.pid}), last lines of its output:\n${lines.slice(-80).join("\n")}`);
    }
  }
  // What is still running is asked to stop as a user would (SIGTERM to its leader: start.ts stops and reaps its
  // children), then killed outright.
  const running = started.filter((s) => groupMembers(s.pid).length > 0);
  for (const s of running) if (alive(s.pid)) s.child.kill("SIGTERM");
  await waitFor("the processes the test left running to stop", () => running.every((s) => groupMembers(s.pid).length === 0), { timeoutMs: 15_000, intervalMs: 100 }).catch(() => {});
  for (const s of started) killGroup(s.pid);
  const survivors = await waitFor(
    "the processes the test started to end",
    () => {
      const left = started.flatMap((s) => groupMembers(s.pid));
      return left.length === 0 ? [] : null;
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  ).catch(() => started.flatMap((s) => groupMembers(s.pid)));
  for (const stack of stacks.splice(0)) await stack.dispose();
  started.splice(0);
  if (survivors.length) throw new Error(`processes survived SIGKILL: ${survivors.map((p) => `${p.pid} ${p.cmdline}`).join("; ")}`);
}

/**
 * The environment of a user's shell: this one without what the test runner adds (NODE_ENV=test, VITEST_*),
 * which `npm start` and `iiswatch` would never see.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name === "NODE_ENV" || name === "TEST" || name.startsWith("VITEST")) delete env[name];
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `fn` with the application's own database modules (Prisma, the pg pool) pointed at `url`, then closes
 * them: how the harness creates accounts and reads the detections' settings through the product's own code.
 */
async function withAppDatabase<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.env.DATABASE_URL;
  await disconnectDb();
  await closePgPool();
  process.env.DATABASE_URL = url;
  try {
    return await fn();
  } finally {
    await disconnectDb();
    await closePgPool();
    process.env.DATABASE_URL = previous;
  }
}

/** A pool on one of the test's databases; its connections are named so the database faults can spare them. */
export const HARNESS_APPLICATION_NAME = "iiswatch-fault-tests";

function harnessPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2, application_name: HARNESS_APPLICATION_NAME });
  pool.on("error", () => {});
  return pool;
}

// ---- the stack --------------------------------------------------------------------------------------------------

export interface StackOptions {
  /** IISWATCH_WORKERS (default 1). */
  workers?: number;
}

export class Stack {
  /** start.ts's runs, oldest first (a restart adds one). */
  readonly runs: Started[] = [];
  readonly pool: pg.Pool;
  private disposed = false;
  /** How long each step took (printed when the stack is disposed). */
  private readonly steps: string[] = [];
  private lastStep = Date.now();

  private constructor(
    readonly name: string,
    private readonly scratch: ScratchDatabase,
    readonly dataDir: string,
    readonly port: number,
    readonly workerCount: number,
    readonly token: string,
  ) {
    this.pool = harnessPool(scratch.url);
  }

  get url(): string {
    return this.scratch.url;
  }

  /** Records how long it has been since the previous step (for the timing line printed at the end). */
  step(label: string): void {
    const now = Date.now();
    this.steps.push(`${label} ${((now - this.lastStep) / 1000).toFixed(1)} s`);
    this.lastStep = now;
  }

  get spoolDir(): string {
    return path.join(this.dataDir, "spool");
  }

  /** A scratch database (migrated), a data directory, a free port and an admin's API token; nothing started yet. */
  static async create(name: string, options: StackOptions = {}): Promise<Stack> {
    if (!SERVER_URL) throw new Error("the fault tests need a PostgreSQL server: set DATABASE_URL");
    const began = Date.now();
    const scratch = await createScratchDatabase(`faults_${name}`, SERVER_URL);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `iiswatch-faults-${name}-`));
    const token = await withAppDatabase(scratch.url, async () => {
      const user = await createUser({ username: "fault-admin", password: "correct horse battery staple 1", role: "admin" }, cliActor());
      return (await createApiToken({ userId: user.id, name: "fault tests" }, cliActor())).token;
    });
    const stack = new Stack(name, scratch, dataDir, await freePort(), options.workers ?? 1, token);
    stack.steps.push(`created ${((Date.now() - began) / 1000).toFixed(1)} s`);
    stacks.push(stack);
    return stack;
  }

  /** The environment `npm start` gets, plus what the tests set (short leases, no hourly clock). */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...userEnv(),
      DATABASE_URL: this.url,
      PORT: String(this.port),
      HOST: "127.0.0.1",
      IISWATCH_DATA_DIR: this.dataDir,
      IISWATCH_LEASE_SECONDS: String(LEASE_SECONDS),
      IISWATCH_SCHEDULER: "off",
      IISWATCH_WORKERS: String(this.workerCount),
      NEXT_TELEMETRY_DISABLED: "1",
      ...extra,
    };
  }

  /** The current run of start.ts. */
  get current(): Started {
    const run = this.runs.at(-1);
    if (!run) throw new Error(`stack ${this.name} was never started`);
    return run;
  }

  get pid(): number {
    return this.current.pid;
  }

  /**
   * Starts the stack as `npm start` does; resolves once the web server answers and every worker is working. A
   * start that finds another `next build` of this checkout running (an e2e run rebuilding) is tried again.
   */
  async start(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        return await this.startOnce();
      } catch (e) {
        const busy = /Another next build process is already running/.test((e as Error).message);
        if (!busy || Date.now() > deadline) throw e;
        console.log(`stack ${this.name}: another next build is running in this checkout; starting again in 10 s`);
        await sleep(10_000);
      }
    }
  }

  private async startOnce(): Promise<void> {
    const run = startProcess(`start.ts (${this.name}, run ${this.runs.length + 1})`, ["--import", "tsx", "scripts/start.ts"], this.env(), path.join(this.dataDir, "stack.log"));
    this.runs.push(run);
    let exited = false;
    void run.exit.then(() => {
      exited = true;
    });
    await waitFor(
      `stack ${this.name} to answer on port ${this.port} with ${this.workerCount} worker(s) working`,
      async () => {
        if (exited) throw new Error(`start.ts exited: ${[...run.stdout, ...run.stderr].slice(-20).join("\n")}`);
        return (await this.healthy()) && this.readyWorkers().length >= this.workerCount;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 250 },
    ).catch((e: Error) => {
      if (exited) throw new Error(`stack ${this.name}: start.ts exited during start-up: ${[...run.stdout, ...run.stderr].slice(-30).join("\n")}`);
      throw e;
    });
    this.step(`start #${this.runs.length}`);
  }

  /** GET /api/health answers 200. */
  async healthy(): Promise<boolean> {
    try {
      return (await request(this, "GET", "/api/health")).status === 200;
    } catch {
      return false;
    }
  }

  /** start.ts's children now. */
  children(): Proc[] {
    return processes().filter((p) => p.ppid === this.pid);
  }

  /** The worker processes start.ts runs now. */
  workers(): Proc[] {
    return this.children().filter((p) => p.cmdline.includes("scripts/iiswatch.ts worker"));
  }

  /** Whether `pid` is one of start.ts's worker processes now (one /proc read: for a kill that must be quick). */
  isWorker(pid: number): boolean {
    const p = readProc(pid);
    return p !== null && p.ppid === this.pid && p.cmdline.includes("scripts/iiswatch.ts worker");
  }

  /** The web server's processes (`next start`, which names itself next-server; IISWATCH_WEB_PROCESSES of them). */
  webServers(): Proc[] {
    const web = this.children().filter((p) => p.cmdline.startsWith("next-server"));
    if (web.length === 0) throw new Error(`stack ${this.name}: no next-server among start.ts's children (${this.children().map((p) => p.cmdline).join("; ")})`);
    return web;
  }

  /** Workers that said they are working (`worker HOST:PID:…: working uploads and detections`) and still run. */
  readyWorkers(): Proc[] {
    const announced = new Set<number>();
    for (const line of this.current.stdout) {
      const m = /^worker [^\s]*?:(\d+):[0-9a-f]+: working uploads and detections/.exec(line);
      if (m) announced.add(Number(m[1]));
    }
    return this.workers().filter((w) => announced.has(w.pid));
  }

  /**
   * Sends `sig` to start.ts and waits for it to exit; then checks that nothing of its process group is left
   * (start.ts stops its children before it exits). Returns how it ended and how long it took.
   */
  async stop(sig: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const run = this.current;
    const began = Date.now();
    if (alive(run.pid)) run.child.kill(sig);
    return this.waitForExit(began);
  }

  /** Waits for start.ts to exit on its own (its web server died), then checks nothing of its group is left. */
  async waitForExit(began = Date.now()): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const run = this.current;
    const outcome = await Promise.race([run.exit, sleep(STOP_TIMEOUT_MS).then(() => null)]);
    if (!outcome) throw new Error(`stack ${this.name}: start.ts (pid ${run.pid}) had not exited ${STOP_TIMEOUT_MS / 1000} s later`);
    const ms = Date.now() - began;
    const left = await waitFor(
      `the processes of stack ${this.name} to end with start.ts`,
      () => {
        const members = groupMembers(run.pid);
        return members.length === 0 ? [] : null;
      },
      { timeoutMs: 5_000, intervalMs: 100 },
    ).catch(() => groupMembers(run.pid));
    expect(left.map((p) => `${p.pid} ${p.cmdline}`), `processes left running after start.ts (pid ${run.pid}) exited`).toEqual([]);
    this.step(`stop #${this.runs.length}`);
    return { ...outcome, ms };
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /** Waits until no upload is in progress (every one done or failed). */
  async waitUntilSettled(timeoutMs = 240_000): Promise<void> {
    await waitFor(
      `stack ${this.name}: every upload done or failed`,
      async () => {
        const rows = await this.query<{ n: string }>(`SELECT count(*) AS n FROM uploads WHERE status::text = ANY($1::text[])`, [ACTIVE_STATUSES]);
        return Number(rows[0].n) === 0;
      },
      { timeoutMs, intervalMs: 250 },
    );
    this.step("settled");
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    console.log(`stack ${this.name}: ${this.steps.join(", ")}`);
    for (const run of this.runs) killGroup(run.pid);
    await this.pool.end().catch(() => {});
    await this.scratch.drop().catch((e: unknown) => console.error(`dropping ${this.url}: ${(e as Error).message}`));
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// ---- HTTP -------------------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  body: unknown;
}

function readReply(res: http.IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("error", reject);
    res.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      resolve({ status: res.statusCode ?? 0, body });
    });
  });
}

/** A bodiless request to the stack's web server, with the admin's API token. */
export function request(stack: Stack, method: string, urlPath: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: stack.port, method, path: urlPath, agent: false, timeout: 10_000, headers: { authorization: `Bearer ${stack.token}` } },
      (res) => readReply(res).then(resolve, reject),
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

export interface Transfer {
  /** The server's answer, or the error the client saw. */
  reply: Promise<Reply>;
  /** Resolves once the bytes to send (all, or `stopAfterBytes`) are written to the socket. */
  written: Promise<void>;
  request: http.ClientRequest;
}

/**
 * POST /api/uploads?filename=NAME with the file as the raw body (Content-Length: the whole file). With
 * `stopAfterBytes`, only that many bytes are sent and the request is left open, as a slow client would.
 */
export function sendFile(stack: Stack, file: string, options: { stopAfterBytes?: number } = {}): Transfer {
  const size = fs.statSync(file).size;
  const req = http.request({
    host: "127.0.0.1",
    port: stack.port,
    method: "POST",
    path: `/api/uploads?filename=${encodeURIComponent(path.basename(file))}`,
    agent: false,
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/octet-stream", "content-length": String(size) },
  });
  const reply = new Promise<Reply>((resolve, reject) => {
    req.on("response", (res) => readReply(res).then(resolve, reject));
    req.on("error", reject);
  });
  reply.catch(() => {}); // the caller looks at it; never an unhandled rejection meanwhile
  const source = fs.createReadStream(file, options.stopAfterBytes !== undefined ? { start: 0, end: options.stopAfterBytes - 1 } : {});
  const written = new Promise<void>((resolve, reject) => {
    source.on("end", resolve);
    source.on("error", reject);
  });
  written.catch(() => {});
  source.pipe(req, { end: options.stopAfterBytes === undefined });
  return { reply, written, request: req };
}

/** Uploads a file over HTTP; resolves with the upload's id (the server answered 202). */
export async function uploadFile(stack: Stack, file: string): Promise<string> {
  const { reply } = sendFile(stack, file);
  const { status, body } = await reply;
  expect(status, `POST /api/uploads of ${path.basename(file)}: ${JSON.stringify(body)}`).toBe(202);
  return (body as { id: string }).id;
}

// ---- the command line ---------------------------------------------------------------------------------------------

export interface CliRun {
  started: Started;
  /** Resolves with the exit code and what it printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string[]; stderr: string[] }>;
}

/** Runs `iiswatch ARGS…` (node --import tsx scripts/iiswatch.ts) as its own process group. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, logFile: string): CliRun {
  const s = startProcess(`iiswatch ${args.join(" ")}`, ["--import", "tsx", "scripts/iiswatch.ts", ...args], env, logFile);
  return { started: s, done: s.exit.then(({ code, signal }) => ({ code, signal, stdout: s.stdout, stderr: s.stderr })) };
}

export interface CliReport {
  file: string;
  recordsRead: number;
  stored: number;
  duplicates: number;
  rejected: number;
  uploadId: string;
}

/** The per-file lines `iiswatch ingest` prints: `FILE: N records read, N stored, N duplicate, N rejected (upload ID)`. */
export function parseIngestReports(stdout: string[]): CliReport[] {
  const out: CliReport[] = [];
  for (const line of stdout) {
    const m = /^(.+): (\d+) records read, (\d+) stored, (\d+) duplicate, (\d+) rejected \(upload ([0-9a-f-]{36})\)/.exec(line);
    if (m) out.push({ file: m[1], recordsRead: Number(m[2]), stored: Number(m[3]), duplicates: Number(m[4]), rejected: Number(m[5]), uploadId: m[6] });
  }
  return out;
}

// ---- what must hold at the end ------------------------------------------------------------------------------------

/** The detections' output, comparable across databases. */
export interface DetectionSnapshot {
  /** Each result as `detection count first last fields`, sorted. */
  results: string[];
  riskEvents: number;
  notables: number;
}

export async function detectionSnapshot(pool: pg.Pool): Promise<DetectionSnapshot> {
  const { rows } = await pool.query<{ line: string }>(
    `SELECT detection_id || ' ' || count || ' ' || to_char(first_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || ' '
            || to_char(last_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || ' ' || fields::text AS line
     FROM detection_results`,
  );
  const { rows: counts } = await pool.query<{ risk: string; notables: string }>(
    `SELECT (SELECT count(*) FROM risk_events) AS risk, (SELECT count(*) FROM notables) AS notables`,
  );
  return { results: rows.map((r) => r.line).sort(), riskEvents: Number(counts[0].risk), notables: Number(counts[0].notables) };
}

const references = new Map<string, DetectionSnapshot>();

/**
 * The detections' output for a fixture set ingested without faults (`iiswatch ingest` of its files on a fresh
 * scratch database), computed once per run and kept beside the fixtures for the other test files.
 */
export async function referenceRun(set: FixtureSet): Promise<DetectionSnapshot> {
  const cached = references.get(set.name);
  if (cached) return cached;
  const fixtures = faultFixtures();
  if (!fixtures) throw new Error("no fixtures (DATABASE_URL is unset)");
  const cacheFile = path.join(fixtures.dir, `reference-${set.name}.json`);
  if (fs.existsSync(cacheFile)) {
    const snapshot = JSON.parse(fs.readFileSync(cacheFile, "utf8")) as DetectionSnapshot;
    references.set(set.name, snapshot);
    return snapshot;
  }
  const began = Date.now();
  const scratch = await createScratchDatabase(`faults_ref_${set.name}`, SERVER_URL);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `iiswatch-faults-ref-`));
  const pool = harnessPool(scratch.url);
  try {
    const cli = runCli(
      ["ingest", ...set.files.map((f) => f.path)],
      { ...userEnv(), DATABASE_URL: scratch.url, IISWATCH_DATA_DIR: dataDir, IISWATCH_SCHEDULER: "off" },
      path.join(dataDir, "cli.log"),
    );
    const { code, stdout, stderr } = await cli.done;
    expect(code, `reference run of ${set.name}: ${[...stdout, ...stderr].join("\n")}`).toBe(0);
    await checkInvariants(scratch.url, pool, { done: set.files });
    const snapshot = await detectionSnapshot(pool);
    expect(snapshot.results.length, `the reference run of ${set.name} has detection results`).toBeGreaterThan(0);
    fs.writeFileSync(cacheFile, JSON.stringify(snapshot));
    references.set(set.name, snapshot);
    console.log(`reference run of ${set.name}: ${snapshot.results.length} results, ${snapshot.riskEvents} risk events, ${snapshot.notables} notables (${((Date.now() - began) / 1000).toFixed(1)} s)`);
    return snapshot;
  } finally {
    await pool.end().catch(() => {});
    await scratch.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface Expectation {
  /** The files whose uploads must end done (one upload each): their records, and no others, stored once each. */
  done: FixtureFile[];
  /** How many uploads must end failed (default none). */
  failed?: number;
  /** The detections' output of the same files ingested without faults. */
  reference?: DetectionSnapshot;
}

export interface UploadRow {
  id: string;
  filename: string;
  status: string;
  error: string | null;
  attempts: number;
  records_read: number;
  stored: number;
  duplicates: number;
  rejected: number;
  events: string;
  held: string;
  rejections: string;
  evaluated: string[] | null;
  evaluated_at: Date | null;
}

/**
 * What every fault test asserts at its end (see the top of this file). `url` is the database's, for the
 * product's own code (which detections are enabled); `pool` reads it.
 */
export async function checkInvariants(url: string, pool: pg.Pool, expectation: Expectation): Promise<UploadRow[]> {
  const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await pool.query<R>(sql, params)).rows;

  // Nothing left in progress.
  const active = await q<{ id: string; status: string }>(`SELECT id, status::text FROM uploads WHERE status::text = ANY($1::text[])`, [ACTIVE_STATUSES]);
  expect(active, "uploads left in progress").toEqual([]);

  const uploads = await q<UploadRow>(
    `SELECT u.id, u.filename, u.status::text AS status, u.error, u.attempts, u.records_read, u.stored, u.duplicates, u.rejected, u.evaluated_at,
       (SELECT count(*) FROM events e WHERE e.upload_id = u.id) AS events,
       (SELECT count(*) FROM event_holders h WHERE h.upload_id = u.id) AS held,
       (SELECT count(*) FROM upload_rejections r WHERE r.upload_id = u.id) AS rejections,
       (SELECT array_agg(v.detection_id ORDER BY v.detection_id) FROM upload_evaluations v WHERE v.upload_id = u.id) AS evaluated
     FROM uploads u ORDER BY u.created_at`,
  );
  const done = uploads.filter((u) => u.status === "done");
  const failed = uploads.filter((u) => u.status === "failed");
  expect(done.map((u) => u.filename).sort(), "the uploads that ended done").toEqual(expectation.done.map((f) => path.basename(f.path)).sort());
  expect(failed.length, `failed uploads: ${JSON.stringify(failed.map((u) => u.error))}`).toBe(expectation.failed ?? 0);

  const enabled = (await withAppDatabase(url, () => listDetections())).filter((d) => d.enabled).map((d) => d.spec.id).sort();
  expect(enabled.length, "enabled detections").toBeGreaterThan(0);

  for (const u of done) {
    const file = expectation.done.find((f) => path.basename(f.path) === u.filename)!;
    const label = `upload ${u.filename} (${u.id})`;
    // The report adds up, and is the file's.
    expect(u.records_read, `${label}: records read`).toBe(file.count);
    expect(u.stored + u.duplicates + u.rejected, `${label}: stored + duplicate + rejected = records read`).toBe(u.records_read);
    // …and is true of the database: its stored events are its rows in events, its duplicates the events of the
    // file another upload stored first (held by it), its rejections the rows recorded.
    expect(Number(u.events), `${label}: events whose upload_id is it = its stored count`).toBe(u.stored);
    expect(Number(u.held), `${label}: event_holders rows = its duplicate count`).toBe(u.duplicates);
    expect(Number(u.rejections), `${label}: rejections recorded = its rejected count`).toBe(u.rejected);
    const [{ outside, held_outside }] = await q<{ outside: string; held_outside: string }>(
      `SELECT (SELECT count(*) FROM events WHERE upload_id = $1 AND record_id NOT BETWEEN $2 AND $3) AS outside,
              (SELECT count(*) FROM event_holders h JOIN events e ON e.id = h.event_id WHERE h.upload_id = $1 AND e.record_id NOT BETWEEN $2 AND $3) AS held_outside`,
      [u.id, file.firstRecord, file.firstRecord + file.count - 1],
    );
    expect(Number(outside) + Number(held_outside), `${label}: events stored or held that are not in its file`).toBe(0);
    // Evaluated by every enabled detection.
    expect(u.evaluated ?? [], `${label}: detections that evaluated it (upload_evaluations)`).toEqual(enabled);
    expect(u.evaluated_at, `${label}: evaluated_at`).not.toBeNull();
  }
  for (const u of failed) {
    expect([u.stored, u.duplicates, Number(u.events), Number(u.held)], `failed upload ${u.filename}: stored, duplicates, events, holders`).toEqual([0, 0, 0, 0]);
  }

  // Every record of every done upload stored exactly once, and nothing else.
  const ranges = mergeRanges(expectation.done.map((f) => [f.firstRecord, f.firstRecord + f.count - 1] as [number, number]));
  const expected = ranges.reduce((n, [a, b]) => n + (b - a + 1), 0);
  const inRanges = ranges.length ? ranges.map(([a, b]) => `record_id BETWEEN ${a} AND ${b}`).join(" OR ") : "false";
  const [events] = await q<{ n: string; distinct_records: string; outside: string; hosts_total: string; iis_config: string; hosts_iis_config: string }>(
    `SELECT count(*) AS n, count(DISTINCT record_id) AS distinct_records, count(*) FILTER (WHERE NOT (${inRanges})) AS outside,
       (SELECT coalesce(sum(event_count), 0) FROM hosts) AS hosts_total,
       count(*) FILTER (WHERE lower(channel) = lower('Microsoft-IIS-Configuration/Operational')) AS iis_config,
       (SELECT coalesce(sum(iis_config_events), 0) FROM hosts) AS hosts_iis_config
     FROM events`,
  );
  expect(
    { events: Number(events.n), distinctRecords: Number(events.distinct_records), outside: Number(events.outside) },
    "events stored: each record of the done uploads once, nothing else",
  ).toEqual({ events: expected, distinctRecords: expected, outside: 0 });
  expect(done.reduce((n, u) => n + u.stored, 0), "stored counts of the done uploads add up to the events table").toBe(expected);
  // The host counters the merge keeps in the same transaction count every event once too.
  expect({ events: Number(events.hosts_total), iisConfig: Number(events.hosts_iis_config) }, "hosts' event counters").toEqual({
    events: expected,
    iisConfig: Number(events.iis_config),
  });

  // Every 2282 and 29 counted by some detection result.
  const [detected] = await q<{ relevant: string; uncounted: string }>(
    `SELECT count(*) AS relevant, count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM detection_result_events d WHERE d.event_id = e.id)) AS uncounted
     FROM events e WHERE e.event_code IN (2282, 29)`,
  );
  if (expected > 0) expect(Number(detected.relevant), "2282 and 29 events stored").toBeGreaterThan(0);
  expect(Number(detected.uncounted), "2282 and 29 events no detection result counted").toBe(0);

  // Exactly once: the detections' output is that of the same files without faults.
  if (expectation.reference) {
    const snapshot = await detectionSnapshot(pool);
    expect({ results: snapshot.results.length, riskEvents: snapshot.riskEvents, notables: snapshot.notables }, "detection results, risk events, notables (vs. the reference run)").toEqual({
      results: expectation.reference.results.length,
      riskEvents: expectation.reference.riskEvents,
      notables: expectation.reference.notables,
    });
    const missing = expectation.reference.results.filter((r) => !snapshot.results.includes(r));
    const extra = snapshot.results.filter((r) => !expectation.reference!.results.includes(r));
    expect({ missing: missing.slice(0, 5), extra: extra.slice(0, 5) }, "detection results differing from the reference run").toEqual({ missing: [], extra: [] });
  }
  return uploads;
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Shorthand for a stack's end-of-test checks. */
export async function checkStack(stack: Stack, expectation: Expectation): Promise<UploadRow[]> {
  stack.step("(until checks)");
  const uploads = await checkInvariants(stack.url, stack.pool, expectation);
  stack.step("checks");
  return uploads;
}

/**
 * Polls one query on a connection of its own as fast as the database answers (every `intervalMs`), until
 * `predicate` holds for its first row: the trigger of a fault that must land in a narrow moment.
 */
export async function watch<R extends pg.QueryResultRow>(
  stack: Stack,
  sql: string,
  params: unknown[],
  predicate: (row: R) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; what: string },
): Promise<R> {
  const client = new pg.Client({ connectionString: stack.url, application_name: HARNESS_APPLICATION_NAME });
  client.on("error", () => {});
  await client.connect();
  try {
    return await waitFor(
      options.what,
      async () => {
        const { rows } = await client.query<R>(sql, params);
        return rows[0] && predicate(rows[0]) ? rows[0] : null;
      },
      { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: options.intervalMs ?? 10 },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
