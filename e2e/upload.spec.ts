import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { SAMPLE_2282_XML, SAMPLE_29_EXCERPT, SAMPLE_EVTX } from "../tests/samples";
import { signIn } from "./auth";

const SAMPLE_2282 = SAMPLE_2282_XML;

// Every page needs a signed-in user (the first run creates the admin through the setup page).
test.beforeEach(async ({ page }) => signIn(page));

test("an analyst uploads the real 2282 sample and finds its event", async ({ page }) => {
  await page.goto("/uploads");
  await page.getByTestId("file-input").setInputFiles({
    name: "DERIVED_2282_example_log.xml",
    mimeType: "application/xml",
    buffer: fs.readFileSync(SAMPLE_2282),
  });
  const report = page.getByTestId("upload-report");
  await expect(report).toContainText("done");
  await expect(report).toContainText("1 records read, 1 stored, 0 duplicate, 0 rejected");

  await page.getByRole("link", { name: "Events", exact: true }).click();
  // The uploads page has a host field of its own: fill the events page's once it is there.
  await expect(page).toHaveURL(/\/events$/);
  // Other data may be newer: find the host's events with the filter, as an analyst would.
  const filters = page.getByRole("search", { name: "Filter events" });
  await filters.getByLabel("Host").fill("win-dc-exch01.attackrange.local");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/host=win-dc-exch01/);
  const row = page.getByRole("row").filter({ hasText: "win-dc-exch01.attackrange.local" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("2282");
  await expect(row).toContainText("Application");
  await expect(row).toContainText("2022-12-20 15:58:25.325");
  await expect(row).toContainText("The Module DLL 'c:\\temp\\msf.dll' could not be loaded");
  // The event's own page: every field, the EventRecordID apart from the position in the file, the original text.
  await row.getByRole("link", { name: /EventRecordID/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Event 2282 on win-dc-exch01.attackrange.local");
  await expect(page.getByRole("table", { name: "Event data" }).getByRole("row").filter({ hasText: "ModuleDll" })).toContainText("c:\\temp\\msf.dll");
  await expect(page.locator("pre.raw").last()).toContainText("<Data Name='ModuleDll'>c:\\temp\\msf.dll</Data>");
});

test("a file that is not event XML gets a clear error and stores nothing", async ({ page }) => {
  await page.goto("/");
  const before = await page.getByTestId("count-events").innerText();
  await page.goto("/uploads");
  await page.getByTestId("file-input").setInputFiles({
    name: "holiday-photo-notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("Dear diary, today we went to the beach.\n".repeat(50)),
  });
  await expect(page.getByRole("alert").filter({ hasText: "not a Windows event log" })).toBeVisible();
  await page.goto("/");
  await expect(page.getByTestId("count-events")).toHaveText(before);
});

const SAMPLE_29 = SAMPLE_29_EXCERPT;

test("two files dropped at once each get their own report", async ({ page }) => {
  await page.goto("/uploads");
  await page.getByTestId("file-input").setInputFiles([
    { name: "appcmd-discovery.evtx", mimeType: "application/octet-stream", buffer: fs.readFileSync(SAMPLE_EVTX) },
    { name: "event29.xml", mimeType: "application/xml", buffer: fs.readFileSync(SAMPLE_29) },
  ]);
  const evtx = page.getByTestId("upload-item").filter({ hasText: "appcmd-discovery.evtx" });
  const xml = page.getByTestId("upload-item").filter({ hasText: "event29.xml" });
  // The EVTX holds 40 records (python-evtx and evtxexport agree); the real Event 29 is one.
  await expect(evtx.getByTestId("upload-report")).toContainText("done");
  await expect(evtx.getByTestId("upload-report")).toContainText("40 records read, 40 stored, 0 duplicate, 0 rejected");
  await expect(xml.getByTestId("upload-report")).toContainText("done");
  await expect(xml.getByTestId("upload-report")).toContainText("1 records read, 1 stored, 0 duplicate, 0 rejected");

  // The history keeps both, with the format each was detected as.
  await page.reload();
  const history = page.getByRole("table", { name: "Upload history" });
  await expect(history.getByRole("row").filter({ hasText: "appcmd-discovery.evtx" })).toContainText("evtx");
  await expect(history.getByRole("row").filter({ hasText: "event29.xml" })).toContainText("xml");

  // The Event 29 reaches the New Module Added detection with Splunk's field values (the detections run just after
  // the upload lands).
  const result = page.getByTestId("result-row").first();
  await expect(async () => {
    await page.goto("/results?dest=DESKTOP-RM9DD5S");
    await expect(result).toContainText("Info", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(result).toContainText(`Changes to '/system.web/customErrors/error[@statusCode="404"]' at 'MACHINE/WEBROOT/APPHOST/Default Web Site' have successfully been committed.`);
});

test("an admin deletes an upload from its page: its events go, the audit log says so", async ({ page }) => {
  // Events of a host no other test uses, so that deleting them is seen on the hosts list.
  const host = "DELETE-ME-01.corp.example";
  const time = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const xml = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-IIS-W3SVC-WP'/><EventID Qualifiers='49152'>2282</EventID><Level>2</Level><TimeCreated SystemTime='${time}'/><EventRecordID>424242</EventRecordID><Channel>Application</Channel><Computer>${host}</Computer></System><EventData><Data Name='ModuleDll'>C:\\ProgramData\\gone.dll</Data><Data Name='ProcessorArchitecture'>AMD64</Data></EventData></Event>\n`;
  await page.goto("/uploads");
  await page.getByTestId("file-input").setInputFiles({ name: "to-delete.xml", mimeType: "application/xml", buffer: Buffer.from(xml) });
  const report = page.getByTestId("upload-report");
  await expect(report).toContainText("done");
  await report.getByRole("link", { name: "report" }).click();
  await expect(page.getByRole("heading", { name: "Upload: to-delete.xml" })).toBeVisible();

  // The confirmation is required, then the upload and what only it brought are gone.
  const form = page.getByRole("form", { name: "Delete this upload" });
  await form.getByRole("checkbox").check();
  await form.getByRole("button", { name: "Delete upload" }).click();
  await expect(page.getByRole("status")).toContainText("Deleted to-delete.xml and the 1 events only it held");
  await expect(page.getByRole("table", { name: "Upload history" })).not.toContainText("to-delete.xml");
  await page.goto(`/hosts?q=${encodeURIComponent("DELETE-ME")}`);
  await expect(page.getByRole("main")).not.toContainText(host);
  await page.goto("/audit");
  await expect(page.getByRole("row").filter({ hasText: "upload.delete" }).first()).toContainText("e2e-admin");
});
