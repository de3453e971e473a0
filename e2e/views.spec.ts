// The analyst views as a person uses them: load the demo data from the empty overview, then overview → hosts →
// host → 7-day drilldown → detection results → one result, checking every number shown against the database the
// server runs on (queried directly, with plain SQL written here rather than the app's own queries). Also: the hosts
// table driven by the keyboard alone, and an accessible name on every control of every view. The walk is made at
// full width and again at 1280 × 800, a common laptop screen (the second finds the demo data loaded).
//   UPDATE_SCREENSHOTS=1 npx playwright test e2e/views.spec.ts   (also writes docs/screenshots/*.png)
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import pg from "pg";
import { FINDING_KINDS } from "../lib/detections/enrichment";
import { signIn } from "./auth";
import { databaseUrl } from "./db";

const FINDING_LABELS: Record<string, string> = Object.fromEntries(Object.entries(FINDING_KINDS).map(([k, v]) => [k, v.label]));

const HOUR = 3_600_000;
const OPEN = ["new", "in_progress", "pending"];
const SCREENSHOTS = path.resolve(import.meta.dirname, "../docs/screenshots");

const num = (text: string) => Number(text.replace(/[^\d-]/g, ""));

async function screenshot(page: Page, name: string) {
  if (process.env.UPDATE_SCREENSHOTS !== "1") return;
  await page.waitForLoadState("networkidle");
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Every form control of the page has an accessible name, and so does every button. */
async function expectLabelledControls(page: Page) {
  const controls = page.locator("input:not([type=hidden]), select, textarea, button");
  const n = await controls.count();
  for (let i = 0; i < n; i++) {
    const control = controls.nth(i);
    if (!(await control.isVisible())) continue;
    await expect(control, `${await control.evaluate((e) => e.outerHTML.slice(0, 120))} has no accessible name`).toHaveAccessibleName(/\S/);
  }
}

/** The text of each cell of each body row of a table. */
async function tableRows(table: Locator): Promise<string[][]> {
  return table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText.trim())));
}

test.describe("at full width", () => {
  test.use({ viewport: { width: 1440, height: 1000 } });
  test("overview → hosts → host → 7-day drilldown → detection results, every number as in the database", async ({ page }) => {
    test.setTimeout(300_000);
    await walkViews(page, { screenshots: true });
  });
});

test.describe("at 1280 × 800", () => {
  test.use({ viewport: { width: 1280, height: 800 } });
  test("overview → hosts → host → 7-day drilldown → detection results, every number as in the database", async ({ page }) => {
    test.setTimeout(300_000);
    await walkViews(page, { screenshots: false });
  });
});

