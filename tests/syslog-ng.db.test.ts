// A real shipper: Debian's syslog-ng (3.38; packages syslog-ng-core, syslog-ng-mod-http, syslog-ng-scl, installed by
// .ci/run) tails log files of Windows events, one per line, and sends them to the real route handlers on a real
// socket with its own drivers, unchanged: `http()` to HEC's /services/collector/event (a JSON event per line,
// concatenated in batches, with `Authorization: Splunk` and a channel) and to /services/collector/raw (the XML
// lines themselves, broken into events server-side), and the `elasticsearch-http()` SCL block to `_bulk` (Winlogbeat
// documents, HTTP Basic with the token as password). syslog-ng runs as a child process with its own configuration,
// persist file, pid file and control socket in a temporary directory (no service, nothing under /etc or /var),
// and is stopped at the end. The test checks what its user sees: every batch accepted (acknowledged), every event
// stored once through the upload readers, and the detections run on them.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resetDatabase } from "./db-setup";
import { drainUploads } from "./pipeline";
import { event2282Ecs, event29Xml, newChannel, serveHecRoutes } from "./support/hec";
import { cliActor } from "../lib/audit/log";
import { db } from "../lib/db/client";
import { createHecToken } from "../lib/hec/tokens";
import * as eventRoute from "../app/services/collector/event/route";
import * as rawRoute from "../app/services/collector/raw/route";
import * as ackRoute from "../app/services/collector/ack/route";
import * as bulkRoute from "../app/api/elastic/bulk/route";

const SYSLOG_NG = "/usr/sbin/syslog-ng";
const NEW_MODULE_ADDED = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const MODULE_FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";
const PER_FILE = 30;

