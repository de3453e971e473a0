// Re-uploads: a file an earlier upload already brought (same bytes, read the same way) is recognised and not read
// again, yet reported record by record as reading it would; a file that grew since stores only its new records.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../lib/db/client";
import { pgPool } from "../lib/db/pg";
import { query, sql } from "../lib/db/sql";
import { eventsHeldBy } from "../lib/ingest/holding";
import { getUploadReport } from "../lib/ingest/queries";
import { runIngestJob } from "../lib/ingest/ingest-job";
import { adoptIdenticalUpload, findIdenticalUpload, IdenticalUploadGoneError, readAs } from "../lib/ingest/reupload";
import { receiveUpload } from "../lib/ingest/uploads";
import { QUEUES } from "../lib/jobs/queues";
import { deleteUpload } from "../lib/pipeline/delete-upload";
import { applyRetention } from "../lib/pipeline/retention";
import { resetDatabase } from "./db-setup";
import { uploadFindings } from "../lib/views/upload-findings";
import { drainUploads, ingestFile } from "./pipeline";
import { SAMPLE_2282_XML } from "./samples";

beforeEach(async () => {
  await resetDatabase();
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-reupload-"));
});

function tempFile(name: string, content: string | Buffer) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-")), name);
  fs.writeFileSync(file, content);
  return file;
}

const sample = () => fs.readFileSync(SAMPLE_2282_XML, "utf8").trim();
const record = (id: number, host = "web01") =>
  sample().replace(/<EventRecordID>\d+<\/EventRecordID>/, `<EventRecordID>${id}</EventRecordID>`).replace("win-dc-exch01.attackrange.local", host);

/**
 * A file with a bit of everything a report says: records stored, one repeated within the file, two rejected (a bad
 * event id, a NUL byte), invalid UTF-8 worked around (a notice), two hosts.
 */
function eventfulFile(): string {
  const bad = record(3).replace(/<EventID Qualifiers='49152'>2282<\/EventID>/, "<EventID>not-a-number</EventID>");
  return tempFile(
    "app.xml",
    Buffer.concat([
      Buffer.from([record(1), record(2), bad, record(4, "web02"), record(2), record(5, "web\u000005")].join("\n") + "\n"),
      Buffer.from(`${record(6, "web\u00ff06")}\n`, "latin1"),
      Buffer.from(`${record(7, "web02")}\n`),
    ]),
  );
}

/** An upload's report as the user sees it, rejections with their positions included. */
async function report(id: string) {
  const r = (await getUploadReport(id))!;
  return {
    status: r.status,
    format: r.format,
    recordsRead: r.recordsRead,
    stored: r.stored,
    duplicates: r.duplicates,
    rejected: r.rejected,
    bytesProcessed: r.bytesProcessed,
    sizeBytes: r.sizeBytes,
    notices: r.notices as { location: string; message: string; summary?: true; recognised?: true }[],
    rejections: r.rejections.map(({ position, location, reason, excerpt }) => ({ position, location, reason, excerpt })),
  };
}

const holderCount = async (uploadId: string) => db().eventHolder.count({ where: { uploadId } });
/** How many events an upload holds, however it holds them (stored, holder rows, or as an alias). */
const heldCount = async (uploadId: string) =>
  Number((await query<{ n: string }>(sql`SELECT count(*) AS n FROM (${eventsHeldBy(uploadId)}) held`))[0].n);

