// Reading the audit log: filtered pages for the Audit view, and every matching row for the CSV export.
import { z } from "zod";
import { db, type Prisma } from "../db/client";
import { sqlSafeText, urlText } from "../db/ids";
import { tableStateSchema } from "../url/table-state";
import { csvRow } from "./csv";

const optionalText = (max: number) => urlText().trim().max(max).optional().catch(undefined).transform((v) => v || undefined);
const optionalDate = z
  .string()
  .trim()
  .optional()
  .catch(undefined)
  .transform((v) => {
    if (!v) return undefined;
    // Dates without a zone are UTC, like every time the dashboard shows.
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) || !/\d\d:\d\d/.test(v) ? v : `${v}Z`);
    return Number.isNaN(d.getTime()) ? undefined : d;
  });

/** The Audit view's filters, as they appear in its URL (every view is a URL). */
export const auditFilterParams = tableStateSchema({
  filters: {
    actor: optionalText(200),
    /** Exact action ("user.update") or a prefix ending in a dot ("auth."). */
    action: optionalText(100),
    targetType: optionalText(100),
    targetId: optionalText(500),
    address: optionalText(100),
    from: optionalDate,
    to: optionalDate,
  },
  // Always newest first (an append-only log read back in time), in long pages: entries are short.
  pageSize: 100,
});
export type AuditFilter = z.infer<typeof auditFilterParams>;

export function auditWhere(f: Partial<AuditFilter>): Prisma.AuditLogWhereInput {
  return {
    ...(f.actor ? { actorName: { contains: f.actor, mode: "insensitive" } } : {}),
    ...(f.action ? (f.action.endsWith(".") ? { action: { startsWith: f.action } } : { action: f.action }) : {}),
    ...(f.targetType ? { targetType: f.targetType } : {}),
    ...(f.targetId ? { targetId: f.targetId } : {}),
    ...(f.address ? { address: f.address } : {}),
    ...(f.from || f.to ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } } : {}),
  };
}

export interface AuditRow {
  id: bigint;
  at: Date;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: Prisma.JsonValue | null;
  after: Prisma.JsonValue | null;
  address: string | null;
}

export async function listAudit(f: AuditFilter): Promise<{ rows: AuditRow[]; total: number }> {
  const where = auditWhere(f);
  const [rows, total] = await Promise.all([
    db().auditLog.findMany({ where, orderBy: [{ at: "desc" }, { id: "desc" }], skip: (f.page - 1) * f.size, take: f.size }),
    db().auditLog.count({ where }),
  ]);
  return { rows, total };
}

/** Distinct actions seen, for the filter's suggestions. */
export async function auditActions(): Promise<string[]> {
  const rows = await db().auditLog.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } });
  return rows.map((r) => r.action);
}

export const AUDIT_CSV_HEADER = ["id", "at", "actor_id", "actor", "action", "target_type", "target_id", "before", "after", "address"] as const;

export function auditCsvLine(r: AuditRow): string {
  return csvRow([r.id, r.at, r.actorId, r.actorName, r.action, r.targetType, r.targetId, r.before, r.after, r.address]);
}

/** Every matching row, oldest first, in batches (keyset on id: memory stays flat however long the log is). */
export async function* auditRowsForExport(f: Partial<AuditFilter>, batch = 1000): AsyncGenerator<AuditRow> {
  const where = auditWhere(f);
  let after: bigint | null = null;
  for (;;) {
    const rows: AuditRow[] = await db().auditLog.findMany({
      where: after === null ? where : { AND: [where, { id: { gt: after } }] },
      orderBy: { id: "asc" },
      take: batch,
    });
    for (const r of rows) yield r;
    if (rows.length < batch) return;
    after = rows[rows.length - 1].id;
  }
}

/**
 * The export's filters, strictly: a filter that is given but cannot be used (a NUL character, too long, not a
 * date) is an error for a 400, never silently dropped — an export of more rows than asked for is as wrong as a
 * short one. (The Audit page is lenient, like every view: it ignores such a filter and shows it empty.)
 */
export function auditExportFilter(params: URLSearchParams): { filter: AuditFilter } | { error: string } {
  for (const [key, value] of params) if (!sqlSafeText(key) || !sqlSafeText(value)) return { error: `${JSON.stringify(key.replace(/\0/g, ""))}: NUL characters are not allowed` };
  const filter = auditFilterParams.parse(Object.fromEntries(params));
  for (const key of ["actor", "action", "targetType", "targetId", "address", "from", "to"] as const) {
    if (params.get(key)?.trim() && filter[key] === undefined) return { error: `${key}: not a usable filter value` };
  }
  return { filter };
}

/**
 * The export as a stream of CSV text (header first), once its first rows have been read: a query that fails
 * does so before the first byte (a 500 the client sees, not a 200 with only the header). A failure later (the
 * database going away mid-export) ends the file with an error line and errors the stream, which cuts the
 * response: the client never takes a short file for a whole one.
 */
export async function auditCsvExport(f: Partial<AuditFilter>, rows: AsyncGenerator<AuditRow> = auditRowsForExport(f)): Promise<ReadableStream<Uint8Array>> {
  const first = await rows.next();
  async function* all(): AsyncGenerator<AuditRow> {
    if (first.done) return;
    yield first.value;
    yield* rows;
  }
  const stream = auditCsvStream(f, all());
  return stream;
}

/** The whole export as a stream of CSV text (header first); see auditCsvExport for what a failure does. */
export function auditCsvStream(f: Partial<AuditFilter>, rows: AsyncGenerator<AuditRow> = auditRowsForExport(f)): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let headerSent = false;
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvRow(AUDIT_CSV_HEADER)));
        return;
      }
      let chunk = "";
      try {
        for (let i = 0; i < 500; i++) {
          const next = await rows.next();
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += auditCsvLine(next.value);
          sent++;
        }
      } catch (e) {
        controller.enqueue(encoder.encode(chunk + csvRow(["#ERROR", `the export failed after ${sent} rows and is incomplete`])));
        controller.error(e);
        return;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
