// Facts about a request read from its headers: the client's address, whether it came over https, whether a
// browser sent it from our own origin. Pure functions (no database), shared by route handlers, server actions
// and proxy.ts.
//
// X-Forwarded-For, -Host and -Proto are anyone's to send. They are believed only when the connection comes from a
// configured reverse proxy (IISWATCH_TRUSTED_PROXIES, lib/auth/proxies.ts). Inside the Next.js server the
// connection's address comes from the forwarded-header guard (lib/auth/forwarded-guard.ts), which sees the socket
// before Next.js does, strips those headers from anyone else and stamps PEER_HEADER; elsewhere (tests, scripts)
// the last X-Forwarded-For entry stands for it, as Next.js fills that header from the socket when it is absent.
import { trustedProxies } from "./proxies";

type HeaderSource = Pick<Headers, "get">;

/** Set by the guard on every request it has seen: "<per-process secret> <socket address>". */
export const PEER_HEADER = "x-iiswatch-peer";

/** Headers a client could use to claim another address, host or scheme. */
export const FORWARDED_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded", "x-real-ip"] as const;

const GUARD = Symbol.for("iiswatch.forwardedGuard");

/** The guard's state once it is installed in this process (instrumentation.ts). */
export function forwardedGuard(): { secret: string } | undefined {
  return (globalThis as { [GUARD]?: { secret: string } })[GUARD];
}

export function setForwardedGuard(state: { secret: string }): void {
  (globalThis as { [GUARD]?: { secret: string } })[GUARD] = state;
}

const list = (value: string | null | undefined): string[] =>
  (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/**
 * The address of the other end of the connection (a client, or a proxy in front of it). Null when unknown: a
 * request the guard did not stamp although it is installed (one that arrived while the server was starting) is
 * not believed about anything.
 */
export function peerAddress(headers: HeaderSource): string | null {
  const guard = forwardedGuard();
  if (guard) {
    const stamp = headers.get(PEER_HEADER);
    if (!stamp?.startsWith(`${guard.secret} `)) return null;
    return stamp.slice(guard.secret.length + 1) || null;
  }
  return list(headers.get("x-forwarded-for")).at(-1) || headers.get("x-real-ip")?.trim() || null;
}

/** Whether the connection comes from a configured reverse proxy, whose X-Forwarded-* headers are believed. */
export function fromTrustedProxy(headers: HeaderSource): boolean {
  return trustedProxies().has(peerAddress(headers));
}

/**
 * The client's address: the connection's own, or — behind trusted proxies — the X-Forwarded-For entry nearest
 * to us that is not itself a trusted proxy (entries further left were written by whoever the first untrusted
 * hop was, and are not believed). Used for the audit trail and sign-in throttling.
 */
export function clientAddress(headers: HeaderSource): string | null {
  const peer = peerAddress(headers);
  const proxies = trustedProxies();
  let address = peer;
  if (proxies.has(peer)) {
    const chain = list(headers.get("x-forwarded-for"));
    // The guard leaves X-Forwarded-For as the proxy sent it (the proxy's own address is not in it).
    if (forwardedGuard() || chain.at(-1) !== peer) chain.push(peer!);
    let i = chain.length - 1;
    while (i > 0 && proxies.has(chain[i])) i--;
    address = chain[i];
  }
  return address ? address.replace(/^::ffff:/i, "").slice(0, 100) : null;
}

/** Whether the browser used https: only a trusted proxy can say so (the app itself serves plain http). */
export function isHttps(headers: HeaderSource): boolean {
  return fromTrustedProxy(headers) && list(headers.get("x-forwarded-proto"))[0]?.toLowerCase() === "https";
}

/** The host the browser addressed: Host, or a trusted proxy's X-Forwarded-Host. */
function requestHost(headers: HeaderSource): string | null {
  const forwarded = fromTrustedProxy(headers) ? list(headers.get("x-forwarded-host"))[0] : undefined;
  return forwarded || headers.get("host")?.trim() || null;
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
