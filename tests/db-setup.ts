// Per test file: point the app's database layer at the scratch database, and give tests a clean slate.
import { afterAll, inject } from "vitest";
import { disconnectDb } from "../lib/db/client";
import { closePgPool, pgPool } from "../lib/db/pg";
import { listEventPartitions } from "../lib/db/partitions";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATABASE_POOL_MAX = "2";
process.env.DATABASE_BULK_POOL_MAX = "2";

/** Empties every table but the migrations bookkeeping. */
export async function resetDatabase(): Promise<void> {
  const { rows } = await pgPool().query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  );
  await pgPool().query(`TRUNCATE ${rows.map((r) => `"${r.t}"`).join(", ")} RESTART IDENTITY CASCADE`);
  // And the partitions of events go too, as on a new database: a test sees the partitions its own events made.
  for (const p of await listEventPartitions()) await pgPool().query(`DROP TABLE "${p.name}"`);
}

afterAll(async () => {
  await disconnectDb();
  await closePgPool();
});
