// Windows event XML: Splunk XmlWinEventLog (one <Event> per line, single-quoted attributes), `wevtutil qe /f:xml`
// (concatenated <Event>s without a wrapper) and Event Viewer "Save as XML" (<?xml?><Events>…</Events>, pretty
// printed), in UTF-8 or UTF-16 with or without <RenderingInfo>.
//
// The file is read in two stages so that memory stays bounded and one bad record does not lose the rest:
//  1. xml/splitter.ts cuts the decoded text into top-level <Event>…</Event> records (and refuses any DTD or
//     entity declaration: XXE and "billion laughs" files are refused before any parsing).
//  2. Each record is parsed by the fast path (xml/fast-path.ts: a strict scanner for the plain XML records are
//     made of) or, when it declines, by saxes (xml/saxes-path.ts), which decides every rejection; both feed
//     xml/parts-builder.ts, which hands each element to the one mapping of event XML that the EVTX reader shares
//     (event-xml.ts). This file is the reader, and the choice between the two paths.
import { InputFormatError, type EventParts, type InputFormat, type ParsedRecord } from "../event";
import { batchOf, recordsOf, type FormatReader, type ReadOptions } from "../parser";
import { decodeHead, decodeText } from "../input/text";
import { rejectRecord, toParsedRecord } from "./common";
import { fastPathEventParts } from "./xml/fast-path";
import { saxesEventParts } from "./xml/saxes-path";
import { declarationError, XmlEventSplitter, type SplitItem } from "./xml/splitter";

/** Maps one <Event> element's text to EventParts; throws RecordError (with the absolute line) when malformed. */
export function xmlEventParts(text: string, line: number): EventParts {
  if (text.includes("<!")) {
    const decl = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
    if (decl) {
      const before = text.slice(0, decl.index);
      throw declarationError(text.slice(decl.index, decl.index + 60), line + (before.match(/\n/g)?.length ?? 0));
    }
  }
  return fastPathEventParts(text) ?? saxesEventParts(text, line);
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

async function* readXmlBatches(input: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<ParsedRecord[]> {
  const splitter = new XmlEventSplitter(options.maxRecordBytes);
  let position = 0;
  const parse = (item: SplitItem): ParsedRecord => {
    position++;
    const record = item.kind === "record" ? parseXmlRecord(item.text, position, item.line) : rejectRecord(position, `line ${item.line}`, item.reason, item.excerpt);
    if (position % 1000 === 0) options.onProgress?.({ unit: "records", done: position });
    return record;
  };
  for await (const chunk of decodeText(input)) yield* batchOf(splitter.push(chunk), parse);
  yield* batchOf(splitter.end(), parse);
  options.onProgress?.({ unit: "records", done: position });
  if (position === 0) throw new InputFormatError("no <Event> record found: not a Windows event XML file");
}

export const xmlReader: FormatReader = {
  format: "xml",
  sniff(head: Buffer): boolean {
    return looksLikeEventXml(decodeHead(head));
  },
  read: (input, options) => recordsOf(readXmlBatches(input, options)),
  readBatches: readXmlBatches,
};
