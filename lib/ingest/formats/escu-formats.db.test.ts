// Item 3 of "one event model for every format": the same six events exported in every layout (fixtures/escu/,
// hand-written) give the identical ESCU rows — fields, count, firstTime, lastTime — and the identical risk events,
// computed by the real detection engine on the database, and equal to the rows written here by hand from the
// Splunk semantics (docs/reference/splunk-semantics.md §1, §2, §5, §7). The events include a 2282 whose data is
// one positional value (no ModuleDll: no row in any format), a 29 with a repeated <Data Name> (the first value
// keeps the name, as in Splunk) and 2282 messages wrapped onto a second line (classic text, CSV, JSON).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../../tests/db-setup";
import { db } from "../../db/client";
import { listResults } from "../../detections/queries";
import { runScheduled } from "../../detections/runs";
import { storeAsUpload } from "../../../tests/support/iis-events";
import type { NormalizedEvent } from "../event";
import { readLogFile } from "../read-file";
import { ESCU_CASES, ESCU_HOST } from "../../../tests/support/escu-fixtures";

const NEW_MODULE = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
const FAILED_TO_LOAD = "40c2ba5b-dd6a-496b-9e6e-c9524d0be167";

// Written by hand from the fixtures' events and the two searches:
//   `wineventlog_application` EventCode=2282 | stats count min(_time) max(_time) by EventCode dest Name ModuleDll
//   `iis_operational_logs` EventCode=29 | stats count min(_time) max(_time) by OpCode EventCode ComputerName Message
//     | rename ComputerName AS dest
// 2282 at 10:15:30 and 10:42:10 share the module; the one at 10:20:00 has no ModuleDll, so `stats … by` drops it.
// 29: the globalModules change at 10:05:00 and 10:30:00 share a Message; the modules change at 10:05:00 is alone.
// ctime is to the second (security_content_ctime), so classic text's second-precision clock gives the same rows.
const EXPECTED_FAILED_TO_LOAD = [
  {
    EventCode: "2282",
    dest: "WEB01.contoso.local",
    Name: "Microsoft-Windows-IIS-W3SVC-WP",
    ModuleDll: "C:\\Windows\\Temp\\iisbd64.dll",
    count: 2,
    firstTime: "2024-03-05T10:15:30",
    lastTime: "2024-03-05T10:42:10",
  },
];
const EXPECTED_NEW_MODULE = [
  {
    OpCode: "Info",
    EventCode: "29",
    dest: "WEB01.contoso.local",
    Message: `Changes to '/system.webServer/globalModules/add[@name="IisBackdoor"]' at 'MACHINE/WEBROOT/APPHOST' have successfully been committed.`,
    count: 2,
    firstTime: "2024-03-05T10:05:00",
    lastTime: "2024-03-05T10:30:00",
  },
  {
    OpCode: "Info",
    EventCode: "29",
    dest: "WEB01.contoso.local",
    Message: `Changes to '/system.webServer/modules/add[@name="IisBackdoor"]' at 'MACHINE/WEBROOT/APPHOST' have successfully been committed.`,
    count: 1,
    firstTime: "2024-03-05T10:05:00",
    lastTime: "2024-03-05T10:05:00",
  },
];
// One risk event per row and risk object (dest, system): 25 for Failed to Load (v5), 48 for New Module Added. ESCU's
// score is the base score: the module provenance factors added to it depend on the event data a layout keeps (a
// Get-WinEvent export names no Event 29 data, so no module name), and are tested in lib/detections/risk-factors.db.test.ts.
const RISK_MESSAGE = "A new IIS Module has been loaded and should be reviewed on WEB01.contoso.local.";
const EXPECTED_RISK = [
  { detectionId: FAILED_TO_LOAD, riskObject: ESCU_HOST, riskObjectType: "system", normalizedRiskObject: "web01.contoso.local", riskScore: 25, riskMessage: RISK_MESSAGE },
  { detectionId: NEW_MODULE, riskObject: ESCU_HOST, riskObjectType: "system", normalizedRiskObject: "web01.contoso.local", riskScore: 48, riskMessage: RISK_MESSAGE },
  { detectionId: NEW_MODULE, riskObject: ESCU_HOST, riskObjectType: "system", normalizedRiskObject: "web01.contoso.local", riskScore: 48, riskMessage: RISK_MESSAGE },
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "escu-formats-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function readFile(file: string, host?: string): Promise<NormalizedEvent[]> {
  const events: NormalizedEvent[] = [];
  for await (const { record } of readLogFile(file, { host })) {
    if (!record.ok) throw new Error(`rejected: ${record.rejected.reason}`);
    events.push(record.event);
  }
  return events;
}

const byMessage = (a: { Message?: unknown }, b: { Message?: unknown }) => String(a.Message ?? "").localeCompare(String(b.Message ?? ""));

interface Outcome {
  failedToLoad: Record<string, unknown>[];
  newModule: Record<string, unknown>[];
  risk: Record<string, unknown>[];
}

async function escuRowsOf(bytes: Buffer, file: string, host?: string): Promise<Outcome> {
  const filePath = path.join(tmp, file);
  fs.writeFileSync(filePath, bytes);
  const events = await readFile(filePath, host);
  expect(events).toHaveLength(6);
  await storeAsUpload(events, file);
  // The 11:00 window is [10:00, 11:00) (-70m@m to -10m@m of 11:10), which holds every event.
  await runScheduled(new Date("2024-03-05T11:10:00Z"));
  const failed = (await listResults({ detectionId: FAILED_TO_LOAD })).rows.map((r) => r.fields as Record<string, unknown>);
  const added = (await listResults({ detectionId: NEW_MODULE })).rows.map((r) => r.fields as Record<string, unknown>).sort(byMessage);
  // The two ESCU detections' risk (SigmaHQ's rules read some of these events too: lib/detections/sigma.db.test.ts),
  // before the provenance factors (which need names some exports do not carry).
  const risk = (await db().riskEvent.findMany({ where: { detectionId: { in: [FAILED_TO_LOAD, NEW_MODULE] } } }))
    .map((r) => ({ detectionId: r.detectionId, riskObject: r.riskObject, riskObjectType: r.riskObjectType, normalizedRiskObject: r.normalizedRiskObject, riskScore: r.baseRiskScore!, riskMessage: r.riskMessage }))
    .sort((a, b) => a.detectionId.localeCompare(b.detectionId) || a.riskScore - b.riskScore);
  return { failedToLoad: failed, newModule: added, risk };
}

beforeEach(resetDatabase);

describe("every export layout gives the identical ESCU rows and risk (both detections)", () => {
  const outcomes = new Map<string, Outcome>();

  it.each(ESCU_CASES)("$name", async ({ name, file, bytes, options }) => {
    const outcome = await escuRowsOf(bytes(), file, options?.host);
    outcomes.set(name, outcome);
    expect(outcome.failedToLoad).toEqual(EXPECTED_FAILED_TO_LOAD);
    expect(outcome.newModule).toEqual(EXPECTED_NEW_MODULE);
    expect(outcome.risk).toEqual([...EXPECTED_RISK].sort((a, b) => a.detectionId.localeCompare(b.detectionId) || a.riskScore - b.riskScore));
  });

  it("and the layouts agree with each other row for row", () => {
    expect(outcomes.size).toBe(ESCU_CASES.length);
    const [first, ...rest] = [...outcomes.values()];
    for (const o of rest) expect(o).toEqual(first);
  });
});
