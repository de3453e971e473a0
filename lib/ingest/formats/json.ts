// JSON event exports, one object per line (NDJSON), concatenated/pretty-printed objects, or one JSON array, read
// as a stream (JsonRecordSplitter tracks nesting and strings; the file is never parsed whole). Recognised records:
//  - Winlogbeat / Elastic Agent ECS (`winlog.*`, `@timestamp`, `message`, `event.code`, `log.level`); an
//    Elasticsearch hit (`_source`) is unwrapped;
//  - PowerShell `Get-WinEvent | ConvertTo-Json` (`Id`, `ProviderName`, `TimeCreated` "/Date(ms)/", positional
//    `Properties` kept by position for the event catalogue to name, `OpcodeDisplayName`, …);
//  - OTRF Security-Datasets / NXLog flat records (`EventID`, `Channel`, `Hostname`, `SourceName`, event data at
//    the top level);
//  - Splunk JSON export (`{"preview":false,"result":{…}}`): `result._raw` is parsed with the XML or classic
//    record parser (raw = the `_raw`); without `_raw`, the event is rebuilt from the result's fields.
// Raw = the record's JSON text. Times: ECS `winlog.time_created` if present, else `@timestamp`; OTRF `EventTime`
// when it has a zone, else `@timestamp`, else `EventTime` taken as UTC (NXLog writes host-local time without a zone).
import { InputFormatError, type EventParts, type ParsedRecord } from "../event";
import { batchOf, recordsOf, type FormatReader, type ReadOptions } from "../parser";
import { decodeHead, decodeText, exceedsBytes, nulRejection } from "../input/text";
import {
  addUnique,
  cleanMessage,
  eventCodeFrom,
  guidText,
  keywordsText,
  rejectRecord,
  toInt,
  toParsedRecord,
  toText,
} from "./common";
import { parseRawRecord } from "./raw";
import { splunkRowParts } from "./splunk-row";

type Item = { kind: "record"; text: string; line: number } | { kind: "rejected"; line: number; reason: string; excerpt?: string };

/**
 * Incremental splitter of JSON text into top-level objects: the elements of a top-level array, or a sequence of
 * objects (NDJSON or pretty-printed). In NDJSON (the first object fits on its line), an object still open at
 * the end of its line is rejected and reading resumes on the next line; a raw newline inside a string (invalid
 * JSON) does the same in any layout.
 */
export class JsonRecordSplitter {
  private buf = "";
  private pos = 0;
  private line = 1;
  private base = -1; // record depth: 1 inside a top-level array, 0 for a sequence of objects; -1 = not yet known
  private depth = 0;
  private inString = false;
  private escape = false;
  private inRecord = false;
  private skipping = false;
  private recStart = 0;
  private recLine = 0;
  private recExcerpt = "";
  private ndjson: boolean | null = null;
  private arrayClosed = false;
  private stray: { line: number; text: string } | null = null;
  private out: Item[] = [];

  constructor(private readonly maxRecordBytes: number) {}

  push(chunk: string): Item[] {
    this.buf += chunk;
    this.scan();
    return this.take();
  }

  end(): Item[] {
    this.scan();
    if (this.inRecord) {
      this.out.push({
        kind: "rejected",
        line: this.recLine,
        reason: this.skipping ? `record larger than the limit of ${this.maxRecordBytes} bytes` : "the file ends inside this JSON object (truncated)",
        excerpt: this.skipping ? this.recExcerpt : this.buf.slice(this.recStart, this.recStart + 200),
      });
      this.inRecord = false;
    }
    this.flushStray();
    return this.take();
  }

