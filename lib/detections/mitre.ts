// The ATT&CK facts ES adds to risk events from a detection's technique ids (annotations.mitre_attack.*):
// only the techniques our detections carry. T1505 and T1505.004 are Persistence (TA0003) in ATT&CK; T1562.002
// (Impair Defenses: Disable Windows Event Logging, which ESCU tags the HTTP-logging detections with) is Defense
// Evasion (TA0005).

export interface MitreTechnique {
  id: string;
  name: string;
  tactics: string[];
  tacticIds: string[];
}

const TECHNIQUES: Record<string, MitreTechnique> = {
  T1505: { id: "T1505", name: "Server Software Component", tactics: ["Persistence"], tacticIds: ["TA0003"] },
  "T1505.004": { id: "T1505.004", name: "IIS Components", tactics: ["Persistence"], tacticIds: ["TA0003"] },
  "T1562.002": { id: "T1562.002", name: "Disable Windows Event Logging", tactics: ["Defense Evasion"], tacticIds: ["TA0005"] },
  "T1505.003": { id: "T1505.003", name: "Web Shell", tactics: ["Persistence"], tacticIds: ["TA0003"] },
  // Sigma tags (SigmaHQ/sigma @8eaafff1) the IIS logging rules `attack.defense-impairment` and `attack.t1685.001`,
  // ATT&CK's renumbering of what it tagged T1562.002 (Impair Defenses: Disable Windows Event Logging) before; the
  // name and tactic here are the rules' own tags, no ATT&CK table being stored with the project.
  "T1685.001": { id: "T1685.001", name: "Disable Windows Event Logging", tactics: ["Defense Impairment"], tacticIds: [] },
};

export function mitreTechnique(id: string): MitreTechnique {
  const t = TECHNIQUES[id];
  if (!t) throw new Error(`unknown ATT&CK technique ${id}: add it to lib/detections/mitre.ts`);
  return t;
}

/** Distinct tactics of these techniques, in first-seen order. */
export function mitreTactics(techniqueIds: readonly string[]): string[] {
  return [...new Set(techniqueIds.flatMap((id) => mitreTechnique(id).tactics))];
}

/**
 * Lockheed Martin kill chain phase of each ATT&CK tactic, as contentctl maps them (ATTACK_TACTICS_KILLCHAIN_MAPPING):
 * only the tactics of the techniques above.
 */
const KILL_CHAIN_PHASE: Record<string, string> = {
  Persistence: "Installation",
  "Defense Evasion": "Exploitation",
  // As contentctl maps Defense Evasion, the tactic Defense Impairment was split from.
  "Defense Impairment": "Exploitation",
};

/** Distinct kill chain phases of these tactics, in first-seen order. */
export function killChainPhases(tactics: readonly string[]): string[] {
  return [
    ...new Set(
      tactics.map((t) => {
        const phase = KILL_CHAIN_PHASE[t];
        if (!phase) throw new Error(`no kill chain phase for tactic ${t}: add it to lib/detections/mitre.ts`);
        return phase;
      }),
    ),
  ];
}