describe("the same file uploaded again", () => {
  it("is recognised and not read, and reports exactly what reading it again reports; deleting either upload keeps the events", async () => {
    const file = eventfulFile();
    const first = await ingestFile(file);
    expect(first.upload).toMatchObject({ status: "done", recordsRead: 8, stored: 5, duplicates: 1, rejected: 2 });
    const events = await db().event.count();
    const hosts = await db().host.findMany({ orderBy: { id: "asc" } });

    // Today's full path: the same bytes with the format named (read alike, but not "read the same way"), so read.
    const read = await ingestFile(file, { name: "read-again.xml", format: "xml" });
    // And the same bytes as the first was uploaded: recognised.
    const recognised = await ingestFile(file, { name: "again.xml" });
    const [full, fast] = [await report(read.upload.id), await report(recognised.upload.id)];
    expect(full).toMatchObject({ status: "done", recordsRead: 8, stored: 0, duplicates: 6, rejected: 2 });
    expect(full.notices.some((n) => n.recognised)).toBe(false);
    const [recognition, ...notices] = fast.notices;
    expect({ ...fast, notices }).toEqual(full);
    expect(recognition).toEqual({
      location: "the whole file",
      message: expect.stringMatching(/^identical to the upload 'app\.xml' of \d{4}-\d\d-\d\d \d\d:\d\d UTC \(the same bytes, read the same way\): not read again/),
      summary: true,
      recognised: true,
    });
    expect(recognition.message).not.toContain(first.upload.id);
    expect(fast.rejections.map((r) => r.position)).toEqual([3, 6]);
    expect(Number(fast.bytesProcessed)).toBe(fs.statSync(file).size);

    // Nothing stored twice; both later uploads hold every event of the file: the one read in full with a holder row
    // per event, the recognised one with a single row saying it holds what the first holds.
    expect(await db().event.count()).toBe(events);
    expect(await db().host.findMany({ orderBy: { id: "asc" } })).toEqual(hosts);
    expect(await heldCount(recognised.upload.id)).toBe(events);
    expect(await holderCount(recognised.upload.id)).toBe(0);
    expect(await db().uploadAlias.findMany({ select: { uploadId: true, aliasOf: true } })).toEqual([{ uploadId: recognised.upload.id, aliasOf: first.upload.id }]);
    expect(await holderCount(read.upload.id)).toBe(events);
    expect(await db().uploadEvaluation.count({ where: { uploadId: recognised.upload.id } })).toBeGreaterThan(0);

    // Deleting the upload that stored them keeps them (they pass to one that holds them), then the one read again;
    // the recognised one still holds them all, and owns them now.
    expect(await deleteUpload(first.upload.id)).toMatchObject({ events: 0, eventsKept: events });
    expect(await deleteUpload(read.upload.id)).toMatchObject({ events: 0 });
    expect(await db().event.count()).toBe(events);
    expect(await db().event.count({ where: { uploadId: recognised.upload.id } })).toBe(events);
    expect(await db().eventHolder.count()).toBe(0);
    expect(await db().host.findMany({ orderBy: { id: "asc" } })).toEqual(hosts);

    // Recognised again from the recognised one: its accounting, and one recognition notice, not two.
    const third = await ingestFile(file, { name: "third.xml" });
    const thirdReport = await report(third.upload.id);
    expect(thirdReport.notices.filter((n) => n.recognised).map((n) => n.message)).toEqual([expect.stringContaining("'again.xml'")]);
    expect({ ...thirdReport, notices: thirdReport.notices.slice(1) }).toEqual(full);
  });

  it("deleting the recognised upload keeps every event of the first", async () => {
    const file = eventfulFile();
    const first = await ingestFile(file);
    const again = await ingestFile(file, { name: "again.xml" });
    expect(again.upload).toMatchObject({ status: "done", stored: 0, duplicates: 6 });
    expect(await deleteUpload(again.upload.id)).toMatchObject({ events: 0, eventsKept: 0 });
    expect(await db().event.count({ where: { uploadId: first.upload.id } })).toBe(5);
    expect(await heldCount(first.upload.id)).toBe(5);
    expect(await db().eventHolder.count()).toBe(0);
    expect(await db().uploadAlias.count()).toBe(0);
  });

  it("read another way (a format or host named, where the first had none) is read, not recognised", async () => {
    const file = eventfulFile();
    await ingestFile(file);
    for (const options of [{ format: "xml" as const }, { defaults: { host: "somewhere" } }]) {
      const again = await ingestFile(file, { name: "again.xml", ...options });
      expect(again.upload).toMatchObject({ status: "done", stored: 0, duplicates: 6, rejected: 2 });
      expect((again.upload.notices as { recognised?: true }[]).some((n) => n.recognised)).toBe(false);
    }
  });

  it("is read when the earlier upload failed, and recognised once one with those bytes is stored", async () => {
    const file = eventfulFile();
    const failedId = await receiveUpload({ filename: "app.xml", body: fs.createReadStream(file), expectedBytes: fs.statSync(file).size });
    await pgPool().query(`UPDATE uploads SET attempts = 3 WHERE id = $1`, [failedId]);
    await drainUploads();
    expect((await db().upload.findUniqueOrThrow({ where: { id: failedId } })).status).toBe("failed");
    const read = await ingestFile(file, { name: "second.xml" });
    expect(read.upload).toMatchObject({ stored: 5, duplicates: 1 });
    const recognised = await ingestFile(file, { name: "third.xml" });
    expect((recognised.upload.notices as { message: string }[])[0].message).toContain("'second.xml'");
  });
});

