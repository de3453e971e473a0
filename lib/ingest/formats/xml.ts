// Windows event XML: Splunk XmlWinEventLog (one <Event> per line, single-quoted attributes), `wevtutil qe /f:xml`
// (concatenated <Event>s without a wrapper) and Event Viewer "Save as XML" (<?xml?><Events>…</Events>, pretty
// printed), in UTF-8 or UTF-16 with or without <RenderingInfo>.
//
// The file is read in two stages so that memory stays bounded and one bad record does not lose the rest:
//  1. XmlEventSplitter scans the decoded text for top-level <Event>…</Event> elements (skipping the prolog, the
//     <Events> wrapper, comments and CDATA) and hands out each record's exact text. A record over the size limit
//     is skipped without being kept; a record cut short by the next <Event> or the end of the file is rejected.
//     Any <!DOCTYPE …> or <!ENTITY …> stops the file (InputFormatError): no DTD, no entity expansion, so XXE and
//     "billion laughs" files are refused before any parsing.
//  2. parseXmlRecord parses one record with saxes (which knows only the five predefined entities and character
//     references) and maps System / EventData / UserData / RenderingInfo to EventParts.
//
// What each element means (System, EventData, UserData, RenderingInfo) is the one mapping of event XML that the EVTX
// reader shares: event-xml.ts. Text outside any <Event> is rejected as a record of its own, except the "-" markers
// Internet Explorer/Event Viewer print before elements.
import { SaxesParser, type SaxesTagPlain } from "saxes";
import { InputFormatError, type EventParts, type InputFormat, type ParsedRecord } from "../event";
import { RecordError } from "../normalize";
import type { FormatReader, ReadOptions } from "../parser";
import { decodeHead, decodeText, exceedsBytes } from "../input/text";
import { rejectRecord, toParsedRecord } from "./common";
import { EventXmlMapping } from "./event-xml";

export type SplitItem =
  | { kind: "record"; text: string; line: number }
  | { kind: "rejected"; line: number; reason: string; excerpt?: string };

/** Markup starts the splitter tells apart; "_" stands for the character after a name. */
const MARKUP_STARTS = ["</Event_", "<Event_", "<![CDATA[", "<!--", "<?", "<!DOCTYPE", "<!ENTITY"];

/**
 * Whether the text at a '<' (cut by the end of the data so far) could still turn out to be any of them. Only
 * worth asking near the end of the data: with LOOKAHEAD characters available the answer is always no.
 */
function undecided(avail: string): boolean {
  return MARKUP_STARTS.some((p) => avail.length < p.length && [...avail].every((c, i) => p[i] === "_" || p[i] === c));
}

const isNameEnd = (c: string | undefined) => c === undefined || c === ">" || c === "/" || c === " " || c === "\t" || c === "\r" || c === "\n";

function declarationError(text: string, line: number): InputFormatError {
  const what = /^<!DOCTYPE/i.test(text) ? "a DOCTYPE declaration" : /^<!ENTITY/i.test(text) ? "an ENTITY declaration" : "a markup declaration";
  return new InputFormatError(
    `refused: the XML contains ${what} (${JSON.stringify(text.slice(0, 40))}); Windows event XML never does, and DTDs and entities are not processed (XXE / entity expansion)`,
    `line ${line}`,
  );
}

/**
 * Incremental splitter of decoded XML text into top-level <Event> records. Feed it text with `push`, then call
 * `end`; each returns the records (or rejections) completed so far. Holds at most one record (bounded by
 * `maxRecordBytes`) plus one chunk.
 */
