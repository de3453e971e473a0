// The text-format readers, in sniffing order: the most specific first. Every reader by format name, EVTX
// included, is lib/ingest/readers.ts.
import type { FormatReader } from "../parser";
import { classicReader } from "./classic";
import { csvReader } from "./csv";
import { jsonReader } from "./json";
import { xmlReader } from "./xml";

export const textReaders: FormatReader[] = [xmlReader, classicReader, jsonReader, csvReader];
