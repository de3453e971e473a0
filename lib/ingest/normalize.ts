// EventParts (what a parser read) -> NormalizedEvent (what the database stores).
import type { EventParts, InputFormat, NormalizedEvent } from "./event";
import { catalogueEntry, eventDataFor, renderMessageFor } from "./catalogue";
import { opcodeName, splunkFields } from "./splunk-fields";

/** Thrown for a record that cannot become an event; the parser turns it into a RejectedRecord. */
export class RecordError extends Error {
  name = "RecordError";
}

const ISO_WITH_FRACTION = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;

/** The number `count` ASCII digits from `at` in `s` make (the caller has checked they are digits). */
function digitsAt(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
}

/** Days in a month (1-12) of the proleptic Gregorian calendar, as Date counts them. */
export const daysInMonth = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/**
 * The UTC instant of a date ("2022-12-20"), clock ("15:58:25") and milliseconds read by ISO_WITH_FRACTION, from
 * their digits: what Date gives for `${date}T${clock}.${millis}Z` without parsing a string, which took more time
 * than anything else about an event's time. Null unless every field is in range (a year before 100, 24:00, 31 April
 * and the like are left to Date, which rolls some over and refuses others).
 */
function utcMillis(date: string, clock: string, millis: number): number | null {
  const [year, month, day] = [digitsAt(date, 0, 4), digitsAt(date, 5, 2), digitsAt(date, 8, 2)];
  const [hour, minute, second] = [digitsAt(clock, 0, 2), digitsAt(clock, 3, 2), digitsAt(clock, 6, 2)];
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/**
 * Parses an ISO 8601 time and returns it as a Date plus a canonical UTC text keeping every fractional digit
 * (Windows writes 100 ns precision: 2022-12-20T15:58:25.325383600Z). A time without a zone is UTC, as in
 * Windows' SystemTime.
 */
export function parseEventTime(text: string): { time: Date; timeCreated: string } {
  const m = ISO_WITH_FRACTION.exec(text.trim());
  if (!m) {
    const d = new Date(text);
    if (Number.isNaN(d.getTime())) throw new RecordError(`unreadable event time '${text.slice(0, 64)}'`);
    return { time: d, timeCreated: d.toISOString() };
  }
  const [, date, clock, fraction = "", zone = "Z"] = m;
  const millis = (fraction + "000").slice(0, 3);
  const utc = zone === "Z" ? utcMillis(date, clock, digitsAt(millis, 0, 3)) : null;
  const time = utc !== null ? new Date(utc) : new Date(`${date}T${clock}.${millis}${zone === "Z" ? "Z" : zone}`);
  if (Number.isNaN(time.getTime())) throw new RecordError(`unreadable event time '${text.slice(0, 64)}'`);
  if (zone === "Z" || /^[+-]00:?00$/.test(zone)) {
    return { time, timeCreated: `${date}T${clock}${fraction ? "." + fraction : ""}Z` };
  }
  // Shift to UTC; keep the sub-millisecond digits, which a zone offset cannot change.
  const iso = time.toISOString();
  return { time, timeCreated: fraction.length > 3 ? iso.replace(/\.\d{3}Z$/, `.${millis}${fraction.slice(3)}Z`) : iso };
}

function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined || value === "") throw new RecordError(`missing ${what}`);
  return value;
}

export function normalizeEvent(parts: EventParts, raw: string, format: InputFormat, position: number): NormalizedEvent {
  const { system, rendering } = parts;
  const eventCode = required(system.eventId, "event id");
  if (!Number.isInteger(eventCode) || eventCode < 0 || eventCode > 65535) throw new RecordError(`invalid event id ${eventCode}`);
  const host = required(system.computer, "computer name");
  // "" is a record that says it has no channel (an ETW-converted log's <Channel/>): stored as such; absent is missing.
  const channel = system.channel === "" ? "" : required(system.channel, "channel");
  const provider = system.provider || system.eventSourceName || null;
  const { time, timeCreated } = parseEventTime(required(system.timeCreated, "event time"));

  // The event catalogue decides the data's names (positional data named only when its count matches; data of
  // exports that carry only the message recovered from it) and renders the message of events that carry none.
  const entry = catalogueEntry(provider, eventCode, system.version);
  const { data, note } = eventDataFor({ provider, eventId: eventCode }, entry, parts.data, rendering?.message);
  const message = rendering?.message || renderMessageFor(entry, data);
  const opName = opcodeName(system.opcode, rendering?.opcode);

  return {
    time,
    timeCreated,
    host,
    channel,
    provider: provider ?? "",
    providerGuid: canonicalGuid(system.providerGuid ?? null),
    eventSourceName: system.eventSourceName ?? null,
    eventCode,
    qualifiers: system.qualifiers ?? null,
    recordId: system.recordId ?? null,
    version: system.version ?? null,
    level: system.level ?? null,
    opcode: system.opcode ?? null,
    opcodeName: opName,
    task: system.task ?? null,
    keywords: system.keywords ?? null,
    userSid: system.userSid ?? null,
    processId: system.processId ?? null,
    threadId: system.threadId ?? null,
    data,
    message: message ?? null,
    ...(note ? { dataNote: note } : {}),
    splunk: splunkFields({ channel, provider: provider ?? "", computer: host, opcodeName: opName, message: message ?? null, data, format }),
    format,
    raw,
    position,
  };
}

/**
 * A provider GUID as Windows' event XML writes it, whatever the export: braces, upper case ({670080D9-…}). JSON
 * exports give .NET's lower case, some without braces; a GUID is the same whatever its case.
 */
export function canonicalGuid(guid: string | null): string | null {
  if (guid === null) return null;
  let canonical = CANONICAL_GUIDS.get(guid);
  if (canonical === undefined) {
    const bare = guid.trim().replace(/^\{|\}$/g, "");
    canonical = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(bare) ? `{${bare.toUpperCase()}}` : guid;
    if (CANONICAL_GUIDS.size >= 1000) CANONICAL_GUIDS.clear();
    CANONICAL_GUIDS.set(guid, canonical);
  }
  return canonical;
}

/** The events of a file name a handful of providers: their GUIDs' canonical forms, remembered (a bounded number). */
const CANONICAL_GUIDS = new Map<string, string>();
