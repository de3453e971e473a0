// Analyst views benchmark: 5,000,000 events over 2,000 hosts and 30 days ending now, ~50,000 detection results with
// their risk events and notables (all written by the real detection engine, replaying 52,000 Events 29 and 2282),
// a few suppressions and triaged notables, in a scratch database on DATABASE_URL's server. Then it starts the
// dashboard on it exactly as `npm start` does, signs in, and times the server's full response (all of the HTML,
// streamed parts included) of every analyst page with realistic parameters. Target: p95 < 300 ms.
//   npm run bench:views                          (needs DATABASE_URL: a PostgreSQL server; the data is dropped after)
//   npm run bench:views -- --keep                (keeps the scratch database and prints its URL)
//   npm run bench:views -- --reuse <url>         (measures a database kept earlier, without loading)
//   npm run bench:views -- --runs 20 --warmup 2 --port 3200 --only hosts --events 500000
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type pg from "pg";
import { createScratchDatabase, type ScratchDatabase } from "../lib/db/scratch";
import { redactUrl } from "../lib/db/url";

const TOTAL_EVENTS = Number(process.argv.includes("--events") ? process.argv[process.argv.indexOf("--events") + 1] : 5_000_000);
const DETECTION_EVENTS = 52_000;
const HOSTS = 2_000;
/** The first BUSY_HOSTS hosts get a tenth of the noise and a quarter of the detection events. */
const BUSY_HOSTS = 20;
const DAYS = 30;
const UPLOADS = 8;
const CHUNK = 1_000_000;
const TARGET_MS = 300;
const NEW_MODULE_ADDED = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const MODULE_FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";
const ROOT = path.resolve(import.meta.dirname, "..");

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg("runs") ?? 20);
const WARMUP = Number(arg("warmup") ?? 2);
const PORT = Number(arg("port") ?? 3200);
const ONLY = arg("only");
const REUSE = arg("reuse");
/** A page slower than this stops early (after at least 5 requests), so a slow "before" run still ends. */
const PAGE_BUDGET_MS = Number(arg("page-budget") ?? 60) * 1000;
const KEEP = process.argv.includes("--keep");

const log = (s: string) => console.log(s);
const loadavg = () => os.loadavg().map((n) => n.toFixed(2)).join(", ");

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const value = await fn();
  log(`${label.padEnd(60)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s`);
  return value;
}

/** Host number n as the events spell it (host_id is its lower case). */
const HOST_NAME_SQL = (n: string) =>
  `(CASE ${n} % 4 WHEN 0 THEN 'WEB' WHEN 1 THEN 'APP' WHEN 2 THEN 'EXCH' ELSE 'IIS' END) || '-' || lpad(${n}::text, 4, '0') || '.corp.example.com'`;
/** Whether host n collects the IIS configuration log (70% do). */
const HAS_CONFIG_LOG_SQL = (n: string) => `(${n} % 10 < 7)`;
/** Deterministic pseudo-random non-negative integer < m from a bigint seed expression. */
const rnd = (seed: string, m: number | string) => `(abs(hashint8(${seed})::bigint) % ${m})`;

const MODULES = [
  "UrlRewriteModule", "ApplicationRequestRouting", "DynamicCompressionModule", "AppInsightsHttpModule", "SitecoreModule",
  "CustomAuthModule", "RequestFilteringExt", "IISAuthenticationModule", "HttpModuleProxy", "OwaAuthExt",
  "iisSecurityFilter", "IsapiRewrite4", "ProxyShellModule", "IIS-Raid", "IceApple", "RGDoor", "CacheModuleX", "iis_backdoor",
  "OWA-Helper", "WebDAVExt",
];
const DLLS = [
  "c:\\windows\\system32\\inetsrv\\rewrite.dll", "c:\\windows\\system32\\inetsrv\\iisexpressshim.dll", "c:\\temp\\msf.dll",
  "c:\\windows\\temp\\iisfilter64.dll", "c:\\program files\\appdynamics\\agent32.dll", "c:\\programdata\\cache\\owa32.dll",
  "c:\\inetpub\\bin\\helper.dll", "c:\\windows\\system32\\inetsrv\\authx86.dll", "c:\\users\\public\\mod.dll", "d:\\web\\modules\\legacy32.dll",
];
const sqlArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ")}]::text[]`;