describe("a recognised re-upload holds the earlier upload's events with one row", () => {
  /** What the user sees of an upload: its report's accounting and its findings (hosts, time span, results, risk). */
  async function shown(id: string) {
    const { recordsRead, stored, duplicates, rejected, rejections } = await report(id);
    return { recordsRead, stored, duplicates, rejected, rejections, findings: await uploadFindings(id), held: await heldCount(id) };
  }
  const results = () => db().detectionResult.count();

  it("deleting the first upload: the re-upload still shows all its events and findings; deleting it too removes them", async () => {
    const file = eventfulFile();
    const first = await ingestFile(file);
    const again = await ingestFile(file, { name: "again.xml" });
    const hosts = await db().host.findMany({ orderBy: { id: "asc" } });
    const before = await shown(again.upload.id);
    expect(before).toMatchObject({ recordsRead: 8, stored: 0, duplicates: 6, rejected: 2, held: 5 });
    expect(before.findings.hosts.map((h) => [h.name, h.events])).toEqual([["web01", 2], ["web02", 2], ["web\ufffd06", 1]]);
    expect(before.findings).toEqual(await uploadFindings(first.upload.id));
    expect(before.findings.results).toBeGreaterThan(0);
    const resultsBefore = await results();

    expect(await deleteUpload(first.upload.id)).toMatchObject({ events: 0, eventsKept: 5, results: 0 });
    expect(await shown(again.upload.id)).toEqual(before);
    expect(await db().host.findMany({ orderBy: { id: "asc" } })).toEqual(hosts);
    expect(await results()).toBe(resultsBefore);
    expect(await db().uploadAlias.count()).toBe(0);

    expect(await deleteUpload(again.upload.id)).toMatchObject({ events: 5, eventsKept: 0, results: resultsBefore });
    expect(await db().event.count()).toBe(0);
    expect(await db().host.count()).toBe(0);
    expect(await results()).toBe(0);
  });

  it("deleting the re-upload first removes only it: the first shows what it showed", async () => {
    const file = eventfulFile();
    const first = await ingestFile(file);
    const before = await shown(first.upload.id);
    const again = await ingestFile(file, { name: "again.xml" });
    expect(await deleteUpload(again.upload.id)).toMatchObject({ events: 0, eventsKept: 0, results: 0 });
    expect(await shown(first.upload.id)).toEqual(before);
    expect(await deleteUpload(first.upload.id)).toMatchObject({ events: 5 });
    expect(await db().event.count()).toBe(0);
  });

  it("chains: re-uploads of re-uploads hold the same events, whichever is deleted, until the last one goes", async () => {
    const file = eventfulFile();
    const x = await ingestFile(file, { name: "x.xml" });
    const y = await ingestFile(file, { name: "y.xml" });
    const z = await ingestFile(file, { name: "z.xml" });
    const recognisedFrom = async (id: string) => (await report(id)).notices.find((n) => n.recognised)?.message.match(/upload '([^']+)'/)?.[1];
    expect([await recognisedFrom(y.upload.id), await recognisedFrom(z.upload.id)]).toEqual(["x.xml", "x.xml"]);
    const findings = await uploadFindings(x.upload.id);
    expect(findings.results).toBeGreaterThan(0);
    const events = await db().event.findMany({ orderBy: { id: "asc" }, select: { id: true, hostId: true, eventKey: true } });

    // The earliest re-upload takes the first's place; the other holds what it holds.
    await deleteUpload(x.upload.id);
    const w = await ingestFile(file, { name: "w.xml" });
    expect(await recognisedFrom(w.upload.id)).toBe("y.xml");
    for (const u of [y, z, w]) expect(await uploadFindings(u.upload.id)).toEqual(findings);
    expect(await db().event.count({ where: { uploadId: y.upload.id } })).toBe(5);

    await deleteUpload(y.upload.id);
    for (const u of [z, w]) expect(await uploadFindings(u.upload.id)).toEqual(findings);
    expect(await deleteUpload(w.upload.id)).toMatchObject({ events: 0, eventsKept: 0 });
    expect(await uploadFindings(z.upload.id)).toEqual(findings);
    expect(await db().event.findMany({ orderBy: { id: "asc" }, select: { id: true, hostId: true, eventKey: true } })).toEqual(events);
    expect(await db().uploadAlias.count()).toBe(0);

    expect(await deleteUpload(z.upload.id)).toMatchObject({ events: 5 });
    expect(await db().event.count()).toBe(0);
    expect(await db().detectionResult.count()).toBe(0);
  });

  it("an alias of an alias is written as an alias of the upload that holds the events", async () => {
    const file = eventfulFile();
    const x = await ingestFile(file, { name: "x.xml" });
    const y = await ingestFile(file, { name: "y.xml" });
    // A third recognised from the second (as a worker that found it would): made an alias of the first.
    const id = await receiveUpload({ filename: "z.xml", body: fs.createReadStream(file), expectedBytes: fs.statSync(file).size });
    const { sha256 } = await db().upload.findUniqueOrThrow({ where: { id } });
    const reading = readAs({ format: null, recordHost: null, recordChannel: null });
    const client = await pgPool().connect();
    try {
      await client.query("BEGIN");
      const found = (await findIdenticalUpload(client, id, sha256!, reading, y.upload.id))!;
      await adoptIdenticalUpload(client, id, found, sha256!, reading);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    expect(await db().uploadAlias.findUniqueOrThrow({ where: { uploadId: id } })).toMatchObject({ aliasOf: x.upload.id });
    expect(await heldCount(id)).toBe(5);
  });

  it("retention drops the events every one of them holds; host counters follow, and both can still be deleted", async () => {
    // The sample is from 2022: stored while everything is kept, then its month expires.
    const file = tempFile("old.xml", `${record(1)}\n${record(2, "web02")}\n`);
    const first = await ingestFile(file);
    const again = await ingestFile(file, { name: "again.xml" });
    expect(await heldCount(again.upload.id)).toBe(2);
    expect((await applyRetention({ days: 365 })).dropped.length).toBe(1);
    for (const id of [first.upload.id, again.upload.id]) expect((await uploadFindings(id)).hostCount).toBe(0);
    expect((await db().host.findMany()).map((h) => h.eventCount)).toEqual([0, 0]);
    expect(await deleteUpload(first.upload.id)).toMatchObject({ events: 0, eventsKept: 0 });
    expect(await deleteUpload(again.upload.id)).toMatchObject({ events: 0, eventsKept: 0 });
    expect(await db().upload.count()).toBe(0);
  });

  it("an upload that holds the events as a duplicate keeps them once the first and its re-upload are gone", async () => {
    const file = eventfulFile();
    const first = await ingestFile(file);
    const again = await ingestFile(file, { name: "again.xml" });
    const read = await ingestFile(file, { name: "read.xml", format: "xml" });
    const findings = await uploadFindings(read.upload.id);
    await deleteUpload(first.upload.id);
    expect(await deleteUpload(again.upload.id)).toMatchObject({ events: 0, eventsKept: 5 });
    expect(await uploadFindings(read.upload.id)).toEqual(findings);
    expect(await db().event.count({ where: { uploadId: read.upload.id } })).toBe(5);
    expect(await db().eventHolder.count()).toBe(0);
  });
});

