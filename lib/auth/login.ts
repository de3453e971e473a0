// Signing in and out, independent of Next.js (the server actions in app/login set the cookie).
import { db } from "../db/client";
import { writeAudit } from "../audit/log";
import { hashPassword, verifyDummyPassword, verifyPassword } from "./password";
import { isRole, type Role } from "./permissions";
import { checkLoginThrottle, LOGIN_FAILED, LOGIN_OK } from "./ratelimit";
import { createSession, deleteSession } from "./sessions";

export interface LoginInput {
  username: string;
  password: string;
  address: string | null;
  userAgent?: string | null;
}

export type LoginResult =
  | { ok: true; token: string; sessionId: string; maxAgeSeconds: number; user: { id: string; username: string; role: Role } }
  | { ok: false; reason: "invalid" | "throttled" | "disabled"; message: string; retryAfterSeconds?: number };

const INVALID = "Wrong username or password.";

export async function login(input: LoginInput): Promise<LoginResult> {
  const username = String(input.username ?? "").trim().toLowerCase().slice(0, 100);
  const password = String(input.password ?? "");
  if (!username || !password) {
    logSignIn(username, input.address, "failed (username or password empty)");
    return { ok: false, reason: "invalid", message: "Enter your username and password." };
  }

  const throttle = await checkLoginThrottle(username, input.address);
  if (!throttle.allowed) {
    logSignIn(username, input.address, `refused (throttled for ${throttle.retryAfterSeconds} s)`);
    return { ok: false, reason: "throttled", message: throttle.message, retryAfterSeconds: throttle.retryAfterSeconds };
  }

  const user = await db().user.findUnique({ where: { username }, select: { id: true, username: true, role: true, disabled: true, passwordHash: true } });
  let ok = false;
  let needsRehash = false;
  if (user) ({ ok, needsRehash } = await verifyPassword(user.passwordHash, password));
  else await verifyDummyPassword(password);

  if (!user || !ok) {
    const reason = user ? "wrong password" : "no such user";
    await writeAuditFailure(username, user?.id ?? null, reason, input.address);
    logSignIn(username, input.address, `failed (${reason})`);
    return { ok: false, reason: "invalid", message: INVALID };
  }
  if (user.disabled || !isRole(user.role)) {
    await writeAuditFailure(username, user.id, "account disabled", input.address);
    logSignIn(username, input.address, "failed (account disabled)");
    return { ok: false, reason: "disabled", message: "This account is disabled. Ask an admin." };
  }
  if (needsRehash) await db().user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } });
  const session = await createSession(user.id, { address: input.address, userAgent: input.userAgent });
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  const actor = { id: user.id, username: user.username, address: input.address };
  await writeAudit(actor, { action: LOGIN_OK, targetType: "user", targetId: user.id, after: { via: "password" } });
  logSignIn(user.username, input.address, "ok");
  return { ok: true, token: session.token, sessionId: session.sessionId, maxAgeSeconds: session.maxAgeSeconds, user: { id: user.id, username: user.username, role: user.role } };
}

/**
 * One line in the server's log per sign-in attempt, as uploads and detection runs have, so that an operator sees
 * sign-ins (and guessing) without opening the audit log. Never the password. The username is what the client typed:
 * quoted as JSON, so that it cannot forge a line of its own.
 */
function logSignIn(username: string, address: string | null, outcome: string) {
  console.log(`sign-in ${JSON.stringify(username)} from ${address ?? "unknown address"}: ${outcome}`);
}

async function writeAuditFailure(username: string, userId: string | null, reason: string, address: string | null) {
  // Recorded under the attempted username (actor_name), which is what rate limiting counts.
  await writeAudit({ id: null, username, address }, { action: LOGIN_FAILED, targetType: "user", targetId: userId, after: { reason } });
}

/** Signs out: deletes the session server-side, so the cookie is worthless even if a copy survives. */
export async function logout(sessionId: string, actor: { id: string; username: string; address?: string | null }): Promise<void> {
  const existed = await deleteSession(sessionId);
  if (existed) await writeAudit(actor, { action: "auth.logout", targetType: "user", targetId: actor.id });
}