/** Noise: logons, logoffs, services, application events and IIS configuration reads, spread over every host. */
function noiseSql(): string {
  return `
  INSERT INTO events (event_key, upload_id, position, time, host, host_id, channel, provider, event_code, record_id, level, data, message,
                      source, sourcetype, f_opcode, f_computer_name, f_message, f_name, dest, format, raw)
  SELECT 'bench:n:' || i, (SELECT array_agg(id ORDER BY created_at, id) FROM uploads)[1 + i % ${UPLOADS}], i, t, name, lower(name), k.channel, k.provider,
         k.code, i, 4, '{}', k.msg, k.source, k.sourcetype, 'Info', name, k.msg, k.provider, name, 'xml',
         '<Event><System><EventID>' || k.code || '</EventID><Computer>' || name || '</Computer></System></Event>'
  FROM (
    SELECT i, $2::timestamptz + ${rnd("i * 31 + 1", `${DAYS * 86_400_000}::bigint`)} * interval '1 millisecond' AS t,
           ${HOST_NAME_SQL("n")} AS name, ${HAS_CONFIG_LOG_SQL("n")} AS config_log, ${rnd("i * 17 + 5", 100)} AS kind
    FROM (SELECT i, CASE WHEN i % 10 = 0 THEN (i / 10) % ${BUSY_HOSTS} ELSE ${rnd("i", HOSTS)} END AS n
          FROM generate_series($1::bigint, $1::bigint + $3 - 1) AS i) x
  ) e
  CROSS JOIN LATERAL (
    SELECT * FROM (VALUES
      (kind < 40, 'Security', 'Microsoft-Windows-Security-Auditing', 4624, 'An account was successfully logged on.', 'XmlWinEventLog:Security', 'XmlWinEventLog'),
      (kind >= 40 AND kind < 55, 'Security', 'Microsoft-Windows-Security-Auditing', 4634, 'An account was logged off.', 'XmlWinEventLog:Security', 'XmlWinEventLog'),
      (kind >= 55 AND kind < 60, 'Security', 'Microsoft-Windows-Security-Auditing', 4625, 'An account failed to log on.', 'XmlWinEventLog:Security', 'XmlWinEventLog'),
      (kind >= 60 AND (kind < 75 OR (kind >= 90 AND NOT config_log)), 'System', 'Service Control Manager', 7036,
        'The World Wide Web Publishing Service service entered the running state.', 'XmlWinEventLog:System', 'XmlWinEventLog'),
      (kind >= 75 AND kind < 90, 'Application', 'Microsoft-Windows-IIS-W3SVC-WP', 2216,
        'The worker process for application pool ''DefaultAppPool'' encountered an error.', 'XmlWinEventLog:Application', 'XmlWinEventLog'),
      (kind >= 90 AND config_log, 'Microsoft-IIS-Configuration/Operational', 'Microsoft-Windows-IIS-Configuration', 50,
        'Configuration file ''MACHINE/WEBROOT/APPHOST'' was read.', 'IIS:Configuration:Operational', 'IIS:Configuration:Operational')
    ) v(hit, channel, provider, code, msg, source, sourcetype) WHERE hit
  ) k`;
}

