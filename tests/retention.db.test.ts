// Retention (lib/pipeline/retention.ts): whole partitions of events older than IISWATCH_RETENTION_DAYS go; what was
// derived from them stays readable and says its raw events expired; events older than the limit are refused at
// ingest with their position and reason.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "../lib/db/client";
import { listEventPartitions } from "../lib/db/partitions";
import { contributingEvents, listResults } from "../lib/detections";
import { replayHistory } from "../lib/detections/runs";
import { getUploadReport } from "../lib/ingest/queries";
import { applyRetention, expirationCovering, listExpirations } from "../lib/pipeline/retention";
import { eventsFile, event29 } from "../e2e/events";
import { resetDatabase } from "./db-setup";
import { ingestFile } from "./pipeline";
import { store29 } from "./support/iis-events";

vi.mock("next/headers", async () => (await import("./next-request")).headersModule);

const NOW = new Date("2026-03-20T00:00:00Z");

/** A page's text as a user of `role` sees it. */
async function pageText(role: "analyst" | "admin", page: Promise<unknown>, params: Record<string, string> = {}): Promise<string> {
  const { setRequest, renderPage } = await import("./next-request");
  const { createUser } = await import("../lib/auth/users");
  const { createSession } = await import("../lib/auth/sessions");
  const { SESSION_COOKIE } = await import("../lib/auth/config");
  const { cliActor } = await import("../lib/audit/log");
  const username = `${role}1`;
  const user = (await db().user.findUnique({ where: { username } })) ?? (await createUser({ username, password: "retention passphrase 1", role }, cliActor()));
  setRequest({ [SESSION_COOKIE]: (await createSession(user.id)).token }, { host: "iiswatch.test" });
  const rendered = await renderPage((await page) as never, params, {});
  if (!("html" in rendered)) throw new Error(`the page answered ${JSON.stringify(rendered)}`);
  // The page's text: React separates adjacent text with empty comments.
  return rendered.html.replaceAll("<!-- -->", "");
}

const resultPage = (id: string) => pageText("analyst", import("../app/results/[id]/page"), { id });

describe("retention", () => {
  beforeAll(async () => {
    await resetDatabase();
    for (const m of ["2026-01", "2026-02", "2026-03"]) {
      await store29([
        { host: "web01", time: `${m}-10T12:00:00Z`, configuration: `MACHINE/WEBROOT/APPHOST/system.webServer/globalModules/add[@name='Mod${m}']`, newValue: "x" },
        { host: "web01", time: `${m}-10T12:30:00Z`, configuration: "MACHINE/WEBROOT/APPHOST/system.webServer/defaultDocument" },
      ]);
    }
    await replayHistory({ now: NOW });
  });
  afterEach(() => {
    delete process.env.IISWATCH_RETENTION_DAYS;
  });

  it("keeps everything by default", async () => {
    const outcome = await applyRetention({ now: NOW });
    expect(outcome).toMatchObject({ days: null, dropped: [] });
    expect(await db().event.count()).toBe(6);
  });

  it("drops the partitions wholly past the limit; results, risk and notables stay and say their raw events expired", async () => {
    const before = await listResults({});
    const notablesBefore = await db().notable.count();
    const riskBefore = await db().riskEvent.count();
    expect(before.total).toBe(6);
    const hostBefore = await db().host.findUniqueOrThrow({ where: { id: "web01" } });
    expect(hostBefore.eventCount).toBe(6);

    // 30 days before 2026-03-20 is 2026-02-18: January's partition ends before it, February's after.
    const outcome = await applyRetention({ now: NOW, days: 30 });
    expect(outcome.dropped.map((d) => [d.rangeStart.toISOString(), d.rangeEnd.toISOString(), d.events])).toEqual([
      ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", 2],
    ]);
    expect((await listEventPartitions()).map((p) => p.rangeStart.toISOString())).toEqual(["2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]);
    expect(await db().event.count()).toBe(4);

    // Derived data is untouched.
    expect((await listResults({})).total).toBe(6);
    expect(await db().notable.count()).toBe(notablesBefore);
    expect(await db().riskEvent.count()).toBe(riskBefore);

    // January's result has no raw events left, and says why.
    const january = (await listResults({})).rows.find((r) => r.firstTime.toISOString().startsWith("2026-01"))!;
    expect(await contributingEvents(january.id)).toEqual([]);
    expect(await expirationCovering(january.firstTime)).toMatchObject({ retentionDays: 30, events: 2 });
    const february = (await listResults({})).rows.find((r) => r.firstTime.toISOString().startsWith("2026-02"))!;
    expect((await contributingEvents(february.id)).length).toBe(1);
    expect(await expirationCovering(february.firstTime)).toBeNull();
    expect(await resultPage(String(january.id))).toMatch(/Raw events have expired.*30-day retention.*The result, its risk events and its notable stay/s);
    expect(await resultPage(String(february.id))).not.toMatch(/Raw events have expired/);

    // The host's counters follow; the change is audited.
    const host = await db().host.findUniqueOrThrow({ where: { id: "web01" } });
    expect(host).toMatchObject({ eventCount: 4, iisConfigEvents: 4, firstEvent: new Date("2026-02-10T12:00:00Z") });
    const audit = await db().auditLog.findMany({ where: { action: "events.expire" } });
    expect(audit).toHaveLength(1);
    expect(audit[0].before).toMatchObject({ events: 2, retentionDays: 30, from: "2026-01-01T00:00:00.000Z" });
    expect((await listExpirations()).length).toBe(1);
    // The admin's Storage page shows the partitions left and what expired.
    const storage = await pageText("admin", import("../app/admin/storage/page"));
    expect(storage).toMatch(/aria-label="Partitions of events".*2026-02-01.*2026-03-01/s);
    expect(storage).toMatch(/aria-label="Expired events".*2026-01-01.*30 days/s);

    // Applying it again drops nothing more.
    expect((await applyRetention({ now: NOW, days: 30 })).dropped).toEqual([]);
  });

  it("refuses events older than the limit at ingest, each with its position and reason, and stores the rest", async () => {
    process.env.IISWATCH_RETENTION_DAYS = "30";
    const recent = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "retention-")), "old-and-new.xml");
    fs.writeFileSync(file, eventsFile([event29("web09", "2020-05-01T10:00:00Z", 1, "OldModule"), event29("web09", recent, 2, "NewModule")]));
    const { outcome, upload } = await ingestFile(file);
    expect(outcome).toBe("ok");
    expect(upload).toMatchObject({ recordsRead: 2, stored: 1, rejected: 1, duplicates: 0 });
    const report = (await getUploadReport(upload.id))!;
    expect(report.rejections).toEqual([expect.objectContaining({ position: 1, reason: expect.stringMatching(/dated 2020-05-01 10:00:00 UTC, older than the 30 days/) })]);
    // No partition was made for 2020.
    expect((await listEventPartitions()).some((p) => p.rangeStart.getUTCFullYear() === 2020)).toBe(false);
  });
});
