// readLogFile, what the upload pipeline and `iiswatch parse` read files with: text that is partly bad keeps what is
// good (a NUL costs its record, invalid UTF-8 is stored as U+FFFD and listed), and messages name the file as the
// user knows it (and the archive member), never the spooled copy's internal id.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { InputFormatError, type NormalizedEvent, type RejectedRecord } from "./event";
import { makeZip } from "../../tests/support/format-readers";
import type { ReaderNotice } from "./parser";
import { readLogFile, type ReadFileOptions } from "./read-file";

const dir = mkdtempSync(path.join(tmpdir(), "iiswatch-read-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function readFile(p: string, options: ReadFileOptions = {}) {
  const events: NormalizedEvent[] = [];
  const rejected: (RejectedRecord & { member: string })[] = [];
  const notices: ReaderNotice[] = [];
  for await (const { member, record } of readLogFile(p, { ...options, onNotice: (n) => notices.push(n) })) {
    if (record.ok) events.push(record.event);
    else rejected.push({ ...record.rejected, member });
  }
  return { events, rejected, notices };
}

const xmlRecord = (id: number, computer = "WEB01") =>
  `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/><EventID>${id}</EventID>` +
  `<TimeCreated SystemTime='2024-01-01T00:00:0${id % 10}.1234567Z'/><EventRecordID>${id}</EventRecordID><Channel>Application</Channel>` +
  `<Computer>${computer}</Computer></System></Event>`;

const classicRecord = (id: number, message: string) =>
  [`12/20/2022 03:58:2${id % 10} PM`, "LogName=Application", "EventCode=2282", "ComputerName=web01", "SourceName=Microsoft-Windows-IIS-W3SVC-WP", `RecordNumber=${id}`, `Message=${message}`, ""].join("\n");

describe("text that is partly bad", () => {
  it("rejects only the XML record holding a NUL byte, with its line, and stores the rest", async () => {
    const lines = [1, 2, 3, 4].map((i) => xmlRecord(i));
    lines[2] = xmlRecord(3, "WEB\u000003");
    const { events, rejected, notices } = await readFile(file("nul.xml", `<Events>\n${lines.join("\n")}\n</Events>\n`));
    expect(events.map((e) => e.recordId)).toEqual([1, 2, 4]);
    expect(rejected).toEqual([
      expect.objectContaining({ position: 3, location: "line 4", reason: expect.stringMatching(/^binary data \(a NUL byte\) inside the record, at line 4, column \d+/) }),
    ]);
    expect(notices).toEqual([]);
  });

  it("rejects only the classic record holding a NUL byte", async () => {
    const text = [classicRecord(1, "one"), classicRecord(2, "t\u0000wo"), classicRecord(3, "three")].join("\n");
    const { events, rejected } = await readFile(file("nul.log", text));
    expect(events.map((e) => e.recordId)).toEqual([1, 3]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBe("binary data (a NUL byte) inside the record, at line 15, column 10: the record is not stored");
  });

  it("stores invalid UTF-8 visibly replaced (U+FFFD) and lists each record's line and byte in one notice", async () => {
    const head = `<Events>\n${xmlRecord(1)}\n`;
    const bytes = Buffer.concat([
      Buffer.from(head),
      Buffer.from(xmlRecord(2, "WEB\u00ff02"), "latin1"), // a lone 0xFF: not UTF-8
      Buffer.from(`\n${xmlRecord(3, "WEB03")}\n</Events>\n`),
    ]);
    const { events, rejected, notices } = await readFile(file("latin1.xml", bytes));
    expect(rejected).toEqual([]);
    expect(events.map((e) => e.host)).toEqual(["WEB01", "WEB\uFFFD02", "WEB03"]);
    const byte = Buffer.byteLength(head) + xmlRecord(2, "WEB\u00ff02").indexOf("\u00ff");
    expect(notices).toEqual([
      { location: `line 3 (byte ${byte})`, summary: true, message: `invalid UTF-8 in 1 place, stored as U+FFFD (\uFFFD) so the damage stays visible: line 3 (byte ${byte})` },
    ]);
  });

  it("still refuses a file that is binary throughout, naming it", async () => {
    const junk = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251));
    const err = await readFile(file("3f2504e0-4f89-11d3-9a0c-0305e82c3301", Buffer.concat([Buffer.from("<Events>\n<Event>"), junk])), { name: "dump.xml" }).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.message).toMatch(/binary data where text was expected/);
  });
});

describe("messages name the file as uploaded", () => {
  const spooled = (bytes: Buffer | string) => file(`${crypto.randomUUID()}`, bytes);

  it("names the uploaded file, not the spool's id, for a file that is not a log", async () => {
    const p = spooled("Dear diary\n");
    const err = await readFile(p, { name: "notes.txt" }).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.message).toMatch(/^not a Windows event log: 'notes\.txt'/);
    expect(err.message).not.toContain(path.basename(p));
  });

  it("says a compressed file refused on the ratio bound looks like a decompression bomb, naming it", async () => {
    const p = spooled(gzipSync(Buffer.concat([Buffer.from(`<Events>\n${xmlRecord(1)}\n`), Buffer.alloc(16 * 1024 * 1024, " ")])));
    const err = await readFile(p, { name: "web01.xml.gz" }).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.message).toMatch(/^'web01\.xml\.gz' expands more than \d+:1 .*it looks like a decompression bomb/);
    expect(err.message).not.toContain(path.basename(p));
  });

  it("names the archive member a reader refused, and locates member notices and rejections in it", async () => {
    const a = `<Events>\n${xmlRecord(1)}\n${xmlRecord(2, "W\u00002")}\n${xmlRecord(3, "W\u00ff3")}\n</Events>\n`;
    const zip = makeZip([
      { name: "logs/a.xml", data: Buffer.from(a, "latin1") },
      { name: "logs/b.xml", data: Buffer.from("<Events>\n</Events>\n") },
    ]);
    const notices: ReaderNotice[] = [];
    const rejected: string[] = [];
    const err = await (async () => {
      for await (const { member, record } of readLogFile(spooled(zip), { name: "upload.zip", onNotice: (n) => notices.push(n) })) {
        if (!record.ok) rejected.push(`${member}: ${record.rejected.location}`);
      }
    })().catch((e) => e);
    expect(rejected).toEqual(["logs/a.xml: line 3"]);
    expect(notices.map((n) => n.location)).toEqual([expect.stringMatching(/^logs\/a\.xml: line 4 \(byte \d+\)$/)]);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.message).toMatch(/^'logs\/b\.xml': /);
  });

  it("names the file when it holds no records", async () => {
    const err = await readFile(spooled(gzipSync(Buffer.alloc(0))), { name: "empty.xml.gz" }).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.message).toBe("'empty.xml.gz' holds no event records");
  });
});
