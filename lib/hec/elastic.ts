// The Elasticsearch subset Beats need (Winlogbeat, Filebeat, Elastic Agent's ES output with templates and ILM
// turned off): `GET /` (the version handshake), `GET /_license`, and `POST /_bulk` / `POST /<index>/_bulk` with
// NDJSON `index`/`create` actions answered per item. Documents are what Winlogbeat writes (ECS, `winlog.*`) and are
// read by the same JSON reader that reads Winlogbeat JSON uploads: each _bulk request is a batch stored durably
// exactly as a HEC batch is (receive.ts `store`: spooled, queued in a committed transaction, then merged by a worker
// and evaluated), so a 200 means kept.
//
// Credentials are HEC tokens (ingest-only, /admin/hec): Beats' `api_key: "<any id>:<token>"` (Authorization: ApiKey
// base64(id:token)), or `username`/`password` with the token as password (Basic). Refusals use Elasticsearch's error
// envelope; back-pressure is 429 `es_rejected_execution_exception`, which Beats retries with back-off.
import crypto from "node:crypto";
import { admit, hecLimits, readBody, store, throttle, type Token } from "./receive";
import { HecError } from "./protocol";
import { verifyHecToken } from "./tokens";

/** The Elasticsearch version announced (IISWATCH_ELASTIC_VERSION): Beats 8 accept an older or equal 8.x by default. */
const version = () => process.env.IISWATCH_ELASTIC_VERSION || "8.17.0";
const CLUSTER_UUID = "iiswatch-000000000000000000";
const PRODUCT_HEADERS = { "X-Elastic-Product": "Elasticsearch", "Cache-Control": "no-store" };

function esError(status: number, type: string, reason: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { root_cause: [{ type, reason }], type, reason }, status }, { status, headers: { ...PRODUCT_HEADERS, ...headers } });
}

const unauthorized = () =>
  esError(401, "security_exception", "missing authentication credentials for REST request", { "WWW-Authenticate": 'Basic realm="security", charset="UTF-8", ApiKey' });

/** The HEC token in an `ApiKey` or `Basic` Authorization header (its secret part). */
function secretOf(header: string | null): string | null {
  if (!header) return null;
  const m = /^(ApiKey|Basic)\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[2], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}

/** The request's token, or the Elasticsearch refusal to answer. */
async function authenticate(request: Request): Promise<Token | Response> {
  const secret = secretOf(request.headers.get("authorization"));
  if (!secret) return unauthorized();
  const check = await verifyHecToken(secret);
  if (check.kind !== "valid") return esError(401, "security_exception", "unable to authenticate with provided credentials", { "WWW-Authenticate": 'Basic realm="security", charset="UTF-8", ApiKey' });
  return check.token;
}

/** GET / — what Beats read to decide they are talking to Elasticsearch, and which version. */
export async function handleRoot(request: Request): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  return Response.json(
    {
      name: "iiswatch",
      cluster_name: "iiswatch",
      cluster_uuid: CLUSTER_UUID,
      version: {
        number: version(),
        build_flavor: "default",
        build_type: "tar",
        build_snapshot: false,
        lucene_version: "9.12.0",
        minimum_wire_compatibility_version: "7.17.0",
        minimum_index_compatibility_version: "7.0.0",
      },
      tagline: "You Know, for Search",
    },
    { headers: PRODUCT_HEADERS },
  );
}

/** GET /_license — Beats since 7.13 refuse a cluster without one (a basic licence is enough). */
export async function handleLicense(request: Request): Promise<Response> {
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  return Response.json(
    {
      license: {
        status: "active",
        uid: "00000000-0000-4000-8000-000000000000",
        type: "basic",
        issue_date: "2026-01-01T00:00:00.000Z",
        issue_date_in_millis: 1767225600000,
        max_nodes: 1000,
        max_resource_units: null,
        issued_to: "iiswatch",
        issuer: "elasticsearch",
        start_date_in_millis: -1,
      },
    },
    { headers: PRODUCT_HEADERS },
  );
}

