// Detections as upstream data. Each detection is its published ESCU YAML, copied verbatim under content/escu/ (or
// our own, in the same shape, under content/local/), plus a small local sidecar under content/sidecars/ for what
// the engine needs that the YAML does not say. This module reads them with a real YAML parser, validates them with
// zod and builds the DetectionSpec the engine runs: the search's structure from the YAML's own SPL
// (search-shape.ts), its macro from the macro's YAML, the schedule and alert actions from ES's default deployment
// for its type, the risk from rba.ts. Upgrading a detection to a newer ESCU version is replacing its YAML.
import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { ENRICHMENT_KINDS } from "./enrichment";
import { MACRO_EXPANSIONS, SECURITY_CONTENT_CTIME_FORMAT, SECURITY_CONTENT_SUMMARIESONLY } from "./macros";
import { rbaFromYaml, sigmaDetectionType, sigmaRba } from "./rba";
import { parseEscuSearch } from "./search-shape";
import { compileSigmaRule, sigmaRuleSchema, sigmaTechniques, SIGMA_LOGSOURCES, type SigmaRule } from "./sigma";
import { detectionStatus, detectionType, filterMacroName, isoDate, parseDetectionSpec, type DetectionSpec, type StructuredSearch } from "./spec";

/** Where content/ is, relative to the repository: what specs and the catalog page show as file paths. */
export const CONTENT_PATH = "lib/detections/content";

/**
 * The content folder. tsx, vitest and the CLI run this module from its source file, so it is beside it. Next.js's
 * server bundle does not keep source paths, and runs with the repository as its working directory
 * (scripts/start.ts), so there it is found from process.cwd(). The files are read at run time rather than imported
 * because no bundler loader here reads YAML, and the repository's other data file (the event catalogue's
 * events.json) is JSON, which both bundlers import natively.
 */
export function contentDir(): string {
  const beside = typeof import.meta.dirname === "string" ? path.join(import.meta.dirname, "content") : null;
  if (beside && fs.existsSync(path.join(beside, "README.md"))) return beside;
  return path.join(process.cwd(), CONTENT_PATH);
}

function readContent(relative: string): string {
  return fs.readFileSync(path.join(contentDir(), relative), "utf8");
}

const yamlOf = (text: string, what: string): unknown => {
  try {
    return parseYaml(text);
  } catch (e) {
    throw new Error(`${what}: not YAML: ${(e as Error).message}`);
  }
};

function validated<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** A detection YAML as ESCU publishes it: the `rba:` era (2025 on) and the tags era (impact, confidence, observables). */
export const escuDetectionYamlSchema = z.looseObject({
  name: z.string().min(1),
  id: z.uuid(),
  version: z.number().int().positive(),
  date: isoDate,
  author: z.string().min(1),
  status: detectionStatus,
  type: detectionType,
  description: z.string().min(1),
  data_source: z.array(z.string().min(1)).min(1),
  search: z.string().min(1),
  how_to_implement: z.string().min(1),
  known_false_positives: z.string().min(1),
  references: z.array(z.url()).default([]),
  drilldown_searches: z
    .array(z.object({ name: z.string().min(1), search: z.string().min(1), earliest_offset: z.string().min(1), latest_offset: z.string().min(1) }))
    .default([]),
  rba: z
    .object({
      message: z.string().min(1),
      risk_objects: z.array(z.object({ field: z.string().min(1), type: z.enum(["system", "user", "other"]), score: z.number().int() })).min(1),
      threat_objects: z.array(z.object({ field: z.string().min(1), type: z.string().min(1) })).default([]),
    })
    .optional(),
  tags: z.looseObject({
    analytic_story: z.array(z.string().min(1)).min(1),
    asset_type: z.string().min(1),
    mitre_attack_id: z.array(z.string()).min(1),
    product: z.array(z.string().min(1)),
    security_domain: z.string().min(1),
    // The tags era's risk: contentctl's risk_score = impact * confidence / 100 on the Victim observables.
    impact: z.number().int().min(0).max(100).optional(),
    confidence: z.number().int().min(0).max(100).optional(),
    message: z.string().optional(),
    observable: z.array(z.object({ name: z.string().min(1), type: z.string().min(1), role: z.array(z.string()) })).optional(),
  }),
});
export type EscuDetectionYaml = z.infer<typeof escuDetectionYamlSchema>;

