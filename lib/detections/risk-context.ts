// What a risk event carries about its detection, shaped like ES's Risk.All_Risk fields: search_name,
// analyticstories, annotations (the JSON of action.correlationsearch.annotations) and the ATT&CK tactics ES looks
// up from the technique ids. It is read from the detection's spec, and the engine writes it on every risk event
// it stores; lib/risk reads the stored events.
import { mitreTactics } from "./mitre";
import { searchName, type DetectionSpec } from "./spec";

export interface RiskContext {
  searchName: string;
  analyticStories: string[];
  annotations: Record<string, string | string[]>;
  mitreTactics: string[];
}

/**
 * contentctl's annotations: analytic_story, cis20, data_source, kill_chain_phases, mitre_attack, nist, type and
 * type_list (as in the Risk data model's example_log), plus mitre_attack_tactics, which ES adds as
 * annotations.mitre_attack.mitre_tactic.
 */
export function riskContext(spec: DetectionSpec): RiskContext {
  const tactics = mitreTactics(spec.tags.mitreAttackId);
  return {
    searchName: searchName(spec),
    analyticStories: [...spec.tags.analyticStory],
    annotations: {
      analytic_story: [...spec.tags.analyticStory],
      cis20: [...spec.frameworks.cis20],
      data_source: [...spec.dataSource],
      kill_chain_phases: [...spec.frameworks.killChainPhases],
      mitre_attack: [...spec.tags.mitreAttackId],
      nist: [...spec.frameworks.nist],
      type: spec.type,
      type_list: [spec.type],
      mitre_attack_tactics: tactics,
    },
    mitreTactics: tactics,
  };
}

/** `annotations._all`: every annotation value flattened (without our ES-side tactic lookup, as in ES). */
export const ANNOTATION_ALL_EXCLUDED_KEYS = ["mitre_attack_tactics"];
