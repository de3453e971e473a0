// The database drops every connection (pg_terminate_backend on each backend of the app's database but the test's
// own) while an upload is being ingested: the ingest is tried again and the upload ends done with every event
// stored once; the web server and the workers carry on.
import { afterEach, describe, expect, it } from "vitest";
import { checkStack, cleanUp, faultFixtures, HARNESS_APPLICATION_NAME, referenceRun, request, Stack, uploadFile, watch } from "./stack";

const fixtures = faultFixtures();
if (!fixtures) console.log("fault tests skipped: they need a PostgreSQL server (DATABASE_URL)");

describe.skipIf(!fixtures)("the database drops its connections", () => {
  afterEach(async (context) => {
    await cleanUp({ printLogs: context.task.result?.state === "fail" });
  });

  it("pg_terminate_backend on every connection of the app's database mid-ingest: the upload ends done (attempts > 1) with every event stored", async () => {
    const set = fixtures!.sets.whole;
    const reference = await referenceRun(set);
    const stack = await Stack.create("terminate_backends");
    await stack.start();
    const workers = stack.workers().map((w) => w.pid);
    const web = stack.webServers().map((w) => w.pid);

    const id = await uploadFile(stack, set.files[0].path);
    const seen = await watch<{ status: string; records_read: number }>(
      stack,
      `SELECT status::text AS status, records_read FROM uploads WHERE id = $1`,
      [id],
      (r) => (r.status === "processing" && r.records_read >= 20_000) || !["receiving", "queued", "processing"].includes(r.status),
      { what: `upload ${id} mid-ingest`, intervalMs: 20 },
    );
    expect(seen.status, "the upload was caught mid-ingest").toBe("processing");
    const terminated = await stack.query<{ pid: number; application_name: string; terminated: boolean }>(
      `SELECT pid, application_name, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM $1`,
      [HARNESS_APPLICATION_NAME],
    );
    stack.step("upload, until mid-ingest");
    console.log(`terminated ${terminated.filter((t) => t.terminated).length} connection(s): ${terminated.map((t) => t.application_name || "(unnamed)").join(", ")}`);
    // The web server's, the workers' (job connection, pool, lease renewals, pg-boss): several of them.
    expect(terminated.filter((t) => t.terminated).length, "connections terminated").toBeGreaterThanOrEqual(3);

    await stack.waitUntilSettled();
    const [upload] = await checkStack(stack, { done: set.files, reference });
    expect(upload.attempts, "attempts: the one cut off and the one that finished").toBeGreaterThan(1);

    // Nothing had to be restarted: the same web server and workers answer, and report the upload.
    expect(stack.webServers().map((w) => w.pid), "the web server's processes (not restarted)").toEqual(web);
    expect(stack.workers().map((w) => w.pid), "the workers (not restarted)").toEqual(workers);
    const { status, body } = await request(stack, "GET", `/api/uploads/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id, status: "done", recordsRead: 100_000, stored: 100_000, duplicates: 0, rejected: 0 });
    expect((await stack.stop()).code).toBe(0);
  });
});
