// False-positive suppressions: the `<detection>_filter` macro, filled by triagers. Creating, editing, disabling
// and re-enabling one is a single row change, audited in the same transaction; its effect is immediate
// everywhere because the database's trigger on suppressions recomputes the state every read tests
// (lib/detections/suppressed.ts, lib/risk/effective.ts), with the one matcher the engine's filter uses too
// (suppression_matches). Nothing here matches rows itself: the preview and the host filter ask that same matcher.
import { writeAudit, type Actor } from "../audit/log";
import { db, type Prisma } from "../db/client";
import { parseBigintId } from "../db/ids";
import { query, queryOne, sql } from "../db/sql";
import { filterMacroDefinition } from "../detections/filter";
import { activeSuppressionMatches } from "../detections/queries";
import { filterMacroName, searchName } from "../detections/spec";
import { DETECTION_SPECS, specById } from "../detections/specs";
import { suppressedSql } from "../detections/suppressed";
import { groupFieldNames, OPEN_STATUSES, prefillMatch, suppressionInputSchema, suppressionState, type SuppressionInput, type SuppressionState } from "./fields";
import { UserFacingError } from "../errors/user-facing-error";

/** A refusal whose message is fit to show to the user (bad input, unknown row). */
export class TriageError extends UserFacingError {
  name = "TriageError";
}

// ---- validation -----------------------------------------------------------------------------------------------

/** Checks a suppression against its detection: known detection, only group fields, an expiry in the future. */
export function validateSuppression(input: unknown, now: Date = new Date(), options: { allowPastExpiry?: boolean } = {}): SuppressionInput {
  const parsed = suppressionInputSchema.safeParse(input);
  if (!parsed.success) throw new TriageError(parsed.error.issues.map((i) => i.message).join("; "));
  const value = parsed.data;
  const spec = specById(value.detectionId);
  if (!spec) throw new TriageError(`Unknown detection ${value.detectionId}.`);
  const allowed = groupFieldNames(spec);
  const unknown = Object.keys(value.match).filter((f) => !allowed.includes(f));
  if (unknown.length) throw new TriageError(`${unknown.join(", ")}: not a field of ${spec.name}'s results (it groups by ${allowed.join(", ")}).`);
  if (value.expiresAt && value.expiresAt.getTime() <= now.getTime() && !options.allowPastExpiry) throw new TriageError("The expiry must be in the future (or left empty).");
  // Keep the detection's column order, so the SPL reads like the result row.
  const match = Object.fromEntries(allowed.filter((f) => f in value.match).map((f) => [f, value.match[f]]));
  return { ...value, match };
}

// ---- drafts ("Mark as false positive") -----------------------------------------------------------------------

export interface SuppressionDraft {
  detectionId: string;
  detectionName: string;
  /** The fields the suppression may match, in column order. */
  groupFields: string[];
  /** Pre-filled: the row's group fields. */
  match: Record<string, string>;
  /** The whole result row, for reference. */
  fields: Record<string, unknown>;
  resultId: string | null;
  notableId: string | null;
}

/** A suppression pre-filled from a detection result: its group-by fields (not count, firstTime, lastTime). */
export async function draftFromResult(resultId: string | bigint): Promise<SuppressionDraft | null> {
  const id = parseBigintId(resultId);
  if (id === null) return null;
  const result = await db().detectionResult.findFirst({ where: { id }, select: { id: true, detectionId: true, fields: true, notable: { select: { id: true } } } });
  if (!result) return null;
  const spec = specById(result.detectionId);
  if (!spec) return null;
  const fields = (result.fields ?? {}) as Record<string, unknown>;
  return {
    detectionId: spec.id,
    detectionName: spec.name,
    groupFields: groupFieldNames(spec),
    match: prefillMatch(spec, fields),
    fields,
    resultId: String(result.id),
    notableId: result.notable ? String(result.notable.id) : null,
  };
}

export async function draftFromNotable(notableId: string | bigint): Promise<SuppressionDraft | null> {
  const id = parseBigintId(notableId);
  if (id === null) return null;
  const notable = await db().notable.findFirst({ where: { id }, select: { resultId: true } });
  // A risk incident notable has no result to suppress: its risk events' results are suppressed one by one.
  return notable?.resultId ? draftFromResult(notable.resultId) : null;
}

