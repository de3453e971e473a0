// Risk-based alerting of a detection, computed here and nowhere else, as contentctl computes it (rba.py,
// detection_abstract.py, detection_tags.py): the risk objects, threat objects and risk message from the detection's
// YAML — its `rba:` block, or before that block existed the tags-era `impact` × `confidence` / 100 and
// `observable` roles —, the detection's risk score and notable severity (an admin's override applied), the
// annotations ES writes on every risk event, and a result's risk message. The spec carries what the YAML says; the
// settings, the engine and the pages ask this module what it means. Beyond contentctl, a result's risk also adds its
// module provenance factors (risk-factors.ts): risk_score = base score + factors, capped at 100.
import type pg from "pg";
import { execute, query, sql, type Sql } from "../db/sql";
import type { StoredEnrichment } from "./enrichment";
import { killChainPhases, mitreTactics } from "./mitre";
import { historyFactors, moduleSightings, provenanceFactors, riskFactorLabel, type RiskFactor } from "./risk-factors";
import type { Severity } from "./severity";
import { messageTokens, searchName, type DetectionSpec, type RiskObject } from "./spec";

export interface Rba {
  message: string;
  riskObjects: RiskObject[];
  threatObjects: { field: string; type: string }[];
}

/** The `rba:` block of a YAML from 2025 on (ESCU v5+). */
export interface RbaBlock {
  message: string;
  risk_objects: { field: string; type: "system" | "user" | "other"; score: number }[];
  threat_objects: { field: string; type: string }[];
}

/** The tags of a YAML before the `rba:` block (ESCU v3 and older): observables with roles, impact and confidence. */
export interface TagsEraRisk {
  impact?: number;
  confidence?: number;
  message?: string;
  observable?: { name: string; type: string; role: string[] }[];
}

/** Observable types whose entity is a user (contentctl's risk_object_type user); hosts and addresses are systems. */
const USER_OBSERVABLE_TYPES = new Set(["User", "User Name", "Email Address"]);
const SYSTEM_OBSERVABLE_TYPES = new Set(["Hostname", "IP Address", "Endpoint"]);

/**
 * A detection's RBA from its YAML: the `rba` block as written, or the tags era's, where every Victim observable is
 * a risk object scored `impact * confidence / 100` (contentctl's risk_score) and every Attacker observable a threat
 * object.
 */
export function rbaFromYaml(rba: RbaBlock | undefined, tags: TagsEraRisk): Rba {
  if (rba) {
    return { message: rba.message, riskObjects: rba.risk_objects.map((r) => ({ ...r })), threatObjects: rba.threat_objects.map((t) => ({ ...t })) };
  }
  const { impact, confidence, message, observable = [] } = tags;
  if (impact === undefined || confidence === undefined || !message) {
    throw new Error("the YAML has neither an rba block nor tags impact, confidence and message");
  }
  const score = Math.round((impact * confidence) / 100);
  const riskObjects = observable
    .filter((o) => o.role.includes("Victim"))
    .map((o) => ({ field: o.name, type: USER_OBSERVABLE_TYPES.has(o.type) ? ("user" as const) : SYSTEM_OBSERVABLE_TYPES.has(o.type) ? ("system" as const) : ("other" as const), score }));
  const threatObjects = observable.filter((o) => o.role.includes("Attacker")).map((o) => ({ field: o.name, type: o.type.toLowerCase().replace(/ /g, "_") }));
  return { message, riskObjects, threatObjects };
}

/**
 * A Sigma rule's risk, decided here once: Sigma's `level` gives the score of its one risk object, the host (dest):
 * informational 10, low 25, medium 50, high 75, critical 100 — chosen so that severityForScore gives back the
 * rule's own level. High and critical rules run as TTP (ES: a notable per result), the others as Anomaly (risk
 * events only), as ES deploys ESCU's. The risk message names the rule's authors: DRL 1.1 requires "messages based
 * on matches with the Rules" to retain them.
 */
export const SIGMA_LEVEL_SCORES = { informational: 10, low: 25, medium: 50, high: 75, critical: 100 } as const;
export type SigmaLevelName = keyof typeof SIGMA_LEVEL_SCORES;