/** Events 29 (module installs, on hosts that collect the IIS configuration log) and 2282 (modules failing to load). */
function detectionEventsSql(): string {
  return `
  INSERT INTO events (event_key, upload_id, position, time, host, host_id, channel, provider, event_code, record_id, level, data, message,
                      source, sourcetype, f_opcode, f_computer_name, f_message, f_name, f_module_dll, dest, format, raw)
  SELECT 'bench:d:' || j, (SELECT array_agg(id ORDER BY created_at, id) FROM uploads)[1 + j % ${UPLOADS}], ${TOTAL_EVENTS} + j, t, name, lower(name),
         CASE WHEN j % 2 = 0 THEN 'Microsoft-IIS-Configuration/Operational' ELSE 'Application' END,
         CASE WHEN j % 2 = 0 THEN 'Microsoft-Windows-IIS-Configuration' ELSE 'Microsoft-Windows-IIS-W3SVC-WP' END,
         CASE WHEN j % 2 = 0 THEN 29 ELSE 2282 END, j, CASE WHEN j % 2 = 0 THEN 4 ELSE 3 END, data, msg,
         CASE WHEN j % 2 = 0 THEN 'IIS:Configuration:Operational' ELSE 'XmlWinEventLog:Application' END,
         CASE WHEN j % 2 = 0 THEN 'IIS:Configuration:Operational' ELSE 'XmlWinEventLog' END,
         'Info', name, msg, CASE WHEN j % 2 = 0 THEN 'Microsoft-Windows-IIS-Configuration' ELSE 'Microsoft-Windows-IIS-W3SVC-WP' END,
         CASE WHEN j % 2 = 0 THEN NULL ELSE dll END, name, 'xml',
         '<Event><System><EventID>' || CASE WHEN j % 2 = 0 THEN 29 ELSE 2282 END || '</EventID><Computer>' || name || '</Computer></System></Event>'
  FROM (
    SELECT j, t, name, dll,
           CASE WHEN j % 2 = 0
             THEN jsonb_build_object('Configuration', conf, 'ConfigPath', 'MACHINE/WEBROOT/APPHOST', 'EditOperationType', '1', 'OldValue', '',
                                     'NewValue', CASE WHEN global THEN image ELSE module END, 'PhysicalPath', '')
             ELSE jsonb_build_object('ModuleDll', dll, 'ProcessorArchitecture', 'AMD64', 'Binary', 'C1000000') END AS data,
           CASE WHEN j % 2 = 0
             THEN 'Changes to ''' || conf || ''' at ''MACHINE/WEBROOT/APPHOST'' have successfully been committed.'
             ELSE 'The Module DLL ''' || dll || ''' could not be loaded due to a configuration problem. The current configuration only supports loading images built for a AMD64 processor architecture.' END AS msg
    FROM (
      SELECT j, t, ${HOST_NAME_SQL("n")} AS name, global, module, dll,
             'c:\\windows\\system32\\inetsrv\\' || lower(module) || '.dll' AS image,
             '/system.webServer/' || CASE WHEN global THEN 'globalModules' ELSE 'modules' END || '/add[@name="' || module || '"]' AS conf
      FROM (
        SELECT j, $2::timestamptz + ${rnd("j * 13 + 3", `${DAYS * 86_400_000}::bigint`)} * interval '1 millisecond' AS t,
               -- Event 29 only where the configuration log is collected: move such a host to one that collects it.
               CASE WHEN j % 2 = 0 AND NOT ${HAS_CONFIG_LOG_SQL("h")} THEN h - 3 ELSE h END AS n,
               ${rnd("j * 7", 2)} = 0 AS global,
               (${sqlArray(MODULES)})[1 + ${rnd("j * 3", MODULES.length)}] AS module,
               (${sqlArray(DLLS)})[1 + ${rnd("j * 5", DLLS.length)}] AS dll
        FROM (SELECT j, CASE WHEN j % 4 < 2 THEN ${rnd("j * 11", BUSY_HOSTS)} ELSE ${rnd("j * 11", HOSTS)} END AS h
              FROM generate_series(1, $1::bigint) AS j) x
      ) y
    ) z
  ) d`;
}

