// One way to run a transaction of raw SQL: on a connection of the pool, or on one the caller holds (a job's own
// connection, whose session state — a staging table — the transaction needs).
import type pg from "pg";
import { pgPool } from "./pg";

/** Runs `fn` in a transaction on `client`: committed if it returns, rolled back if it throws. */
export async function transactionOn<T>(client: pg.ClientBase, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}

/** Runs `fn` in a transaction on a connection of the pool. */
export async function inTransaction<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = await pgPool().connect();
  try {
    return await transactionOn(client, fn);
  } finally {
    client.release();
  }
}
