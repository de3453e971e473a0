// Helpers shared by the text-format readers: turning EventParts into a ParsedRecord, value coercion, and what
// exports without a channel or opcode need to know of the providers (from the event catalogue).
import type { EventParts, InputFormat, ParsedRecord } from "../event";
import { daysInMonth, normalizeEvent, RecordError } from "../normalize";
import { nulRejection } from "../input/text";
import { catalogueEntry } from "../catalogue";

export const EXCERPT_CHARS = 200;

export function excerpt(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  return text.length > EXCERPT_CHARS ? text.slice(0, EXCERPT_CHARS) + "…" : text;
}

export function rejectRecord(position: number, location: string | undefined, reason: string, raw?: string | null): ParsedRecord {
  return { ok: false, rejected: { position, ...(location ? { location } : {}), reason, ...(raw ? { excerpt: excerpt(raw) } : {}) } };
}

/**
 * EventParts -> ParsedRecord: normalised, or rejected with the reason (a RecordError from the mapping or from
 * normalizeEvent). `make` may throw RecordError too. Missing opcodes of known events are filled in first.
 */
export function toParsedRecord(
  make: () => EventParts,
  raw: string,
  format: InputFormat,
  position: number,
  location: string | undefined,
): ParsedRecord {
  const nul = nulRejection(raw, location); // binary data in a text record: this record goes, the file goes on
  if (nul) return rejectRecord(position, location, nul, raw);
  try {
    const parts = withKnownOpcode(make());
    return { ok: true, event: normalizeEvent(parts, raw, format, position) };
  } catch (e) {
    if (e instanceof RecordError) return rejectRecord(position, location, e.message, raw);
    throw e;
  }
}

/** An integer from a number or a decimal/hex text; null when absent or not an integer. */
export function toInt(value: unknown): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "string") return null;
  if (isShortDecimal(value)) return Number(value); // nearly every value: skip the regexes below
  const t = value.trim().replace(/^'(.*)'$/, "$1");
  if (/^-?\d+$/.test(t)) {
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : null;
  }
  if (/^0x[0-9a-f]+$/i.test(t)) {
    const n = parseInt(t, 16);
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

/** 1 to 15 ASCII digits and nothing else: always a safe integer, and what the general rules would read. */
function isShortDecimal(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A text value: strings as they are, numbers and booleans as text, empty and absent as null. */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value === "" ? null : value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return null;
}

/**
 * A rendered message as every reader stores it: CRLF (and lone CR) as LF, trailing white space removed, so the
 * Splunk `Message` is the same whichever export it came from. Empty -> null.
 */
export function cleanMessage(message: string | null | undefined): string | null {
  if (message === null || message === undefined) return null;
  const m = message.replace(/\r\n?/g, "\n").replace(/\s+$/, "");
  return m === "" ? null : m;
}

/**
 * Splits a full 32-bit event code (qualifiers in the high word, as legacy tools print 0xC00008EA = 3221227754)
 * into the event id and its qualifiers; a 16-bit code passes through.
 */
export function splitEventCode(code: number | null, qualifiers?: number | null): { eventId: number | null; qualifiers: number | null } {
  if (code === null) return { eventId: null, qualifiers: qualifiers ?? null };
  if (code > 0xffff && code <= 0xffffffff) return { eventId: code & 0xffff, qualifiers: qualifiers ?? (code >>> 16) };
  return { eventId: code, qualifiers: qualifiers ?? null };
}

/** Event code from text or number: qualifiers stripped; a non-numeric code is a RecordError. */
export function eventCodeFrom(value: unknown, qualifiers?: number | null): { eventId: number | null; qualifiers: number | null } {
  if (value === null || value === undefined || value === "") return { eventId: null, qualifiers: qualifiers ?? null };
  const n = toInt(value);
  if (n === null || n < 0) throw new RecordError(`invalid event id '${String(value).slice(0, 40)}'`);
  return splitEventCode(n, qualifiers);
}

/** "670080d9-…" -> "{670080d9-…}", the way Windows XML writes provider GUIDs. */
export function guidText(value: unknown): string | null {
  const t = toText(value)?.trim().replace(/^'(.*)'$/, "$1") ?? null;
  if (!t) return null;
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t) ? `{${t}}` : t;
}

/** Keywords as Windows XML writes them ("0x80000000000000"), from a signed or unsigned 64-bit decimal. */
export function keywordsText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const t = String(value).trim();
  if (t === "" || /^none$/i.test(t)) return null;
  if (/^-?\d+$/.test(t)) {
    let n = BigInt(t);
    if (n < 0n) n += 1n << 64n;
    return "0x" + n.toString(16);
  }
  return t;
}

/**
 * Source names as exports without the provider/channel print them (Event Viewer's "Source" column shows the
 * legacy event source name when the provider has one), and the channel their events are written to: from the
 * event catalogue's providers (catalogue/events.json).
 */
export { knownSource } from "../catalogue";

/**
 * Exports that carry neither the opcode nor its rendered name (Event Viewer CSV, some JSON) get it from the event
 * catalogue, where a manifest or real sample gives it, so the Splunk `OpCode` the Event 29 search groups by is
 * not null.
 */
export function withKnownOpcode(parts: EventParts): EventParts {
  const { system, rendering } = parts;
  if ((system.opcode !== null && system.opcode !== undefined) || rendering?.opcode) return parts;
  const opcode = catalogueEntry(system.provider || system.eventSourceName, system.eventId, system.version)?.opcode;
  return opcode === undefined ? parts : { ...parts, system: { ...system, opcode } };
}

/**
 * Adds a value under `name`, or `name#2`, `name#3`… when the name is already taken. The first value keeps the name,
 * as in Splunk, whose REPORT extractions keep the first value of a repeated field (transforms.conf MV_ADD = false,
 * the default: "the newly found value is discarded"); later values are kept for display. "__proto__" is stored as
 * "_proto_" so that no name can reach the object's prototype.
 */
export function addUnique(data: Record<string, string | null>, name: string, value: string | null): void {
  const key = name === "__proto__" ? "_proto_" : name;
  if (!Object.hasOwn(data, key)) {
    data[key] = value;
    return;
  }
  let n = 2;
  while (Object.hasOwn(data, `${key}#${n}`)) n++;
  data[`${key}#${n}`] = value;
}

/** "11/06/2022 11:24:05 AM" (US month/day order, 12- or 24-hour clock) -> "2022-11-06T11:24:05Z". Null if not such a time. */
export function usDateTimeToIso(text: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AP])\.?M\.?)?$/i.exec(text.trim());
  if (!m) return null;
  const [, mo, d, y, h, mi, s = "00", ampm] = m;
  let hour = Number(h);
  if (ampm) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (ampm.toUpperCase() === "P" ? 12 : 0);
  }
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const pad = (n: number | string) => String(n).padStart(2, "0");
  // A day the month does not have (31 April): null, where Date would roll it over into the next month.
  if (day > daysInMonth(Number(y), month)) return null;
  return `${y}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(mi)}:${pad(s)}Z`;
}
