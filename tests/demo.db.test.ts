// "Load demo data" (the dashboard's button and `iiswatch demo`) goes through the upload queue like any upload:
// its upload is recorded and reported, its spool file removed, the after-upload step (the detections) runs over it,
// and loading it again stores nothing twice.
import fs from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../lib/db/client";
import { loadDemoData } from "../lib/demo/load";
import { runForNewEvents } from "../lib/detections";
import { setAfterUpload, spoolDir } from "../lib/ingest/uploads";
import { resetDatabase } from "./db-setup";

beforeEach(resetDatabase);

describe("loading the demo fleet", () => {
  it("is an upload like any other, followed by the detections, and idempotent", async () => {
    setAfterUpload((uploadId) => runForNewEvents(uploadId));
    const options = { hosts: 6, days: 3, end: new Date() };
    const first = await loadDemoData(options);
    expect(first.fleet.hosts).toHaveLength(6);
    expect(first.upload.stored).toBe(await db().event.count());
    expect(first.upload.stored).toBeGreaterThan(0);
    expect(await db().upload.findUniqueOrThrow({ where: { id: first.uploadId } })).toMatchObject({ filename: "demo-fleet.xml", status: "done", stored: first.upload.stored });
    expect(fs.existsSync(`${spoolDir()}/${first.uploadId}`)).toBe(false);
    // The detections ran over it: every planted module install and failing DLL gave a result.
    const planted = first.fleet.compromised.length + first.fleet.failing.length;
    expect(planted).toBeGreaterThan(0);
    expect(await db().detectionResult.count()).toBeGreaterThanOrEqual(planted);

    // The same fleet again: every event is a duplicate.
    const again = await loadDemoData(options);
    expect(again.upload).toEqual({ stored: 0, duplicates: first.upload.stored });
    expect(await db().event.count()).toBe(first.upload.stored);
  });
});