  private take(): Item[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private noteStray(ch: string): void {
    if (!this.stray) this.stray = { line: this.line, text: "" };
    if (this.stray.text.length < 200) this.stray.text += ch;
  }

  private flushStray(): void {
    if (!this.stray) return;
    this.out.push({ kind: "rejected", line: this.stray.line, reason: "JSON value that is not an event object", excerpt: this.stray.text.trim() });
    this.stray = null;
  }

  private abandon(reason: string, at: number): void {
    this.out.push({ kind: "rejected", line: this.recLine, reason, excerpt: this.skipping ? this.recExcerpt : this.buf.slice(this.recStart, Math.min(at, this.recStart + 200)) });
    this.inRecord = false;
    this.skipping = false;
    this.inString = false;
    this.escape = false;
    this.depth = this.base;
  }

  private scan(): void {
    const { buf } = this;
    let i = this.pos;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c === 10) {
        if (this.inString) {
          if (this.inRecord) this.abandon(`invalid JSON: line break inside a string (line ${this.line})`, i);
          this.inString = false;
        } else if (this.inRecord && this.ndjson === true) {
          this.abandon("incomplete JSON object: the line ends before the object closes", i);
        }
        this.line++;
        continue;
      }
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 92) this.escape = true;
        else if (c === 34) this.inString = false;
        if (!this.inRecord) this.noteStray(buf[i]);
        continue;
      }
      if (this.inRecord) {
        if (c === 34) this.inString = true;
        else if (c === 123 || c === 91) this.depth++;
        else if (c === 125 || c === 93) {
          this.depth--;
          if (this.depth === this.base) this.finish(i + 1);
        }
        continue;
      }
      // Between records.
      if (c === 32 || c === 9 || c === 13 || c === 0xfeff) continue;
      if (this.base === -1) {
        if (c === 91) {
          this.base = 1;
          this.depth = 1;
          continue;
        }
        this.base = 0;
      }
      if (c === 123 && !this.arrayClosed) {
        this.flushStray();
        this.inRecord = true;
        this.recStart = i;
        this.recLine = this.line;
        this.depth = this.base + 1;
        continue;
      }
      if (c === 44 && !this.arrayClosed) continue;
      if (c === 93 && this.base === 1 && this.depth === 1 && !this.arrayClosed) {
        this.arrayClosed = true;
        this.depth = 0;
        continue;
      }
      if (c === 34) this.inString = true;
      this.noteStray(buf[i]);
    }
    this.pos = i;
    // Size limit and compaction.
    if (this.inRecord && !this.skipping && exceedsBytes(buf.slice(this.recStart, this.pos), this.maxRecordBytes)) {
      this.skipping = true;
      this.recExcerpt = buf.slice(this.recStart, this.recStart + 200);
    }
    const keepFrom = this.inRecord && !this.skipping ? this.recStart : this.pos;
    this.buf = buf.slice(keepFrom);
    this.pos -= keepFrom;
    this.recStart -= keepFrom;
  }

  private finish(end: number): void {
    if (this.ndjson === null) this.ndjson = !this.buf.slice(this.recStart, end).includes("\n");
    if (this.skipping) {
      this.out.push({ kind: "rejected", line: this.recLine, reason: `record larger than the limit of ${this.maxRecordBytes} bytes`, excerpt: this.recExcerpt });
    } else {
      const text = this.buf.slice(this.recStart, end);
      if (exceedsBytes(text, this.maxRecordBytes)) {
        this.out.push({ kind: "rejected", line: this.recLine, reason: `record larger than the limit of ${this.maxRecordBytes} bytes`, excerpt: text.slice(0, 200) });
      } else {
        this.out.push({ kind: "record", text, line: this.recLine });
      }
    }
    this.inRecord = false;
    this.skipping = false;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `a.b.c` in nested objects, or as a flattened "a.b.c" key (Kibana exports). */
function get(obj: Json, path: string): unknown {
  if (path in obj) return obj[path];
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

const str = (v: unknown): string | null => {
  const t = toText(v);
  return t === null ? null : t.trim() || null;
};

/** A property value as text: strings as is, numbers as text, byte arrays as hex, SIDs/objects by their Value. */
function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    if (v.every((b) => typeof b === "number" && b >= 0 && b <= 255)) return v.map((b) => (b as number).toString(16).padStart(2, "0")).join("").toUpperCase();
    return JSON.stringify(v);
  }
  if (isObject(v)) {
    if (typeof v.Value === "string" || typeof v.Value === "number") return String(v.Value);
    if (typeof v.value === "string" || typeof v.value === "number") return String(v.value);
    return JSON.stringify(v);
  }
  return String(v);
}

