// Pure definitions of the triage workflow, shared by the server (validation) and the client forms: the notable
// statuses and dispositions of Enterprise Security, and which fields of a detection's result row a false-positive
// suppression may match (its `stats ... by` fields, renamed: never count, firstTime or lastTime).
import { z } from "zod";
import { enumOrder, NotableStatus } from "../db/enums";
import { urlText } from "../db/ids";
import { FINDING_KIND_NAMES, type FindingKind } from "../detections/enrichment";
import { outputFieldNames, type DetectionSpec } from "../detections/spec";
import { PRIORITIES } from "../detections/severity";
import { encodeQuery, tableStateSchema } from "../url/table-state";

// ---- notables -----------------------------------------------------------------------------------------------

/** The schema's NotableStatus, in the order of ES's workflow (filters, forms). */
export const NOTABLE_STATUSES = enumOrder(NotableStatus)(["new", "in_progress", "pending", "resolved", "closed"]);
export type { NotableStatus };
export const STATUS_LABELS: Record<NotableStatus, string> = {
  new: "New",
  in_progress: "In Progress",
  pending: "Pending",
  resolved: "Resolved",
  closed: "Closed",
};
/** Statuses that still need work (ES's "open" notables). */
export const OPEN_STATUSES: readonly NotableStatus[] = ["new", "in_progress", "pending"];

/** Enterprise Security's default dispositions (reviewstatuses.conf, ES 7+). */
export const DISPOSITIONS = [
  "undetermined",
  "true_positive",
  "benign_positive",
  "false_positive_logic",
  "false_positive_data",
  "other",
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const DISPOSITION_LABELS: Record<Disposition, string> = {
  undetermined: "Undetermined",
  true_positive: "True Positive - Suspicious Activity",
  benign_positive: "Benign Positive - Suspicious But Expected",
  false_positive_logic: "False Positive - Incorrect Analytic Logic",
  false_positive_data: "False Positive - Inaccurate Data",
  other: "Other",
};

export const dispositionLabel = (d: string | null | undefined) => (d ? (DISPOSITION_LABELS[d as Disposition] ?? d) : "—");
export const statusLabel = (s: string) => STATUS_LABELS[s as NotableStatus] ?? s;

export const URGENCIES = ["informational", "low", "medium", "high", "critical"] as const;

/** Priority an admin may give a host (asset priority in ES). */
export const hostPrioritySchema = z.enum(PRIORITIES);

/** A change to one or many notables. `ownerId: null` unassigns; undefined leaves a field alone. */
export const notableChangeSchema = z
  .object({
    status: z.enum(NOTABLE_STATUSES).optional(),
    ownerId: z.uuid().nullable().optional(),
    disposition: z.enum(DISPOSITIONS).nullable().optional(),
    comment: z.string().trim().min(1).max(10_000).optional(),
    /**
     * What the form showed when it was loaded: the change is refused when the notable has moved on since (another
     * triager saved meanwhile), rather than silently putting the old values back.
     */
    expected: z
      .object({ status: z.enum(NOTABLE_STATUSES), ownerId: z.uuid().nullable(), disposition: z.enum(DISPOSITIONS).nullable() })
      .strict()
      .optional(),
  })
  .strict();
export type NotableChange = z.infer<typeof notableChangeSchema>;

/** The queue's sortable column ids (app/notables/NotablesQueue.tsx, SORT_SQL in notables.ts). */
export const NOTABLE_SORTS = ["time", "urgency", "finding", "status", "dest", "owner", "updated", "title"] as const;
export type NotableSort = (typeof NOTABLE_SORTS)[number];

const optionalText = (max: number) =>
  urlText()
    .trim()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined);

/** The suppressions list's filters, from a URL (the page and GET /api/suppressions). */
export const suppressionListParams = tableStateSchema({
  filters: {
    detection: urlText().max(100).optional().catch(undefined),
    state: z.enum(["all", "active", "disabled", "expired"]).catch("all"),
    dest: urlText().trim().max(255).optional().catch(undefined).transform((v) => v || undefined),
  },
  // Every suppression on one page: there are few, and each detection's macro needs them all anyway.
  paged: false,
});
export type SuppressionListParams = z.infer<typeof suppressionListParams>;

