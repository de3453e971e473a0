// API tokens for the HTTP API (`Authorization: Bearer iisw_…`): shown once at creation, stored as sha-256,
// revocable, optionally expiring. A token acts as its owner but only within TOKEN_PERMISSIONS (uploads, reads).
import { db } from "../db/client";
import { writeAudit, type Actor } from "../audit/log";
import { randomSecret, safeEqual, sha256Hex } from "./crypto";
import { isRole, type Role } from "./permissions";
import { UserFacingError } from "../errors/user-facing-error";

export const TOKEN_PREFIX = "iisw_";
const TOKEN_PATTERN = /^iisw_[A-Za-z0-9_-]{43}$/;
const TOUCH_INTERVAL_MS = 60_000;

export class TokenError extends UserFacingError {
  name = "TokenError";
}

export interface ApiTokenSummary {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  username: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const summarySelect = {
  id: true,
  name: true,
  prefix: true,
  userId: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  user: { select: { username: true } },
} as const;

type SummaryRow = Omit<ApiTokenSummary, "username"> & { user: { username: string } };
const toSummary = ({ user, ...rest }: SummaryRow): ApiTokenSummary => ({ ...rest, username: user.username });

/** Creates a token for a user. The returned `token` is the only time it exists in clear. */
export async function createApiToken(
  input: { userId: string; name: string; expiresAt?: Date | null },
  actor: Actor | null,
): Promise<{ token: string; summary: ApiTokenSummary }> {
  const name = input.name.trim().slice(0, 100);
  if (!name) throw new TokenError("Give the token a name (what will use it).");
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new TokenError("The expiry must be in the future.");
  const token = TOKEN_PREFIX + randomSecret(32);
  const row = await db().$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { userId: input.userId, name, tokenHash: sha256Hex(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6), expiresAt: input.expiresAt ?? null },
      select: summarySelect,
    });
    await writeAudit(
      actor,
      {
        action: "token.create",
        targetType: "api_token",
        targetId: created.id,
        after: { name, owner: created.user.username, prefix: created.prefix, expiresAt: created.expiresAt },
      },
      tx,
    );
    return created;
  });
  return { token, summary: toSummary(row) };
}

/** Revokes a token; `ownerId` restricts it to that user's tokens (non-admins). Returns false if none matched. */
export async function revokeApiToken(tokenId: string, actor: Actor | null, ownerId?: string): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const row = await tx.apiToken.findFirst({ where: { id: tokenId, ...(ownerId ? { userId: ownerId } : {}) }, select: summarySelect });
    if (!row || row.revokedAt) return false;
    const revokedAt = new Date();
    await tx.apiToken.update({ where: { id: tokenId }, data: { revokedAt } });
    await writeAudit(
      actor,
      {
        action: "token.revoke",
        targetType: "api_token",
        targetId: tokenId,
        before: { name: row.name, owner: row.user.username, prefix: row.prefix, revokedAt: null },
        after: { revokedAt },
      },
      tx,
    );
    return true;
  });
}

export async function listApiTokens(filter: { userId?: string } = {}): Promise<ApiTokenSummary[]> {
  const rows = await db().apiToken.findMany({ where: filter.userId ? { userId: filter.userId } : {}, select: summarySelect, orderBy: { createdAt: "desc" } });
  return rows.map(toSummary);
}

export interface TokenPrincipal {
  tokenId: string;
  user: { id: string; username: string; role: Role };
}

/** The token's owner, if the token is well-formed, known, unrevoked, unexpired, and its owner enabled. */
export async function verifyApiToken(token: string | null | undefined): Promise<TokenPrincipal | null> {
  if (!token || !TOKEN_PATTERN.test(token)) return null;
  const hash = sha256Hex(token);
  const row = await db().apiToken.findUnique({
    where: { tokenHash: hash },
    select: { id: true, tokenHash: true, revokedAt: true, expiresAt: true, lastUsedAt: true, user: { select: { id: true, username: true, role: true, disabled: true } } },
  });
  if (!row || !safeEqual(row.tokenHash, hash)) return null;
  const now = Date.now();
  if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now) || row.user.disabled || !isRole(row.user.role)) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    await db().apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { tokenId: row.id, user: { id: row.user.id, username: row.user.username, role: row.user.role } };
}

/** The token in an `Authorization: Bearer …` header, if any. */
export function bearerToken(headers: Pick<Headers, "get">): string | null {
  const value = headers.get("authorization");
  if (!value) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m ? m[1] : null;
}
