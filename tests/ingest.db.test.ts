import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../lib/db/client";
import { eventsFile, event2282, event29 } from "../e2e/events";
import { listResults } from "../lib/detections";
import { getEvent, getUploadReport } from "../lib/ingest/queries";
import { uploadFindings } from "../lib/views/upload-findings";
import { receiveUpload } from "../lib/ingest/uploads";
import { resetDatabase } from "./db-setup";
import { drainUploads, ingestFile } from "./pipeline";
import { SAMPLE_2282_XML, SAMPLE_EVTX } from "./samples";

const ingest = (file: string, name = path.basename(file)) => ingestFile(file, { name });

function tempFile(name: string, content: string | Buffer) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe("ingesting the real 2282 sample", () => {
  beforeEach(resetDatabase);

  it("stores its event with host, channel, provider, event code, time and the original text", async () => {
    const { outcome, upload } = await ingest(SAMPLE_2282_XML);
    expect(outcome).toBe("ok");
    expect(upload).toMatchObject({ status: "done", format: "xml", recordsRead: 1, stored: 1, duplicates: 0, rejected: 0 });

    const events = await db().event.findMany();
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(e.host).toBe("win-dc-exch01.attackrange.local");
    expect(e.channel).toBe("Application");
    expect(e.provider).toBe("Microsoft-Windows-IIS-W3SVC-WP");
    expect(e.eventCode).toBe(2282);
    expect(e.qualifiers).toBe(49152);
    expect(e.recordId).toBe(1001307n);
    expect(e.time.toISOString()).toBe("2022-12-20T15:58:25.325Z");
    expect(e.timeCreated).toBe("2022-12-20T15:58:25.325383600Z");
    expect(e.fModuleDll).toBe("c:\\temp\\msf.dll");
    expect(e.dest).toBe("win-dc-exch01.attackrange.local");
    expect(e.raw).toBe(fs.readFileSync(SAMPLE_2282_XML, "utf8").trim());
    expect(e.uploadId).toBe(upload.id);
    expect(e.position).toBe(1);

    // Sub-millisecond precision survives in the database itself.
    const [{ micros }] = await db().$queryRaw<{ micros: number }[]>`SELECT extract(microseconds FROM time)::int AS micros FROM events`;
    expect(micros).toBe(25_325_384);

    const host = await db().host.findUniqueOrThrow({ where: { id: "win-dc-exch01.attackrange.local" } });
    expect(host.eventCount).toBe(1);

    // The event's own page reads it by its id, with the upload it came from; an id from the URL that is not one
    // (text, a number past bigint) is no event, never a database error.
    const detail = await getEvent(String(e.id));
    expect(detail).toMatchObject({ recordId: "1001307", position: 1, upload: { id: upload.id, filename: path.basename(SAMPLE_2282_XML) } });
    expect(detail!.data).toMatchObject({ ModuleDll: "c:\\temp\\msf.dll" });
    for (const bad of ["abc", "1e3", "-1", "99999999999999999999", "1\u0000"]) expect(await getEvent(bad), bad).toBeNull();
    expect(await getEvent(String(e.id + 1000n))).toBeNull();
  });

  it("stores the event once when the same file is uploaded again, and reports the duplicate", async () => {
    await ingest(SAMPLE_2282_XML);
    const { upload } = await ingest(SAMPLE_2282_XML, "again.xml");
    expect(upload).toMatchObject({ status: "done", recordsRead: 1, stored: 0, duplicates: 1 });
    expect(await db().event.count()).toBe(1);
    expect((await db().host.findUniqueOrThrow({ where: { id: "win-dc-exch01.attackrange.local" } })).eventCount).toBe(1);
  });
});

describe("a damaged EVTX file", () => {
  beforeEach(resetDatabase);

  it("stores every record and reports the checksum it worked around, with its file offset", async () => {
    const evtx = Buffer.from(fs.readFileSync(SAMPLE_EVTX));
    const chunkStart = 4096;
    evtx[chunkStart + 52] ^= 0xff; // the first chunk's stored event-records CRC32 no longer matches
    const { outcome, upload } = await ingest(tempFile("damaged.evtx", evtx));
    expect(outcome).toBe("ok");
    expect(upload).toMatchObject({ status: "done", format: "evtx", recordsRead: 40, stored: 40, rejected: 0 });
    const notices = upload.notices as { location: string; message: string }[];
    expect(notices.length).toBeGreaterThan(0);
    // Reported at the checksum it concerns, in the first chunk's 512-byte header.
    const offset = Number(/^byte (\d+) \(chunk 0\)$/.exec(notices[0].location)?.[1]);
    expect(offset).toBeGreaterThanOrEqual(chunkStart);
    expect(offset).toBeLessThan(chunkStart + 512);
    expect(notices[0].message).toMatch(/CRC/i);
  });
});

