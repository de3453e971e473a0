// HTTP Event Collector conformance: every HEC status code (0–17) replayed against the real route handlers of
// app/services/collector on a real database, each checked for its code, its text and its HTTP status as Splunk
// answers them (lib/hec/protocol.ts), `invalid-event-number` included; then events in every form (XmlWinEventLog
// text, Winlogbeat JSON, extracted fields) received, worked by a real worker, stored through the upload readers and
// acknowledged; a resent batch stored once; back-pressure and the per-token rate answered 503 code 9.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "./db-setup";
import { drainUploads } from "./pipeline";
import { event2282Ecs, event29Xml, hecRequest, newChannel, type HecCall } from "./support/hec";
import { cliActor } from "../lib/audit/log";
import { db } from "../lib/db/client";
import { pgPool } from "../lib/db/pg";
import { spoolPath } from "../lib/ingest/spool";
import { HEC_STATUS, type HecStatusName } from "../lib/hec/protocol";
import { createHecToken, revokeHecToken } from "../lib/hec/tokens";
import * as collector from "../app/services/collector/route";
import * as eventRoute from "../app/services/collector/event/route";
import * as eventV1 from "../app/services/collector/event/1.0/route";
import * as rawRoute from "../app/services/collector/raw/route";
import * as rawV1 from "../app/services/collector/raw/1.0/route";
import * as healthRoute from "../app/services/collector/health/route";
import * as healthV1 from "../app/services/collector/health/1.0/route";
import * as ackRoute from "../app/services/collector/ack/route";

const ROUTES: Record<string, (r: Request) => Promise<Response>> = {
  "/services/collector": collector.POST,
  "/services/collector/event": eventRoute.POST,
  "/services/collector/event/1.0": eventV1.POST,
  "/services/collector/raw": rawRoute.POST,
  "/services/collector/raw/1.0": rawV1.POST,
  "/services/collector/health": () => healthRoute.GET(),
  "/services/collector/health/1.0": () => healthV1.GET(),
  "/services/collector/ack": ackRoute.POST,
};

async function call(c: HecCall): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const route = ROUTES[c.path.split("?")[0]];
  const res = await route(hecRequest(c));
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** The answer Splunk gives for a status: its text, code and HTTP status. */
function splunkAnswer(name: HecStatusName, invalidEventNumber?: number) {
  const s = HEC_STATUS[name];
  return { status: s.http, body: { text: s.text, code: s.code, ...(invalidEventNumber !== undefined ? { "invalid-event-number": invalidEventNumber } : {}) } };
}

let ackToken = "";
let plainToken = "";
let revokedToken = "";
let ackTokenId = "";
const ENV_KEYS = ["IISWATCH_HEC_MAX_IN_FLIGHT", "IISWATCH_HEC_MAX_PENDING", "IISWATCH_HEC_EVENTS_PER_SECOND", "IISWATCH_HEC_MAX_BODY_BYTES", "IISWATCH_SPOOL_DIR"];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

beforeAll(async () => {
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-hec-"));
  await resetDatabase();
  const ack = await createHecToken({ name: "fleet", ackEnabled: true }, cliActor());
  ackToken = ack.token;
  ackTokenId = ack.summary.id;
  plainToken = (await createHecToken({ name: "no ack", ackEnabled: false, defaultHost: "DEFAULT-HOST", defaultSourcetype: "hec:default" }, cliActor())).token;
  const revoked = await createHecToken({ name: "leaked", ackEnabled: false }, cliActor());
  revokedToken = revoked.token;
  await revokeHecToken(revoked.summary.id, cliActor());
});

