// The event catalogue (events.json): for each provider, event id and version, the event data names in order and the
// message template, each with its source. It is the one place that decides
//  - the name of positional event data (Get-WinEvent `Properties`, unnamed <Data>, Winlogbeat `paramN`): named only
//    when the count matches the entry, otherwise kept by position and reported (never a guess);
//  - the rendered message of an event that carries none (EVTX, XML without RenderingInfo, JSON without `Message`);
//  - the event data of an event that carries only its rendered message (Splunk classic text, Splunk CSV of classic
//    events, Event Viewer CSV), recovered from the message by the template's inverse, line breaks tolerated;
//  - the provider of a legacy source name and the channel of exports that do not say (Event Viewer CSV);
//  - the opcode of the events whose manifests or real samples give it (exports without one).
import catalogueJson from "./events.json";

export interface CatalogueProvider {
  name: string;
  guid: string;
  legacyNames: string[];
  channel: string;
  source: string;
}

export interface CatalogueEntry {
  provider: string;
  eventId: number;
  version: number;
  opcode?: number;
  /** Event data names in order (%1 = data[0]); null when no source names them. */
  data: string[] | null;
  /** Template with %1..%n insertion strings; null when no source gives it. */
  message: string | null;
  source: string;
  note?: string;
}

interface CatalogueFile {
  providers: CatalogueProvider[];
  events: CatalogueEntry[];
}

const CATALOGUE = catalogueJson as unknown as CatalogueFile;

export const CATALOGUE_PROVIDERS: readonly CatalogueProvider[] = CATALOGUE.providers;
export const CATALOGUE_EVENTS: readonly CatalogueEntry[] = CATALOGUE.events;

/** Provider by its name or legacy event source name, lower-cased. */
const PROVIDER_BY_NAME = new Map<string, CatalogueProvider>();
for (const p of CATALOGUE.providers) {
  PROVIDER_BY_NAME.set(p.name.toLowerCase(), p);
  for (const l of p.legacyNames) PROVIDER_BY_NAME.set(l.toLowerCase(), p);
}

/** Entries by "provider lower-cased|event id", lowest version first. */
const ENTRIES = new Map<string, CatalogueEntry[]>();
for (const e of CATALOGUE.events) {
  const key = `${e.provider.toLowerCase()}|${e.eventId}`;
  const list = ENTRIES.get(key) ?? [];
  list.push(e);
  list.sort((a, b) => a.version - b.version);
  ENTRIES.set(key, list);
}

export function catalogueProvider(name: string | null | undefined): CatalogueProvider | null {
  if (!name) return null;
  return PROVIDER_BY_NAME.get(name.trim().toLowerCase()) ?? null;
}

/**
 * A source name as an export prints it (provider name or legacy event source name) -> the provider, the channel
 * its events are written to, and the legacy name when that is what was printed.
 */
export function knownSource(source: string | null | undefined): { provider: string; channel: string; eventSourceName: string | null } | null {
  const p = catalogueProvider(source);
  if (!p) return null;
  const isLegacyName = p.name.toLowerCase() !== source!.trim().toLowerCase();
  return { provider: p.name, channel: p.channel, eventSourceName: isLegacyName ? source!.trim() : null };
}

/**
 * The entry of an event. With a version, only that version's entry (another version may carry other data); without
 * one (classic text, CSV), the lowest version's.
 */
export function catalogueEntry(provider: string | null | undefined, eventId: number | null | undefined, version?: number | null): CatalogueEntry | undefined {
  const p = catalogueProvider(provider);
  if (!p || eventId === null || eventId === undefined) return undefined;
  const list = ENTRIES.get(`${p.name.toLowerCase()}|${eventId}`);
  if (!list) return undefined;
  if (version === null || version === undefined) return list[0];
  return list.find((e) => e.version === version);
}

// ---- Message templates -------------------------------------------------------------------------------------

type Piece = string | number;

/** "Changes to '%4' at '%2' …" -> ["Changes to '", 4, "' at '", 2, "' …"]. `%%` is a literal percent sign. */
function templatePieces(template: string): Piece[] {
  const pieces: Piece[] = [];
  let literal = "";
  const re = /%%|%(\d+)/g;
  let from = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    literal += template.slice(from, m.index);
    from = m.index + m[0].length;
    if (m[0] === "%%") {
      literal += "%";
      continue;
    }
    pieces.push(literal, Number(m[1]));
    literal = "";
  }
  pieces.push(literal + template.slice(from));
  return pieces;
}

