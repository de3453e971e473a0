// First line of defence for pages: a request without a session cookie is sent to sign in (keeping where it was
// going). Only the cookie's presence is checked here; every page, server action and route handler still checks
// the session and the role itself (lib/auth/server.ts), which is what actually protects them.
//
// It also gives every page its Content-Security-Policy: a fresh nonce per request, which Next.js reads from the
// request's Content-Security-Policy header and puts on each of its own scripts. No other script runs — event
// text is attacker-controlled, and React escaping it is then not the only defence. The other security headers,
// and the CSP of everything this does not match, come from next.config.js.
//
// /api, /services/collector (the HTTP Event Collector) and Elasticsearch's /_bulk, /<index>/_bulk and /_license
// (lib/hec) are deliberately not matched: when proxy runs, Next.js buffers the request body (10 MB by default,
// proxyClientMaxBodySize) and would truncate large uploads. Route handlers authorize every call themselves.
import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER, SESSION_COOKIE } from "./lib/auth/config";
import { FORWARDED_HEADERS, fromTrustedProxy, isSameOrigin } from "./lib/auth/request";

const PUBLIC_PAGES = new Set(["/login", "/setup"]);

/** The policy of every page. Inline style attributes (React's style={…}, recharts' SVG) are allowed; scripts only by nonce. */
function pageContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': chunks loaded by a nonce'd script may run; 'self' is for browsers without CSP 3.
    // `next dev` evaluates modules with eval() (React's dev tooling); production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${process.env.NODE_ENV === "production" ? "" : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const headers = new Headers(request.headers);
  // Only this proxy says where the user was going (used for the sign-in redirect, and sanitised there too).
  headers.set(PATH_HEADER, `${pathname}${search}`);
  // The forwarded-header guard (lib/auth/forwarded-guard.ts) already stripped these from untrusted connections;
  // this also covers a request that reached the server before the guard was installed, so that Next.js's own
  // server-action origin check compares Origin with the real Host, never a client's X-Forwarded-Host.
  if (!fromTrustedProxy(headers)) for (const name of FORWARDED_HEADERS) headers.delete(name);

  // A server action posted from another origin: Next.js would refuse it too, but by throwing (a 500 that looks
  // like our fault). Say what it is. (Actions post to page paths, which this matches; /api checks its own.)
  if (request.method === "POST" && headers.has("next-action") && !isSameOrigin(headers)) {
    return new NextResponse("Forbidden: a cross-origin request.\n", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  }

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const csp = pageContentSecurityPolicy(nonce);
  headers.set("content-security-policy", csp);

  let response: NextResponse;
  const session = request.cookies.get(SESSION_COOKIE)?.value;
  if (pathname === "/" && !session && headers.has("authorization") && !/text\/html/i.test(headers.get("accept") ?? "")) {
    // A Beat's Elasticsearch handshake (credentials, and no page asked for: a browser behind a Basic-auth proxy asks
    // for text/html): next.config.js rewrites it to /api/elastic, which checks its credentials.
    return NextResponse.next({ request: { headers } });
  }
  if (!PUBLIC_PAGES.has(pathname) && !session) {
    const login = new URL("/login", request.url);
    if (pathname !== "/") login.searchParams.set("next", `${pathname}${search}`);
    response = NextResponse.redirect(login);
  } else {
    response = NextResponse.next({ request: { headers } });
  }
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // Everything but the API, the HTTP Event Collector, the Elasticsearch subset and Next.js's own assets (host names with dots in a page path still match).
  // Keep in step with the list in next.config.js, which gives those the API's policy instead.
  matcher: ["/((?!api/|services/collector|_bulk$|_license$|[^/]+/_bulk$|_next/|favicon\\.ico$|icon\\.svg$|robots\\.txt$).*)"],
};
