// X-Forwarded-* are believed only from IISWATCH_TRUSTED_PROXIES (item: proxy headers trusted only when
// configured): the audit trail records the connection's address, not a client's claim, and a client-sent
// X-Forwarded-Host does not get a cross-origin cookie POST past a route handler's same-origin check.
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetDatabase } from "./db-setup";

vi.mock("next/headers", async () => (await import("./next-request")).headersModule);
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const { setRequest } = await import("./next-request");
const { db } = await import("../lib/db/client");
const { makeUser, signedInUser } = await import("./support/accounts");
const { forwardedGuard, PEER_HEADER, setForwardedGuard } = await import("../lib/auth/request");

const PW = "forwarded passphrase 1";
const SECRET = "test-guard-secret";

beforeEach(async () => {
  await resetDatabase();
  // As inside the server: the guard (lib/auth/forwarded-guard.ts) stamped each request with its socket's address.
  setForwardedGuard({ secret: SECRET });
});
afterEach(() => {
  vi.unstubAllEnvs();
  (globalThis as Record<symbol, unknown>)[Symbol.for("iiswatch.forwardedGuard")] = undefined;
  expect(forwardedGuard()).toBeUndefined();
});

/** A browser's headers as they reach the app over a connection from `peer`. */
const from = (peer: string, headers: Record<string, string>) => ({ ...headers, [PEER_HEADER]: `${SECRET} ${peer}` });

describe("sign-in audit address", () => {
  it("is the connection's address, whatever X-Forwarded-For a client sends", async () => {
    await makeUser("ann", "analyst", PW);
    const { loginAction } = await import("../app/login/actions");
    const form = new FormData();
    form.set("username", "ann");
    form.set("password", "not the password");
    setRequest({}, from("198.51.100.4", { host: "watch.local", "x-forwarded-for": "10.9.9.9", "x-real-ip": "10.9.9.9" }));
    expect(await loginAction({}, form)).toMatchObject({ error: "Wrong username or password." });
    const row = await db().auditLog.findFirstOrThrow({ where: { action: "auth.login_failed" } });
    expect(row.address).toBe("198.51.100.4");
  });

  it("is the proxy's client when the connection is from a listed proxy", async () => {
    vi.stubEnv("IISWATCH_TRUSTED_PROXIES", "10.0.0.0/8");
    await makeUser("ann", "analyst", PW);
    const { loginAction } = await import("../app/login/actions");
    const form = new FormData();
    form.set("username", "ann");
    form.set("password", PW);
    setRequest({}, from("10.0.0.5", { host: "127.0.0.1:3000", "x-forwarded-for": "6.6.6.6, 203.0.113.9", "x-forwarded-proto": "https" }));
    await expect(loginAction({}, form)).rejects.toMatchObject({ digest: expect.stringContaining("NEXT_REDIRECT") });
    const row = await db().auditLog.findFirstOrThrow({ where: { action: "auth.login" } });
    expect(row.address).toBe("203.0.113.9");
  });
});

describe("same-origin check of route handlers", () => {
  it("compares Origin with Host, not with a client's X-Forwarded-Host", async () => {
    const ann = await signedInUser("ann", "analyst", PW);
    const { POST } = await import("../app/api/uploads/route");
    const post = (peer: string, headers: Record<string, string>) =>
      POST(
        new NextRequest("http://watch.local/api/uploads?filename=x.txt", {
          method: "POST",
          headers: from(peer, { cookie: ann.cookieHeader, "content-type": "text/plain", ...headers }),
          body: "not an event log",
        }),
      );
    const spoofed = await post("198.51.100.4", { host: "watch.local", "x-forwarded-host": "evil.example", origin: "http://evil.example" });
    expect(spoofed.status).toBe(403);
    expect(await spoofed.json()).toEqual({ error: "cross-origin request refused" });

    // From a listed proxy, its X-Forwarded-Host is the host the browser addressed.
    vi.stubEnv("IISWATCH_TRUSTED_PROXIES", "10.0.0.5");
    const proxied = await post("10.0.0.5", { host: "127.0.0.1:3000", "x-forwarded-host": "watch.example", origin: "http://watch.example" });
    expect(proxied.status).not.toBe(403);
    const evil = await post("10.0.0.5", { host: "127.0.0.1:3000", "x-forwarded-host": "watch.example", origin: "http://evil.example" });
    expect(evil.status).toBe(403);
  });
});
