"use server";
// First run: the first admin account. Refused as soon as any account exists (lib/auth/users.ts holds a lock
// across the check and the insert).
import { redirect } from "next/navigation";
import { login } from "@/lib/auth/login";
import { PasswordPolicyError } from "@/lib/auth/password";
import { requestMeta, setSessionCookie } from "@/lib/auth/server";
import { setupFirstAdmin, UserError } from "@/lib/auth/users";

export interface SetupState {
  error?: string;
  username?: string;
}

export async function setupAction(_prev: SetupState, form: FormData): Promise<SetupState> {
  const username = String(form.get("username") ?? "");
  const password = String(form.get("password") ?? "");
  if (password !== String(form.get("confirm") ?? "")) return { error: "The two passwords differ.", username };
  const { address, userAgent } = await requestMeta();
  try {
    await setupFirstAdmin({ username, password }, { address });
  } catch (e) {
    if (e instanceof UserError || e instanceof PasswordPolicyError) return { error: e.message, username };
    throw e;
  }
  const result = await login({ username, password, address, userAgent });
  if (!result.ok) return { error: result.message, username };
  await setSessionCookie(result.token, result.maxAgeSeconds);
  redirect("/");
}
