// The process's one node-postgres pool: the SQL of lib/db/sql.ts (bulk writes, the detection engine's set-based
// statements, the views' queries) and Prisma's client (lib/db/client.ts, through its pg adapter) share it, so a
// process holds one set of connections rather than one per library. pg-boss (lib/jobs/boss.ts) and the lease
// renewals (lib/jobs/leases.ts) keep connections of their own, on purpose: they must never wait behind a long merge.
import pg from "pg";

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it, to the embedded database when you have none)");
  return url;
}

const globalForPg = globalThis as unknown as { iiswatchPg?: pg.Pool; iiswatchIsPglite?: Promise<boolean> };

export function pgPool(): pg.Pool {
  return (globalForPg.iiswatchPg ??= createPool());
}

function createPool(): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl(),
    // What the Prisma pool and the SQL pool had when they were two, so that neither use loses capacity. Kept small by
    // default: the embedded database serves a limited number of connections (embedded.ts).
    max: Number(process.env.DATABASE_POOL_MAX ?? 4) + Number(process.env.DATABASE_BULK_POOL_MAX ?? 2),
    // No JIT compilation: it costs tens of milliseconds per statement, more than the dashboard's queries take to
    // run, and the planner's row estimates for jsonb functions (a hundredfold too high) push them past
    // jit_above_cost. A startup option, so it holds from the first query; the embedded server ignores it.
    options: "-c jit=off",
  });
  // An idle connection the server closed (restart, pg_terminate_backend) is dropped from the pool and replaced on
  // next use; without a listener its error would end the process.
  pool.on("error", (e) => console.error(`database: an idle connection failed (${e.message}); it will be replaced`));
  return pool;
}

/** Whether the server is the embedded PGlite (no COPY over its socket: it breaks the connection). */
export function isEmbeddedServer(): Promise<boolean> {
  return (globalForPg.iiswatchIsPglite ??= pgPool()
    .query<{ v: string }>("select version() as v")
    .then((r) => r.rows[0].v.includes("PGlite")));
}

export async function closePgPool(): Promise<void> {
  await globalForPg.iiswatchPg?.end();
  globalForPg.iiswatchPg = undefined;
  globalForPg.iiswatchIsPglite = undefined;
}
