// Detections on live data, in both timings (lib/detections/timing.ts). By default a HEC batch is stored and its
// events wait for ES's hourly run of the window [-70m@m, -10m@m) they fall in: nothing is reported before the window
// is due, and the scheduled run reports it. With IISWATCH_DETECTIONS=nrt the batch's detection job runs that window
// at once: an Event 29 module install is a notable as soon as the batch is processed (no scheduler tick), and the
// window's scheduled run afterwards finds the same row but reports nothing new (the ledger of counted events).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { resetDatabase } from "./db-setup";
import { drainUploads } from "./pipeline";
import { event29Xml, hecRequest } from "./support/hec";
import { cliActor } from "../lib/audit/log";
import { db } from "../lib/db/client";
import { createHecToken } from "../lib/hec/tokens";
import { runScheduled } from "../lib/detections/runs";
import { runWindowsCovering } from "../lib/detections/schedule";
import { DETECTION_SPECS } from "../lib/detections/specs";
import * as eventRoute from "../app/services/collector/event/route";

const NEW_MODULE_ADDED = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const spec = DETECTION_SPECS.find((s) => s.id === NEW_MODULE_ADDED)!;
const savedTiming = process.env.IISWATCH_DETECTIONS;
let token = "";

beforeAll(async () => {
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-nrt-"));
  await resetDatabase();
  token = (await createHecToken({ name: "live", ackEnabled: false }, cliActor())).token;
});

afterEach(() => {
  if (savedTiming === undefined) delete process.env.IISWATCH_DETECTIONS;
  else process.env.IISWATCH_DETECTIONS = savedTiming;
});

afterAll(() => {
  fs.rmSync(process.env.IISWATCH_DATA_DIR!, { recursive: true, force: true });
});

/** Sends one HEC batch with a module install on `host` a minute ago, and works it to its end; its event time. */
async function sendInstall(host: string, recordId: number): Promise<Date> {
  const time = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const body = JSON.stringify({ event: event29Xml({ host, time: time.toISOString(), recordId, module: "IIS-Raid" }), sourcetype: "XmlWinEventLog" });
  const res = await eventRoute.POST(hecRequest({ path: "/services/collector/event", token, body }));
  expect(await res.json()).toEqual({ text: "Success", code: 0 });
  await drainUploads();
  return time;
}

/** The scheduled run whose window [-70m@m, -10m@m) holds event time t (ESCU's windows tile time: exactly one). */
function scheduledRunOf(t: Date): Date {
  const covering = runWindowsCovering(spec.deployment, t, t);
  expect(covering).toHaveLength(1);
  return covering[0].runTime;
}

const notablesOf = (dest: string) => db().notable.findMany({ where: { detectionId: NEW_MODULE_ADDED, dest }, include: { result: { include: { run: true } } } });

it("default: a live module install waits for its window's hourly run, which reports it", async () => {
  delete process.env.IISWATCH_DETECTIONS;
  const time = await sendInstall("WEB-SCHEDULED", 1);
  const runTime = scheduledRunOf(time);
  expect(runTime.getTime()).toBeGreaterThan(Date.now());
  expect(await notablesOf("WEB-SCHEDULED")).toEqual([]);
  expect(await db().detectionResult.count({ where: { dest: "WEB-SCHEDULED" } })).toBe(0);
  // The upload says when its events come due, for the clock's catch-up.
  const evaluation = await db().uploadEvaluation.findFirstOrThrow({ where: { detectionId: NEW_MODULE_ADDED } });
  expect(evaluation.pendingUntil).toEqual(runTime);

  const runs = await runScheduled(runTime, { detectionIds: [NEW_MODULE_ADDED] });
  expect(runs.map((r) => [r.kind, r.resultCount])).toEqual([["scheduled", 1]]);
  const [notable] = await notablesOf("WEB-SCHEDULED");
  expect(notable.time).toEqual(runTime);
});

it("IISWATCH_DETECTIONS=nrt: the batch's module install is a notable as soon as the batch is processed; the hourly run reports nothing again", async () => {
  process.env.IISWATCH_DETECTIONS = "nrt";
  const sent = Date.now();
  const time = await sendInstall("WEB-LIVE", 2);
  const processed = Date.now();
  const notables = await notablesOf("WEB-LIVE");
  expect(notables).toHaveLength(1);
  const [notable] = notables;
  // Raised when the batch was evaluated, by a near-real-time run of the window the event will be scheduled in.
  expect(notable.time.getTime()).toBeGreaterThanOrEqual(sent - 1000);
  expect(notable.time.getTime()).toBeLessThanOrEqual(processed);
  const runTime = scheduledRunOf(time);
  const run = notable.result!.run;
  expect({ kind: run.kind, start: run.windowStart, end: run.windowEnd }).toEqual({
    kind: "nrt",
    start: new Date(runTime.getTime() - 70 * 60_000),
    end: new Date(runTime.getTime() - 10 * 60_000),
  });
  // The row is Splunk's row of that window, with its risk event at the notable's time.
  expect(notable.result!.fields).toMatchObject({ dest: "WEB-LIVE", count: 1 });
  expect(await db().riskEvent.count({ where: { resultId: notable.result!.id, time: notable.time } })).toBe(1);
  // Nothing left pending for the clock's catch-up.
  const upload = await db().upload.findFirstOrThrow({ where: { evaluations: { some: {} } }, orderBy: { createdAt: "desc" } });
  const evaluations = await db().uploadEvaluation.findMany({ where: { uploadId: upload.id } });
  expect(evaluations.length).toBeGreaterThan(0);
  expect(evaluations.filter((e) => e.pendingUntil !== null)).toEqual([]);

  // The hourly run of that window: it sees the group (its row) but has nothing new to report.
  const runs = await runScheduled(runTime, { detectionIds: [NEW_MODULE_ADDED] });
  expect(runs.map((r) => ({ kind: r.kind, resultCount: r.resultCount }))).toEqual([{ kind: "scheduled", resultCount: 0 }]);
  expect(runs[0].rowCount).toBeGreaterThanOrEqual(1);
  expect(await notablesOf("WEB-LIVE")).toHaveLength(1);
  expect(await db().detectionResult.count({ where: { dest: "WEB-LIVE" } })).toBe(1);
});
