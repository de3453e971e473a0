// Fast path: a strict scanner for the plain XML that event records are made of.
//
// Splunk XmlWinEventLog records are elements, attributes (either quote), text and the predefined entities and
// character references, nothing else. Building a saxes parser per record and walking it character by character
// was most of the reading time, so such records are scanned here with indexOf and a few character tests. The
// scanner accepts only a subset of well-formed XML: ASCII names, characters TAB, LF, CR and U+0020–U+D7FF, no
// comments, CDATA, processing instructions or declarations. On anything else — and on any record that would be
// rejected — it gives up and the record is parsed by saxes from the start, which therefore still decides every
// error message, every rejection and every unusual construct. Where the scanner does accept a record, it
// applies the same rules saxes does: end-of-line normalisation (CRLF and CR -> LF in text, TAB/LF/CR -> space
// in attribute values), entities decoded after that, duplicate attributes and mismatched end tags refused.

import type { EventParts } from "../../event";
import { EventPartsBuilder, localName } from "./parts-builder";

/**
 * Characters left to saxes: controls other than TAB/LF/CR, surrogates, U+E000 and above. (Spelled as the ranges
 * to find rather than the complement of those allowed: the same set, tested about a third faster.)
 */
const UNUSUAL_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uFFFF]/;
const PREDEFINED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
/** Shared by every element without attributes (the builder only reads attributes). */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58; // a-z A-Z _ :
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46; // also 0-9 - .
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
/** XML 1.0 Char production, for character references. */
const isXmlChar = (n: number) => n === 9 || n === 10 || n === 13 || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0xfffd) || (n >= 0x10000 && n <= 0x10ffff);

/**
 * The element and attribute names of Windows event XML. A name read from a record is looked up here by its length
 * and first character and compared in place, so that the scanner hands on one shared string per name rather than
 * a new slice each time: an attribute object keyed by a slice makes V8 look the slice up in its string table on
 * every store and `in` test, and a shared (internalized) name also compares with the mapping's names at once.
 */
const KNOWN_NAMES = [
  ...["Event", "System", "Provider", "EventID", "Version", "Level", "Task", "Opcode", "Keywords", "TimeCreated", "EventRecordID"],
  ...["Correlation", "Execution", "Channel", "Computer", "Security", "EventData", "Data", "Binary", "UserData", "RenderingInfo"],
  ...["Message", "Culture", "Name", "Guid", "EventSourceName", "Qualifiers", "SystemTime", "ProcessID", "ThreadID", "UserID"],
  ...["ActivityID", "RelatedActivityID", "xmlns"],
];
const MAX_KNOWN_LENGTH = Math.max(...KNOWN_NAMES.map((n) => n.length));
const nameSlot = (length: number, first: number) => length * 128 + (first & 127);
const NAMES_BY_SLOT: (string[] | undefined)[] = [];
for (const name of KNOWN_NAMES) (NAMES_BY_SLOT[nameSlot(name.length, name.charCodeAt(0))] ??= []).push(name);

/** Whether `text` holds `s` at `at`. (A loop the compiler inlines: startsWith with a position costs a call each time.) */
function holdsAt(text: string, s: string, at: number): boolean {
  if (at + s.length > text.length) return false;
  for (let k = 0; k < s.length; k++) if (text.charCodeAt(at + k) !== s.charCodeAt(k)) return false;
  return true;
}

/** text.slice(start, end), as the shared string of a known name when it is one. */
function nameAt(text: string, start: number, end: number): string {
  const candidates = end - start <= MAX_KNOWN_LENGTH ? NAMES_BY_SLOT[nameSlot(end - start, text.charCodeAt(start))] : undefined;
  if (candidates) for (const name of candidates) if (holdsAt(text, name, start)) return name;
  return text.slice(start, end);
}

/** Decodes the predefined entities and character references in `s` (as saxes does); null for anything else. */
function decodeEntities(s: string): string | null {
  let out = "";
  let from = 0;
  for (let amp = s.indexOf("&"); amp >= 0; amp = s.indexOf("&", from)) {
    const semi = s.indexOf(";", amp + 1);
    if (semi < 0) return null;
    const name = s.slice(amp + 1, semi);
    let value = PREDEFINED_ENTITIES[name];
    if (value === undefined) {
      // saxes takes "#x…" (lower-case x) as hex and "#digits" as decimal; anything else is malformed.
      const n = /^#x[0-9a-fA-F]{1,6}$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]{1,7}$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
      if (!isXmlChar(n)) return null;
      value = String.fromCodePoint(n);
    }
    out += s.slice(from, amp) + value;
    from = semi + 1;
  }
  return out + s.slice(from);
}

/**
 * Scans one record with the fast path, feeding `builder`. Returns false (having possibly fed part of the
 * record) when the record is outside the subset described above; it is then parsed again with saxes.
 */
