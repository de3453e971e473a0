// One way to write SQL. Every raw statement is a `sql` tagged template (Prisma's `Prisma.sql`, a fork of
// sql-template-tag, already a dependency): values are written where they are used and always sent as parameters
// ($n, numbered when the statement is built, never spliced into the text), and fragments (`sql`, `join`, `empty`)
// compose, so optional clauses need no hand-kept parameter numbers. `query<Row>` runs one on the pg pool (or on
// a given connection, e.g. a transaction's) and says what its rows are; inside a Prisma transaction the same
// template goes to `tx.$queryRaw`. Prisma's client stays for what it serves well — simple CRUD on one model, nested
// reads, the schema and its migrations — and anything set-based, bulk or dynamic is SQL through this file.
import type pg from "pg";
import { Prisma } from "./client";
import { pgPool } from "./pg";

export type Sql = Prisma.Sql;

/** The tagged template: `sql\`… WHERE id = ${id}\`` sends `id` as a parameter; an interpolated `Sql` is inlined. */
export const sql = Prisma.sql;

/** Fragments joined by a separator (default ", "); refuses an empty list. */
export const join = (parts: readonly unknown[], separator = ", ", prefix = "", suffix = ""): Sql => Prisma.join(parts, separator, prefix, suffix);

/** The fragment that is nothing: the "else" of an optional clause. */
export const empty: Sql = Prisma.empty;

/**
 * Text inlined as SQL, unquoted and unparameterized. Only for what the code itself spells — an identifier, a sort
 * expression chosen from a fixed map, a SQL constant — never for anything a user or a file supplied.
 */
export const raw = (text: string): Sql => Prisma.raw(text);

/** `WHERE a AND b …` of the conditions given, or nothing when there are none. */
export const whereAll = (conditions: readonly Sql[]): Sql => (conditions.length ? join(conditions, " AND ", "WHERE ") : empty);

/** Where a statement runs: the process's pool (default) or one connection (a transaction's, a job's). */
export type Queryable = pg.Pool | pg.ClientBase;

/** Runs `statement` and returns its rows, typed as the caller declares them. */
export async function query<Row extends object>(statement: Sql, on: Queryable = pgPool()): Promise<Row[]> {
  const { rows } = await on.query(statement.text, statement.values);
  return rows as Row[];
}

/** The statement's first row, or null when it returns none. */
export async function queryOne<Row extends object>(statement: Sql, on: Queryable = pgPool()): Promise<Row | null> {
  return (await query<Row>(statement, on))[0] ?? null;
}

/** Runs a statement for its effect; returns how many rows it touched. */
export async function execute(statement: Sql, on: Queryable = pgPool()): Promise<number> {
  return (await on.query(statement.text, statement.values)).rowCount ?? 0;
}
