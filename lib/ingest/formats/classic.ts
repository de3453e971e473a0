// Splunk classic WinEventLog text (sourcetype WinEventLog / IIS:Configuration:Operational):
//
//   11/06/2022 11:24:05 AM          <- record start: US month/day/year, 12-hour clock, NO time zone
//   LogName=Microsoft-IIS-Configuration/Operational
//   EventCode=29
//   …
//   Message=Changes to '…' at '…' have successfully been committed.
//   <the message may go on over several lines, up to the next record's timestamp line>
//
// The timestamp carries no zone; it is taken as UTC (Splunk's forwarder writes the host's local time, which
// the file does not say). A timestamp line only starts a record when the next line is a `Key=value` line, so a
// message line that happens to look like a date stays in the message.
//
// Mapping: LogName -> channel, SourceName -> provider, EventCode -> event id (a full 32-bit code has its
// qualifiers split off), ComputerName -> computer, RecordNumber -> record id, Sid -> user SID,
// OpCode -> rendered opcode name, Type -> rendered level, TaskCategory -> rendered task, Keywords (unless
// "None") -> keywords, Message -> rendered message (event data recovered from it by normalizeEvent).
// Raw = the record's lines exactly as read, blank lines after it excluded.
import { InputFormatError, type EventParts, type InputFormat, type ParsedRecord } from "../event";
import { RecordError } from "../normalize";
import { batchOf, recordsOf, type FormatReader, type ReadOptions } from "../parser";
import { decodeHead, decodeText, readLineBatches, RecordSize, type TextLine } from "../input/text";
import { cleanMessage, eventCodeFrom, keywordsText, rejectRecord, toInt, toParsedRecord, usDateTimeToIso } from "./common";

const TIMESTAMP_LINE = /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2}(?: ?[AP]M)?\s*$/i;
const KEY_LINE = /^([A-Za-z][A-Za-z0-9_ ]*)=(.*)$/;

export function isClassicTimestampLine(text: string): boolean {
  return TIMESTAMP_LINE.test(text);
}

const none = (v: string | undefined): string | null => {
  const t = v?.trim();
  return !t || /^none$/i.test(t) ? null : t;
};

/** The fields a classic record is read for (the first line of each counts); other keys are ignored. */
interface ClassicFields {
  EventCode?: string;
  LogName?: string;
  SourceName?: string;
  RecordNumber?: string;
  ComputerName?: string;
  Sid?: string;
  Keywords?: string;
  Type?: string;
  OpCode?: string;
  TaskCategory?: string;
}

/**
 * Keeps `value` under `key` if it is one of the fields read and not yet set. A fixed object and a switch cost a
 * fraction of what storing every key of every record in a fresh object did.
 */
function setField(fields: ClassicFields, key: string, value: string): void {
  switch (key) {
    case "EventCode":
    case "LogName":
    case "SourceName":
    case "RecordNumber":
    case "ComputerName":
    case "Sid":
    case "Keywords":
    case "Type":
    case "OpCode":
    case "TaskCategory":
      if (fields[key] === undefined) fields[key] = value;
  }
}

/** Maps one classic record's text (timestamp line first) to EventParts; throws RecordError when unusable. */
export function classicEventParts(text: string): EventParts {
  const lines = text.split(/\r?\n/);
  const time = usDateTimeToIso(lines[0] ?? "");
  if (!time) throw new RecordError(`unreadable record time '${(lines[0] ?? "").slice(0, 40)}'`);
  const fields: ClassicFields = {};
  let message: string | null = null;
  for (let i = 1; i < lines.length; i++) {
    const m = KEY_LINE.exec(lines[i]);
    if (!m) continue;
    const key = m[1].trim();
    if (key === "Message") {
      message = [m[2], ...lines.slice(i + 1)].join("\n");
      break;
    }
    setField(fields, key, m[2]);
  }
  if (fields.EventCode === undefined && fields.LogName === undefined) throw new RecordError("not a classic event record (no LogName= or EventCode= line)");
  const code = eventCodeFrom(fields.EventCode?.trim());
  return {
    system: {
      provider: none(fields.SourceName),
      eventId: code.eventId,
      qualifiers: code.qualifiers,
      timeCreated: time,
      recordId: toInt(fields.RecordNumber),
      channel: none(fields.LogName),
      computer: none(fields.ComputerName),
      userSid: none(fields.Sid),
      keywords: keywordsText(fields.Keywords),
    },
    data: {},
    rendering: {
      message: cleanMessage(message),
      level: none(fields.Type),
      opcode: none(fields.OpCode),
      task: none(fields.TaskCategory),
    },
  };
}

/** Parses one classic record into a ParsedRecord (`raw` defaults to the text; used for Splunk `_raw` too). */
export function parseClassicRecord(text: string, position: number, line: number, options: { raw?: string; format?: InputFormat } = {}): ParsedRecord {
  return toParsedRecord(() => classicEventParts(text), options.raw ?? text, options.format ?? "classic", position, `line ${line}`);
}

