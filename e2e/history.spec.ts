// Data from months ago, as an analyst on a fleet with recent data too: the shared "as of" control moves every risk
// view (hosts, risk) to that time and back to now; the October crossing of ES's 24-hour risk rule is a notable of
// its own on the Risk page and the host's page. Every figure is checked against SQL written here.
import { expect, test } from "@playwright/test";
import { signIn } from "./auth";
import { sql } from "./db";
import { event29, eventsFile } from "./events";

const HOST = "history-e2e-web01";
const HOUR = 3_600_000;

test("an October upload: its risk as of then on hosts and risk, back to now in one click, and its risk incident stored", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  await page.goto("/uploads");
  const october = ["AlphaMod", "BetaMod", "GammaMod"].map((m, i) => event29(HOST, `2026-10-02T10:${String(5 + i * 10).padStart(2, "0")}:05.000Z`, 9100 + i, m));
  await page.getByTestId("file-input").setInputFiles({ name: "october.xml", mimeType: "application/xml", buffer: Buffer.from(eventsFile(october)) });
  await expect(page.getByTestId("upload-report")).toContainText("3 stored");

  // The host's risk, as the database has it: raised by the replay in October once the upload's detections ran,
  // and the risk incident rules after them.
  const riskDone = async () =>
    (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM notables WHERE incident_rule IS NOT NULL AND lower(dest) = $1`, [HOST]))[0].n;
  await expect.poll(riskDone, { message: "the upload's detections and risk incident rules", timeout: 60_000 }).toBe(1);
  const [{ last }] = await sql<{ last: Date }>(`SELECT max(time) AS last FROM risk_events WHERE normalized_risk_object = $1`, [HOST]);
  // "As of" a minute after it (the control takes minutes).
  const at = new Date(Math.ceil((last.getTime() + 1) / 60_000) * 60_000);
  const riskIn = async (hours: number) =>
    (await sql<{ n: number }>(`SELECT coalesce(sum(risk_score), 0)::int AS n FROM risk_events WHERE normalized_risk_object = $1 AND time >= $2 AND time < $3`, [HOST, new Date(at.getTime() - hours * HOUR), at]))[0].n;
  const [day, week] = [await riskIn(24), await riskIn(168)];
  // Three modules added, 48 each, and each +10 for its provenance (lib/detections/risk-factors.ts).
  expect(day).toBe(174);

  // Hosts, as of now: October's risk is outside the windows.
  await page.goto(`/hosts?q=${HOST}`);
  const row = page.getByRole("table", { name: "Hosts" }).getByRole("row").filter({ hasText: HOST });
  await expect(row.getByRole("cell").nth(2)).toHaveText("0");
  // As of October: the windows end there, on this page and the others.
  const asOf = page.getByRole("form", { name: "As of" });
  await asOf.getByLabel("As of (UTC)").fill(at.toISOString().slice(0, 16));
  await asOf.getByRole("button", { name: "Set" }).click();
  await expect(page.getByTestId("as-of")).toContainText(at.toISOString().slice(0, 16).replace("T", " "));
  await expect(row.getByRole("cell").nth(2)).toHaveText(String(day));
  await expect(row.getByRole("cell").nth(3)).toHaveText(String(week));

  await page.goto("/risk");
  await expect(page.getByTestId("as-of")).toContainText(at.toISOString().slice(0, 16).replace("T", " "));
  const byHost = page.getByRole("table", { name: "Risk by host" }).getByRole("row").filter({ hasText: HOST });
  await expect(byHost.getByRole("cell").nth(1)).toHaveText(String(week));
  // The crossing of "Risk Threshold Exceeded For Object Over 24 Hour Period", stored as a notable of its own.
  const [incident] = await sql<{ id: string; score: number; n: number }>(
    `SELECT n.id::text, n.incident_score AS score, (SELECT count(*)::int FROM notable_risk_events r WHERE r.notable_id = n.id) AS n
     FROM notables n WHERE n.incident_rule = 'scoreOver24h' AND lower(n.dest) = $1`,
    [HOST],
  );
  expect(incident).toMatchObject({ score: 174, n: 3 });
  const incidents = page.getByRole("table", { name: "Risk incidents" }).getByRole("row").filter({ hasText: HOST });
  await expect(incidents).toHaveCount(1);
  await expect(incidents.getByRole("cell").nth(3)).toHaveText("174");
  await incidents.getByRole("link", { name: "Risk Threshold Exceeded For Object Over 24 Hour Period" }).click();
  await expect(page.getByRole("table", { name: "Contributing risk events" }).locator("tbody tr")).toHaveCount(3);

  // The host's page lists it with its notables; back to now in one click.
  await page.goto(`/hosts/${HOST}`);
  await expect(page.getByRole("table", { name: "Notables" })).toContainText("Risk Threshold Exceeded For Object Over 24 Hour Period");
  await page.goto(`/hosts?q=${HOST}`);
  await page.getByRole("form", { name: "As of" }).getByRole("button", { name: "Back to now" }).click();
  await expect(row.getByRole("cell").nth(2)).toHaveText("0");
});
