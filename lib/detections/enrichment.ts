// Enrichment beyond Splunk: what an analyst wants next to an ESCU row but the search does not return. Stored in
// DetectionResult.enrichment, never in the row itself (which stays exactly Splunk's). Pure functions over the
// distinct event-data values of a result's contributing events.

/** Event data values of one contributing event, for the fields the spec's enrichment names. */
export type EventDetail = Record<string, string | null>;

export const CONFIGURATION_CHANGE_KINDS = ["module_added", "module_removed", "http_logging_disabled", "other_configuration_change"] as const;
export type ConfigurationChangeKind = (typeof CONFIGURATION_CHANGE_KINDS)[number];

export interface ConfigurationChange {
  kind: ConfigurationChangeKind;
  /** Where the module was added or removed: server-wide (globalModules) or per site/app (modules). */
  scope?: "globalModules" | "modules";
  module?: string;
  image?: string;
  configuration: string | null;
  configPath: string | null;
  /** EditOperationType: 1 Add, 2 Delete, 3 Modify. */
  operation: "add" | "delete" | "modify" | null;
  oldValue: string | null;
  newValue: string | null;
}

export interface ModuleLoadFailure {
  moduleDll: string | null;
  processorArchitecture: string | null;
  /** Win32 error from the event's binary data (little-endian), e.g. 193 = ERROR_BAD_EXE_FORMAT. */
  errorCode?: number;
  errorName?: string;
}

const OPERATIONS: Record<string, ConfigurationChange["operation"]> = { "1": "add", "2": "delete", "3": "modify" };

const blankToNull = (v: string | null | undefined): string | null => (v === undefined || v === null || v.trim() === "" ? null : v);

/** `[@name="X"]` (or single-quoted) in a configuration XPath. */
function elementName(configuration: string): string | undefined {
  return /\[@name=(?:"([^"]*)"|'([^']*)')\]/i.exec(configuration)?.slice(1).find((v) => v !== undefined);
}

const looksLikeImage = (v: string | null) => v !== null && (/\.dll$/i.test(v.trim()) || /^[a-z]:\\|^%|^\\\\/i.test(v.trim()));

/**
 * Classifies one Event 29 (a committed IIS configuration change) from its Configuration XPath, edit operation and
 * values. Module adds are `/system.webServer/globalModules/add[@name="X"]` (server-wide, with the DLL image) and
 * `/system.webServer/modules/add[@name="X"]` (enabling it), as `appcmd install module` commits them (Sigma
 * win_iis_module_added); removals are `.../modules/remove` or a Delete of an add element; HTTP logging is disabled by
 * `/system.webServer/httpLogging/@dontLog` set to true (Sigma win_iis_logging_http_disabled).
 */
export function classifyConfigurationChange(detail: EventDetail): ConfigurationChange {
  const configuration = blankToNull(detail.Configuration);
  const newValue = blankToNull(detail.NewValue);
  const oldValue = blankToNull(detail.OldValue);
  const operation = OPERATIONS[(detail.EditOperationType ?? "").trim()] ?? null;
  const base = { configuration, configPath: blankToNull(detail.ConfigPath), operation, oldValue, newValue };
  const path = configuration ?? "";

  const moduleElement = /^\/system\.webServer\/(globalModules|modules)\/(add|remove)\b(.*)$/i.exec(path);
  if (moduleElement) {
    const scope = moduleElement[1].toLowerCase() === "globalmodules" ? "globalModules" : "modules";
    const attribute = /\/@(\w+)$/.exec(moduleElement[3])?.[1]?.toLowerCase();
    // The name is in the element selector, or is the value itself when the change sets the name attribute.
    const moduleName = elementName(path) ?? (attribute === "name" ? (newValue ?? oldValue ?? undefined) : undefined);
    const image = attribute === "image" || looksLikeImage(newValue) ? (newValue ?? undefined) : undefined;
    const removed = moduleElement[2].toLowerCase() === "remove" || operation === "delete";
    return {
      ...base,
      kind: removed ? "module_removed" : "module_added",
      scope,
      ...(moduleName ? { module: moduleName } : {}),
      ...(image ? { image } : {}),
    };
  }
  if (/^\/system\.webServer\/httpLogging\/@dontLog$/i.test(path) && newValue?.trim().toLowerCase() === "true") {
    return { ...base, kind: "http_logging_disabled" };
  }
  return { ...base, kind: "other_configuration_change" };
}