/** An empty suppression of a detection (from the Suppressions page). */
export function draftForDetection(detectionId: string): SuppressionDraft | null {
  const spec = specById(detectionId);
  if (!spec) return null;
  return { detectionId: spec.id, detectionName: spec.name, groupFields: groupFieldNames(spec), match: {}, fields: {}, resultId: null, notableId: null };
}

// ---- preview --------------------------------------------------------------------------------------------------

export interface SuppressionPreview {
  /** Results of the detection the suppression matches (hidden already or not). */
  matched: number;
  /** Of those, the ones it would hide (no other active suppression hides them yet). */
  newlyHidden: number;
  alreadyHidden: number;
  /** Risk events (and their total score) that would stop counting. */
  riskEvents: number;
  riskScore: number;
  /** Open notables (new, in progress, pending) whose result it would hide. */
  openNotables: number;
  /** Hosts whose risk drops, highest drop first (at most 20). */
  hosts: { dest: string; results: number; risk: number }[];
  hostCount: number;
  /** All results of the detection, for scale. */
  detectionResults: number;
}

/**
 * What saving this suppression would change, computed by the real matcher (suppression_matches, as `suppressedSql`
 * uses it): the detection's results the candidate matches, and of those the ones no other active suppression
 * (other than `excludeId`, the one being edited) hides already — with their risk, open notables and hosts.
 */
export async function previewSuppression(input: { detectionId: string; match: Record<string, string> }, options: { excludeId?: bigint | string } = {}): Promise<SuppressionPreview> {
  // One row: every figure is a subquery.
  const r = (await queryOne<{
    matched: number;
    newly: number;
    risk_events: number;
    risk_score: number;
    open_notables: number;
    hosts: { dest: string; results: number; risk: number }[] | null;
    host_count: number;
    total: number;
  }>(
    sql`WITH m AS (
       SELECT r.id, lower(coalesce(r.dest, '')) AS dest, NOT ${suppressedSql(input.detectionId, sql`r.fields`, parseBigintId(options.excludeId))} AS newly
       FROM detection_results r
       WHERE r.detection_id = ${input.detectionId} AND suppression_matches(${JSON.stringify(input.match)}::jsonb, r.fields)
     ), risk AS (
       SELECT m.id, m.dest, count(re.id)::int AS events, coalesce(sum(re.risk_score), 0)::int AS score
       FROM m LEFT JOIN risk_events re ON re.result_id = m.id WHERE m.newly GROUP BY m.id, m.dest
     ), per_host AS (
       SELECT dest, count(*)::int AS results, sum(score)::int AS risk FROM risk GROUP BY dest
     )
     SELECT (SELECT count(*)::int FROM m) AS matched,
            (SELECT count(*)::int FROM m WHERE newly) AS newly,
            (SELECT coalesce(sum(events), 0)::int FROM risk) AS risk_events,
            (SELECT coalesce(sum(score), 0)::int FROM risk) AS risk_score,
            (SELECT count(*)::int FROM notables n JOIN m ON m.id = n.result_id
              WHERE m.newly AND n.status::text = ANY(${OPEN_STATUSES}::text[])) AS open_notables,
            (SELECT json_agg(json_build_object('dest', dest, 'results', results, 'risk', risk) ORDER BY risk DESC, dest)
               FROM (SELECT * FROM per_host ORDER BY risk DESC, dest LIMIT 20) x) AS hosts,
            (SELECT count(*)::int FROM per_host) AS host_count,
            (SELECT count(*)::int FROM detection_results WHERE detection_id = ${input.detectionId}) AS total`,
  ))!;
  return {
    matched: r.matched,
    newlyHidden: r.newly,
    alreadyHidden: r.matched - r.newly,
    riskEvents: r.risk_events,
    riskScore: r.risk_score,
    openNotables: r.open_notables,
    hosts: r.hosts ?? [],
    hostCount: r.host_count,
    detectionResults: r.total,
  };
}

// ---- changes --------------------------------------------------------------------------------------------------

type Row = Prisma.SuppressionGetPayload<object>;

/** What the audit log records of a suppression. */
function snapshot(s: Row) {
  return {
    detectionId: s.detectionId,
    match: s.match,
    reason: s.reason,
    enabled: s.enabled,
    expiresAt: s.expiresAt?.toISOString() ?? null,
    ...(s.sourceResultId !== null ? { sourceResultId: String(s.sourceResultId) } : {}),
  };
}

