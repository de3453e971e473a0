// The IIS configuration log coverage warning concerns IIS servers only: a host that sent no event of IIS (a domain
// controller, a file server) is not told its IIS configuration log is missing, in the hosts table, its filter or
// the overview — while an IIS server without that log is. Events go through the real pipeline (upload, worker,
// merge), which maintains the hosts' counters, and deleting an upload recomputes them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { drainUploads } from "../../tests/pipeline";
import { resetDatabase } from "../../tests/db-setup";
import { receiveUpload } from "../ingest/uploads";
import { deleteUpload } from "../pipeline/delete-upload";
import { overviewCounts } from "../views/overview";
import { hostListParams, listHosts } from "./queries";

interface TestEvent {
  host: string;
  provider: string;
  eventSourceName?: string;
  channel: string;
  eventId: number;
  recordId: number;
}

const eventXml = (e: TestEvent) =>
  `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${e.provider}'${e.eventSourceName ? ` EventSourceName='${e.eventSourceName}'` : ""}/>` +
  `<EventID>${e.eventId}</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>` +
  `<TimeCreated SystemTime='2026-11-02T10:00:0${e.recordId % 10}.000Z'/><EventRecordID>${e.recordId}</EventRecordID><Channel>${e.channel}</Channel>` +
  `<Computer>${e.host}</Computer><Security/></System><EventData/></Event>`;

async function upload(filename: string, events: TestEvent[]): Promise<string> {
  const bytes = Buffer.from(`<Events>${events.map(eventXml).join("")}</Events>`);
  const id = await receiveUpload({ filename, body: new Blob([bytes]).stream(), expectedBytes: bytes.length });
  await drainUploads();
  return id;
}

// A domain controller: logons and services, nothing of IIS.
const dc = (recordId: number): TestEvent => ({ host: "dc01", provider: "Microsoft-Windows-Security-Auditing", channel: "Security", eventId: 4624, recordId });
// An IIS server whose configuration log is not collected: only the worker process's Application events (2282).
const w3wpOnly = (recordId: number): TestEvent => ({
  host: "web01",
  provider: "Microsoft-Windows-IIS-W3SVC-WP",
  eventSourceName: "W3SVC-WP",
  channel: "Application",
  eventId: 2282,
  recordId,
});
// An IIS server that collects it.
const configured = (recordId: number): TestEvent => ({
  host: "web02",
  provider: "Microsoft-Windows-IIS-Configuration",
  channel: "Microsoft-IIS-Configuration/Operational",
  eventId: 29,
  recordId,
});

const coverageOf = async (id: string) => {
  const row = (await listHosts(hostListParams.parse({}))).rows.find((h) => h.id === id)!;
  return { iisConfigEvents: row.iisConfigEvents, iisEvents: row.iisEvents };
};
const listedMissing = async () => (await listHosts(hostListParams.parse({ coverage: "missing" }))).rows.map((h) => h.id);

beforeEach(async () => {
  await resetDatabase();
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-coverage-"));
});

describe("IIS configuration log coverage", () => {
  it("flags an IIS server without the log, not a host that has no IIS at all", async () => {
    await upload("fleet.xml", [dc(1), dc(2), w3wpOnly(3), configured(4), { ...w3wpOnly(5), host: "web02" }]);

    expect(await coverageOf("dc01")).toEqual({ iisConfigEvents: 0, iisEvents: 0 });
    expect(await coverageOf("web01")).toEqual({ iisConfigEvents: 0, iisEvents: 1 });
    expect(await coverageOf("web02")).toEqual({ iisConfigEvents: 1, iisEvents: 2 });
    expect(await listedMissing()).toEqual(["web01"]);
    expect((await listHosts(hostListParams.parse({ coverage: "missing" }))).total).toBe(1);
    // The overview's card links to coverage=missing: the same count.
    expect((await overviewCounts()).hostsWithoutIisConfigLog).toBe(1);
    expect((await listHosts(hostListParams.parse({ coverage: "present" }))).rows.map((h) => h.id)).toEqual(["web02"]);
  });

  it("knows IIS by a legacy event source name too (classic exports print W3SVC-WP or WAS as the provider)", async () => {
    await upload("legacy.xml", [{ host: "web03", provider: "WAS", channel: "System", eventId: 5186, recordId: 1 }, dc(2)]);
    expect(await coverageOf("web03")).toEqual({ iisConfigEvents: 0, iisEvents: 1 });
    expect(await listedMissing()).toEqual(["web03"]);
  });

  it("a host whose only IIS events are deleted with their upload is no longer listed as missing the log", async () => {
    await upload("dc.xml", [dc(1)]);
    const iisUpload = await upload("iis.xml", [{ ...w3wpOnly(2), host: "dc01" }]);
    expect(await listedMissing()).toEqual(["dc01"]);

    await deleteUpload(iisUpload);
    expect(await coverageOf("dc01")).toEqual({ iisConfigEvents: 0, iisEvents: 0 });
    expect(await listedMissing()).toEqual([]);
    expect((await overviewCounts()).hostsWithoutIisConfigLog).toBe(0);
  });
});
