// The audit writer: one append-only row per change — who, when, what, before and after, from which address.
// Rows are never updated or deleted (a database trigger refuses it). Call it inside the transaction that makes
// the change (pass the transaction client) so the change and its record land together or not at all.
import os from "node:os";
import type pg from "pg";
import { db, Prisma, type PrismaClient } from "../db/client";
import { execute, sql } from "../db/sql";

/** Who did it. A signed-in user (lib/auth's AuthUser is one), the command line, or the system itself. */
export interface Actor {
  id: string | null;
  username: string;
  address?: string | null;
}

export interface AuditEntry {
  /** Dotted verb: "auth.login", "user.create", "upload.create", "notable.update", "suppression.create", ... */
  action: string;
  targetType?: string | null;
  targetId?: string | number | bigint | null;
  before?: unknown;
  after?: unknown;
  /** Overrides the actor's address (e.g. a failed sign-in, which has no actor). */
  address?: string | null;
}

export const SYSTEM_ACTOR: Actor = { id: null, username: "system", address: null };

/** The actor for changes made from the command line (`iiswatch users create ...`). */
export function cliActor(): Actor {
  let name = "unknown";
  try {
    name = os.userInfo().username;
  } catch {
    /* no passwd entry (containers) */
  }
  return { id: null, username: `cli:${name}`, address: null };
}

type Client = PrismaClient | Prisma.TransactionClient;

/** JSON-safe copy: bigint -> string, Date -> ISO, undefined dropped; secrets are the caller's job to omit. */
export function auditJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined || value === null) return Prisma.DbNull;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Prisma.InputJsonValue;
}

/** The audit row of an entry, whichever way it is written. */
function auditRow(actor: Actor | null, entry: AuditEntry) {
  return {
    actorId: actor?.id ?? null,
    actorName: actor?.username?.slice(0, 200) ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId).slice(0, 500),
    before: auditJson(entry.before),
    after: auditJson(entry.after),
    address: (entry.address !== undefined ? entry.address : actor?.address) ?? null,
  };
}

export async function writeAudit(actor: Actor | null, entry: AuditEntry, client: Client = db()): Promise<void> {
  await client.auditLog.create({ data: auditRow(actor, entry) });
}

/** writeAudit on a node-postgres connection, for changes made in a transaction of raw SQL (deleting an upload). */
export async function writeAuditOn(client: pg.ClientBase, actor: Actor | null, entry: AuditEntry): Promise<void> {
  const row = auditRow(actor, entry);
  const json = (v: ReturnType<typeof auditJson>) => (v === Prisma.DbNull ? null : JSON.stringify(v));
  await execute(
    sql`INSERT INTO audit_log (actor_id, actor_name, action, target_type, target_id, before, after, address)
     VALUES (${row.actorId}, ${row.actorName}, ${row.action}, ${row.targetType}, ${row.targetId}, ${json(row.before)}::jsonb, ${json(row.after)}::jsonb, ${row.address})`,
    client,
  );
}
