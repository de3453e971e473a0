// "Load demo data" (the dashboard's button and `iiswatch demo`) goes through the pipeline like any upload: its
// upload is recorded and reported, its spool file removed, the detections evaluate it; it is refused on a
// dashboard that has data, and deleting its upload removes it all.
import fs from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../lib/db/client";
import { DashboardHasDataError, loadDemoData } from "../lib/demo/load";
import { spoolDir } from "../lib/ingest/spool";
import { deleteUpload } from "../lib/pipeline/delete-upload";
import { resetDatabase } from "./db-setup";
import { drainUploads } from "./pipeline";

beforeEach(resetDatabase);

describe("loading the demo fleet", () => {
  it("is an upload like any other, evaluated by the detections, refused on a dashboard with data, and removable", async () => {
    const options = { hosts: 6, days: 3, end: new Date() };
    const first = await loadDemoData(options);
    await drainUploads();
    expect(first.fleet.hosts).toHaveLength(6);
    const upload = await db().upload.findUniqueOrThrow({ where: { id: first.uploadId } });
    expect(upload).toMatchObject({ filename: "demo-fleet.xml", status: "done" });
    expect(upload.stored).toBe(await db().event.count());
    expect(upload.stored).toBeGreaterThan(0);
    expect(fs.existsSync(`${spoolDir()}/${first.uploadId}`)).toBe(false);
    // The detections ran over it: every planted module install and failing DLL gave a result.
    const planted = first.fleet.compromised.length + first.fleet.failing.length;
    expect(planted).toBeGreaterThan(0);
    expect(await db().detectionResult.count()).toBeGreaterThanOrEqual(planted);
    expect(await db().notable.count()).toBeGreaterThan(0);

    // Not again on a dashboard that has data.
    await expect(loadDemoData(options)).rejects.toThrow(DashboardHasDataError);
    expect(await db().upload.count()).toBe(1);

    // Deleting the demo upload removes what it brought: events, hosts, results, risk events, notables.
    const deleted = await deleteUpload(first.uploadId);
    expect(deleted).toMatchObject({ filename: "demo-fleet.xml", events: upload.stored, eventsKept: 0 });
    expect(deleted!.notables).toBeGreaterThan(0);
    for (const count of [db().event.count(), db().host.count(), db().detectionResult.count(), db().riskEvent.count(), db().notable.count(), db().upload.count()]) {
      expect(await count).toBe(0);
    }
    // And the empty dashboard takes the demo again.
    await loadDemoData(options);
    await drainUploads();
    expect(await db().event.count()).toBe(upload.stored);
  });
});
