// Each host's last event per collected channel, and the quiet-shipper flag, measured against the view's reference
// time: events go through the real pipeline (upload, worker, merge), which keeps host_channels; deleting an upload and
// retention recount them; the hosts page renders them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetDatabase } from "../../tests/db-setup";

vi.mock("next/headers", async () => (await import("../../tests/next-request")).headersModule);
vi.mock("next/navigation", async (original) => ({
  ...(await original<typeof import("next/navigation")>()),
  useRouter: () => ({ push() {}, replace() {}, refresh() {}, prefetch() {}, back() {} }),
  usePathname: () => "/hosts",
  useSearchParams: () => new URLSearchParams(),
}));

const { setRequest, renderPage } = await import("../../tests/next-request");
const { signedInUser } = await import("../../tests/support/accounts");
const { drainUploads } = await import("../../tests/pipeline");
const { receiveUpload } = await import("../ingest/uploads");
const { deleteUpload } = await import("../pipeline/delete-upload");
const { applyRetention } = await import("../pipeline/retention");
const { pgPool } = await import("../db/pg");
const { hostListParams, listHosts } = await import("./queries");
const { channelActivity } = await import("./channels");
const { createHecToken } = await import("../hec/tokens");
const { cliActor } = await import("../audit/log");
const { hecRequest } = await import("../../tests/support/hec");
const eventRoute = await import("../../app/services/collector/event/route");

const IIS_CONFIG = "Microsoft-IIS-Configuration/Operational";

interface TestEvent {
  host: string;
  channel: string;
  provider: string;
  eventId: number;
  recordId: number;
  time: string;
}

const eventXml = (e: TestEvent) =>
  `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${e.provider}'/>` +
  `<EventID>${e.eventId}</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>` +
  `<TimeCreated SystemTime='${e.time}'/><EventRecordID>${e.recordId}</EventRecordID><Channel>${e.channel}</Channel>` +
  `<Computer>${e.host}</Computer><Security/></System><EventData/></Event>`;

async function upload(filename: string, events: TestEvent[]): Promise<string> {
  const bytes = Buffer.from(`<Events>${events.map(eventXml).join("")}</Events>`);
  const id = await receiveUpload({ filename, body: new Blob([bytes]).stream(), expectedBytes: bytes.length });
  await drainUploads();
  return id;
}

const app = (recordId: number, time: string, channel = "Application"): TestEvent => ({
  host: "WEB01",
  channel,
  provider: "Microsoft-Windows-IIS-W3SVC-WP",
  eventId: 2282,
  recordId,
  time,
});
const config = (recordId: number, time: string): TestEvent => ({ host: "WEB01", channel: IIS_CONFIG, provider: "Microsoft-Windows-IIS-Configuration", eventId: 29, recordId, time });

/** web01's channels as the hosts table shows them at `at` (label, last event, quiet, later events). */
async function channelsAt(at: string, quietHours?: number) {
  if (quietHours !== undefined) return (await channelActivity(["web01"], new Date(at), quietHours)).get("web01")!;
  const row = (await listHosts(hostListParams.parse({}), new Date(at))).rows.find((h) => h.id === "web01");
  return row!.channels;
}
const brief = (channels: Awaited<ReturnType<typeof channelsAt>>) => channels.map((c) => [c.label, c.lastEvent, c.quiet ? "quiet" : "ok"]);

beforeEach(async () => {
  await resetDatabase();
  delete process.env.IISWATCH_QUIET_AFTER_HOURS;
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-channels-"));
});

