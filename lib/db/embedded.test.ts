// The embedded database serves several connections through one PGlite session. Postgres's extended query
// protocol (Parse/Bind/Execute/Sync: every parameterized query) keeps state in the session, so one client's
// messages must never be interleaved with another's: this test runs parameterized queries of different shapes
// from several connections at once and checks every answer.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded";

let embedded: EmbeddedDatabase;

beforeAll(async () => {
  embedded = await startEmbeddedDatabase({ dir: "memory" });
}, 60_000);

afterAll(async () => {
  await embedded?.stop();
});

describe("the embedded database under concurrent connections", () => {
  it("answers every parameterized query from several connections correctly", async () => {
    const clients = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const c = new pg.Client({ connectionString: embedded.url });
        await c.connect();
        return c;
      }),
    );
    try {
      const work = clients.map(async (client, k) => {
        const wrong: string[] = [];
        for (let i = 0; i < 300; i++) {
          // Each client uses a statement with a different number of parameters, as different code paths do.
          const params = Array.from({ length: k + 1 }, (_, j) => i * 10 + j);
          const sql = `SELECT ${params.map((_, j) => `$${j + 1}::int`).join(" + ")} AS total`;
          const { rows } = await client.query<{ total: number }>(sql, params);
          const expected = params.reduce((a, b) => a + b, 0);
          if (rows[0].total !== expected) wrong.push(`client ${k} query ${i}: ${rows[0].total} != ${expected}`);
        }
        return wrong;
      });
      expect((await Promise.all(work)).flat()).toEqual([]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  }, 60_000);

  it("keeps a large statement's messages together while small ones arrive from other connections", async () => {
    // A bulk insert's Bind message spans many TCP packets; another client's Parse must not slip in between.
    const [bulk, small] = [new pg.Client({ connectionString: embedded.url }), new pg.Client({ connectionString: embedded.url })];
    await Promise.all([bulk.connect(), small.connect()]);
    try {
      const columns = 35;
      const big = Array.from({ length: columns }, (_, c) => Array.from({ length: 3000 }, (_, i) => `value ${c}-${i} `.repeat(4)));
      const unnest = big.map((_, c) => `$${c + 1}::text[]`).join(", ");
      let stop = false;
      const chatter = (async () => {
        let n = 0;
        while (!stop) n += (await small.query<{ x: number }>("SELECT $1::int + $2::int AS x", [n, 1])).rows[0].x - n;
        return n;
      })();
      for (let round = 0; round < 5; round++) {
        const { rows } = await bulk.query<{ n: string }>(`SELECT count(*) AS n FROM unnest(${unnest})`, big);
        expect(Number(rows[0].n)).toBe(3000);
      }
      stop = true;
      expect(await chatter).toBeGreaterThan(0);
    } finally {
      await Promise.all([bulk.end(), small.end()]);
    }
  }, 60_000);

  it("keeps a transaction's statements together while other connections query", async () => {
    const [a, b] = [new pg.Client({ connectionString: embedded.url }), new pg.Client({ connectionString: embedded.url })];
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query("CREATE TABLE t (n int)");
      const inTransaction = (async () => {
        await a.query("BEGIN");
        for (let i = 0; i < 50; i++) await a.query("INSERT INTO t VALUES ($1)", [i]);
        await a.query("ROLLBACK");
      })();
      const reads: number[] = [];
      const outside = (async () => {
        for (let i = 0; i < 50; i++) reads.push(Number((await b.query("SELECT count(*) AS n FROM t WHERE n >= $1", [0])).rows[0].n));
      })();
      await Promise.all([inTransaction, outside]);
      // b never sees a's uncommitted rows: a's transaction ran without b's statements inside it.
      expect(reads.every((n) => n === 0)).toBe(true);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  }, 60_000);
});
