// `npm start` itself killed outright (kill -9 of start.ts, which can pass nothing on): neither the web server nor a
// worker may stay behind holding the port or working jobs; the stack then starts again on the same port.
import { afterEach, describe, expect, it } from "vitest";
import { alive, cleanUp, faultFixtures, request, signal, Stack, waitFor } from "./stack";

const fixtures = faultFixtures();
if (!fixtures) console.log("fault tests skipped: they need a PostgreSQL server (DATABASE_URL)");

describe.skipIf(!fixtures)("npm start killed outright", () => {
  afterEach(async (context) => {
    await cleanUp({ printLogs: context.task.result?.state === "fail" });
  });

  it("kill -9 of start.ts: the web server and the workers leave within seconds, and the stack starts again", async () => {
    const stack = await Stack.create("supervisor_kill");
    await stack.start();
    const web = stack.webServers();
    const workers = stack.readyWorkers();
    expect(workers.length).toBeGreaterThan(0);
    signal(stack.pid, "SIGKILL");
    for (const p of [...web, ...workers]) {
      await waitFor(`${p.cmdline.split(" ")[0]} (pid ${p.pid}) to leave`, () => !alive(p.pid), { timeoutMs: 15_000, intervalMs: 100 });
    }
    stack.step("killed; its children left");
    // The port is free again: a new start serves it.
    await stack.start();
    expect((await request(stack, "GET", "/api/health")).status).toBe(200);
  });
});
