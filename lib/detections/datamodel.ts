// The CIM data-model datasets the ESCU `tstats … from datamodel=…` searches read, over our stored events: which
// events a dataset holds (its constraint) and, for each data-model field a search names, which stored value it is.
// This is the ONE place the mapping is written. Sources:
//  - Endpoint.Processes constraint `tag=process tag=report`: Splunk CIM 5.x, Endpoint data model, Processes dataset;
//    the process-creation events tagged so are Sysmon EventID 1 and Security 4688 (the data sources the ESCU
//    YAMLs list: "Sysmon EventID 1", "Windows Event Log Security 4688").
//  - Sysmon EventID 1 fields: Splunk Add-on for Sysmon (Splunk_TA_microsoft_sysmon) props.conf, source
//    XmlWinEventLog:Microsoft-Windows-Sysmon/Operational: process = CommandLine, process_path = Image,
//    process_name = Image's file name, process_id = ProcessId, parent_process = ParentCommandLine,
//    parent_process_path = ParentImage, parent_process_name = ParentImage's file name, parent_process_id =
//    ParentProcessId, original_file_name = OriginalFileName, user = User, dest = Computer.
//  - Security 4688 fields: Splunk Add-on for Microsoft Windows (Splunk_TA_windows) props.conf, source
//    XmlWinEventLog:Security: process = CommandLine, process_path = NewProcessName, process_name = its file name,
//    process_id = NewProcessId, parent_process_path = ParentProcessName, parent_process_name = its file name,
//    parent_process_id = ProcessId (the creator), user = SubjectUserName, dest = Computer; 4688 has no parent
//    command line and no original file name. Windows writes the 4688 ids in hex (0x1a2c); the TA gives them as
//    numbers, so they are converted to decimal here, as Sysmon writes its ids.
// Field values keep their case (Splunk's matching is case-insensitive, its results show the value as written).

/** How one data-model field is read from an event of one source. */
type FieldSource =
  /** An event data value by name (e.data ->> name). */
  | { data: string }
  /** The file name of a path held in event data: what follows the last backslash (or slash). */
  | { fileNameOf: string }
  /** A hex process id (0x…) held in event data, as decimal text. */
  | { hexOf: string }
  /** The event's Computer (its System block). */
  | { computer: true };

interface DatasetSource {
  /** The ESCU `data_source` name. */
  name: string;
  channel: string;
  eventCode: number;
  fields: Partial<Record<ProcessesField, FieldSource>>;
}

export const PROCESSES_FIELDS = [
  "dest",
  "user",
  "process",
  "process_name",
  "process_path",
  "process_id",
  "parent_process",
  "parent_process_name",
  "parent_process_path",
  "parent_process_id",
  "original_file_name",
] as const;
export type ProcessesField = (typeof PROCESSES_FIELDS)[number];

/** Endpoint.Processes: process creation from Sysmon 1 and Security 4688. */
const ENDPOINT_PROCESSES_SOURCES: DatasetSource[] = [
  {
    name: "Sysmon EventID 1",
    channel: "Microsoft-Windows-Sysmon/Operational",
    eventCode: 1,
    fields: {
      dest: { computer: true },
      user: { data: "User" },
      process: { data: "CommandLine" },
      process_name: { fileNameOf: "Image" },
      process_path: { data: "Image" },
      process_id: { data: "ProcessId" },
      parent_process: { data: "ParentCommandLine" },
      parent_process_name: { fileNameOf: "ParentImage" },
      parent_process_path: { data: "ParentImage" },
      parent_process_id: { data: "ParentProcessId" },
      original_file_name: { data: "OriginalFileName" },
    },
  },
  {
    name: "Windows Event Log Security 4688",
    channel: "Security",
    eventCode: 4688,
    fields: {
      dest: { computer: true },
      user: { data: "SubjectUserName" },
      process: { data: "CommandLine" },
      process_name: { fileNameOf: "NewProcessName" },
      process_path: { data: "NewProcessName" },
      process_id: { hexOf: "NewProcessId" },
      parent_process_name: { fileNameOf: "ParentProcessName" },
      parent_process_path: { data: "ParentProcessName" },
      parent_process_id: { hexOf: "ProcessId" },
    },
  },
];

/** The datasets a `from datamodel=<name>` may name, with the object name its fields are prefixed with. */
export const DATA_MODEL_DATASETS = { "Endpoint.Processes": { object: "Processes", sources: ENDPOINT_PROCESSES_SOURCES, fields: PROCESSES_FIELDS } } as const;
export type DataModelDataset = keyof typeof DATA_MODEL_DATASETS;

/** `Processes.process_name`…: the data-model field names as the tstats searches write them. */
export const DATA_MODEL_FIELD_NAMES = PROCESSES_FIELDS.map((f) => `Processes.${f}` as const);
export type DataModelFieldName = (typeof DATA_MODEL_FIELD_NAMES)[number];

const quoted = (s: string) => `'${s.replaceAll("'", "''")}'`;

function sourceExpr(f: FieldSource): string {
  if ("computer" in f) return "e.host";
  if ("data" in f) return `(e.data ->> ${quoted(f.data)})`;
  if ("fileNameOf" in f) return `substring(e.data ->> ${quoted(f.fileNameOf)} from '[^\\\\/]*$')`;
  const v = `(e.data ->> ${quoted(f.hexOf)})`;
  return `CASE WHEN ${v} ~* '^0x[0-9a-f]{1,15}$' THEN (('x' || lpad(substr(${v}, 3), 16, '0'))::bit(64)::bigint)::text ELSE ${v} END`;
}

const isSource = (s: DatasetSource) => `(e.event_code = ${s.eventCode} AND lower(e.channel) = ${quoted(s.channel.toLowerCase())})`;

/** The dataset's constraint over events `e`: the events it holds. */
export function datasetConstraint(dataset: DataModelDataset): string {
  const { sources } = DATA_MODEL_DATASETS[dataset];
  // The event codes first, as one IN list: the events table's (event_code, time) index serves it directly.
  return `(e.event_code IN (${sources.map((s) => s.eventCode).join(", ")}) AND (${sources.map(isSource).join(" OR ")}))`;
}

/** The SQL expression (over events `e`) of every data-model field: its value for the source the event is from. */
export const DATA_MODEL_FIELD_COLUMNS = Object.fromEntries(
  DATA_MODEL_FIELD_NAMES.map((name) => {
    const field = name.slice("Processes.".length) as ProcessesField;
    const cases = ENDPOINT_PROCESSES_SOURCES.filter((s) => s.fields[field]).map((s) => `WHEN ${isSource(s)} THEN ${sourceExpr(s.fields[field]!)}`);
    return [name, `(CASE ${cases.join(" ")} END)`];
  }),
) as Record<DataModelFieldName, string>;
