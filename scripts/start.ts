// `npm start`: the dashboard on http://localhost:3000 (PORT, HOST), on DATABASE_URL or — when it is unset — on
// the embedded database persisted under .data/ (IISWATCH_DATA_DIR). Applies pending migrations first, builds
// the app when there is no current build, then runs the web server (`next start`; `npm run dev`: `next dev`)
// and IISWATCH_WORKERS worker processes (default 1) beside it, each a separate process: parsing never runs on
// the web server's event loop. A worker that dies is started again; SIGINT or SIGTERM stops every process this
// started (workers hand their in-flight uploads back to the queue) before this one exits.
import { spawn, type ChildProcess } from "node:child_process";
import cluster from "node:cluster";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../lib/db/embedded";
import { deployMigrations } from "../lib/db/migrate";
import { redactUrl } from "../lib/db/url";
import { workerProcessArgs, workerProcessEnv } from "../lib/pipeline/worker-process";

const ROOT = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
const port = process.env.PORT ?? "3000";
const host = process.env.HOST ?? "127.0.0.1";
const nextBin = path.join(ROOT, "node_modules/next/dist/bin/next");

/** Newest modification time under the app's source folders, to tell whether the build is stale. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "generated" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of ["app", "components", "lib", "public"]) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  for (const file of ["next.config.js", "package-lock.json", "instrumentation.ts"]) {
    const full = path.join(ROOT, file);
    if (fs.existsSync(full)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Runs a one-off step (the build) to its end; a stop request meanwhile is passed on to it. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [nextBin, ...args], { cwd: ROOT, env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? 1);
    });
  });
}

/** How long the processes get to stop on their own before they are killed. */
const STOP_GRACE_MS = 30_000;

/**
 * The web server processes and the workers, supervised: a worker that exits while we are not stopping is started
 * again (after a pause growing with quick failures); a web process exiting ends everything. Resolves with the exit code
 * once every process has stopped.
 */