/** A local sidecar (content/sidecars/<name>.yml): ours, so strict — a misspelt key is an error, not ignored. */
export const sidecarSchema = z.strictObject({
  /** The detection's YAML, relative to content/: escu/detections/… or sigma/rules/… (upstream, verbatim) or local/detections/…. */
  detection: z.string().regex(/^(?:(?:escu|local)\/detections\/[a-z0-9_]+|sigma\/rules\/[a-z0-9_/-]+)\.yml$/),
  /** The test that runs this detection on golden events (a path in the repository). */
  test: z.string().regex(/^[\w./-]+\.test\.ts$/),
  /** Enrichment beyond Splunk (enrichment.ts), from these event data fields of the contributing events. */
  // data_fields: event data names ([ModuleDll, Binary]), or what the enricher calls each and where the event has
  // it ({ModuleDll: "0"}: the unnamed %1).
  enrichment: z.strictObject({
    kind: z.enum(ENRICHMENT_KINDS),
    data_fields: z.union([z.array(z.string().min(1)).min(1), z.record(z.string().min(1), z.string().min(1))]),
  }),
  /** Tags added to the YAML's (each addition says why in `notes`). */
  tags: z.strictObject({ mitre_attack_id: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/)) }).optional(),
  /** What differs locally from the YAML, and why; shown as the detection's provenance. */
  notes: z.string().min(1),
});
export type Sidecar = z.infer<typeof sidecarSchema>;

/** ES's default deployment of a detection type (content/escu/deployments/escu_default_configuration_<type>.yml). */
const deploymentYamlSchema = z.looseObject({
  type: detectionType,
  scheduling: z.object({ cron_schedule: z.string().min(1), earliest_time: z.string().min(1), latest_time: z.string().min(1), schedule_window: z.string().min(1) }),
  alert_action: z
    .object({
      notable: z.object({ rule_title: z.string().min(1), rule_description: z.string().min(1), nes_fields: z.array(z.string().min(1)) }).optional(),
      rba: z.object({ enabled: z.boolean() }).optional(),
    })
    .optional(),
});

const macroYamlSchema = z.looseObject({ name: z.string().regex(/^[a-z0-9_]+$/), definition: z.string().min(1) });

function deploymentFor(type: DetectionSpec["type"]): DetectionSpec["deployment"] {
  const file = `escu/deployments/escu_default_configuration_${type.toLowerCase()}.yml`;
  const d = validated(deploymentYamlSchema, yamlOf(readContent(file), file), file);
  if (d.type !== type) throw new Error(`${file} is the deployment of ${d.type}, not ${type}`);
  const notable = d.alert_action?.notable;
  return {
    cron: d.scheduling.cron_schedule,
    earliest: d.scheduling.earliest_time,
    latest: d.scheduling.latest_time,
    scheduleWindow: d.scheduling.schedule_window as "auto",
    rba: { enabled: d.alert_action?.rba?.enabled ?? false },
    notable: notable ? { ruleTitle: notable.rule_title, ruleDescription: notable.rule_description, nesFields: notable.nes_fields } : null,
  };
}

function macroFor(name: string): NonNullable<StructuredSearch["macro"]> {
  const file = `escu/macros/${name}.yml`;
  if (!fs.existsSync(path.join(contentDir(), file))) throw new Error(`the search uses macro ${name}, which ${CONTENT_PATH}/${file} does not hold`);
  const macro = validated(macroYamlSchema, yamlOf(readContent(file), file), file);
  const expansion = MACRO_EXPANSIONS[name];
  if (!expansion) throw new Error(`macro ${name} has no expansion over our event columns: add it to lib/detections/macros.ts`);
  return { name: macro.name, definition: macro.definition, source: `${CONTENT_PATH}/${file}`, anyOf: expansion.anyOf as NonNullable<StructuredSearch["macro"]>["anyOf"], note: expansion.note };
}