export function sigmaDetectionType(level: SigmaLevelName): "TTP" | "Anomaly" {
  return level === "high" || level === "critical" ? "TTP" : "Anomaly";
}

export function sigmaRba(rule: { title: string; author: string; level: SigmaLevelName }): Rba {
  return {
    message: `Sigma rule "${rule.title}" (by ${rule.author}, DRL 1.1) matched on $dest$.`,
    riskObjects: [{ field: "dest", type: "system", score: SIGMA_LEVEL_SCORES[rule.level] }],
    threatObjects: [],
  };
}

/** Detection `risk_score`: the highest score of its risk objects (contentctl detection_abstract.py). */
export function detectionRiskScore(riskObjects: readonly RiskObject[]): number {
  return Math.max(...riskObjects.map((r) => r.score));
}

/**
 * contentctl (detection_abstract.py): severity from the detection's risk score, 0-20 informational, 21-40 low,
 * 41-60 medium, 61-80 high, 81-100 critical. New Module Added (48) is medium; Failed to Load (25) is low.
 */
export function severityForScore(score: number): Severity {
  if (score <= 20) return "informational";
  if (score <= 40) return "low";
  if (score <= 60) return "medium";
  if (score <= 80) return "high";
  return "critical";
}

export interface ScoredRisk {
  /** The spec's risk objects with the override applied to each. */
  riskObjects: RiskObject[];
  /** Detection risk score: the highest of its risk objects'. */
  riskScore: number;
  /** Notable severity (detections that create notables only): from the risk score. */
  severity: Severity | null;
}

/** The risk a detection reports with its settings: an admin's score (1-100) replaces every risk object's. */
export function scoredRisk(spec: Pick<DetectionSpec, "rba" | "deployment">, scoreOverride: number | null): ScoredRisk {
  const riskObjects = spec.rba.riskObjects.map((ro) => ({ ...ro, score: scoreOverride ?? ro.score }));
  const riskScore = detectionRiskScore(riskObjects);
  return { riskObjects, riskScore, severity: spec.deployment.notable ? severityForScore(riskScore) : null };
}

export interface RiskContext {
  searchName: string;
  analyticStories: string[];
  annotations: Record<string, string | string[]>;
  mitreTactics: string[];
}

/**
 * What a risk event carries about its detection, shaped like ES's Risk.All_Risk fields: search_name,
 * analyticstories, annotations (the JSON of action.correlationsearch.annotations) and the ATT&CK tactics ES looks
 * up from the technique ids. contentctl's annotations: analytic_story, cis20 (always CIS 10), data_source,
 * kill_chain_phases (from the techniques' tactics), mitre_attack, nist (DE.CM for TTP, DE.AE otherwise), type and
 * type_list (as in the Risk data model's example_log), plus mitre_attack_tactics, which ES adds as
 * annotations.mitre_attack.mitre_tactic.
 */
export function riskContext(spec: Pick<DetectionSpec, "name" | "content" | "type" | "tags" | "dataSource">): RiskContext {
  const tactics = mitreTactics(spec.tags.mitreAttackId);
  return {
    searchName: searchName(spec),
    analyticStories: [...spec.tags.analyticStory],
    annotations: {
      analytic_story: [...spec.tags.analyticStory],
      cis20: ["CIS 10"],
      data_source: [...spec.dataSource],
      kill_chain_phases: killChainPhases(tactics),
      mitre_attack: [...spec.tags.mitreAttackId],
      nist: [spec.type === "TTP" ? "DE.CM" : "DE.AE"],
      type: spec.type,
      type_list: [spec.type],
      mitre_attack_tactics: tactics,
    },
    mitreTactics: tactics,
  };
}

/** `annotations._all`: every annotation value flattened (without our ES-side tactic lookup, as in ES). */
export const ANNOTATION_ALL_EXCLUDED_KEYS = ["mitre_attack_tactics"];

/** A result's risk message: each `$field$` token of the template replaced by the result's field ('' when absent). */
export function riskMessage(template: string, fields: Readonly<Record<string, unknown>>): string {
  return messageTokens(template).reduce((text, token) => text.replaceAll(`$${token}$`, fields[token] == null ? "" : String(fields[token])), template);
}