const WIN32_ERRORS: Record<number, string> = { 2: "ERROR_FILE_NOT_FOUND", 5: "ERROR_ACCESS_DENIED", 126: "ERROR_MOD_NOT_FOUND", 193: "ERROR_BAD_EXE_FORMAT" };

/** The Win32 error in Event 2282's <Binary> (hex of a little-endian DWORD: C1000000 = 193). */
export function win32ErrorFromBinary(binary: string | null | undefined): number | undefined {
  const hex = (binary ?? "").trim();
  if (!/^[0-9a-f]{8}$/i.test(hex)) return undefined;
  return Buffer.from(hex, "hex").readUInt32LE(0);
}

export function describeModuleLoadFailure(detail: EventDetail): ModuleLoadFailure {
  const errorCode = win32ErrorFromBinary(detail.Binary);
  return {
    moduleDll: blankToNull(detail.ModuleDll),
    processorArchitecture: blankToNull(detail.ProcessorArchitecture),
    ...(errorCode !== undefined ? { errorCode, ...(WIN32_ERRORS[errorCode] ? { errorName: WIN32_ERRORS[errorCode] } : {}) } : {}),
  };
}

/** A process start (Sysmon 1 / Security 4688) as a Sigma process_creation rule matched it. */
export interface ProcessCreation {
  image: string | null;
  commandLine: string | null;
  parentImage: string | null;
}

/**
 * One process start from its event data: Sysmon's names (Image, ParentImage) or Security 4688's (NewProcessName,
 * ParentProcessName), as sigma.ts maps them.
 */
export function describeProcessCreation(detail: EventDetail): ProcessCreation {
  return {
    image: blankToNull(detail.Image) ?? blankToNull(detail.NewProcessName),
    commandLine: blankToNull(detail.CommandLine),
    parentImage: blankToNull(detail.ParentImage) ?? blankToNull(detail.ParentProcessName),
  };
}

/** What each detection's spec names as its enrichment (spec.enrichment.kind): one enricher each, in ENRICHERS. */
export type EnrichmentKind = "iis-configuration-change" | "iis-module-load-failure" | "iis-command" | "process-creation";

/** Contributing events: how many, and the first ids (the rest are in detection_result_events). */
export interface ContributingEvents {
  eventCount: number;
  eventIds: string[];
  eventIdsTruncated: boolean;
}

export const MAX_EVENT_IDS_IN_ENRICHMENT = 100;

/** What an enricher adds for its kind of detection. */
type EnrichmentBody = { finding: Finding } & (
  | { kind: "iis-configuration-change"; changes: ConfigurationChange[] }
  | { kind: "iis-module-load-failure"; failures: ModuleLoadFailure[] }
  | { kind: "iis-command"; commands: IisCommand[] }
  | { kind: "process-creation"; processes: ProcessCreation[] }
);

/**
 * The shape of detection_results.enrichment, declared once: the engine writes it, and every reader (the SQL below
 * through ENRICHMENT_KEYS and its nested key lists, the generated columns' migrations through a test, pages and
 * components through StoredEnrichment) names its keys from here.
 */
export type Enrichment = ContributingEvents & EnrichmentBody;

type KeysOfUnion<T> = T extends unknown ? keyof T : never;
/** Every key of T, each its own name. */
type KeyNames<T> = { readonly [K in KeysOfUnion<T>]: K };

/**
 * KeyNames<T> from the list of T's keys, which must name them all: a key left out, or one T does not have, does not
 * compile. `keyNames<T>()("a", "b")` is `{ a: "a", b: "b" }`.
 */
function keyNames<T>() {
  type Key = KeysOfUnion<T>;
  return <const K extends readonly Key[]>(...keys: K & ([Exclude<Key, K[number]>] extends [never] ? unknown : { missing: Exclude<Key, K[number]> })): KeyNames<T> =>
    Object.fromEntries(keys.map((k) => [k, k])) as KeyNames<T>;
}

