// Security headers on every response, a nonce-based Content-Security-Policy the pages still work under, and
// X-Forwarded-* believed only from a configured proxy (playwright.config.ts lists 127.0.0.2, which a browser
// on 127.0.0.1 is not; node:http below connects from 127.0.0.2 to play the proxy).
import http from "node:http";
import { expect, test, type Page } from "@playwright/test";
import { E2E_ADMIN, signIn } from "./auth";

const COMMON = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "permissions-policy": expect.stringContaining("camera=()"),
};

/** The directives of a CSP, by name. */
const directives = (csp: string) => Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

/** CSP violations and script errors the browser reports while a test runs. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (/Content.Security.Policy|Refused to|Permissions-Policy/i.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** A raw request to the dashboard, optionally from another local address (127.0.0.2: the trusted "proxy"). */
function raw(baseURL: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; from?: string }) {
  const url = new URL(path, baseURL);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? "GET", headers: init.headers, localAddress: init.from }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

test("pages, the API and static assets carry the security headers; page scripts carry the request's nonce", async ({ request }) => {
  const page = await request.get("/login");
  expect(page.status()).toBe(200);
  expect(page.headers()).toMatchObject(COMMON);
  const csp = directives(page.headers()["content-security-policy"]);
  const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp["script-src"].find((s: string) => s.startsWith("'nonce-")) ?? "")?.[1];
  expect(nonce, "script-src has a nonce").toBeTruthy();
  expect(csp["script-src"]).toContain("'strict-dynamic'");
  expect(csp["script-src"]).not.toContain("'unsafe-inline'");
  expect(csp["script-src"]).not.toContain("'unsafe-eval'");
  expect(csp["frame-ancestors"]).toEqual(["'none'"]);
  expect(csp["object-src"]).toEqual(["'none'"]);

  // Every script of the page, inline or not, carries this response's nonce; the next response has another.
  const html = await page.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, tag).toContain(`nonce="${nonce}"`);
  const again = directives((await request.get("/login")).headers()["content-security-policy"]);
  expect(again["script-src"]).not.toEqual(csp["script-src"]);

  // A redirect to sign in is a page response too.
  const redirect = await request.get("/hosts", { maxRedirects: 0 });
  expect(redirect.status()).toBe(307);
  expect(redirect.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");

  // The API and Next.js's assets: nothing may load or frame them.
  for (const path of ["/api/health", "/api/uploads", /\bsrc="(\/_next\/static\/[^"]+\.js)"/.exec(html)![1], "/icon.svg"]) {
    const res = await request.get(path);
    expect(res.headers(), path).toMatchObject({ ...COMMON, "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" });
  }
});

test("pages work under the policy: sign-in, client components, charts — and no violation reported", async ({ page }) => {
  test.setTimeout(300_000);
  const problems = watchConsole(page);
  await signIn(page);
  await page.goto("/");
  // The demo fleet (if the views walk has not loaded it already), through the overview's own button: a server action.
  if ((await page.getByTestId("count-events").innerText()).trim() === "0") {
    await page.getByRole("button", { name: "Load demo data" }).click();
    await expect(page.getByTestId("count-events").filter({ hasNotText: /^0$/ })).toBeVisible({ timeout: 240_000 });
  }
  await page.goto("/hosts");
  const host = page.locator("table tbody tr a[href^='/hosts/']").first();
  await host.click();
  await expect(page).toHaveURL(/\/hosts\/[^/]+/);
  // recharts draws its SVG in the browser (style attributes included).
  await expect(page.locator(".recharts-surface").first()).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(problems).toEqual([]);
});

