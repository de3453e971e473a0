// The notables workflow of Enterprise Security's Incident Review: status, owner, disposition, comments, one
// notable or a filtered selection at once, and urgency from severity x asset priority. Every change is written
// with its audit row in the same transaction.
import { writeAudit, type Actor } from "../audit/log";
import { roleCan } from "../auth/permissions";
import { db, type Prisma } from "../db/client";
import { parseBigintId } from "../db/ids";
import { containsPattern } from "../db/like";
import { query, queryOne, raw, sql, whereAll, type Sql } from "../db/sql";
import { ENRICHMENT_KEYS, FINDING_KEYS } from "../detections/enrichment";
import { specById } from "../detections/specs";
import { RESULT_SUPPRESSED, suppressedAt } from "../detections/suppressed";
import type { RiskFactor } from "../detections/risk-factors";
import { CHAIN_RULE } from "../risk/chains";
import { SEVERITIES, urgencyFor, type Severity } from "../detections/severity";
import { dispositionLabel, hostPrioritySchema, notableChangeSchema, OPEN_STATUSES, statusLabel, type NotableChange, type NotableListParams } from "./fields";
import { TriageError } from "./suppressions";

// ---- the queue -------------------------------------------------------------------------------------------------

export interface NotableRow {
  id: string;
  time: string;
  title: string;
  detectionId: string;
  dest: string | null;
  severity: string;
  urgency: string;
  status: string;
  owner: string | null;
  disposition: string | null;
  updatedAt: string;
  comments: number;
  /** The detection result, or null for a risk incident notable (incidentRule says which rule). */
  resultId: string | null;
  incidentRule: string | null;
  /** What happened, in one line ("Module X (C:\\…\\x.dll) added to globalModules"), and its kind. */
  what: string | null;
  findingKind: string | null;
  /** A suppression now hides this notable's result (a false positive). */
  suppressed: boolean;
}

const RANK = (column: string) =>
  `CASE ${column} WHEN 'critical' THEN 5 WHEN 'high' THEN 4 WHEN 'medium' THEN 3 WHEN 'low' THEN 2 WHEN 'informational' THEN 1 ELSE 0 END`;

const SORT_SQL: Record<NotableListParams["sort"], string> = {
  time: "n.time",
  urgency: RANK("n.urgency"),
  // Most serious first (descending): module installed, then DLL load failures and HTTP logging disabled, …
  finding: "r.finding_rank",
  status: "n.status",
  dest: "lower(n.dest)",
  owner: "u.username",
  updated: "n.updated_at",
  title: "n.title",
};

/** The WHERE clause of a queue view. `viewerId` resolves owner=me. */
function queueWhere(p: Partial<NotableListParams>, viewerId: string | null): Sql {
  const conditions: Sql[] = [];
  const status = p.status ?? "open";
  if (status === "open") conditions.push(sql`n.status::text = ANY(${OPEN_STATUSES}::text[])`);
  else if (status !== "all") conditions.push(sql`n.status::text = ${status}`);
  if (p.urgency) conditions.push(sql`n.urgency = ${p.urgency}`);
  if (p.owner === "me") conditions.push(viewerId ? sql`n.owner_id = ${viewerId}::uuid` : sql`false`);
  else if (p.owner === "none") conditions.push(sql`n.owner_id IS NULL`);
  else if (p.owner) conditions.push(sql`u.username = lower(${p.owner})`);
  if (p.detection) conditions.push(sql`n.detection_id = ${p.detection}`);
  // Any part of the host name, as the hosts filter matches.
  if (p.dest) conditions.push(sql`lower(n.dest) LIKE ${containsPattern(p.dest)}`);
  if (p.disposition) conditions.push(sql`n.disposition = ${p.disposition}`);
  if (p.finding) conditions.push(sql`r.finding_kind = ${p.finding}`);
  if ((p.suppressed ?? "hide") === "hide") conditions.push(sql`NOT ${RESULT_SUPPRESSED}`);
  return whereAll(conditions);
}

// LEFT JOIN: a risk incident notable has no result (its suppression state is then false: nothing hides it).
const QUEUE_FROM = sql`FROM notables n LEFT JOIN detection_results r ON r.dest_id = n.host_id AND r.id = n.result_id LEFT JOIN users u ON u.id = n.owner_id`;