async function load(): Promise<void> {
  const { pgPool } = await import("../lib/db/pg");
  const { db } = await import("../lib/db/client");
  const { replayHistory } = await import("../lib/detections/runs");
  const pool = pgPool();
  const client = await pool.connect();
  const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const start = new Date(end.getTime() - DAYS * 86_400_000);
  try {
    await client.query("SET maintenance_work_mem = '512MB'");
    // The partitions of the 30 days, made first as an upload's merge makes them, so the rows go straight into them.
    const { ensureEventPartitions, partitionSpan, spanEnd, spanStart } = await import("../lib/db/partitions");
    const span = partitionSpan();
    const starts: Date[] = [];
    for (let s = spanStart(start, span); s <= end; s = spanEnd(s, span)) starts.push(s);
    await ensureEventPartitions(client, starts);
    await client.query(
      `INSERT INTO uploads (id, filename, format, size_bytes, bytes_processed, status, created_at, started_at, finished_at)
       SELECT gen_random_uuid(), 'iis-fleet-' || lpad(i::text, 2, '0') || '.evtx', 'evtx', 0, 0, 'done',
              $1::timestamptz + i * interval '3 days', $1::timestamptz + i * interval '3 days', $1::timestamptz + i * interval '3 days' + interval '2 minutes'
       FROM generate_series(1, ${UPLOADS}) AS i`,
      [start],
    );
    // Indexes are built once after the load (far faster than maintaining them row by row), exactly as defined.
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
       WHERE i.tablename = 'events' AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass)`,
    );
    for (const i of indexes) await client.query(`DROP INDEX "${i.name}"`);
    const noise = TOTAL_EVENTS - DETECTION_EVENTS;
    for (let from = 1; from <= noise; from += CHUNK) {
      const n = Math.min(CHUNK, noise - from + 1);
      await timed(`events ${from.toLocaleString("en")}–${(from + n - 1).toLocaleString("en")} (noise)`, () => client.query(noiseSql(), [from, start, n]));
    }
    await timed(`${DETECTION_EVENTS.toLocaleString("en")} Events 29 and 2282`, () => client.query(detectionEventsSql(), [DETECTION_EVENTS, start]));
    await timed(`${indexes.length} events indexes`, async () => {
      // A partitioned table's index definitions read `ON ONLY events` (the parent alone): built on every partition here.
      for (const i of indexes) await client.query(i.def.replace(" ON ONLY ", " ON "));
    });
    await timed("hosts (counters from the events) and upload reports", async () => {
      await client.query(
        `INSERT INTO hosts (id, name, first_event, last_event, event_count, iis_config_events)
         SELECT host_id, min(host), min(time), max(time), count(*), count(*) FILTER (WHERE lower(channel) = lower('Microsoft-IIS-Configuration/Operational'))
         FROM events GROUP BY host_id`,
      );
      // Each host's last event per collected channel, as the merge keeps them (lib/ingest/host-counters.ts).
      const { IS_COLLECTED_CHANNEL } = await import("../lib/ingest/host-counters");
      await client.query(
        `INSERT INTO host_channels (host_id, channel, name, first_event, last_event, event_count)
         SELECT host_id, lower(channel), min(channel), min(time), max(time), count(*) FROM events WHERE ${IS_COLLECTED_CHANNEL} GROUP BY 1, 2`,
      );
      // Asset priorities: a few critical and high servers (notable urgency follows them).
      await client.query(`UPDATE hosts SET priority = CASE WHEN id LIKE 'exch-%' THEN 'critical' WHEN id LIKE 'web-00%' THEN 'high' ELSE 'medium' END`);
      await client.query(
        `UPDATE uploads u SET records_read = s.n, stored = s.n, size_bytes = s.n * 1100, bytes_processed = s.n * 1100
         FROM (SELECT upload_id, count(*)::int AS n FROM events GROUP BY 1) s WHERE s.upload_id = u.id`,
      );
      await client.query("VACUUM ANALYZE events");
      await client.query("ANALYZE");
    });
    await timed("detections: 30-day replay by the real engine", () => replayHistory({ now: end, trigger: "bench" }));
    await timed("triage: notable statuses, suppressions", async () => {
      // Most notables older than two days were worked; some are open.
      await client.query(
        `UPDATE notables SET status = (CASE WHEN time < $1::timestamptz - interval '2 days' THEN
           (ARRAY['closed','closed','resolved','resolved','in_progress','pending','new'])[1 + abs(hashint8(id)::bigint) % 7]
           ELSE (ARRAY['new','new','in_progress'])[1 + abs(hashint8(id)::bigint) % 3] END)::"NotableStatus"`,
        [end],
      );
      await client.query(
        `INSERT INTO suppressions (detection_id, match, reason, enabled, updated_at) VALUES
           ($1, '{"Message": "*UrlRewriteModule*"}', 'URL Rewrite is deployed fleet-wide', true, now()),
           ($1, '{"dest": "web-0004.corp.example.com", "Message": "*ApplicationRequestRouting*"}', 'ARR on the proxy', true, now())`,
        [NEW_MODULE_ADDED],
      );
      await client.query(
        `INSERT INTO suppressions (detection_id, match, reason, enabled, expires_at, updated_at) VALUES
           ($1, '{"ModuleDll": "c:\\\\windows\\\\system32\\\\inetsrv\\\\iisexpressshim.dll"}', 'IIS Express shim, 32-bit pool', true, NULL, now()),
           ($1, '{"ModuleDll": "c:\\\\temp\\\\*"}', 'pen test, finished', true, now() - interval '1 day', now()),
           ($1, '{"dest": "app-0001.corp.example.com"}', 'decommissioned', false, NULL, now())`,
        [MODULE_FAILED_TO_LOAD],
      );
      await client.query("ANALYZE");
    });
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM hosts) AS hosts, (SELECT count(*) FROM detection_runs) AS runs,
              (SELECT count(*) FROM detection_results) AS results, (SELECT count(*) FROM risk_events) AS risk_events,
              (SELECT count(*) FROM notables) AS notables, (SELECT count(*) FROM hosts WHERE iis_config_events = 0) AS missing_log,
              pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    log(`loaded: ${Object.entries(rows[0]).map(([k, v]) => `${k} ${typeof v === "string" && /^\d+$/.test(v) ? Number(v).toLocaleString("en") : v}`).join(", ")}`);
  } finally {
    client.release();
    await db().$disconnect();
  }
}

async function signInCookie(): Promise<string> {
  const { createUser } = await import("../lib/auth/users");
  const { createSession } = await import("../lib/auth/sessions");
  const { SESSION_COOKIE } = await import("../lib/auth/config");
  const { db } = await import("../lib/db/client");
  const username = "bench-admin";
  const existing = await db().user.findUnique({ where: { username } });
  const user = existing ?? (await createUser({ username, password: "bench admin passphrase 1", role: "admin" }, null));
  const session = await createSession(user.id, { address: "127.0.0.1", userAgent: "bench-views" });
  return `${SESSION_COOKIE}=${session.token}`;
}

interface Page {
  name: string;
  path: string;
}

async function pagesToMeasure(): Promise<Page[]> {
  const { pgPool } = await import("../lib/db/pg");
  const pool: pg.Pool = pgPool();
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await pool.query<T>(sql)).rows[0];
  const busy = await q<{ id: string }>(
    `SELECT normalized_risk_object AS id FROM risk_events WHERE time >= (SELECT max(time) FROM risk_events) - interval '7 days'
     GROUP BY 1 ORDER BY sum(risk_score) DESC LIMIT 1`,
  );
  const result = await q<{ id: string }>(`SELECT id::text FROM detection_results WHERE dest_id = '${busy.id}' ORDER BY last_time DESC LIMIT 1`);
  const detection = await q<{ id: string }>(`SELECT detection_id AS id FROM detection_results GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
  const host = encodeURIComponent(busy.id);
  return [
    { name: "overview", path: "/" },
    { name: "hosts (default: risk 7d desc)", path: "/hosts" },
    { name: "hosts sort=risk24h desc", path: "/hosts?sort=risk24h&dir=desc" },
    { name: "hosts sort=risk7d desc", path: "/hosts?sort=risk7d&dir=desc" },
    { name: "hosts q=web-00", path: "/hosts?q=web-00" },
    { name: "hosts coverage=missing", path: "/hosts?coverage=missing" },
    { name: "hosts page=20", path: "/hosts?page=20" },
    { name: "host (busy, default range)", path: `/hosts/${host}` },
    { name: "host (busy) range=all", path: `/hosts/${host}?range=all` },
    { name: "risk (default)", path: "/risk" },
    { name: "risk range=30d", path: "/risk?range=30d" },
    { name: "risk drilldown (busy host)", path: `/risk/${host}` },
    { name: "results dest=busy host", path: `/results?dest=${host}` },
    { name: "results detection=", path: `/results?detection=${detection.id}` },
    { name: "result detail", path: `/results/${result.id}` },
    { name: "detections catalog", path: "/detections" },
    { name: "detection page", path: `/detections/${detection.id}` },
    { name: "events (default)", path: "/events" },
    { name: "events host=busy host", path: `/events?host=${host}` },
    { name: "uploads", path: "/uploads" },
  ];
}