/**
 * An enrichment as a reader finds it in detection_results: what enrich() wrote, but `{}` (the column's default)
 * for a result not enriched yet, and without `finding` for results enriched before findings existed until
 * backfill-findings.ts adds it. So every key may be missing.
 */
export type StoredEnrichment = { [K in KeysOfUnion<Enrichment>]?: Enrichment extends infer E ? (E extends unknown ? (K extends keyof E ? E[K] : never) : never) : never };

/**
 * The enrichment JSON's keys for SQL that reads it (`enrichment -> '${ENRICHMENT_KEYS.finding}'`): each list names
 * every key of its type, so renaming a property breaks the build here and then at each reader, not a page.
 */
export const ENRICHMENT_KEYS = keyNames<Enrichment>()("kind", "eventCount", "eventIds", "eventIdsTruncated", "finding", "changes", "failures", "commands", "processes");
export const CHANGE_KEYS = keyNames<ConfigurationChange>()("kind", "scope", "module", "image", "configuration", "configPath", "operation", "oldValue", "newValue");
export const FAILURE_KEYS = keyNames<ModuleLoadFailure>()("moduleDll", "processorArchitecture", "errorCode", "errorName");
export const COMMAND_KEYS = keyNames<IisCommand>()("kind", "module", "image", "text");
export const FINDING_KEYS = keyNames<Finding>()("kind", "rank", "text");

/**
 * What a result means for an analyst, most serious first: a module installed is how IIS backdoors (RGDoor, IceApple,
 * DoorMe…) persist; a DLL failing to load is often a backdoor built for the wrong architecture; disabling HTTP
 * logging hides their traffic. The rank orders notables and hosts ("backdoors first"). Declared once: the database
 * keeps each result's kind and rank in generated columns (finding_kind, finding_rank) from its enrichment.
 */
export const FINDING_KINDS = {
  module_added: { rank: 4, label: "module installed" },
  module_load_failure: { rank: 3, label: "DLL failed to load" },
  http_logging_disabled: { rank: 3, label: "HTTP logging disabled" },
  assembly_added_to_gac: { rank: 3, label: "assembly added to the GAC" },
  module_removed: { rank: 2, label: "module removed" },
  suspicious_process: { rank: 2, label: "suspicious process" },
  other_configuration_change: { rank: 1, label: "configuration change" },
} as const;
export type FindingKind = keyof typeof FINDING_KINDS;
export const FINDING_KIND_NAMES = Object.keys(FINDING_KINDS) as FindingKind[];

export interface Finding {
  kind: FindingKind;
  rank: number;
  /** One line: "Module EvilMod (C:\\x\\evil.dll) added to globalModules", "DLL c:\\temp\\msf.dll failed to load (AMD64)"… */
  text: string;
}

const andMore = (n: number, noun: string) => (n > 1 ? `, and ${n - 1} more ${noun}${n > 2 ? "s" : ""}` : "");

/**
 * What a process command line or PowerShell script block of the IIS Components story does: install a module
 * (`appcmd install module /name:X /image:Y`, `New-WebGlobalModule -Name X -Image Y` — Atomic Red Team T1505.004's
 * recipe), turn HTTP logging off (`/section:httplogging /dontLog:true`, `…httpLogging… dontLog …`, `logFile.enabled` false), or put an
 * assembly in the GAC (`gacutil /i`, System.EnterpriseServices.Internal.Publish).
 */
export interface IisCommand {
  kind: "module_installed" | "http_logging_disabled" | "assembly_added_to_gac" | "other";
  module?: string;
  image?: string;
  /** The command line or script block, cut to 300 characters. */
  text: string;
}

