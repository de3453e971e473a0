// The overview's "Backdoor signs": hosts whose results hold a module installed, a DLL failing to load or HTTP logging
// disabled, most serious first and then most recent, each with its latest such finding and how many results hold one.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { query, sql } from "../db/sql";
import { runScheduled } from "../detections/runs";
import { store2282, store29 } from "../../tests/support/iis-events";
import { BACKDOOR_SIGN_RANK, backdoorSigns } from "./overview";

const HOUR = 3_600_000;
const base = new Date("2026-03-02T10:00:00Z");
const t = (minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();
const moduleAdd = (name: string) => `/system.webServer/globalModules/add[@name="${name}"]`;

beforeEach(async () => {
  await resetDatabase();
  await store2282([
    { host: "web01", time: t(5), moduleDll: "c:\\temp\\msf.dll" },
    { host: "web01", time: t(30), moduleDll: "c:\\temp\\late.dll" },
    { host: "web02", time: t(40), moduleDll: "c:\\vendor\\wrong-arch.dll" },
  ]);
  await store29([
    { host: "web01", time: t(10), configuration: moduleAdd("EvilModule") },
    // A routine change: no sign, so web03 is not listed.
    { host: "web03", time: t(45), configuration: "/system.webServer/httpErrors/@errorMode" },
  ]);
  await runScheduled(new Date(base.getTime() + HOUR + 10 * 60_000));
});

describe("backdoor signs", () => {
  it("lists hosts most serious first, quoting the latest finding of that rank and counting every result with a sign", async () => {
    const signs = await backdoorSigns();
    expect(signs.map((s) => s.host)).toEqual(["web01", "web02"]);
    // web01: a module installed (rank 4) outranks its two DLL failures, though the later failure is newer.
    expect(signs[0]).toMatchObject({ kind: "module_added", results: 3, lastSeen: new Date(t(30)) });
    expect(signs[0].what).toMatch(/^Module EvilModule /);
    expect(signs[1]).toMatchObject({ kind: "module_load_failure", results: 1, what: expect.stringContaining("c:\\vendor\\wrong-arch.dll") });
  });

  it("keeps to the limit, in the same order", async () => {
    expect((await backdoorSigns(1)).map((s) => s.host)).toEqual(["web01"]);
  });

  it("reads from an index whose predicate is the rank signs start at", async () => {
    const [index] = await query<{ def: string }>(
      sql`SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'detection_results_backdoor_signs_idx'`,
    );
    expect(index.def).toContain(`WHERE (finding_rank >= ${BACKDOOR_SIGN_RANK})`);
  });
});