/** The ctime macro the searches end with must still mean what the engine does (to_char in this format). */
function checkCtimeMacro(): void {
  const file = "escu/macros/security_content_ctime.yml";
  const { definition } = validated(macroYamlSchema, yamlOf(readContent(file), file), file);
  const expected = `convert timeformat="${SECURITY_CONTENT_CTIME_FORMAT}" ctime($field$)`;
  if (definition !== expected) throw new Error(`${file} defines ${definition}; the engine implements ${expected}`);
}

/** A tstats search's macro and dataset: the macro must still mean what the engine does (macros.ts). */
function tstatsOf(macroName: string, datamodel: string): StructuredSearch["tstats"] {
  const file = `escu/macros/${macroName}.yml`;
  if (macroName !== "security_content_summariesonly") throw new Error(`the tstats search uses macro ${macroName}; the engine implements security_content_summariesonly`);
  const { definition } = validated(macroYamlSchema, yamlOf(readContent(file), file), file);
  if (definition !== SECURITY_CONTENT_SUMMARIESONLY.definition) throw new Error(`${file} defines ${definition}; the engine implements ${SECURITY_CONTENT_SUMMARIESONLY.definition}`);
  return {
    datamodel: datamodel as NonNullable<StructuredSearch["tstats"]>["datamodel"],
    macro: { name: macroName, definition, source: `${CONTENT_PATH}/${file}`, note: SECURITY_CONTENT_SUMMARIESONLY.note },
    fillnullValue: SECURITY_CONTENT_SUMMARIESONLY.fillnullValue,
  };
}

/** A macro the search uses without an expansion of its own (drop_dm_object_name): its file must be there. */
function checkMacroFile(name: string): void {
  const file = `escu/macros/${name}.yml`;
  validated(macroYamlSchema, yamlOf(readContent(file), file), file);
}

/** The structured search the engine runs, read from the YAML's own SPL. */
function structuredSearchOf(spl: string): StructuredSearch {
  const shape = parseEscuSearch(spl);
  if (shape.ctime.length) checkCtimeMacro();
  if (shape.dropDmObjectName) checkMacroFile("drop_dm_object_name");
  return {
    macro: shape.datamodel ? null : macroFor(shape.macro),
    tstats: shape.datamodel ? tstatsOf(shape.macro, shape.datamodel) : null,
    where: shape.where as StructuredSearch["where"],
    condition: shape.condition as StructuredSearch["condition"],
    stats: {
      aggregates: [
        { fn: "count", as: "count" },
        { fn: "min", field: "_time", as: "firstTime" },
        { fn: "max", field: "_time", as: "lastTime" },
      ],
      by: shape.statsBy as StructuredSearch["stats"]["by"],
    },
    rename: shape.rename as StructuredSearch["rename"],
    ctime: { fields: shape.ctime as StructuredSearch["ctime"]["fields"], timeformat: SECURITY_CONTENT_CTIME_FORMAT },
    filterMacro: shape.filterMacro,
  };
}

function enrichmentFields(fields: Sidecar["enrichment"]["data_fields"]): DetectionSpec["enrichment"]["dataFields"] {
  return Array.isArray(fields) ? fields.map((name) => ({ name, key: name })) : Object.entries(fields).map(([name, key]) => ({ name, key }));
}

export interface DetectionSource {
  /** The detection YAML's text and where it is (relative to the repository). */
  detectionYaml: string;
  detectionFile: string;
  sidecar: Sidecar;
  sidecarFile: string;
}

