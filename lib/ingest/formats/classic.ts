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
import type { FormatReader, ReadOptions } from "../parser";
import { decodeHead, decodeText, exceedsBytes, readLines, type TextLine } from "../input/text";
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

/** Maps one classic record's text (timestamp line first) to EventParts; throws RecordError when unusable. */
export function classicEventParts(text: string): EventParts {
  const lines = text.split(/\r?\n/);
  const time = usDateTimeToIso(lines[0] ?? "");
  if (!time) throw new RecordError(`unreadable record time '${(lines[0] ?? "").slice(0, 40)}'`);
  const fields: Record<string, string> = {};
  let message: string | null = null;
  for (let i = 1; i < lines.length; i++) {
    const m = KEY_LINE.exec(lines[i]);
    if (!m) continue;
    const key = m[1].trim();
    if (key === "Message") {
      message = [m[2], ...lines.slice(i + 1)].join("\n");
      break;
    }
    if (!(key in fields)) fields[key] = m[2];
  }
  if (!("EventCode" in fields) && !("LogName" in fields)) throw new RecordError("not a classic event record (no LogName= or EventCode= line)");
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

/** Groups lines into classic records; bounded by `maxRecordBytes` per record. */
export async function* splitClassic(lines: AsyncIterable<TextLine>, maxRecordBytes: number): AsyncGenerator<Item> {
  let current: { lines: TextLine[]; line: number; chars: number; oversize: boolean; excerpt: string } | null = null;
  let pendingTs: TextLine | null = null;
  let stray: { line: number; excerpt: string } | null = null;

  const append = (l: TextLine) => {
    const c = current!;
    if (c.oversize) return;
    if (l.tooLong) {
      c.oversize = true;
      c.lines = [];
      return;
    }
    c.chars += l.text.length + l.eol.length;
    c.lines.push(l);
    if (c.chars > maxRecordBytes / 3 && exceedsBytes(c.lines.map((x) => x.text + x.eol).join(""), maxRecordBytes)) {
      c.oversize = true;
      c.lines = [];
    }
  };
  const flush = (): Item[] => {
    const out: Item[] = [];
    if (stray) {
      out.push({ kind: "rejected", line: stray.line, reason: "text outside any classic event record (records start with a 'MM/DD/YYYY hh:mm:ss AM' line)", excerpt: stray.excerpt });
      stray = null;
    }
    if (current) {
      if (current.oversize) {
        out.push({ kind: "rejected", line: current.line, reason: `record larger than the limit of ${maxRecordBytes} bytes`, excerpt: current.excerpt });
      } else {
        const ls = current.lines;
        while (ls.length > 1 && ls[ls.length - 1].text.trim() === "") ls.pop();
        const text = ls.map((l, i) => l.text + (i < ls.length - 1 ? l.eol : "")).join("");
        out.push({ kind: "record", text, line: current.line });
      }
      current = null;
    }
    return out;
  };
  const start = (ts: TextLine) => {
    current = { lines: [], line: ts.line, chars: 0, oversize: false, excerpt: ts.text };
    append(ts);
  };

  for await (const l of lines) {
    if (pendingTs) {
      const ts: TextLine = pendingTs;
      pendingTs = null;
      if (!l.tooLong && KEY_LINE.test(l.text)) {
        yield* flush();
        start(ts);
        append(l);
        continue;
      }
      if (current) append(ts);
      else if (!stray) stray = { line: ts.line, excerpt: ts.text };
    }
    if (!l.tooLong && isClassicTimestampLine(l.text)) {
      pendingTs = l;
      continue;
    }
    if (current) {
      append(l);
    } else if (l.tooLong || l.text.trim() !== "") {
      if (!stray) stray = { line: l.line, excerpt: l.text.slice(0, 200) };
    }
  }
  if (pendingTs) {
    if (current) append(pendingTs);
    else if (!stray) stray = { line: (pendingTs as TextLine).line, excerpt: (pendingTs as TextLine).text };
  }
  yield* flush();
}

export const classicReader: FormatReader = {
  format: "classic",
  sniff(head: Buffer): boolean {
    return looksLikeClassic(decodeHead(head));
  },
  async *read(input: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<ParsedRecord> {
    let position = 0;
    let records = 0;
    for await (const item of splitClassic(readLines(decodeText(input), options.maxRecordBytes), options.maxRecordBytes)) {
      position++;
      if (item.kind === "record") {
        records++;
        yield parseClassicRecord(item.text, position, item.line);
      } else {
        yield rejectRecord(position, `line ${item.line}`, item.reason, item.excerpt);
      }
      if (position % 1000 === 0) options.onProgress?.({ unit: "records", done: position });
    }
    options.onProgress?.({ unit: "records", done: position });
    if (records === 0) throw new InputFormatError("no classic event record found: not Splunk WinEventLog text");
  },
};
