// The shape of a detection as the engine runs it: everything its YAML says (verbatim), how Enterprise Security
// deploys it, the structured form of its search that the one engine (engine.ts) executes, and the local sidecar's
// enrichment. Detections are data: content.ts builds each spec from its YAML files under content/; adding or
// upgrading one means adding or replacing YAML, never engine code.
import { z } from "zod";
import { SEARCHABLE_FIELDS } from "./fields";
import { DATA_MODEL_DATASETS, type DataModelDataset } from "./datamodel";
import type { SearchCondition } from "./search-shape";
import { ENRICHMENT_KINDS } from "./enrichment";
import { SIGMA_LOGSOURCES, sigmaPredicateSchema, type SigmaLogsourceKey } from "./sigma";

const splunkField = z.enum(SEARCHABLE_FIELDS);

/** `field=value` as Splunk's search command compares it: field names case-sensitive, values case-insensitive. */
const fieldEquals = z.object({ field: splunkField, value: z.string().min(1) });

/** A search macro (macros/*.yml): its SPL verbatim, and the conditions it expands to over our event columns. */
export const macroSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]+$/),
  definition: z.string().min(1),
  /** Where the definition was read. */
  source: z.string().min(1),
  /** The definition expanded (eventtypes included) into field=value alternatives: an event matches if any holds. */
  anyOf: z.array(fieldEquals).min(1),
  /** Why the expansion is what it is (eventtype definitions, newer macro versions...). */
  note: z.string().optional(),
});

/** A search condition (search-shape.ts): values case-insensitive, `*` a wildcard, a missing field matches nothing. */
export const searchConditionSchema: z.ZodType<SearchCondition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(searchConditionSchema).min(1) }),
    z.strictObject({ any: z.array(searchConditionSchema).min(1) }),
    z.strictObject({ not: searchConditionSchema }),
    z.strictObject({ field: splunkField, values: z.array(z.string().min(1)).min(1) }),
  ]),
);

/**
 * The subset of SPL the engine runs, which is exactly the shape of the ESCU searches of the IIS Components story:
 *   `macro` field=value field IN (…) NOT … | stats count min(_time) as firstTime max(_time) as lastTime by F1 F2 ...
 *   | rename A AS B | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)` | `<name>_filter`
 * or, over a CIM data model (datamodel.ts),
 *   | tstats `security_content_summariesonly` count min(_time) as firstTime max(_time) as lastTime
 *     from datamodel=Endpoint.Processes where <conditions> by Processes.F1 … | `drop_dm_object_name(Processes)` | …
 */
export const structuredSearchSchema = z.object({
  /** The event search's macro; null for a tstats search (which reads a data model instead). */
  macro: macroSchema.nullable(),
  /** A tstats search: the dataset, and the summariesonly macro with the fillnull value it sets for by-fields. */
  tstats: z
    .object({
      datamodel: z.enum(Object.keys(DATA_MODEL_DATASETS) as [DataModelDataset, ...DataModelDataset[]]),
      macro: z.object({ name: z.literal("security_content_summariesonly"), definition: z.string().min(1), source: z.string().min(1), note: z.string().min(1) }),
      /** `fillnull_value=`: what a by-field the event lacks is counted as (tstats keeps the row). */
      fillnullValue: z.string().min(1),
    })
    .nullable()
    .default(null),
  /** Conditions after the macro (`EventCode=29`), all of which must hold. */
  where: z.array(fieldEquals),
  /** The other conditions (IN lists, wildcards, NOT, OR), which must hold too. */
  condition: searchConditionSchema.nullable().default(null),
  stats: z.object({
    aggregates: z.tuple([
      z.object({ fn: z.literal("count"), as: z.literal("count") }),
      z.object({ fn: z.literal("min"), field: z.literal("_time"), as: z.literal("firstTime") }),
      z.object({ fn: z.literal("max"), field: z.literal("_time"), as: z.literal("lastTime") }),
    ]),
    // Splunk fields for an ESCU search (checked below); a Sigma rule's own fields for a Sigma rule.
    by: z.array(z.string().regex(/^[A-Za-z_][\w.]*$/)).min(1),
  }),
  rename: z.array(z.object({ from: splunkField, to: z.string().regex(/^\w+$/) })),
  /** `security_content_ctime(field)`: `convert timeformat="..." ctime(field)`, in UTC. */
  ctime: z.object({ fields: z.array(z.enum(["firstTime", "lastTime"])), timeformat: z.literal("%Y-%m-%dT%H:%M:%S") }),
  /** The `<name>_filter` macro: `search *` until suppressions fill it (filter.ts). */
  filterMacro: z.string().regex(/^[a-z0-9_]+_filter$/),
}).refine((s) => (s.macro === null) !== (s.tstats === null), { message: "a search reads either a macro's events or a data model" });

