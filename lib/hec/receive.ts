// The HTTP Event Collector receiver: what each /services/collector endpoint does, for the thin route handlers under
// app/services/collector. Answers come from the one protocol table (protocol.ts).
//
// Durable by reuse: a request's events become one upload (lib/ingest/uploads.ts receiveUpload), so the 200 is sent
// only once the batch is on disk (spooled, fsynced) and, in one committed PostgreSQL transaction, queued with its
// ingest job. A process that dies right after answering loses nothing: a worker reads the batch with the upload
// readers, merges it into `events` like any upload (a resent duplicate is stored once: the same bytes are recognised
// as an earlier upload, and the merge skips events stored already), and runs the detections after. With indexer
// acknowledgement the answer carries an ackId that /services/collector/ack reports true once the batch's events
// are stored (its upload reached `detecting`).
//
// Bounded: bodies (compressed and expanded) are capped; requests being read at once are capped per process, and
// HEC batches waiting for a worker are capped overall — past either, 503 code 9 "Server is busy" (with
// Retry-After), which HEC clients retry, instead of memory or a queue growing without end; and each token may send
// so many events a second.
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { query, queryOne, sql } from "../db/sql";
import { sniffFormat } from "../ingest/input";
import { receiveUpload } from "../ingest/uploads";
import { hecEventLines } from "./events";
import { CHANNEL_PATTERN, HecError, hecResponse, type HecReply } from "./protocol";
import { verifyHecToken } from "./tokens";

const positive = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

export interface HecLimits {
  /** Largest request body, and the largest a gzip body may expand to (IISWATCH_HEC_MAX_BODY_BYTES, 4 MiB: shippers batch 1–2 MiB). */
  maxBodyBytes: number;
  /** Requests this process reads at once (IISWATCH_HEC_MAX_IN_FLIGHT, 8): memory is at most this × the body cap. */
  maxInFlight: number;
  /** HEC batches received but not yet stored by a worker, over all processes (IISWATCH_HEC_MAX_PENDING, 200). */
  maxPending: number;
  /** Events a token may send per second to this process (IISWATCH_HEC_EVENTS_PER_SECOND, 20,000). */
  eventsPerSecond: number;
}

export function hecLimits(): HecLimits {
  return {
    maxBodyBytes: positive("IISWATCH_HEC_MAX_BODY_BYTES", 4 * 1024 * 1024),
    maxInFlight: positive("IISWATCH_HEC_MAX_IN_FLIGHT", 8),
    maxPending: positive("IISWATCH_HEC_MAX_PENDING", 200),
    eventsPerSecond: positive("IISWATCH_HEC_EVENTS_PER_SECOND", 20_000),
  };
}

const RETRY_AFTER = { "Retry-After": "1" };
const busy = (): HecError => new HecError({ status: "serverBusy", headers: RETRY_AFTER });

export interface Token {
  id: string;
  name: string;
  defaultHost: string | null;
  defaultSource: string | null;
  defaultSourcetype: string | null;
  ackEnabled: boolean;
}

/**
 * The token of a request: `Authorization: Splunk <token>`, or HTTP Basic with the token as password (as splunkd
 * takes it). `?token=` is splunkd's query-string authentication, off by default: code 16.
 */
export async function authenticate(request: Request): Promise<Token> {
  const header = request.headers.get("authorization");
  if (!header) {
    if (new URL(request.url).searchParams.has("token")) throw new HecError({ status: "queryStringAuthDisabled" });
    throw new HecError({ status: "tokenRequired" });
  }
  let secret: string | null = null;
  const splunk = /^Splunk\s+(\S+)\s*$/i.exec(header);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (splunk) secret = splunk[1];
  else if (basic) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon >= 0) secret = decoded.slice(colon + 1);
  }
  if (!secret) throw new HecError({ status: "invalidAuthorization" });
  const check = await verifyHecToken(secret);
  if (check.kind === "invalid") throw new HecError({ status: "invalidToken" });
  if (check.kind === "disabled") throw new HecError({ status: "tokenDisabled" });
  return check.token;
}

/** The request's data channel (header, or `?channel=`); `required` refuses none (code 10), and a non-GUID is code 11. */
function channelOf(request: Request, required: boolean): string | null {
  const channel = request.headers.get("x-splunk-request-channel") ?? new URL(request.url).searchParams.get("channel");
  if (!channel) {
    if (required) throw new HecError({ status: "channelMissing" });
    return null;
  }
  if (!CHANNEL_PATTERN.test(channel)) throw new HecError({ status: "invalidChannel" });
  return channel.toLowerCase();
}