const unquote = (v: string | undefined) => v?.replace(/^["']|["']$/g, "");

/** Classifies one command line or script block (the `command` detail). */
export function classifyCommand(detail: EventDetail): IisCommand {
  const command = detail.command ?? "";
  const text = command.length > 300 ? `${command.slice(0, 300)}…` : command;
  const appcmd = /\binstall\s+module\b/i.test(command);
  const cmdlet = /\b(?:New|Enable|Set)-WebGlobalModule\b/i.test(command);
  if (appcmd || cmdlet) {
    const value = (names: string) => unquote(new RegExp(`(?:^|\\s)[-/](?:${names})[:\\s]\\s*("[^"]*"|'[^']*'|\\S+)`, "i").exec(command)?.[1]);
    const moduleName = value("name");
    const image = value("image");
    return { kind: "module_installed", ...(moduleName ? { module: moduleName } : {}), ...(image ? { image } : {}), text };
  }
  if ((/httplogging/i.test(command) && /dontlog/i.test(command)) || /logfile\.enabled\W+(?:-value\s+)?(?:\$)?false/i.test(command)) return { kind: "http_logging_disabled", text };
  if (/gacutil/i.test(command) || /enterpriseservices\.internal\.publish/i.test(command)) return { kind: "assembly_added_to_gac", text };
  return { kind: "other", text };
}

const baseName = (p: string | null) => (p ? (p.split(/[\\/]/).pop() ?? p) : "?");

/**
 * What a process start does to IIS, from its command line: a module installed or registered (`appcmd install|add
 * module`, New-WebGlobalModule, gacutil /i, EnterpriseServices Publish), HTTP logging disabled (`httplogging`
 * `dontLog:true`), or else a suspicious process.
 */
function processFinding(processes: ProcessCreation[], make: (kind: FindingKind, text: string) => Finding): Finding {
  const by = (p: ProcessCreation) => `${baseName(p.image)}${p.parentImage ? ` (parent ${baseName(p.parentImage)})` : ""}`;
  const installs = processes.filter((p) => /\b(?:install|add)\s+module\b|New-WebGlobalModule|gacutil|enterpriseservices\.internal\.publish/i.test(p.commandLine ?? ""));
  if (installs.length) {
    const cl = installs[0].commandLine ?? "";
    const name = /[-/]name:\s*"?([^"\s]+)/i.exec(cl)?.[1];
    const image = /[-/]image:\s*(?:"([^"]+)"|(\S+))/i.exec(cl)?.slice(1).find(Boolean);
    return make("module_added", `Module ${name ?? "(unnamed)"}${image ? ` (${image})` : ""} installed by ${by(installs[0])}${andMore(installs.length, "process start")}`);
  }
  const logging = processes.find((p) => /httplogging/i.test(p.commandLine ?? "") && /dontLog:\s*true/i.test(p.commandLine ?? ""));
  if (logging) return make("http_logging_disabled", `HTTP logging disabled by ${by(logging)}`);
  return make("suspicious_process", `${by(processes[0] ?? { image: null, commandLine: null, parentImage: null })} started${andMore(processes.length, "process start")}`);
}