/** A row of the queue as SQL returns it: the columns a NotableRow takes as they are, the others by their SQL names. */
type QueueRow = Pick<NotableRow, "id" | "title" | "dest" | "severity" | "urgency" | "status" | "owner" | "disposition" | "suppressed" | "what" | "comments"> & {
  time: Date;
  detection_id: string;
  updated_at: Date;
  result_id: string | null;
  incident_rule: string | null;
  finding_kind: string | null;
};

export async function listNotables(p: NotableListParams, viewerId: string | null): Promise<{ total: number; rows: NotableRow[] }> {
  const where = queueWhere(p, viewerId);
  const dir = p.dir === "asc" ? "ASC" : "DESC";
  const order = raw(`${SORT_SQL[p.sort]} ${dir} NULLS LAST, ${p.sort === "finding" ? `n.time ${dir}, ` : ""}n.id ${dir}`);
  const [count, page] = await Promise.all([
    queryOne<{ n: number }>(sql`SELECT count(*)::int AS n ${QUEUE_FROM} ${where}`),
    query<QueueRow>(
      sql`SELECT n.id::text, n.time, n.title, n.detection_id, n.dest, n.severity, n.urgency, n.status::text AS status, u.username AS owner,
              n.disposition, n.updated_at, n.result_id::text AS result_id, n.incident_rule, ${RESULT_SUPPRESSED} AS suppressed,
              coalesce(r.enrichment -> ${raw(`'${ENRICHMENT_KEYS.finding}'`)} ->> ${raw(`'${FINDING_KEYS.text}'`)},
                       CASE WHEN n.incident_rule = ${CHAIN_RULE} THEN n.incident_score || ' links on ' || n.dest
                            WHEN n.incident_rule IS NOT NULL THEN 'risk ' || n.incident_score || ' on ' || n.dest END) AS what, r.finding_kind,
              (SELECT count(*)::int FROM notable_comments c WHERE c.notable_id = n.id) AS comments
       ${QUEUE_FROM} ${where}
       ORDER BY ${order}
       LIMIT ${p.size} OFFSET ${(p.page - 1) * p.size}`,
    ),
  ]);
  return {
    total: count!.n,
    rows: page.map((r) => ({
      id: r.id,
      time: r.time.toISOString(),
      title: r.title,
      detectionId: r.detection_id,
      dest: r.dest,
      severity: r.severity,
      urgency: r.urgency,
      status: r.status,
      owner: r.owner,
      disposition: r.disposition,
      updatedAt: r.updated_at.toISOString(),
      comments: r.comments,
      resultId: r.result_id,
      incidentRule: r.incident_rule,
      what: r.what,
      findingKind: r.finding_kind,
      suppressed: r.suppressed,
    })),
  };
}

/** Bulk actions on "everything this view matches" are capped: past this, narrow the filter. */
export const MAX_BULK = 2000;

/** The ids of every notable a queue view matches (all pages), at most MAX_BULK + 1 (to tell that it is too many). */
export async function notableIdsMatching(p: Partial<NotableListParams>, viewerId: string | null): Promise<string[]> {
  const rows = await query<{ id: string }>(sql`SELECT n.id::text ${QUEUE_FROM} ${queueWhere(p, viewerId)} ORDER BY n.id LIMIT ${MAX_BULK + 1}`);
  return rows.map((r) => r.id);
}

// ---- one notable -----------------------------------------------------------------------------------------------

export async function getNotable(id: string | bigint) {
  const key = parseBigintId(id);
  if (key === null) return null;
  const notable = await db().notable.findFirst({
    where: { id: key },
    include: {
      owner: { select: { id: true, username: true } },
      comments: { orderBy: { id: "asc" }, include: { author: { select: { username: true } } } },
      result: { include: { run: true } },
      // A risk incident notable: the risk events that made its object cross the rule.
      riskEvents: { include: { riskEvent: true }, orderBy: { riskEventId: "asc" } },
    },
  });
  if (!notable) return null;
  // Read through Prisma like the rest of the notable: its result's risk is an aggregate of its risk events.
  const risk = notable.resultId === null ? null : await db().riskEvent.aggregate({ where: { resultId: notable.resultId }, _sum: { riskScore: true } });
  // The arithmetic of its risk (base score + module provenance factors), from its first risk event that has factors.
  const scored =
    notable.resultId === null
      ? null
      : await db().riskEvent.findFirst({ where: { resultId: notable.resultId, baseRiskScore: { not: null } }, orderBy: { id: "asc" }, select: { baseRiskScore: true, riskFactors: true } });
  const history = await db().auditLog.findMany({
    where: { targetType: "notable", targetId: String(key), action: { in: ["notable.update", "notable.comment"] } },
    orderBy: { id: "asc" },
    select: { id: true, at: true, actorName: true, action: true, before: true, after: true },
  });
  return {
    ...notable,
    detectionName: specById(notable.detectionId)?.name ?? notable.detectionId,
    suppressed: suppressedAt(notable.result?.suppressedUntil ?? null),
    risk: notable.incidentScore ?? risk?._sum.riskScore ?? 0,
    riskBreakdown: scored ? { base: scored.baseRiskScore!, factors: scored.riskFactors as unknown as RiskFactor[] } : null,
    contributingRisk: notable.riskEvents.map((r) => r.riskEvent).sort((a, b) => a.time.getTime() - b.time.getTime()),
    history,
  };
}

