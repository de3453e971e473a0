// A server restart (SIGTERM to start.ts, then a new start) while `iiswatch ingest FILE…` runs against the same
// database: the command's files are worked by its own worker and the stack's; whoever is stopped hands its upload
// back, and the command still ends with exit code 0 and counts that are true of the database.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkStack, cleanUp, faultFixtures, LEASE_SECONDS, parseIngestReports, referenceRun, runCli, sleep, Stack, watch } from "./stack";

const fixtures = faultFixtures();
if (!fixtures) console.log("fault tests skipped: they need a PostgreSQL server (DATABASE_URL)");

describe.skipIf(!fixtures)("a server restart under the command line", () => {
  afterEach(async (context) => {
    await cleanUp({ printLogs: context.task.result?.state === "fail" });
  });

  it("SIGTERM to start.ts and a new start while `iiswatch ingest` runs: the CLI exits 0 and its counts are true of the database; nothing lost", async () => {
    const set = fixtures!.sets.overlap;
    const reference = await referenceRun(set);
    const stack = await Stack.create("cli_restart");
    await stack.start();
    const [worker] = stack.readyWorkers();

    // The command as a user runs it beside the dashboard: same database, same data directory (spool).
    const cli = runCli(
      ["ingest", ...set.files.map((f) => f.path)],
      stack.env({ IISWATCH_LEASE_SECONDS: String(LEASE_SECONDS) }),
      path.join(stack.dataDir, "cli.log"),
    );
    // Restart once the stack's own worker is ingesting one of the files (it usually takes the first one queued
    // while the command receives the second), or — should the command's worker have taken both — 3 s into
    // the ingest.
    let ingestingSince = 0;
    const seen = await watch<{ mine: string; any: string }>(
      stack,
      `SELECT count(*) FILTER (WHERE status = 'processing' AND records_read > 0 AND worker LIKE $1) AS mine,
              count(*) FILTER (WHERE status = 'processing' AND records_read > 0) AS any
       FROM uploads`,
      [`%:${worker.pid}:%`],
      (r) => {
        if (Number(r.any) > 0 && !ingestingSince) ingestingSince = Date.now();
        return Number(r.mine) > 0 || (ingestingSince > 0 && Date.now() - ingestingSince > 3000 && Number(r.any) > 0);
      },
      { what: "a file of the command being ingested", intervalMs: 20, timeoutMs: 120_000 },
    );
    console.log(`restarting the stack while ${seen.any} upload(s) are being ingested, ${seen.mine} of them by the stack's worker`);
    stack.step("CLI started, until mid-ingest");
    const stopped = await stack.stop("SIGTERM");
    expect(stopped.code, "start.ts exit code after SIGTERM").toBe(0);
    await sleep(1000);
    await stack.start();

    const result = await Promise.race([cli.done, sleep(300_000).then(() => null)]);
    expect(result, "iiswatch ingest ended within 5 minutes").not.toBeNull();
    stack.step("until the CLI exited");
    expect(result!.code, `iiswatch ingest's exit code; it printed:\n${[...result!.stdout, ...result!.stderr].join("\n")}`).toBe(0);

    // Its counts, file by file, are the database's.
    const reports = parseIngestReports(result!.stdout);
    expect(reports.map((r) => r.file).sort()).toEqual(set.files.map((f) => f.path).sort());
    for (const report of reports) {
      const [row] = await stack.query<{ filename: string; status: string; records_read: number; stored: number; duplicates: number; rejected: number; events: string }>(
        `SELECT filename, status::text AS status, records_read, stored, duplicates, rejected, (SELECT count(*) FROM events e WHERE e.upload_id = u.id) AS events
         FROM uploads u WHERE id = $1`,
        [report.uploadId],
      );
      expect(row, `upload ${report.uploadId} the command reported`).toBeDefined();
      expect(row.filename).toBe(path.basename(report.file));
      expect(
        { status: row.status, recordsRead: row.records_read, stored: row.stored, duplicates: row.duplicates, rejected: row.rejected, events: Number(row.events) },
        `what iiswatch ingest printed for ${path.basename(report.file)}`,
      ).toEqual({ status: "done", recordsRead: report.recordsRead, stored: report.stored, duplicates: report.duplicates, rejected: report.rejected, events: report.stored });
    }
    await stack.waitUntilSettled();
    await checkStack(stack, { done: set.files, reference });
    expect((await stack.stop()).code).toBe(0);
  });
});
