// The HTTP Event Collector protocol contract, declared once: every status code Splunk's HEC answers, with its text
// and HTTP status, and the body it is answered in. Route handlers (app/services/collector), the receiver
// (lib/hec/receive.ts) and the conformance test (tests/hec.db.test.ts) all read this table.
//
// Source: Splunk's "Troubleshoot HTTP Event Collector" status code table (codes 0–17), as transcribed by HEC clients
// and receivers (Vector's HecStatusCode, the OpenTelemetry splunkhec receiver). Codes 6, 7, 12, 13 and 15 concern
// one event of the batch and carry `invalid-event-number`, its zero-based position.

export const HEC_STATUS = {
  success: { code: 0, text: "Success", http: 200 },
  tokenDisabled: { code: 1, text: "Token disabled", http: 403 },
  tokenRequired: { code: 2, text: "Token is required", http: 401 },
  invalidAuthorization: { code: 3, text: "Invalid authorization", http: 401 },
  invalidToken: { code: 4, text: "Invalid token", http: 403 },
  noData: { code: 5, text: "No data", http: 400 },
  invalidDataFormat: { code: 6, text: "Invalid data format", http: 400 },
  incorrectIndex: { code: 7, text: "Incorrect index", http: 400 },
  internalError: { code: 8, text: "Internal server error", http: 500 },
  serverBusy: { code: 9, text: "Server is busy", http: 503 },
  channelMissing: { code: 10, text: "Data channel is missing", http: 400 },
  invalidChannel: { code: 11, text: "Invalid data channel", http: 400 },
  eventRequired: { code: 12, text: "Event field is required", http: 400 },
  eventBlank: { code: 13, text: "Event field cannot be blank", http: 400 },
  ackDisabled: { code: 14, text: "ACK is disabled", http: 400 },
  indexedFieldsError: { code: 15, text: "Error in handling indexed fields", http: 400 },
  queryStringAuthDisabled: { code: 16, text: "Query string authorization is not enabled", http: 400 },
  healthy: { code: 17, text: "HEC is healthy", http: 200 },
} as const satisfies Record<string, { code: number; text: string; http: number }>;

export type HecStatusName = keyof typeof HEC_STATUS;

/** A HEC answer: `{"text": …, "code": …}` with its HTTP status, plus what some answers carry (ackId, invalid-event-number). */
export interface HecReply {
  status: HecStatusName;
  /** Zero-based position of the offending event (codes 6, 7, 12, 13, 15). */
  invalidEventNumber?: number;
  ackId?: number;
  /** Extra headers (Retry-After on 503). */
  headers?: Record<string, string>;
  /** Overrides the HTTP status for answers Splunk gives outside the table (413: body too large). */
  httpStatus?: number;
  /** Overrides the text for those answers. */
  text?: string;
}

/** The JSON body of a reply, keys in Splunk's order. */
export function hecBody(reply: HecReply): Record<string, unknown> {
  const s = HEC_STATUS[reply.status];
  const body: Record<string, unknown> = { text: reply.text ?? s.text, code: s.code };
  if (reply.invalidEventNumber !== undefined) body["invalid-event-number"] = reply.invalidEventNumber;
  if (reply.ackId !== undefined) body.ackId = reply.ackId;
  return body;
}

export function hecResponse(reply: HecReply): Response {
  return Response.json(hecBody(reply), {
    status: reply.httpStatus ?? HEC_STATUS[reply.status].http,
    headers: { "Cache-Control": "no-store", ...reply.headers },
  });
}

/** A refusal raised anywhere in handling a request, answered as is. */
export class HecError extends Error {
  name = "HecError";
  constructor(readonly reply: HecReply) {
    super(reply.text ?? HEC_STATUS[reply.status].text);
  }
}

/** Channels are GUIDs (Splunk refuses anything else with code 11). */
export const CHANNEL_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
