// The Splunk ES risk incident rules' thresholds: plain data, so that the browser can highlight what crosses them.

/** Splunk ES risk incident rules, as ES ships them. */
export const INCIDENT_RULES = {
  /** "Risk Threshold Exceeded For Object Over 24 Hour Period": sum(risk_score) > 100 by risk_object over -24h. */
  scoreOver24h: { hours: 24, threshold: 100 },
  /** "ATT&CK Tactic Threshold Exceeded For Object Over Previous 7 Days": dc(tactic) >= 3 and dc(source) >= 4. */
  tacticsOver7d: { hours: 168, minTactics: 3, minSources: 4 },
} as const;