describe("a log that grew since it was uploaded", () => {
  it("XML: stores only the new records and counts the rest as duplicates", async () => {
    const { writeFleetLog } = await import("./faults/fixtures");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-grown-"));
    const end = new Date("2026-10-01T00:00:00Z");
    const timeline = { firstRecord: 1, count: 5000 };
    await writeFleetLog(path.join(dir, "monday.xml"), { count: 3000, end, timeline });
    await writeFleetLog(path.join(dir, "tuesday.xml"), { count: 5000, end, timeline });
    const monday = await ingestFile(path.join(dir, "monday.xml"));
    const tuesday = await ingestFile(path.join(dir, "tuesday.xml"));
    expect(monday.upload).toMatchObject({ status: "done", recordsRead: 3000, stored: 3000, duplicates: 0 });
    expect(tuesday.upload).toMatchObject({ status: "done", recordsRead: 5000, stored: 2000, duplicates: 3000 });
    expect(await holderCount(tuesday.upload.id)).toBe(3000);
    expect(await db().event.count()).toBe(5000);
    expect(await deleteUpload(monday.upload.id)).toMatchObject({ events: 0, eventsKept: 3000 });
    expect(await db().event.count()).toBe(5000);
  });

  it("EVTX: stores only the new records and counts the rest as duplicates", async () => {
    const { chunk, evtxFile, record: evtxRecord, simpleEvent } = await import("./support/evtx-builder");
    const records = (from: number, n: number) => Array.from({ length: n }, (_, i) => (pos: number) => evtxRecord(pos, from + i, simpleEvent(from + i, [], 4624)));
    const before = evtxFile([chunk(records(1, 20))]);
    const grown = evtxFile([chunk(records(1, 20)), chunk(records(21, 15), 21)]);
    const first = await ingestFile(tempFile("Security.evtx", before));
    const second = await ingestFile(tempFile("Security.evtx", grown));
    expect(first.upload).toMatchObject({ status: "done", format: "evtx", recordsRead: 20, stored: 20 });
    expect(second.upload).toMatchObject({ status: "done", format: "evtx", recordsRead: 35, stored: 15, duplicates: 20 });
    expect((second.upload.notices as { recognised?: true }[]).some((n) => n.recognised)).toBe(false);
  });
});

