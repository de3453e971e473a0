// CSV event exports:
//  - Splunk search results export (a header naming fields: _time, host, EventCode, ComputerName, Message, …,
//    usually _raw). With a non-empty _raw the event is parsed from it (XML or classic, raw = _raw); without, it
//    is rebuilt from the columns (splunk-row.ts).
//  - Event Viewer "Save as CSV": header `Level,Date and Time,Source,Event ID,Task Category`, and each row has a
//    sixth, unnamed column with the message. The time is local time without a zone: taken as UTC (US
//    "M/D/YYYY h:mm:ss AM" order). The channel is not in the file: it comes from the source name when known
//    (IIS-Configuration -> Microsoft-IIS-Configuration/Operational, W3SVC-WP -> Application), else from the
//    `channel` reader option. The computer is not in the file either: the `host` reader option, else the record
//    is rejected. The message's event data (Event 29, 2282) is recovered by normalizeEvent.
//
// Records are cut out of the stream by a quote-aware line grouper (a quoted field may hold line breaks), each
// bounded by maxRecordBytes, so memory stays bounded and an oversize record is rejected with its line while the
// rest of the file goes on; each record's fields are then parsed by csv-parse. Raw = the record's CSV line(s).
import { parse as parseCsv } from "csv-parse/sync";
import { InputFormatError, type EventParts, type ParsedRecord } from "../event";
import { RecordError } from "../normalize";
import { batchesOf, type FormatReader, type ReadOptions } from "../parser";
import { decodeHead, decodeText, nulRejection, readLines, RecordSize, type TextLine } from "../input/text";
import { cleanMessage, eventCodeFrom, knownSource, rejectRecord, toParsedRecord, usDateTimeToIso } from "./common";
import { parseRawRecord } from "./raw";
import { splunkRowParts } from "./splunk-row";

/** `host` and `channel` (ReadOptions) fill in what Event Viewer CSV does not carry. */
export type CsvReadOptions = ReadOptions;

const EVENT_VIEWER_HEADER = ["level", "date and time", "source", "event id", "task category"];

type Item = { kind: "record"; text: string; line: number } | { kind: "rejected"; line: number; reason: string; excerpt?: string };

function quoteCount(l: TextLine): number {
  if (l.tooLong) return l.quotes ?? 0;
  let n = 0;
  for (let i = l.text.indexOf('"'); i >= 0; i = l.text.indexOf('"', i + 1)) n++;
  return n;
}

/** Groups lines into CSV records (a record goes on while a quoted field is open), each bounded in size. */
export async function* splitCsvRecords(lines: AsyncIterable<TextLine>, maxRecordBytes: number): AsyncGenerator<Item> {
  let parts: TextLine[] = [];
  let startLine = 0;
  let open = false;
  let oversize = false;
  let size = new RecordSize(maxRecordBytes);
  let firstExcerpt = "";
  for await (const l of lines) {
    if (parts.length === 0 && !oversize) {
      if (!l.tooLong && l.text.trim() === "") continue;
      startLine = l.line;
      size = new RecordSize(maxRecordBytes);
      firstExcerpt = l.text.slice(0, 200);
    }
    if (l.tooLong) oversize = true;
    if (!oversize) {
      parts.push(l);
      if (size.add(parts)) oversize = true;
    }
    if (oversize) parts = [];
    if (quoteCount(l) % 2 === 1) open = !open;
    if (open) continue;
    if (oversize) {
      yield { kind: "rejected", line: startLine, reason: `record larger than the limit of ${maxRecordBytes} bytes`, excerpt: firstExcerpt };
    } else {
      yield { kind: "record", text: parts.map((p, i) => p.text + (i < parts.length - 1 ? p.eol : "")).join(""), line: startLine };
    }
    parts = [];
    oversize = false;
  }
  if (parts.length || oversize) {
    yield {
      kind: "rejected",
      line: startLine,
      reason: oversize ? `record larger than the limit of ${maxRecordBytes} bytes` : "the file ends inside a quoted CSV field (truncated)",
      excerpt: firstExcerpt,
    };
  }
}

/** The fields of one CSV record. Throws RecordError when it is not valid CSV. */
export function csvFields(text: string): string[] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: false, bom: true }) as string[][];
  } catch (e) {
    throw new RecordError(`invalid CSV: ${(e as Error).message}`);
  }
  if (rows.length !== 1) throw new RecordError(`invalid CSV: expected one record, found ${rows.length}`);
  return rows[0];
}

