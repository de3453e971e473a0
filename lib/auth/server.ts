// Authorization for Next.js code. Every page, server action and route handler calls one of these first:
//   pages:           const user = await requireUser("data:read");        // sign-in redirect, or 404 if not allowed
//   server actions:  defineAction({ permission: "notable:triage", … }) (lib/actions/define-action.ts), which calls
//                    authorizeAction: a sign-in redirect, or AuthorizationError (its message shown in the form)
//   route handlers:  const auth = await authorize(request, "upload:create"); if (auth instanceof Response) return auth;
// Route handlers accept a session cookie (with an Origin check on state-changing methods: CSRF) or an API
// token (`Authorization: Bearer …`, limited to TOKEN_PERMISSIONS).
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "../audit/log";
import { authConfig, PATH_HEADER, SESSION_COOKIE } from "./config";
import { roleCan, TOKEN_PERMISSIONS, type Permission, type Role } from "./permissions";
import { clientAddress, isHttps, isSameOrigin, readCookie, safeNextPath, SAFE_METHODS } from "./request";
import { validateSessionToken } from "./sessions";
import { bearerToken, verifyApiToken } from "./tokens";
import { UserFacingError } from "../errors/user-facing-error";

/** A signed-in user (or an API token's owner), as every check sees it. It is also the audit Actor. */
export interface AuthUser extends Actor {
  id: string;
  username: string;
  role: Role;
  via: "session" | "token";
  sessionId: string | null;
  tokenId: string | null;
  address: string | null;
}

export class AuthorizationError extends UserFacingError {
  name = "AuthorizationError";
}

/** Whether this principal may do it: the role decides, and an API token is further limited to its scopes. */
export function can(user: Pick<AuthUser, "role" | "via"> | null | undefined, permission: Permission): boolean {
  if (!user) return false;
  if (user.via === "token" && !TOKEN_PERMISSIONS.includes(permission)) return false;
  return roleCan(user.role, permission);
}

async function userFromSessionCookie(token: string | undefined, h: Pick<Headers, "get">): Promise<AuthUser | null> {
  const session = await validateSessionToken(token);
  if (!session) return null;
  return { ...session.user, via: "session", sessionId: session.sessionId, tokenId: null, address: clientAddress(h) };
}

/** The signed-in user of the current request (pages, layouts, server actions), or null. */
export const getCurrentUser = cache(async (): Promise<AuthUser | null> => {
  const [jar, h] = await Promise.all([cookies(), headers()]);
  return userFromSessionCookie(jar.get(SESSION_COOKIE)?.value, h);
});

export function loginPath(next?: string | null): string {
  const target = safeNextPath(next);
  return target === "/" ? "/login" : `/login?next=${encodeURIComponent(target)}`;
}

/**
 * For pages (and layouts): the signed-in user, who must hold `permission`. Anyone else is sent to sign in; a
 * user without the permission gets 403 Forbidden (app/forbidden.tsx).
 */
export async function requireUser(permission: Permission): Promise<AuthUser> {
  const user = await getCurrentUser();
  if (!user) redirect(loginPath((await headers()).get(PATH_HEADER)));
  if (!can(user, permission)) forbidden();
  return user;
}

/**
 * For server actions: the signed-in user, who must hold `permission`; otherwise the action stops with a
 * sign-in redirect or an AuthorizationError (whose message is fit to show). Next.js itself refuses server
 * actions posted from another origin.
 */
export async function authorizeAction(permission: Permission): Promise<AuthUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  if (!can(user, permission)) throw new AuthorizationError("You are not allowed to do that.");
  return user;
}

const json = (status: number, error: string, extra: Record<string, string> = {}) =>
  Response.json({ error }, { status, headers: { "Cache-Control": "no-store", ...extra } });

/**
 * For route handlers: the caller (session cookie or API token) if it holds `permission`, else the 401/403
 * response to return. Cookie-authenticated POST/PUT/PATCH/DELETE must come from this origin.
 */
export async function authorize(request: Request, permission: Permission): Promise<AuthUser | Response> {
  const h = request.headers;
  let user: AuthUser | null = null;
  const token = bearerToken(h);
  if (token !== null) {
    const principal = await verifyApiToken(token);
    if (!principal) return json(401, "invalid, expired or revoked API token", { "WWW-Authenticate": 'Bearer error="invalid_token"' });
    user = { ...principal.user, via: "token", sessionId: null, tokenId: principal.tokenId, address: clientAddress(h) };
  } else {
    const cookie = readCookie(h, SESSION_COOKIE);
    user = await userFromSessionCookie(cookie, h);
    if (!user) return json(401, cookie ? "your session has ended: sign in again" : "sign in, or send an API token (Authorization: Bearer …)", { "WWW-Authenticate": "Bearer" });
    if (!SAFE_METHODS.has(request.method.toUpperCase()) && !isSameOrigin(h)) {
      return json(403, "cross-origin request refused");
    }
  }
  if (!can(user, permission)) {
    return json(403, user.via === "token" ? `API tokens cannot do this (they allow: ${TOKEN_PERMISSIONS.join(", ")})` : "you are not allowed to do this");
  }
  return user;
}

/** Sets the session cookie (server actions only): httpOnly, SameSite=Lax, Secure over https. */
export async function setSessionCookie(token: string, maxAgeSeconds: number): Promise<void> {
  const h = await headers();
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(h) || authConfig().forceSecureCookies,
    path: "/",
    maxAge: maxAgeSeconds,
  });
}

export async function clearSessionCookie(): Promise<void> {
  const h = await headers();
  (await cookies()).set(SESSION_COOKIE, "", { httpOnly: true, sameSite: "lax", secure: isHttps(h) || authConfig().forceSecureCookies, path: "/", maxAge: 0 });
}

/** Address and user agent of the current request (server actions), for sessions and the audit trail. */
export async function requestMeta(): Promise<{ address: string | null; userAgent: string | null }> {
  const h = await headers();
  return { address: clientAddress(h), userAgent: h.get("user-agent") };
}
