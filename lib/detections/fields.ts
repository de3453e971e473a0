// Splunk field names the detections search on, and the `events` columns that hold them. The ingest pipeline
// synthesises these fields the same way from every input format (lib/ingest/splunk-fields.ts), so a search written
// against Splunk's names runs unchanged on any upload.

/** Every field a detection's structured search may name. */
export const SEARCHABLE_FIELDS = [
  "EventCode",
  "OpCode",
  "ComputerName",
  "Message",
  "Name",
  "ModuleDll",
  "dest",
  "source",
  "sourcetype",
  "Channel",
  "host",
] as const;

export type SearchableField = (typeof SEARCHABLE_FIELDS)[number];

/** The SQL expression (over the events table aliased `e`) giving each field's value as Splunk sees it: text. */
export const FIELD_COLUMNS: Record<SearchableField, string> = {
  EventCode: "e.event_code::text",
  OpCode: "e.f_opcode",
  ComputerName: "e.f_computer_name",
  Message: "e.f_message",
  Name: "e.f_name",
  ModuleDll: "e.f_module_dll",
  dest: "e.dest",
  source: "e.source",
  sourcetype: "e.sourcetype",
  Channel: "e.channel",
  host: "e.host",
};

/** Fields stored as plain columns that an index can serve with an equality (EventCode is an integer column). */
export function integerEquality(field: SearchableField, value: string): string | null {
  return field === "EventCode" && /^\d+$/.test(value) ? `e.event_code = ${Number(value)}` : null;
}
