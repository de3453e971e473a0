// The schema a distributed PostgreSQL (Citus) accepts, read off the migrated catalog: a distributed table's primary,
// unique and foreign keys must include its distribution column (the host), and a partitioned table's keys its
// partition column (the time of `events`). README "Outgrowing one machine" says which tables are distributed and how.
import { describe, expect, it } from "vitest";
import { pgPool } from "../lib/db/pg";

/** The tables distributed by host (co-located), and their host column. */
const DISTRIBUTED: Record<string, string> = {
  events: "host_id",
  event_holders: "host_id",
  detection_result_events: "host_id",
  detection_results: "dest_id",
  risk_events: "host_id",
  notables: "host_id",
  notable_risk_events: "host_id",
  notable_comments: "host_id",
  host_channels: "host_id",
  host_module_snapshots: "host_id",
};

interface Key {
  table: string;
  name: string;
  type: "p" | "u" | "f";
  columns: string[];
  /** For a foreign key: the table it references. */
  references: string | null;
}

async function keysOf(tables: string[]): Promise<Key[]> {
  const { rows } = await pgPool().query<Key>(
    `SELECT t.relname AS table, c.conname AS name, c.contype AS type,
            array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
            r.relname AS references
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class r ON r.oid = c.confrelid
     WHERE c.contype IN ('p', 'u', 'f') AND t.relname = ANY($1) AND t.relnamespace = current_schema()::regnamespace
       AND c.conparentid = 0`,
    [tables],
  );
  return rows;
}

/** A key's failure to be what Citus accepts, or null. */
function problem(key: Key, hostColumn: string): string | null {
  // A foreign key to a table that is not distributed (uploads, users: reference tables) needs no host.
  if (key.type === "f" && !(key.references! in DISTRIBUTED)) return null;
  if (!key.columns.includes(hostColumn)) return `${key.table}.${key.name} (${key.columns.join(", ")}) lacks ${hostColumn}`;
  if (key.table === "events" && key.type !== "f" && !key.columns.includes("time")) return `events.${key.name} lacks the partition column time`;
  return null;
}

describe("keys a distributed PostgreSQL accepts", () => {
  it("every primary, unique and foreign key of the tables distributed by host includes the host (and those of events the time)", async () => {
    const keys = await keysOf(Object.keys(DISTRIBUTED));
    expect(new Set(keys.map((k) => k.table))).toEqual(new Set(Object.keys(DISTRIBUTED)));
    const problems = keys.map((k) => problem(k, DISTRIBUTED[k.table])).filter((p) => p !== null);
    expect(problems).toEqual([]);
    // Foreign keys between them are there (co-located joins), each on the host.
    expect(keys.filter((k) => k.type === "f" && k.references! in DISTRIBUTED).map((k) => `${k.table} -> ${k.references}`).sort()).toEqual([
      "detection_result_events -> detection_results",
      "notable_comments -> notables",
      "notable_risk_events -> notables",
      "notable_risk_events -> risk_events",
      "notables -> detection_results",
      "risk_events -> detection_results",
    ]);
    // The event identity is one of them.
    expect(keys.find((k) => k.table === "events" && k.type === "u")?.columns).toEqual(["host_id", "time", "event_key"]);
  });

  it("nothing refers to events by a key a distributed table cannot have (no foreign key into events at all)", async () => {
    const { rows } = await pgPool().query(
      `SELECT conrelid::regclass::text AS table, conname FROM pg_constraint WHERE contype = 'f' AND confrelid = 'events'::regclass`,
    );
    expect(rows).toEqual([]);
  });

  it("the tables not distributed (reference tables: uploads, upload_aliases, hosts, …) have no foreign key into a distributed one", async () => {
    // Citus refuses a foreign key from a reference table to a distributed table. A per-upload row (upload_aliases:
    // "this upload holds what that one holds") is such a table, not one keyed by host.
    const { rows } = await pgPool().query<{ table: string; references: string }>(
      `SELECT t.relname AS table, r.relname AS references FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
       WHERE c.contype = 'f' AND c.conparentid = 0 AND t.relnamespace = current_schema()::regnamespace AND NOT (t.relname = ANY($1)) AND r.relname = ANY($1)`,
      [Object.keys(DISTRIBUTED)],
    );
    expect(rows).toEqual([]);
    const { rows: aliases } = await pgPool().query(`SELECT confrelid::regclass::text AS references FROM pg_constraint WHERE conrelid = 'upload_aliases'::regclass AND contype = 'f'`);
    expect(aliases).toEqual([{ references: "uploads" }, { references: "uploads" }]);
  });

  it("events is partitioned by range of time", async () => {
    const { rows } = await pgPool().query(`SELECT pg_get_partkeydef('events'::regclass) AS key`);
    expect(rows[0].key).toBe("RANGE (\"time\")");
  });
});
