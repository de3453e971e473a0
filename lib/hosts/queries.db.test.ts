// The hosts table's per-host figures that come from detection results: results by detection and the IIS modules
// seen (added, or failing to load), which leave the table when a suppression hides their result.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { db } from "../db/client";
import { backfillFindings } from "../detections/backfill-findings";
import { runScheduled } from "../detections/runs";
import { store2282, store29 } from "../../tests/support/iis-events";
import { HOST_SORTS, hostListParams, hostModules, hostTimeline, listHosts } from "./queries";

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
    expect([web01.moduleCount, web02.moduleCount]).toEqual([3, 1]);
  });

  it("lists the first five modules of a host that had many, alphabetically, with how many there are", async () => {
    await store29(
      Array.from({ length: 8 }, (_, i) => ({ host: "web03", time: t(70 + i), configuration: `/system.webServer/globalModules/add[@name="Mod${8 - i}"]` })),
    );
    await runScheduled(new Date(base.getTime() + 2 * HOUR));
    const web03 = await hostRow("web03");
    expect([web03.modules, web03.moduleCount]).toEqual([["Mod1", "Mod2", "Mod3", "Mod4", "Mod5"], 8]);
  });

  it("drops a module whose only results a suppression hides", async () => {
    await db().suppression.create({ data: { detectionId: FAILED_TO_LOAD, match: { ModuleDll: "c:\\vendor\\*" }, reason: "vendor DLL" } });
    expect(sorted((await hostRow("web01")).modules)).toEqual(sorted(["EvilModule", "c:\\temp\\msf.dll"]));
    expect((await hostRow("web02")).modules).toEqual([]);
    expect((await hostRow("web02")).resultsByDetection).toEqual({ [NEW_MODULE]: 1 });
  });
});

describe("host page: timeline and modules", () => {
  it("buckets events by hour and code, with results when they happened and risk when it was raised, cumulated", async () => {
    const { bucket, buckets, codes } = await hostTimeline("WEB01", base, new Date(base.getTime() + 3 * HOUR));
    expect(bucket).toBe("hour");
    expect(codes).toEqual(["29", "2282"]);
    expect(buckets.map((b) => [b.t, b.codes, b.results, b.risk, b.cumulativeRisk])).toEqual([
      // web01 and WEB01 are one host: three DLL failures and a module added, four results, in the first hour.
      [base.toISOString().replace(".000", ""), { "29": 1, "2282": 3 }, 4, 0, 0],
      // The run at base + 1 h raised their risk: 3 × 25 + 48 = 123, plus their provenance factors (risk-factors.ts).
      [new Date(base.getTime() + HOUR).toISOString().replace(".000", ""), {}, 0, 248, 248],
      [new Date(base.getTime() + 2 * HOUR).toISOString().replace(".000", ""), {}, 0, 0, 248],
    ]);
  });

  it("lists the modules added to the host and the DLLs failing on it, with first and last seen", async () => {
    const modules = await hostModules("web01", { limit: 25, offset: 0 });
    expect(modules.total).toBe(3);
    expect(modules.rows.map((m) => [m.what, m.module, m.results, m.firstSeen.toISOString(), m.lastSeen.toISOString()])).toEqual([
      ["failed", "c:\\temp\\msf.dll", 2, t(5), t(7)],
      ["failed", "c:\\vendor\\ok.dll", 1, t(6), t(6)],
      ["added", "EvilModule", 1, t(9), t(9)],
    ]);
    // Paged: the second page of two holds the third, and the total stays right past the end.
    const second = await hostModules("web01", { limit: 2, offset: 2 });
    expect([second.total, second.rows.map((m) => m.module)]).toEqual([3, ["EvilModule"]]);
    expect(await hostModules("web01", { limit: 2, offset: 4 })).toEqual({ total: 3, rows: [] });
  });
});

describe("backdoors first", () => {
  it("the default sort puts a host with a module installed above a riskier host with ordinary configuration changes, and says why", async () => {
    // web05: ten ordinary changes (10 results × 48 risk); web06: one module installed (48).
    await store29([
      ...Array.from({ length: 10 }, (_, i) => ({ host: "web05", time: t(115 + i * 5), configuration: `/system.web/customErrors/error[@statusCode="${400 + i}"]` })),
      { host: "web06", time: t(130), configuration: '/system.webServer/globalModules/add[@name="Backdoor"]' },
    ]);
    await runScheduled(new Date(base.getTime() + 3 * HOUR));
    const { rows } = await listHosts(hostListParams.parse({}));
    const order = rows.map((h) => [h.id, h.topFinding]);
    const risk = (id: string) => rows.find((h) => h.id === id)!.risk7d;
    expect(risk("web05")).toBeGreaterThan(risk("web06"));
    expect(order.findIndex(([id]) => id === "web06")).toBeLessThan(order.findIndex(([id]) => id === "web05"));
    expect(Object.fromEntries(order)).toMatchObject({ web05: "other_configuration_change", web06: "module_added", web01: "module_added", web02: "module_load_failure" });
    // The same order as SQL written here: the most serious finding, then 7-day risk.
    const expected = await db().$queryRaw<{ id: string }[]>`
      SELECT h.id FROM hosts h ORDER BY
        (SELECT max(finding_rank) FROM detection_results r WHERE lower(r.dest) = h.id) DESC NULLS LAST,
        (SELECT coalesce(sum(risk_score), 0) FROM risk_events re WHERE re.normalized_risk_object = h.id AND re.time >= now() - interval '7 days') DESC,
        h.id`;
    expect(rows.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  });

  it("results enriched before findings existed get theirs from the workers' backfill", async () => {
    await db().$executeRaw`UPDATE detection_results SET enrichment = enrichment - 'finding'`;
    expect(await db().detectionResult.count({ where: { findingKind: { not: null } } })).toBe(0);
    const updated = await backfillFindings();
    expect(updated).toBe(await db().detectionResult.count());
    const web01 = await listHosts(hostListParams.parse({ q: "web01" }));
    expect(web01.rows[0].topFinding).toBe("module_added");
    expect(await backfillFindings()).toBe(0);
  });
});

describe("hosts table: every sort and filter", () => {
  it("builds a statement for each sort, direction and filter, and the count agrees with the rows", async () => {
    for (const sort of HOST_SORTS) {
      for (const dir of ["asc", "desc"] as const) {
        for (const coverage of ["all", "missing", "present"] as const) {
          for (const q of [undefined, "web0"]) {
            const { total, rows } = await listHosts(hostListParams.parse({ sort, dir, coverage, q }));
            expect(rows.length, `${sort} ${dir} ${coverage} ${q}`).toBe(total);
          }
        }
      }
    }
    // A filter's wildcards are matched literally: "web_1" is no host here.
    expect((await listHosts(hostListParams.parse({ q: "web_1" }))).total).toBe(0);
    expect((await listHosts(hostListParams.parse({ q: "eb01" }))).rows.map((h) => h.id)).toEqual(["web01"]);
  });
});
