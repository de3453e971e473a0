// No 500s from input: every page, route handler and server action under app/ (found on disk, like the
// authorization matrix), given hostile values in each path parameter, query parameter and form field — a NUL
// character (PostgreSQL text refuses it), ids beyond PostgreSQL's bigint, malformed uuids, a lone "%", repeated
// parameters — answers 404/400 or renders normally; nothing reaches the database as an error. Pages are rendered
// whole (metadata, async server components and client components) as an admin, who may open every one of them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetDatabase } from "./db-setup";

vi.mock("next/headers", async () => (await import("./next-request")).headersModule);
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));
// Client components' router hooks outside a Next.js app (their server render only reads them).
vi.mock("next/navigation", async (original) => ({
  ...(await original<typeof import("next/navigation")>()),
  useRouter: () => ({ push() {}, replace() {}, refresh() {}, prefetch() {}, back() {} }),
  usePathname: () => "/",
  useSearchParams: () => new URLSearchParams(),
}));

const { setRequest, renderPage, interruptOf } = await import("./next-request");
const { db } = await import("../lib/db/client");
const { SESSION_COOKIE } = await import("../lib/auth/config");
const { createSession } = await import("../lib/auth/sessions");
const { createUser } = await import("../lib/auth/users");
const { cliActor } = await import("../lib/audit/log");
const { drainUploads } = await import("./pipeline");
const { UNEXPECTED_ERROR } = await import("../lib/actions/define-action");

const ROOT = path.resolve(import.meta.dirname, "..");
const HOST = "iiswatch.test";
const NEW_MODULE_ADDED = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
/** A host name that shows as "evilexe.jpg" where bidi controls are rendered as they are. */
const EVIL = "evil\u202Egpj.exe";
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** Values no URL or form should be able to turn into a server error. */
export const HOSTILE: (string | string[])[] = [
  "\u0000",
  "web01\u0000",
  "%00",
  "99999999999999999999999",
  "9223372036854775808",
  "-1",
  "0x1f",
  " 1",
  "",
  "not-a-uuid",
  "00000000-0000-0000-0000-00000000000g",
  "%",
  "%E0%A4%A",
  "\u202Eevil",
  "x".repeat(5000),
  ["1", "\u0000"],
];
const NUL_AND_RANGE = ["\u0000", "99999999999999999999999"];

/** Every parameter name the app reads from a URL or a form (a name it does not read is harmless anyway). */
const NAMES = [
  ...new Set([
    ...Object.keys((await import("../lib/views/range")).rangeParams.shape),
    ...Object.keys((await import("../lib/audit/queries")).auditFilterParams.shape),
    ...Object.keys((await import("../lib/hosts/queries")).hostListParams.shape),
    ...Object.keys((await import("../lib/ingest/queries")).eventListParams.shape),
    ...Object.keys((await import("../lib/triage/fields")).suppressionListParams.shape),
    ...Object.keys((await import("../lib/triage/fields")).notableListParams.shape),
    ...["id", "host", "result", "notable", "detection", "detectionId", "upload", "dest", "earliest", "latest", "suppressed", "saved", "at", "asOf", "back"],
    ...["deleted", "events", "next", "modulesPage", "resultsPage", "notablesPage", "riskPage", "rejections", "filename", "format", "channel"],
    ...["scope", "ids", "filter", "owner", "comment", "expected_status", "expected_owner", "expected_disposition", "resultId", "reason", "expiresAt"],
    ...["enabled", "version", "field.dest", "value.dest", "role", "disabled", "username", "password", "confirm", "current", "name", "days", "priority", "expected"],
    ...["riskScore", "from", "to", "confirm"],
  ]),
];