test("a client's X-Forwarded-* are not believed: cross-origin sign-in refused, audit has the real address", async ({ page, baseURL }) => {
  await signIn(page);
  const cookie = (await page.context().cookies()).find((c) => c.name === "iiswatch_session")!;

  // A cookie POST from another origin, claiming to be addressed to that origin: refused by the route handler.
  const spoofed = await raw(baseURL!, "/api/uploads?filename=x.txt", {
    method: "POST",
    headers: { cookie: `iiswatch_session=${cookie.value}`, origin: "http://evil.example", "x-forwarded-host": "evil.example", "content-type": "text/plain" },
    body: "x",
  });
  expect(spoofed.status).toBe(403);

  // The same trick on a server action (signing in): refused (403) against the real Host before Next.js runs it.
  // The browser's own sign-in request is captured, then replayed with the lie (and, to show the replay is sound,
  // without it).
  const other = await page.context().browser()!.newContext({ baseURL });
  const p2 = await other.newPage();
  await p2.goto("/login");
  let captured: { headers: Record<string, string>; body: Buffer } | null = null;
  await p2.route("**/login", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    captured = { headers: await route.request().allHeaders(), body: route.request().postDataBuffer()! };
    await route.abort();
  });
  await p2.getByLabel("Username").fill(E2E_ADMIN.username);
  await p2.getByLabel("Password").fill(E2E_ADMIN.password);
  await p2.getByRole("button", { name: "Sign in" }).click();
  await expect.poll(() => captured).not.toBeNull();
  await other.close();
  const { headers: sent, body } = captured!;
  expect(sent["next-action"]).toBeTruthy();
  const replay = (extra: Record<string, string>) => raw(baseURL!, "/login", { method: "POST", headers: { ...sent, ...extra }, body });
  const lie = await replay({ origin: "http://evil.example", "x-forwarded-host": "evil.example" });
  expect(lie.status).toBe(403);
  expect(lie.headers["set-cookie"]).toBeUndefined();
  const honest = await replay({});
  expect(honest.headers["set-cookie"]?.join(";")).toContain("iiswatch_session=");

  // A failed sign-in claiming to come from 6.6.6.6 is recorded under the connection's address.
  const liar = await page.context().browser()!.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": "6.6.6.6", "X-Real-IP": "6.6.6.6" } });
  const p3 = await liar.newPage();
  await p3.goto("/login");
  await p3.getByLabel("Username").fill("e2e-forwarded-liar");
  await p3.getByLabel("Password").fill("not a password at all");
  await p3.getByRole("button", { name: "Sign in" }).click();
  await expect(p3.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText("Wrong username or password.");
  await liar.close();
  const csv = await (await page.request.get("/api/audit/export?actor=e2e-forwarded-liar")).text();
  expect(csv).toContain("e2e-forwarded-liar");
  expect(csv).toContain("127.0.0.1");
  expect(csv).not.toContain("6.6.6.6");
});

test("a listed proxy's X-Forwarded-* are believed", async ({ page, baseURL }) => {
  await signIn(page);
  const cookie = (await page.context().cookies()).find((c) => c.name === "iiswatch_session")!;
  const headers = { cookie: `iiswatch_session=${cookie.value}`, "x-forwarded-host": "watch.example", "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.77" };
  // Addressed to watch.example by the browser, as the proxy says: same origin.
  const ok = await raw(baseURL!, "/api/auth/me", { from: "127.0.0.2", headers: { ...headers, origin: "https://watch.example" } });
  expect(ok.status).toBe(200);
  const viaProxy = await raw(baseURL!, "/api/uploads?filename=x.txt", { method: "POST", from: "127.0.0.2", headers: { ...headers, origin: "https://watch.example", "content-type": "text/plain" }, body: "not an event log" });
  expect(viaProxy.status, viaProxy.body).not.toBe(403);
  // The very same request straight from the browser's address is refused: its X-Forwarded-Host is not believed.
  const direct = await raw(baseURL!, "/api/uploads?filename=x.txt", { method: "POST", headers: { ...headers, origin: "https://watch.example", "content-type": "text/plain" }, body: "not an event log" });
  expect(direct.status).toBe(403);
  // And the audit trail names the proxy's client.
  const csv = await (await page.request.get("/api/audit/export?action=upload.create")).text();
  expect(csv).toContain("203.0.113.77");
});