/** A Sigma rule compiled (sigma.ts): its predicate, the event data names of each of its fields, and whose rule it is. */
export const sigmaSearchSchema = z.object({
  logsource: z.enum(Object.keys(SIGMA_LOGSOURCES) as [SigmaLogsourceKey, ...SigmaLogsourceKey[]]),
  predicate: sigmaPredicateSchema,
  /** Result field (a `stats.by` field after dest) -> the event data names it is read from. */
  fieldKeys: z.record(z.string(), z.array(z.string().min(1)).min(1)),
  level: z.enum(["informational", "low", "medium", "high", "critical"]),
  /** Sigma's `status` (stable, test, experimental…), as published. */
  status: z.string().min(1),
  /** The SigmaHQ/sigma commit the rule was copied from, and the rule's own URL there. */
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  ruleUrl: z.url(),
  /** DRL 1.1: results of the rule must keep its authors. */
  license: z.literal("DRL-1.1"),
});

export const riskObjectSchema = z.object({
  field: z.string().min(1),
  type: z.enum(["system", "user", "other"]),
  score: z.number().int().min(1).max(100),
});

export const drilldownSchema = z.object({
  name: z.string().min(1),
  search: z.string().min(1),
  earliestOffset: z.string().min(1),
  latestOffset: z.string().min(1),
});

/** What ESCU's YAML and a DetectionSpec both say of a detection's status, type and date (one declaration for both). */
export const detectionStatus = z.enum(["production", "experimental", "deprecated"]);
export const detectionType = z.enum(["TTP", "Anomaly", "Hunting"]);
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const detectionSpecSchema = z
  .object({
    id: z.uuid(),
    name: z.string().min(1),
    version: z.number().int().positive(),
    date: isoDate,
    author: z.string().min(1),
    status: detectionStatus,
    type: detectionType,
    description: z.string().min(1),
    dataSource: z.array(z.string().min(1)).min(1),
    /** The ESCU search, verbatim. */
    search: z.string().min(1),
    howToImplement: z.string().min(1),
    knownFalsePositives: z.string().min(1),
    references: z.array(z.url()),
    /** Where the YAML was read, and what differs from it here. */
    provenance: z.string().min(1),
    /** Where the detection's files are (paths relative to the repository) and whose content it is. */
    content: z.object({
      origin: z.enum(["ESCU", "local", "Sigma"]),
      detectionFile: z.string().min(1),
      sidecarFile: z.string().min(1),
      /** The test that runs it on golden events. */
      test: z.string().min(1),
    }),
    tags: z.object({
      analyticStory: z.array(z.string().min(1)).min(1),
      assetType: z.string().min(1),
      mitreAttackId: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/)).min(1),
      product: z.array(z.string().min(1)),
      securityDomain: z.string().min(1),
    }),
    rba: z.object({
      message: z.string().min(1),
      riskObjects: z.array(riskObjectSchema).min(1),
      threatObjects: z.array(z.object({ field: z.string().min(1), type: z.string().min(1) })),
    }),
    drilldownSearches: z.array(drilldownSchema),
    /** ES deployment (deployments/escu_default_configuration_<type>.yml). */
    deployment: z.object({
      cron: z.string().regex(/^\S+ \S+ \* \* \*$/, "only minute and hour fields may be restricted"),
      earliest: z.string().min(1),
      latest: z.string().min(1),
      scheduleWindow: z.literal("auto"),
      rba: z.object({ enabled: z.boolean() }),
      /** TTP: a notable per result. Anomaly and Hunting: none. */
      notable: z.object({ ruleTitle: z.string().min(1), ruleDescription: z.string().min(1), nesFields: z.array(z.string()) }).nullable(),
    }),
    structuredSearch: structuredSearchSchema,
    /** A Sigma rule's compiled detection: the engine runs this predicate in place of the ESCU macro and conditions. */
    sigma: sigmaSearchSchema.optional(),
    /** Enrichment beyond Splunk (enrichment.ts), from these event data fields of the contributing events. */
    enrichment: z.object({
      kind: z.enum(ENRICHMENT_KINDS),
      /** Each detail the enricher reads (`name`) and the event data key it is read from (`key`: a name, or "0" for %1…). */
      dataFields: z.array(z.object({ name: z.string().min(1), key: z.string().min(1) })).min(1),
    }),
  })
  .superRefine((spec, ctx) => {
    const expectedFilter = filterMacroName(spec.name);
    if (spec.structuredSearch.filterMacro !== expectedFilter) {
      ctx.addIssue({ code: "custom", path: ["structuredSearch", "filterMacro"], message: `contentctl names it ${expectedFilter}` });
    }
    if ((spec.type === "TTP") !== (spec.deployment.notable !== null)) {
      ctx.addIssue({ code: "custom", path: ["deployment", "notable"], message: "TTP detections create notables, others do not" });
    }
    if ((spec.content.origin === "Sigma") !== (spec.sigma !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["sigma"], message: "a Sigma rule, and only a Sigma rule, carries its compiled detection" });
    }
    const searchable: readonly string[] = SEARCHABLE_FIELDS;
    for (const field of spec.structuredSearch.stats.by) {
      const known = spec.sigma ? field === "dest" || field in spec.sigma.fieldKeys : searchable.includes(field);
      if (!known) ctx.addIssue({ code: "custom", path: ["structuredSearch", "stats", "by"], message: `${field} is not a field this search can read` });
    }
    const outputFields = outputFieldNames(spec.structuredSearch);
    if (!resultHostField(spec)) ctx.addIssue({ code: "custom", path: ["rba", "riskObjects"], message: "a result names its host by dest or a system risk object" });
    for (const ro of spec.rba.riskObjects) {
      if (!outputFields.includes(ro.field)) ctx.addIssue({ code: "custom", path: ["rba", "riskObjects"], message: `risk object field ${ro.field} is not a result field` });
    }
    for (const token of messageTokens(spec.rba.message)) {
      if (!outputFields.includes(token)) ctx.addIssue({ code: "custom", path: ["rba", "message"], message: `$${token}$ is not a result field` });
    }
  });