function files(test: (name: string, full: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (test(entry.name, full)) found.push(path.relative(ROOT, full));
    }
  };
  walk(path.join(ROOT, "app"));
  return found.sort();
}
const PAGES = files((n) => n === "page.tsx");
const ROUTES = files((n) => n === "route.ts");
const ACTIONS = files((n, full) => /\.tsx?$/.test(n) && /^\s*["']use server["']/.test(fs.readFileSync(full, "utf8")));
/** The dynamic segments of a file's path: app/hosts/[host]/page.tsx → ["host"]. */
const segments = (file: string) => [...file.matchAll(/\[(\w+)\]/g)].map((m) => m[1]);

let admin = "";
const valid: Record<string, string> = {};

beforeAll(async () => {
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-hostile-"));
  await resetDatabase();
  const user = await createUser({ username: "admin1", password: "hostile passphrase 1", role: "admin" }, cliActor());
  admin = (await createSession(user.id)).token;
  const upload = await db().upload.create({ data: { filename: `seed-${EVIL}.xml`, status: "done", notices: [{ location: EVIL, message: EVIL }] } });
  await db().host.create({ data: { id: "web01", name: "WEB01", eventCount: 1 } });
  const event = await db().event.create({
    data: {
      eventKey: "hostile-event", uploadId: upload.id, position: 1, time: new Date("2026-01-01T00:00:00Z"), host: "WEB01", hostId: "web01", channel: "Application",
      provider: "Microsoft-Windows-IIS-W3SVC-WP", eventCode: 2282, source: "XmlWinEventLog:Application", sourcetype: "XmlWinEventLog", format: "xml", raw: "<Event/>",
    },
  });
  const run = await db().detectionRun.create({
    data: { detectionId: NEW_MODULE_ADDED, kind: "replay", runTime: new Date("2026-01-01T01:00:00Z"), windowStart: new Date("2025-12-31T23:50:00Z"), windowEnd: new Date("2026-01-01T00:50:00Z"), status: "done" },
  });
  const result = await db().detectionResult.create({
    data: { detectionId: NEW_MODULE_ADDED, runId: run.id, groupKey: "k", dest: "WEB01", fields: { dest: "WEB01", count: 1 }, count: 1, firstTime: run.windowStart, lastTime: run.windowStart },
  });
  const notable = await db().notable.create({
    data: { resultId: result.id, detectionId: NEW_MODULE_ADDED, time: run.runTime, title: "Windows IIS Components New Module Added", dest: "WEB01", severity: "medium", urgency: "medium" },
  });
  const suppression = await db().suppression.create({ data: { detectionId: NEW_MODULE_ADDED, match: { dest: EVIL }, reason: `seed ${EVIL}` } });
  // Attacker text: a host whose name reverses what follows it, with an event, a result and a notable on it.
  await db().host.create({ data: { id: EVIL.toLowerCase(), name: EVIL, eventCount: 1 } });
  await db().event.create({
    data: {
      eventKey: "evil-event", uploadId: upload.id, position: 2, time: new Date("2026-01-01T00:00:00Z"), host: EVIL, hostId: EVIL.toLowerCase(), channel: "Application",
      provider: "Microsoft-Windows-IIS-W3SVC-WP", eventCode: 2282, source: "XmlWinEventLog:Application", sourcetype: "XmlWinEventLog", format: "xml", raw: `<Event>${EVIL}</Event>`,
      message: `The Module DLL ${EVIL} failed to load.`, data: { ModuleDll: EVIL },
    },
  });
  const evilResult = await db().detectionResult.create({
    data: { detectionId: NEW_MODULE_ADDED, runId: run.id, groupKey: "evil", dest: EVIL, fields: { dest: EVIL, count: 1 }, count: 1, firstTime: run.windowStart, lastTime: run.windowStart },
  });
  await db().notable.create({ data: { resultId: evilResult.id, detectionId: NEW_MODULE_ADDED, time: run.runTime, title: "Windows IIS Components New Module Added", dest: EVIL, severity: "medium", urgency: "medium" } });
  Object.assign(valid, { upload: upload.id, event: String(event.id), result: String(result.id), notable: String(notable.id), suppression: String(suppression.id) });
});

afterAll(async () => {
  await drainUploads();
  fs.rmSync(process.env.IISWATCH_DATA_DIR!, { recursive: true, force: true });
});

/** A valid value of each dynamic segment of a file's path (so that only the hostile one is hostile). */
function validParams(file: string): Record<string, string> {
  const id = /uploads/.test(file) ? valid.upload : /events/.test(file) ? valid.event : /results/.test(file) ? valid.result : /notables/.test(file) ? valid.notable : /suppressions/.test(file) ? valid.suppression : NEW_MODULE_ADDED;
  return Object.fromEntries(segments(file).map((s) => [s, s === "host" ? "web01" : id]));
}

/** The cases of a file: each hostile value in each path parameter, in every query parameter at once, and (NUL, out of range) in each alone. */
function cases(file: string): { label: string; params: Record<string, string>; query: Record<string, string | string[]> }[] {
  const base = validParams(file);
  const out: ReturnType<typeof cases> = [{ label: "valid", params: base, query: {} }];
  if (segments(file).includes("host")) out.push({ label: "the evil host", params: { ...base, host: encodeURIComponent(EVIL.toLowerCase()) }, query: {} });
  for (const seg of segments(file)) for (const v of HOSTILE) if (typeof v === "string") out.push({ label: `[${seg}]=${JSON.stringify(v).slice(0, 40)}`, params: { ...base, [seg]: v }, query: {} });
  for (const v of HOSTILE) out.push({ label: `every param=${JSON.stringify(v).slice(0, 40)}`, params: base, query: Object.fromEntries(NAMES.map((n) => [n, v])) });
  for (const n of NAMES) for (const v of NUL_AND_RANGE) out.push({ label: `?${n}=${JSON.stringify(v)}`, params: base, query: { [n]: v } });
  return out;
}

const swept = { pages: 0, routes: 0, actions: 0 };

describe("pages", () => {
  for (const file of PAGES) {
    it(`${file} answers hostile parameters with 404 or a page`, async () => {
      const mod = await import(/* @vite-ignore */ `../${file}`);
      const failures: string[] = [];
      for (const c of cases(file)) {
        setRequest({ [SESSION_COOKIE]: admin }, { host: HOST, "x-forwarded-for": "192.0.2.10" });
        swept.pages++;
        try {
          const r = await renderPage(mod, c.params, c.query);
          if ("status" in r && r.status !== 404) failures.push(`${c.label}: ${r.status}`);
          // Attacker text (the evil host, or a hostile parameter echoed back) never shows a raw bidi control.
          // (Form fields' values — inputs, textareas — are left as typed: an input shows its text isolated, and a search must find it.)
          if ("html" in r) r.html = r.html.replace(/ value="[^"]*"/g, "").replace(/(<textarea[^>]*>)[^<]*/g, "$1");
          if ("html" in r && BIDI.test(r.html)) failures.push(`${c.label}: a bidi control in the HTML near ${JSON.stringify(r.html.slice(Math.max(0, r.html.search(BIDI) - 80), r.html.search(BIDI) + 20))}`);
          if ("html" in r && typeof r.title === "string" && BIDI.test(r.title)) failures.push(`${c.label}: a bidi control in the title`);
        } catch (e) {
          failures.push(`${c.label}: ${String((e as Error).message).trim().split("\n").pop()!.slice(0, 200)}`);
        }
      }
      expect(failures.join("\n"), file).toBe("");
    });
  }
});

it("a host named evil\\u202Egpj.exe shows isolated, with its control visible, in the heading, the title and the hosts table", async () => {
  setRequest({ [SESSION_COOKIE]: admin }, { host: HOST, "x-forwarded-for": "192.0.2.10" });
  const page = await renderPage(await import("../app/hosts/[host]/page"), { host: encodeURIComponent(EVIL.toLowerCase()) }, {});
  expect(page).toHaveProperty("html");
  const { html, title } = page as { html: string; title?: string };
  expect(html).toMatch(/<h1[^>]*><bdi class="bidi-controls" title="[^"]+">evil⟨U\+202E⟩gpj\.exe<\/bdi><\/h1>/);
  expect(title).toBe("evil⟨U+202E⟩gpj.exe");
  setRequest({ [SESSION_COOKIE]: admin }, { host: HOST, "x-forwarded-for": "192.0.2.10" });
  const list = (await renderPage(await import("../app/hosts/page"), {}, {})) as { html: string };
  expect(list.html).toContain('<bdi class="bidi-controls" title="Contains bidirectional control characters, shown as ⟨U+…⟩">evil⟨U+202E⟩gpj.exe</bdi></a>');
});

function request(method: string, url: URL, body?: string) {
  const headers: Record<string, string> = { host: HOST, "x-forwarded-for": "192.0.2.10", cookie: `${SESSION_COOKIE}=${admin}`, origin: `http://${HOST}` };
  return new NextRequest(url, { method, headers, body, duplex: "half" } as ConstructorParameters<typeof NextRequest>[1]);
}

describe("route handlers", () => {
  for (const file of ROUTES) {
    it(`${file} answers hostile parameters with a status below 500`, async () => {
      const mod = (await import(/* @vite-ignore */ `../${file}`)) as Record<string, unknown>;
      const failures: string[] = [];
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        const handler = mod[method] as ((req: NextRequest, ctx: unknown) => Promise<Response>) | undefined;
        if (!handler) continue;
        // Bodies of state-changing calls (uploads) cost a worker's time: each hostile value once, in every parameter.
        for (const c of method === "GET" ? cases(file) : cases(file).filter((c) => !c.label.startsWith("?"))) {
          // Path parameters as the URL carries them (Next.js decodes them into params).
          let route = `/${file.replace(/^app\//, "").replace(/\/route\.ts$/, "")}`;
          for (const [k, v] of Object.entries(c.params)) route = route.replace(`[${k}]`, encodeURIComponent(v));
          const url = new URL(`http://${HOST}${route}`);
          for (const [k, v] of Object.entries(c.query)) for (const one of [v].flat()) url.searchParams.append(k, one);
          // A JSON body with the same values, for handlers that read one.
          const body = method === "GET" ? undefined : JSON.stringify({ from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", ...c.query });
          swept.routes++;
          try {
            const res = await handler(request(method, url, body), { params: Promise.resolve(c.params) });
            if (res.status >= 500) failures.push(`${method} ${c.label}: ${res.status} ${(await res.text()).slice(0, 200)}`);
            else await res.text();
          } catch (e) {
            failures.push(`${method} ${c.label}: threw ${String((e as Error).message).trim().split("\n").pop()!.slice(0, 200)}`);
          }
        }
      }
      await drainUploads();
      expect(failures.join("\n"), file).toBe("");
    });
  }
});

/** Actions that take no input, or wait on the workers (demo data): covered elsewhere (tests/demo.db.test.ts). */
const SKIPPED_ACTIONS = new Set(["app/demo-actions.ts#loadDemoAction", "app/login/actions.ts#logoutAction"]);

describe("server actions", () => {
  for (const file of ACTIONS) {
    it(`${file}: hostile form fields give a message, never an error`, async () => {
      const mod = (await import(/* @vite-ignore */ `../${file}`)) as Record<string, unknown>;
      const failures: string[] = [];
      for (const [name, fn] of Object.entries(mod)) {
        if (typeof fn !== "function" || SKIPPED_ACTIONS.has(`${file}#${name}`)) continue;
        const cases: Record<string, string | string[]>[] = [
          ...HOSTILE.map((v) => Object.fromEntries(NAMES.map((n) => [n, v]))),
          ...NAMES.map((n) => ({ [n]: "\u0000" })),
        ];
        for (const fields of cases) {
          const form = new FormData();
          for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
          setRequest({ [SESSION_COOKIE]: admin }, { host: HOST, "x-forwarded-for": "192.0.2.10", origin: `http://${HOST}` });
          swept.actions++;
          try {
            const state = (await (fn.length >= 2 ? fn({}, form) : fn(form))) as { error?: string } | undefined;
            // The action wrapper answers any unexpected failure with a generic message: that is an error too.
            if (state?.error === UNEXPECTED_ERROR) failures.push(`${name} ${JSON.stringify(fields).slice(0, 80)}: failed on the server (see the log above)`);
          } catch (e) {
            const i = interruptOf(e);
            if (i && (i.kind === "redirect" || i.status < 500)) continue;
            failures.push(`${name} ${JSON.stringify(fields).slice(0, 80)}: ${String((e as Error).message).trim().split("\n").pop()!.slice(0, 200)}`);
          }
        }
        // The admin's session may have been ended or the password changed by the hostile fields: start again.
        const user = await db().user.findUniqueOrThrow({ where: { username: "admin1" } });
        await db().user.update({ where: { id: user.id }, data: { disabled: false, role: "admin" } });
        admin = (await createSession(user.id)).token;
      }
      expect(failures.join("\n"), file).toBe("");
    }, 300_000);
  }
});

it("swept every page, route handler and server action", () => {
  expect(PAGES.length).toBeGreaterThan(15);
  expect(ROUTES.length).toBeGreaterThan(5);
  expect(ACTIONS.length).toBeGreaterThan(5);
  console.log(`hostile input: ${swept.pages} page renders, ${swept.routes} route requests, ${swept.actions} action calls`);
});