/** The walk; `screenshots`: this is the walk docs/screenshots are taken from (UPDATE_SCREENSHOTS=1). */
async function walkViews(page: Page, options: { screenshots: boolean }) {
  const shot = (name: string) => (options.screenshots ? screenshot(page, name) : Promise.resolve());
  await signIn(page);
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  const q = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => (await client.query<T>(sql, values)).rows;

  try {
    // ── Overview: empty, then the demo data through the UI's own button ──────────────────────────────────────
    await page.goto("/");
    if (num(await page.getByTestId("count-events").innerText()) === 0) {
      await expectLabelledControls(page);
      await page.getByRole("button", { name: "Load demo data" }).click();
      const getStarted = page.getByRole("region", { name: "Get started" });
      // Once loaded, the overview re-renders with the events (the "Get started" panel, and its message, go away).
      const loaded = page.getByTestId("count-events").filter({ hasNotText: /^0$/ });
      // Fail at once (not after the timeout) when the load fails: its error message, or the server action's crash.
      const failed = getStarted.getByRole("alert").or(page.getByText(/Application error|server-side exception/));
      await expect(loaded.or(failed).first()).toBeVisible({ timeout: 240_000 });
      await expect(loaded, "the demo data did not load").toBeVisible();
      await page.reload();
    }
    // Risk that counts is risk no suppression hides: with none, every risk event counts (the SQL below relies on it).
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM suppressions`))[0].n).toBe(0);

    let now = new Date();
    const [counts] = await q<{ events: number; hosts: number; open: number; missing: number; results24h: number; uploads: number }>(
      `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM hosts)::int AS hosts,
              (SELECT count(*) FROM notables WHERE status::text = ANY($1))::int AS open,
              (SELECT count(*) FROM hosts WHERE iis_events > 0 AND iis_config_events = 0)::int AS missing,
              (SELECT count(*) FROM detection_results WHERE last_time >= $2)::int AS results24h,
              (SELECT count(*) FROM uploads)::int AS uploads`,
      [OPEN, new Date(now.getTime() - 24 * HOUR)],
    );
    expect(counts.events).toBeGreaterThan(1000);
    await expect(page.getByTestId("count-events")).toHaveText(counts.events.toLocaleString("en"));
    await expect(page.getByTestId("count-hosts")).toHaveText(counts.hosts.toLocaleString("en"));
    await expect(page.getByTestId("count-open-notables")).toHaveText(counts.open.toLocaleString("en"));
    await expect(page.getByTestId("count-missing-log")).toHaveText(counts.missing.toLocaleString("en"));
    await expect(page.getByTestId("count-results-24h")).toHaveText(counts.results24h.toLocaleString("en"));
    expect(counts.missing).toBeGreaterThan(0);
    expect(counts.open).toBeGreaterThan(0);

    // The riskiest hosts, 24 hours and 7 days, ending now (the demo's data is current, not historical).
    const riskiest = (hours: number) =>
      q<{ host: string; score: number; events: number }>(
        `SELECT normalized_risk_object AS host, sum(risk_score)::int AS score, count(*)::int AS events FROM risk_events
         WHERE time >= $1 AND time < $2 GROUP BY 1 ORDER BY score DESC, host LIMIT 10`,
        [new Date(now.getTime() - hours * HOUR), now],
      );
    await expect(page.getByText("The data is historical")).toHaveCount(0);
    for (const [title, hours] of [["Riskiest hosts, 24 hours", 24], ["Riskiest hosts, 7 days", 168]] as const) {
      const expected = (await riskiest(hours)).map((r) => [r.host, String(r.score), String(r.events)]);
      if (expected.length === 0) expected.push(["No risk in this period."]);
      expect(await tableRows(page.getByRole("table", { name: title }))).toEqual(expected);
    }
    const week = await riskiest(168);
    expect(week.length).toBeGreaterThan(0);
    await expectLabelledControls(page);
    await shot("overview");

    // ── Hosts: the fleet sorted by 7-day risk, as the database has it ────────────────────────────────────────
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts", exact: true }).click();
    await expect(page).toHaveURL(/\/hosts$/);
    now = new Date();
    const fleet = (order: string, limit: number, offset = 0) =>
      q<{ id: string; name: string; finding: string | null; r24: number; r7: number; open: number; results: number; events: number; config: number; iis: number }>(
        `SELECT h.id, h.name, h.event_count AS events, h.iis_config_events AS config, h.iis_events AS iis,
                (SELECT r.finding_kind FROM detection_results r WHERE lower(r.dest) = h.id AND r.finding_rank IS NOT NULL
                 ORDER BY r.finding_rank DESC LIMIT 1) AS finding,
                (SELECT max(r.finding_rank) FROM detection_results r WHERE lower(r.dest) = h.id) AS fr,
                coalesce((SELECT sum(risk_score) FROM risk_events re WHERE re.normalized_risk_object = h.id AND re.time >= $1 AND re.time < $3), 0)::int AS r24,
                coalesce((SELECT sum(risk_score) FROM risk_events re WHERE re.normalized_risk_object = h.id AND re.time >= $2 AND re.time < $3), 0)::int AS r7,
                (SELECT count(*) FROM notables n WHERE lower(n.dest) = h.id AND n.status::text = ANY($4))::int AS open,
                (SELECT count(*) FROM detection_results r WHERE lower(r.dest) = h.id)::int AS results
         FROM hosts h ORDER BY ${order}, h.id LIMIT ${limit} OFFSET ${offset}`,
        [new Date(now.getTime() - 24 * HOUR), new Date(now.getTime() - 168 * HOUR), now, OPEN],
      );
    const hostsTable = page.getByRole("table", { name: "Hosts" });
    const expectHostRows = async (rows: Awaited<ReturnType<typeof fleet>>) => {
      const shown = await tableRows(hostsTable);
      expect(shown.map((r) => r.slice(0, 5))).toEqual(rows.map((h) => [h.name, h.finding ? FINDING_LABELS[h.finding] : "—", String(h.r24), String(h.r7), String(h.open)]));
      // "Results by detection": "n × Detection" per detection, summing to the host's results.
      expect(shown.map((r) => [...r[5].matchAll(/(\d+) ×/g)].reduce((sum, m) => sum + Number(m[1]), 0))).toEqual(rows.map((h) => h.results));
      // The IIS configuration log (the last column, after each channel's last event): missing only on an IIS server
      // (a host with no event of IIS needs none).
      expect(shown.map((r) => r[r.length - 1])).toEqual(rows.map((h) => (h.config > 0 ? "collected" : h.iis > 0 ? "⚠ missing" : "— not IIS")));
    };
    await expect(page.getByRole("navigation", { name: "Hosts pages" })).toContainText(`Page 1 of 1 · ${counts.hosts.toLocaleString()} rows`);
    // Backdoors first: by the most serious finding (module installed, DLL load failure…), then by 7-day risk.
    await expect(hostsTable.getByRole("columnheader", { name: /Top finding/ })).toHaveAttribute("aria-sort", "descending");
    await expectHostRows(await fleet("fr DESC NULLS LAST, r7 DESC", 50));
    await expectLabelledControls(page);
    await shot("hosts");

    // Filter by name, with the keyboard: the filter's controls are found by their labels.
    const top = week[0].host;
    const fragment = top.slice(0, Math.max(3, top.indexOf(".") > 0 ? top.indexOf(".") - 1 : 3));
    await page.getByRole("textbox", { name: "Host name contains" }).fill(fragment);
    await expect(page.getByRole("combobox", { name: "IIS configuration log" })).toHaveValue("all");
    await page.getByRole("textbox", { name: "Host name contains" }).press("Enter");
    await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(fragment).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    const matching = await q<{ n: number }>(`SELECT count(*)::int AS n FROM hosts WHERE id LIKE '%' || lower($1) || '%'`, [fragment]);
    await expect(page.getByRole("navigation", { name: "Hosts pages" })).toContainText(`${matching[0].n.toLocaleString()} rows`);
    // Hosts without the IIS configuration log, as the overview's warning card links to.
    await page.goto("/hosts?coverage=missing");
    await expect(page.getByRole("navigation", { name: "Hosts pages" })).toContainText(`${counts.missing.toLocaleString()} rows`);
    await expect(page.getByRole("combobox", { name: "IIS configuration log" })).toHaveValue("missing");

    // Sorting and paging by keyboard alone: Tab from one sort button to the next, Enter to sort; the page-size
    // select and the pager likewise.
    await page.goto("/hosts");
    await hostsTable.getByRole("button", { name: /^Host/ }).focus();
    await page.keyboard.press("Tab");
    await expect(hostsTable.getByRole("button", { name: /^Top finding/ })).toBeFocused();
    await page.keyboard.press("Tab");
    const risk24Button = hostsTable.getByRole("button", { name: /^Risk 24 h/ });
    await expect(risk24Button).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/sort=risk24h/);
    const risk24Header = hostsTable.getByRole("columnheader", { name: /Risk 24 h/ });
    await expect(risk24Header).toHaveAttribute("aria-sort", /ascending|descending/);
    const direction = (await risk24Header.getAttribute("aria-sort")) === "ascending" ? "ASC" : "DESC";
    await expect(page).toHaveURL(new RegExp(`dir=${direction.toLowerCase()}`));
    await expectHostRows(await fleet(`r24 ${direction}`, 50));

    const pageSize = page.getByRole("combobox", { name: "Rows per page" });
    await pageSize.focus();
    await page.keyboard.press("ArrowUp"); // 50 -> 25
    await expect(page).toHaveURL(/size=25/);
    await expect(page.getByRole("navigation", { name: "Hosts pages" })).toContainText(`Page 1 of ${Math.ceil(counts.hosts / 25)}`);
    await pageSize.focus();
    await page.keyboard.press("Shift+Tab");
    await expect(page.getByRole("button", { name: "Next →" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/page=2/);
    await expect(page.getByRole("navigation", { name: "Hosts pages" })).toContainText(`Page 2 of ${Math.ceil(counts.hosts / 25)}`);
    await expectHostRows(await fleet(`r24 ${direction}`, 25, 25));

    // ── Host: the riskiest host of the week ───────────────────────────────────────────────────────────────────
    await page.goto("/hosts");
    await hostsTable.getByRole("link", { name: (await fleet("r7 DESC", 1))[0].name, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/hosts/${encodeURIComponent(top).replace(/\./g, "\\.")}$`));
    now = new Date();
    const [host] = await q<{ id: string; name: string; events: number; config: number; iis: number; first: Date; last: Date }>(
      `SELECT id, name, event_count AS events, iis_config_events AS config, iis_events AS iis, first_event AS first, last_event AS last FROM hosts WHERE id = $1`,
      [top],
    );
    const [actual] = await q<{ events: number; config: number; iis: number }>(
      `SELECT count(*)::int AS events, (count(*) FILTER (WHERE channel = 'Microsoft-IIS-Configuration/Operational'))::int AS config,
              (count(*) FILTER (WHERE provider ILIKE 'Microsoft-Windows-IIS-%' OR provider ILIKE 'Microsoft-IIS-%'
                                      OR provider IN ('Microsoft-Windows-WAS', 'WAS', 'W3SVC-WP', 'W3SVC')
                                      OR channel = 'Microsoft-IIS-Configuration/Operational'))::int AS iis
       FROM events WHERE host_id = $1`,
      [top],
    );
    expect(actual).toEqual({ events: host.events, config: host.config, iis: host.iis }); // the counters are the events
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(host.name);
    const facts = page.locator("dl.facts").first();
    await expect(facts).toContainText(host.events.toLocaleString());
    await expect(facts).toContainText(host.config > 0 ? `collected (${host.config.toLocaleString()} events)` : host.iis > 0 ? "missing" : "not an IIS server");
    // Default range: the last 30 days (the host's data is recent).
    expect(host.last.getTime()).toBeGreaterThan(now.getTime() - 30 * 24 * HOUR);
    const from = new Date(now.getTime() - 720 * HOUR);
    const [hostCounts] = await q<{ notables: number; risk: number; results: number }>(
      `SELECT (SELECT count(*) FROM notables WHERE lower(dest) = $1)::int AS notables,
              (SELECT count(*) FROM risk_events WHERE normalized_risk_object = $1 AND time >= $2 AND time < $3)::int AS risk,
              (SELECT count(*) FROM detection_results WHERE lower(dest) = $1 AND last_time >= $2 AND first_time < $3)::int AS results`,
      [top, from, now],
    );
    expect(hostCounts.risk).toBeGreaterThan(0);
    // Each list shows its newest 25 and pages on its own URL parameter, saying how many there are in all.
    const sections = [
      { table: "Risk events", pager: "Risk events pages", noun: "risk events", total: hostCounts.risk },
      { table: "Notables", pager: "Notables pages", noun: "notables", total: hostCounts.notables },
      { table: "Detection results", pager: "Results pages", noun: "results", total: hostCounts.results },
    ];
    for (const s of sections) {
      await expect(page.getByRole("table", { name: s.table }).locator("tbody tr")).toHaveCount(Math.max(1, Math.min(25, s.total)));
      if (s.total > 0) await expect(page.getByRole("navigation", { name: s.pager })).toContainText(`1–${Math.min(25, s.total)} of ${s.total.toLocaleString()} ${s.noun}`);
    }
    // Paging through them: e2e/host-page.spec.ts (the demo data has no host with more than 25 in a list).
    await expectLabelledControls(page);
    await shot("host");

    // ── 7-day drilldown (ESCU "View risk events for the last 7 days") ─────────────────────────────────────────
    await page.getByRole("link", { name: "7-day risk drilldown" }).click();
    await expect(page).toHaveURL(/\/risk\/[^/?]+$/);
    now = new Date();
    const [latest] = await q<{ t: Date }>(`SELECT max(time) AS t FROM risk_events WHERE normalized_risk_object = $1`, [top]);
    // The window ends now, or just after the host's latest risk event when it has none in the last 7 days.
    const reference = latest.t.getTime() > now.getTime() - 168 * HOUR ? now : new Date(latest.t.getTime() + 1000);
    const [drill] = await q<{ count: number; first: string; last: string; searches: string[]; tactics: string[] }>(
      `SELECT count(*)::int AS count, to_char(min(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS first,
              to_char(max(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS last,
              array_agg(DISTINCT search_name) AS searches,
              (SELECT array_agg(DISTINCT t) FROM risk_events r2, unnest(r2.mitre_tactics) t WHERE r2.normalized_risk_object = $1 AND r2.time >= $2 AND r2.time < $3) AS tactics
       FROM risk_events WHERE normalized_risk_object = $1 AND time >= $2 AND time < $3`,
      [top, new Date(reference.getTime() - 168 * HOUR), reference],
    );
    const drillRow = page.getByTestId("drilldown-row");
    await expect(page.getByTestId("drilldown-count")).toHaveText(String(drill.count));
    const cells = await tableRows(page.getByRole("table", { name: "7-day risk drilldown" }));
    expect(cells[0].slice(0, 4)).toEqual([top, String(drill.count), drill.first, drill.last]);
    for (const s of drill.searches) await expect(drillRow).toContainText(s);
    for (const t of drill.tactics ?? []) await expect(drillRow).toContainText(t);
    await expectLabelledControls(page);
    await shot("drilldown");

    // ── Detection results of these 7 days for the host (ESCU "View the detection results") ────────────────────
    await page.getByRole("link", { name: "Detection results in these 7 days" }).click();
    await expect(page).toHaveURL(/\/results\?dest=/);
    const url = new URL(page.url());
    const [results] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM detection_results WHERE lower(dest) = lower($1) AND last_time >= $2 AND first_time < $3`,
      [url.searchParams.get("dest"), new Date(url.searchParams.get("earliest")!), new Date(url.searchParams.get("latest")!)],
    );
    expect(results.n).toBeGreaterThan(0);
    await expect(page.getByTestId("result-row")).toHaveCount(Math.min(100, results.n));
    await expect(page.getByRole("navigation", { name: "Result pages" })).toContainText(`Page 1 of ${Math.max(1, Math.ceil(results.n / 100))}`);
    await expect(page.getByRole("combobox", { name: "Detection" })).toHaveValue("");
    await expect(page.getByRole("textbox", { name: "dest" })).toHaveValue(url.searchParams.get("dest")!);
    await expectLabelledControls(page);
    await shot("results");

    // One result: its contributing events, one click away.
    const first = page.getByTestId("result-row").first().getByRole("link", { name: /^\d+ events?$/ });
    const shownCount = num(await first.innerText());
    await first.click();
    await expect(page).toHaveURL(/\/results\/\d+$/);
    const resultId = new URL(page.url()).pathname.split("/").pop();
    const [result] = await q<{ count: number; linked: number }>(
      `SELECT count, (SELECT count(*) FROM detection_result_events WHERE result_id = r.id)::int AS linked FROM detection_results r WHERE id = $1`,
      [resultId],
    );
    expect(result.count).toBe(shownCount);
    await expect(page.getByRole("heading", { name: `Contributing events (${result.linked})` })).toBeVisible();
    await expect(page.getByRole("table", { name: "Contributing events" }).locator("tbody tr")).toHaveCount(result.linked);

    // ── The other views: risk, detections, uploads — labelled, and photographed ───────────────────────────────
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Risk", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Risk" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Risk by host" }).locator("tbody tr").first()).toContainText(week[0].host);
    await expect(page.getByRole("table", { name: "Risk by host" }).locator("tbody tr").first()).toContainText(String(week[0].score));
    await expectLabelledControls(page);
    await shot("risk");

    await nav.getByRole("link", { name: "Detections", exact: true }).click();
    const catalog = page.getByRole("table", { name: "Detections catalog" });
    for (const d of await q<{ id: string; n: number }>(`SELECT detection_id AS id, count(*)::int AS n FROM detection_results GROUP BY 1`)) {
      await expect(catalog.locator(`a[href="/results?detection=${d.id}"]`)).toHaveText(String(d.n));
    }
    await expectLabelledControls(page);
    await shot("detections");

    await nav.getByRole("link", { name: "Uploads", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectLabelledControls(page);
    await shot("uploads");
  } finally {
    await client.end();
  }
}