export function looksLikeClassic(text: string): boolean {
  const lines = text.replace(/^\s+/, "").split(/\r?\n/);
  return lines.length >= 2 && isClassicTimestampLine(lines[0]) && /^(LogName|EventCode)=/.test(lines[1]);
}

type Item = { kind: "record"; text: string; line: number } | { kind: "rejected"; line: number; reason: string; excerpt?: string };

interface OpenRecord {
  lines: TextLine[];
  line: number;
  size: RecordSize;
  oversize: boolean;
  excerpt: string;
}

/**
 * Groups lines into classic records, bounded by `maxRecordBytes` per record: `pushAll` each batch of lines, then
 * `end`; each returns the records (or rejections) completed so far.
 */
export class ClassicSplitter {
  private current: OpenRecord | null = null;
  private pendingTs: TextLine | null = null;
  private stray: { line: number; excerpt: string } | null = null;
  private out: Item[] = [];

  constructor(private readonly maxRecordBytes: number) {}

  pushAll(lines: TextLine[]): Item[] {
    for (const l of lines) this.add(l);
    return this.take();
  }

  end(): Item[] {
    const ts = this.pendingTs;
    if (ts) {
      if (this.current) this.append(ts);
      else if (!this.stray) this.stray = { line: ts.line, excerpt: ts.text };
    }
    this.flush();
    return this.take();
  }

  private take(): Item[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private add(l: TextLine): void {
    // A timestamp line starts a record only if a Key=value line follows it: it waits for the next line.
    const ts = this.pendingTs;
    if (ts) {
      this.pendingTs = null;
      if (!l.tooLong && KEY_LINE.test(l.text)) {
        this.flush();
        this.start(ts);
        this.append(l);
        return;
      }
      if (this.current) this.append(ts);
      else if (!this.stray) this.stray = { line: ts.line, excerpt: ts.text };
    }
    if (!l.tooLong && isClassicTimestampLine(l.text)) {
      this.pendingTs = l;
      return;
    }
    if (this.current) {
      this.append(l);
    } else if (l.tooLong || l.text.trim() !== "") {
      if (!this.stray) this.stray = { line: l.line, excerpt: l.text.slice(0, 200) };
    }
  }

  private start(ts: TextLine): void {
    this.current = { lines: [], line: ts.line, size: new RecordSize(this.maxRecordBytes), oversize: false, excerpt: ts.text };
    this.append(ts);
  }

  private append(l: TextLine): void {
    const c = this.current!;
    if (c.oversize) return;
    if (l.tooLong) {
      c.oversize = true;
      c.lines = [];
      return;
    }
    c.lines.push(l);
    if (c.size.add(c.lines)) {
      c.oversize = true;
      c.lines = [];
    }
  }

  private flush(): void {
    if (this.stray) {
      this.out.push({ kind: "rejected", line: this.stray.line, reason: "text outside any classic event record (records start with a 'MM/DD/YYYY hh:mm:ss AM' line)", excerpt: this.stray.excerpt });
      this.stray = null;
    }
    const c = this.current;
    if (!c) return;
    if (c.oversize) {
      this.out.push({ kind: "rejected", line: c.line, reason: `record larger than the limit of ${this.maxRecordBytes} bytes`, excerpt: c.excerpt });
    } else {
      const ls = c.lines;
      while (ls.length > 1 && ls[ls.length - 1].text.trim() === "") ls.pop();
      let text = ls[0].text;
      for (let i = 1; i < ls.length; i++) text += ls[i - 1].eol + ls[i].text;
      this.out.push({ kind: "record", text, line: c.line });
    }
    this.current = null;
  }
}

async function* readClassicBatches(input: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<ParsedRecord[]> {
  let position = 0;
  let records = 0;
  const splitter = new ClassicSplitter(options.maxRecordBytes);
  const parse = (item: Item): ParsedRecord => {
    position++;
    let record: ParsedRecord;
    if (item.kind === "record") {
      records++;
      record = parseClassicRecord(item.text, position, item.line);
    } else {
      record = rejectRecord(position, `line ${item.line}`, item.reason, item.excerpt);
    }
    if (position % 1000 === 0) options.onProgress?.({ unit: "records", done: position });
    return record;
  };
  // Lines come a chunk at a time and are grouped synchronously: one await per chunk, not per line.
  for await (const lines of readLineBatches(decodeText(input), options.maxRecordBytes)) yield* batchOf(splitter.pushAll(lines), parse);
  yield* batchOf(splitter.end(), parse);
  options.onProgress?.({ unit: "records", done: position });
  if (records === 0) throw new InputFormatError("no classic event record found: not Splunk WinEventLog text");
}

export const classicReader: FormatReader = {
  format: "classic",
  sniff(head: Buffer): boolean {
    return looksLikeClassic(decodeHead(head));
  },
  read: (input, options) => recordsOf(readClassicBatches(input, options)),
  readBatches: readClassicBatches,
};
