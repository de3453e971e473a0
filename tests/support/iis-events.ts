// Builders of Events 29 and 2282 as each input format delivers them (EventParts -> normalizeEvent), and a way to
// store them, for the database tests of detections, risk, hosts, triage and ingest. Each format variation carries
// what that format really has: XML the System block and named EventData; classic text only rendered fields and the
// message; JSON (Winlogbeat) event data plus the rendered message and opcode name.
import type pg from "pg";
import { db } from "../../lib/db/client";
import { pgPool } from "../../lib/db/pg";
import type { EventParts, InputFormat, NormalizedEvent } from "../../lib/ingest/event";
import { renderMessage } from "../../lib/ingest/catalogue";
import { normalizeEvent } from "../../lib/ingest/normalize";
import { storeEvents } from "../../lib/ingest/store";

export const IIS_CONFIG_PROVIDER = "Microsoft-Windows-IIS-Configuration";
export const IIS_CONFIG_CHANNEL = "Microsoft-IIS-Configuration/Operational";
export const W3SVC_WP_PROVIDER = "Microsoft-Windows-IIS-W3SVC-WP";

let nextRecordId = 1;

export interface Event29Input {
  host: string;
  time: string;
  configuration: string;
  configPath?: string;
  editOperationType?: string;
  oldValue?: string;
  newValue?: string;
  recordId?: number;
  /** Drop the rendered message and the data it is rendered from (a record Splunk would show without Message). */
  withoutMessage?: boolean;
}

export function event29Parts(input: Event29Input, format: InputFormat): EventParts {
  const configPath = input.configPath ?? "MACHINE/WEBROOT/APPHOST";
  const data: Record<string, string | null> = input.withoutMessage
    ? {}
    : {
        PhysicalPath: "",
        ConfigPath: configPath,
        EffectiveLocationPath: "",
        Configuration: input.configuration,
        EditOperationType: input.editOperationType ?? "1",
        OldValue: input.oldValue ?? "",
        NewValue: input.newValue ?? "",
      };
  const message = input.withoutMessage ? null : `Changes to '${input.configuration}' at '${configPath}' have successfully been committed.`;
  const system = {
    provider: IIS_CONFIG_PROVIDER,
    eventId: 29,
    timeCreated: input.time,
    channel: IIS_CONFIG_CHANNEL,
    computer: input.host,
    recordId: input.recordId ?? nextRecordId++,
  };
  switch (format) {
    case "classic":
      return { system, data: {}, rendering: { message, opcode: "Info" } };
    case "json":
      return { system: { ...system, opcode: 0 }, data, rendering: { message, opcode: "Info" } };
    default:
      return { system: { ...system, opcode: 0, level: 5, version: 0, task: 0 }, data };
  }
}

export interface Event2282Input {
  host: string;
  time: string;
  moduleDll?: string | null;
  processorArchitecture?: string;
  recordId?: number;
}

export function event2282Parts(input: Event2282Input, format: InputFormat): EventParts {
  const arch = input.processorArchitecture ?? "AMD64";
  const data: Record<string, string | null> =
    input.moduleDll === null ? {} : { ModuleDll: input.moduleDll ?? "c:\\temp\\msf.dll", ProcessorArchitecture: arch };
  const system = {
    provider: W3SVC_WP_PROVIDER,
    eventSourceName: "W3SVC-WP",
    eventId: 2282,
    qualifiers: 49152,
    timeCreated: input.time,
    channel: "Application",
    computer: input.host,
    recordId: input.recordId ?? nextRecordId++,
  };
  const message =
    input.moduleDll === null
      ? null
      : `The Module DLL '${data.ModuleDll}' could not be loaded due to a configuration problem. The current configuration only supports loading images built for a ${arch} processor architecture. The data field contains the error number.`;
  switch (format) {
    case "classic":
      return { system, data: {}, rendering: { message, opcode: "Info", level: "Error" } };
    case "json":
      return { system: { ...system, opcode: 0 }, data, rendering: { message, opcode: "Info" } };
    default:
      return { system: { ...system, opcode: 0, level: 2 }, data: input.moduleDll === null ? {} : { ...data, Binary: "C1000000" } };
  }
}

/** An event of 2282's family (W3SVC-WP on the Application log) whose data no source names: 2293, 2295, 2296, 2298, 2214, 2220. */
export interface W3svcWpEventInput {
  host: string;
  time: string;
  eventId: number;
  /** The message's insertion strings, %1 first (the event's unnamed <Data>). */
  strings: string[];
  /** The Win32 error in the event's binary data ("The data is the error"). */
  error?: number;
  recordId?: number;
}

/**
 * Such an event as each format delivers it: XML with unnamed <Data> (positional) and <Binary>, Winlogbeat JSON with
 * its positional data and the rendered message, classic text with only the message (rendered from the catalogue's
 * template, as Windows renders it from the manifest's).
 */
export function w3svcWpEventParts(input: W3svcWpEventInput, format: InputFormat): EventParts {
  const positional: Record<string, string | null> = Object.fromEntries(input.strings.map((v, i) => [String(i), v]));
  const message = renderMessage(W3SVC_WP_PROVIDER, input.eventId, positional);
  if (message === null) throw new Error(`no message template for ${input.eventId} with ${input.strings.length} strings`);
  const binary: Record<string, string> = input.error === undefined ? {} : { Binary: Buffer.from(Uint32Array.of(input.error).buffer).toString("hex").toUpperCase() };
  const system = {
    provider: W3SVC_WP_PROVIDER,
    eventSourceName: "W3SVC-WP",
    eventId: input.eventId,
    qualifiers: 49152,
    timeCreated: input.time,
    channel: "Application",
    computer: input.host,
    recordId: input.recordId ?? nextRecordId++,
  };
  switch (format) {
    case "classic":
      return { system, data: {}, rendering: { message, opcode: "Info", level: "Error" } };
    case "json":
      return { system: { ...system, opcode: 0 }, data: { ...positional, ...binary }, rendering: { message, opcode: "Info" } };
    default:
      return { system: { ...system, opcode: 0, level: 2 }, data: { ...positional, ...binary } };
  }
}

/** Events of 2282's family built from `inputs`, exported as `format`, stored as one upload; returns the upload id. */
export const storeW3svcWp = (inputs: W3svcWpEventInput[], format: InputFormat = "xml") =>
  storeAsUpload(normalized(inputs.map((i) => w3svcWpEventParts(i, format)), format));

export function normalized(parts: EventParts[], format: InputFormat): NormalizedEvent[] {
  return parts.map((p, i) => normalizeEvent(p, JSON.stringify(p), format, i + 1));
}

/** Stores events as one upload; returns the upload id. */
export async function storeAsUpload(events: NormalizedEvent[], filename = "test"): Promise<string> {
  const upload = await db().upload.create({ data: { filename, status: "done" } });
  const client: pg.PoolClient = await pgPool().connect();
  try {
    await storeEvents(client, upload.id, events, "unnest");
  } finally {
    client.release();
  }
  return upload.id;
}

/** Events 29 built from `inputs`, exported as `format`, stored as one upload; returns the upload id. */
export const store29 = (inputs: Event29Input[], format: InputFormat = "xml") => storeAsUpload(normalized(inputs.map((i) => event29Parts(i, format)), format));

/** Events 2282 built from `inputs`, exported as `format`, stored as one upload; returns the upload id. */
export const store2282 = (inputs: Event2282Input[], format: InputFormat = "xml") => storeAsUpload(normalized(inputs.map((i) => event2282Parts(i, format)), format));
