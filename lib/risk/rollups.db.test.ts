// The risk rollups (by host, detection, tactic) on risk events written by the real engine: scores, event counts
// and the distinct counts (sources, hosts) an analyst reads off the Risk page.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { runScheduled } from "../detections/runs";
import { store2282, store29 } from "../detections/testing";
import { riskByDetection, riskByHost, riskByTactic } from "./rollups";

const NEW_MODULE = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";
const HOUR = 3_600_000;
const base = new Date("2026-05-01T09:00:00Z");
const t = (minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();
const window = { from: new Date(base.getTime() - HOUR), to: new Date(base.getTime() + 3 * HOUR) };

beforeEach(async () => {
  await resetDatabase();
  // web01: two DLLs failing (two results, 25 each) and a module added (48); WEB02 (the same casing rules as ES:
  // normalized to web02): one DLL failing.
  await store2282([
    { host: "web01", time: t(5), moduleDll: "c:\\a.dll" },
    { host: "web01", time: t(6), moduleDll: "c:\\b.dll" },
    { host: "WEB02", time: t(7), moduleDll: "c:\\a.dll" },
  ]);
  await store29([{ host: "web01", time: t(8), configuration: '/system.webServer/globalModules/add[@name="Evil"]' }]);
  await runScheduled(new Date(base.getTime() + HOUR));
});

describe("risk rollups", () => {
  it("by host: score, risk events, distinct sources and tactics", async () => {
    expect(await riskByHost(window)).toMatchObject([
      { host: "web01", score: 98, events: 3, sources: 2, tactics: ["Persistence"] },
      { host: "web02", score: 25, events: 1, sources: 1, tactics: ["Persistence"] },
    ]);
  });

  it("by detection: score, risk events and distinct hosts", async () => {
    const rows = await riskByDetection(window);
    expect(rows.map((r) => [r.detectionId, r.score, r.events, r.hosts])).toEqual([
      [FAILED_TO_LOAD, 75, 3, 2],
      [NEW_MODULE, 48, 1, 1],
    ]);
  });

  it("by ATT&CK tactic: score, risk events and distinct hosts", async () => {
    expect(await riskByTactic(window)).toEqual([{ tactic: "Persistence", score: 123, events: 4, hosts: 2 }]);
  });
});
