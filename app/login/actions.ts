"use server";
// Sign-in and sign-out. Next.js refuses server actions posted from another origin (CSRF), and the session
// cookie is httpOnly + SameSite=Lax (+ Secure over https). lib/auth/login audits both.
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction, defineFormAction } from "@/lib/actions/define-action";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { login, logout } from "@/lib/auth/login";
import { safeNextPath } from "@/lib/auth/request";
import { sqlSafeText } from "@/lib/db/ids";
import { clearSessionCookie, getCurrentUser, requestMeta, setSessionCookie } from "@/lib/auth/server";

export const loginAction = defineAction({
  permission: "public",
  // No per-field messages: a sign-in says only that the pair is wrong, never which half.
  input: z.object({ username: z.string().default(""), password: z.string().default(""), next: z.string().optional() }),
  audit: "lib",
  // The username typed, shown again (without NULs, which no account has).
  echo: (fields) => ({ username: (fields.username ?? "").replace(/\0/g, "") }),
  run: async ({ username, password, next }) => {
    // No account has a NUL in its name or password (and PostgreSQL text cannot hold one): no such sign-in.
    if (!sqlSafeText(username) || !sqlSafeText(password)) throw new UserFacingError("Wrong username or password.");
    const { address, userAgent } = await requestMeta();
    const result = await login({ username, password, address, userAgent });
    if (!result.ok) throw new UserFacingError(result.message);
    await setSessionCookie(result.token, result.maxAgeSeconds);
    redirect(safeNextPath(next));
  },
});

export const logoutAction = defineFormAction({
  // Anyone may sign out: without a session it only clears the cookie.
  permission: "public",
  input: z.object({}),
  // lib/auth/login's logout() writes "auth.logout" when it ends a session.
  audit: "lib",
  run: async () => {
    const user = await getCurrentUser();
    if (user?.sessionId) await logout(user.sessionId, user);
    await clearSessionCookie();
    redirect("/login");
  },
});
