// Splunk field names the detections search on, and the `events` columns that hold them. The ingest pipeline
// synthesises these fields the same way from every input format (lib/ingest/splunk-fields.ts), so a search written
// against Splunk's names runs unchanged on any upload.
import { SPLUNK_FIELD_NAMES, SPLUNK_FIELDS, type SplunkFieldName } from "../ingest/splunk-fields";

/** Fields Splunk has of every Windows event, held in the event's own columns rather than synthesised. */
const EVENT_FIELD_COLUMNS = { EventCode: "e.event_code::text", Channel: "e.channel", host: "e.host" } as const;

/**
 * Unnamed event data by position, named as Winlogbeat names it (winlog.event_data.param1 is the message's %1). Ingest
 * keys values it has no name for "0", "1", … in every input format (lib/ingest/catalogue), and the W3SVC-WP failure
 * events 2293, 2295, 2296, 2214 and 2220 have no data names in any source, so the local detections on them
 * (content/local/) group by these and rename them. An export that does name that data (a name no source gives
 * today) leaves them empty, and Splunk's null drop then drops its rows: add the name to the catalogue then.
 */
const EVENT_DATA_POSITIONS = { param1: "e.data ->> '0'", param2: "e.data ->> '1'", param3: "e.data ->> '2'" } as const;

export type SearchableField = keyof typeof EVENT_FIELD_COLUMNS | keyof typeof EVENT_DATA_POSITIONS | SplunkFieldName;

/** Every field a detection's structured search may name: the event's own, its positional data, and the registry's synthesised ones. */
export const SEARCHABLE_FIELDS = [
  ...(Object.keys(EVENT_FIELD_COLUMNS) as (keyof typeof EVENT_FIELD_COLUMNS)[]),
  ...(Object.keys(EVENT_DATA_POSITIONS) as (keyof typeof EVENT_DATA_POSITIONS)[]),
  ...SPLUNK_FIELD_NAMES,
] as [SearchableField, ...SearchableField[]];

/** The SQL expression (over the events table aliased `e`) giving each field's value as Splunk sees it: text. */
export const FIELD_COLUMNS: Record<SearchableField, string> = {
  ...EVENT_FIELD_COLUMNS,
  ...EVENT_DATA_POSITIONS,
  ...(Object.fromEntries(SPLUNK_FIELD_NAMES.map((f) => [f, `e.${SPLUNK_FIELDS[f].column}`])) as Record<SplunkFieldName, string>),
};

/** Fields stored as plain columns that an index can serve with an equality (EventCode is an integer column). */
export function integerEquality(field: SearchableField, value: string): string | null {
  return field === "EventCode" && /^\d+$/.test(value) ? `e.event_code = ${Number(value)}` : null;
}