function serve(webArgs: string[], env: NodeJS.ProcessEnv, workers: number, web: { processes: number; defaults?: Record<string, string> }): Promise<number> {
  return new Promise((resolve) => {
    const children = new Set<ChildProcess>();
    let stopping = false;
    let exitCode = 0;
    const finish = () => {
      if (children.size === 0) {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        resolve(exitCode);
      }
    };
    const stopAll = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      for (const child of children) child.kill(signal);
      const killer = setTimeout(() => {
        for (const child of children) child.kill("SIGKILL");
      }, STOP_GRACE_MS);
      killer.unref();
      finish();
    };
    const onSignal = (signal: NodeJS.Signals) => stopAll(signal === "SIGINT" ? "SIGINT" : "SIGTERM");
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // Whoever started us (npm, a shell, a test) going away without passing a signal on — a shell that dies on
    // SIGTERM does not forward it — must not leave the dashboard running: stop as on SIGTERM.
    const parent = process.ppid;
    const watchParent = setInterval(() => {
      if (process.ppid !== parent) stopAll("SIGTERM");
    }, 1000);
    watchParent.unref();

    // IISWATCH_EXIT_WITH_PARENT: the web server leaves if this process is killed outright (instrumentation.ts).
    // (defaults: settings of the web processes only, which the environment overrides)
    const webEnv = { ...web.defaults, ...env, IISWATCH_EXIT_WITH_PARENT: "1" };
    const onWebExit = (web: ChildProcess) => (code: number | null, signal: NodeJS.Signals | null) => {
      children.delete(web);
      if (!stopping) {
        console.error(`web server exited (${signal ?? code}); stopping the workers`);
        exitCode = code ?? 1;
        stopAll("SIGTERM");
      }
      finish();
    };
    if (dev) {
      // `next dev` runs its server in a child of its own.
      const child = spawn(process.execPath, [nextBin, ...webArgs], { cwd: ROOT, env: webEnv, stdio: "inherit" });
      children.add(child);
      child.on("exit", onWebExit(child));
    } else {
      // `next start` processes sharing one port through Node's cluster module: this process accepts the
      // connections and hands them round to the web processes, each rendering on its own core.
      cluster.setupPrimary({ exec: nextBin, args: webArgs, execArgv: process.env.IISWATCH_WEB_NODE_ARGS?.split(" ").filter(Boolean) ?? [] });
      for (let i = 0; i < web.processes; i++) {
        const child = cluster.fork(webEnv).process;
        children.add(child);
        child.on("exit", onWebExit(child));
      }
    }

    const startWorker = (index: number, failures: number) => {
      const started = Date.now();
      // An IPC channel: a worker whose parent goes away, however it went, sees 'disconnect' and stops.
      const worker = spawn(process.execPath, workerProcessArgs(ROOT, index > 0 ? ["--no-scheduler"] : []), {
        cwd: ROOT,
        env: workerProcessEnv({ ...env, IISWATCH_WORKER_INDEX: String(index) }),
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      children.add(worker);
      worker.on("exit", (code, signal) => {
        children.delete(worker);
        if (!stopping) {
          const quick = Date.now() - started < 10_000;
          const delay = quick ? Math.min(30_000, 1000 * 2 ** failures) : 1000;
          console.error(`worker ${index} exited (${signal ?? code}); starting it again in ${delay / 1000} s`);
          setTimeout(() => !stopping && startWorker(index, quick ? failures + 1 : 0), delay).unref();
        }
        finish();
      });
    };
    for (let i = 0; i < workers; i++) startWorker(i, 0);
  });
}

/**
 * Builds the app when there is no current build. One build at a time per checkout (a lock file): dashboards started
 * at once (tests, benchmarks) wait for the build under way and then use it rather than building over it.
 */
async function buildIfStale(env: NodeJS.ProcessEnv): Promise<number> {
  const buildId = path.join(ROOT, ".next/BUILD_ID");
  const stale = () => !fs.existsSync(buildId) || fs.statSync(buildId).mtimeMs < newestSource();
  if (!stale()) return 0;
  const lock = path.join(ROOT, ".next-build.lock");
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch {
      const holder = Number(fs.readFileSync(lock, "utf8"));
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = true;
      } catch {
        // its builder is gone: take the lock over
      }
      if (!alive) fs.rmSync(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    if (!stale()) return 0;
    console.log("building the dashboard (first start, or the code changed)…");
    return await run(["build"], env);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** IISWATCH_WORKERS: how many worker processes `npm start` runs beside the web server. */
function workerCount(): number {
  const n = Number(process.env.IISWATCH_WORKERS ?? 1);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new Error(`IISWATCH_WORKERS must be a whole number from 0 to 64 (got '${process.env.IISWATCH_WORKERS}')`);
  return n;
}

/**
 * IISWATCH_WEB_PROCESSES: how many web server processes `npm start` runs. Rendering a page is CPU work on one
 * event loop, so many readers at once queue on a single process; by default one per core, up to 2 (the workers
 * and PostgreSQL need the rest). One on the embedded database, which answers every process from this one.
 */
function webProcessCount(embedded: boolean): number {
  const fallback = embedded ? 1 : Math.min(2, os.availableParallelism());
  const n = Number(process.env.IISWATCH_WEB_PROCESSES ?? fallback);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`IISWATCH_WEB_PROCESSES must be a whole number from 1 to 64 (got '${process.env.IISWATCH_WEB_PROCESSES}')`);
  return n;
}

async function main() {
  let embedded: EmbeddedDatabase | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedDatabase();
    url = embedded.url;
    console.log(`database: embedded PGlite in ${path.relative(ROOT, path.resolve(process.env.IISWATCH_DATA_DIR ?? ".data"))}/ (set DATABASE_URL to use a PostgreSQL server)`);
  } else {
    console.log(`database: ${redactUrl(url)}`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, NEXT_TELEMETRY_DISABLED: "1" };
  try {
    const applied = await deployMigrations(url);
    if (applied.length) console.log(`migrations applied: ${applied.join(", ")}`);

    const workers = workerCount();
    if (dev) return await serve(["dev", "-H", host, "-p", port], env, workers, { processes: 1 });

    const code = await buildIfStale(env);
    if (code !== 0) return code;
    const webProcesses = webProcessCount(embedded !== null);
    console.log(
      `dashboard: http://${host === "0.0.0.0" ? "localhost" : host}:${port} (${webProcesses} web process${webProcesses === 1 ? "" : "es"}, ${workers} worker process${workers === 1 ? "" : "es"})`,
    );
    // The web server's SQL pool serves every page's queries: more than the workers' 2, so that a quick read does not
    // wait behind a heavy page's (the embedded database has connections for fewer).
    return await serve(["start", "-H", host, "-p", port], env, workers, { processes: webProcesses, defaults: embedded ? {} : { DATABASE_BULK_POOL_MAX: "6" } });
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
