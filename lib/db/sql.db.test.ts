// The SQL helper: values travel as parameters whatever they hold, and fragments compose into one statement whose
// parameters are numbered for it.
import { describe, expect, it } from "vitest";
import "../../tests/db-setup";
import { empty, execute, join, query, queryOne, raw, sql, whereAll } from "./sql";
import { inTransaction } from "./transaction";

describe("sql", () => {
  it("sends values as parameters, never as SQL text", async () => {
    const hostile = "x'); DROP TABLE hosts; --";
    const row = await queryOne<{ v: string }>(sql`SELECT ${hostile}::text AS v`);
    expect(row).toEqual({ v: hostile });
    expect(sql`SELECT ${hostile}::text AS v`.text).toBe("SELECT $1::text AS v");
  });

  it("numbers the parameters of nested and optional fragments in the order they appear", async () => {
    const conditions = [sql`n > ${1}`, sql`n < ${4}`];
    const statement = sql`SELECT n FROM generate_series(${0}::int, ${5}::int) AS n ${whereAll(conditions)} ORDER BY n ${empty}`;
    expect(statement.text).toBe("SELECT n FROM generate_series($1::int, $2::int) AS n WHERE n > $3 AND n < $4 ORDER BY n ");
    expect(await query<{ n: number }>(statement)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(whereAll([])).toBe(empty);
    expect(sql`SELECT ${join([sql`${1}::int AS a`, sql`${2}::int AS b`])}, ${raw("3")} AS c`.text).toBe("SELECT $1::int AS a, $2::int AS b, 3 AS c");
  });

  it("runs on a transaction's connection when given one", async () => {
    const seen = await inTransaction(async (client) => {
      await execute(sql`CREATE TEMP TABLE sql_helper_check (v text) ON COMMIT DROP`, client);
      expect(await execute(sql`INSERT INTO sql_helper_check VALUES (${"a"}), (${"b"})`, client)).toBe(2);
      return query<{ v: string }>(sql`SELECT v FROM sql_helper_check ORDER BY v`, client);
    });
    expect(seen.map((r) => r.v)).toEqual(["a", "b"]);
  });
});
