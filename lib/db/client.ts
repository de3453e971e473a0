// The Prisma client, one per process. Connects lazily, so `next build` needs no database.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";

export type { PrismaClient } from "./generated/client.ts";
export { Prisma } from "./generated/client.ts";

const globalForPrisma = globalThis as unknown as { iiswatchPrisma?: PrismaClient };

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it, to the embedded database when you have none)");
  return url;
}

function makeClient(): PrismaClient {
  // Kept small by default: the embedded database serves a limited number of connections (embedded.ts).
  const max = Number(process.env.DATABASE_POOL_MAX ?? 4);
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl(), max }) });
}

/**
 * Cached on globalThis in production too: Next evaluates this module once per route bundle, and every extra
 * client would be an extra connection pool.
 */
export function db(): PrismaClient {
  return (globalForPrisma.iiswatchPrisma ??= makeClient());
}

export async function disconnectDb(): Promise<void> {
  await globalForPrisma.iiswatchPrisma?.$disconnect();
  globalForPrisma.iiswatchPrisma = undefined;
}