type Item = Record<string, Record<string, unknown>>;

/**
 * POST /_bulk, /<index>/_bulk — NDJSON pairs of an action line (`index` or `create`; `delete` and `update` are
 * refused per item: this store only appends) and a document. Every accepted document is stored; the answer lists
 * each item as Elasticsearch does (201 created), a malformed one as a 400 item error, with `errors` saying whether
 * any failed.
 */
export async function handleBulk(request: Request, pathIndex: string | null): Promise<Response> {
  const started = Date.now();
  const token = await authenticate(request);
  if (token instanceof Response) return token;
  const limits = hecLimits();
  let release: (() => void) | null = null;
  try {
    release = await admit(limits);
    const body = (await readBody(request, limits.maxBodyBytes)).toString("utf8");
    const lines = body.split("\n").filter((l) => l.trim() !== "");
    if (lines.length === 0) return esError(400, "action_request_validation_exception", "Validation Failed: 1: no requests added;");
    const documents: string[] = [];
    const items: Item[] = [];
    for (let i = 0; i < lines.length; i++) {
      let action: unknown;
      try {
        action = JSON.parse(lines[i]);
      } catch {
        return esError(400, "x_content_parse_exception", `[1:1] Malformed action/metadata line [${i + 1}], expected START_OBJECT`);
      }
      const [op, meta] = Object.entries((action ?? {}) as Record<string, unknown>)[0] ?? [];
      const index = String(((meta ?? {}) as Record<string, unknown>)._index ?? pathIndex ?? "");
      if (op === "delete") {
        items.push({ delete: { _index: index, status: 400, error: { type: "illegal_argument_exception", reason: "this endpoint only stores documents: delete is not supported" } } });
        continue;
      }
      if (op !== "index" && op !== "create" && op !== "update") {
        return esError(400, "illegal_argument_exception", `Malformed action/metadata line [${i + 1}], expected field [create], [delete], [index] or [update] but found [${String(op).slice(0, 40)}]`);
      }
      const docLine = lines[++i];
      if (op === "update") {
        items.push({ update: { _index: index, status: 400, error: { type: "illegal_argument_exception", reason: "this endpoint only stores documents: update is not supported" } } });
        continue;
      }
      const id = String(((meta ?? {}) as Record<string, unknown>)._id ?? crypto.randomBytes(15).toString("base64url"));
      let doc: unknown;
      try {
        doc = docLine === undefined ? undefined : JSON.parse(docLine);
      } catch {
        doc = undefined;
      }
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        items.push({ [op]: { _index: index, _id: id, status: 400, error: { type: "document_parsing_exception", reason: "[1:1] failed to parse: the document is not a JSON object" } } });
        continue;
      }
      documents.push(JSON.stringify(doc));
      items.push({ [op]: { _index: index, _id: id, _version: 1, result: "created", _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: documents.length - 1, _primary_term: 1, status: 201 } });
    }
    if (documents.length > 0) {
      await throttle(token.id, documents.length, limits.eventsPerSecond);
      await store(token, null, Buffer.from(`${documents.join("\n")}\n`, "utf8"), "json", "Elasticsearch _bulk");
    }
    const errors = items.some((item) => Object.values(item)[0].status !== 201);
    return Response.json({ errors, took: Date.now() - started, items }, { headers: PRODUCT_HEADERS });
  } catch (e) {
    if (e instanceof HecError) {
      const { status, httpStatus, text, headers } = e.reply;
      if (status === "serverBusy") return esError(429, "es_rejected_execution_exception", "rejected execution: too many batches waiting to be stored", headers);
      if (httpStatus === 413) return esError(413, "content_too_long_exception", text ?? "request body too large");
      return esError(400, "parse_exception", text ?? "invalid request body");
    }
    console.error(`Elasticsearch _bulk request failed: ${e instanceof Error ? e.stack : String(e)}`);
    return esError(500, "exception", "internal error: the batch was not stored");
  } finally {
    release?.();
  }
}