/** Saves a new suppression (audited as suppression.create, with what it hid at that moment). */
export async function createSuppression(input: unknown, actor: Actor, options: { sourceResultId?: string | bigint | null; now?: Date } = {}) {
  const value = validateSuppression(input, options.now);
  const preview = await previewSuppression(value);
  let sourceResultId: bigint | null = null;
  if (options.sourceResultId !== undefined && options.sourceResultId !== null && options.sourceResultId !== "") {
    sourceResultId = parseBigintId(options.sourceResultId);
    if (sourceResultId === null) throw new TriageError("Bad result id.");
  }
  return db().$transaction(async (tx) => {
    const row = await tx.suppression.create({
      data: {
        detectionId: value.detectionId,
        match: value.match,
        reason: value.reason,
        expiresAt: value.expiresAt,
        createdById: actor.id,
        updatedById: actor.id,
        sourceResultId,
      },
    });
    await writeAudit(
      actor,
      {
        action: "suppression.create",
        targetType: "suppression",
        targetId: row.id,
        after: { ...snapshot(row), hid: { results: preview.newlyHidden, riskEvents: preview.riskEvents, riskScore: preview.riskScore, hosts: preview.hostCount } },
      },
      tx,
    );
    return row;
  });
}

async function changeSuppression(
  id: bigint | string,
  actor: Actor,
  action: string,
  change: (row: Row) => Prisma.SuppressionUpdateInput | null,
): Promise<Row> {
  const key = parseBigintId(id);
  if (key === null) throw new TriageError("No such suppression.");
  return db().$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<{ id: bigint }[]>`SELECT id FROM suppressions WHERE id = ${key} FOR UPDATE`;
    if (!before) throw new TriageError("No such suppression.");
    const row = await tx.suppression.findUniqueOrThrow({ where: { id: key } });
    const data = change(row);
    if (!data) return row;
    const after = await tx.suppression.update({ where: { id: key }, data: { ...data, updatedBy: actor.id ? { connect: { id: actor.id } } : { disconnect: true } } });
    await writeAudit(actor, { action, targetType: "suppression", targetId: key, before: snapshot(row), after: snapshot(after) }, tx);
    return after;
  });
}

/**
 * Edits the fields, reason and expiry (the detection stays). Audited as suppression.update with before and after.
 * `expectedUpdatedAt`: when the suppression the form shows was last changed; the edit is refused if it changed since.
 */
export async function updateSuppression(
  id: bigint | string,
  input: { match: Record<string, string>; reason: string; expiresAt: Date | null; expectedUpdatedAt?: Date },
  actor: Actor,
  now: Date = new Date(),
) {
  return changeSuppression(id, actor, "suppression.update", (row) => {
    if (input.expectedUpdatedAt && row.updatedAt.getTime() !== input.expectedUpdatedAt.getTime()) {
      throw new TriageError("Not saved: this suppression was changed since you loaded it. Reload the page to see the change, then save again.");
    }
    // An expiry already in the past may be kept as it is (editing the reason of an expired one), not newly set.
    const keepsOldExpiry = input.expiresAt !== null && row.expiresAt !== null && input.expiresAt.getTime() === row.expiresAt.getTime();
    const value = validateSuppression({ detectionId: row.detectionId, ...input }, now, { allowPastExpiry: keepsOldExpiry });
    const same =
      JSON.stringify(row.match) === JSON.stringify(value.match) && row.reason === value.reason && (row.expiresAt?.getTime() ?? null) === (value.expiresAt?.getTime() ?? null);
    if (same) return null;
    return { match: value.match, reason: value.reason, expiresAt: value.expiresAt };
  });
}

/** Disables (everything it hid comes back at once) or re-enables a suppression. */
export async function setSuppressionEnabled(id: bigint | string, enabled: boolean, actor: Actor, now: Date = new Date()) {
  return changeSuppression(id, actor, enabled ? "suppression.enable" : "suppression.disable", (row) => {
    // The page offers no toggle on an expired suppression (it applies to nothing either way): refused here too.
    if (row.expiresAt && row.expiresAt <= now) throw new TriageError("This suppression has expired: edit it to set a new expiry first.");
    return row.enabled === enabled ? null : { enabled };
  });
}

// ---- reads ----------------------------------------------------------------------------------------------------

