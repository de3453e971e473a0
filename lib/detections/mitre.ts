// The ATT&CK facts ES adds to risk events from a detection's technique ids (annotations.mitre_attack.*):
// only the techniques our detections carry. T1505 and T1505.004 are Persistence (TA0003) in ATT&CK.

export interface MitreTechnique {
  id: string;
  name: string;
  tactics: string[];
  tacticIds: string[];
}

const TECHNIQUES: Record<string, MitreTechnique> = {
  T1505: { id: "T1505", name: "Server Software Component", tactics: ["Persistence"], tacticIds: ["TA0003"] },
  "T1505.004": { id: "T1505.004", name: "IIS Components", tactics: ["Persistence"], tacticIds: ["TA0003"] },
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
const KILL_CHAIN_PHASE: Record<string, string> = { Persistence: "Installation" };

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
