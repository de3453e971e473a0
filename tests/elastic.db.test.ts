// The Elasticsearch subset for Beats, on the real route handlers and a real database: the version handshake and the
// licence with a HEC token as Beats send it (api_key, or username/password), refusals in Elasticsearch's envelope,
// and _bulk with Winlogbeat documents: per-item answers as Elasticsearch gives them, the documents stored through
// the JSON reader like a Winlogbeat upload, a resent request stored once, and back-pressure as 429.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "./db-setup";
import { drainUploads } from "./pipeline";
import { event2282Ecs, HEC_ORIGIN } from "./support/hec";
import { cliActor } from "../lib/audit/log";
import { db } from "../lib/db/client";
import { createHecToken, revokeHecToken } from "../lib/hec/tokens";
import * as rootRoute from "../app/api/elastic/route";
import * as licenseRoute from "../app/api/elastic/license/route";
import * as bulkRoute from "../app/api/elastic/bulk/route";

let token = "";
let revoked = "";
const apiKey = (secret: string) => `ApiKey ${Buffer.from(`winlogbeat:${secret}`).toString("base64")}`;
const basic = (secret: string) => `Basic ${Buffer.from(`elastic:${secret}`).toString("base64")}`;

function bulk(body: string | Buffer, init: { authorization?: string; index?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { "content-type": "application/x-ndjson", ...init.headers };
  if (init.authorization !== undefined) headers.authorization = init.authorization;
  else headers.authorization = apiKey(token);
  const url = `${HEC_ORIGIN}/api/elastic/bulk${init.index ? `?index=${init.index}` : ""}`;
  return bulkRoute.POST(new Request(url, { method: "POST", headers, body: typeof body === "string" ? body : new Uint8Array(body) }));
}

beforeAll(async () => {
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-elastic-"));
  await resetDatabase();
  token = (await createHecToken({ name: "winlogbeat", ackEnabled: false }, cliActor())).token;
  const r = await createHecToken({ name: "old beat", ackEnabled: false }, cliActor());
  revoked = r.token;
  await revokeHecToken(r.summary.id, cliActor());
});

afterEach(() => {
  delete process.env.IISWATCH_HEC_MAX_PENDING;
});

afterAll(async () => {
  await drainUploads();
  fs.rmSync(process.env.IISWATCH_DATA_DIR!, { recursive: true, force: true });
});

describe("the handshake Beats make", () => {
  it("GET / answers Elasticsearch's version document, with the product header, to an API key or a password", async () => {
    for (const authorization of [apiKey(token), basic(token)]) {
      const res = await rootRoute.GET(new Request(`${HEC_ORIGIN}/`, { headers: { authorization } }));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-elastic-product")).toBe("Elasticsearch");
      expect(await res.json()).toMatchObject({ version: { number: "8.17.0", build_flavor: "default" }, tagline: "You Know, for Search" });
    }
  });

  it("GET /_license answers an active basic licence", async () => {
    const res = await licenseRoute.GET(new Request(`${HEC_ORIGIN}/_license`, { headers: { authorization: apiKey(token) } }));
    expect(await res.json()).toMatchObject({ license: { status: "active", type: "basic" } });
  });

  it("no credentials, an unknown or a revoked token: 401 security_exception with the challenge", async () => {
    for (const authorization of [undefined, apiKey("6e1b7b9e-4a4c-4c1e-9d7a-3d0b5a0f9c11"), basic(revoked), `Splunk ${token}`]) {
      const res = await rootRoute.GET(new Request(`${HEC_ORIGIN}/`, { headers: authorization ? { authorization } : {} }));
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm="security"/);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe("security_exception");
    }
    expect((await bulk("{}\n{}\n", { authorization: "" })).status).toBe(401);
  });
});