/** Accounts a notable may be assigned to: active users whose role may work the queue. */
export async function assignableOwners(): Promise<{ id: string; username: string }[]> {
  const users = await db().user.findMany({ where: { disabled: false }, orderBy: { username: "asc" }, select: { id: true, username: true, role: true } });
  return users.filter((u) => roleCan(u.role, "notable:triage")).map(({ id, username }) => ({ id, username }));
}

// ---- changes ----------------------------------------------------------------------------------------------------

type Tx = Prisma.TransactionClient;

interface Snapshot {
  status: string;
  owner: string | null;
  disposition: string | null;
}

async function checkOwner(tx: Tx, ownerId: string | null | undefined): Promise<string | null | undefined> {
  if (ownerId === undefined || ownerId === null) return ownerId;
  const user = await tx.user.findUnique({ where: { id: ownerId }, select: { username: true, role: true, disabled: true } });
  if (!user || user.disabled || !roleCan(user.role, "notable:triage")) throw new TriageError("The owner must be an active triager or admin.");
  return user.username;
}

/**
 * Applies one change (status, owner, disposition, and/or a comment) to notables, each audited: notable.update with
 * the fields that changed (before and after), notable.comment with the comment. Returns how many notables changed.
 */
export async function updateNotables(ids: (string | bigint)[], change: NotableChange, actor: Actor, options: { bulk?: boolean } = {}): Promise<{ updated: number; commented: number }> {
  const parsed = notableChangeSchema.safeParse(change);
  if (!parsed.success) throw new TriageError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const c = parsed.data;
  if (c.status === undefined && c.ownerId === undefined && c.disposition === undefined && c.comment === undefined) throw new TriageError("Nothing to change.");
  const parsedIds = ids.map(parseBigintId);
  if (parsedIds.includes(null)) throw new TriageError("Bad notable id.");
  const keys = [...new Set(parsedIds as bigint[])];
  if (keys.length === 0) throw new TriageError("No notables selected.");
  if (keys.length > MAX_BULK) throw new TriageError(`At most ${MAX_BULK} notables at once: narrow the filter.`);
  return db().$transaction(
    async (tx) => {
      const ownerName = await checkOwner(tx, c.ownerId);
      // Lock them first, so two triagers' changes do not interleave between read and write.
      await tx.$queryRaw`SELECT id FROM notables WHERE id = ANY(${keys.map(String)}::bigint[]) ORDER BY id FOR UPDATE`;
      const rows = await tx.notable.findMany({ where: { id: { in: keys } }, include: { owner: { select: { username: true } } }, orderBy: { id: "asc" } });
      if (rows.length !== keys.length) throw new TriageError(keys.length === 1 ? "No such notable." : "Some of the selected notables no longer exist.");
      let updated = 0;
      let commented = 0;
      const changedIds: bigint[] = [];
      for (const row of rows) {
        if (c.expected && (c.expected.status !== row.status || c.expected.ownerId !== row.ownerId || c.expected.disposition !== row.disposition)) {
          throw new TriageError(
            `Not saved: this notable was changed since you loaded it (now ${statusLabel(row.status)}, ${row.owner ? `owner ${row.owner.username}` : "unassigned"}` +
              `${row.disposition ? `, ${dispositionLabel(row.disposition)}` : ""}). Reload the page to see the change, then save again.`,
          );
        }
        const before: Snapshot = { status: row.status, owner: row.owner?.username ?? null, disposition: row.disposition };
        const after: Snapshot = {
          status: c.status ?? before.status,
          owner: c.ownerId === undefined ? before.owner : (ownerName ?? null),
          disposition: c.disposition === undefined ? before.disposition : c.disposition,
        };
        const keysChanged = (Object.keys(before) as (keyof Snapshot)[]).filter((k) => before[k] !== after[k]);
        if (keysChanged.length) {
          changedIds.push(row.id);
          await writeAudit(
            actor,
            {
              action: "notable.update",
              targetType: "notable",
              targetId: row.id,
              before: Object.fromEntries(keysChanged.map((k) => [k, before[k]])),
              after: { ...Object.fromEntries(keysChanged.map((k) => [k, after[k]])), ...(options.bulk ? { bulk: true } : {}) },
            },
            tx,
          );
        }
        if (c.comment !== undefined) {
          const comment = await tx.notableComment.create({ data: { hostId: row.hostId, notableId: row.id, authorId: actor.id, body: c.comment } });
          await writeAudit(actor, { action: "notable.comment", targetType: "notable", targetId: row.id, after: { commentId: String(comment.id), body: c.comment } }, tx);
          commented++;
        }
      }
      if (changedIds.length) {
        const data: Prisma.NotableUncheckedUpdateManyInput = {};
        if (c.status !== undefined) data.status = c.status;
        if (c.ownerId !== undefined) data.ownerId = c.ownerId;
        if (c.disposition !== undefined) data.disposition = c.disposition;
        updated = (await tx.notable.updateMany({ where: { id: { in: changedIds } }, data })).count;
      } else if (commented) {
        // A comment is activity too: the queue's "updated" column moves.
        await tx.notable.updateMany({ where: { id: { in: keys } }, data: { updatedAt: new Date() } });
      }
      return { updated, commented };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

/** A comment on one notable (anyone who may read may comment). */
export async function commentOnNotable(id: string | bigint, body: string, actor: Actor) {
  return updateNotables([id], { comment: body }, actor);
}

// ---- asset priority and urgency ----------------------------------------------------------------------------------

const isSeverity = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);

/**
 * Sets a host's asset priority and recomputes the urgency of its open notables (severity x priority, ES's
 * urgency lookup). Closed and resolved notables keep the urgency they were worked with. Audited as host.priority,
 * with every urgency that moved.
 */
/**
 * Sets a host's asset priority. `expected`: the priority the form showed when it was loaded; the change is refused
 * when another admin set a different one since.
 */
export async function setHostPriority(hostId: string, priority: string, actor: Actor, expected?: string): Promise<{ priority: string; notablesUpdated: number }> {
  const parsed = hostPrioritySchema.safeParse(priority);
  if (!parsed.success) throw new TriageError(`Priority must be one of ${hostPrioritySchema.options.join(", ")}.`);
  const id = hostId.toLowerCase();
  return db().$transaction(async (tx) => {
    const [host] = await tx.$queryRaw<{ id: string; priority: string }[]>`SELECT id, priority FROM hosts WHERE id = ${id} FOR UPDATE`;
    if (!host) throw new TriageError("No such host.");
    if (expected !== undefined && expected !== host.priority) {
      throw new TriageError(`Not saved: this host's priority was changed to ${host.priority} since you loaded the page. Reload it to see the change, then save again.`);
    }
    if (host.priority === parsed.data) return { priority: host.priority, notablesUpdated: 0 };
    await tx.host.update({ where: { id }, data: { priority: parsed.data } });
    const open = await tx.$queryRaw<{ id: bigint; severity: string; urgency: string }[]>`
      SELECT id, severity, urgency FROM notables WHERE lower(dest) = ${id} AND status::text = ANY(${[...OPEN_STATUSES]}::text[]) FOR UPDATE`;
    const moved: { id: string; before: string; after: string }[] = [];
    for (const n of open) {
      if (!isSeverity(n.severity)) continue;
      const urgency = urgencyFor(n.severity, parsed.data);
      if (urgency === n.urgency) continue;
      await tx.notable.update({ where: { hostId_id: { hostId: id, id: n.id } }, data: { urgency } });
      moved.push({ id: String(n.id), before: n.urgency, after: urgency });
    }
    await writeAudit(
      actor,
      { action: "host.priority", targetType: "host", targetId: id, before: { priority: host.priority }, after: { priority: parsed.data, urgencyChanged: moved } },
      tx,
    );
    return { priority: parsed.data, notablesUpdated: moved.length };
  });
}
