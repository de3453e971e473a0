// `events` is partitioned by time (lib/db/partitions.ts): partitions are made as data arrives, rows never sit in the
// default partition once a partition covers them, and the queries behind the pages and the detection engine read
// only the partitions of their window. The last is read off the plans PostgreSQL really runs: every statement the
// code sends while serving a window is recorded, then EXPLAIN ANALYZE'd (in a rolled-back transaction), and the
// partitions its plan scanned are compared with the window's.
import pg from "pg";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { listEventPartitions, partitionName, partitionStrayEvents, spanEnd, spanStart } from "../lib/db/partitions";
import { pgPool } from "../lib/db/pg";
import { runAdhoc, runScheduled } from "../lib/detections/runs";
import { hostTimeline } from "../lib/hosts/queries";
import { eventListParams, listEvents } from "../lib/ingest/queries";
import { resetDatabase } from "./db-setup";
import { store2282, store29 } from "./support/iis-events";

const MONTHS = ["2026-01", "2026-02", "2026-03"];

/** Events 29 and 2282 on two hosts on the 10th of each month. */
async function storeThreeMonths() {
  for (const m of MONTHS) {
    await store29([{ host: "web01", time: `${m}-10T12:00:00Z`, configuration: `module ${m}` }]);
    await store2282([{ host: "web02", time: `${m}-10T13:00:00Z`, moduleDll: `C:\\x\\${m}.dll` }]);
  }
}

interface Recorded {
  text: string;
  values: unknown[];
}

/** Records the statements every pg client sends while `fn` runs (Prisma's through its pg adapter too). */
async function recordStatements(fn: () => Promise<unknown>): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first, second] = args as [string | { text: string; values?: unknown[] }, unknown];
    const text = typeof first === "string" ? first : first?.text;
    const values = typeof first === "string" ? (Array.isArray(second) ? second : []) : (first?.values ?? []);
    if (typeof text === "string") recorded.push({ text, values });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return recorded;
}

interface PlanNode {
  "Relation Name"?: string;
  "Actual Loops"?: number;
  Plans?: PlanNode[];
}

/** The partitions of `events` a statement's plan really scanned (scans that never ran do not count). */
async function partitionsScanned(statement: Recorded): Promise<string[]> {
  const client = await pgPool().connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.values);
    const scanned = new Set<string>();
    const walk = (node: PlanNode) => {
      const name = node["Relation Name"];
      if (name && /^events_(p|default)/.test(name) && (node["Actual Loops"] ?? 1) > 0) scanned.add(name);
      node.Plans?.forEach(walk);
    };
    walk((rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0].Plan);
    return [...scanned].sort();
  } finally {
    await client.query("ROLLBACK").catch(() => {});
    client.release();
  }
}

/** The statements that read `events` (not the catalog, not the write path). */
const readsEvents = (r: Recorded) => /\b(FROM|JOIN)\s+"?(public"?\."?)?events"?(\s|$|\))/i.test(r.text) && !/^\s*EXPLAIN/i.test(r.text);

const monthPartition = (month: string) => {
  const start = spanStart(new Date(`${month}-01T00:00:00Z`), "month");
  return partitionName(start, spanEnd(start, "month"));
};

describe("events partitioned by time", () => {
  beforeAll(resetDatabase);
  afterEach(() => {
    delete process.env.IISWATCH_PARTITION_SPAN;
  });

  it("makes a partition for each month events arrive in, and keeps none of them in the default partition", async () => {
    await storeThreeMonths();
    const partitions = await listEventPartitions();
    expect(partitions.map((p) => p.name)).toEqual(MONTHS.map(monthPartition));
    const { rows } = await pgPool().query(`SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM events GROUP BY 1 ORDER BY 1`);
    expect(rows).toEqual(MONTHS.map((m) => ({ partition: monthPartition(m), n: 2 })));
  });

  it("moves rows that landed in the default partition into a partition of their own", async () => {
    await pgPool().query(
      `INSERT INTO events (event_key, upload_id, position, time, host, host_id, channel, provider, event_code, source, sourcetype, format, raw)
       SELECT 'stray', id, 1, '2025-07-04T00:00:00Z', 'web03', 'web03', 'Application', 'x', 1, 's', 'st', 'xml', '' FROM uploads LIMIT 1`,
    );
    expect((await pgPool().query(`SELECT count(*)::int AS n FROM events_default`)).rows[0].n).toBe(1);
    expect(await partitionStrayEvents()).toBe(1);
    expect((await pgPool().query(`SELECT count(*)::int AS n FROM events_default`)).rows[0].n).toBe(0);
    expect((await pgPool().query(`SELECT tableoid::regclass::text AS p FROM events WHERE event_key = 'stray'`)).rows[0].p).toBe(monthPartition("2025-07"));
  });

  it("with another span configured, fills around the partitions made earlier without overlapping them", async () => {
    process.env.IISWATCH_PARTITION_SPAN = "week";
    // 2026-03-30 is a Monday: its ISO week runs into April, past March's partition.
    await store29([{ host: "web01", time: "2026-04-01T08:00:00Z", configuration: "week span" }]);
    const names = (await listEventPartitions()).map((p) => p.name);
    expect(names).toContain(partitionName(new Date("2026-04-01T00:00:00Z"), new Date("2026-04-06T00:00:00Z")));
  });

  describe("the queries of the pages and the engine read only the partitions of their window", () => {
    const from = new Date("2026-02-01T00:00:00Z");
    const to = new Date("2026-03-01T00:00:00Z");
    const february = [monthPartition("2026-02")];

    const cases: [string, () => Promise<unknown>][] = [
      ["a host's timeline", () => hostTimeline("web01", from, to)],
      ["the events page with a time range", () => listEvents(eventListParams.parse({ from: "2026-02-01", to: "2026-03-01" }), { keyset: true })],
      ["a host's events in a time range", () => listEvents(eventListParams.parse({ host: "web02", from: "2026-02-01", to: "2026-03-01" }))],
      ["an ad-hoc search (ES run search)", () => runAdhoc({ from, to })],
      ["a scheduled run", () => runScheduled(new Date("2026-02-10T14:05:00Z"))],
    ];
    it.each(cases)("%s", async (_, serve) => {
      const statements = (await recordStatements(serve)).filter(readsEvents);
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        const scanned = await partitionsScanned(statement);
        for (const name of scanned) expect(february, `${name} scanned by: ${statement.text.slice(0, 300)}`).toContain(name);
      }
    });
  });
});
