// How a worker process is started: `npm start` starts them (scripts/start.ts) and bench:ingest measures them so.
//
// A worker's memory is mostly outside what it parses: Node, Prisma's query compiler and the modules take ~200 MB
// before the first upload, and an upload's working set is batches of COPY text and the detection step's results.
// Two settings keep the peak of a 1 GB upload under 400 MB (bench:ingest, README): glibc's malloc arenas limited to
// two (a process with several threads otherwise keeps freed memory in up to 8 arenas per core: 401 → 362 MB) and a
// smaller young generation for V8 (4 MB semi-spaces instead of 16: short-lived strings are collected sooner;
// 362 → 332 MB with both). The environment overrides either.
import path from "node:path";

/** Environment defaults of a worker process (read by glibc at process start: they cannot be set from inside). */
export const WORKER_ENV_DEFAULTS: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };

/** Node options of a worker process. */
export const WORKER_NODE_ARGS: readonly string[] = ["--max-semi-space-size=4"];

/** `env` with the worker defaults it does not set itself. */
export function workerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...WORKER_ENV_DEFAULTS, ...env };
}

/** The command line (after the node binary) of `iiswatch worker`, with `args` after it. */
export function workerProcessArgs(root: string, args: string[] = []): string[] {
  return [...WORKER_NODE_ARGS, "--import", "tsx", path.join(root, "scripts/iiswatch.ts"), "worker", ...args];
}
