// Module provenance as risk, through the real engine: GhostRedirector's ManagedEngine64.dll staged in
// C:\ProgramData\Microsoft\DRM\log\ (ESET, 2025) against an admin's install of a Microsoft module from inetsrv, as
// `appcmd install module /name:… /image:…` commits them (Event 29, Atomic Red Team T1505.004's recipe).
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { store29 } from "../../tests/support/iis-events";
import { db } from "../db/client";
import { getNotable } from "../triage/notables";
import { riskArithmetic } from "./rba";
import { replayHistory, runScheduled } from "./runs";

const NEW_MODULE = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const at = (iso: string) => new Date(iso);
const install = (host: string, time: string, name: string, image: string) => ({
  host,
  time,
  configuration: `/system.webServer/globalModules/add[@name="${name}"]`,
  newValue: image,
});
const ATTACKER_IMAGE = "C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll";
const ADMIN_IMAGE = "%windir%\\System32\\inetsrv\\diprestr.dll";

/** The New Module Added result of a host (its only one unless `nth`), with its risk event and notable. */
async function reported(host: string, nth = 0) {
  const results = await db().detectionResult.findMany({ where: { detectionId: NEW_MODULE, destId: host }, orderBy: { firstTime: "asc" } });
  const result = results[nth];
  const risk = await db().riskEvent.findMany({ where: { resultId: result.id } });
  const notable = await db().notable.findFirst({ where: { resultId: result.id } });
  return { result, risk, notable, factors: (result.riskFactors as { factor: string; points: number; why: string }[]).map((f) => f.factor) };
}

beforeEach(async () => {
  await resetDatabase();
  // A fleet of four IIS hosts, 1 October. The admin rolls DynamicIpRestrictionModule out to web02-web04; the
  // attacker installs ManagedEngine64.dll from the DRM log folder on web01.
  await store29([
    install("web02", "2026-10-01T09:05:00Z", "DynamicIpRestrictionModule", ADMIN_IMAGE),
    install("web03", "2026-10-01T09:06:00Z", "DynamicIpRestrictionModule", ADMIN_IMAGE),
    install("web04", "2026-10-01T09:07:00Z", "DynamicIpRestrictionModule", ADMIN_IMAGE),
    install("web01", "2026-10-01T09:30:00Z", "WebEngine64", ATTACKER_IMAGE),
  ]);
});

describe("module provenance as risk", () => {
  it("scores the DRM-log ManagedEngine64.dll above an admin's inetsrv install, each factor listed on the result, risk event and notable", async () => {
    await runScheduled(at("2026-10-01T10:00:00Z"));
    const attacker = await reported("web01");
    const admin = await reported("web02");

    expect(attacker.factors).toEqual(["image_in_user_writable_path", "image_outside_iis_folders", "imitates_builtin_module", "rare_in_fleet", "first_seen_on_host"]);
    expect(attacker.result.riskFactors).toEqual(
      expect.arrayContaining([
        { factor: "imitates_builtin_module", points: 20, why: `DLL name ManagedEngine64 is the built-in ManagedEngine64 but the image is ${ATTACKER_IMAGE}` },
        { factor: "rare_in_fleet", points: 10, why: "WebEngine64 on 1 host of 4" },
      ]),
    );
    // 48 + 25 + 15 + 20 + 10 + 10 = 128, capped at 100.
    expect(attacker.risk).toHaveLength(1);
    expect(attacker.risk[0]).toMatchObject({ baseRiskScore: 48, riskScore: 100 });
    expect(attacker.risk[0].riskFactors).toEqual(attacker.result.riskFactors);

    // The admin's module: a built-in from its own folder, on three hosts of four; only new on each host.
    expect(admin.factors).toEqual(["first_seen_on_host"]);
    expect(admin.risk[0]).toMatchObject({ baseRiskScore: 48, riskScore: 58 });
    expect(attacker.risk[0].riskScore).toBeGreaterThan(admin.risk[0].riskScore);

    // The notable shows the arithmetic.
    const notable = await getNotable(attacker.notable!.id);
    expect(notable!.risk).toBe(100);
    expect(riskArithmetic(notable!.riskBreakdown!.base, notable!.riskBreakdown!.factors)).toBe(
      "48 base + 25 image in a user-writable or temporary folder + 15 image outside the IIS and .NET folders + 20 name imitates a built-in IIS module + 10 module on one host of the fleet + 10 module first seen on this host = 100 (128, capped at 100)",
    );
  });

  it("counts a module as first seen on a host only the first time", async () => {
    await store29([install("web01", "2026-10-02T09:30:00Z", "WebEngine64", ATTACKER_IMAGE)]);
    await runScheduled(at("2026-10-01T10:00:00Z"));
    await runScheduled(at("2026-10-02T10:00:00Z"));
    expect((await reported("web01", 0)).factors).toContain("first_seen_on_host");
    const again = await reported("web01", 1);
    expect(again.factors).not.toContain("first_seen_on_host");
    // Still on one host of four.
    expect(again.factors).toContain("rare_in_fleet");
  });

  it("takes prevalence from the data up to the result, not from now: a module later rolled out was rare when first installed", async () => {
    // A week later the same module reaches two more hosts; replaying all history scores each result as of its time.
    await store29([install("web02", "2026-10-08T09:00:00Z", "WebEngine64", ATTACKER_IMAGE), install("web03", "2026-10-08T09:01:00Z", "WebEngine64", ATTACKER_IMAGE)]);
    await replayHistory({ detectionIds: [NEW_MODULE], now: at("2026-10-09T00:00:00Z") });
    expect((await reported("web01")).factors).toContain("rare_in_fleet");
    const later = await db().detectionResult.findMany({ where: { detectionId: NEW_MODULE, firstTime: { gte: at("2026-10-08T00:00:00Z") } } });
    expect(later).toHaveLength(2);
    for (const r of later) expect((r.riskFactors as { factor: string }[]).map((f) => f.factor)).not.toContain("rare_in_fleet");
  });
});
