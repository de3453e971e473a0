// Throw-away databases for tests and benchmarks: a fresh database on the server DATABASE_URL names (so the
// user's own data is never touched), or an in-memory embedded one when there is no server.
import pg from "pg";
import { startEmbeddedDatabase } from "./embedded";
import { deployMigrations } from "./migrate";
import { pgConfigFromUrl } from "./url";

export interface ScratchDatabase {
  url: string;
  kind: "postgres" | "embedded";
  drop(): Promise<void>;
}

async function admin(serverUrl: string, sql: string) {
  const client = new pg.Client({ ...pgConfigFromUrl(serverUrl), database: "postgres" });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(purpose: string, serverUrl = process.env.DATABASE_URL): Promise<ScratchDatabase> {
  if (!serverUrl) {
    const embedded = await startEmbeddedDatabase({ dir: "memory" });
    await deployMigrations(embedded.url);
    return { url: embedded.url, kind: "embedded", drop: () => embedded.stop() };
  }
  const name = `iiswatch_${purpose}_${process.pid}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  await deployMigrations(url);
  return { url, kind: "postgres", drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
