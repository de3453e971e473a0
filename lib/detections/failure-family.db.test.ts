// Golden tests of 2282's family on the Application log (content/local/detections): events of 2293, 2295, 2296,
// 2298, 2214 and 2220 written as whole files in each export's layout — EVTX-rendered XML (wevtutil), an EVTX file,
// Splunk XmlWinEventLog, Winlogbeat NDJSON (tests/support/process-events.ts), read back by the real readers — and
// as classic text, go through ingest, the real database and the engine, and each
// detection gives exactly the rows written here, a risk event of 25 per row and no notable (Anomaly).
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { storeW3svcWp, type W3svcWpEventInput } from "../../tests/support/iis-events";
import { GOLDEN_FORMATS, uploadGolden } from "../../tests/support/process-events";
import { db } from "../db/client";
import { listResults } from "./queries";
import { scoreWithFactors } from "./rba";
import type { RiskFactor } from "./risk-factors";
import { runScheduled } from "./runs";
import { DETECTION_SPECS } from "./specs";

const PROVIDER = "Microsoft-Windows-IIS-W3SVC-WP";
const BACKDOOR = "C:\\ProgramData\\Microsoft\\DRM\\log\\ManagedEngine64.dll";
const at = (iso: string) => new Date(iso);
const specNamed = (name: string) => DETECTION_SPECS.find((s) => s.name === name)!;

// One hour of a web farm's Application logs: the run at 11:00 searches [09:50, 10:50).
const EVENTS: W3svcWpEventInput[] = [
  { host: "WEB01", time: "2026-03-02T10:05:00Z", eventId: 2293, strings: ["EvilMod", BACKDOOR], error: 127 },
  { host: "WEB01", time: "2026-03-02T10:20:00Z", eventId: 2293, strings: ["EvilMod", BACKDOOR], error: 127 },
  { host: "WEB01", time: "2026-03-02T10:06:00Z", eventId: 2295, strings: ["C:\\Windows\\Temp\\notamodule.dll"], error: 127 },
  { host: "WEB02", time: "2026-03-02T10:07:00Z", eventId: 2296, strings: ["CustomAuth", "%windir%\\System32\\inetsrv\\customauth.dll", "bitness65"] },
  { host: "WEB02", time: "2026-03-02T10:08:00Z", eventId: 2298, strings: [] },
  { host: "WEB01", time: "2026-03-02T10:09:00Z", eventId: 2214, strings: ["C:\\inetpub\\filters\\rawfilter.dll"], error: 2 },
  { host: "WEB03", time: "2026-03-02T10:10:00Z", eventId: 2220, strings: ["C:\\inetpub\\wwwroot\\bin\\ext.dll"], error: 193 },
  // Outside the window: reported by a later run, not this one.
  { host: "WEB03", time: "2026-03-02T10:55:00Z", eventId: 2220, strings: ["C:\\inetpub\\wwwroot\\bin\\late.dll"], error: 193 },
];

/** The rows each detection must give, in Splunk's fields, and what its enrichment says of the DLL and the error. */
const EXPECTED: { detection: string; fields: Record<string, unknown>; message: string; failure: { moduleDll: string | null; errorCode?: number; errorName?: string } }[] = [
  {
    detection: "Windows IIS Module Registration Failed",
    fields: { EventCode: "2293", dest: "WEB01", Name: PROVIDER, ModuleName: "EvilMod", ModuleDll: BACKDOOR, count: 2, firstTime: "2026-03-02T10:05:00", lastTime: "2026-03-02T10:20:00" },
    message: `The IIS module EvilMod (${BACKDOOR}) returned an error from registration on WEB01.`,
    failure: { moduleDll: BACKDOOR, errorCode: 127 },
  },
  {
    detection: "Windows IIS Module Missing RegisterModule Entrypoint",
    fields: { EventCode: "2295", dest: "WEB01", Name: PROVIDER, ModuleDll: "C:\\Windows\\Temp\\notamodule.dll", count: 1, firstTime: "2026-03-02T10:06:00", lastTime: "2026-03-02T10:06:00" },
    message: "The DLL C:\\Windows\\Temp\\notamodule.dll configured as an IIS module has no RegisterModule entry point on WEB01.",
    failure: { moduleDll: "C:\\Windows\\Temp\\notamodule.dll", errorCode: 127 },
  },
  {
    detection: "Windows IIS Module Invalid Precondition",
    fields: {
      EventCode: "2296",
      dest: "WEB02",
      Name: PROVIDER,
      ModuleName: "CustomAuth",
      ModuleDll: "%windir%\\System32\\inetsrv\\customauth.dll",
      Precondition: "bitness65",
      count: 1,
      firstTime: "2026-03-02T10:07:00",
      lastTime: "2026-03-02T10:07:00",
    },
    message: "The IIS module CustomAuth (%windir%\\System32\\inetsrv\\customauth.dll) has an invalid precondition bitness65 on WEB02.",
    failure: { moduleDll: "%windir%\\System32\\inetsrv\\customauth.dll" },
  },
  {
    detection: "Windows IIS Global Modules List Empty",
    fields: { EventCode: "2298", dest: "WEB02", Name: PROVIDER, count: 1, firstTime: "2026-03-02T10:08:00", lastTime: "2026-03-02T10:08:00" },
    message: "The IIS globalModules list is empty on WEB02: no module loads and no request can be served.",
    failure: { moduleDll: null },
  },
  {
    detection: "Windows IIS HTTP Filter DLL Failed to Load",
    fields: { EventCode: "2214", dest: "WEB01", Name: PROVIDER, FilterDll: "C:\\inetpub\\filters\\rawfilter.dll", count: 1, firstTime: "2026-03-02T10:09:00", lastTime: "2026-03-02T10:09:00" },
    message: "The ISAPI filter DLL C:\\inetpub\\filters\\rawfilter.dll failed to load on WEB01.",
    failure: { moduleDll: "C:\\inetpub\\filters\\rawfilter.dll", errorCode: 2, errorName: "ERROR_FILE_NOT_FOUND" },
  },
  {
    detection: "Windows IIS ISAPI Application Failed to Load",
    fields: { EventCode: "2220", dest: "WEB03", Name: PROVIDER, IsapiApplication: "C:\\inetpub\\wwwroot\\bin\\ext.dll", count: 1, firstTime: "2026-03-02T10:10:00", lastTime: "2026-03-02T10:10:00" },
    message: "The ISAPI application C:\\inetpub\\wwwroot\\bin\\ext.dll failed to load on WEB03.",
    failure: { moduleDll: "C:\\inetpub\\wwwroot\\bin\\ext.dll", errorCode: 193, errorName: "ERROR_BAD_EXE_FORMAT" },
  },
];

