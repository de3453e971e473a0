// The body of POST /services/collector/event: one or more JSON event objects concatenated (whitespace between them
// or not; a top-level array is taken as a batch too, as splunkd does). Each is checked as splunkd checks it, and the
// whole request is refused at the first bad event with its zero-based position (`invalid-event-number`), so a
// batch is stored whole or not at all.
//
// Accepted events become lines of the JSON format the upload readers already read (lib/ingest/formats/json.ts), so
// they go through exactly the normalization uploads go through — one mapping, not a second one:
//   - `event` a string (XmlWinEventLog XML, classic WinEventLog text): a Splunk export row whose `_raw` it is;
//   - `event` an object the JSON reader recognises (Winlogbeat/ECS, Get-WinEvent, NXLog): the object itself;
//   - any other object (Splunk-style extracted fields: EventCode, ComputerName, …): a Splunk export row of its fields
//     with the HEC metadata (`host`, `source`, `sourcetype`, `time`) and indexed `fields` beside them.
import { jsonFlavor } from "../ingest/formats/json";
import { HecError } from "./protocol";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Metadata an event takes from its token (or the request) when it carries none. */
export interface EventDefaults {
  host: string | null;
  source: string | null;
  sourcetype: string | null;
}

/** Splunk index names: lower-case letters, digits, `_` and `-`, not starting with `_` or `-` (internal indexes). */
const INDEX_NAME = /^[a-z0-9][a-z0-9_-]{0,79}$/;

/**
 * Splits concatenated JSON values, yielding each value's text. Strings are skipped whole (a brace inside one is
 * text); a value that does not close, or text that is no JSON value, is yielded as is for JSON.parse to refuse.
 */
function* jsonValues(text: string): Generator<string> {
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) return;
    const start = i;
    const open = text[i];
    if (open !== "{" && open !== "[") {
      // Not an object: up to the next whitespace, for JSON.parse to call what it is.
      while (i < n && !/\s/.test(text[i])) i++;
      yield text.slice(start, i);
      continue;
    }
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    yield text.slice(start, i);
  }
}

/** `time` as Splunk takes it: epoch seconds, a number or a numeric string ("1796314317.620"). Null: not given. */
function epochSeconds(value: unknown, position: number): number | null {
  if (value === undefined || value === null) return null;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new HecError({ status: "indexedFieldsError", invalidEventNumber: position });
  return n;
}

/** host/source/sourcetype: a string when given (splunkd refuses other types as invalid data). */
function metadata(event: Json, key: "host" | "source" | "sourcetype", fallback: string | null, position: number): string | null {
  const v = event[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "string") throw new HecError({ status: "invalidDataFormat", invalidEventNumber: position });
  return v || fallback;
}

/** Indexed fields: a flat object of strings, numbers or arrays of them (anything else is splunkd's code 15). */
function indexedFields(value: unknown, position: number): Record<string, string | number | (string | number)[]> {
  if (value === undefined || value === null) return {};
  const scalar = (v: unknown) => typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
  if (!isObject(value)) throw new HecError({ status: "indexedFieldsError", invalidEventNumber: position });
  for (const v of Object.values(value)) {
    if (!(scalar(v) || (Array.isArray(v) && v.every(scalar)))) throw new HecError({ status: "indexedFieldsError", invalidEventNumber: position });
  }
  return value as Record<string, string | number | (string | number)[]>;
}

function isBlank(event: unknown): boolean {
  if (typeof event === "string") return event.trim() === "";
  if (isObject(event)) return Object.keys(event).length === 0;
  if (Array.isArray(event)) return event.length === 0;
  return false;
}

/** One HEC event as a line the JSON reader reads (see the header). */
function toReaderLine(event: Json, position: number, defaults: EventDefaults): string {
  if (!("event" in event) || event.event === null) throw new HecError({ status: "eventRequired", invalidEventNumber: position });
  if (isBlank(event.event)) throw new HecError({ status: "eventBlank", invalidEventNumber: position });
  const time = epochSeconds(event.time, position);
  const host = metadata(event, "host", defaults.host, position);
  const source = metadata(event, "source", defaults.source, position);
  const sourcetype = metadata(event, "sourcetype", defaults.sourcetype, position);
  if (event.index !== undefined && event.index !== null && (typeof event.index !== "string" || (event.index !== "" && !INDEX_NAME.test(event.index)))) {
    throw new HecError({ status: "incorrectIndex", invalidEventNumber: position });
  }
  const fields = indexedFields(event.fields, position);
  const meta = {
    ...(time !== null ? { _time: String(time) } : {}),
    ...(host ? { host } : {}),
    ...(source ? { source } : {}),
    ...(sourcetype ? { sourcetype } : {}),
  };
  const body = event.event;
  if (typeof body === "string") return JSON.stringify({ preview: false, result: { _raw: body, ...meta } });
  if (isObject(body) && jsonFlavor(body)) return JSON.stringify(body);
  if (isObject(body)) return JSON.stringify({ preview: false, result: { ...fields, ...body, ...meta } });
  // A number, a boolean or an array: text, as splunkd indexes it; the reader will say it is no Windows event.
  return JSON.stringify({ preview: false, result: { _raw: JSON.stringify(body), ...meta } });
}

/**
 * The events of a /services/collector/event body, as NDJSON lines for the JSON reader, or a HecError for the first
 * bad one (code 5 for a body with no event at all).
 */
export function hecEventLines(text: string, defaults: EventDefaults): string[] {
  const lines: string[] = [];
  let position = 0;
  for (const valueText of jsonValues(text)) {
    let value: unknown;
    try {
      value = JSON.parse(valueText);
    } catch {
      throw new HecError({ status: "invalidDataFormat", invalidEventNumber: position });
    }
    const batch = Array.isArray(value) ? value : [value];
    for (const event of batch) {
      if (!isObject(event)) throw new HecError({ status: "invalidDataFormat", invalidEventNumber: position });
      lines.push(toReaderLine(event, position, defaults));
      position++;
    }
  }
  if (lines.length === 0) throw new HecError({ status: "noData" });
  return lines;
}