describe("recognising is one transaction under the job's lease", () => {
  /** Receives the file again and returns the upload with its ingest job id, not yet worked. */
  async function receiveAgain(file: string) {
    const id = await receiveUpload({ filename: "again.xml", body: fs.createReadStream(file), expectedBytes: fs.statSync(file).size });
    const { jobId } = await db().upload.findUniqueOrThrow({ where: { id } });
    return { id, jobId: jobId! };
  }
  const detectJobs = async (uploadId: string) =>
    Number((await pgPool().query<{ n: string }>(`SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND data->>'uploadId' = $2`, [QUEUES.detect, uploadId])).rows[0].n);

  it("a fault at its last statement leaves nothing of it; the upload is tried again and then recognised", async () => {
    const file = eventfulFile();
    await ingestFile(file);
    const { id, jobId } = await receiveAgain(file);
    // The database goes away (admin shutdown) as the upload is marked stored: every write before it is undone.
    await pgPool().query(`CREATE FUNCTION fail_stored() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.status = 'detecting' THEN RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01'; END IF; RETURN NEW; END $$`);
    await pgPool().query(`CREATE TRIGGER fail_stored BEFORE UPDATE ON uploads FOR EACH ROW EXECUTE FUNCTION fail_stored()`);
    try {
      const outcome = await runIngestJob(jobId, id, "test-worker", new AbortController().signal);
      expect(outcome.status).toBe("requeued");
    } finally {
      await pgPool().query(`DROP TRIGGER fail_stored ON uploads; DROP FUNCTION fail_stored()`);
    }
    expect(await db().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "queued", stored: 0, duplicates: 0, recordsRead: 0, attempts: 1 });
    expect(await heldCount(id)).toBe(0);
    expect(await db().uploadAlias.count()).toBe(0);
    expect(await db().uploadRejection.count({ where: { uploadId: id } })).toBe(0);
    expect(await detectJobs(id)).toBe(0);
    expect(await db().workLease.count()).toBe(0);

    await drainUploads();
    expect(await db().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "done", stored: 0, duplicates: 6, rejected: 2, attempts: 2 });
    expect(await heldCount(id)).toBe(5);
    expect(await db().uploadRejection.count({ where: { uploadId: id } })).toBe(2);
  });

  it("a worker that lost its lease before it committed writes nothing", async () => {
    const file = eventfulFile();
    await ingestFile(file);
    const { id, jobId } = await receiveAgain(file);
    // Its lease passes to a successor as soon as it is taken: the commit's lease check fails.
    await pgPool().query(`CREATE FUNCTION steal_lease() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.owner := 'successor'; RETURN NEW; END $$`);
    await pgPool().query(`CREATE TRIGGER steal_lease BEFORE INSERT ON work_leases FOR EACH ROW EXECUTE FUNCTION steal_lease()`);
    try {
      expect((await runIngestJob(jobId, id, "test-worker", new AbortController().signal)).status).toBe("lost");
    } finally {
      await pgPool().query(`DROP TRIGGER steal_lease ON work_leases; DROP FUNCTION steal_lease()`);
    }
    expect(await db().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "processing", stored: 0, duplicates: 0 });
    expect(await heldCount(id)).toBe(0);
    expect(await db().uploadAlias.count()).toBe(0);
    expect(await db().uploadRejection.count({ where: { uploadId: id } })).toBe(0);
    expect(await detectJobs(id)).toBe(0);
    // Its file stays for the successor.
    expect(fs.readdirSync(path.join(process.env.IISWATCH_DATA_DIR!, "spool"))).toEqual([id]);
  });

  it("holds off a deletion of the earlier upload until it commits, and sees one that came first", async () => {
    const file = eventfulFile();
    const first = await ingestFile(file);
    const { id } = await receiveAgain(file);
    const { sha256 } = await db().upload.findUniqueOrThrow({ where: { id } });
    const reading = readAs({ format: null, recordHost: null, recordChannel: null });
    const client = await pgPool().connect();
    try {
      // A deletion that comes while the earlier upload's events are being held waits, then passes them on.
      const found = (await findIdenticalUpload(client, id, sha256!, reading))!;
      expect(found).toMatchObject({ id: first.upload.id, filename: "app.xml", stored: 5, duplicates: 1 });
      await client.query("BEGIN");
      const adopted = await adoptIdenticalUpload(client, id, found, sha256!, reading);
      expect(adopted).toMatchObject({ recordsRead: 8, stored: 0, duplicates: 6, rejected: 2 });
      let deleted = false;
      const deleting = deleteUpload(first.upload.id).then((d) => {
        deleted = true;
        return d;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(deleted).toBe(false);
      await client.query("COMMIT");
      expect(await deleting).toMatchObject({ events: 0, eventsKept: 5 });
      expect(await db().event.count({ where: { uploadId: id } })).toBe(5);

      // An upload deleted between being found and being held is seen gone once the lock is held. (The one above,
      // stored as the ingest job would have recorded it.)
      await pgPool().query(`UPDATE uploads SET status = 'done', read_as = $2 WHERE id = $1`, [id, reading]);
      const third = await receiveAgain(file);
      const other = (await findIdenticalUpload(client, third.id, sha256!, reading))!;
      expect(other.id).toBe(id);
      await deleteUpload(id);
      await client.query("BEGIN");
      await expect(adoptIdenticalUpload(client, third.id, other, sha256!, reading)).rejects.toBeInstanceOf(IdenticalUploadGoneError);
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
  });
});

describe("a file whose events retention dropped since it was uploaded", () => {
  it("is read again rather than recognised: its records are reported as reading finds them, not as held duplicates", async () => {
    // The sample is from 2022: stored while everything is kept, then its month expires.
    const file = tempFile("old.xml", `${record(1)}\n${record(2)}\n`);
    const first = await ingestFile(file);
    expect(first.upload).toMatchObject({ stored: 2 });
    expect((await applyRetention({ days: 365 })).dropped.length).toBe(1);
    process.env.IISWATCH_RETENTION_DAYS = "365";
    try {
      const again = await ingestFile(file);
      const r = await report(again.upload.id);
      expect(r.notices.some((n) => n.recognised)).toBe(false);
      expect(r).toMatchObject({ recordsRead: 2, stored: 0, duplicates: 0, rejected: 2 });
      expect(await heldCount(again.upload.id)).toBe(0);
    } finally {
      delete process.env.IISWATCH_RETENTION_DAYS;
    }
  });
});
