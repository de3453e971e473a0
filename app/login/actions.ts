"use server";
// Sign-in and sign-out. Next.js refuses server actions posted from another origin (CSRF), and the session
// cookie is httpOnly + SameSite=Lax (+ Secure over https).
import { redirect } from "next/navigation";
import { login, logout } from "@/lib/auth/login";
import { safeNextPath } from "@/lib/auth/request";
import { sqlSafeText } from "@/lib/db/ids";
import { clearSessionCookie, getCurrentUser, requestMeta, setSessionCookie } from "@/lib/auth/server";

export interface LoginState {
  error?: string;
  username?: string;
}

export async function loginAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  const username = String(form.get("username") ?? "");
  // No account has a NUL in its name or password (and PostgreSQL text cannot hold one): no such sign-in.
  if (!sqlSafeText(username) || !sqlSafeText(String(form.get("password") ?? ""))) return { error: "Wrong username or password.", username: username.replace(/\0/g, "") };
  const { address, userAgent } = await requestMeta();
  const result = await login({ username, password: String(form.get("password") ?? ""), address, userAgent });
  if (!result.ok) return { error: result.message, username };
  await setSessionCookie(result.token, result.maxAgeSeconds);
  redirect(safeNextPath(form.get("next")));
}

export async function logoutAction(): Promise<void> {
  const user = await getCurrentUser();
  if (user?.sessionId) await logout(user.sessionId, user);
  await clearSessionCookie();
  redirect("/login");
}