/** Flattens leaf values of a nested object by their own key (ECS `winlog.user_data`). */
function flattenInto(data: Record<string, string | null>, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (k === "xml_name") continue;
    if (isObject(v)) flattenInto(data, v);
    else if (Array.isArray(v) && v.some(isObject)) v.forEach((e) => isObject(e) && flattenInto(data, e));
    else addUnique(data, k, valueText(v));
  }
}

/**
 * Winlogbeat's event_data. Winlogbeat names a <Data> without a Name "param<N>" (N = its 1-based position): when every
 * key is such a name, in order, the data is positional and is keyed "0", "1", … like unnamed <Data> elsewhere, for
 * the event catalogue to name. A real name that happens to read "param3" among named data stays a name.
 */
function ecsEventData(eventData: Json, data: Record<string, string | null>): void {
  const entries = Object.entries(eventData).filter(([k]) => k !== "Binary");
  const positional = entries.length > 0 && entries.every(([k], i) => k === `param${i + 1}`);
  for (const [k, v] of Object.entries(eventData)) {
    const m = positional ? /^param(\d+)$/.exec(k) : null;
    data[m ? String(Number(m[1]) - 1) : k] = valueText(v);
  }
}

function ecsParts(o: Json): EventParts {
  const data: Record<string, string | null> = {};
  const eventData = get(o, "winlog.event_data");
  if (isObject(eventData)) ecsEventData(eventData, data);
  const userData = get(o, "winlog.user_data");
  if (isObject(userData)) flattenInto(data, userData);
  const keywords = get(o, "winlog.keywords");
  const code = eventCodeFrom(get(o, "winlog.event_id") ?? get(o, "event.code"));
  return {
    system: {
      provider: str(get(o, "winlog.provider_name")) ?? str(get(o, "event.provider")),
      providerGuid: guidText(get(o, "winlog.provider_guid")),
      eventSourceName: null,
      eventId: code.eventId,
      qualifiers: code.qualifiers,
      version: toInt(get(o, "winlog.version")),
      level: null,
      task: null,
      opcode: null,
      keywords: Array.isArray(keywords) ? keywords.map(String).join(", ") || null : keywordsText(keywords),
      timeCreated: str(get(o, "winlog.time_created")) ?? str(get(o, "@timestamp")) ?? str(get(o, "event.created")),
      recordId: toInt(get(o, "winlog.record_id")),
      processId: toInt(get(o, "winlog.process.pid")),
      threadId: toInt(get(o, "winlog.process.thread.id")),
      channel: str(get(o, "winlog.channel")),
      computer: str(get(o, "winlog.computer_name")) ?? str(get(o, "host.name")) ?? str(get(o, "host.hostname")),
      userSid: str(get(o, "winlog.user.identifier")),
    },
    data,
    rendering: {
      message: cleanMessage(str(get(o, "message"))),
      level: str(get(o, "log.level")),
      opcode: str(get(o, "winlog.opcode")),
      task: str(get(o, "winlog.task")),
    },
  };
}

/** PowerShell times: "/Date(1671551905325)/" (UTC milliseconds), {value: "/Date(…)/"}, or ISO 8601 (PowerShell 7). */
function powershellTime(v: unknown): string | null {
  const t = isObject(v) ? (v.value ?? v.Value ?? v.DateTime) : v;
  if (typeof t !== "string") return null;
  const m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(t.trim());
  if (m) return new Date(Number(m[1])).toISOString();
  return t.trim() || null;
}

/** The exact Keywords digits of a record (a 64-bit value JSON.parse would round). */
function exactNumber(text: string, key: string): string | null {
  return new RegExp(`"${key}"\\s*:\\s*"?(-?\\d+)`).exec(text)?.[1] ?? null;
}

