// Facts about a request read from its headers: the client's address, whether it came over https, whether a
// browser sent it from our own origin. Pure functions (no database), shared by route handlers, server actions
// and proxy.ts.

type HeaderSource = Pick<Headers, "get">;

/**
 * The client's address as the server sees it: the first X-Forwarded-For entry (Next.js sets the header to the
 * socket's address when no proxy did), else X-Real-IP. Without a reverse proxy in front, a client can choose
 * this value, so it is used for the audit trail and per-address limits, never to grant anything.
 */
export function clientAddress(headers: HeaderSource): string | null {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const address = forwarded || headers.get("x-real-ip")?.trim() || null;
  return address ? address.replace(/^::ffff:/, "").slice(0, 100) : null;
}

export function isHttps(headers: HeaderSource): boolean {
  return headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

/** The host the browser addressed (as Next.js's own server-action check reads it). */
function requestHost(headers: HeaderSource): string | null {
  return headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host")?.trim() || null;
}

/**
 * Whether a state-changing request comes from a page of this very origin. Browsers send `Origin` on every
 * POST/PUT/PATCH/DELETE; without it, Fetch Metadata (`Sec-Fetch-Site`) decides; a request with neither is not
 * from a browser we can vouch for and is refused (API clients use bearer tokens, which need no such check).
 */
export function isSameOrigin(headers: HeaderSource): boolean {
  const host = requestHost(headers);
  if (!host) return false;
  const origin = headers.get("origin");
  if (origin) {
    if (origin === "null") return false;
    try {
      return new URL(origin).host.toLowerCase() === host.toLowerCase();
    } catch {
      return false;
    }
  }
  return headers.get("sec-fetch-site") === "same-origin";
}

export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Reads one cookie from a Cookie header. */
export function readCookie(headers: HeaderSource, name: string): string | undefined {
  const header = headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/** A same-site path to return to after signing in; anything else (other hosts, `//x`, `/\x`) becomes "/". */
export function safeNextPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f\\]/.test(value)) return "/";
  if (value.startsWith("/login") || value.startsWith("/setup")) return "/";
  return value.slice(0, 2000);
}