describe("hostile text in events", () => {
  beforeEach(resetDatabase);

  it("stores an event whose data holds NUL characters, with U+FFFD in their place", async () => {
    const record = {
      "@timestamp": "2026-11-01T10:00:00.000Z",
      winlog: {
        event_id: 2282,
        channel: "Application",
        provider_name: "Microsoft-Windows-IIS-W3SVC-WP",
        computer_name: "web01",
        record_id: 7,
        event_data: { ModuleDll: "c:\\x\u0000y.dll", ProcessorArchitecture: "AMD64" },
      },
    };
    const { outcome, upload } = await ingest(tempFile("nul.ndjson", JSON.stringify(record) + "\n"));
    expect(outcome).toBe("ok");
    expect(upload).toMatchObject({ status: "done", stored: 1 });
    const [e] = await db().event.findMany();
    expect((e.data as Record<string, string>).ModuleDll).toBe("c:\\x\uFFFDy.dll");
    expect(e.fModuleDll).toBe("c:\\x\uFFFDy.dll");
  });
});

describe("a file that is not an event log", () => {
  beforeEach(resetDatabase);

  it("fails with a clear error and stores nothing", async () => {
    const readme = tempFile("notes.txt", "# My notes\n\nThese are not Windows events, just text.\n".repeat(20));
    const { outcome, upload } = await ingest(readme);
    expect(outcome).toMatch(/not a Windows event log/);
    expect(upload.status).toBe("failed");
    expect(upload.error).toMatch(/not a Windows event log/);
    expect(upload.error).toContain('it starts with "# My notes"');
    expect(await db().event.count()).toBe(0);
  });

  it("does not disturb what earlier uploads stored", async () => {
    await ingest(SAMPLE_2282_XML);
    await ingest(tempFile("garbage.bin", Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 7, 9])));
    expect(await db().event.count()).toBe(1);
    expect((await db().host.findUniqueOrThrow({ where: { id: "win-dc-exch01.attackrange.local" } })).eventCount).toBe(1);
  });
});

describe("uploads received over HTTP", () => {
  beforeEach(resetDatabase);

  it("refuses a body over the size limit while it streams, and stores nothing", async () => {
    process.env.IISWATCH_MAX_UPLOAD_BYTES = "100";
    process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-data-"));
    try {
      const body = new Blob([fs.readFileSync(SAMPLE_2282_XML)]).stream();
      await expect(receiveUpload({ filename: "big.xml", body })).rejects.toThrow(/upload limit/);
      const [upload] = await db().upload.findMany();
      expect(upload.status).toBe("failed");
      expect(await db().event.count()).toBe(0);
    } finally {
      delete process.env.IISWATCH_MAX_UPLOAD_BYTES;
    }
  });

  it("processes a received file in the background", async () => {
    process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-data-"));
    const id = await receiveUpload({ filename: "sample.xml", body: new Blob([fs.readFileSync(SAMPLE_2282_XML)]).stream() });
    await drainUploads();
    expect(await db().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "done", stored: 1 });
  });

  it("a body cut off before its declared length is never processed: its partial file is removed and its row says why", async () => {
    process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-data-"));
    const bytes = fs.readFileSync(SAMPLE_2282_XML);
    const body = new Blob([bytes.subarray(0, 100)]).stream();
    await expect(receiveUpload({ filename: "cut.xml", body, expectedBytes: bytes.length })).rejects.toThrow(/ended after 100 of/);
    const [upload] = await db().upload.findMany();
    expect(upload).toMatchObject({ status: "failed", sha256: null });
    expect(upload.error).toMatch(/ended after 100 of/);
    expect(fs.readdirSync(path.join(process.env.IISWATCH_DATA_DIR, "spool"))).toEqual([]);
    await drainUploads();
    expect(await db().event.count()).toBe(0);
  });

  it("a received body is recorded with its size and SHA-256 before it is queued", async () => {
    process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-data-"));
    const bytes = fs.readFileSync(SAMPLE_2282_XML);
    const id = await receiveUpload({ filename: "sample.xml", body: new Blob([bytes]).stream(), expectedBytes: bytes.length });
    const queued = await db().upload.findUniqueOrThrow({ where: { id } });
    expect(queued).toMatchObject({ status: "queued", sizeBytes: BigInt(bytes.length) });
    expect(queued.sha256).toBe((await import("node:crypto")).createHash("sha256").update(bytes).digest("hex"));
    expect(fs.readdirSync(path.join(process.env.IISWATCH_DATA_DIR, "spool"))).toEqual([id]);
    await drainUploads();
    // The spool file goes once the upload is stored.
    expect(fs.readdirSync(path.join(process.env.IISWATCH_DATA_DIR, "spool"))).toEqual([]);
  });
});