function powershellParts(o: Json, text: string): EventParts {
  const provider = str(o.ProviderName);
  const code = eventCodeFrom(o.Id, toInt(o.Qualifiers));
  // Properties are positional: kept by position ("0", "1", …) for the event catalogue to name when their count
  // matches (normalize.ts), never named here.
  const data: Record<string, string | null> = {};
  if (Array.isArray(o.Properties)) {
    o.Properties.forEach((p, i) => {
      data[String(i)] = valueText(isObject(p) && "Value" in p ? p.Value : p);
    });
  }
  const user = o.UserId;
  return {
    system: {
      provider,
      providerGuid: guidText(o.ProviderId),
      ...pascalCaseSystem(o, code),
      opcode: toInt(o.Opcode),
      keywords: keywordsText(exactNumber(text, "Keywords") ?? o.Keywords),
      timeCreated: powershellTime(o.TimeCreated),
      recordId: toInt(o.RecordId),
      processId: toInt(o.ProcessId),
      threadId: toInt(o.ThreadId),
      channel: str(o.LogName),
      computer: str(o.MachineName),
      userSid: isObject(user) ? str(user.Value) : str(user),
    },
    data,
    rendering: {
      message: cleanMessage(str(o.Message)),
      level: str(o.LevelDisplayName),
      opcode: str(o.OpcodeDisplayName),
      task: str(o.TaskDisplayName),
    },
  };
}

/**
 * The System fields that PowerShell's and NXLog's records both hold at the top level under the same names (Version,
 * Level, Task), with the event code; neither records an EventSourceName.
 */
function pascalCaseSystem(o: Json, code: ReturnType<typeof eventCodeFrom>) {
  return { eventSourceName: null, eventId: code.eventId, qualifiers: code.qualifiers, version: toInt(o.Version), level: toInt(o.Level), task: toInt(o.Task) };
}

/** NXLog / OTRF Security-Datasets fields that are not event data. */
const NXLOG_FIELDS = new Set([
  "EventTime", "EventReceivedTime", "Hostname", "Keywords", "EventType", "SeverityValue", "Severity", "EventID", "SourceName",
  "ProviderGuid", "Version", "Task", "OpcodeValue", "RecordNumber", "ProcessID", "ThreadID", "Channel", "Message", "Category",
  "Opcode", "Level", "SourceModuleName", "SourceModuleType", "@timestamp", "@version", "host", "port", "tags", "UserID",
  "AccountName", "AccountType", "Domain", "ERROR_EVT_UNRESOLVED", "EventTypeOrignal", "EventTypeOriginal", "log_name", "beat",
  "type", "Qualifiers",
]);

function nxlogTime(o: Json): string | null {
  const eventTime = str(o.EventTime);
  if (eventTime && /(Z|[+-]\d{2}:?\d{2})$/.test(eventTime)) return eventTime;
  return str(o["@timestamp"]) ?? eventTime;
}

function nxlogParts(o: Json, text: string): EventParts {
  const data: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(o)) {
    if (NXLOG_FIELDS.has(k) || isObject(v)) continue;
    data[k] = valueText(v);
  }
  const code = eventCodeFrom(o.EventID, toInt(o.Qualifiers));
  const opcode = str(o.Opcode);
  return {
    system: {
      provider: str(o.SourceName),
      providerGuid: guidText(o.ProviderGuid),
      ...pascalCaseSystem(o, code),
      opcode: toInt(o.OpcodeValue) ?? toInt(opcode),
      keywords: keywordsText(exactNumber(text, "Keywords") ?? o.Keywords),
      timeCreated: nxlogTime(o),
      recordId: toInt(o.RecordNumber),
      processId: toInt(o.ProcessID),
      threadId: toInt(o.ThreadID),
      channel: str(o.Channel),
      computer: str(o.Hostname) ?? str(o.host),
      userSid: str(o.UserID),
    },
    data,
    rendering: {
      message: cleanMessage(str(o.Message)),
      level: str(o.Severity) ?? null,
      opcode: toInt(opcode) === null ? opcode : null,
      task: str(o.Category) && !/^none$/i.test(String(o.Category)) ? str(o.Category) : null,
    },
  };
}

