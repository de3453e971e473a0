// The contract between every input-format parser and the rest of the pipeline.
//
// Parsers (XML, EVTX, classic text, JSON, CSV) each turn a record into `EventParts` — the pieces of a
// Windows event as Windows itself models them (System, EventData, RenderingInfo) — and `normalizeEvent`
// turns those parts into the one `NormalizedEvent` the database stores. Keeping the Windows model in the
// middle means the Splunk field synthesis (OpCode, ComputerName, Message, Name, ModuleDll, dest) is
// written once, in splunk-fields.ts, whatever the input format.
import type { SplunkFields } from "./splunk-fields";

export const INPUT_FORMATS = ["xml", "evtx", "classic", "json", "csv"] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** The <System> block of an event (and what other formats carry of it). */
export interface SystemParts {
  provider: string | null;
  providerGuid?: string | null;
  eventSourceName?: string | null;
  /** EventID text, qualifiers stripped. */
  eventId: number | null;
  qualifiers?: number | null;
  version?: number | null;
  level?: number | null;
  task?: number | null;
  opcode?: number | null;
  keywords?: string | null;
  /** TimeCreated/@SystemTime as written in the input (full precision kept), ISO 8601 UTC. */
  timeCreated: string | null;
  recordId?: number | null;
  processId?: number | null;
  threadId?: number | null;
  channel: string | null;
  computer: string | null;
  userSid?: string | null;
}

/** <RenderingInfo> (or the equivalent rendered fields of classic text, JSON and CSV exports). */
export interface RenderingParts {
  message?: string | null;
  level?: string | null;
  opcode?: string | null;
  task?: string | null;
}

export interface EventParts {
  system: SystemParts;
  /**
   * EventData/UserData values by name; unnamed values keyed by their 0-based position ("0", "1", ...), which
   * normalizeEvent names from the event catalogue when their count matches. Event XML is mapped by
   * formats/event-xml.ts (repeated names: "Name", "Name#2", …; <Binary> as "Binary").
   */
  data: Record<string, string | null>;
  rendering?: RenderingParts;
}

/** Declared by the field registry, lib/ingest/splunk-fields.ts. */
export type { SplunkFields };

export interface NormalizedEvent {
  /** Event time, UTC. */
  time: Date;
  /** The original TimeCreated text (sub-millisecond precision kept), ISO 8601 UTC. */
  timeCreated: string | null;
  host: string;
  channel: string;
  provider: string;
  providerGuid: string | null;
  eventSourceName: string | null;
  eventCode: number;
  qualifiers: number | null;
  recordId: number | null;
  version: number | null;
  level: number | null;
  opcode: number | null;
  /** Rendered opcode name ("Info", "Start", ...). */
  opcodeName: string | null;
  task: number | null;
  keywords: string | null;
  userSid: string | null;
  processId: number | null;
  threadId: number | null;
  data: Record<string, string | null>;
  /** Rendered message: from the input, else rendered from the event catalogue's template (catalogue/events.json). */
  message: string | null;
  /**
   * Set when the event data could not be named without guessing (positional values whose count does not match the
   * catalogue, no catalogue names, a message that does not follow its template): why, for the upload report.
   */
  dataNote?: string;
  splunk: SplunkFields;
  format: InputFormat;
  /** The record's original text exactly as read (for EVTX: the XML Windows renders). */
  raw: string;
  /** 1-based record number within the file. */
  position: number;
}

/** A record that could not be turned into an event: the file goes on, the report keeps where and why. */
export interface RejectedRecord {
  position: number;
  /** "line 12", "byte 65536", "chunk 3 record 17"... */
  location?: string;
  reason: string;
  excerpt?: string;
}

export type ParsedRecord = { ok: true; event: NormalizedEvent } | { ok: false; rejected: RejectedRecord };

/** Raised when a file cannot be read at all (not a log, hostile, truncated header...). Fails fast. */
export class InputFormatError extends Error {
  constructor(
    message: string,
    /** Where it went wrong ("byte 0", "line 3"...). */
    readonly location?: string,
  ) {
    super(location ? `${message} (at ${location})` : message);
    this.name = "InputFormatError";
  }
}
