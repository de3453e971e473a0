import { afterEach, describe, expect, it, vi } from "vitest";
import type { IncomingMessage } from "node:http";
import { guardRequest } from "./forwarded-guard";
import { roleCan, ROLES, TOKEN_PERMISSIONS } from "./permissions";
import { normalizeAddress, parseTrustedProxies } from "./proxies";
import { clientAddress, forwardedGuard, isHttps, isSameOrigin, PEER_HEADER, readCookie, safeNextPath, setForwardedGuard } from "./request";

const h = (init: Record<string, string>) => new Headers(init);

describe("isSameOrigin (CSRF check for cookie-authenticated route handlers)", () => {
  it("accepts the app's own origin", () => {
    expect(isSameOrigin(h({ host: "watch.local:3000", origin: "http://watch.local:3000" }))).toBe(true);
    expect(isSameOrigin(h({ host: "watch.local", "sec-fetch-site": "same-origin" }))).toBe(true);
  });
  it("refuses other origins, opaque origins and requests that say nothing", () => {
    expect(isSameOrigin(h({ host: "watch.local:3000", origin: "http://evil.example" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local:3000", origin: "http://watch.local:3001" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local", origin: "null" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local", "sec-fetch-site": "cross-site" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local", "sec-fetch-site": "same-site" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local" }))).toBe(false);
    expect(isSameOrigin(h({ origin: "http://watch.local" }))).toBe(false);
  });
});

describe("trusted proxies (IISWATCH_TRUSTED_PROXIES)", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("normalizes addresses and parses addresses and CIDR ranges", () => {
    expect(normalizeAddress("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(normalizeAddress("10.0.0.1:5000")).toBe("10.0.0.1");
    expect(normalizeAddress("[FD00::1]:443")).toBe("fd00::1");
    expect(normalizeAddress("unknown")).toBeNull();
    const p = parseTrustedProxies(" 10.0.0.5, 192.168.0.0/16 , fd00::/8");
    expect(["10.0.0.5", "192.168.3.4", "::ffff:192.168.3.4", "fd00::9"].map((a) => p.has(a))).toEqual([true, true, true, true]);
    expect(["10.0.0.6", "192.169.0.1", "fe80::1", "", null].map((a) => p.has(a))).toEqual([false, false, false, false, false]);
    expect(parseTrustedProxies("").has("127.0.0.1")).toBe(false);
    for (const bad of ["10.0.0.0/33", "proxy.local", "10.0.0.1/8/2", "::1/129"]) expect(() => parseTrustedProxies(bad)).toThrow(/IISWATCH_TRUSTED_PROXIES/);
  });

  it("ignores X-Forwarded-* from anyone not listed (the default: nobody)", () => {
    const spoofed = h({ host: "watch.local", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9, 198.51.100.4", origin: "http://evil.example" });
    expect(isSameOrigin(spoofed)).toBe(false);
    expect(isHttps(spoofed)).toBe(false);
    expect(clientAddress(spoofed)).toBe("198.51.100.4");
  });

  it("believes a listed proxy, walking X-Forwarded-For from the right past trusted hops", () => {
    vi.stubEnv("IISWATCH_TRUSTED_PROXIES", "10.0.0.0/8");
    const via = h({ host: "127.0.0.1:3000", "x-forwarded-host": "watch.example", "x-forwarded-proto": "https", "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.7, 10.0.0.5", origin: "https://watch.example" });
    expect(isSameOrigin(via)).toBe(true);
    expect(isHttps(via)).toBe(true);
    // 6.6.6.6 was written by 203.0.113.9, whom nobody vouches for.
    expect(clientAddress(via)).toBe("203.0.113.9");
    expect(clientAddress(h({ "x-forwarded-for": "10.0.0.7, 10.0.0.5" }))).toBe("10.0.0.7");
  });

  it("inside the server: strips forwarded headers from untrusted sockets and stamps the socket's address", () => {
    vi.stubEnv("IISWATCH_TRUSTED_PROXIES", "10.0.0.5");
    const before = forwardedGuard();
    setForwardedGuard({ secret: "s3cret" });
    try {
      const req = (address: string, headers: Record<string, string>) => ({ socket: { remoteAddress: address }, headers: { ...headers } }) as unknown as IncomingMessage;
      const direct = req("::ffff:198.51.100.4", { host: "watch.local", "x-forwarded-host": "evil.example", "x-forwarded-for": "1.2.3.4", "x-real-ip": "1.2.3.4", [PEER_HEADER]: "s3cret 10.0.0.5" });
      guardRequest(direct, "s3cret");
      expect(direct.headers).toEqual({ host: "watch.local", [PEER_HEADER]: "s3cret 198.51.100.4" });
      // (Next.js then sets X-Forwarded-For to the socket's address; the stamp is what counts.)
      expect(clientAddress(h({ ...(direct.headers as Record<string, string>), "x-forwarded-for": "1.2.3.4" }))).toBe("198.51.100.4");

      const proxied = req("10.0.0.5", { host: "127.0.0.1:3000", "x-forwarded-host": "watch.example", "x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https" });
      guardRequest(proxied, "s3cret");
      const ph = h(proxied.headers as Record<string, string>);
      expect(clientAddress(ph)).toBe("203.0.113.9");
      expect(isSameOrigin(new Headers({ ...Object.fromEntries(ph), origin: "https://watch.example" }))).toBe(true);
      expect(isHttps(ph)).toBe(true);

      // A stamp without the secret (a client's own, or a request that arrived before the guard) is believed about nothing.
      const forged = h({ host: "watch.local", [PEER_HEADER]: "guess 10.0.0.5", "x-forwarded-host": "evil.example", "x-forwarded-for": "10.0.0.5", origin: "http://evil.example" });
      expect(clientAddress(forged)).toBeNull();
      expect(isSameOrigin(forged)).toBe(false);
    } finally {
      setForwardedGuard(before as { secret: string });
    }
  });
});

describe("request helpers", () => {
  it("reads the client address (outside the server: the last X-Forwarded-For entry is the connection's)", () => {
    expect(clientAddress(h({ "x-forwarded-for": "10.1.2.3, 127.0.0.1" }))).toBe("127.0.0.1");
    expect(clientAddress(h({ "x-forwarded-for": "::ffff:127.0.0.1" }))).toBe("127.0.0.1");
    expect(clientAddress(h({}))).toBeNull();
  });
  it("reads a cookie", () => {
    expect(readCookie(h({ cookie: "a=1; iiswatch_session=abc%2Dd; b=2" }), "iiswatch_session")).toBe("abc-d");
    expect(readCookie(h({ cookie: "xiiswatch_session=1" }), "iiswatch_session")).toBeUndefined();
  });
  it("only returns to local paths after sign-in", () => {
    expect(safeNextPath("/events?host=a")).toBe("/events?host=a");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/login", "", null, "/a\nb"]) {
      expect(safeNextPath(bad)).toBe("/");
    }
  });
});

describe("roles", () => {
  it("grow by inclusion: analyst ⊂ triager ⊂ admin", () => {
    expect(roleCan("analyst", "upload:create")).toBe(true);
    expect(roleCan("analyst", "notable:triage")).toBe(false);
    expect(roleCan("triager", "suppression:manage")).toBe(true);
    expect(roleCan("triager", "user:manage")).toBe(false);
    expect(roleCan("admin", "upload:delete")).toBe(true);
    expect(ROLES).toEqual(["analyst", "triager", "admin"]);
  });
  it("API tokens are limited to uploads and reads", () => {
    expect([...TOKEN_PERMISSIONS].sort()).toEqual(["data:read", "upload:create"]);
  });
});
