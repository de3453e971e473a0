// The forwarded-header guard: the only code that sees each request's socket before Next.js does. Route handlers,
// server actions and proxy.ts only get headers, and Next.js fills X-Forwarded-For/-Host/-Proto from the socket
// only when they are absent, so a client that sends its own would otherwise be believed — by the audit trail,
// by sign-in throttling, and by the same-origin checks (ours and Next.js's own for server actions).
//
// For every request: a connection from an address outside IISWATCH_TRUSTED_PROXIES loses X-Forwarded-*,
// Forwarded and X-Real-IP (Next.js then writes the true values from the socket), and every request is stamped
// with the socket's address under a per-process secret (PEER_HEADER), which lib/auth/request.ts reads.
// Installed once per server process by instrumentation.ts, before Next.js handles its first request.
import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { normalizeAddress, trustedProxies } from "./proxies";
import { FORWARDED_HEADERS, forwardedGuard, PEER_HEADER, setForwardedGuard } from "./request";

export function guardRequest(req: http.IncomingMessage, secret: string): void {
  const headers = req.headers;
  const peer = normalizeAddress(req.socket?.remoteAddress);
  if (!trustedProxies().has(peer)) for (const name of FORWARDED_HEADERS) delete headers[name];
  headers[PEER_HEADER] = `${secret} ${peer ?? ""}`;
}

export function installForwardedGuard(): void {
  if (forwardedGuard()) return;
  // A mistyped list stops the server here, at start, rather than every request later.
  const proxies = trustedProxies();
  const secret = randomBytes(24).toString("base64url");
  // Next.js creates its server (and may already accept connections) before this runs; patching the prototypes
  // covers that server too. A request that arrived earlier carries no stamp and is believed about nothing.
  for (const Server of [http.Server, https.Server]) {
    const emit = Server.prototype.emit;
    Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request" || event === "checkContinue" || event === "checkExpectation") guardRequest(args[0] as http.IncomingMessage, secret);
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    } as typeof emit;
  }
  setForwardedGuard({ secret });
  if (proxies.entries.length) console.log(`Trusting X-Forwarded-* headers from ${proxies.entries.join(", ")}`);
}