let dir = "";
let server: Awaited<ReturnType<typeof serveHecRoutes>>;
let syslogNg: ChildProcess | null = null;
const output: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(SYSLOG_NG)) throw new Error(`${SYSLOG_NG} is missing: apt-get install syslog-ng-core syslog-ng-mod-http syslog-ng-scl (as .ci/run does)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-syslog-ng-"));
  process.env.IISWATCH_DATA_DIR = dir;
  await resetDatabase();
  server = await serveHecRoutes({
    "/services/collector/event": eventRoute.POST,
    "/services/collector/raw": rawRoute.POST,
    "/services/collector/ack": ackRoute.POST,
    "/_bulk": bulkRoute.POST,
  });
});

afterAll(async () => {
  await stopSyslogNg();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function stopSyslogNg(): Promise<void> {
  const child = syslogNg;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** syslog-ng's configuration: three files followed, each to one destination, batches of 10 lines (or 0.2 s). */
function configuration(files: { event: string; raw: string; bulk: string }, token: string, channel: string): string {
  const q = (s: string) => JSON.stringify(s); // a syslog-ng string is a double-quoted string with C escapes
  const batch = "batch-lines(10) batch-timeout(200) workers(1) retries(3)";
  return `@version: 3.38
@include "scl/elasticsearch/elastic-http.conf"
options { stats-freq(0); log-msg-size(65536); threaded(yes); };

source s_event { file(${q(files.event)} follow-freq(0.1) flags(no-parse)); };
source s_raw { file(${q(files.raw)} follow-freq(0.1) flags(no-parse)); };
source s_bulk { file(${q(files.bulk)} follow-freq(0.1) flags(no-parse)); };

destination d_event {
  http(url(${q(`${server.url}/services/collector/event`)}) method("POST")
       headers(${q(`Authorization: Splunk ${token}`)}, ${q(`X-Splunk-Request-Channel: ${channel}`)}, "Content-Type: application/json")
       body('$(format-json --scope none event=\${MESSAGE} sourcetype=XmlWinEventLog source=syslog-ng)')
       ${batch});
};
destination d_raw {
  http(url(${q(`${server.url}/services/collector/raw?channel=${channel}`)}) method("POST")
       headers(${q(`Authorization: Splunk ${token}`)})
       body("\${MESSAGE}") delimiter("\\n") body-suffix("\\n")
       ${batch});
};
destination d_bulk {
  elasticsearch-http(url(${q(`${server.url}/_bulk`)}) index("winlogbeat-8.17.0") type("")
       user("winlogbeat") password(${q(token)}) template("\${MESSAGE}")
       ${batch});
};

log { source(s_event); destination(d_event); };
log { source(s_raw); destination(d_raw); };
log { source(s_bulk); destination(d_bulk); };
`;
}

it("syslog-ng's http() and elasticsearch-http() deliver Windows events: accepted, acknowledged, stored once and detected", async () => {
  const { token } = await createHecToken({ name: "syslog-ng", ackEnabled: true }, cliActor());
  const channel = newChannel();
  const time = (i: number) => new Date(Date.UTC(2026, 10, 23, 8, 0, i)).toISOString();
  const files = { event: path.join(dir, "event.log"), raw: path.join(dir, "raw.log"), bulk: path.join(dir, "winlogbeat.ndjson") };
  // XmlWinEventLog-rendered events, one per line (Event 29: a module installed), and Winlogbeat documents (2282).
  const lines = {
    event: Array.from({ length: PER_FILE }, (_, i) => event29Xml({ host: `HTTP-WEB${i % 3}`, time: time(i), recordId: 100 + i, module: `Mod${i % 3}` })),
    raw: Array.from({ length: PER_FILE }, (_, i) => event29Xml({ host: `RAW-WEB${i % 2}`, time: time(i), recordId: 200 + i })),
    bulk: Array.from({ length: PER_FILE }, (_, i) => JSON.stringify(event2282Ecs({ host: `ES-WEB${i % 2}`, time: time(i), recordId: 300 + i }))),
  };
  for (const k of ["event", "raw", "bulk"] as const) fs.writeFileSync(files[k], `${lines[k].join("\n")}\n`);
  const config = path.join(dir, "syslog-ng.conf");
  fs.writeFileSync(config, configuration(files, token, channel));

  syslogNg = spawn(
    SYSLOG_NG,
    ["-F", "-e", "--no-caps", "-f", config, `--persist-file=${path.join(dir, "syslog-ng.persist")}`, `--pidfile=${path.join(dir, "syslog-ng.pid")}`, `--control=${path.join(dir, "syslog-ng.ctl")}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  for (const stream of [syslogNg.stdout!, syslogNg.stderr!]) stream.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => syslogNg!.once("exit", (code) => resolve(code)));

  // Every line arrives as part of an accepted batch (an upload per request).
  const deadline = Date.now() + 60_000;
  const received = async () => Number((await db().upload.aggregate({ _sum: { recordsRead: true } }))._sum.recordsRead ?? 0);
  for (;;) {
    await drainUploads();
    if ((await received()) >= 3 * PER_FILE) break;
    const stopped = await Promise.race([exited, new Promise((r) => setTimeout(() => r("running"), 300))]);
    if (stopped !== "running") throw new Error(`syslog-ng exited (${String(stopped)}):\n${output.join("")}`);
    if (Date.now() > deadline) throw new Error(`not every event arrived in 60 s (${await received()} of ${3 * PER_FILE}); syslog-ng said:\n${output.join("")}`);
  }
  await stopSyslogNg();
  expect(output.join("")).not.toMatch(/error|failed|dropp/i);

  // Each destination's requests became uploads: the HEC ones named by token and channel, the _bulk ones by protocol.
  const uploads = await db().upload.findMany({ select: { filename: true, status: true, recordsRead: true, stored: true, rejected: true, hecAckId: true } });
  const by = (prefix: string) => uploads.filter((u) => u.filename.startsWith(prefix));
  expect(uploads.every((u) => u.status === "done" && u.rejected === 0 && u.stored === u.recordsRead)).toBe(true);
  expect(by("HEC").reduce((n, u) => n + u.recordsRead, 0)).toBe(2 * PER_FILE);
  expect(by("Elasticsearch _bulk").reduce((n, u) => n + u.recordsRead, 0)).toBe(PER_FILE);
  expect(by("HEC").length).toBeGreaterThanOrEqual(2); // batched: at most 10 lines a request
  // Acknowledged: every ackId the HEC batches were given is reported stored.
  const ackIds = by("HEC").map((u) => Number(u.hecAckId)).sort((a, b) => a - b);
  expect(ackIds).toEqual(ackIds.map((_, i) => i));
  const ack = await fetch(`${server.url}/services/collector/ack`, {
    method: "POST",
    headers: { authorization: `Splunk ${token}`, "x-splunk-request-channel": channel },
    body: JSON.stringify({ acks: ackIds }),
  });
  expect(await ack.json()).toEqual({ acks: Object.fromEntries(ackIds.map((id) => [String(id), true])) });

  // Stored once each, read as the Windows events they are.
  const byCode = await db().event.groupBy({ by: ["eventCode", "channel"], _count: true, orderBy: { eventCode: "asc" } });
  expect(byCode.map((g) => [g.eventCode, g.channel, g._count])).toEqual([
    [29, "Microsoft-IIS-Configuration/Operational", 2 * PER_FILE],
    [2282, "Application", PER_FILE],
  ]);
  const hosts = (await db().event.findMany({ distinct: ["host"], select: { host: true }, orderBy: { host: "asc" } })).map((e) => e.host);
  expect(hosts).toEqual(["ES-WEB0", "ES-WEB1", "HTTP-WEB0", "HTTP-WEB1", "HTTP-WEB2", "RAW-WEB0", "RAW-WEB1"]);

  // Detected: ESCU's New Module Added on every host that installed a module, Module Failed to Load on the 2282 hosts.
  const dests = async (detectionId: string) => [...new Set((await db().detectionResult.findMany({ where: { detectionId }, select: { dest: true } })).map((r) => r.dest))].sort();
  expect(await dests(NEW_MODULE_ADDED)).toEqual(["HTTP-WEB0", "HTTP-WEB1", "HTTP-WEB2", "RAW-WEB0", "RAW-WEB1"]);
  expect(await dests(MODULE_FAILED_TO_LOAD)).toEqual(["ES-WEB0", "ES-WEB1"]);
  const notables = await db().notable.count({ where: { detectionId: NEW_MODULE_ADDED } });
  expect(notables).toBeGreaterThanOrEqual(5);
});
