// Triage end to end, through the UI only: a triager marks a detection result as a false positive, the host's risk
// drops in the rollups and in the 7-day drilldown, an analyst cannot do the same, and the audit log shows it.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { signIn } from "./auth";
import { event2282, event29, eventsFile, hoursAgo } from "./events";

const TRIAGER = { username: "e2e-triager", password: "e2e triager passphrase 1" };
const ANALYST = { username: "e2e-analyst", password: "e2e analyst passphrase 1" };
const HOST = "triage-e2e-web01";
const NEW_MODULE_ADDED = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const MSF = "c:\\temp\\msf.dll";
const VENDOR = "C:\\Program Files\\Vendor\\agent.dll";
// Each failure's risk: 25, plus its module provenance factors (lib/detections/risk-factors.ts): new on the host (+10),
// on 1 host of the fleet's IIS hosts (+10: the views project loaded the demo fleet first) and outside the IIS folders
// (+15); msf.dll in C:\temp, a user-writable folder (+25).
const VENDOR_RISK = 60;
const MSF_RISK = 85;

/** Two Event 2282s ("module failed to load") on one host, a few hours ago: two results of 25 risk each. */
const events2282 = () => eventsFile([event2282(HOST, hoursAgo(3, 10), 7001, MSF), event2282(HOST, hoursAgo(3, 12), 7002, VENDOR)]);

async function as(browser: Browser, who?: { username: string; password: string }): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, who);
  return page;
}

async function createUser(admin: Page, who: { username: string; password: string }, role: string) {
  await admin.goto("/admin/users");
  if ((await admin.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: who.username }).count()) > 0) return;
  const form = admin.getByRole("form", { name: "Create a user" });
  await form.getByLabel("Username").fill(who.username);
  await form.getByLabel("Password").fill(who.password);
  await form.getByLabel("Role").selectOption(role);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: who.username })).toHaveCount(1);
}

const resultRow = (page: Page, dll: string) => page.getByTestId("result-row").filter({ hasText: dll });

/** The host's risk as the hosts table (24 h), the risk rollup and the 7-day drilldown show it. */
async function expectRisk(page: Page, risk: number, drilldownCount: number) {
  await page.goto(`/hosts?q=${HOST}`);
  const hostRow = page.getByRole("table", { name: "Hosts" }).getByRole("row").filter({ hasText: HOST });
  await expect(hostRow.getByRole("cell").nth(2)).toHaveText(String(risk));
  await expect(hostRow.getByRole("cell").nth(3)).toHaveText(String(risk));

  await page.goto("/risk?range=all");
  const rollup = page.getByRole("table", { name: "Risk by host" }).getByRole("row").filter({ hasText: HOST });
  await expect(rollup.getByRole("cell").nth(1)).toHaveText(String(risk));

  await page.goto(`/risk/${HOST}`);
  await expect(page.getByTestId("drilldown-count")).toHaveText(String(drilldownCount));
}

