"use server";
// Account administration (admins only, checked here on the server for every action; audited in lib/auth).
import { revalidatePath } from "next/cache";
import { PasswordPolicyError } from "@/lib/auth/password";
import { isRole } from "@/lib/auth/permissions";
import { authorizeAction, AuthorizationError } from "@/lib/auth/server";
import { deleteUserSessions } from "@/lib/auth/sessions";
import { createUser, setPassword, updateUser, UserError } from "@/lib/auth/users";
import { writeAudit } from "@/lib/audit/log";
import { parseUuid } from "@/lib/db/ids";

export interface FormState {
  error?: string;
  ok?: string;
  /** The username typed into the create form, kept when it failed. */
  username?: string;
}

/** Runs an admin action, turning expected failures into a message for the form. */
async function guarded(work: () => Promise<string>): Promise<FormState> {
  try {
    const ok = await work();
    revalidatePath("/admin/users");
    return { ok };
  } catch (e) {
    if (e instanceof UserError || e instanceof PasswordPolicyError || e instanceof AuthorizationError) return { error: e.message };
    throw e;
  }
}

const text = (form: FormData, name: string) => String(form.get(name) ?? "");
/** The user the form is about: a uuid, or no such user (never a database error). */
const userId = (form: FormData) => parseUuid(text(form, "id")) ?? fail(new UserError("No such user."));
const fail = (e: Error): never => {
  throw e;
};

export async function createUserAction(_prev: FormState, form: FormData): Promise<FormState> {
  const state = await guarded(async () => {
    const actor = await authorizeAction("user:manage");
    const role = text(form, "role");
    if (!isRole(role)) throw new UserError("Choose a role.");
    const user = await createUser({ username: text(form, "username"), password: text(form, "password"), role }, actor);
    return `Created ${user.username} (${user.role}).`;
  });
  return state.error ? { ...state, username: text(form, "username").slice(0, 64) } : state;
}

export async function updateUserAction(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded(async () => {
    const actor = await authorizeAction("user:manage");
    const role = text(form, "role");
    const disabled = form.has("disabled") ? text(form, "disabled") === "true" : undefined;
    const user = await updateUser(userId(form), { ...(isRole(role) ? { role } : {}), ...(disabled !== undefined ? { disabled } : {}) }, actor);
    return `${user.username}: ${user.role}${user.disabled ? ", disabled" : ""}.`;
  });
}

export async function resetPasswordAction(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded(async () => {
    const actor = await authorizeAction("user:manage");
    const id = userId(form);
    await setPassword(id, text(form, "password"), actor, { keepSessionId: actor.id === id ? (actor.sessionId ?? undefined) : undefined });
    return "Password set; the user's other sessions were ended.";
  });
}

export async function endSessionsAction(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded(async () => {
    const actor = await authorizeAction("user:manage");
    const id = userId(form);
    const n = await deleteUserSessions(id, actor.id === id ? (actor.sessionId ?? undefined) : undefined);
    await writeAudit(actor, { action: "user.sessions_end", targetType: "user", targetId: id, after: { ended: n } });
    return `Ended ${n} session${n === 1 ? "" : "s"}.`;
  });
}
