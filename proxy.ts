// First line of defence for pages: a request without a session cookie is sent to sign in (keeping where it was
// going). Only the cookie's presence is checked here; every page, server action and route handler still checks
// the session and the role itself (lib/auth/server.ts), which is what actually protects them.
//
// /api is deliberately not matched: when proxy runs, Next.js buffers the request body (10 MB by default,
// proxyClientMaxBodySize) and would truncate large uploads. Route handlers authorize every call themselves.
import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER, SESSION_COOKIE } from "./lib/auth/config";

const PUBLIC_PAGES = new Set(["/login", "/setup"]);

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const headers = new Headers(request.headers);
  // Only this proxy says where the user was going (used for the sign-in redirect, and sanitised there too).
  headers.set(PATH_HEADER, `${pathname}${search}`);
  if (!PUBLIC_PAGES.has(pathname) && !request.cookies.get(SESSION_COOKIE)?.value) {
    const login = new URL("/login", request.url);
    if (pathname !== "/") login.searchParams.set("next", `${pathname}${search}`);
    return NextResponse.redirect(login);
  }
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // Everything but the API and Next.js's own assets (host names with dots in a page path still match).
  matcher: ["/((?!api/|_next/|favicon\\.ico$|icon\\.svg$|robots\\.txt$).*)"],
};
