// Workers that die: kill -9 of a worker process mid-ingest and mid-detection, and a stop of the whole stack
// (SIGTERM to start.ts) mid-detection followed by a start on the same database and data directory. The stack runs
// as `npm start` runs it (tests/faults/stack.ts); the file is 100,000 events (fixtures: the "whole" set).
import { afterEach, describe, expect, it } from "vitest";
import { alive, checkStack, cleanUp, faultFixtures, referenceRun, request, signal, Stack, uploadFile, waitFor, watch } from "./stack";

const fixtures = faultFixtures();
if (!fixtures) console.log("fault tests skipped: they need a PostgreSQL server (DATABASE_URL)");

interface DetectProbe {
  status: string;
  runs: string;
  evaluations: string;
  owner: string | null;
}

/**
 * Waits until the upload's detection step is under way: the upload `detecting`, its detect job's lease taken,
 * and at least one of its detection runs committed (so an interruption now leaves it evaluated in part).
 */
function detectionUnderWay(stack: Stack, id: string): Promise<DetectProbe> {
  return watch<DetectProbe>(
    stack,
    `SELECT u.status::text AS status,
       (SELECT count(*) FROM detection_runs r WHERE r.trigger = 'upload:' || u.id) AS runs,
       (SELECT count(*) FROM upload_evaluations v WHERE v.upload_id = u.id) AS evaluations,
       (SELECT l.owner FROM work_leases l WHERE l.upload_id = u.id AND l.queue = 'iiswatch-detect' LIMIT 1) AS owner
     FROM uploads u WHERE u.id = $1`,
    [id],
    (r) => !["receiving", "queued", "processing", "detecting"].includes(r.status) || (r.status === "detecting" && Number(r.runs) > 0 && r.owner !== null),
    { what: `upload ${id}: its detection step under way`, intervalMs: 5, timeoutMs: 180_000 },
  );
}

const ownerPid = (owner: string) => Number(/:(\d+):[0-9a-f]+$/.exec(owner)?.[1]);

describe.skipIf(!fixtures)("workers that die", () => {
  afterEach(async (context) => {
    await cleanUp({ printLogs: context.task.result?.state === "fail" });
  });

  it("kill -9 of the worker mid-ingest: start.ts starts it again, the lease lapses, the upload is processed again and ends done", async () => {
    const set = fixtures!.sets.whole;
    const reference = await referenceRun(set);
    const stack = await Stack.create("worker_kill_ingest");
    await stack.start();
    const [worker] = stack.readyWorkers();

    const id = await uploadFile(stack, set.files[0].path);
    const seen = await watch<{ status: string; records_read: number; worker: string | null }>(
      stack,
      `SELECT status::text AS status, records_read, worker FROM uploads WHERE id = $1`,
      [id],
      (r) => (r.status === "processing" && r.records_read > 0) || !["receiving", "queued", "processing"].includes(r.status),
      { what: `upload ${id} processing`, intervalMs: 20 },
    );
    expect(seen.status, "the upload was caught mid-ingest").toBe("processing");
    expect(seen.worker, "the stack's worker is processing it").toContain(`:${worker.pid}:`);
    signal(worker.pid, "SIGKILL");
    stack.step("upload, until mid-ingest");

    // The supervisor starts another worker in its place.
    const replacement = await waitFor("start.ts to start another worker", () => stack.readyWorkers().find((w) => w.pid !== worker.pid), { timeoutMs: 120_000 });
    expect(alive(worker.pid), "the killed worker is gone").toBe(false);
    stack.step("worker restarted");
    // Its lease lapses and the replacement processes the upload again.
    await waitFor(
      "the replacement worker to process the upload again",
      async () => {
        const [u] = await stack.query<{ status: string; attempts: number; worker: string | null }>(`SELECT status::text AS status, attempts, worker FROM uploads WHERE id = $1`, [id]);
        return u.attempts >= 2 && (u.status !== "processing" || u.worker?.includes(`:${replacement.pid}:`)) ? u : null;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    stack.step("lease lapsed, upload taken again");
    await stack.waitUntilSettled();

    const [upload] = await checkStack(stack, { done: set.files, reference });
    expect(upload.attempts, "attempts: the killed one and the one that finished").toBeGreaterThanOrEqual(2);
    const { body } = await request(stack, "GET", `/api/uploads/${id}`);
    expect(body).toMatchObject({ id, status: "done", recordsRead: 100_000, stored: 100_000, duplicates: 0, rejected: 0 });
    const stopped = await stack.stop();
    expect(stopped.code, "start.ts exit code after SIGTERM").toBe(0);
  });

  it("kill -9 of the worker during the detection step: the detections complete, exactly once", async () => {
    const set = fixtures!.sets.whole;
    const reference = await referenceRun(set);
    const stack = await Stack.create("worker_kill_detect");
    await stack.start();
    const id = await uploadFile(stack, set.files[0].path);

    const seen = await detectionUnderWay(stack, id);
    expect(seen.status, "the detection step was caught under way").toBe("detecting");
    const pid = ownerPid(seen.owner!);
    expect(stack.isWorker(pid), `the lease's owner (${seen.owner}) is one of the stack's workers`).toBe(true);
    signal(pid, "SIGKILL");
    stack.step("upload, until mid-detection");
    const [after] = await stack.query<{ status: string; evaluations: string }>(
      `SELECT status::text AS status, (SELECT count(*) FROM upload_evaluations v WHERE v.upload_id = $1) AS evaluations FROM uploads WHERE id = $1`,
      [id],
    );
    expect(after.status, "the kill interrupted the evaluation (the upload is not done yet)").toBe("detecting");
    console.log(`killed worker ${pid} during the detection step: ${seen.runs} detection run(s) committed, ${after.evaluations} detection(s) recorded as evaluated`);

    await waitFor("start.ts to start another worker", () => stack.readyWorkers().find((w) => w.pid !== pid), { timeoutMs: 120_000 });
    await stack.waitUntilSettled();
    await checkStack(stack, { done: set.files, reference });
    const stopped = await stack.stop();
    expect(stopped.code, "start.ts exit code after SIGTERM").toBe(0);
  });

  it("SIGTERM to start.ts during the detection step, then a new start on the same database and data directory: the detections complete, exactly once", async () => {
    const set = fixtures!.sets.whole;
    const reference = await referenceRun(set);
    const stack = await Stack.create("stop_during_detect");
    await stack.start();
    const id = await uploadFile(stack, set.files[0].path);

    const seen = await detectionUnderWay(stack, id);
    expect(seen.status, "the detection step was caught under way").toBe("detecting");
    stack.step("upload, until mid-detection");
    const stopped = await stack.stop("SIGTERM");
    expect(stopped.code, "start.ts exit code after SIGTERM").toBe(0);
    // start.ts gives its children 30 s before it kills them: they must have stopped on their own.
    expect(stopped.ms, "time start.ts took to stop everything").toBeLessThan(30_000);
    const [between] = await stack.query<{ status: string }>(`SELECT status::text AS status FROM uploads WHERE id = $1`, [id]);
    console.log(`stack stopped in ${(stopped.ms / 1000).toFixed(1)} s during the detection step; the upload was then ${between.status}`);

    await stack.start();
    await stack.waitUntilSettled();
    await checkStack(stack, { done: set.files, reference });
    expect((await stack.stop()).code).toBe(0);
  });
});