describe("_bulk", () => {
  const doc = (recordId: number, host = "WEB20") => JSON.stringify(event2282Ecs({ host, time: `2026-11-24T09:00:${String(recordId % 60).padStart(2, "0")}.000Z`, recordId }));

  it("stores Winlogbeat documents like a Winlogbeat upload and answers each item as Elasticsearch does", async () => {
    const body = [
      `{"create":{"_index":"winlogbeat-8.17.0"}}`,
      doc(1),
      `{"index":{"_id":"given-id"}}`,
      doc(2),
      `{"create":{}}`,
      `not json`,
      `{"delete":{"_id":"x"}}`,
      `{"create":{}}`,
      doc(3, "WEB21"),
    ].join("\n");
    const res = await bulk(`${body}\n`, { index: "winlogbeat-fallback" });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { errors: boolean; items: Record<string, { _index: string; _id?: string; status: number; result?: string; error?: { type: string } }>[] };
    expect(answer.errors).toBe(true);
    expect(answer.items.map((item) => Object.entries(item).map(([op, r]) => [op, r._index, r.status, r.result ?? r.error?.type])[0])).toEqual([
      ["create", "winlogbeat-8.17.0", 201, "created"],
      ["index", "winlogbeat-fallback", 201, "created"],
      ["create", "winlogbeat-fallback", 400, "document_parsing_exception"],
      ["delete", "winlogbeat-fallback", 400, "illegal_argument_exception"],
      ["create", "winlogbeat-fallback", 201, "created"],
    ]);
    expect(answer.items[1].index._id).toBe("given-id");
    // Kept before the answer: an upload queued with its job.
    const upload = await db().upload.findFirstOrThrow({ where: { filename: { startsWith: "Elasticsearch _bulk" } } });
    expect(upload.status).toBe("queued");
    await drainUploads();
    expect(await db().upload.findUniqueOrThrow({ where: { id: upload.id } })).toMatchObject({ status: "done", recordsRead: 3, stored: 3, rejected: 0 });
    const events = await db().event.findMany({ orderBy: { time: "asc" }, select: { host: true, eventCode: true, channel: true, format: true } });
    expect(events).toEqual([
      { host: "WEB20", eventCode: 2282, channel: "Application", format: "json" },
      { host: "WEB20", eventCode: 2282, channel: "Application", format: "json" },
      { host: "WEB21", eventCode: 2282, channel: "Application", format: "json" },
    ]);
  });

  it("a request resent after a timeout (gzip, as Beats compress) is stored once", async () => {
    const body = zlib.gzipSync(`{"create":{}}\n${doc(40, "WEB22")}\n{"create":{}}\n${doc(41, "WEB22")}\n`);
    for (let i = 0; i < 2; i++) {
      const res = await bulk(body, { headers: { "content-encoding": "gzip" } });
      expect(((await res.json()) as { errors: boolean }).errors).toBe(false);
    }
    await drainUploads();
    expect(await db().event.count({ where: { host: "WEB22" } })).toBe(2);
  });

  it("too many batches waiting for a worker: 429 es_rejected_execution_exception, which Beats retry", async () => {
    process.env.IISWATCH_HEC_MAX_PENDING = "1";
    expect((await bulk(`{"create":{}}\n${doc(50, "WEB23")}\n`)).status).toBe(200);
    const refused = await bulk(`{"create":{}}\n${doc(51, "WEB23")}\n`);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { type: string } }).error.type).toBe("es_rejected_execution_exception");
    await drainUploads();
    expect(await db().event.count({ where: { host: "WEB23" } })).toBe(1);
  });

  it("POST /<index>/_bulk (as rewritten by next.config.js: the request keeps its path) names the index of items without one", async () => {
    const res = await bulkRoute.POST(
      new Request(`${HEC_ORIGIN}/winlogbeat-8.17.0/_bulk`, { method: "POST", headers: { authorization: apiKey(token) }, body: `{"create":{}}\n${doc(60, "WEB24")}\n` }),
    );
    expect(((await res.json()) as { items: { create: { _index: string } }[] }).items[0].create._index).toBe("winlogbeat-8.17.0");
    await drainUploads();
  });

  it("an empty or malformed request is refused whole", async () => {
    expect((await bulk("\n")).status).toBe(400);
    expect((await bulk(`{"frobnicate":{}}\n{}\n`)).status).toBe(400);
    expect((await bulk(`nope\n{}\n`)).status).toBe(400);
  });
});
