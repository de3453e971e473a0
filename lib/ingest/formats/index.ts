// Registry of the text-format readers. EVTX is read by lib/ingest/evtx (another module), so readerFor("evtx")
// answers undefined here and the pipeline takes the EVTX reader from there.
import type { InputFormat } from "../event";
import type { FormatReader } from "../parser";
import { classicReader } from "./classic";
import { csvReader } from "./csv";
import { jsonReader } from "./json";
import { xmlReader } from "./xml";

/** In sniffing order: the most specific first. */
export const textReaders: FormatReader[] = [xmlReader, classicReader, jsonReader, csvReader];

export function readerFor(format: InputFormat): FormatReader | undefined {
  return textReaders.find((r) => r.format === format);
}

export { classicReader, csvReader, jsonReader, xmlReader };
export type { CsvReadOptions } from "./csv";
export { parseXmlRecord, XmlEventSplitter } from "./xml";
export { parseClassicRecord } from "./classic";
export { parseJsonRecord, JsonRecordSplitter } from "./json";
export { parseRawRecord } from "./raw";