export class XmlEventSplitter {
  private buf = "";
  /** Scan position in buf; `line` is the line number at `pos`. */
  private pos = 0;
  private line = 1;
  /** Index in buf of the first "\n" at or after `pos`; -1 when buf has none there; -2 when not known yet. */
  private nextNewline = -2;
  private mode: "outside" | "record" | "skip" = "outside";
  /** Start of the current record in buf (mode "record"). */
  private recStart = 0;
  private recLine = 0;
  private recExcerpt = "";
  /** Terminator being searched for (comment, CDATA, PI or tag end), if inside such a token. */
  private token: string | null = null;
  /** The token being searched for closes the current record. */
  private closing = false;
  /** Scanning the <Event …> start tag (to see whether it is self-closing), and the quote we are inside. */
  private inStartTag = false;
  private quote: string | null = null;
  private stray: { line: number; text: string } | null = null;
  private out: SplitItem[] = [];

  constructor(private readonly maxRecordBytes: number) {}

  push(chunk: string): SplitItem[] {
    this.buf += chunk;
    if (this.nextNewline === -1) this.nextNewline = -2;
    this.scan(false);
    return this.take();
  }

  end(): SplitItem[] {
    this.scan(true);
    if (this.mode !== "outside") {
      const reason =
        this.mode === "skip"
          ? `record larger than the limit of ${this.maxRecordBytes} bytes (and the file ends inside it)`
          : "the file ends inside this <Event> record (truncated: no </Event>)";
      this.out.push({ kind: "rejected", line: this.recLine, reason, excerpt: this.mode === "record" ? this.buf.slice(this.recStart, this.recStart + 200) : this.recExcerpt });
      this.mode = "outside";
    }
    this.flushStray();
    return this.take();
  }

