// The hosts table's per-host figures that come from detection results: results by detection and the IIS modules
// seen (added, or failing to load), which leave the table when a suppression hides their result.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { db } from "../db/client";
import { runScheduled } from "../detections/runs";
import { store2282, store29 } from "../detections/testing";
import { hostListParams, listHosts } from "./queries";

const NEW_MODULE = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";
const HOUR = 3_600_000;
// Recent, so that the table's 24-hour and 7-day windows see it.
const base = new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR);
const t = (minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();

beforeEach(async () => {
  await resetDatabase();
  await store2282([
    { host: "web01", time: t(5), moduleDll: "c:\\temp\\msf.dll" },
    { host: "web01", time: t(6), moduleDll: "c:\\vendor\\ok.dll" },
    { host: "WEB01", time: t(7), moduleDll: "c:\\temp\\msf.dll" },
    { host: "web02", time: t(8), moduleDll: "c:\\vendor\\ok.dll" },
  ]);
  await store29([
    { host: "web01", time: t(9), configuration: '/system.webServer/globalModules/add[@name="EvilModule"]' },
    // A configuration change that adds no module: it names none.
    { host: "web02", time: t(10), configuration: "/system.webServer/httpErrors/@errorMode" },
  ]);
  await runScheduled(new Date(base.getTime() + HOUR));
});

const hostRow = async (id: string) => (await listHosts(hostListParams.parse({}))).rows.find((h) => h.id === id)!;
const sorted = (names: string[]) => [...names].sort();

describe("hosts table: figures from detection results", () => {
  it("lists each host's modules once, whatever the number of results naming them, with its results by detection", async () => {
    const web01 = await hostRow("web01");
    expect(sorted(web01.modules)).toEqual(sorted(["EvilModule", "c:\\temp\\msf.dll", "c:\\vendor\\ok.dll"]));
    expect(web01.resultsByDetection).toEqual({ [FAILED_TO_LOAD]: 3, [NEW_MODULE]: 1 });
    const web02 = await hostRow("web02");
    expect(web02.modules).toEqual(["c:\\vendor\\ok.dll"]);
    expect(web02.resultsByDetection).toEqual({ [FAILED_TO_LOAD]: 1, [NEW_MODULE]: 1 });
  });

  it("drops a module whose only results a suppression hides", async () => {
    await db().suppression.create({ data: { detectionId: FAILED_TO_LOAD, match: { ModuleDll: "c:\\vendor\\*" }, reason: "vendor DLL" } });
    expect(sorted((await hostRow("web01")).modules)).toEqual(sorted(["EvilModule", "c:\\temp\\msf.dll"]));
    expect((await hostRow("web02")).modules).toEqual([]);
    expect((await hostRow("web02")).resultsByDetection).toEqual({ [NEW_MODULE]: 1 });
  });
});
