// The embedded database: PGlite (Postgres compiled to Wasm) persisted in a directory and served on the
// Postgres wire protocol, so the app keeps one code path (adapter-pg, pg, COPY-less bulk writes) whether it
// runs on a real server (DATABASE_URL) or on a laptop with nothing installed.
//
// Only one process may open a PGlite directory. The process that opens it writes a lock file naming its port,
// and any other process (the CLI while the dashboard runs, say) connects to that server instead of opening the
// directory a second time.
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** Every client pool together (app, job runner, bulk writer, CLI) must stay within this. */
export const EMBEDDED_MAX_CONNECTIONS = 12;

export function embeddedDataDir(): string {
  return path.resolve(process.env.IISWATCH_DATA_DIR ?? ".data", "pglite");
}

export interface EmbeddedDatabase {
  url: string;
  /** False when another process already served this directory and we only connected to it. */
  owned: boolean;
  stop(): Promise<void>;
}

interface LockInfo {
  pid: number;
  port: number;
}

function lockPath(dir: string) {
  return `${dir}.lock`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readLock(dir: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath(dir), "utf8")) as LockInfo;
    return alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

const urlFor = (port: number) => `postgresql://postgres@127.0.0.1:${port}/postgres`;

/**
 * Serves an embedded PGlite database. `dir: "memory"` gives a throw-away in-memory database (tests).
 * `port: 0` picks a free port.
 */
export async function startEmbeddedDatabase(options: { dir?: string; port?: number } = {}): Promise<EmbeddedDatabase> {
  const dir = options.dir ?? embeddedDataDir();
  const inMemory = dir === "memory";
  if (!inMemory) {
    const running = readLock(dir);
    if (running) return { url: urlFor(running.port), owned: false, stop: async () => {} };
    fs.mkdirSync(path.dirname(dir), { recursive: true });
  }
  const db = await PGlite.create(inMemory ? undefined : dir);
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port ?? Number(process.env.PGLITE_PORT ?? 0),
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  if (!inMemory) fs.writeFileSync(lockPath(dir), JSON.stringify({ pid: process.pid, port } satisfies LockInfo));
  let stopped = false;
  return {
    url: urlFor(port),
    owned: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      if (!inMemory) fs.rmSync(lockPath(dir), { force: true });
    },
  };
}

/** Runs `fn` with DATABASE_URL, or with the embedded database (started for the call) when it is unset. */
export async function withDatabaseUrl<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const embedded = await startEmbeddedDatabase();
  try {
    return await fn(embedded.url);
  } finally {
    await embedded.stop();
  }
}
