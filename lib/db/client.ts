// The Prisma client, one per process, on the process's one pool (lib/db/pg.ts). Connects lazily, so `next build`
// needs no database.
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/client.ts";
import { pgPool } from "./pg";

export type { PrismaClient } from "./generated/client.ts";
export { Prisma } from "./generated/client.ts";

export { databaseUrl } from "./pg";

const globalForPrisma = globalThis as unknown as { iiswatchPrisma?: PrismaClient; iiswatchPrismaPool?: pg.Pool };

/**
 * Cached on globalThis in production too: Next evaluates this module once per route bundle. The client rides on
 * the pg pool, so a pool closed and opened again (closePgPool) gets a new client.
 */
export function db(): PrismaClient {
  const pool = pgPool();
  if (globalForPrisma.iiswatchPrisma && globalForPrisma.iiswatchPrismaPool === pool) return globalForPrisma.iiswatchPrisma;
  globalForPrisma.iiswatchPrisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    // Prisma's defaults (wait 2 s for a connection, 5 s to finish) fail an admin's or triager's save when the pool is
    // busy with a worker's merge or on a loaded machine; a wait of seconds is better than a lost change.
    transactionOptions: { maxWait: 10_000, timeout: 30_000 },
  });
  globalForPrisma.iiswatchPrismaPool = pool;
  return globalForPrisma.iiswatchPrisma;
}

export async function disconnectDb(): Promise<void> {
  // Leaves the shared pool open (closePgPool ends it).
  await globalForPrisma.iiswatchPrisma?.$disconnect();
  globalForPrisma.iiswatchPrisma = undefined;
  globalForPrisma.iiswatchPrismaPool = undefined;
}
