// The host page's lists page independently, each on its own URL parameter, with how many there are in all.
import { expect, test } from "@playwright/test";
import { signIn } from "./auth";
import { event2282, eventsFile, hoursAgo } from "./events";

const HOST = "pager-e2e-web01";
const FAILURES = 30;

test.beforeEach(async ({ page }) => signIn(page));

test("results and risk events of a busy host page 25 at a time, each list on its own", async ({ page }) => {
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
});