describe("last event per channel and quiet shippers", () => {
  it("keeps each channel's last event at ingest, in any spelling of the channel, and leaves other channels out", async () => {
    await upload("first.xml", [app(1, "2026-11-01T10:00:00.000Z"), config(2, "2026-11-02T09:00:00.000Z")]);
    await upload("second.xml", [
      app(3, "2026-11-02T08:00:00.000Z", "application"),
      { host: "web01", channel: "System", provider: "Service Control Manager", eventId: 7036, recordId: 4, time: "2026-11-02T11:00:00.000Z" },
    ]);
    const { rows } = await pgPool().query(`SELECT host_id, channel, first_event, last_event, event_count FROM host_channels ORDER BY channel`);
    expect(rows).toEqual([
      { host_id: "web01", channel: "application", first_event: new Date("2026-11-01T10:00:00Z"), last_event: new Date("2026-11-02T08:00:00Z"), event_count: 2 },
      { host_id: "web01", channel: IIS_CONFIG.toLowerCase(), first_event: new Date("2026-11-02T09:00:00Z"), last_event: new Date("2026-11-02T09:00:00Z"), event_count: 1 },
    ]);
    // The table lists them in the declared order (the IIS configuration log first), neither quiet three hours later.
    expect(brief(await channelsAt("2026-11-02T12:00:00Z"))).toEqual([
      ["IIS configuration", "2026-11-02T09:00:00.000Z", "ok"],
      ["Application", "2026-11-02T08:00:00.000Z", "ok"],
    ]);
  });

  it("flags a channel silent for longer than IISWATCH_QUIET_AFTER_HOURS before the reference time, not a fresh or a sparse one", async () => {
    await upload("fleet.xml", [app(1, "2026-11-01T10:00:00.000Z"), app(2, "2026-11-02T08:00:00.000Z"), config(3, "2026-11-02T09:00:00.000Z")]);
    // 24.5 hours after the last Application event, 23.5 after the last configuration event (default: 24 hours).
    expect(brief(await channelsAt("2026-11-03T08:30:00Z"))).toEqual([
      ["IIS configuration", "2026-11-02T09:00:00.000Z", "ok"],
      ["Application", "2026-11-02T08:00:00.000Z", "quiet"],
    ]);
    // A week later the Application log is still quiet; the IIS configuration log, which wrote once (it writes only on a
    // change), is sparse: its silence is no sign of a stopped shipper.
    expect(brief(await channelsAt("2026-11-10T00:00:00Z"))).toEqual([
      ["IIS configuration", "2026-11-02T09:00:00.000Z", "ok"],
      ["Application", "2026-11-02T08:00:00.000Z", "quiet"],
    ]);
    process.env.IISWATCH_QUIET_AFTER_HOURS = "48";
    expect(brief(await channelsAt("2026-11-03T08:30:00Z")).map((c) => c[2])).toEqual(["ok", "ok"]);
    process.env.IISWATCH_QUIET_AFTER_HOURS = "0";
    await expect(channelsAt("2026-11-03T08:30:00Z")).rejects.toThrow(/IISWATCH_QUIET_AFTER_HOURS/);
  });

  it("is truthful on historical data: measured against the reference time, with the events after it left out", async () => {
    // The Application log every hour from 10:00 to 13:00, then silent until the next morning (on average every 5.5 h).
    const hourly = ["10", "11", "12", "13"].map((h, i) => app(i + 1, `2026-11-01T${h}:00:00.000Z`));
    await upload("fleet.xml", [...hourly, app(5, "2026-11-02T08:00:00.000Z"), config(6, "2026-11-02T09:00:00.000Z")]);
    // Months later by the clock, yet as of the latest data nothing is quiet.
    expect(brief(await channelsAt("2026-11-02T09:00:01Z")).map((c) => c[2])).toEqual(["ok", "ok"]);
    // Before the configuration log's first event it had not delivered yet: not listed. The Application log's last
    // event as of then is the one before it, not those that came after.
    const before = await channelsAt("2026-11-01T12:30:00Z");
    expect(brief(before)).toEqual([["Application", "2026-11-01T12:00:00.000Z", "ok"]]);
    expect(before[0].laterEvents).toBe(true);
    // With a 6-hour threshold: fresh at 15:00 (13:00 is within it), quiet at 20:00 although it delivered the next day.
    expect(brief(await channelsAt("2026-11-01T15:00:00Z", 6))).toEqual([["Application", "2026-11-01T13:00:00.000Z", "ok"]]);
    expect(brief(await channelsAt("2026-11-01T20:00:00Z", 6))).toEqual([["Application", null, "quiet"]]);
    // With a 2-hour threshold the channel is sparse (every 5.5 h on average): never quiet, its last event not searched.
    expect(brief(await channelsAt("2026-11-01T20:00:00Z", 2))).toEqual([["Application", null, "ok"]]);
  });

  it("follows an upload's deletion and retention", async () => {
    await upload("old.xml", [app(1, "2026-09-15T10:00:00.000Z"), config(2, "2026-09-15T11:00:00.000Z")]);
    const later = await upload("later.xml", [app(3, "2026-11-02T08:00:00.000Z"), config(4, "2026-11-02T09:00:00.000Z"), app(5, "2026-11-03T08:00:00.000Z")]);
    expect(brief(await channelsAt("2026-11-03T08:30:00Z"))).toEqual([
      ["IIS configuration", "2026-11-02T09:00:00.000Z", "ok"],
      ["Application", "2026-11-03T08:00:00.000Z", "ok"],
    ]);

    await deleteUpload(later);
    expect(brief(await channelsAt("2026-11-03T08:30:00Z"))).toEqual([
      ["IIS configuration", "2026-09-15T11:00:00.000Z", "ok"],
      ["Application", "2026-09-15T10:00:00.000Z", "ok"],
    ]);

    // Retention drops September: the channels of the events it takes go (the Application log keeps a later event).
    await upload("again.xml", [app(6, "2026-11-03T08:00:00.000Z")]);
    await applyRetention({ now: new Date("2026-11-04T00:00:00Z"), days: 30 });
    const { rows } = await pgPool().query(`SELECT channel, first_event, last_event, event_count FROM host_channels`);
    expect(rows).toEqual([{ channel: "application", first_event: new Date("2026-11-03T08:00:00Z"), last_event: new Date("2026-11-03T08:00:00Z"), event_count: 1 }]);
  });

  it("events arriving over HEC in the forms docs/shippers sends (event XML, NXLog JSON) keep the times too", async () => {
    const { token } = await createHecToken({ name: "shipper", ackEnabled: false }, cliActor());
    const xml = eventXml(config(1, "2026-11-02T09:00:00.000Z"));
    const nxlog = { EventTime: "2026-11-02T10:30:00.000000Z", Hostname: "WEB01", SourceName: "Microsoft-Windows-IIS-W3SVC-WP", EventID: 2282, Channel: "Application", RecordNumber: 2, ModuleDll: "C:\\x.dll", ProcessorArchitecture: "64-bit" };
    const body = [{ sourcetype: "XmlWinEventLog", event: xml }, { sourcetype: "_json", event: nxlog }].map((e) => JSON.stringify(e)).join("\n");
    const res = await eventRoute.POST(hecRequest({ path: "/services/collector/event", token, body }));
    expect(res.status).toBe(200);
    await drainUploads();
    expect(brief(await channelsAt("2026-11-02T12:00:00Z"))).toEqual([
      ["IIS configuration", "2026-11-02T09:00:00.000Z", "ok"],
      ["Application", "2026-11-02T10:30:00.000Z", "ok"],
    ]);
  });

  it("the quiet-shippers filter lists the hosts with a quiet channel, now and on a historical view", async () => {
    const web02 = (e: TestEvent): TestEvent => ({ ...e, host: "WEB02" });
    await upload("fleet.xml", [
      // web01: Application hourly on the 1st, then again on the 3rd. web02: Application every 12 hours throughout.
      ...["10", "11", "12", "13"].map((h, i) => app(i + 1, `2026-11-01T${h}:00:00.000Z`)),
      app(5, "2026-11-03T10:00:00.000Z"),
      ...["2026-11-01T08", "2026-11-01T20", "2026-11-02T08", "2026-11-02T20", "2026-11-03T08"].map((t, i) => web02(app(10 + i, `${t}:00:00.000Z`))),
    ]);
    const quietHosts = async (at: string) => (await listHosts(hostListParams.parse({ shipper: "quiet" }), new Date(at))).rows.map((h) => h.id);
    // As of the 3rd at noon (after all the data) neither is quiet; as of the 2nd at 18:00 web01 was (its later events
    // left out), web02 was not; with a 6-hour threshold neither is flagged: both deliver every 12 h on average, sparse
    // for that threshold.
    expect(await quietHosts("2026-11-03T12:00:00Z")).toEqual([]);
    expect(await quietHosts("2026-11-02T18:00:00Z")).toEqual(["web01"]);
    // The flag the table shows for each host agrees with the filter.
    const all = (await listHosts(hostListParams.parse({}), new Date("2026-11-02T18:00:00Z"))).rows;
    expect(all.map((h) => [h.id, h.channels.some((c) => c.quiet)])).toEqual(expect.arrayContaining([["web01", true], ["web02", false]]));
    process.env.IISWATCH_QUIET_AFTER_HOURS = "6";
    expect(await quietHosts("2026-11-02T18:00:00Z")).toEqual([]);
    // A week after the data ended both went quiet.
    delete process.env.IISWATCH_QUIET_AFTER_HOURS;
    expect((await quietHosts("2026-11-10T00:00:00Z")).sort()).toEqual(["web01", "web02"]);
  });

  it("the hosts page shows the last event per channel and flags the quiet one", async () => {
    await upload("fleet.xml", [app(1, "2026-11-01T10:00:00.000Z"), app(3, "2026-11-01T20:00:00.000Z"), config(2, "2026-11-02T09:00:00.000Z")]);
    const { cookies } = await signedInUser("admin1", "admin", "channels passphrase 1");
    setRequest(cookies, { host: "iiswatch.test", "x-forwarded-for": "192.0.2.10" });
    const page = await renderPage(await import("../../app/hosts/page"), {}, { at: "2026-11-02T22:00:00Z" });
    if (!("html" in page)) throw new Error(JSON.stringify(page));
    const text = page.html.replace(/<!-- -->/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toContain("Last event per channel");
    expect(text).toMatch(/IIS configuration: 2026-11-02 09:00:00/);
    expect(text).toMatch(/Application: 2026-11-01 20:00:00 ⚠ quiet/);
    expect(text).not.toMatch(/IIS configuration: 2026-11-02 09:00:00 ⚠ quiet/);

    // The host's page says it too, as of the end of the range it shows.
    const hostPage = await renderPage(await import("../../app/hosts/[host]/page"), { host: "web01" }, { range: "custom", from: "2026-11-01T00:00:00Z", to: "2026-11-02T22:00:00Z" });
    if (!("html" in hostPage)) throw new Error(JSON.stringify(hostPage));
    const hostText = hostPage.html.replace(/<!-- -->/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(hostText).toMatch(/Last event per channel/);
    expect(hostText).toMatch(/IIS configuration: 2026-11-02 09:00:00 Application: 2026-11-01 20:00:00 ⚠ quiet/);
  });
});
