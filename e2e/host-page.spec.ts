// The host page's lists page independently, each on its own URL parameter, with how many there are in all.
import { expect, test } from "@playwright/test";
import { signIn } from "./auth";
import { event2282, eventsFile, hoursAgo } from "./events";

const HOST = "pager-e2e-web01";
const FAILURES = 30;

test.beforeEach(async ({ page }) => signIn(page));

test("results and risk events of a busy host page 25 at a time, each list on its own; the range picker", async ({ page }) => {
  // 30 different DLLs failing to load: 30 results and 30 risk events for the host.
  const events = Array.from({ length: FAILURES }, (_, i) => event2282(HOST, hoursAgo(4, i), 9000 + i, `c:\\pager\\mod-${String(i).padStart(2, "0")}.dll`));
  await page.goto("/uploads");
  await page.getByTestId("file-input").setInputFiles({ name: "pager-2282.xml", mimeType: "application/xml", buffer: Buffer.from(eventsFile(events)) });
  await expect(page.getByTestId("upload-report")).toContainText(`${FAILURES} stored`);

  const results = page.getByRole("navigation", { name: "Results pages" });
  const risk = page.getByRole("navigation", { name: "Risk events pages" });
  await expect(async () => {
    await page.goto(`/hosts/${HOST}`);
    await expect(risk).toContainText(`1–25 of ${FAILURES} risk events`, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(results).toContainText(`1–25 of ${FAILURES} results`);
  await expect(page.getByTestId("result-row")).toHaveCount(25);
  await expect(page.getByRole("table", { name: "Risk events" }).locator("tbody tr")).toHaveCount(25);

  await risk.getByRole("link", { name: "Older ›" }).click();
  await expect(page).toHaveURL(/[?&]riskPage=2/);
  await expect(risk).toContainText(`26–30 of ${FAILURES} risk events`);
  await expect(page.getByRole("table", { name: "Risk events" }).locator("tbody tr")).toHaveCount(FAILURES - 25);
  // The other lists stay where they were.
  await expect(results).toContainText(`1–25 of ${FAILURES} results`);
  await expect(page.getByTestId("result-row")).toHaveCount(25);

  await results.getByRole("link", { name: "Older ›" }).click();
  await expect(page).toHaveURL(/resultsPage=2/);
  await expect(page).toHaveURL(/riskPage=2/);
  await expect(page.getByTestId("result-row")).toHaveCount(FAILURES - 25);
  await risk.getByRole("link", { name: "‹ Newer" }).click();
  await expect(risk).toContainText(`1–25 of ${FAILURES} risk events`);
  await expect(results).toContainText(`26–30 of ${FAILURES} results`);

  // The range picker: presets fill the custom range, and a custom range goes into the URL.
  const picker = page.getByRole("group", { name: "Time range" });
  const span = async () => {
    const [from, to] = await Promise.all([picker.getByLabel("From (UTC)").inputValue(), picker.getByLabel("To (UTC)").inputValue()]);
    return (Date.parse(`${to}Z`) - Date.parse(`${from}Z`)) / 3_600_000;
  };
  await picker.getByRole("button", { name: "24 h" }).click();
  await expect(page).toHaveURL(/range=24h/);
  await expect.poll(span).toBe(24);
  await picker.getByRole("button", { name: "7 days" }).click();
  await expect(page).toHaveURL(/range=7d/);
  await expect.poll(span).toBe(168);

  await picker.getByLabel("From (UTC)").fill("2026-01-01T00:00");
  await picker.getByLabel("To (UTC)").fill("2026-01-02T12:00");
  await picker.getByRole("button", { name: "Custom range" }).click();
  await expect(page).toHaveURL(/range=custom/);
  expect(new URL(page.url()).searchParams.get("from")).toBe("2026-01-01T00:00:00.000Z");
  expect(new URL(page.url()).searchParams.get("to")).toBe("2026-01-02T12:00:00.000Z");
  await expect(page.getByRole("heading", { name: /Timeline/ })).toBeVisible();
});
