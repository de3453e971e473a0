// A Splunk search result row (CSV or JSON export) without `_raw`: the event is rebuilt from the extracted
// fields. Both the classic field names (EventCode, ComputerName, LogName, SourceName, RecordNumber, OpCode,
// Message, Type, TaskCategory, Sid) and the XmlWinEventLog ones (Computer, Channel, Name, Guid, EventRecordID,
// Opcode, SystemTime, ProcessID, ThreadID, UserID, Qualifiers, Version, Level, Task, Keywords) are understood;
// Splunk TA 8.x keeps the quotes of XML attribute values ("'Microsoft-Windows-IIS-W3SVC-WP'"), which are removed.
// Every other field not starting with "_" and not Splunk metadata becomes event data (ModuleDll, Configuration…).
import type { EventParts } from "../event";
import { RecordError } from "../normalize";
import { cleanMessage, eventCodeFrom, guidText, keywordsText, toInt } from "./common";

const SYSTEM_FIELDS = new Set(
  [
    "EventCode", "EventID", "ComputerName", "Computer", "dest", "host", "LogName", "Channel", "SourceName", "Name", "Provider",
    "Guid", "ProviderGuid", "EventSourceName", "RecordNumber", "EventRecordID", "OpCode", "Opcode", "Message", "Type", "TaskCategory",
    "Task", "Sid", "UserID", "User", "SidType", "EventType", "Keywords", "Level", "Version", "Qualifiers", "SystemTime", "TimeCreated",
    "ProcessID", "ThreadID", "source", "sourcetype", "index", "linecount", "punct", "splunk_server", "splunk_server_group", "eventtype",
    "tag", "timestartpos", "timeendpos", "id", "event_id", "signature_id", "dvc", "dvc_nt_host", "vendor_product", "user_id",
    "System_Props_Xml", "EventData_Xml", "count", "Error_Code", "action", "app", "status", "signature", "user", "src_user", "name",
  ].map((f) => f.toLowerCase()),
);

const unquote = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const t = (Array.isArray(v) ? String(v[0] ?? "") : String(v)).trim().replace(/^'(.*)'$/s, "$1").replace(/^"(.*)"$/s, "$1");
  return t === "" ? null : t;
};

const none = (v: unknown): string | null => {
  const t = unquote(v);
  return t === null || /^none$/i.test(t) ? null : t;
};

/** Splunk's `_time`: ISO text ("2022-12-20T15:58:25.325+00:00", "2022-12-20 15:58:25.325 UTC") or epoch seconds. */
export function splunkTime(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  const t = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const [secs, frac = ""] = t.split(".");
    const iso = new Date(Number(secs) * 1000).toISOString().replace(/\.\d{3}Z$/, "");
    return frac ? `${iso}.${frac}Z` : `${iso}Z`;
  }
  return t
    .replace(/\s+UTC$/i, "Z")
    .replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, "$1T$2")
    .replace(/(\.\d+|:\d{2})\s+([+-]\d{2}:?\d{2}|Z)$/, "$1$2")
    .replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
}

/** Case-insensitive field lookup (Splunk field names are case-sensitive, but exports vary). */
function field(row: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) if (row[n] !== undefined && row[n] !== null && row[n] !== "") return row[n];
  return undefined;
}

export function splunkRowParts(row: Record<string, unknown>): EventParts {
  const source = unquote(row.source);
  const channelFromSource = source ? /^(?:Xml)?WinEventLog:(.+)$/i.exec(source)?.[1] ?? null : null;
  const qualifiers = toInt(unquote(row.Qualifiers));
  const code = eventCodeFrom(unquote(field(row, "EventCode", "EventID")), qualifiers);
  if (code.eventId === null) throw new RecordError("missing event id (no EventCode column)");
  // "Opcode" is numeric in XML renderings and a name elsewhere; "OpCode" is always the rendered name.
  const opcodeField = unquote(row.Opcode);
  const opcodeNumber = toInt(opcodeField);
  const data: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith("_") || k.startsWith("date_") || SYSTEM_FIELDS.has(k.toLowerCase())) continue;
    if (v === null || v === undefined || v === "" || typeof v === "object") continue;
    data[k] = String(v);
  }
  return {
    system: {
      provider: unquote(field(row, "SourceName", "Name", "Provider")),
      providerGuid: guidText(unquote(field(row, "Guid", "ProviderGuid"))),
      eventSourceName: unquote(row.EventSourceName),
      eventId: code.eventId,
      qualifiers: code.qualifiers,
      version: toInt(unquote(row.Version)),
      level: toInt(unquote(row.Level)),
      task: toInt(unquote(row.Task)),
      opcode: opcodeNumber,
      keywords: keywordsText(unquote(row.Keywords)),
      timeCreated: splunkTime(unquote(field(row, "SystemTime", "_time", "TimeCreated"))),
      recordId: toInt(unquote(field(row, "RecordNumber", "EventRecordID"))),
      processId: toInt(unquote(row.ProcessID)),
      threadId: toInt(unquote(row.ThreadID)),
      channel: unquote(field(row, "LogName", "Channel")) ?? channelFromSource,
      computer: unquote(field(row, "ComputerName", "Computer", "dest", "host")),
      userSid: none(field(row, "Sid", "UserID")),
    },
    data,
    rendering: {
      message: cleanMessage(unquote(row.Message) === null ? null : String(row.Message)),
      level: none(row.Type),
      opcode: none(row.OpCode) ?? (opcodeNumber === null ? none(opcodeField) : null),
      task: none(row.TaskCategory),
    },
  };
}