/** A detection's spec from its YAML and sidecar: what the engine, the settings and the pages use. */
export function specFromYaml(source: DetectionSource): DetectionSpec {
  const y = validated(escuDetectionYamlSchema, yamlOf(source.detectionYaml, source.detectionFile), source.detectionFile);
  const { sidecar } = source;
  const origin = sidecar.detection.startsWith("escu/") ? "ESCU" : "local";
  const mitreAttackId = [...new Set([...y.tags.mitre_attack_id, ...(sidecar.tags?.mitre_attack_id ?? [])])].sort();
  return parseDetectionSpec({
    id: y.id,
    name: y.name,
    version: y.version,
    date: y.date,
    author: y.author,
    status: y.status,
    type: y.type,
    description: y.description,
    dataSource: y.data_source,
    search: y.search,
    howToImplement: y.how_to_implement,
    knownFalsePositives: y.known_false_positives,
    references: y.references,
    provenance: `${origin === "ESCU" ? "ESCU" : "Local"} ${source.detectionFile} v${y.version} (${y.date}). ${sidecar.notes.trim()}`,
    content: { origin, detectionFile: source.detectionFile, sidecarFile: source.sidecarFile, test: sidecar.test },
    tags: {
      analyticStory: y.tags.analytic_story,
      assetType: y.tags.asset_type,
      mitreAttackId,
      product: y.tags.product,
      securityDomain: y.tags.security_domain,
    },
    rba: rbaFromYaml(y.rba, y.tags),
    drilldownSearches: y.drilldown_searches.map((d) => ({ name: d.name, search: d.search, earliestOffset: d.earliest_offset, latestOffset: d.latest_offset })),
    deployment: deploymentFor(y.type),
    structuredSearch: structuredSearchOf(y.search),
    enrichment: { kind: sidecar.enrichment.kind, dataFields: enrichmentFields(sidecar.enrichment.data_fields) },
  });
}

/** A sidecar of content/sidecars/, validated. */
export function readSidecar(name: string): { sidecar: Sidecar; sidecarFile: string } {
  const file = `sidecars/${name}.yml`;
  return { sidecar: validated(sidecarSchema, yamlOf(readContent(file), file), file), sidecarFile: `${CONTENT_PATH}/${file}` };
}

/** Where the Sigma rules were copied from (content/sigma/source.yml): the repository, the commit, the licence. */
const sigmaSourceSchema = z.strictObject({
  repository: z.url(),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  license: z.literal("DRL-1.1"),
  license_file: z.string().min(1),
});

function sigmaSource(): z.infer<typeof sigmaSourceSchema> {
  const file = "sigma/source.yml";
  return validated(sigmaSourceSchema, yamlOf(readContent(file), file), file);
}

/** Sigma `status` -> the spec's: stable is production; test and experimental are experimental; unsupported is refused. */
const SIGMA_STATUS = { stable: "production", test: "experimental", experimental: "experimental", deprecated: "deprecated" } as const;

/**
 * A Sigma rule's spec from its published YAML and sidecar: its predicate compiled by sigma.ts (refused at load if
 * outside the subset), its risk from its level (rba.ts), its techniques from its `attack.tNNNN` tags, its result
 * rows grouped by dest and the rule's fields, and ES's deployment for the type its level gives.
 */