export type DetectionSpec = z.infer<typeof detectionSpecSchema>;
export type StructuredSearch = z.infer<typeof structuredSearchSchema>;
export type SearchMacro = z.infer<typeof macroSchema>;
export type RiskObject = z.infer<typeof riskObjectSchema>;
export type SigmaSearch = z.infer<typeof sigmaSearchSchema>;

/** contentctl's `<name>_filter`: the name lower-cased, with spaces, `-`, `.` and `/` replaced by `_`. */
export function filterMacroName(detectionName: string): string {
  return `${detectionName.toLowerCase().replace(/[ \-./]/g, "_")}_filter`;
}

/** `$field$` tokens of a risk message, in order of appearance, without repeats. */
export function messageTokens(message: string): string[] {
  return [...new Set([...message.matchAll(/\$(\w+)\$/g)].map((m) => m[1]))];
}

/** The result row's field names, in Splunk's column order: the `by` fields (renamed), count, firstTime, lastTime. */
export function outputFieldNames(search: StructuredSearch): string[] {
  return [...search.stats.by.map((f) => renamed(search, f)), "count", "firstTime", "lastTime"];
}

/**
 * The result field that names the host a result is about (detection_results.dest, the host it is filed under): `dest`
 * where the search returns it (the CIM name), else the field of its system risk object — the PowerShell 4104
 * searches return the event's `Computer` and score it.
 */
export function resultHostField(spec: Pick<DetectionSpec, "structuredSearch" | "rba">): string | undefined {
  const outputFields = outputFieldNames(spec.structuredSearch);
  if (outputFields.includes("dest")) return "dest";
  return spec.rba.riskObjects.find((r) => r.type === "system" && outputFields.includes(r.field))?.field;
}

export function renamed(search: StructuredSearch, field: string): string {
  return search.rename.find((r) => r.from === field)?.to ?? field;
}

/** ES saved-search name: `<app prefix> - <name> - Rule`, ESCU's prefix for its content, Sigma's for a Sigma rule, ours for our own. */
export function searchName(spec: Pick<DetectionSpec, "name" | "content">): string {
  const prefix = { ESCU: "ESCU", Sigma: "Sigma", local: "IIS Module Watch" }[spec.content.origin];
  return `${prefix} - ${spec.name} - Rule`;
}

export function parseDetectionSpec(input: unknown): DetectionSpec {
  return detectionSpecSchema.parse(input);
}

/**
 * Whose detection it is and which version, for people: "ESCU v5 (2025-02-10)", "Local v1 (…)" for our own, and for a
 * Sigma rule (which has no version number) its status, date and commit: "Sigma test (2023-01-23) @8eaafff1".
 */
export function sourceLabel(spec: Pick<DetectionSpec, "content" | "version" | "date" | "sigma">): string {
  if (spec.sigma) return `Sigma ${spec.sigma.status} (${spec.date}) @${spec.sigma.commit.slice(0, 8)}`;
  return `${spec.content.origin === "ESCU" ? "ESCU" : "Local"} v${spec.version} (${spec.date})`;
}
