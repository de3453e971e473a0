// Detection engine benchmark: 1,000,000 events over 1,000 hosts and 30 days (10,000 of them Events 29 and 2282)
// in a scratch database, then one scheduled run, a 30-day replay, the same replay again (idempotent: nothing new)
// and a 30-day ad-hoc search. Targets: one run < 2 s, 30-day replay < 10 s.
//   npx tsx scripts/bench-detect.ts        (on DATABASE_URL's server in a throw-away database, else embedded)
//   npx tsx scripts/bench-detect.ts --keep (keeps the scratch database on a server and prints its URL, to profile)
import { performance } from "node:perf_hooks";
import { createScratchDatabase } from "../lib/db/scratch";

const TOTAL_EVENTS = 1_000_000;
const DETECTION_EVENTS = 10_000;
const HOSTS = 1_000;
const DAYS = 30;
const START = new Date("2026-01-01T00:00:00Z");

async function main() {
  const scratch = await createScratchDatabase("bench_detect");
  process.env.DATABASE_URL = scratch.url;
  // Imported after DATABASE_URL points at the scratch database.
  const { pgPool, closePgPool } = await import("../lib/db/pg");
  const { disconnectDb, db } = await import("../lib/db/client");
  const { replayHistory, runAdhoc, runScheduled } = await import("../lib/detections/runs");
  const pool = pgPool();
  const time = async <T>(label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(3).padStart(8)} s`);
    return { value, ms };
  };

  try {
    console.log(`database: ${scratch.kind}`);
    const upload = await db().upload.create({ data: { filename: "bench", status: "done" } });
    const spanSeconds = DAYS * 86_400;
    const noise = TOTAL_EVENTS - DETECTION_EVENTS;
    await time(`load ${TOTAL_EVENTS.toLocaleString("en")} events (generate_series)`, async () => {
      // The months' partitions first, as an upload's merge makes them, so the rows go straight into them.
      const { ensureEventPartitions, spanEnd, spanStart } = await import("../lib/db/partitions");
      const client = await pool.connect();
      try {
        const starts: Date[] = [];
        for (let s = spanStart(START, "month"); s.getTime() <= START.getTime() + spanSeconds * 1000; s = spanEnd(s, "month")) starts.push(s);
        await ensureEventPartitions(client, starts, "month");
      } finally {
        client.release();
      }
      // Background noise: logon and service events on every host, spread over the 30 days.
      await pool.query(
        `INSERT INTO events (event_key, upload_id, position, time, host, host_id, channel, provider, event_code, data, message, source, sourcetype,
                             f_opcode, f_computer_name, f_message, f_name, dest, format, raw)
         SELECT 'n' || i, $1::uuid, i, $2::timestamptz + (i::float8 * $3 / $4) * interval '1 second', 'host' || (i % $5) || '.corp.local',
                'host' || (i % $5) || '.corp.local',
                CASE WHEN i % 2 = 0 THEN 'Security' ELSE 'System' END,
                CASE WHEN i % 2 = 0 THEN 'Microsoft-Windows-Security-Auditing' ELSE 'Service Control Manager' END,
                CASE WHEN i % 2 = 0 THEN 4624 ELSE 7036 END, '{}', 'noise',
                CASE WHEN i % 2 = 0 THEN 'XmlWinEventLog:Security' ELSE 'XmlWinEventLog:System' END, 'XmlWinEventLog',
                'Info', 'host' || (i % $5) || '.corp.local', 'noise', 'p', 'host' || (i % $5) || '.corp.local', 'xml', '<Event/>'
         FROM generate_series(1, $4) AS i`,
        [upload.id, START, spanSeconds, noise, HOSTS],
      );
      // Events 29 (module adds, 50 module names) and 2282 (20 DLLs), half each, on every host.
      await pool.query(
        `INSERT INTO events (event_key, upload_id, position, time, host, host_id, channel, provider, event_code, data, message, source, sourcetype,
                             f_opcode, f_computer_name, f_message, f_name, f_module_dll, dest, format, raw)
         SELECT 'd' || i, $1::uuid, $4 + i, $2::timestamptz + (i::float8 * $3 / $4) * interval '1 second', h, h, ch, prov, code, data, msg, src, st,
                'Info', h, msg, prov, dll, h, 'xml', '<Event/>'
         FROM (
           SELECT i, 'host' || (i * 7 % $5) || '.corp.local' AS h,
                  CASE WHEN i % 2 = 0 THEN 'Microsoft-IIS-Configuration/Operational' ELSE 'Application' END AS ch,
                  CASE WHEN i % 2 = 0 THEN 'Microsoft-Windows-IIS-Configuration' ELSE 'Microsoft-Windows-IIS-W3SVC-WP' END AS prov,
                  CASE WHEN i % 2 = 0 THEN 29 ELSE 2282 END AS code,
                  CASE WHEN i % 2 = 0
                    THEN jsonb_build_object('Configuration', '/system.webServer/globalModules/add[@name="M' || (i % 50) || '"]', 'ConfigPath', 'MACHINE/WEBROOT/APPHOST', 'EditOperationType', '1', 'NewValue', 'c:\\mods\\m' || (i % 50) || '.dll')
                    ELSE jsonb_build_object('ModuleDll', 'c:\\mods\\x' || (i % 20) || '.dll', 'ProcessorArchitecture', 'AMD64', 'Binary', 'C1000000') END AS data,
                  CASE WHEN i % 2 = 0
                    THEN 'Changes to ''/system.webServer/globalModules/add[@name="M' || (i % 50) || '"]'' at ''MACHINE/WEBROOT/APPHOST'' have successfully been committed.'
                    ELSE 'The Module DLL ''c:\\mods\\x' || (i % 20) || '.dll'' could not be loaded due to a configuration problem.' END AS msg,
                  CASE WHEN i % 2 = 0 THEN 'IIS:Configuration:Operational' ELSE 'XmlWinEventLog:Application' END AS src,
                  CASE WHEN i % 2 = 0 THEN 'IIS:Configuration:Operational' ELSE 'XmlWinEventLog' END AS st,
                  CASE WHEN i % 2 = 0 THEN NULL ELSE 'c:\\mods\\x' || (i % 20) || '.dll' END AS dll
           FROM generate_series(1, $4) AS i
         ) d`,
        [upload.id, START, spanSeconds, DETECTION_EVENTS, HOSTS],
      );
      await pool.query(
        `INSERT INTO hosts (id, name, first_event, last_event, event_count)
         SELECT lower(host), min(host), min(time), max(time), count(*) FROM events GROUP BY lower(host)`,
      );
      await pool.query("ANALYZE");
    });

    const mid = new Date(START.getTime() + 15 * 86_400_000);
    const single = await time("one scheduled run (both detections)", () => runScheduled(mid));
    const rows = single.value.reduce((n, r) => n + r.rowCount, 0);
    console.log(`  -> ${single.value.length} runs, ${rows} rows, ${single.value.reduce((n, r) => n + r.resultCount, 0)} new results`);
    await pool.query("TRUNCATE detection_runs, detection_results, detection_result_events, risk_events, notables CASCADE");

    const now = new Date(START.getTime() + (DAYS + 1) * 86_400_000);
    const replay = await time(`${DAYS}-day replay (both detections)`, () => replayHistory({ now }));
    const counts = await pool.query<{ results: string; risk: string; notables: string }>(
      `SELECT (SELECT count(*) FROM detection_results) AS results, (SELECT count(*) FROM risk_events) AS risk, (SELECT count(*) FROM notables) AS notables`,
    );
    console.log(`  -> ${replay.value.length} runs, ${counts.rows[0].results} results, ${counts.rows[0].risk} risk events, ${counts.rows[0].notables} notables`);
    const again = await time(`${DAYS}-day replay again (idempotent)`, () => replayHistory({ now }));
    console.log(`  -> ${again.value.length} runs, ${again.value.reduce((n, r) => n + r.resultCount, 0)} new results`);
    const adhoc = await time(`${DAYS}-day ad-hoc search (both detections)`, () =>
      runAdhoc({ from: START, to: new Date(START.getTime() + DAYS * 86_400_000) }),
    );
    console.log(`  -> ${adhoc.value.reduce((n, r) => n + r.rows.length, 0)} rows`);

    const ok = single.ms < 2000 && replay.ms < 10_000;
    console.log(`targets: one run < 2 s ${single.ms < 2000 ? "OK" : "MISSED"}, ${DAYS}-day replay < 10 s ${replay.ms < 10_000 ? "OK" : "MISSED"}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await disconnectDb();
    await closePgPool();
    if (process.argv.includes("--keep") && scratch.kind === "postgres") console.log(`kept: ${scratch.url}`);
    else await scratch.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
