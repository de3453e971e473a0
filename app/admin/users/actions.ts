"use server";
// Account administration (admins only, checked on the server by defineAction for every action; audited in
// lib/auth, and here for ending sessions).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { ROLES } from "@/lib/auth/permissions";
import { deleteUserSessions } from "@/lib/auth/sessions";
import { createUser, setPassword, updateUser } from "@/lib/auth/users";

/** The user the form is about: a uuid, or no such user (never a database error). */
const userId = z.uuid({ error: "No such user." });
/** Text as typed; lib/auth checks usernames and passwords (with messages of its own). */
const typed = z.string().default("");

export const createUserAction = defineAction({
  permission: "user:manage",
  input: z.object({ username: typed, password: typed, role: z.enum(ROLES, { error: "Choose a role." }) }),
  audit: "lib",
  // The username typed into the create form, kept when it failed.
  echo: (fields) => ({ username: (fields.username ?? "").slice(0, 64) }),
  run: async ({ username, password, role }, { actor }) => {
    const user = await createUser({ username, password, role }, actor);
    revalidatePath("/admin/users");
    return { ok: `Created ${user.username} (${user.role}).` };
  },
});

export const updateUserAction = defineAction({
  permission: "user:manage",
  input: z.object({
    id: userId,
    // The role select and the enable/disable button post separately: each changes only what it sends.
    role: z.enum(ROLES).optional().catch(undefined),
    disabled: z
      .string()
      .optional()
      .transform((v) => (v === undefined ? undefined : v === "true")),
  }),
  audit: "lib",
  run: async ({ id, role, disabled }, { actor }) => {
    const user = await updateUser(id, { ...(role !== undefined ? { role } : {}), ...(disabled !== undefined ? { disabled } : {}) }, actor);
    revalidatePath("/admin/users");
    return { ok: `${user.username}: ${user.role}${user.disabled ? ", disabled" : ""}.` };
  },
});

export const resetPasswordAction = defineAction({
  permission: "user:manage",
  input: z.object({ id: userId, password: typed }),
  audit: "lib",
  run: async ({ id, password }, { actor }) => {
    await setPassword(id, password, actor, { keepSessionId: actor.id === id ? (actor.sessionId ?? undefined) : undefined });
    revalidatePath("/admin/users");
    return { ok: "Password set; the user's other sessions were ended." };
  },
});

export const endSessionsAction = defineAction({
  permission: "user:manage",
  input: z.object({ id: userId }),
  // lib/auth/sessions only deletes rows (sign-out and expiry use it too): the admin's act is recorded here.
  audit: "action",
  run: async ({ id }, { actor, audit }) => {
    const n = await deleteUserSessions(id, actor.id === id ? (actor.sessionId ?? undefined) : undefined);
    await audit({ action: "user.sessions_end", targetType: "user", targetId: id, after: { ended: n } });
    revalidatePath("/admin/users");
    return { ok: `Ended ${n} session${n === 1 ? "" : "s"}.` };
  },
});
