// HTTP Event Collector tokens: an admin creates one per shipper (or fleet), gives it to the shipper's configuration
// as `Authorization: Splunk <token>`, and revokes it when it leaks or the shipper goes. A HEC token can only send
// events to /services/collector: it is no user and carries no permission of the HTTP API or the pages. Like API
// tokens (lib/auth/tokens.ts), it is shown once and only its sha-256 is stored. Its form is a GUID, as Splunk's are
// (some shippers' configuration checks expect one); 122 random bits.
import crypto from "node:crypto";
import { z } from "zod";
import { writeAudit, type Actor } from "../audit/log";
import { safeEqual, sha256Hex } from "../auth/crypto";
import { db } from "../db/client";
import { UserFacingError } from "../errors/user-facing-error";

const TOUCH_INTERVAL_MS = 60_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class HecTokenError extends UserFacingError {
  name = "HecTokenError";
}

/** A host, source or sourcetype: plain printable text (it is written into events' metadata). */
const metadataValue = z
  .string()
  .trim()
  .max(255, "At most 255 characters.")
  .regex(/^[^\u0000-\u001f\u007f]*$/, "No control characters.")
  .nullish()
  .transform((v) => v || null);

/** What an admin gives when creating a token (the admin page's form parses with this too). */
export const hecTokenInput = z.object({
  name: z.string().trim().min(1, "Give the token a name (which shipper or fleet uses it).").max(100, "At most 100 characters.").regex(/^[^\u0000-\u001f\u007f]*$/, "No control characters."),
  defaultHost: metadataValue,
  defaultSource: metadataValue,
  defaultSourcetype: metadataValue,
  ackEnabled: z.boolean().default(true),
});
export type HecTokenInput = z.input<typeof hecTokenInput>;

export interface HecTokenSummary {
  id: string;
  name: string;
  prefix: string;
  defaultHost: string | null;
  defaultSource: string | null;
  defaultSourcetype: string | null;
  ackEnabled: boolean;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const summarySelect = {
  id: true,
  name: true,
  prefix: true,
  defaultHost: true,
  defaultSource: true,
  defaultSourcetype: true,
  ackEnabled: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  createdBy: { select: { username: true } },
} as const;

type SummaryRow = Omit<HecTokenSummary, "createdBy"> & { createdBy: { username: string } | null };
const toSummary = ({ createdBy, ...rest }: SummaryRow): HecTokenSummary => ({ ...rest, createdBy: createdBy?.username ?? null });

/** Creates a token. The returned `token` is the only time it exists in clear. Audited as `hec_token.create`. */
export async function createHecToken(input: HecTokenInput, actor: Actor | null): Promise<{ token: string; summary: HecTokenSummary }> {
  const parsed = hecTokenInput.safeParse(input);
  if (!parsed.success) throw new HecTokenError(parsed.error.issues[0]?.message ?? "Invalid token settings.");
  const data = parsed.data;
  const token = crypto.randomUUID();
  const row = await db().$transaction(async (tx) => {
    const created = await tx.hecToken.create({
      data: { ...data, tokenHash: sha256Hex(token), prefix: token.slice(0, 8), createdById: actor?.id ?? null },
      select: summarySelect,
    });
    const after = { name: created.name, prefix: created.prefix, defaultHost: created.defaultHost, defaultSource: created.defaultSource, defaultSourcetype: created.defaultSourcetype, ackEnabled: created.ackEnabled };
    await writeAudit(actor, { action: "hec_token.create", targetType: "hec_token", targetId: created.id, after }, tx);
    return created;
  });
  return { token, summary: toSummary(row) };
}

/** Revokes a token: its requests are answered code 1, "Token disabled". False when no active token matched. */
export async function revokeHecToken(tokenId: string, actor: Actor | null): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const row = await tx.hecToken.findUnique({ where: { id: tokenId }, select: summarySelect });
    if (!row || row.revokedAt) return false;
    const revokedAt = new Date();
    await tx.hecToken.update({ where: { id: tokenId }, data: { revokedAt } });
    await writeAudit(
      actor,
      { action: "hec_token.revoke", targetType: "hec_token", targetId: tokenId, before: { name: row.name, prefix: row.prefix, revokedAt: null }, after: { revokedAt } },
      tx,
    );
    return true;
  });
}

export async function listHecTokens(): Promise<HecTokenSummary[]> {
  const rows = await db().hecToken.findMany({ select: summarySelect, orderBy: { createdAt: "desc" } });
  return rows.map(toSummary);
}

/** What a request's token turned out to be. */
export type HecTokenCheck =
  | { kind: "valid"; token: { id: string; name: string; defaultHost: string | null; defaultSource: string | null; defaultSourcetype: string | null; ackEnabled: boolean } }
  | { kind: "disabled" }
  | { kind: "invalid" };

export async function verifyHecToken(token: string): Promise<HecTokenCheck> {
  if (!GUID.test(token)) return { kind: "invalid" };
  const hash = sha256Hex(token.toLowerCase());
  const row = await db().hecToken.findUnique({
    where: { tokenHash: hash },
    select: { id: true, name: true, tokenHash: true, defaultHost: true, defaultSource: true, defaultSourcetype: true, ackEnabled: true, lastUsedAt: true, revokedAt: true },
  });
  if (!row || !safeEqual(row.tokenHash, hash)) return { kind: "invalid" };
  if (row.revokedAt) return { kind: "disabled" };
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    await db().hecToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return {
    kind: "valid",
    token: { id: row.id, name: row.name, defaultHost: row.defaultHost, defaultSource: row.defaultSource, defaultSourcetype: row.defaultSourcetype, ackEnabled: row.ackEnabled },
  };
}
