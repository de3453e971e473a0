// The web server killed (kill -9 of its next-server processes) while an upload's body is still arriving: the client sees the
// transfer fail and gets no id; start.ts, its web server gone, stops the workers and exits; once the stack is
// started again, a worker's reaper fails the upload (its receiver's lease lapsed) and removes the partial file.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkStack, cleanUp, faultFixtures, signal, Stack, sendFile, waitFor } from "./stack";

const fixtures = faultFixtures();
if (!fixtures) console.log("fault tests skipped: they need a PostgreSQL server (DATABASE_URL)");

describe.skipIf(!fixtures)("the web server killed mid-transfer", () => {
  afterEach(async (context) => {
    await cleanUp({ printLogs: context.task.result?.state === "fail" });
  });

  it("kill -9 of next-server while a body is being received: no id for the client; after a restart the upload is failed, its partial file gone, nothing stored", async () => {
    const file = fixtures!.sets.whole.files[0].path;
    const size = fs.statSync(file).size;
    const half = Math.floor(size / 2);
    const stack = await Stack.create("receive_kill");
    await stack.start();

    // Half the body, then the client waits (the request stays open, Content-Length announcing the whole file).
    const transfer = sendFile(stack, file, { stopAfterBytes: half });
    await transfer.written;
    const receiving = await waitFor(
      "the upload receiving, half its body in the spool",
      async () => {
        const rows = await stack.query<{ id: string; status: string }>(`SELECT id, status::text AS status FROM uploads`);
        if (rows.length !== 1 || rows[0].status !== "receiving") return null;
        const part = path.join(stack.spoolDir, `${rows[0].id}.part`);
        return fs.existsSync(part) && fs.statSync(part).size >= half * 0.9 ? rows[0] : null;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    stack.step("upload half, until spooled");
    // Every web process (whichever of them is receiving the body).
    for (const web of stack.webServers()) signal(web.pid, "SIGKILL");

    // The client's request fails: no answer, so no id.
    await expect(transfer.reply, "the client's upload request").rejects.toThrow();
    // start.ts stops the workers and exits, reporting the failure.
    const ended = await stack.waitForExit();
    expect(ended.code, "start.ts's exit code once its web server died").not.toBe(0);
    // Nobody has looked at the upload yet: still receiving, its partial body on disk.
    const [before] = await stack.query<{ status: string }>(`SELECT status::text AS status FROM uploads WHERE id = $1`, [receiving.id]);
    expect(before.status).toBe("receiving");
    expect(fs.existsSync(path.join(stack.spoolDir, `${receiving.id}.part`)), "the partial body is still in the spool").toBe(true);

    await stack.start();
    const failed = await waitFor(
      "the reaper to fail the stalled upload",
      async () => {
        const [u] = await stack.query<{ status: string; error: string | null }>(`SELECT status::text AS status, error FROM uploads WHERE id = $1`, [receiving.id]);
        return u.status === "failed" ? u : null;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(failed.error).toMatch(/^the transfer stopped before the whole file arrived \(\d+ bytes received\); nothing was processed\. Upload it again\.$/);
    expect(fs.readdirSync(stack.spoolDir).filter((name) => name.startsWith(receiving.id)), "spool files of the upload").toEqual([]);
    await checkStack(stack, { done: [], failed: 1, reference: { results: [], riskEvents: 0, notables: 0 } });
    expect((await stack.stop()).code).toBe(0);
  });
});
