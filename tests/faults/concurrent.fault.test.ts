// Two overlapping exports (records 1–60,000 and 40,001–100,000) uploaded at the same moment to a stack with two
// workers: they are ingested side by side and merged concurrently; each event is stored once, by one upload, and
// the other holds it as a duplicate.
import { afterEach, describe, expect, it } from "vitest";
import { checkStack, cleanUp, faultFixtures, referenceRun, request, Stack, uploadFile } from "./stack";

const fixtures = faultFixtures();
if (!fixtures) console.log("fault tests skipped: they need a PostgreSQL server (DATABASE_URL)");

interface UploadReport {
  id: string;
  status: string;
  recordsRead: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

describe.skipIf(!fixtures)("overlapping uploads at once", () => {
  afterEach(async (context) => {
    await cleanUp({ printLogs: context.task.result?.state === "fail" });
  });

  it("two overlapping files sent at the same moment, two workers: both done, each report adds up, records 1–100,000 stored once each", async () => {
    const set = fixtures!.sets.overlap;
    const reference = await referenceRun(set);
    const stack = await Stack.create("overlap", { workers: 2 });
    await stack.start();

    const ids = await Promise.all(set.files.map((f) => uploadFile(stack, f.path)));
    stack.step("uploads");
    await stack.waitUntilSettled();

    const reports: UploadReport[] = [];
    for (const id of ids) {
      const { status, body } = await request(stack, "GET", `/api/uploads/${id}?rejections=0`);
      expect(status).toBe(200);
      reports.push(body as UploadReport);
    }
    for (const r of reports) {
      expect(r.status, `upload ${r.id}`).toBe("done");
      expect(r.recordsRead, `upload ${r.id}: records read`).toBe(60_000);
      expect(r.stored + r.duplicates + r.rejected, `upload ${r.id}: stored + duplicate + rejected`).toBe(r.recordsRead);
    }
    expect(reports.reduce((n, r) => n + r.stored, 0), "stored, both uploads").toBe(100_000);
    expect(reports.reduce((n, r) => n + r.duplicates, 0), "duplicates, both uploads: the 20,000 records both files hold").toBe(20_000);
    console.log(`stored/duplicates: ${reports.map((r) => `${r.stored}/${r.duplicates}`).join(", ")}`);

    await checkStack(stack, { done: set.files, reference });
    expect((await stack.stop()).code).toBe(0);
  });
});