/** The most serious thing a result's changes, failures, commands or process starts say, as one line. */
export function findingOf(
  e: { changes: ConfigurationChange[] } | { failures: ModuleLoadFailure[] } | { commands: IisCommand[] } | { processes: ProcessCreation[] },
): Finding {
  const make = (kind: FindingKind, text: string): Finding => ({ kind, rank: FINDING_KINDS[kind].rank, text });
  if ("processes" in e) return processFinding(e.processes, make);
  if ("commands" in e) {
    const installed = e.commands.find((c) => c.kind === "module_installed");
    if (installed) return make("module_added", `Module ${installed.module ?? "(unnamed)"}${installed.image ? ` (${installed.image})` : ""} installed`);
    if (e.commands.some((c) => c.kind === "http_logging_disabled")) return make("http_logging_disabled", "HTTP logging disabled");
    if (e.commands.some((c) => c.kind === "assembly_added_to_gac")) return make("assembly_added_to_gac", "Assembly added to the Global Assembly Cache");
    return make("other_configuration_change", `Command: ${e.commands[0]?.text ?? ""}`);
  }
  if ("failures" in e) {
    const dlls = [...new Set(e.failures.map((f) => f.moduleDll).filter((d): d is string => d !== null))];
    const first = e.failures.find((f) => f.moduleDll === dlls[0]);
    const how = [first?.processorArchitecture, first?.errorName].filter(Boolean).join(", ");
    // Event 2298 (the globalModules list is empty) names no DLL: nothing loads.
    if (!dlls.length) return make("module_load_failure", `IIS modules failed to load${how ? ` (${how})` : ""}`);
    return make("module_load_failure", `DLL ${dlls[0]} failed to load${how ? ` (${how})` : ""}${andMore(dlls.length, "DLL")}`);
  }
  const changes = e.changes;
  const modules = (kind: ConfigurationChangeKind) => [...new Set(changes.filter((c) => c.kind === kind).map((c) => c.module ?? "(unnamed)"))];
  const added = modules("module_added");
  if (added.length) {
    const ofFirst = changes.filter((c) => c.kind === "module_added" && (c.module ?? "(unnamed)") === added[0]);
    const image = ofFirst.find((c) => c.image)?.image;
    const scopes = [...new Set(ofFirst.map((c) => c.scope).filter(Boolean))].join(" and ");
    return make("module_added", `Module ${added[0]}${image ? ` (${image})` : ""} added to ${scopes || "IIS"}${andMore(added.length, "module")}`);
  }
  if (changes.some((c) => c.kind === "http_logging_disabled")) return make("http_logging_disabled", "HTTP logging disabled");
  const removed = modules("module_removed");
  if (removed.length) return make("module_removed", `Module ${removed[0]} removed${andMore(removed.length, "module")}`);
  const paths = [...new Set(changes.map((c) => c.configuration).filter((p): p is string => p !== null))];
  return make("other_configuration_change", `Configuration change${paths[0] ? ` to ${paths[0]}` : ""}${andMore(paths.length, "change")}`);
}

function distinctBy<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The enricher of each kind a detection's spec may name, from its contributing events' distinct details. Typed
 * over EnrichmentKind, so a kind without an enricher (or an enricher returning another kind's shape) does not
 * compile, and a spec naming a kind missing here is refused when the catalogue loads (spec.ts takes its kinds
 * from ENRICHMENT_KINDS).
 */
const ENRICHERS: { [K in EnrichmentKind]: (details: EventDetail[]) => Extract<EnrichmentBody, { kind: K }> } = {
  "iis-configuration-change": (details) => {
    const changes = distinctBy(details.map(classifyConfigurationChange));
    return { kind: "iis-configuration-change", changes, finding: findingOf({ changes }) };
  },
  "iis-module-load-failure": (details) => {
    const failures = distinctBy(details.map(describeModuleLoadFailure));
    return { kind: "iis-module-load-failure", failures, finding: findingOf({ failures }) };
  },
  "iis-command": (details) => {
    const commands = distinctBy(details.map(classifyCommand));
    return { kind: "iis-command", commands, finding: findingOf({ commands }) };
  },
  "process-creation": (details) => {
    const processes = distinctBy(details.map(describeProcessCreation));
    return { kind: "process-creation", processes, finding: findingOf({ processes }) };
  },
};

export const ENRICHMENT_KINDS = Object.keys(ENRICHERS) as [EnrichmentKind, ...EnrichmentKind[]];

/**
 * The enrichment of one result from its contributing events' distinct details and ids. `eventCount` is how many
 * events it counted when `eventIds` holds only the first of them (the engine sends no more than the enrichment keeps,
 * so a result over hundreds of thousands of events costs the worker no more memory than one over ten).
 */
export function enrich(
  kind: EnrichmentKind,
  details: EventDetail[],
  eventIds: readonly (string | number | bigint)[],
  eventCount: number = eventIds.length,
): Enrichment {
  const enricher = Object.hasOwn(ENRICHERS, kind) ? ENRICHERS[kind] : undefined;
  // Unreachable from typed code; from an untyped caller a kind nobody enriches is an error, never another kind's shape.
  if (!enricher) throw new Error(`no enricher for enrichment kind ${JSON.stringify(kind)}`);
  return {
    eventCount,
    eventIds: eventIds.slice(0, MAX_EVENT_IDS_IN_ENRICHMENT).map(String),
    eventIdsTruncated: eventCount > MAX_EVENT_IDS_IN_ENRICHMENT,
    ...enricher(details),
  };
}