export function specFromSigma(source: DetectionSource): DetectionSpec {
  const parsed = yamlOf(source.detectionYaml, source.detectionFile);
  const compiled = compileSigmaRule(parsed, source.detectionFile);
  const rule: SigmaRule = sigmaRuleSchema.parse(parsed);
  if (rule.status === "unsupported") throw new Error(`Sigma rule ${source.detectionFile}: status 'unsupported' rules are not run`);
  const { sidecar } = source;
  const upstream = sigmaSource();
  const type = sigmaDetectionType(rule.level);
  const day = (d: string | Date) => (typeof d === "string" ? d : d.toISOString().slice(0, 10)).replaceAll("/", "-");
  const mapping = SIGMA_LOGSOURCES[compiled.logsource];
  const techniques = [...new Set([...sigmaTechniques(rule.tags), ...(sidecar.tags?.mitre_attack_id ?? [])])].sort();
  const rulePath = sidecar.detection.replace(/^sigma\//, "");
  return parseDetectionSpec({
    id: rule.id,
    name: rule.title,
    // Sigma rules have no version number: the commit and the rule's dates say which text this is.
    version: 1,
    date: day(rule.modified ?? rule.date),
    author: rule.author,
    status: SIGMA_STATUS[rule.status],
    type,
    description: rule.description,
    dataSource: [...mapping.dataSource],
    // The rule's own detection logic as published (logsource and detection), shown where an ESCU search would be.
    search: stringifyYaml({ logsource: rule.logsource, detection: rule.detection }).trim(),
    howToImplement: mapping.howToImplement,
    knownFalsePositives: rule.falsepositives.join("; ") || "Not stated by the rule.",
    references: rule.references,
    provenance: `Sigma ${source.detectionFile} (SigmaHQ/sigma @${upstream.commit.slice(0, 8)}, status ${rule.status}, ${day(rule.date)}${rule.modified ? `, modified ${day(rule.modified)}` : ""}) by ${rule.author}; Detection Rule License 1.1 (${CONTENT_PATH}/sigma/${upstream.license_file}). ${sidecar.notes.trim()}`,
    content: { origin: "Sigma", detectionFile: source.detectionFile, sidecarFile: source.sidecarFile, test: sidecar.test },
    tags: { analyticStory: ["SigmaHQ IIS rules"], assetType: "Endpoint", mitreAttackId: techniques, product: ["Sigma"], securityDomain: "endpoint" },
    rba: sigmaRba(rule),
    drilldownSearches: [],
    deployment: sigmaDeployment(deploymentFor(type), rule.author),
    structuredSearch: {
      macro: {
        name: `sigma_${compiled.logsource.replace(/\W/g, "_")}`,
        definition: stringifyYaml(rule.logsource).trim(),
        source: "lib/detections/sigma.ts SIGMA_LOGSOURCES",
        anyOf: mapping.sources.map((s) => ({ field: "Channel", value: s.channel })),
        note: "A Sigma logsource: its channels and event codes, and the field names each source uses (lib/detections/sigma.ts).",
      },
      where: [],
      stats: {
        aggregates: [
          { fn: "count", as: "count" },
          { fn: "min", field: "_time", as: "firstTime" },
          { fn: "max", field: "_time", as: "lastTime" },
        ],
        by: ["dest", ...compiled.fields],
      },
      rename: [],
      ctime: { fields: ["firstTime", "lastTime"], timeformat: SECURITY_CONTENT_CTIME_FORMAT },
      filterMacro: filterMacroName(rule.title),
    },
    sigma: {
      logsource: compiled.logsource,
      predicate: compiled.predicate,
      fieldKeys: compiled.fieldKeys,
      level: rule.level,
      status: rule.status,
      commit: upstream.commit,
      ruleUrl: `${upstream.repository}/blob/${upstream.commit}/${rulePath}`,
      license: upstream.license,
    },
    enrichment: { kind: sidecar.enrichment.kind, dataFields: enrichmentFields(sidecar.enrichment.data_fields) },
  });
}

/** ES's deployment for a Sigma rule's type, its notable's title naming the rule's authors (DRL 1.1: a message based on a match keeps them). */
function sigmaDeployment(deployment: DetectionSpec["deployment"], author: string): DetectionSpec["deployment"] {
  const { notable } = deployment;
  return notable ? { ...deployment, notable: { ...notable, ruleTitle: `${notable.ruleTitle} (Sigma rule by ${author})` } } : deployment;
}

/** The detection whose sidecar is content/sidecars/<name>.yml, with the YAML that sidecar names. */
export function loadDetectionSpec(name: string): DetectionSpec {
  const { sidecar, sidecarFile } = readSidecar(name);
  const source = { detectionYaml: readContent(sidecar.detection), detectionFile: `${CONTENT_PATH}/${sidecar.detection}`, sidecar, sidecarFile };
  return sidecar.detection.startsWith("sigma/") ? specFromSigma(source) : specFromYaml(source);
}