/** Which JSON layout a record is in. */
export function jsonFlavor(o: Json): "splunk" | "ecs" | "powershell" | "nxlog" | null {
  if (isObject(o.result) && ("preview" in o || "_raw" in o.result || "_time" in o.result)) return "splunk";
  if (isObject(o.winlog) || "winlog.event_id" in o || "winlog.channel" in o) return "ecs";
  if ("Id" in o && ("ProviderName" in o || "LogName" in o)) return "powershell";
  if ("EventID" in o && ("Channel" in o || "Hostname" in o || "SourceName" in o)) return "nxlog";
  return null;
}

/** Parses one JSON record text into a ParsedRecord. */
export function parseJsonRecord(text: string, position: number, line: number): ParsedRecord {
  const location = `line ${line}`;
  // A raw NUL is binary data inside the record (JSON.parse would only call it a bad control character).
  const nul = nulRejection(text, location);
  if (nul) return rejectRecord(position, location, nul, text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return rejectRecord(position, location, `invalid JSON: ${(e as Error).message}`, text);
  }
  if (!isObject(value)) return rejectRecord(position, location, "JSON value that is not an event object", text);
  let o = value;
  if (isObject(o._source) && !jsonFlavor(o)) o = o._source;
  const flavor = jsonFlavor(o);
  switch (flavor) {
    case "splunk": {
      const result = o.result as Json;
      const raw = result._raw;
      if (typeof raw === "string" && raw.trim() !== "") return parseRawRecord(raw, position, line);
      return toParsedRecord(() => splunkRowParts(result), text, "json", position, location);
    }
    case "ecs":
      return toParsedRecord(() => ecsParts(o), text, "json", position, location);
    case "powershell":
      return toParsedRecord(() => powershellParts(o, text), text, "json", position, location);
    case "nxlog":
      return toParsedRecord(() => nxlogParts(o, text), text, "json", position, location);
    default:
      return rejectRecord(
        position,
        location,
        "unrecognised JSON record: expected Winlogbeat/ECS (winlog.*), Get-WinEvent (Id, ProviderName), OTRF/NXLog (EventID, Channel) or a Splunk export (result._raw)",
        text,
      );
  }
}

const JSON_KEYS = /"(winlog|winlog\.event_id|EventID|ProviderName|LogName|_raw|result|preview|event_id|Channel|MachineName)"\s*:/;

export function looksLikeEventJson(text: string): boolean {
  const t = text.replace(/^[\s\uFEFF]+/, "");
  return (t.startsWith("{") || t.startsWith("[")) && JSON_KEYS.test(t);
}

async function* readJsonBatches(input: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<ParsedRecord[]> {
  const splitter = new JsonRecordSplitter(options.maxRecordBytes);
  let position = 0;
  let checkedStart = false;
  const parse = (item: Item): ParsedRecord => {
    position++;
    const record = item.kind === "record" ? parseJsonRecord(item.text, position, item.line) : rejectRecord(position, `line ${item.line}`, item.reason, item.excerpt);
    if (position % 1000 === 0) options.onProgress?.({ unit: "records", done: position });
    return record;
  };
  for await (const chunk of decodeText(input)) {
    if (!checkedStart) {
      const t = chunk.replace(/^[\s\uFEFF]+/, "");
      if (t !== "") {
        if (t[0] !== "{" && t[0] !== "[") throw new InputFormatError("not JSON: the file does not start with '{' or '['", "byte 0");
        checkedStart = true;
      }
    }
    yield* batchOf(splitter.push(chunk), parse);
  }
  yield* batchOf(splitter.end(), parse);
  options.onProgress?.({ unit: "records", done: position });
  if (position === 0) throw new InputFormatError("no JSON event object found");
}

export const jsonReader: FormatReader = {
  format: "json",
  sniff(head: Buffer): boolean {
    return looksLikeEventJson(decodeHead(head));
  },
  read: (input, options) => recordsOf(readJsonBatches(input, options)),
  readBatches: readJsonBatches,
};