/** The body, bounded, gzip undone (bounded too). */
export async function readBody(request: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = (n: number | string) =>
    new HecError({ status: "invalidDataFormat", httpStatus: 413, text: `Content-Length of ${n} too large (maximum is ${maxBytes})` });
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw tooLarge(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(`at least ${size}`);
      chunks.push(Buffer.from(chunk));
    }
  }
  const body = Buffer.concat(chunks, size);
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "" || body.length === 0) return body;
  if (encoding !== "gzip") throw new HecError({ status: "invalidDataFormat", httpStatus: 415, text: `Unsupported content encoding '${encoding.slice(0, 40)}'` });
  try {
    return zlib.gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(`more than ${maxBytes} once decompressed`);
    throw new HecError({ status: "invalidDataFormat" });
  }
}

let inFlight = 0;

/** Takes one of this process's request slots, or refuses when all are taken or too many batches wait for a worker. */
export async function admit(limits: HecLimits): Promise<() => void> {
  if (inFlight >= limits.maxInFlight) throw busy();
  inFlight++;
  const release = () => {
    inFlight--;
  };
  try {
    const pending = await queryOne<{ n: string }>(
      sql`SELECT count(*) AS n FROM uploads WHERE hec_token_id IS NOT NULL AND status IN ('receiving', 'queued', 'processing')`,
    );
    if (Number(pending?.n ?? 0) >= limits.maxPending) throw busy();
    return release;
  } catch (e) {
    release();
    throw e;
  }
}

let limiter: { perSecond: number; limiter: RateLimiterMemory } | null = null;

/** Counts a token's events against its rate; refuses (code 9) past it. */
export async function throttle(tokenId: string, events: number, perSecond: number): Promise<void> {
  if (limiter?.perSecond !== perSecond) limiter = { perSecond, limiter: new RateLimiterMemory({ points: perSecond, duration: 1 }) };
  try {
    // A batch larger than a second's worth costs a whole second: it passes alone.
    await limiter.limiter.consume(tokenId, Math.min(events, perSecond));
  } catch (e) {
    if (e instanceof RateLimiterRes) throw new HecError({ status: "serverBusy", headers: { "Retry-After": String(Math.max(1, Math.ceil(e.msBeforeNext / 1000))) } });
    throw e;
  }
}

/** The next ackId of a token's channel (0 for a new channel). */
async function nextAckId(tokenId: string, channel: string): Promise<number> {
  const row = await queryOne<{ ack_id: string }>(
    sql`INSERT INTO hec_channels (token_id, channel) VALUES (${tokenId}::uuid, ${channel})
        ON CONFLICT (token_id, channel) DO UPDATE SET next_ack_id = hec_channels.next_ack_id + 1
        RETURNING next_ack_id AS ack_id`,
  );
  return Number(row!.ack_id);
}

/**
 * Stores a batch durably (see the header) and answers Success, with its ackId when the token acknowledges. `via`
 * names the protocol in the upload's name ("HEC", "Elasticsearch _bulk").
 */
export async function store(token: Token, channel: string | null, body: Buffer, format: "json" | undefined, via = "HEC"): Promise<HecReply> {
  const ackId = token.ackEnabled && channel ? await nextAckId(token.id, channel) : null;
  await receiveUpload({
    filename: `${via} "${token.name}"${channel ? ` channel ${channel}` : ""}${ackId !== null ? ` ackId ${ackId}` : ""}`,
    body: Readable.from([body]),
    format,
    expectedBytes: body.length,
    hec: { tokenId: token.id, channel, ackId },
  });
  return { status: "success", ...(ackId !== null ? { ackId } : {}) };
}

/** Answers a handler's outcome; a HecError as its reply, anything else as code 8. */
async function answer(handle: () => Promise<HecReply>): Promise<Response> {
  try {
    return hecResponse(await handle());
  } catch (e) {
    if (e instanceof HecError) return hecResponse(e.reply);
    console.error(`HEC request failed: ${e instanceof Error ? e.stack : String(e)}`);
    return hecResponse({ status: "internalError" });
  }
}

