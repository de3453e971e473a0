// Notable severity levels and urgency, as Enterprise Security assigns it (a detection's severity is rba.ts's). The engine gives each notable
// it stores its severity and urgency, so they live with the detections; risk incidents and triage use them too.

export const SEVERITIES = ["informational", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PRIORITIES = ["unknown", "low", "medium", "high", "critical"] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * ES's default urgency_lookup (docs "How urgency is assigned to notable events"): informational severity stays
 * informational; unknown/low priority: low, low, medium (high), high (critical); medium priority: low, medium, high,
 * critical; high priority: medium up to medium severity, then high, critical; critical priority: high up to medium
 * severity, then critical.
 */
const URGENCY: Record<Priority, Record<Severity, Severity>> = {
  unknown: { informational: "informational", low: "low", medium: "low", high: "medium", critical: "high" },
  low: { informational: "informational", low: "low", medium: "low", high: "medium", critical: "high" },
  medium: { informational: "informational", low: "low", medium: "medium", high: "high", critical: "critical" },
  high: { informational: "informational", low: "medium", medium: "medium", high: "high", critical: "critical" },
  critical: { informational: "informational", low: "high", medium: "high", high: "critical", critical: "critical" },
};

export function normalizePriority(priority: string | null | undefined): Priority {
  const p = (priority ?? "").trim().toLowerCase();
  return (PRIORITIES as readonly string[]).includes(p) ? (p as Priority) : "unknown";
}

export function urgencyFor(severity: Severity, priority: string | null | undefined): Severity {
  return URGENCY[normalizePriority(priority)][severity];
}

/** One severity's row of the matrix, for SQL: urgency by priority. */
export function urgencyRow(severity: Severity): { priorities: Priority[]; urgencies: Severity[] } {
  return { priorities: [...PRIORITIES], urgencies: PRIORITIES.map((p) => URGENCY[p][severity]) };
}

/** Host priority when the Host table has none for the dest (its column default). */
export const DEFAULT_HOST_PRIORITY: Priority = "medium";