function eventViewerParts(row: string[], options: CsvReadOptions): EventParts {
  const [level, dateTime, source, eventId, taskCategory, ...rest] = row;
  const known = knownSource(source);
  const channel = known?.channel ?? options.channel ?? null;
  if (!channel) throw new RecordError(`unknown channel: Event Viewer CSV does not say which log '${source}' events come from (give the channel option)`);
  const host = options.host ?? null;
  if (!host) throw new RecordError("unknown computer: Event Viewer CSV does not name the computer (give the host option)");
  const code = eventCodeFrom(eventId?.trim());
  const time = dateTime ? usDateTimeToIso(dateTime) ?? dateTime.trim() : null;
  const task = taskCategory?.trim();
  return {
    system: {
      provider: known?.provider ?? (source?.trim() || null),
      eventSourceName: known?.eventSourceName ?? null,
      eventId: code.eventId,
      qualifiers: code.qualifiers,
      timeCreated: time,
      channel,
      computer: host,
    },
    data: {},
    rendering: {
      message: cleanMessage(rest.join(",")),
      level: level?.trim() || null,
      task: task && !/^none$/i.test(task) ? task : null,
    },
  };
}

export function looksLikeEventCsv(text: string): boolean {
  const first = text.replace(/^[\s\uFEFF]+/, "").split(/\r?\n/, 1)[0] ?? "";
  const names = first.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1").toLowerCase());
  if (EVENT_VIEWER_HEADER.every((h, i) => names[i] === h)) return true;
  return names.length > 1 && (names.includes("eventcode") || (names.includes("_raw") && names.includes("_time")));
}

export const csvReader: FormatReader = {
  format: "csv",
  sniff(head: Buffer): boolean {
    return looksLikeEventCsv(decodeHead(head));
  },
  async *read(input: AsyncIterable<Buffer>, opts: ReadOptions): AsyncGenerator<ParsedRecord> {
    const options = opts as CsvReadOptions;
    let header: string[] | null = null;
    let kind: "splunk" | "eventviewer" = "splunk";
    let position = 0;
    for await (const item of splitCsvRecords(readLines(decodeText(input), options.maxRecordBytes), options.maxRecordBytes)) {
      if (header === null) {
        if (item.kind === "rejected") throw new InputFormatError(`unreadable CSV header: ${item.reason}`, `line ${item.line}`);
        try {
          header = csvFields(item.text).map((h) => h.trim());
        } catch (e) {
          throw new InputFormatError((e as Error).message, `line ${item.line}`);
        }
        const lower = header.map((h) => h.toLowerCase());
        if (EVENT_VIEWER_HEADER.every((h, i) => lower[i] === h)) kind = "eventviewer";
        else if (!lower.includes("eventcode") && !lower.includes("_raw") && !lower.includes("eventid")) {
          throw new InputFormatError("not a Windows event CSV export: the header has neither EventCode nor _raw (Splunk) nor Event Viewer's columns", `line ${item.line}`);
        }
        continue;
      }
      position++;
      const location = `line ${item.line}`;
      if (item.kind === "rejected") {
        yield rejectRecord(position, location, item.reason, item.excerpt);
        continue;
      }
      let fields: string[];
      try {
        fields = csvFields(item.text);
      } catch (e) {
        yield rejectRecord(position, location, (e as Error).message, item.text);
        continue;
      }
      if (kind === "eventviewer") {
        yield toParsedRecord(() => eventViewerParts(fields, options), item.text, "csv", position, location);
      } else {
        const row: Record<string, string> = {};
        header.forEach((h, i) => {
          if (fields[i] !== undefined) row[h] = fields[i];
        });
        // A NUL anywhere in the row (not only in _raw) is binary data: this row goes, the file goes on.
        const nul = nulRejection(item.text, location);
        if (nul) yield rejectRecord(position, location, nul, item.text);
        else if (row._raw && row._raw.trim() !== "") yield parseRawRecord(row._raw, position, item.line);
        else yield toParsedRecord(() => splunkRowParts(row), item.text, "csv", position, location);
      }
      if (position % 1000 === 0) options.onProgress?.({ unit: "records", done: position });
    }
    options.onProgress?.({ unit: "records", done: position });
    if (header === null) throw new InputFormatError("empty CSV file");
  },
  // Its records are split line by line as the lines come: each is a batch of its own.
  readBatches(input, options) {
    return batchesOf(this.read(input, options));
  },
};
