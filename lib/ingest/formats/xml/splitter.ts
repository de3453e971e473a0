// Splits decoded Windows event XML text into its top-level <Event>…</Event> records, with bounded memory: it scans
// for <Event> elements (skipping the prolog, the <Events> wrapper, comments and CDATA) and hands out each record's
// exact text. A record over the size limit is skipped without being kept; a record cut short by the next <Event>
// or the end of the file is rejected; text outside any <Event> is rejected as a record of its own, except the "-"
// markers Internet Explorer/Event Viewer print before elements. Any <!DOCTYPE …> or <!ENTITY …> stops the file
// (InputFormatError): no DTD, no entity expansion, so XXE and "billion laughs" files are refused before any parsing.
import { InputFormatError } from "../../event";
import { exceedsBytes } from "../../input/text";

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

export function declarationError(text: string, line: number): InputFormatError {
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