function startServer(url: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(PORT), HOST: "127.0.0.1", DATABASE_URL: url, IISWATCH_SCHEDULER: "off", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: start.ts and the `next start` it runs stop together
  });
  child.stdout!.on("data", (d: Buffer) => process.stdout.write(`  [app] ${d}`));
  child.stderr!.on("data", (d: Buffer) => process.stdout.write(`  [app] ${d}`));
  return child;
}

async function waitForHealth(base: string, child: ChildProcess, timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode})`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error("the app did not come up");
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(base: string, cookie: string, pages: Page[]) {
  const rows: { name: string; path: string; n: number; p50: number; p95: number; max: number; bytes: number }[] = [];
  for (const page of pages) {
    const times: number[] = [];
    let bytes = 0;
    const began = performance.now();
    for (let i = 0; i < WARMUP + RUNS; i++) {
      if (times.length >= 5 && performance.now() - began > PAGE_BUDGET_MS) break;
      const t0 = performance.now();
      const res = await fetch(base + page.path, { headers: { cookie }, redirect: "manual" });
      const body = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${page.path}: HTTP ${res.status} ${res.headers.get("location") ?? ""}`);
      if (i >= WARMUP) times.push(ms);
      bytes = body.length;
    }
    times.sort((a, b) => a - b);
    const row = { name: page.name, path: page.path, n: times.length, p50: pct(times, 50), p95: pct(times, 95), max: times[times.length - 1], bytes };
    rows.push(row);
    log(`  ${page.name.padEnd(32)} p50 ${row.p50.toFixed(0).padStart(5)} ms  p95 ${row.p95.toFixed(0).padStart(5)} ms  max ${row.max.toFixed(0).padStart(5)} ms  (n=${row.n}, ${(row.bytes / 1024).toFixed(0)} KiB)`);
  }
  return rows;
}