afterEach(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

afterAll(async () => {
  await drainUploads();
  fs.rmSync(process.env.IISWATCH_DATA_DIR!, { recursive: true, force: true });
});

const EVENT = JSON.stringify({ event: event29Xml({ host: "WEB01", time: "2026-11-20T10:00:00.000Z", recordId: 1 }) });

describe("HEC status codes, as Splunk answers them", () => {
  const cases: { name: string; call: () => HecCall; want: ReturnType<typeof splunkAnswer> }[] = [
    { name: "1 Token disabled (a revoked token)", call: () => ({ path: "/services/collector/event", token: revokedToken, body: EVENT }), want: splunkAnswer("tokenDisabled") },
    { name: "2 Token is required (no Authorization)", call: () => ({ path: "/services/collector/event", body: EVENT }), want: splunkAnswer("tokenRequired") },
    { name: "3 Invalid authorization (not `Splunk <token>`)", call: () => ({ path: "/services/collector/event", headers: { authorization: `Bearer ${plainToken}` }, body: EVENT }), want: splunkAnswer("invalidAuthorization") },
    { name: "4 Invalid token (unknown)", call: () => ({ path: "/services/collector/event", token: "6e1b7b9e-4a4c-4c1e-9d7a-3d0b5a0f9c11", body: EVENT }), want: splunkAnswer("invalidToken") },
    { name: "4 Invalid token (not even a GUID)", call: () => ({ path: "/services/collector", token: "letmein", body: EVENT }), want: splunkAnswer("invalidToken") },
    { name: "5 No data (empty body)", call: () => ({ path: "/services/collector/event", token: plainToken, body: "" }), want: splunkAnswer("noData") },
    { name: "5 No data (whitespace)", call: () => ({ path: "/services/collector/event", token: plainToken, body: " \n " }), want: splunkAnswer("noData") },
    { name: "6 Invalid data format (broken JSON after a good event)", call: () => ({ path: "/services/collector/event", token: plainToken, body: `${EVENT}{"event": "x"` }), want: splunkAnswer("invalidDataFormat", 1) },
    { name: "6 Invalid data format (not an object)", call: () => ({ path: "/services/collector/event", token: plainToken, body: "42" }), want: splunkAnswer("invalidDataFormat", 0) },
    { name: "6 Invalid data format (host not a string)", call: () => ({ path: "/services/collector/event", token: plainToken, body: `{"event":"x","host":7}` }), want: splunkAnswer("invalidDataFormat", 0) },
    { name: "7 Incorrect index", call: () => ({ path: "/services/collector/event", token: plainToken, body: `${EVENT}{"event":"x","index":"_internal"}` }), want: splunkAnswer("incorrectIndex", 1) },
    { name: "10 Data channel is missing (token with acknowledgement)", call: () => ({ path: "/services/collector/event", token: ackToken, body: EVENT }), want: splunkAnswer("channelMissing") },
    { name: "10 Data channel is missing (raw, always)", call: () => ({ path: "/services/collector/raw", token: plainToken, body: "text" }), want: splunkAnswer("channelMissing") },
    { name: "11 Invalid data channel", call: () => ({ path: "/services/collector/event", token: ackToken, headers: { "x-splunk-request-channel": "not-a-guid" }, body: EVENT }), want: splunkAnswer("invalidChannel") },
    { name: "12 Event field is required", call: () => ({ path: "/services/collector/event", token: plainToken, body: `${EVENT}\n${EVENT}\n{"time": 1796314317}` }), want: splunkAnswer("eventRequired", 2) },
    { name: "13 Event field cannot be blank", call: () => ({ path: "/services/collector/event", token: plainToken, body: `{"event":""}` }), want: splunkAnswer("eventBlank", 0) },
    { name: "14 ACK is disabled", call: () => ({ path: "/services/collector/ack", token: plainToken, body: `{"acks":[0]}` }), want: splunkAnswer("ackDisabled") },
    { name: "15 Error in handling indexed fields (time not numeric)", call: () => ({ path: "/services/collector/event", token: plainToken, body: `{"event":"x","time":"yesterday"}` }), want: splunkAnswer("indexedFieldsError", 0) },
    { name: "15 Error in handling indexed fields (nested field)", call: () => ({ path: "/services/collector/event", token: plainToken, body: `{"event":"x","fields":{"a":{"b":1}}}` }), want: splunkAnswer("indexedFieldsError", 0) },
    { name: "16 Query string authorization is not enabled", call: () => ({ path: `/services/collector/event?token=${plainToken}`, body: EVENT }), want: splunkAnswer("queryStringAuthDisabled") },
    { name: "17 HEC is healthy", call: () => ({ method: "GET", path: "/services/collector/health" }), want: splunkAnswer("healthy") },
    { name: "17 HEC is healthy (/1.0)", call: () => ({ method: "GET", path: "/services/collector/health/1.0" }), want: splunkAnswer("healthy") },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const got = await call(c.call());
      expect({ status: got.status, body: got.body }).toEqual(c.want);
    });
  }

  it("refusals store nothing", async () => {
    expect(await db().upload.count()).toBe(0);
  });

  it("0 Success, with an ackId counted per channel when the token acknowledges, without one otherwise", async () => {
    const channel = newChannel();
    const first = await call({ path: "/services/collector/event", token: ackToken, headers: { "x-splunk-request-channel": channel }, body: EVENT });
    const second = await call({ path: `/services/collector/event/1.0?channel=${channel}`, token: ackToken, body: EVENT });
    const other = await call({ path: "/services/collector", token: ackToken, headers: { "x-splunk-request-channel": newChannel() }, body: EVENT });
    expect([first, second, other].map((r) => [r.status, r.body])).toEqual([
      [200, { text: "Success", code: 0, ackId: 0 }],
      [200, { text: "Success", code: 0, ackId: 1 }],
      [200, { text: "Success", code: 0, ackId: 0 }],
    ]);
    const plain = await call({ path: "/services/collector/event", token: plainToken, body: EVENT });
    expect([plain.status, plain.body]).toEqual([200, { text: "Success", code: 0 }]);
    await drainUploads();
  });

  it("8 Internal server error when the batch cannot be kept (the spool is not writable)", async () => {
    const blocker = path.join(process.env.IISWATCH_DATA_DIR!, "a-file");
    fs.writeFileSync(blocker, "");
    process.env.IISWATCH_SPOOL_DIR = path.join(blocker, "spool");
    const got = await call({ path: "/services/collector/event", token: plainToken, body: EVENT });
    expect({ status: got.status, body: got.body }).toEqual(splunkAnswer("internalError"));
  });

  it("9 Server is busy when too many batches wait for a worker (and health says so); accepted again once they are stored", async () => {
    process.env.IISWATCH_HEC_MAX_PENDING = "1";
    const channel = newChannel();
    const accepted = await call({ path: "/services/collector/event", token: ackToken, headers: { "x-splunk-request-channel": channel }, body: EVENT });
    expect(accepted.body).toMatchObject({ code: 0 });
    const refused = await call({ path: "/services/collector/event", token: ackToken, headers: { "x-splunk-request-channel": channel }, body: EVENT });
    expect({ status: refused.status, body: refused.body }).toEqual(splunkAnswer("serverBusy"));
    expect(refused.headers.get("retry-after")).toBe("1");
    const health = await call({ method: "GET", path: "/services/collector/health" });
    expect({ status: health.status, body: health.body }).toEqual(splunkAnswer("serverBusy"));
    await drainUploads();
    const again = await call({ path: "/services/collector/event", token: ackToken, headers: { "x-splunk-request-channel": channel }, body: EVENT });
    expect(again.body).toEqual({ text: "Success", code: 0, ackId: 1 });
    await drainUploads();
  });

  it("9 Server is busy past the token's event rate, with when to retry", async () => {
    process.env.IISWATCH_HEC_EVENTS_PER_SECOND = "3";
    const two = `${EVENT}${EVENT}`;
    expect((await call({ path: "/services/collector/event", token: plainToken, body: two })).body).toMatchObject({ code: 0 });
    const refused = await call({ path: "/services/collector/event", token: plainToken, body: two });
    expect({ status: refused.status, body: refused.body }).toEqual(splunkAnswer("serverBusy"));
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    await drainUploads();
  });

  it("9 Server is busy when this process already reads as many requests as it may (a slow client holds a slot)", async () => {
    process.env.IISWATCH_HEC_MAX_IN_FLIGHT = "1";
    let finish: () => void = () => {};
    const slowBody = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(EVENT));
        finish = () => controller.close();
      },
    });
    const slow = eventRoute.POST(
      new Request("http://iiswatch.test/services/collector/event", { method: "POST", headers: { authorization: `Splunk ${plainToken}` }, body: slowBody, duplex: "half" } as RequestInit),
    );
    // The slow request has taken the slot (it is reading its body) before the second arrives.
    await new Promise((r) => setTimeout(r, 200));
    const refused = await call({ path: "/services/collector/event", token: plainToken, body: EVENT });
    expect({ status: refused.status, body: refused.body }).toEqual(splunkAnswer("serverBusy"));
    finish();
    expect((await slow).status).toBe(200);
    expect((await call({ path: "/services/collector/event", token: plainToken, body: EVENT })).body).toEqual({ text: "Success", code: 0 });
    await drainUploads();
  });

  it("bodies are bounded: a declared or actual length past the limit, or a gzip body expanding past it, is 413", async () => {
    process.env.IISWATCH_HEC_MAX_BODY_BYTES = "4096";
    const big = EVENT.repeat(10);
    const plain = await call({ path: "/services/collector/event", token: plainToken, body: big });
    expect(plain.status).toBe(413);
    expect(plain.body).toMatchObject({ code: 6, text: expect.stringMatching(/too large \(maximum is 4096\)/) });
    const bomb = zlib.gzipSync(Buffer.from(`{"event":"${"A".repeat(100_000)}"}`));
    expect(bomb.length).toBeLessThan(4096);
    const expanded = await call({ path: "/services/collector/event", token: plainToken, headers: { "content-encoding": "gzip" }, body: bomb });
    expect(expanded.status).toBe(413);
    const encoding = await call({ path: "/services/collector/event", token: plainToken, headers: { "content-encoding": "br" }, body: EVENT });
    expect(encoding.status).toBe(415);
  });

  it("ack status: true once the batch's events are stored, false for an unknown ackId; the channel is required", async () => {
    const channel = newChannel();
    const sent = await call({ path: "/services/collector/event", token: ackToken, headers: { "x-splunk-request-channel": channel }, body: EVENT });
    const before = await call({ path: "/services/collector/ack", token: ackToken, headers: { "x-splunk-request-channel": channel }, body: `{"acks":[0,7]}` });
    expect(before.body).toEqual({ acks: { "0": false, "7": false } });
    await drainUploads();
    const after = await call({ path: "/services/collector/ack", token: ackToken, headers: { "x-splunk-request-channel": channel }, body: `{"acks":[${sent.body.ackId as number},7]}` });
    expect(after.body).toEqual({ acks: { "0": true, "7": false } });
    // Another token's channel of the same name knows nothing of it.
    const missing = await call({ path: "/services/collector/ack", token: ackToken, body: `{"acks":[0]}` });
    expect({ status: missing.status, body: missing.body }).toEqual(splunkAnswer("channelMissing"));
    const bad = await call({ path: "/services/collector/ack", token: ackToken, headers: { "x-splunk-request-channel": channel }, body: `{"acks":"all"}` });
    expect({ status: bad.status, body: bad.body }).toEqual(splunkAnswer("invalidDataFormat"));
  });
});

