// Local accounts: create (the first admin at setup, or from the CLI, or by an admin), change role, disable,
// reset password. Every change is audited in the same transaction. The last enabled admin cannot be demoted
// or disabled, so the installation can always be administered.
import { db, type Prisma } from "../db/client";
import { writeAudit, type Actor } from "../audit/log";
import { checkPasswordPolicy, hashPassword, verifyPassword } from "./password";
import { isRole, type Role } from "./permissions";
import { deleteUserSessions } from "./sessions";
import { UserFacingError } from "../errors/user-facing-error";

export class UserError extends UserFacingError {
  name = "UserError";
}

export interface UserSummary {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const summarySelect = { id: true, username: true, role: true, disabled: true, createdAt: true, lastLoginAt: true } as const;

const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

/** Usernames are case-insensitive: stored and compared lower-case. Throws UserError when unacceptable. */
export function normalizeUsername(raw: unknown): string {
  const username = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (!USERNAME_PATTERN.test(username)) {
    throw new UserError("Usernames are 2–64 characters: letters, digits, and . _ @ - (starting with a letter or digit).");
  }
  return username;
}

function checkRole(role: unknown): Role {
  if (!isRole(role)) throw new UserError("The role must be analyst, triager or admin.");
  return role;
}

export async function userCount(): Promise<number> {
  return db().user.count();
}

export async function listUsers(): Promise<UserSummary[]> {
  return db().user.findMany({ select: summarySelect, orderBy: { username: "asc" } });
}

/** For the CLI (`iiswatch users reset-password alice`): looks a user up by name, case-insensitively. */
export async function findUserByUsername(username: string): Promise<UserSummary | null> {
  return db().user.findUnique({ where: { username: username.trim().toLowerCase() }, select: summarySelect });
}

async function insertUser(tx: Prisma.TransactionClient, input: { username: string; passwordHash: string; role: Role }, actor: Actor | null, action: string) {
  const existing = await tx.user.findUnique({ where: { username: input.username }, select: { id: true } });
  if (existing) throw new UserError(`There is already a user called "${input.username}".`);
  const user = await tx.user.create({ data: input, select: summarySelect });
  await writeAudit(actor, { action, targetType: "user", targetId: user.id, after: { username: user.username, role: user.role, disabled: false } }, tx);
  return user;
}

/**
 * Creates an account. `actor` is who does it (an admin, or cliActor() for `iiswatch users create`).
 * Throws UserError / PasswordPolicyError with a message fit for the user.
 */
export async function createUser(input: { username: string; password: string; role: Role }, actor: Actor | null): Promise<UserSummary> {
  const username = normalizeUsername(input.username);
  const role = checkRole(input.role);
  checkPasswordPolicy(input.password, username);
  const passwordHash = await hashPassword(input.password);
  return db().$transaction((tx) => insertUser(tx, { username, passwordHash, role }, actor, "user.create"));
}

/**
 * First run: creates the first admin, only while there is no account at all (two racing requests cannot both
 * succeed: the check and the insert hold a transaction-scoped advisory lock).
 */
export async function setupFirstAdmin(input: { username: string; password: string }, meta: { address?: string | null } = {}): Promise<UserSummary> {
  const username = normalizeUsername(input.username);
  checkPasswordPolicy(input.password, username);
  const passwordHash = await hashPassword(input.password);
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7405211001)`;
    if ((await tx.user.count()) > 0) throw new UserError("Setup is already done: sign in instead.");
    return insertUser(tx, { username, passwordHash, role: "admin" }, { id: null, username: "setup", address: meta.address ?? null }, "auth.setup");
  });
}

async function enabledAdminsOtherThan(tx: Prisma.TransactionClient, userId: string): Promise<number> {
  return tx.user.count({ where: { role: "admin", disabled: false, id: { not: userId } } });
}

/** Changes a user's role and/or disabled flag. Disabling ends the user's sessions at once. */
export async function updateUser(userId: string, change: { role?: Role; disabled?: boolean }, actor: Actor | null): Promise<UserSummary> {
  if (change.role !== undefined) checkRole(change.role);
  const updated = await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7405211002)`;
    const before = await tx.user.findUnique({ where: { id: userId }, select: summarySelect });
    if (!before) throw new UserError("No such user.");
    const after = { role: change.role ?? before.role, disabled: change.disabled ?? before.disabled };
    if (after.role === before.role && after.disabled === before.disabled) return before;
    const losesAdmin = before.role === "admin" && !before.disabled && (after.role !== "admin" || after.disabled);
    if (losesAdmin && (await enabledAdminsOtherThan(tx, userId)) === 0) {
      throw new UserError("This is the last enabled admin: make another user admin first.");
    }
    const user = await tx.user.update({ where: { id: userId }, data: after, select: summarySelect });
    await writeAudit(
      actor,
      {
        action: "user.update",
        targetType: "user",
        targetId: userId,
        before: { username: before.username, role: before.role, disabled: before.disabled },
        after: { username: user.username, role: user.role, disabled: user.disabled },
      },
      tx,
    );
    return user;
  });
  if (updated.disabled) await deleteUserSessions(userId);
  return updated;
}

/**
 * Sets a new password (an admin's reset, or the user's own change). Ends the user's other sessions; keeps
 * `keepSessionId` (the session making the change) when given.
 */
export async function setPassword(userId: string, password: string, actor: Actor | null, options: { keepSessionId?: string } = {}): Promise<void> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { id: true, username: true } });
  if (!user) throw new UserError("No such user.");
  await replacePassword(user, password, actor, options);
}

/** Changes the actor's own password: `current` must be right. Ends the user's other sessions (not `keepSessionId`). */
export async function changeOwnPassword(actor: Actor & { id: string }, current: string, next: string, options: { keepSessionId?: string } = {}): Promise<void> {
  const user = await db().user.findUnique({ where: { id: actor.id }, select: { id: true, username: true, passwordHash: true } });
  if (!user || !(await verifyPassword(user.passwordHash, current)).ok) throw new UserError("The current password is wrong.");
  await replacePassword(user, next, actor, options);
}

async function replacePassword(user: { id: string; username: string }, password: string, actor: Actor | null, options: { keepSessionId?: string }): Promise<void> {
  checkPasswordPolicy(password, user.username);
  const passwordHash = await hashPassword(password);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    await writeAudit(actor, { action: actor?.id === user.id ? "user.password_change" : "user.password_reset", targetType: "user", targetId: user.id, after: { username: user.username } }, tx);
  });
  await deleteUserSessions(user.id, options.keepSessionId);
}
