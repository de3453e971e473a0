// A plain node-postgres pool for what Prisma cannot do well: bulk writes (tens of thousands of rows per
// statement) and the detection engine's set-based SQL.
import pg from "pg";
import { databaseUrl } from "./client";

const globalForPg = globalThis as unknown as { iiswatchPg?: pg.Pool; iiswatchIsPglite?: Promise<boolean> };

export function pgPool(): pg.Pool {
  return (globalForPg.iiswatchPg ??= createPool());
}

function createPool(): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl(),
    max: Number(process.env.DATABASE_BULK_POOL_MAX ?? 2),
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