describe("every record accounted for", () => {
  beforeEach(resetDatabase);

  it("a bad record is rejected with its position and reason in the upload's report; the others are stored", async () => {
    const sample = fs.readFileSync(SAMPLE_2282_XML, "utf8").trim();
    const record = (id: number) => sample.replace(/<EventRecordID>\d+<\/EventRecordID>/, `<EventRecordID>${id}</EventRecordID>`);
    const bad = record(2).replace(/<EventID Qualifiers='49152'>2282<\/EventID>/, "<EventID>not-a-number</EventID>");
    expect(bad).not.toBe(record(2));
    const { outcome, upload } = await ingest(tempFile("three.xml", [record(1), bad, record(3)].join("\n") + "\n"));
    expect(outcome).toBe("ok");
    expect(upload).toMatchObject({ status: "done", recordsRead: 3, stored: 2, rejected: 1 });
    const report = (await getUploadReport(upload.id))!;
    expect(report.rejections).toHaveLength(1);
    expect(report.rejections[0]).toMatchObject({ position: 2 });
    expect(report.rejections[0].reason).toBe("invalid event id 'not-a-number'");
    expect(report.rejections[0].excerpt).toBe(`${bad.slice(0, 200)}…`); // the start of the record as read
    // A progress poll asks for the counters only.
    expect((await getUploadReport(upload.id, 0))!.rejections).toEqual([]);
    expect((await db().event.findMany({ orderBy: { position: "asc" } })).map((e) => e.recordId)).toEqual([1n, 3n]);
  });
});

describe("idempotent ingest", () => {
  beforeEach(resetDatabase);

  it("two exports that overlap store each event once and report the overlap as duplicates", async () => {
    const sample = fs.readFileSync(SAMPLE_2282_XML, "utf8").trim();
    const record = (id: number) => sample.replace(/<EventRecordID>\d+<\/EventRecordID>/, `<EventRecordID>${id}</EventRecordID>`);
    const file = (name: string, ids: number[]) => tempFile(name, ids.map(record).join("\n") + "\n");
    const a = await ingest(file("monday.xml", [1, 2, 3]));
    const b = await ingest(file("tuesday.xml", [2, 3, 4]));
    expect(a.upload).toMatchObject({ status: "done", stored: 3, duplicates: 0 });
    expect(b.upload).toMatchObject({ status: "done", recordsRead: 3, stored: 1, duplicates: 2 });
    expect((await db().event.findMany({ orderBy: { recordId: "asc" } })).map((e) => [e.recordId, e.uploadId])).toEqual([
      [1n, a.upload.id],
      [2n, a.upload.id],
      [3n, a.upload.id],
      [4n, b.upload.id],
    ]);
  });
});

