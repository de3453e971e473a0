// Splunk field synthesis: the fields the ESCU searches group by, computed the same way whatever the input
// format was. See docs/reference/splunk-semantics.md §7:
//  - Event 29 is searched as the *classic* WinEventLog rendering (sourcetype IIS:Configuration:Operational),
//    whose fields are OpCode (rendered name), ComputerName and Message. XML input would leave them null and
//    Splunk would drop every row, so we synthesise them.
//  - Event 2282 is searched as XmlWinEventLog:Application, where Name = <Provider Name>, ModuleDll =
//    EventData/ModuleDll and dest = Computer (FIELDALIAS for that source; EVAL coalesce for classic).
import type { InputFormat } from "./event";

/** Channel of the IIS configuration audit log and the sourcetype the `iis_operational_logs` macro expects. */
export const IIS_CONFIGURATION_CHANNEL = "Microsoft-IIS-Configuration/Operational";
export const IIS_CONFIGURATION_SOURCETYPE = "IIS:Configuration:Operational";

// Standard opcode names (winmeta.xml) as Windows renders them in classic text and RenderingInfo.
const OPCODE_NAMES: Record<number, string> = {
  0: "Info",
  1: "Start",
  2: "Stop",
  3: "DCStart",
  4: "DCStop",
  5: "Extension",
  6: "Reply",
  7: "Resume",
  8: "Suspend",
  9: "Send",
  240: "Receive",
};

export function opcodeName(opcode: number | null | undefined, rendered?: string | null): string | null {
  if (rendered) return rendered;
  if (opcode === null || opcode === undefined) return null;
  return OPCODE_NAMES[opcode] ?? String(opcode);
}

const IIS_CONFIGURATION_CHANNEL_LOWER = IIS_CONFIGURATION_CHANNEL.toLowerCase();

/** Splunk's source and sourcetype for an event of this channel, as the Windows TA would set them. */
export function sourceAndSourcetype(channel: string, format: InputFormat): { source: string; sourcetype: string } {
  if (channel.toLowerCase() === IIS_CONFIGURATION_CHANNEL_LOWER) {
    return { source: IIS_CONFIGURATION_SOURCETYPE, sourcetype: IIS_CONFIGURATION_SOURCETYPE };
  }
  // Classic text keeps its classic source; every structured format is what the XML forwarder would send.
  return format === "classic"
    ? { source: `WinEventLog:${channel}`, sourcetype: "WinEventLog" }
    : { source: `XmlWinEventLog:${channel}`, sourcetype: "XmlWinEventLog" };
}

export interface SplunkFieldInput {
  channel: string;
  provider: string;
  computer: string;
  opcodeName: string | null;
  message: string | null;
  data: Record<string, string | null>;
  format: InputFormat;
}

const present = (v: string | null | undefined): string | null => (v === undefined || v === null || v === "" ? null : v);

/**
 * The Splunk fields every event gets, declared once: how each is computed from the event, and the `events` column
 * that holds it. The event type (SplunkFields), the bulk writer's columns and the fields a detection may search
 * (lib/detections/fields.ts) all derive from this table, so a new field is an entry here plus its column in
 * prisma/schema.prisma and a migration (a test checks the column exists).
 */
export const SPLUNK_FIELDS = {
  source: { column: "source", value: (e: SplunkFieldInput): string => sourceAndSourcetype(e.channel, e.format).source },
  sourcetype: { column: "sourcetype", value: (e: SplunkFieldInput): string => sourceAndSourcetype(e.channel, e.format).sourcetype },
  OpCode: { column: "f_opcode", value: (e: SplunkFieldInput) => present(e.opcodeName) },
  ComputerName: { column: "f_computer_name", value: (e: SplunkFieldInput) => present(e.computer) },
  Message: { column: "f_message", value: (e: SplunkFieldInput) => present(e.message) },
  Name: { column: "f_name", value: (e: SplunkFieldInput) => present(e.provider) },
  ModuleDll: { column: "f_module_dll", value: (e: SplunkFieldInput) => present(e.data.ModuleDll) },
  dest: { column: "dest", value: (e: SplunkFieldInput) => present(e.computer) },
} as const;

export type SplunkFieldName = keyof typeof SPLUNK_FIELDS;
/** The registry's fields, in its order (the order of their columns in the bulk writer). */
export const SPLUNK_FIELD_NAMES = Object.keys(SPLUNK_FIELDS) as SplunkFieldName[];

/** Field names exactly as the ESCU searches use them, plus Splunk's source/sourcetype. */
export type SplunkFields = { [F in SplunkFieldName]: ReturnType<(typeof SPLUNK_FIELDS)[F]["value"]> };

export function splunkFields(e: SplunkFieldInput): SplunkFields {
  const fields: Partial<Record<SplunkFieldName, string | null>> = {};
  for (const f of SPLUNK_FIELD_NAMES) fields[f] = SPLUNK_FIELDS[f].value(e);
  return fields as SplunkFields;
}