/** POST /services/collector, /services/collector/event, /services/collector/event/1.0 */
export function handleEvent(request: Request): Promise<Response> {
  return answer(async () => {
    const token = await authenticate(request);
    const channel = channelOf(request, token.ackEnabled);
    const limits = hecLimits();
    const release = await admit(limits);
    try {
      const body = await readBody(request, limits.maxBodyBytes);
      if (body.length === 0) throw new HecError({ status: "noData" });
      const lines = hecEventLines(body.toString("utf8"), { host: token.defaultHost, source: token.defaultSource, sourcetype: token.defaultSourcetype });
      await throttle(token.id, lines.length, limits.eventsPerSecond);
      return await store(token, channel, Buffer.from(`${lines.join("\n")}\n`, "utf8"), "json");
    } finally {
      release();
    }
  });
}

/**
 * POST /services/collector/raw (and /1.0): the body is log text, broken into events server-side by the upload
 * readers (XmlWinEventLog XML, classic WinEventLog text, event JSON: whatever the format sniffer recognises, as
 * for an uploaded file). splunkd requires a channel here, with or without acknowledgement.
 */
export function handleRaw(request: Request): Promise<Response> {
  return answer(async () => {
    const token = await authenticate(request);
    const channel = channelOf(request, true);
    const limits = hecLimits();
    const release = await admit(limits);
    try {
      const body = await readBody(request, limits.maxBodyBytes);
      if (body.toString("utf8").trim() === "") throw new HecError({ status: "noData" });
      if (!sniffFormat(body.subarray(0, 64 * 1024))) {
        throw new HecError({ status: "invalidDataFormat", text: "Invalid data format: not Windows event XML, classic WinEventLog text or event JSON" });
      }
      await throttle(token.id, 1, limits.eventsPerSecond);
      return await store(token, channel, body, undefined);
    } finally {
      release();
    }
  });
}

/** Largest number of ackIds one status request may ask about. */
const MAX_ACKS_PER_QUERY = 10_000;

/**
 * POST /services/collector/ack {"acks":[0,1]} → {"acks":{"0":true,"1":false}}: true once the batch's events are
 * stored. A token without acknowledgement is code 14, before any channel check (as splunkd).
 */
export async function handleAck(request: Request): Promise<Response> {
  try {
    const token = await authenticate(request);
    if (!token.ackEnabled) throw new HecError({ status: "ackDisabled" });
    const channel = channelOf(request, true)!;
    const body = await readBody(request, 1024 * 1024);
    let acks: unknown;
    try {
      acks = (JSON.parse(body.toString("utf8")) as { acks?: unknown })?.acks;
    } catch {
      throw new HecError({ status: "invalidDataFormat" });
    }
    if (!Array.isArray(acks) || acks.length > MAX_ACKS_PER_QUERY || !acks.every((a) => Number.isSafeInteger(a) && (a as number) >= 0)) {
      throw new HecError({ status: "invalidDataFormat" });
    }
    const ids = [...new Set(acks as number[])];
    const stored = await query<{ ack_id: string }>(
      sql`SELECT hec_ack_id AS ack_id FROM uploads
          WHERE hec_token_id = ${token.id}::uuid AND hec_channel = ${channel} AND hec_ack_id = ANY(${ids.map(String)}::bigint[])
            AND status IN ('detecting', 'done')`,
    );
    const done = new Set(stored.map((r) => Number(r.ack_id)));
    return Response.json({ acks: Object.fromEntries(ids.map((id) => [String(id), done.has(id)])) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    if (e instanceof HecError) return hecResponse(e.reply);
    console.error(`HEC ack request failed: ${e instanceof Error ? e.stack : String(e)}`);
    return hecResponse({ status: "internalError" });
  }
}

/**
 * GET /services/collector/health (and /1.0): 200 code 17 while batches can be taken; 503 code 9 while too many
 * wait for a worker or the database cannot be reached (splunkd, too, answers health without a token).
 */
export async function handleHealth(): Promise<Response> {
  try {
    const pending = await queryOne<{ n: string }>(
      sql`SELECT count(*) AS n FROM uploads WHERE hec_token_id IS NOT NULL AND status IN ('receiving', 'queued', 'processing')`,
    );
    if (Number(pending?.n ?? 0) >= hecLimits().maxPending) return hecResponse({ status: "serverBusy", headers: RETRY_AFTER });
    return hecResponse({ status: "healthy" });
  } catch {
    return hecResponse({ status: "serverBusy", headers: RETRY_AFTER });
  }
}
