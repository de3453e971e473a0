import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../lib/db/client";
import { processUpload } from "../lib/ingest/pipeline";
import { drainUploads, receiveUpload, recoverUploads } from "../lib/ingest/uploads";
import { resetDatabase } from "./db-setup";
import { SAMPLE_2282_XML } from "./samples";

async function ingest(file: string, name = path.basename(file)) {
  const upload = await db().upload.create({ data: { filename: name } });
  const outcome = await processUpload(upload.id, file).then(
    () => "ok",
    (e: Error) => e.message,
  );
  return { outcome, upload: await db().upload.findUniqueOrThrow({ where: { id: upload.id } }) };
}

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
  });

  it("stores the event once when the same file is uploaded again, and reports the duplicate", async () => {
    await ingest(SAMPLE_2282_XML);
    const { upload } = await ingest(SAMPLE_2282_XML, "again.xml");
    expect(upload).toMatchObject({ status: "done", recordsRead: 1, stored: 0, duplicates: 1 });
    expect(await db().event.count()).toBe(1);
    expect((await db().host.findUniqueOrThrow({ where: { id: "win-dc-exch01.attackrange.local" } })).eventCount).toBe(1);
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

  it("after a crash mid-upload, removes what the upload had added and marks it failed", async () => {
    await ingest(SAMPLE_2282_XML);
    // Simulate a server that died while processing: the upload is left "processing" with events stored.
    const crashed = await db().upload.create({ data: { filename: "crashed.xml", status: "processing" } });
    await db().event.updateMany({ data: { uploadId: crashed.id } });
    const result = await recoverUploads();
    expect(result.failed).toBe(1);
    expect(await db().upload.findUniqueOrThrow({ where: { id: crashed.id } })).toMatchObject({ status: "failed" });
    expect(await db().event.count()).toBe(0);
    expect(await db().host.count()).toBe(0);
  });
});
