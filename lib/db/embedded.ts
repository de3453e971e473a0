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

/** Every client pool together (web server, workers, their job queues and leases, the CLI) must stay within this. */
export const EMBEDDED_MAX_CONNECTIONS = 40;

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

// ---- one client's protocol exchange at a time ------------------------------------------------------------
// pglite-socket serves every connection through one PGlite session, interleaving their protocol messages. An
// extended-protocol exchange (Parse, Bind, Describe, Execute ... Sync — every parameterized query) keeps state in
// the session, so another client's Parse between this client's Parse and Bind corrupts both ("bind message
// supplies 35 parameters, but prepared statement "" requires 2"); it happens as soon as a large Bind arrives in
// several TCP packets. The socket server's queue already keeps a transaction's statements together; we extend
// that to every exchange: once a client has started one, only its messages run until its Sync (or simple Query).

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

interface SocketQueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Messages that end an exchange: Sync, simple Query, Terminate, and the untyped startup message. */
const ENDS_EXCHANGE = new Set([0x53, 0x51, 0x58, 0x00]);

function serializeExchanges(server: PGLiteSocketServer): void {
  const q = (server as unknown as { queryQueue: SocketQueryQueue }).queryQueue;
  let exchangeOwner: number | null = null;
  q.processQueue = async function processQueue(this: SocketQueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        // Whose turn it is: the client inside a transaction or an exchange, else whoever is next.
        const owner = this.db.isInTransaction() && this.lastHandlerId !== null ? this.lastHandlerId : exchangeOwner;
        const index = owner === null ? 0 : this.queue.findIndex((m) => m.handlerId === owner);
        if (index === -1) break; // wait for the owner's next message (enqueue calls processQueue again)
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (e) {
          exchangeOwner = null;
          item.reject(e);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        exchangeOwner = ENDS_EXCHANGE.has(item.message[0]) ? null : item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  const clear = q.clearQueueForHandler.bind(q);
  q.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    // A client that disconnects mid-exchange must not hold the others up.
    if (exchangeOwner === handlerId) {
      exchangeOwner = null;
      void q.processQueue();
    }
  };
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
  serializeExchanges(server);
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