test("a triager marks a result as a false positive; risk drops everywhere; an analyst cannot; the audit log shows it", async ({ browser }) => {
  test.setTimeout(180_000);
  const admin = await as(browser);
  await createUser(admin, TRIAGER, "triager");
  await createUser(admin, ANALYST, "analyst");

  // Data: two failing modules on one host, through the upload page (the detections run once it lands).
  await admin.goto("/uploads");
  await admin.getByTestId("file-input").setInputFiles({ name: "triage-2282.xml", mimeType: "application/xml", buffer: Buffer.from(events2282()) });
  await expect(admin.getByTestId("upload-report")).toContainText("2 stored");
  await expect(async () => {
    await admin.goto(`/hosts/${HOST}`);
    await expect(admin.getByTestId("result-row")).toHaveCount(2, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expectRisk(admin, VENDOR_RISK + MSF_RISK, 2);

  // The analyst sees the results but no way to suppress them, and the form is refused.
  const analyst = await as(browser, ANALYST);
  await analyst.goto(`/hosts/${HOST}`);
  await expect(resultRow(analyst, MSF)).toHaveCount(1);
  await expect(analyst.getByRole("link", { name: "Mark as false positive" })).toHaveCount(0);
  const resultHref = await resultRow(analyst, MSF).getByRole("link", { name: /1 event/ }).getAttribute("href");
  const resultId = resultHref!.split("/").pop()!;
  const refused = await analyst.goto(`/suppressions/new?result=${resultId}`);
  expect([403, 404]).toContain(refused!.status());
  await expect(analyst.getByRole("form", { name: "New suppression" })).toHaveCount(0);

  // The triager marks msf.dll's failure as a false positive, from the host page.
  const triager = await as(browser, TRIAGER);
  await triager.goto(`/hosts/${HOST}`);
  await resultRow(triager, MSF).getByRole("link", { name: "Mark as false positive" }).click();
  await expect(triager).toHaveURL(new RegExp(`/suppressions/new\\?result=${resultId}$`));
  const form = triager.getByRole("form", { name: "New suppression" });
  // Pre-filled with the row's group fields only.
  for (const field of ["EventCode", "dest", "Name", "ModuleDll"]) await expect(form.getByLabel(`Match ${field}`)).toBeChecked();
  await expect(form.getByLabel("Match count")).toHaveCount(0);
  await expect(form.getByLabel("ModuleDll value")).toHaveValue(MSF);
  await expect(form.getByLabel("dest value")).toHaveValue(HOST);
  await expect(triager.getByTestId("preview-summary")).toContainText("Would hide 1 of");
  await expect(triager.getByTestId("preview-risk")).toHaveText(String(MSF_RISK));
  // Dropping dest (fleet-wide) re-runs the preview; put it back.
  await form.getByLabel("Match dest").uncheck();
  await expect(form.getByLabel("Suppression as SPL")).not.toContainText("dest=");
  await form.getByLabel("Match dest").check();
  await expect(form.getByLabel("Suppression as SPL")).toContainText(`dest="${HOST}"`);
  await expect(triager.getByTestId("preview-risk")).toHaveText(String(MSF_RISK));
  await form.getByLabel("Reason (required)").fill("Red team exercise RT-7: msf.dll planted on purpose");
  await form.getByRole("button", { name: "Save suppression" }).click();
  await expect(triager).toHaveURL(/\/suppressions\/\d+\?saved=created$/);
  await expect(triager.getByTestId("suppression-state")).toHaveText("active");
  const suppressionId = new URL(triager.url()).pathname.split("/").pop()!;

  // Hidden from the results (viewable with the toggle), and its risk is gone from the rollups and the drilldown.
  await triager.goto(`/hosts/${HOST}`);
  await expect(triager.getByTestId("result-row")).toHaveCount(1);
  await expect(resultRow(triager, MSF)).toHaveCount(0);
  await triager.getByRole("link", { name: "Show suppressed results too" }).click();
  await expect(resultRow(triager, MSF)).toContainText("suppressed");
  await expectRisk(triager, VENDOR_RISK, 1);

  // The detection's filter macro shows it as SPL.
  await triager.goto("/suppressions");
  await expect(triager.getByTestId("filter-macro").filter({ hasText: "msf.dll" })).toContainText(`search NOT (EventCode="2282" dest="${HOST}"`);

  // The analyst sees the drop too (it is the data, not a view setting), and still cannot disable the suppression.
  await expectRisk(analyst, VENDOR_RISK, 1);
  await analyst.goto(`/suppressions/${suppressionId}`);
  await expect(analyst.getByTestId("suppression-state")).toHaveText("active");
  await expect(analyst.getByRole("button", { name: "Disable" })).toHaveCount(0);

  // The audit log: who, what, before/after.
  await admin.goto(`/audit?action=suppression.create&targetId=${suppressionId}`);
  const entry = admin.getByRole("row").filter({ hasText: "suppression.create" });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText(TRIAGER.username);
  await expect(entry).toContainText("Red team exercise RT-7");

  // Disabling brings everything back at once.
  await triager.goto(`/suppressions/${suppressionId}`);
  await triager.getByRole("button", { name: "Disable" }).click();
  await expect(triager.getByRole("status").filter({ hasText: "Disabled" })).toBeVisible();
  await expectRisk(triager, VENDOR_RISK + MSF_RISK, 2);
});

/** Event 29s (IIS configuration changes) adding modules on one host: one New Module Added notable each. */
const events29 = (host: string, modules: string[]) => eventsFile(modules.map((m, i) => event29(host, hoursAgo(3, 20 + i), 8000 + i, m)));

test("the notables workflow: status, owner, comments, bulk actions on a selection, urgency from asset priority", async ({ browser }) => {
  test.setTimeout(180_000);
  const host = "triage-e2e-web02";
  const admin = await as(browser);
  await createUser(admin, TRIAGER, "triager");
  await createUser(admin, ANALYST, "analyst");
  await admin.goto("/uploads");
  await admin.getByTestId("file-input").setInputFiles({ name: "triage-29.xml", mimeType: "application/xml", buffer: Buffer.from(events29(host, ["AlphaModule", "BetaModule", "GammaModule"])) });
  await expect(admin.getByTestId("upload-report")).toContainText("3 stored");

  const triager = await as(browser, TRIAGER);
  const queue = triager.getByRole("table", { name: "Notables" });
  await expect(async () => {
    await triager.goto(`/notables?dest=${host}`);
    // The three New Module Added notables, and the risk incident their 144 risk in an hour crosses (ES: > 100 in 24 h).
    await expect(queue.getByTestId("notable-status")).toHaveCount(4, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(queue.getByText("medium").first()).toBeVisible();

  await expect(queue.getByRole("link", { name: "Risk Threshold Exceeded For Object Over 24 Hour Period" })).toHaveCount(1);
  // The detection's notables from here on.
  const nma = `&detection=${NEW_MODULE_ADDED}`;

  // One notable: take it, comment on it.
  await queue.getByRole("link", { name: "Windows IIS Components New Module Added" }).first().click();
  await expect(triager).toHaveURL(/\/notables\/\d+$/);
  const notableUrl = triager.url();
  const update = triager.getByRole("form", { name: "Update notable" });
  await update.getByLabel("Status").selectOption("in_progress");
  await update.getByLabel("Owner").selectOption({ label: TRIAGER.username });
  await update.getByRole("button", { name: "Save" }).click();
  await expect(update.getByRole("status")).toHaveText("1 of 1 notable changed.");
  await expect(triager.getByTestId("notable-status")).toHaveText("In Progress");
  await triager.getByRole("form", { name: "Add a comment" }).getByLabel("Comment").fill("Checking the change ticket.");
  await triager.getByRole("button", { name: "Add comment" }).click();
  await expect(triager.getByTestId("notable-comment")).toContainText("Checking the change ticket.");
  await expect(triager.getByRole("table", { name: "Notable history" })).toContainText("status: New, owner: — → status: In Progress, owner: e2e-triager");

  // Bulk: the two others, ticked in the queue, closed as benign with one comment each.
  await triager.goto(`/notables?dest=${host}&status=new${nma}`);
  const boxes = queue.getByRole("checkbox", { name: /^Select notable/ });
  await expect(boxes).toHaveCount(2);
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  const bulk = triager.getByRole("form", { name: "Bulk action" });
  await bulk.getByLabel("Status").selectOption("closed");
  await bulk.getByLabel("Disposition").selectOption("benign_positive");
  await bulk.getByLabel("Comment (optional)").fill("Approved rollout of the vendor modules.");
  await bulk.getByRole("button", { name: "Apply to 2 notables" }).click();
  await expect(bulk.getByRole("status")).toHaveText("2 of 2 notables changed, 2 comments added.");
  await triager.goto(`/notables?dest=${host}${nma}`);
  await expect(queue.getByTestId("notable-status")).toHaveText(["In Progress"]);
  await triager.goto(`/notables?dest=${host}&status=closed${nma}`);
  await expect(queue.getByTestId("notable-status")).toHaveText(["Closed", "Closed"]);

  // An analyst may comment but not work the queue.
  const analyst = await as(browser, ANALYST);
  await analyst.goto(notableUrl);
  await expect(analyst.getByRole("form", { name: "Update notable" })).toHaveCount(0);
  await analyst.getByRole("form", { name: "Add a comment" }).getByLabel("Comment").fill("Seen from the SOC too.");
  await analyst.getByRole("button", { name: "Add comment" }).click();
  await expect(analyst.getByTestId("notable-comment")).toHaveCount(2);
  await analyst.goto(`/notables?dest=${host}`);
  await expect(analyst.getByRole("form", { name: "Bulk action" })).toHaveCount(0);
  await expect(analyst.getByRole("checkbox")).toHaveCount(0);

  // An admin raises the host's priority: the open notables' urgency follows (medium severity x critical = high; the
  // risk incident's high x critical = critical).
  await admin.goto(`/hosts/${host}`);
  await admin.getByRole("combobox", { name: "Asset priority" }).selectOption("critical");
  await admin.getByRole("button", { name: "Set priority" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "urgency recomputed for 2 open notables" })).toBeVisible();
  await triager.goto(`/notables?dest=${host}${nma}`);
  await expect(queue.getByRole("row").nth(1)).toContainText("high");
  await admin.goto(`/audit?action=notable.`);
  await expect(admin.getByRole("row").filter({ hasText: "notable.update" }).filter({ hasText: TRIAGER.username })).toHaveCount(3);
});

test("triage is never lost: after Save the form shows what was saved, saving again keeps it, and a stale form's save is refused", async ({ browser }) => {
  test.setTimeout(180_000);
  const host = "triage-e2e-web03";
  const admin = await as(browser);
  await createUser(admin, TRIAGER, "triager");
  await admin.goto("/uploads");
  await admin.getByTestId("file-input").setInputFiles({ name: "triage-stale-29.xml", mimeType: "application/xml", buffer: Buffer.from(events29(host, ["StaleModule"])) });
  await expect(admin.getByTestId("upload-report")).toContainText("1 stored");

  const triager = await as(browser, TRIAGER);
  await expect(async () => {
    await triager.goto(`/notables?dest=${host}`);
    await expect(triager.getByRole("table", { name: "Notables" }).getByTestId("notable-status")).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await triager.getByRole("table", { name: "Notables" }).getByRole("link", { name: "Windows IIS Components New Module Added" }).click();
  await expect(triager).toHaveURL(/\/notables\/\d+$/);
  const notableUrl = triager.url();
  // A second triager's browser (the admin) opens the same notable now, before the change.
  await admin.goto(notableUrl);

  const update = triager.getByRole("form", { name: "Update notable" });
  await update.getByLabel("Status").selectOption("pending");
  await update.getByLabel("Owner").selectOption({ label: TRIAGER.username });
  await update.getByRole("button", { name: "Save" }).click();
  await expect(update.getByRole("status")).toHaveText("1 of 1 notable changed.");
  // The form shows what was saved, not what the page first loaded with.
  await expect(update.getByLabel("Status")).toHaveValue("pending");
  await expect(update.getByLabel("Owner").locator("option:checked")).toHaveText(TRIAGER.username);

  // A comment through the same form, saved again: status and owner stay.
  await update.getByLabel("Comment (optional)").fill("Waiting for the change ticket.");
  await update.getByRole("button", { name: "Save" }).click();
  await expect(update.getByRole("status")).toHaveText("0 of 1 notable changed, 1 comment added.");
  await expect(triager.getByTestId("notable-status")).toHaveText("Pending");
  await expect(update.getByLabel("Status")).toHaveValue("pending");
  await expect(update.getByLabel("Owner").locator("option:checked")).toHaveText(TRIAGER.username);
  await triager.reload();
  await expect(triager.getByTestId("notable-status")).toHaveText("Pending");

  // The admin's page still shows New / unassigned: its save is refused, and nothing changes.
  const stale = admin.getByRole("form", { name: "Update notable" });
  await expect(stale.getByLabel("Status")).toHaveValue("new");
  await stale.getByLabel("Status").selectOption("closed");
  await stale.getByRole("button", { name: "Save" }).click();
  await expect(stale.getByRole("alert")).toContainText("Not saved: this notable was changed since you loaded it (now Pending, owner e2e-triager)");
  await triager.reload();
  await expect(triager.getByTestId("notable-status")).toHaveText("Pending");
  // History: the one change and the comment, no revert.
  await expect(triager.getByRole("table", { name: "Notable history" }).getByRole("row").filter({ hasText: "→" })).toHaveCount(1);

  // Asset priority: after Set, the select shows the new priority; a stale page's change is refused.
  const other = await as(browser);
  await other.goto(`/hosts/${host}`);
  await admin.goto(`/hosts/${host}`);
  await admin.getByRole("combobox", { name: "Asset priority" }).selectOption("high");
  await admin.getByRole("button", { name: "Set priority" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Priority high" })).toBeVisible();
  await expect(admin.getByRole("combobox", { name: "Asset priority" })).toHaveValue("high");
  await other.getByRole("combobox", { name: "Asset priority" }).selectOption("low");
  await other.getByRole("button", { name: "Set priority" }).click();
  await expect(other.getByRole("form", { name: "Asset priority" }).getByRole("alert")).toContainText("Not saved: this host's priority was changed to high since you loaded the page.");
  await other.reload();
  await expect(other.getByRole("combobox", { name: "Asset priority" })).toHaveValue("high");
});
