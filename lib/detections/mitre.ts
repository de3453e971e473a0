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
