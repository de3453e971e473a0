// Splunk exports (JSON and CSV) carry each event's original text in `_raw`: Splunk XmlWinEventLog XML or
// classic WinEventLog text. This parses it with the matching record parser; the event keeps `_raw` as its raw
// text and the format of the `_raw` rendering ("xml" or "classic"), which is what decides Splunk's
// source/sourcetype for it.
import type { ParsedRecord } from "../event";
import { isClassicTimestampLine, parseClassicRecord } from "./classic";
import { rejectRecord } from "./common";
import { parseXmlRecord } from "./xml";

export function parseRawRecord(raw: string, position: number, line: number): ParsedRecord {
  const lead = /^\s*/.exec(raw)![0];
  const text = raw.slice(lead.length).replace(/\s+$/, "");
  const startLine = line + (lead.match(/\n/g)?.length ?? 0);
  if (text.startsWith("<")) return parseXmlRecord(text, position, startLine, { raw });
  const firstLine = text.split(/\r?\n/, 1)[0];
  if (isClassicTimestampLine(firstLine)) return parseClassicRecord(text, position, startLine, { raw });
  return rejectRecord(position, `line ${line}`, "the _raw field is neither event XML nor classic WinEventLog text", raw);
}