/** The value of insertion %n of an event: by name when the entry names its data, else by position. */
function insertionValue(entry: CatalogueEntry, n: number, data: Record<string, string | null>): string | null | undefined {
  const key = entry.data ? entry.data[n - 1] : String(n - 1);
  return key === undefined ? undefined : data[key];
}

/** The rendered message of an event from its data, or null when there is no template or an insertion has no value. */
/** Each catalogue entry's message template in pieces, read once rather than for every event rendered. */
const MESSAGE_PIECES = new WeakMap<CatalogueEntry, Piece[]>();

export function renderMessageFor(entry: CatalogueEntry | undefined, data: Record<string, string | null>): string | null {
  if (!entry?.message) return null;
  let pieces = MESSAGE_PIECES.get(entry);
  if (!pieces) MESSAGE_PIECES.set(entry, (pieces = templatePieces(entry.message)));
  let out = "";
  for (const p of pieces) {
    if (typeof p === "string") out += p;
    else {
      const v = insertionValue(entry, p, data);
      if (v === undefined || v === null) return null;
      out += v;
    }
  }
  return out;
}

/** renderMessageFor by provider and event id (what the demo fleet and older callers use). */
export function renderMessage(provider: string | null, eventCode: number, data: Record<string, string | null>, version?: number | null): string | null {
  return renderMessageFor(catalogueEntry(provider, eventCode, version), data);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A literal of the template as a pattern: any run of white space matches any run of white space, line breaks included. */
function literalPattern(s: string): string {
  return s
    .split(/(\s+)/)
    .map((part) => (part === "" ? "" : /^\s+$/.test(part) ? "\\s+" : escapeRegExp(part)))
    .join("");
}

/** Where a wrapped line may break next to an insertion: an optional line break (with the spaces around it). */
const OPTIONAL_BREAK = "(?:[ \\t]*\\r?\\n[ \\t]*)?";

interface Inverse {
  pattern: RegExp;
  /** Insertion number of each capture group, in order. */
  groups: number[];
  /** Distinct insertion numbers the pattern recovers. */
  insertions: number[];
}

/**
 * A template's inverse: a pattern over the message from its start through the end of the sentence holding the last
 * insertion (so a message whose later sentences differ still yields its data). Values are non-greedy.
 */
function compileInverse(template: string): Inverse {
  const pieces = templatePieces(template);
  const lastInsertion = pieces.reduce<number>((last, p, i) => (typeof p === "number" ? i : last), -1);
  let source = "^\\s*";
  const groups: number[] = [];
  pieces.forEach((p, i) => {
    if (typeof p === "number") {
      groups.push(p);
      source += `${OPTIONAL_BREAK}([\\s\\S]*?)${OPTIONAL_BREAK}`;
      return;
    }
    let text = p;
    let sentenceEnd = "";
    if (i > lastInsertion && lastInsertion >= 0) {
      // Only the rest of the sentence after the last insertion. Its period ends the sentence only where white space
      // or the end follows, as in the template: else a value ending the sentence ("module DLL %1.") would stop at
      // its own first dot (C:\x\evil.dll read as C:\x\evil).
      const end = text.search(/\.(\s|$)/);
      if (end >= 0) {
        text = text.slice(0, end + 1);
        sentenceEnd = "(?=\\s|$)";
      }
    }
    source += literalPattern(text) + sentenceEnd;
  });
  if (lastInsertion < 0) source += "\\s*$";
  return { pattern: new RegExp(source), groups, insertions: [...new Set(groups)].sort((a, b) => a - b) };
}

const INVERSES = new Map<string, Inverse>();

function inverseOf(template: string): Inverse {
  let inv = INVERSES.get(template);
  if (!inv) {
    inv = compileInverse(template);
    INVERSES.set(template, inv);
  }
  return inv;
}

export interface RecoveredData {
  /** Named when every insertion was resolved and the entry names its data; else by position ("0" = %1). */
  data: Record<string, string>;
  named: boolean;
  /** Insertions resolved in the message, and how many the template has. */
  found: number;
  expected: number;
}

/**
 * The event data a rendered message carries: the inverse of renderMessageFor. Null when the entry has no template
 * or the message does not follow it. An insertion Windows left unresolved (the message shows "%2" itself: the
 * event had fewer values than the template) is missing, and the data then stays positional.
 */
export function dataFromMessageFor(entry: CatalogueEntry | undefined, message: string | null | undefined): RecoveredData | null {
  if (!entry?.message || !message) return null;
  const inv = inverseOf(entry.message);
  const m = inv.pattern.exec(message);
  if (!m) return null;
  const values = new Map<number, string>();
  for (let g = 0; g < inv.groups.length; g++) {
    const n = inv.groups[g];
    const value = m[g + 1];
    const prev = values.get(n);
    if (prev !== undefined && prev !== value) return null; // one insertion printed twice must read the same
    values.set(n, value);
  }
  const resolved = inv.insertions.filter((n) => values.get(n) !== `%${n}`);
  const named = entry.data !== null && resolved.length === inv.insertions.length && inv.insertions.every((n) => n <= entry.data!.length);
  const data: Record<string, string> = {};
  for (const n of resolved) data[named ? entry.data![n - 1] : String(n - 1)] = values.get(n)!;
  return { data, named, found: resolved.length, expected: inv.insertions.length };
}

/** dataFromMessageFor by provider and event id: the data only ({} when nothing can be recovered). */
export function dataFromMessage(provider: string | null, eventCode: number, message: string | null, version?: number | null): Record<string, string> {
  return dataFromMessageFor(catalogueEntry(provider, eventCode, version), message)?.data ?? {};
}

// ---- Event data: named, positional, or recovered from the message ------------------------------------------

/** Keys of positional data: "0", "1", … (how every reader keys values it has no name for). */
const isPositionalKey = (k: string) => /^(0|[1-9]\d*)$/.test(k);

/** Data keys that are not event data values proper (the <Binary> element). */
const isBinaryKey = (k: string) => k === "Binary";

export interface EventDataResult {
  data: Record<string, string | null>;
  /** Why the data is not named, when it is not: for the upload report (aggregated, see DataNoticeTally). */
  note?: string;
}

/**
 * The one decision on an event's data, whatever the format:
 *  - data with names (any key that is not positional) is kept as read; a rendered message adds what its template
 *    recovers with names, never overriding a value read;
 *  - positional data ("0".."n-1") gets the entry's names only when n equals the entry's count; otherwise it stays
 *    positional, with a note;
 *  - no data at all: recovered from the rendered message (named when complete, else positional with a note).
 */
export function eventDataFor(
  event: { provider: string | null; eventId: number },
  entry: CatalogueEntry | undefined,
  input: Record<string, string | null>,
  message: string | null | undefined,
): EventDataResult {
  const keys = Object.keys(input).filter((k) => !isBinaryKey(k));
  const what = `${entry?.provider ?? event.provider ?? "(no provider)"} ${event.eventId}`;
  if (keys.length === 0) {
    const recovered = dataFromMessageFor(entry, message);
    if (!recovered) {
      if (entry?.message && message && entry.data?.length) {
        return { data: input, note: `${what}: the message does not follow the catalogue's template, no event data recovered` };
      }
      return { data: input };
    }
    const data = { ...recovered.data, ...input };
    if (recovered.named || recovered.expected === 0) return { data };
    return {
      data,
      note: entry!.data
        ? `${what}: the message resolves ${recovered.found} of ${recovered.expected} insertion strings, data kept by position`
        : `${what}: the catalogue has no data names, data kept by position`,
    };
  }
  if (keys.every(isPositionalKey)) {
    const n = keys.length;
    const contiguous = keys.every((k) => Number(k) < n);
    if (contiguous && entry?.data && entry.data.length === n) {
      const data: Record<string, string | null> = {};
      for (let i = 0; i < n; i++) data[entry.data[i]] = input[String(i)];
      for (const k of Object.keys(input)) if (isBinaryKey(k)) data[k] = input[k];
      return { data };
    }
    const why = !entry
      ? `${what}: no catalogue entry`
      : !entry.data
        ? `${what}: the catalogue has no data names`
        : `${what}: ${n} value${n === 1 ? "" : "s"}, the catalogue names ${entry.data.length}`;
    return { data: input, note: `${why}, data kept by position` };
  }
  const recovered = dataFromMessageFor(entry, message);
  if (recovered?.named) return { data: { ...recovered.data, ...input } };
  return { data: input };
}
