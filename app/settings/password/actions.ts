"use server";
// Changing one's own password: needs the current one; ends the user's other sessions.
import { PasswordPolicyError } from "@/lib/auth/password";
import { authorizeAction } from "@/lib/auth/server";
import { changeOwnPassword, UserError } from "@/lib/auth/users";

export interface PasswordState {
  error?: string;
  ok?: string;
}

export async function changePasswordAction(_prev: PasswordState, form: FormData): Promise<PasswordState> {
  const me = await authorizeAction("data:read");
  const next = String(form.get("password") ?? "");
  if (next !== String(form.get("confirm") ?? "")) return { error: "The two new passwords differ." };
  try {
    await changeOwnPassword(me, String(form.get("current") ?? ""), next, { keepSessionId: me.sessionId ?? undefined });
  } catch (e) {
    if (e instanceof PasswordPolicyError || e instanceof UserError) return { error: e.message };
    throw e;
  }
  return { ok: "Password changed. Your other sessions were signed out." };
}