  private take(): SplitItem[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private advance(to: number): void {
    // Line counting remembers where the next newline is, so that the many small steps through a long line
    // (one-event-per-line files) do not each search to its end again.
    const { buf } = this;
    let nl = this.nextNewline === -2 ? buf.indexOf("\n", this.pos) : this.nextNewline;
    while (nl >= 0 && nl < to) {
      this.line++;
      nl = buf.indexOf("\n", nl + 1);
    }
    this.nextNewline = nl;
    this.pos = to;
  }

  private noteStray(from: number, to: number): void {
    const text = this.buf.slice(from, to);
    // Whitespace, and the "-" expand markers of XML copied from Internet Explorer / Event Viewer's XML view.
    if (/^[\s-]*$/.test(text)) return;
    if (!this.stray) {
      const lead = /^\s*/.exec(text)![0];
      let line = this.line;
      for (let i = lead.indexOf("\n"); i >= 0; i = lead.indexOf("\n", i + 1)) line++;
      this.stray = { line, text: text.trim().slice(0, 200) };
    } else if (this.stray.text.length < 200) {
      this.stray.text = (this.stray.text + " " + text.trim()).slice(0, 200);
    }
  }

  private flushStray(): void {
    if (!this.stray) return;
    this.out.push({ kind: "rejected", line: this.stray.line, reason: "text outside any <Event> element", excerpt: this.stray.text });
    this.stray = null;
  }

  private startRecord(at: number): void {
    this.flushStray();
    this.advance(at);
    this.mode = "record";
    this.recStart = at;
    this.recLine = this.line;
    this.inStartTag = true;
    this.quote = null;
    this.advance(at + 6);
  }

  private finishRecord(end: number): void {
    if (this.mode === "record") {
      const text = this.buf.slice(this.recStart, end);
      if (exceedsBytes(text, this.maxRecordBytes)) {
        this.out.push({ kind: "rejected", line: this.recLine, reason: `record larger than the limit of ${this.maxRecordBytes} bytes`, excerpt: text.slice(0, 200) });
      } else {
        this.out.push({ kind: "record", text, line: this.recLine });
      }
    } else {
      this.out.push({ kind: "rejected", line: this.recLine, reason: `record larger than the limit of ${this.maxRecordBytes} bytes`, excerpt: this.recExcerpt });
    }
    this.mode = "outside";
    this.advance(end);
  }

  /** Drops what is no longer needed and enforces the record size limit. */
  private compact(): void {
    if (this.mode === "record" && exceedsBytes(this.buf.slice(this.recStart, this.pos), this.maxRecordBytes)) {
      this.mode = "skip";
      this.recExcerpt = this.buf.slice(this.recStart, this.recStart + 200);
    }
    const keepFrom = this.mode === "record" ? this.recStart : this.pos;
    if (keepFrom > 0) {
      this.buf = this.buf.slice(keepFrom);
      this.pos -= keepFrom;
      this.recStart -= keepFrom;
      if (this.nextNewline >= 0) this.nextNewline -= keepFrom;
    }
    // Outside a record, an unterminated token (a never-ending comment or tag) must not grow without bound either.
    if (this.mode === "outside" && this.token && this.buf.length > this.maxRecordBytes) {
      throw new InputFormatError(`unterminated XML markup (no '${this.token}' within ${this.maxRecordBytes} bytes)`, `line ${this.line}`);
    }
  }

  private scan(final: boolean): void {
    const LOOKAHEAD = 10;
    for (;;) {
      const { buf } = this;
      if (this.token !== null) {
        const term = this.token;
        const e = buf.indexOf(term, this.pos);
        if (e < 0) {
          if (final) {
            this.token = null;
            this.closing = false;
            if (this.mode === "outside") this.noteStray(this.pos, buf.length);
            this.advance(buf.length);
            return;
          }
          this.advance(Math.max(this.pos, buf.length - term.length + 1));
          this.compact();
          return;
        }
        this.token = null;
        if (this.closing) {
          this.closing = false;
          this.finishRecord(e + term.length);
        } else {
          this.advance(e + term.length);
        }
        continue;
      }

      if (this.mode === "outside") {
        const lt = buf.indexOf("<", this.pos);
        const upTo = lt < 0 ? buf.length : lt;
        if (upTo > this.pos) {
          this.noteStray(this.pos, upTo);
          this.advance(upTo);
        }
        if (lt < 0 || (!final && buf.length - lt < LOOKAHEAD && undecided(buf.slice(lt, lt + LOOKAHEAD)))) {
          this.compact();
          return;
        }
        const head = buf.slice(lt, lt + LOOKAHEAD);
        if (head.startsWith("<?")) {
          this.token = "?>";
          this.advance(lt + 2);
        } else if (head.startsWith("<!--")) {
          this.token = "-->";
          this.advance(lt + 4);
        } else if (head.startsWith("<!")) {
          throw declarationError(buf.slice(lt, lt + 60), this.line);
        } else if (head.startsWith("<Event") && isNameEnd(head[6])) {
          this.startRecord(lt);
        } else {
          // <Events>, </Events> or another wrapper element: skipped.
          this.token = ">";
          this.advance(lt + 1);
        }
        continue;
      }

      // Inside a record ("record" keeps its text, "skip" only looks for its end).
      if (this.inStartTag) {
        let i = this.pos;
        for (; i < buf.length; i++) {
          const c = buf[i];
          if (this.quote) {
            if (c === this.quote) this.quote = null;
          } else if (c === '"' || c === "'") {
            this.quote = c;
          } else if (c === "<") {
            // A start tag cannot hold '<': the record is broken; let the next record start here.
            break;
          } else if (c === ">") {
            break;
          }
        }
        if (i >= buf.length) {
          this.advance(buf.length);
          if (final) break;
          this.compact();
          return;
        }
        this.inStartTag = false;
        if (buf[i] === ">" && buf[i - 1] === "/") {
          this.finishRecord(i + 1);
        } else {
          this.advance(buf[i] === ">" ? i + 1 : i);
        }
        continue;
      }

      const lt = buf.indexOf("<", this.pos);
      if (lt < 0 || (!final && buf.length - lt < LOOKAHEAD && undecided(buf.slice(lt, lt + LOOKAHEAD)))) {
        this.advance(lt < 0 ? buf.length : lt);
        if (final) break;
        this.compact();
        return;
      }
      // Most tags inside a record are ordinary elements (<System>, </Data>…): step over them at once.
      const next = buf.charCodeAt(lt + 1);
      if (next === 47 /* / */ ? buf.charCodeAt(lt + 2) !== 69 /* E */ : next !== 69 && next !== 33 /* ! */ && next !== 63 /* ? */) {
        this.advance(lt + 1);
        continue;
      }
      this.advance(lt);
      const head = buf.slice(lt, lt + LOOKAHEAD);
      if (head.startsWith("</Event") && isNameEnd(head[7])) {
        this.token = ">";
        this.closing = true;
        this.advance(lt + 7);
      } else if (head.startsWith("<Event") && isNameEnd(head[6])) {
        // Windows event XML never nests <Event>: the current record was cut short.
        const reason = `unterminated <Event> record: a new <Event> starts at line ${this.line} before its </Event>`;
        this.out.push({
          kind: "rejected",
          line: this.recLine,
          reason: this.mode === "skip" ? `record larger than the limit of ${this.maxRecordBytes} bytes` : reason,
          excerpt: this.mode === "record" ? buf.slice(this.recStart, Math.min(lt, this.recStart + 200)) : this.recExcerpt,
        });
        this.mode = "outside";
        this.startRecord(lt);
      } else if (head.startsWith("<!--")) {
        this.token = "-->";
        this.advance(lt + 4);
      } else if (head.startsWith("<![CDATA[")) {
        this.token = "]]>";
        this.advance(lt + 9);
      } else if (head.startsWith("<!")) {
        throw declarationError(buf.slice(lt, lt + 60), this.line);
      } else if (head.startsWith("<?")) {
        this.token = "?>";
        this.advance(lt + 2);
      } else {
        this.advance(lt + 1);
      }
    }
  }
}

interface Frame {
  name: string;
  attributes: Record<string, string>;
  text: string;
  hasChild: boolean;
}

const localName = (name: string) => {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
};

/**
 * Collects one <Event> element into EventParts from open / text / close calls. Both record parsers below
 * (the fast scanner and saxes) drive it; what each element means is the one mapping of event XML
 * (event-xml.ts), which the EVTX reader uses too. Element and attribute names are passed as local names.
 */
class EventPartsBuilder {
  private readonly mapping = new EventXmlMapping();
  private sawRoot = false;
  private readonly stack: Frame[] = [];