/** The queue's filters, sort and page, as they appear in its URL (every view is a URL). */
export const notableListParams = tableStateSchema({
  filters: {
    /** "open" (new, in progress, pending), "all", or one status. */
    status: z.enum(["open", "all", ...NOTABLE_STATUSES]).catch("open"),
    urgency: z.enum(URGENCIES).optional().catch(undefined),
    /** "me", "none" (unassigned), or a username. */
    owner: optionalText(64),
    detection: optionalText(100),
    /** Any part of the host name, case-insensitive. */
    dest: optionalText(255),
    disposition: z.enum(DISPOSITIONS).optional().catch(undefined),
    /** What happened (lib/detections/enrichment.ts FINDING_KINDS): module installed, DLL failed to load, … */
    finding: z.enum(FINDING_KIND_NAMES as [FindingKind, ...FindingKind[]]).optional().catch(undefined),
    /** Notables whose result a suppression hides: hidden unless asked for. */
    suppressed: z.enum(["hide", "show"]).catch("hide"),
  },
  sort: { ids: NOTABLE_SORTS, default: "time" },
});
export type NotableListParams = z.infer<typeof notableListParams>;

/** The query string of a queue view (defaults left out), for links and for bulk actions on "all matching". */
export function notableQuery(p: Partial<NotableListParams>, change: Partial<Record<keyof NotableListParams, string | number | undefined>> = {}): string {
  const merged: Record<string, unknown> = { ...p, ...change };
  const inSchemaOrder = Object.fromEntries(Object.keys(notableListParams.shape).map((key) => [key, merged[key]]));
  return encodeQuery(inSchemaOrder, notableListParams.parse({}));
}

// ---- suppressions -------------------------------------------------------------------------------------------

/** The fields a suppression of this detection may match: the search's `stats ... by` fields, renamed. */
export function groupFieldNames(spec: Pick<DetectionSpec, "structuredSearch">): string[] {
  const aggregates = new Set<string>(spec.structuredSearch.stats.aggregates.map((a) => a.as));
  return outputFieldNames(spec.structuredSearch).filter((f) => !aggregates.has(f));
}

/** A suppression pre-filled from a result row: its group fields (values as Splunk shows them), in column order. */
export function prefillMatch(spec: Pick<DetectionSpec, "structuredSearch">, fields: Record<string, unknown>): Record<string, string> {
  const match: Record<string, string> = {};
  for (const f of groupFieldNames(spec)) {
    const v = fields[f];
    if (v !== undefined && v !== null && String(v) !== "") match[f] = String(v);
  }
  return match;
}

export const MAX_MATCH_VALUE = 2000;

/** What a suppression is: a detection, field -> value pairs (values case-insensitive, `*` a wildcard), a reason, an expiry. */
export const suppressionInputSchema = z.object({
  detectionId: z.string().min(1).max(100),
  match: z
    .record(z.string().min(1).max(100), z.string().trim().min(1, "a matched field needs a value").max(MAX_MATCH_VALUE))
    .refine((m) => Object.keys(m).length > 0, "keep at least one field: a suppression without fields would match nothing"),
  reason: z.string().trim().min(1, "a reason is required").max(2000),
  expiresAt: z.date().nullable(),
});
export type SuppressionInput = z.infer<typeof suppressionInputSchema>;

export type SuppressionState = "active" | "disabled" | "expired";

export function suppressionState(s: { enabled: boolean; expiresAt: Date | null }, now: Date = new Date()): SuppressionState {
  if (!s.enabled) return "disabled";
  if (s.expiresAt && s.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

/**
 * Reads a suppression form: `field.<name>` checkboxes say which fields to keep, `value.<name>` their values; an
 * expiry typed without a zone is UTC (like every time the dashboard shows).
 */
export function readSuppressionForm(form: FormData): { detectionId: string; match: Record<string, string>; reason: string; expiresAt: Date | null; error?: string } {
  const match: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (!key.startsWith("field.") || typeof value !== "string") continue;
    const name = key.slice("field.".length);
    const v = form.get(`value.${name}`);
    match[name] = typeof v === "string" ? v.trim() : "";
  }
  const rawExpiry = String(form.get("expiresAt") ?? "").trim();
  let expiresAt: Date | null = null;
  let error: string | undefined;
  if (rawExpiry) {
    expiresAt = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(rawExpiry) ? rawExpiry : `${rawExpiry}Z`);
    if (Number.isNaN(expiresAt.getTime())) {
      error = "The expiry is not a date.";
      expiresAt = null;
    }
  }
  return { detectionId: String(form.get("detectionId") ?? ""), match, reason: String(form.get("reason") ?? ""), expiresAt, error };
}