/** riskMessage in SQL, over a result's fields (jsonb): what the engine writes on every risk event. */
export function riskMessageSql(template: string, fields: Sql): Sql {
  return messageTokens(template).reduce(
    (expr, token) => sql`replace(${expr}, ${`$${token}$`}::text, coalesce(${fields} ->> ${token}::text, ''))`,
    sql`${template}::text`,
  );
}

/** Risk scores are 0-100 (ES's risk_score range); factors past it are still listed. */
export const MAX_RISK_SCORE = 100;

/** A risk event's score from its base (the detection's score for the risk object) and the result's factors. */
export function scoreWithFactors(base: number, factors: readonly Pick<RiskFactor, "points">[]): number {
  return Math.min(MAX_RISK_SCORE, base + factors.reduce((sum, f) => sum + f.points, 0));
}

/** The arithmetic as a notable shows it: "48 base + 25 image in … + 15 … = 100 (capped at 100)". */
export function riskArithmetic(base: number, factors: readonly Pick<RiskFactor, "points" | "factor">[]): string {
  const total = scoreWithFactors(base, factors);
  const uncapped = base + factors.reduce((sum, f) => sum + f.points, 0);
  const terms = factors.map((f) => ` + ${f.points} ${riskFactorLabel(f.factor)}`).join("");
  return `${base} base${terms} = ${total}${uncapped > total ? ` (${uncapped}, capped at ${MAX_RISK_SCORE})` : ""}`;
}

/** A result's risk factors: its modules' provenance, then their prevalence and first sighting. */
export async function riskFactorsOf(client: pg.ClientBase, resultIds: readonly string[]): Promise<Map<string, RiskFactor[]>> {
  if (resultIds.length === 0) return new Map();
  const results = await query<{ id: string; enrichment: StoredEnrichment }>(
    sql`SELECT id::text, enrichment FROM detection_results WHERE id = ANY(${resultIds}::bigint[]) AND jsonb_array_length(coalesce(module_names, '[]')) > 0`,
    client,
  );
  if (results.length === 0) return new Map();
  const history = await historyFactors(
    client,
    results.map((r) => r.id),
  );
  return new Map(results.map((r) => [r.id, [...provenanceFactors(moduleSightings(r.enrichment)), ...(history.get(r.id) ?? [])]]));
}

/**
 * Adds the risk factors of newly reported results (enriched, in the engine's transaction) to them and to their risk
 * events: each risk event keeps its base score and the factors, and its risk_score becomes their sum (capped).
 */
export async function applyRiskFactors(client: pg.ClientBase, resultIds: readonly string[]): Promise<void> {
  const factors = [...(await riskFactorsOf(client, resultIds))].filter(([, list]) => list.length > 0);
  if (factors.length === 0) return;
  const byResult = new Map(factors);
  const ids = factors.map(([id]) => id);
  await execute(
    sql`UPDATE detection_results d SET risk_factors = x.factors
     FROM unnest(${ids}::bigint[], ${factors.map(([, list]) => JSON.stringify(list))}::jsonb[]) AS x(id, factors) WHERE d.id = x.id`,
    client,
  );
  // Each risk event's base is the score the engine wrote for its risk object; the host is part of every key.
  const events = await query<{ host_id: string; id: string; result_id: string; base_risk_score: number }>(
    sql`SELECT re.host_id, re.id::text, re.result_id::text, re.base_risk_score FROM risk_events re JOIN detection_results d ON re.host_id = d.dest_id AND re.result_id = d.id
     WHERE d.id = ANY(${ids}::bigint[]) AND re.base_risk_score IS NOT NULL`,
    client,
  );
  if (events.length === 0) return;
  await execute(
    sql`UPDATE risk_events re SET risk_factors = x.factors, risk_score = x.score
     FROM unnest(${events.map((e) => e.host_id)}::text[], ${events.map((e) => e.id)}::bigint[], ${events.map((e) => JSON.stringify(byResult.get(e.result_id)))}::jsonb[],
                 ${events.map((e) => scoreWithFactors(e.base_risk_score, byResult.get(e.result_id)!))}::int[]) AS x(host_id, id, factors, score)
     WHERE re.host_id = x.host_id AND re.id = x.id`,
    client,
  );
}
