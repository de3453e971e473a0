// Browser sessions: an opaque random token in an httpOnly, SameSite=Lax cookie; the sessions table keeps its
// sha-256. A session ends after the idle period or the absolute lifetime (lib/auth/config.ts), when its user
// signs out (the row is deleted: the cookie is then worthless even if kept), or when the user is disabled.
import { db } from "../db/client";
import { authConfig } from "./config";
import { randomSecret, safeEqual, sha256Hex } from "./crypto";
import { isRole, type Role } from "./permissions";

export interface SessionUser {
  id: string;
  username: string;
  role: Role;
}

export interface ValidSession {
  sessionId: string;
  expiresAt: Date;
  user: SessionUser;
}

/** Only refresh last-seen/expiry once a minute, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export async function createSession(userId: string, meta: { address?: string | null; userAgent?: string | null } = {}) {
  const { sessionIdleMs, sessionMaxMs } = authConfig();
  const token = randomSecret(32);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + Math.min(sessionIdleMs, sessionMaxMs));
  await db().session.create({
    data: {
      id: sha256Hex(token),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      address: meta.address ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    },
  });
  // Housekeeping: expired rows are useless; drop them while we are here.
  await db().session.deleteMany({ where: { expiresAt: { lt: now } } });
  return { token, sessionId: sha256Hex(token), expiresAt, maxAgeSeconds: Math.floor(sessionMaxMs / 1000) };
}

/** The session a cookie value names, if it is current and its user is enabled; slides the idle expiry. */
export async function validateSessionToken(token: string | undefined | null): Promise<ValidSession | null> {
  if (!token || token.length < 20 || token.length > 200) return null;
  const id = sha256Hex(token);
  const row = await db().session.findUnique({
    where: { id },
    include: { user: { select: { id: true, username: true, role: true, disabled: true } } },
  });
  if (!row || !safeEqual(row.id, id)) return null;
  const now = Date.now();
  const { sessionIdleMs, sessionMaxMs } = authConfig();
  if (row.expiresAt.getTime() <= now || row.createdAt.getTime() + sessionMaxMs <= now) return null;
  if (row.user.disabled || !isRole(row.user.role)) return null;
  let expiresAt = row.expiresAt;
  if (now - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    expiresAt = new Date(Math.min(now + sessionIdleMs, row.createdAt.getTime() + sessionMaxMs));
    await db().session.updateMany({ where: { id }, data: { lastSeenAt: new Date(now), expiresAt } });
  }
  return { sessionId: id, expiresAt, user: { id: row.user.id, username: row.user.username, role: row.user.role } };
}

/** Ends one session (sign-out). Returns whether it existed. */
export async function deleteSession(sessionId: string): Promise<boolean> {
  const { count } = await db().session.deleteMany({ where: { id: sessionId } });
  return count > 0;
}

export function sessionIdForToken(token: string): string {
  return sha256Hex(token);
}

/** Ends every session of a user, but one (e.g. the one changing its own password). Returns how many. */
export async function deleteUserSessions(userId: string, exceptSessionId?: string): Promise<number> {
  const { count } = await db().session.deleteMany({
    where: { userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
  });
  return count;
}