  open(name: string, rawName: string, attributes: Record<string, string>): void {
    const { stack } = this;
    if (stack.length === 0) {
      if (name !== "Event") throw new RecordError(`expected an <Event> element, found <${rawName}>`);
      this.sawRoot = true;
    } else {
      stack[stack.length - 1].hasChild = true;
    }
    stack.push({ name, attributes, text: "", hasChild: false });
  }

  text(t: string): void {
    const { stack } = this;
    if (stack.length) stack[stack.length - 1].text += t;
  }

  close(): void {
    const { stack, mapping } = this;
    const frame = stack.pop()!;
    const depth = stack.length + 1; // Event = 1
    if (depth < 3) return;
    const section = stack[1].name;
    if (depth === 3 && section === "System") mapping.systemElement(frame.name, frame.attributes, frame.text);
    else if (depth === 3 && section === "EventData") mapping.eventDataElement(frame.name, frame.attributes, frame.text);
    else if (section === "UserData" && !frame.hasChild) mapping.userDataLeaf(frame.name, frame.text);
    else if (depth === 3 && section === "RenderingInfo") mapping.renderingElement(frame.name, frame.text);
  }

  finish(): EventParts {
    if (!this.sawRoot) throw new RecordError("no <Event> element");
    return this.mapping.finish();
  }
}

// ---- Fast path: a strict scanner for the plain XML that event records are made of --------------------------
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

/** Characters left to saxes: controls other than TAB/LF/CR, surrogates, U+E000 and above. */
const UNUSUAL_CHAR = /[^\t\n\r\x20-\uD7FF]/;
const PREDEFINED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
/** Shared by every element without attributes (the builder only reads attributes). */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58; // a-z A-Z _ :
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46; // also 0-9 - .
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
/** XML 1.0 Char production, for character references. */
const isXmlChar = (n: number) => n === 9 || n === 10 || n === 13 || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0xfffd) || (n >= 0x10000 && n <= 0x10ffff);

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
  while (i < n) {
    const lt = text.indexOf("<", i);
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
      if (!expected || !text.startsWith(expected, lt + 2)) return false;
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
    const name = text.slice(lt + 1, j);
    // An attribute value reaching past the next '<' holds one: saxes refuses that.
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
      const attrName = text.slice(nameStart, j);
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
  }
  return closedRoot;
}

