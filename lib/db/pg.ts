// A plain node-postgres pool for what Prisma cannot do well: bulk writes (tens of thousands of rows per
// statement) and the detection engine's set-based SQL.
import pg from "pg";
import { databaseUrl } from "./client";

const globalForPg = globalThis as unknown as { iiswatchPg?: pg.Pool; iiswatchIsPglite?: Promise<boolean> };

export function pgPool(): pg.Pool {
  return (globalForPg.iiswatchPg ??= new pg.Pool({ connectionString: databaseUrl(), max: Number(process.env.DATABASE_BULK_POOL_MAX ?? 2) }));
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