function scanSimpleXml(text: string, builder: EventPartsBuilder): boolean {
  // Whole-record checks, so that the common one-line record needs no per-value work beyond slicing.
  if (UNUSUAL_CHAR.test(text) || text.includes("]]>")) return false;
  const hasCR = text.includes("\r");
  const hasWhiteSpace = hasCR || text.includes("\n") || text.includes("\t");
  const hasAmp = text.includes("&");
  const n = text.length;
  const open: string[] = [];
  let closedRoot = false;
  let i = 0;
  // Where the next '<' is, when a start tag has already looked for it (-2: not known).
  let knownLt = -2;
  while (i < n) {
    const lt = knownLt !== -2 ? knownLt : text.indexOf("<", i);
    knownLt = -2;
    const end = lt < 0 ? n : lt;
    if (end > i) {
      let t = text.slice(i, end);
      if (open.length === 0) {
        // Outside the root only white space is allowed.
        if (!/^[ \t\r\n]*$/.test(t)) return false;
      } else {
        // Text as saxes reports it: line ends normalised (CRLF and CR -> LF), then entities decoded.
        if (hasCR) t = t.replace(/\r\n?/g, "\n");
        if (hasAmp && t.includes("&")) {
          const decoded = decodeEntities(t);
          if (decoded === null) return false;
          t = decoded;
        }
        builder.text(t);
      }
    }
    if (lt < 0) break;
    if (closedRoot) return false;
    const c = text.charCodeAt(lt + 1);
    if (c === 47 /* / */) {
      // An end tag must name the open element: compare in place rather than scanning and slicing the name.
      const expected = open.length ? open[open.length - 1] : "";
      let j = lt + 2 + expected.length;
      if (!expected || !holdsAt(text, expected, lt + 2)) return false;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 62 /* > */) return false;
      open.pop();
      builder.close();
      closedRoot = open.length === 0;
      i = j + 1;
      continue;
    }
    if (!isNameStart(c)) return false; // <!…, <?…, or a stray '<'
    let j = lt + 2;
    while (j < n && isNameChar(text.charCodeAt(j))) j++;
    const name = nameAt(text, lt + 1, j);
    // An attribute value reaching past the next '<' holds one: saxes refuses that. (No '<' can come before it
    // but inside this tag, so it is also where the next round starts looking from.)
    const nextLt = text.indexOf("<", j);
    let attributes = NO_ATTRIBUTES;
    let selfClosing = false;
    for (;;) {
      const before = j;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const ch = text.charCodeAt(j);
      if (ch === 62 /* > */) {
        j++;
        break;
      }
      if (ch === 47 /* / */) {
        if (text.charCodeAt(j + 1) !== 62) return false;
        selfClosing = true;
        j += 2;
        break;
      }
      // An attribute: white space before it, name, '=', quoted value.
      if (j === before || !isNameStart(ch)) return false;
      const nameStart = j;
      while (j < n && isNameChar(text.charCodeAt(j))) j++;
      const attrName = nameAt(text, nameStart, j);
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 61 /* = */) return false;
      j++;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const q = text.charCodeAt(j);
      if (q !== 39 /* ' */ && q !== 34 /* " */) return false;
      const close = text.indexOf(q === 39 ? "'" : '"', j + 1);
      if (close < 0 || (nextLt >= 0 && close > nextLt)) return false;
      // The value as saxes reports it: TAB, LF, CR and CRLF each become one space, then entities decoded.
      let value: string | null = text.slice(j + 1, close);
      if (hasWhiteSpace) value = value.replace(/\r\n?|[\t\n]/g, " ");
      if (hasAmp && value.includes("&")) value = decodeEntities(value);
      if (attributes === NO_ATTRIBUTES) attributes = {};
      const local = localName(attrName);
      // A repeated name is an error for saxes (a repeated local name, a:x and b:x, is not): saxes decides both.
      if (value === null || local in attributes) return false;
      attributes[local] = value;
      j = close + 1;
    }
    builder.open(localName(name), name, attributes);
    if (selfClosing) {
      builder.close();
      closedRoot = open.length === 0;
    } else {
      open.push(name);
    }
    i = j;
    knownLt = nextLt;
  }
  return closedRoot;
}

/**
 * The record's parts by the fast path, or null when the record is outside its subset or would be rejected (a
 * malformed or unusable event): saxes then parses it from the start and decides.
 */
export function fastPathEventParts(text: string): EventParts | null {
  try {
    const builder = new EventPartsBuilder();
    return scanSimpleXml(text, builder) ? builder.finish() : null;
  } catch {
    // Whatever the fast path objects to, saxes decides (and words the rejection).
    return null;
  }
}
