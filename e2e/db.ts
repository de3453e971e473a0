// The database the e2e dashboard runs on, for tests that check what pages show against SQL written in the test.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

/**
 * E2E_DATABASE_URL, or the embedded PGlite the server serves (its lock file names the port; the data directory is
 * E2E_DATA_DIR, or playwright.config.ts's default named after the runner's pid).
 */
export function databaseUrl(): string {
  if (process.env.E2E_DATABASE_URL) return process.env.E2E_DATABASE_URL;
  const dirs = [process.env.E2E_DATA_DIR, `.data/e2e-${process.ppid}`].filter((d): d is string => Boolean(d));
  for (const dir of dirs) {
    const lock = path.resolve(dir, "pglite.lock");
    if (fs.existsSync(lock)) return `postgresql://postgres@127.0.0.1:${(JSON.parse(fs.readFileSync(lock, "utf8")) as { port: number }).port}/postgres`;
  }
  throw new Error(`no database to check against: set E2E_DATABASE_URL or E2E_DATA_DIR (looked for ${dirs.map((d) => `${d}/pglite.lock`).join(", ")})`);
}

/** One query on a connection of its own (the embedded database serves few connections). */
export async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