beforeEach(resetDatabase);

describe("golden: 2282's family on the Application log", () => {
  // The XML layouts and EVTX (unnamed <Data> and <Binary>), Winlogbeat (param1… and Binary, the rendered message)
  // and classic text (only the message: the data is recovered from the catalogue's template, and there is no binary
  // data, so no error code: the one difference, asserted below).
  for (const format of [...GOLDEN_FORMATS, "classic"] as const) {
    it(`gives each detection its rows, one risk event of 25 each and no notable (${format})`, async () => {
      if (format === "classic") await storeW3svcWp(EVENTS, "classic");
      else expect(await uploadGolden(EVENTS.map((e, i) => ({ kind: "w3svcwp", ...e, recordId: 8000 + i })), format)).toHaveLength(EVENTS.length);
      await runScheduled(at("2026-03-02T11:00:00Z"));

      for (const expected of EXPECTED) {
        const spec = specNamed(expected.detection);
        expect(spec.content.origin).toBe("local");
        const { rows } = await listResults({ detectionId: spec.id });
        expect(rows.map((r) => r.fields), expected.detection).toEqual([expected.fields]);
        const failure = format === "classic" ? { moduleDll: expected.failure.moduleDll } : expected.failure;
        expect(rows[0].enrichment).toMatchObject({ kind: "iis-module-load-failure", eventCount: expected.fields.count, failures: [failure] });
        if (format === "classic") expect(rows[0].enrichment.failures).toEqual([{ moduleDll: expected.failure.moduleDll, processorArchitecture: null }]);

        const risk = await db().riskEvent.findMany({ where: { detectionId: spec.id } });
        expect(risk).toMatchObject([
          {
            riskObject: expected.fields.dest,
            riskObjectType: "system",
            baseRiskScore: 25,
            riskMessage: expected.message,
            searchName: `IIS Module Watch - ${expected.detection} - Rule`,
            infoMinTime: at("2026-03-02T09:50:00Z"),
            infoMaxTime: at("2026-03-02T10:50:00Z"),
          },
        ]);
        // The score adds the DLL's provenance factors to the base (lib/detections/risk-factors.db.test.ts tests them).
        expect(risk[0].riskScore).toBe(scoreWithFactors(25, risk[0].riskFactors as unknown as RiskFactor[]));
        expect(risk[0].annotations).toMatchObject({ type: "Anomaly", nist: ["DE.AE"], mitre_attack: ["T1505.004"], data_source: [`Windows Event Log Application ${expected.fields.EventCode}`] });
      }
      expect(await db().notable.count()).toBe(0);
      // The ESCU 2282 detection reads none of them.
      expect((await listResults({ detectionId: "40c2ba5b-dd6a-496b-9e6e-c9524d0be167" })).rows).toEqual([]);
    });
  }

  it("reports the late event in the next hour's run, once", async () => {
    await storeW3svcWp(EVENTS);
    await runScheduled(at("2026-03-02T11:00:00Z"));
    await runScheduled(at("2026-03-02T12:00:00Z"));
    const spec = specNamed("Windows IIS ISAPI Application Failed to Load");
    const { rows } = await listResults({ detectionId: spec.id });
    expect(rows.map((r) => r.fields.IsapiApplication).sort()).toEqual(["C:\\inetpub\\wwwroot\\bin\\ext.dll", "C:\\inetpub\\wwwroot\\bin\\late.dll"]);
  });
});