describe("text that is partly bad keeps what is good", () => {
  beforeEach(resetDatabase);

  const sample = () => fs.readFileSync(SAMPLE_2282_XML, "utf8").trim();
  const record = (id: number, host = "win-dc-exch01.attackrange.local") =>
    sample().replace(/<EventRecordID>\d+<\/EventRecordID>/, `<EventRecordID>${id}</EventRecordID>`).replace("win-dc-exch01.attackrange.local", host);

  it("rejects only the record holding a NUL byte, stores invalid UTF-8 as U+FFFD, and lists where in the report", async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${record(1)}\n${record(2, "web\u000002")}\n`),
      Buffer.from(`${record(3, "web\u00ff03")}\n`, "latin1"),
      Buffer.from(`${record(4)}\n`),
    ]);
    const { outcome, upload } = await ingest(tempFile("partly-bad.xml", bytes));
    expect(outcome).toBe("ok");
    expect(upload).toMatchObject({ status: "done", recordsRead: 4, stored: 3, rejected: 1 });
    const report = (await getUploadReport(upload.id))!;
    expect(report.rejections).toEqual([
      expect.objectContaining({ position: 2, location: `line ${record(1).split("\n").length + 1}`, reason: expect.stringMatching(/^binary data \(a NUL byte\) inside the record, at line \d+, column \d+/) }),
    ]);
    // A summary notice of the file (kept in the report however many one-problem notices came before it).
    const notices = report.notices as { location: string; message: string; summary?: true }[];
    expect(notices).toEqual([{ location: expect.stringMatching(/^line \d+ \(byte \d+\)$/), summary: true, message: expect.stringMatching(/^invalid UTF-8 in 1 place, stored as U\+FFFD/) }]);
    const events = await db().event.findMany({ orderBy: { position: "asc" } });
    expect(events.map((e) => [e.recordId, e.host])).toEqual([
      [1n, "win-dc-exch01.attackrange.local"],
      [3n, "web\uFFFD03"],
      [4n, "win-dc-exch01.attackrange.local"],
    ]);
  });

  it("names the uploaded file in its error, never the spooled copy's id; a bomb is called one", async () => {
    const { gzipSync } = await import("node:zlib");
    const bomb = gzipSync(Buffer.concat([Buffer.from(`${record(1)}\n`), Buffer.alloc(16 * 1024 * 1024, " ")]));
    const { upload } = await ingest(tempFile("x.gz", bomb), "web01-app.xml.gz");
    expect(upload.status).toBe("failed");
    expect(upload.error).toMatch(/^'web01-app\.xml\.gz' expands more than \d+:1 .*: it looks like a decompression bomb, refused/);
    expect(upload.error).not.toContain(upload.id);
  });
});

describe("an EVTX file converted from ETW (every <Channel/> empty)", () => {
  beforeEach(resetDatabase);

  it("stores every record with an empty channel and says so once in the report", async () => {
    const { chunk, evtxFile, record, simpleEvent } = await import("./support/evtx-builder");
    const file = evtxFile([chunk(Array.from({ length: 20 }, (_, i) => (pos: number) => record(pos, i + 1, simpleEvent(i + 1, [], 5, { channel: "" }))))]);
    const { outcome, upload } = await ingest(tempFile("etw.evtx", file));
    expect(outcome).toBe("ok");
    expect(upload).toMatchObject({ status: "done", recordsRead: 20, stored: 20, rejected: 0 });
    expect(await db().event.count({ where: { channel: "" } })).toBe(20);
    const notices = (await getUploadReport(upload.id))!.notices as { message: string }[];
    expect(notices.filter((n) => /empty channel/.test(n.message)).map((n) => n.message)).toEqual([expect.stringMatching(/^20 records have an empty channel/)]);
  });
});

describe("what an upload found", () => {
  beforeEach(resetDatabase);

  it("reports its hosts, event time span, and the results, notables and risk its events are part of; a duplicates-only upload says the same", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-findings-"));
    const file = path.join(dir, "october.xml");
    // October, two months before "now": historical data.
    fs.writeFileSync(
      file,
      eventsFile([
        event2282("web01", "2026-10-02T10:15:00.000Z", 1, "c:\\temp\\msf.dll"),
        event2282("web01", "2026-10-02T10:20:00.000Z", 2, "c:\\temp\\msf.dll"),
        event29("web02", "2026-10-02T11:05:00.000Z", 3, "EvilModule"),
        event29("WEB02", "2026-10-03T09:00:00.000Z", 4, "OtherModule"),
      ]),
    );
    const first = await ingestFile(file);
    expect(first.outcome).toBe("ok");
    const found = await uploadFindings(first.upload.id);

    // The same figures, written here in SQL from the tables.
    const [expected] = await db().$queryRaw<{ results: number; notables: number; risk: number }[]>`
      SELECT count(DISTINCT r.id)::int AS results, count(DISTINCT n.id)::int AS notables,
             (SELECT coalesce(sum(risk_score), 0)::int FROM risk_events) AS risk
      FROM detection_results r LEFT JOIN notables n ON n.result_id = r.id`;
    // One Module Failed to Load (web01, 25) and two New Module Added (48 each, a notable each), as the spec says, plus
    // their provenance factors (lib/detections/risk-factors.ts): msf.dll in C:\temp, outside the IIS folders and new on
    // web01 (+50), each module new on web02 (+10 each): 75 + 58 + 58.
    expect(expected).toEqual({ results: 3, notables: 2, risk: 191 });
    expect(found).toMatchObject({
      hostCount: 2,
      hosts: [
        { id: "web01", events: 2 },
        { id: "web02", events: 2 },
      ],
      results: expected.results,
      notables: expected.notables,
      openNotables: expected.notables,
      risk: expected.risk,
    });
    expect([found.firstEvent?.toISOString(), found.lastEvent?.toISOString()]).toEqual(["2026-10-02T10:15:00.000Z", "2026-10-03T09:00:00.000Z"]);

    // The same file again stores nothing, and its report finds the same.
    const again = await ingestFile(file, { name: "october-again.xml" });
    expect(again.upload).toMatchObject({ stored: 0, duplicates: 4 });
    expect(await uploadFindings(again.upload.id)).toEqual(found);
    // The results page's upload filter lists exactly those results.
    expect((await listResults({ uploadId: again.upload.id })).total).toBe(expected.results);
  });
});