async function main() {
  if (!process.env.DATABASE_URL && !REUSE) throw new Error("bench:views needs DATABASE_URL (a PostgreSQL server; a scratch database is made on it)");
  let scratch: ScratchDatabase | null = null;
  let url = REUSE;
  if (!url) {
    scratch = await createScratchDatabase("bench_views");
    url = scratch.url;
  }
  process.env.DATABASE_URL = url;
  log(`database: ${redactUrl(url)}${REUSE ? " (reused)" : ""}`);
  let child: ChildProcess | null = null;
  let failed = false;
  try {
    if (!REUSE) {
      log(`loading ${TOTAL_EVENTS.toLocaleString("en")} events over ${HOSTS.toLocaleString("en")} hosts and ${DAYS} days (load average ${loadavg()})`);
      await timed("load, total", () => load());
    }
    const cookie = await signInCookie();
    const pages = (await pagesToMeasure()).filter((p) => !ONLY || p.name.includes(ONLY) || p.path.includes(ONLY));
    const { closePgPool } = await import("../lib/db/pg");
    const { disconnectDb } = await import("../lib/db/client");
    await closePgPool();
    await disconnectDb();

    const base = `http://127.0.0.1:${PORT}`;
    child = startServer(url);
    await timed("app up (builds when the code changed)", () => waitForHealth(base, child!));
    log(`\nmeasuring ${pages.length} pages, ${WARMUP} warm-ups + ${RUNS} requests each, one at a time (load average before: ${loadavg()})`);
    const rows = await measure(base, cookie, pages);
    const after = loadavg();
    const w = Math.max(...rows.map((r) => r.name.length));
    log(`\n| ${"page".padEnd(w)} |  n | p50 ms | p95 ms | max ms | p95 < ${TARGET_MS} ms |`);
    log(`|${"-".repeat(w + 2)}|---:|-------:|-------:|-------:|:-----------:|`);
    for (const r of rows) {
      log(`| ${r.name.padEnd(w)} | ${String(r.n).padStart(2)} | ${r.p50.toFixed(0).padStart(6)} | ${r.p95.toFixed(0).padStart(6)} | ${r.max.toFixed(0).padStart(6)} | ${(r.p95 < TARGET_MS ? "yes" : "NO").padStart(6).padEnd(11)} |`);
    }
    log(`\npaths: ${rows.map((r) => r.path).join("  ")}`);
    log(`load average after: ${after} (${os.cpus().length} cores)`);
    failed = rows.some((r) => r.p95 >= TARGET_MS);
    log(failed ? `target p95 < ${TARGET_MS} ms: MISSED by ${rows.filter((r) => r.p95 >= TARGET_MS).length} page(s)` : `target p95 < ${TARGET_MS} ms: OK on every page`);
  } finally {
    if (child?.pid && child.exitCode === null) {
      process.kill(-child.pid, "SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    const { closePgPool } = await import("../lib/db/pg");
    const { disconnectDb } = await import("../lib/db/client");
    await closePgPool();
    await disconnectDb();
    if (scratch) {
      if (KEEP) log(`kept: ${scratch.url} (measure again with: npm run bench:views -- --reuse <url>)`);
      else await scratch.drop();
    }
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
