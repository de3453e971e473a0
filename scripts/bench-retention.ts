// npm run bench:retention — what letting a month of events go costs: retention's DROP of the month's partition
// (lib/pipeline/retention.ts, with its bookkeeping) against a DELETE of the same number of events row by row, at a
// size you choose. A scratch database on DATABASE_URL's server gets two months of events of the same shape (spread
// over BENCH_RETENTION_HOSTS hosts), indexed as the product indexes them; the first month goes by retention, the
// second by DELETE.
//   BENCH_RETENTION_EVENTS=2000000 npm run bench:retention      events per month (default 2,000,000)
import { createScratchDatabase } from "../lib/db/scratch";

const EVENTS = Number(process.env.BENCH_RETENTION_EVENTS ?? 2_000_000);
const HOSTS = Number(process.env.BENCH_RETENTION_HOSTS ?? 500);
const MONTHS = [new Date("2026-01-01T00:00:00Z"), new Date("2026-02-01T00:00:00Z"), new Date("2026-03-01T00:00:00Z")];

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  if (!process.env.DATABASE_URL) throw new Error("bench:retention needs DATABASE_URL (a PostgreSQL server; a scratch database is made on it)");
  const scratch = await createScratchDatabase("bench_retention");
  process.env.DATABASE_URL = scratch.url;
  const { pgPool, closePgPool } = await import("../lib/db/pg");
  const { ensureEventPartitions } = await import("../lib/db/partitions");
  const { applyRetention } = await import("../lib/pipeline/retention");
  const { disconnectDb } = await import("../lib/db/client");
  const client = await pgPool().connect();
  try {
    await ensureEventPartitions(client, MONTHS.slice(0, 2), "month");
    const { rows } = await client.query<{ id: string }>(`INSERT INTO uploads (id, filename, status) VALUES (gen_random_uuid(), 'bench.evtx', 'done') RETURNING id`);
    for (const [m, month] of MONTHS.slice(0, 2).entries()) {
      const started = performance.now();
      await client.query(
        `INSERT INTO events (event_key, upload_id, position, time, host, host_id, channel, provider, event_code, record_id, data, message, source, sourcetype, format, raw)
         SELECT md5(${m} || ':' || i), $1, i, $2::timestamptz + (i % 2592000) * interval '1 second' + (i % 1000) * interval '1 millisecond',
                'web-' || (i % ${HOSTS}), 'web-' || (i % ${HOSTS}), 'Security', 'Microsoft-Windows-Security-Auditing', 4624, i,
                '{"TargetUserName":"svc"}', 'An account was successfully logged on.', 'XmlWinEventLog:Security', 'XmlWinEventLog', 'xml',
                '<Event><System><EventID>4624</EventID></System></Event>'
         FROM generate_series(1, $3::bigint) AS i`,
        [rows[0].id, month, EVENTS],
      );
      console.log(`loaded ${EVENTS.toLocaleString("en")} events into ${month.toISOString().slice(0, 7)} in ${seconds(performance.now() - started)}`);
    }
    await client.query(
      `INSERT INTO hosts (id, name, first_event, last_event, event_count) SELECT host_id, min(host), min(time), max(time), count(*) FROM events GROUP BY host_id`,
    );
    await client.query("VACUUM ANALYZE events");

    let started = performance.now();
    const outcome = await applyRetention({ now: new Date(MONTHS[2].getTime() + 30 * 86_400_000 - 1), days: 30 });
    const retentionMs = performance.now() - started;
    const [dropped] = outcome.dropped;
    if (!dropped || dropped.events !== EVENTS) throw new Error(`retention dropped ${JSON.stringify(outcome.dropped)}, not January's ${EVENTS} events`);

    started = performance.now();
    const deleted = await client.query(`DELETE FROM events WHERE time >= $1 AND time < $2`, [MONTHS[1], MONTHS[2]]);
    const deleteMs = performance.now() - started;

    console.log(`\n${EVENTS.toLocaleString("en")} events a month over ${HOSTS} hosts:`);
    console.log(`  retention, DROP of the month's partition: ${seconds(dropped.dropMs)} (with its bookkeeping: counting the month's events per host, host counters, audit: ${seconds(retentionMs)})`);
    console.log(`  DELETE of the same number of events (${deleted.rowCount?.toLocaleString("en")} rows): ${seconds(deleteMs)}`);
  } finally {
    client.release();
    await disconnectDb();
    await closePgPool();
    await scratch.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