// ---- The general path: saxes ------------------------------------------------------------------------------

/** Parses a record with saxes (which knows only the predefined entities and character references). */
function parseWithSaxes(text: string, line: number, builder: EventPartsBuilder): void {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let failure: string | null = null;
  parser.on("error", (err) => {
    // The first error is enough; saxes prefixes "line:column: ".
    if (failure === null) {
      const m = /^(\d+):(\d+): (.*)$/s.exec(err.message);
      failure = m ? `malformed XML at line ${line + Number(m[1]) - 1}, column ${m[2]}: ${m[3]}` : `malformed XML: ${err.message}`;
    }
    throw new RecordError(failure);
  });
  parser.on("opentag", (tag: SaxesTagPlain) => {
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attributes[localName(k)] = v;
    builder.open(localName(tag.name), tag.name, attributes);
  });
  const onText = (t: string) => builder.text(t);
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", () => builder.close());
  parser.write(text).close();
}

/** Maps one <Event> element's text to EventParts; throws RecordError (with the absolute line) when malformed. */
export function xmlEventParts(text: string, line: number): EventParts {
  if (text.includes("<!")) {
    const decl = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
    if (decl) {
      const before = text.slice(0, decl.index);
      throw declarationError(text.slice(decl.index, decl.index + 60), line + (before.match(/\n/g)?.length ?? 0));
    }
  }
  try {
    const fast = new EventPartsBuilder();
    if (scanSimpleXml(text, fast)) return fast.finish();
  } catch {
    // Whatever the fast path objects to, saxes below decides (and words the rejection).
  }
  const builder = new EventPartsBuilder();
  parseWithSaxes(text, line, builder);
  return builder.finish();
}

/**
 * Parses one <Event>…</Event> text into a ParsedRecord. `line` is the line the record starts on in its file;
 * `raw` (default: `text`) is what the event keeps as its original text; `format` is recorded on the event.
 */
export function parseXmlRecord(text: string, position: number, line: number, options: { raw?: string; format?: InputFormat } = {}): ParsedRecord {
  return toParsedRecord(() => xmlEventParts(text, line), options.raw ?? text, options.format ?? "xml", position, `line ${line}`);
}

/** Whether a text (head of a file) is Windows event XML. DTD-bearing files answer yes so that reading refuses them loudly. */
export function looksLikeEventXml(text: string): boolean {
  const t = text.replace(/^[\s\uFEFF-]+/, "");
  if (!t.startsWith("<")) return false;
  return /<Events?[\s>/]/.test(t) && !/^<(html|!doctype html|svg|rss|feed)\b/i.test(t);
}

export const xmlReader: FormatReader = {
  format: "xml",
  sniff(head: Buffer): boolean {
    return looksLikeEventXml(decodeHead(head));
  },
  async *read(input: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<ParsedRecord> {
    const splitter = new XmlEventSplitter(options.maxRecordBytes);
    let position = 0;
    const handle = function* (items: SplitItem[]): Generator<ParsedRecord> {
      for (const item of items) {
        position++;
        if (item.kind === "record") yield parseXmlRecord(item.text, position, item.line);
        else yield rejectRecord(position, `line ${item.line}`, item.reason, item.excerpt);
        if (position % 1000 === 0) options.onProgress?.({ unit: "records", done: position });
      }
    };
    for await (const chunk of decodeText(input)) yield* handle(splitter.push(chunk));
    yield* handle(splitter.end());
    options.onProgress?.({ unit: "records", done: position });
    if (position === 0) throw new InputFormatError("no <Event> record found: not a Windows event XML file");
  },
};