describe("HEC events go through the upload readers, stored once, acknowledged", () => {
  it("XmlWinEventLog text, Winlogbeat JSON and extracted fields (gzip, string and numeric time) are stored as uploads store them", async () => {
    await resetDatabase();
    const { token, summary } = await createHecToken({ name: "shipper", ackEnabled: true, defaultHost: "FALLBACK" }, cliActor());
    const channel = newChannel();
    const body = [
      { time: "1795168800.125", host: "ignored-for-xml", sourcetype: "XmlWinEventLog", event: event29Xml({ host: "WEB07", time: "2026-11-20T10:00:00.1250000Z", recordId: 11 }) },
      { time: 1795168801, event: event2282Ecs({ host: "WEB08", time: "2026-11-20T10:00:01.000Z", recordId: 12 }) },
      { time: 1795168802, source: "WinEventLog:Application", fields: { datacenter: "east" }, event: { EventCode: "2282", SourceName: "Microsoft-Windows-IIS-W3SVC-WP", LogName: "Application", ModuleDll: "C:\\x\\y.dll" } },
    ]
      .map((e) => JSON.stringify(e))
      .join("");
    const sent = await call({ path: "/services/collector/event", token, headers: { "x-splunk-request-channel": channel, "content-encoding": "gzip" }, body: zlib.gzipSync(body) });
    expect(sent.body).toEqual({ text: "Success", code: 0, ackId: 0 });
    // Acknowledged only after a commit: the batch is an upload, queued with its ingest job.
    const upload = await db().upload.findFirstOrThrow({ where: { hecTokenId: summary.id } });
    expect(upload).toMatchObject({ status: "queued", hecChannel: channel, hecAckId: 0n, format: "json" });
    // What a restart right after the answer would find: the batch on disk and its ingest job committed.
    expect(fs.existsSync(spoolPath(upload.id))).toBe(true);
    const { rows: jobs } = await pgPool().query(`SELECT state FROM pgboss.job WHERE id = $1`, [upload.jobId]);
    expect(jobs).toEqual([{ state: "created" }]);
    await drainUploads();
    const done = await db().upload.findUniqueOrThrow({ where: { id: upload.id } });
    expect(done).toMatchObject({ status: "done", recordsRead: 3, stored: 3, rejected: 0 });
    const events = await db().event.findMany({ orderBy: { time: "asc" }, select: { host: true, eventCode: true, channel: true, provider: true, time: true } });
    expect(events).toEqual([
      { host: "WEB07", eventCode: 29, channel: "Microsoft-IIS-Configuration/Operational", provider: "Microsoft-Windows-IIS-Configuration", time: new Date("2026-11-20T10:00:00.125Z") },
      { host: "WEB08", eventCode: 2282, channel: "Application", provider: "Microsoft-Windows-IIS-W3SVC-WP", time: new Date("2026-11-20T10:00:01.000Z") },
      { host: "FALLBACK", eventCode: 2282, channel: "Application", provider: "Microsoft-Windows-IIS-W3SVC-WP", time: new Date("2026-11-20T10:00:02.000Z") },
    ]);
    const acks = await call({ path: "/services/collector/ack", token, headers: { "x-splunk-request-channel": channel }, body: `{"acks":[0]}` });
    expect(acks.body).toEqual({ acks: { "0": true } });
  });

  it("a batch resent after a timeout (new request, same events) is stored once", async () => {
    const { token } = await createHecToken({ name: "retrier", ackEnabled: true }, cliActor());
    const channel = newChannel();
    const batch = [1, 2, 3].map((i) => JSON.stringify({ event: event29Xml({ host: "WEB09", time: `2026-11-21T10:00:0${i}.000Z`, recordId: 100 + i }) })).join("\n");
    const headers = { "x-splunk-request-channel": channel };
    expect((await call({ path: "/services/collector/event", token, headers, body: batch })).body).toMatchObject({ ackId: 0 });
    expect((await call({ path: "/services/collector/event", token, headers, body: batch })).body).toMatchObject({ ackId: 1 });
    await drainUploads();
    expect(await db().event.count({ where: { host: "WEB09" } })).toBe(3);
    const acks = await call({ path: "/services/collector/ack", token, headers, body: `{"acks":[0,1]}` });
    expect(acks.body).toEqual({ acks: { "0": true, "1": true } });
  });

  it("/services/collector/raw breaks a body of event XML into its events server-side", async () => {
    const { token } = await createHecToken({ name: "raw shipper", ackEnabled: false }, cliActor());
    const body = [1, 2].map((i) => event29Xml({ host: "WEB10", time: `2026-11-22T10:00:0${i}.000Z`, recordId: 200 + i })).join("\n");
    const sent = await call({ path: "/services/collector/raw/1.0", token, headers: { "x-splunk-request-channel": newChannel() }, body });
    expect(sent.body).toEqual({ text: "Success", code: 0 });
    const notEvents = await call({ path: "/services/collector/raw", token, headers: { "x-splunk-request-channel": newChannel() }, body: "hello world\n" });
    expect([notEvents.status, notEvents.body.code]).toEqual([400, 6]);
    await drainUploads();
    expect(await db().event.count({ where: { host: "WEB10" } })).toBe(2);
  });

  it("token creation and revocation are audited, and only the hash is stored", async () => {
    const { token, summary } = await createHecToken({ name: "audited" }, cliActor());
    const row = await db().hecToken.findUniqueOrThrow({ where: { id: summary.id } });
    expect(row.tokenHash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
    await revokeHecToken(summary.id, cliActor());
    const actions = (await db().auditLog.findMany({ where: { targetId: summary.id }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["hec_token.create", "hec_token.revoke"]);
    const refused = await call({ path: "/services/collector/event", token, body: EVENT });
    expect(refused.body).toEqual({ text: "Token disabled", code: 1 });
    expect(ackTokenId).not.toBe("");
  });
});
