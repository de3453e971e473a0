// A table's sort indicator always tells the order its rows are in: every sortable id of the hosts, events and notables
// tables shows its indicator on its own column (and on no other), and a sort id that names no sortable column is
// ignored: the table is in its default order with the indicator on the default column, as if no sort were given.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { resetDatabase } from "./db-setup";

vi.mock("next/headers", async () => (await import("./next-request")).headersModule);
vi.mock("next/navigation", async (original) => ({
  ...(await original<typeof import("next/navigation")>()),
  useRouter: () => ({ push() {}, replace() {}, refresh() {}, prefetch() {}, back() {} }),
  usePathname: () => "/",
  useSearchParams: () => new URLSearchParams(),
}));

const { setRequest, renderPage } = await import("./next-request");
const { db } = await import("../lib/db/client");
const { signedInUser } = await import("./support/accounts");
const { HOST_SORTS } = await import("../lib/hosts/queries");
const { EVENT_SORTS } = await import("../lib/ingest/queries");
const { NOTABLE_SORTS } = await import("../lib/triage/fields");

let sessionCookies: Record<string, string> = {};
beforeAll(async () => {
  await resetDatabase();
  sessionCookies = (await signedInUser("analyst1", "admin", "sorting passphrase 1")).cookies;
  const upload = await db().upload.create({ data: { filename: "seed.xml", status: "done" } });
  for (const [i, name] of ["WEB01", "WEB02", "WEB03"].entries()) {
    await db().host.create({ data: { id: name.toLowerCase(), name, eventCount: i + 1 } });
    await db().event.create({
      data: {
        eventKey: `e${i}`, uploadId: upload.id, position: i + 1, time: new Date(Date.UTC(2026, 0, 1, i)), host: name, hostId: name.toLowerCase(), channel: "Application",
        provider: "Microsoft-Windows-IIS-W3SVC-WP", eventCode: 2282, source: "XmlWinEventLog:Application", sourcetype: "XmlWinEventLog", format: "xml", raw: "<Event/>",
      },
    });
  }
});

const TABLES = [
  { page: "app/hosts/page", label: "Hosts", ids: HOST_SORTS, defaultHeader: "Top finding" },
  { page: "app/events/page", label: "Events", ids: EVENT_SORTS, defaultHeader: "Time" },
  { page: "app/notables/page", label: "Notables", ids: NOTABLE_SORTS, defaultHeader: "Time" },
] as const;

async function render(page: string, query: Record<string, string>): Promise<string> {
  setRequest(sessionCookies, { host: "iiswatch.test", "x-forwarded-for": "192.0.2.10" });
  const r = await renderPage(await import(/* @vite-ignore */ `../${page}`), {}, query);
  if (!("html" in r)) throw new Error(`${page}: ${JSON.stringify(r)}`);
  return r.html;
}
/** The sorted headers of the table: [header text, aria-sort]. */
const sortedHeaders = (html: string) => [...html.matchAll(/<th[^>]*aria-sort="(\w+)"[^>]*>([\s\S]*?)<\/th>/g)].map((m) => [m[2].replace(/<[^>]+>/g, "").replace(/[▲▼]/g, "").trim(), m[1]]);
/** The rows of the table's body, as text. */
const rows = (html: string) => [...(html.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "").matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1].replace(/<[^>]+>/g, " "));

describe.each(TABLES)("$label table", (table) => {
  it("shows the indicator of each sortable id on one column", async () => {
    for (const sort of table.ids) {
      const headers = sortedHeaders(await render(table.page, { sort, dir: "asc" }));
      expect(headers, `sort=${sort}`).toHaveLength(1);
      expect(headers[0][1], `sort=${sort}`).toBe("ascending");
    }
  });

  it("ignores a sort id that names no sortable column: default order, indicator on the default column", async () => {
    const byDefault = await render(table.page, {});
    for (const sort of ["bogus", "modules", "provider", "comments"]) {
      const html = await render(table.page, { sort, dir: "asc" });
      expect(sortedHeaders(html), `sort=${sort}`).toEqual([[expect.stringContaining(table.defaultHeader), "ascending"]]);
      expect(rows(html), `sort=${sort}`).toEqual(rows(await render(table.page, { dir: "asc" })));
    }
    expect(sortedHeaders(byDefault)).toEqual([[expect.stringContaining(table.defaultHeader), "descending"]]);
  });
});