export interface SuppressionRow {
  id: string;
  detectionId: string;
  detectionName: string;
  match: Record<string, string>;
  reason: string;
  enabled: boolean;
  expiresAt: Date | null;
  state: SuppressionState;
  createdBy: string | null;
  createdAt: Date;
  updatedBy: string | null;
  updatedAt: Date;
  sourceResultId: string | null;
  /** This suppression as one clause of the filter macro. */
  spl: string;
}

export interface SuppressionFilter {
  detectionId?: string;
  state?: SuppressionState | "all";
  /** Suppressions that can apply to this host: fleet-wide ones, and those whose dest matches it. */
  dest?: string;
}

const detectionName = (id: string) => specById(id)?.name ?? id;

/** A stored match in the detection's column order (jsonb keeps keys in its own order), for display and SPL. */
export function orderedMatch(detectionId: string, match: Record<string, unknown>): Record<string, string> {
  const spec = specById(detectionId);
  const order = spec ? groupFieldNames(spec) : [];
  const keys = Object.keys(match).sort((a, b) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9) || a.localeCompare(b));
  return Object.fromEntries(keys.map((k) => [k, String(match[k] ?? "")]));
}

function toRow(s: Row & { createdBy: { username: string } | null; updatedBy: { username: string } | null }, now: Date): SuppressionRow {
  const match = orderedMatch(s.detectionId, s.match as Record<string, unknown>);
  return {
    id: String(s.id),
    detectionId: s.detectionId,
    detectionName: detectionName(s.detectionId),
    match,
    reason: s.reason,
    enabled: s.enabled,
    expiresAt: s.expiresAt,
    state: suppressionState(s, now),
    createdBy: s.createdBy?.username ?? null,
    createdAt: s.createdAt,
    updatedBy: s.updatedBy?.username ?? null,
    updatedAt: s.updatedAt,
    sourceResultId: s.sourceResultId === null ? null : String(s.sourceResultId),
    spl: filterMacroDefinition([match]),
  };
}

export async function listSuppressions(f: SuppressionFilter = {}, now: Date = new Date()): Promise<SuppressionRow[]> {
  const where: Prisma.SuppressionWhereInput = {
    ...(f.detectionId ? { detectionId: f.detectionId } : {}),
    ...(f.state === "active" ? { enabled: true, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } : {}),
    ...(f.state === "disabled" ? { enabled: false } : {}),
    ...(f.state === "expired" ? { enabled: true, expiresAt: { lte: now } } : {}),
  };
  if (f.dest) {
    const rows = await query<{ id: string }>(
      // Fleet-wide (no dest), or its dest matches this host as the matcher would match a result's dest.
      sql`SELECT s.id::text FROM suppressions s
       WHERE NOT (s.match ? 'dest') OR suppression_matches(jsonb_build_object('dest', s.match -> 'dest'), jsonb_build_object('dest', ${f.dest}::text))`,
    );
    where.id = { in: rows.map((r) => BigInt(r.id)) };
  }
  const rows = await db().suppression.findMany({
    where,
    orderBy: [{ id: "desc" }],
    take: 1000,
    include: { createdBy: { select: { username: true } }, updatedBy: { select: { username: true } } },
  });
  return rows.map((r) => toRow(r, now));
}

export async function getSuppression(id: string | bigint, now: Date = new Date()): Promise<SuppressionRow | null> {
  const key = parseBigintId(id);
  if (key === null) return null;
  const row = await db().suppression.findUnique({
    where: { id: key },
    include: { createdBy: { select: { username: true } }, updatedBy: { select: { username: true } } },
  });
  return row ? toRow(row, now) : null;
}

export interface FilterMacro {
  detectionId: string;
  detectionName: string;
  searchName: string;
  macroName: string;
  /** The macro's definition now: `search *` or `search NOT (...)` of the active suppressions. */
  definition: string;
  active: number;
}

/** Every detection's `_filter` macro as it stands (active suppressions only), ready to paste into Splunk. */
export async function filterMacros(): Promise<FilterMacro[]> {
  return Promise.all(
    DETECTION_SPECS.map(async (spec) => {
      const matches = (await activeSuppressionMatches(spec.id)).map((m) => orderedMatch(spec.id, m));
      return {
        detectionId: spec.id,
        detectionName: spec.name,
        searchName: searchName(spec),
        macroName: filterMacroName(spec.name),
        definition: filterMacroDefinition(matches),
        active: matches.length,
      };
    }),
  );
}
