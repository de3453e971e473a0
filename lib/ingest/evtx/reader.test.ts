// The EVTX reader on records real logs hold but the samples do not: an empty <Channel/> (logs converted from ETW
// traces), built with the independent encoder in tests/support/evtx-builder.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ParsedRecord } from "../event";
import type { ReaderNotice } from "../parser";
import { DEFAULT_READ_OPTIONS } from "../parser";
import { readLogFile } from "../read-file";
import { chunk, evtxFile, record, simpleEvent } from "../../../tests/support/evtx-builder";
import { readerForFormat } from "../readers";

async function read(file: Buffer): Promise<{ records: ParsedRecord[]; notices: ReaderNotice[] }> {
  const notices: ReaderNotice[] = [];
  const records: ParsedRecord[] = [];
  async function* one() {
    yield file;
  }
  for await (const r of readerForFormat("evtx").read(one(), { ...DEFAULT_READ_OPTIONS, onNotice: (n) => notices.push(n) })) records.push(r);
  return { records, notices };
}

const dir = mkdtempSync(path.join(tmpdir(), "iiswatch-evtx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("records with an empty channel (logs converted from ETW traces)", () => {
  const file = evtxFile([
    chunk([
      (pos) => record(pos, 1, simpleEvent(1, [], 10, { channel: "" })),
      (pos) => record(pos, 2, simpleEvent(2, [], 11, { channel: "", channelAsSubstitution: true })),
      (pos) => record(pos, 3, simpleEvent(3, [], 12, { channel: "Application" })),
      (pos) => record(pos, 4, simpleEvent(4, [], 13, { channel: null })),
    ]),
  ]);

  it("stores them with an empty channel, and says so once for the file", async () => {
    const { records, notices } = await read(file);
    expect(records.map((r) => (r.ok ? [r.event.recordId, r.event.channel] : r.rejected.reason))).toEqual([
      [1, ""],
      [2, ""],
      [3, "Application"],
      [4, ""],
    ]);
    const first = records[0].ok ? records[0].event : null;
    expect(first?.raw).toContain("<Channel/>");
    expect(first?.splunk.source).toBe("XmlWinEventLog:");
    expect(notices).toEqual([
      {
        location: "record 1",
        summary: true,
        message:
          "3 records have an empty channel (<Channel/>, as in logs converted from ETW traces), first EventRecordID 1 (record 1 of the file): stored with an empty channel, so detections that select a channel do not see them",
      },
    ]);
  });

  it("gives nothing to say when every record has its channel", async () => {
    const { records, notices } = await read(evtxFile([chunk([(pos) => record(pos, 1, simpleEvent(1))])]));
    expect(records.every((r) => r.ok)).toBe(true);
    expect(notices).toEqual([]);
  });

  it("passes the notice on through readLogFile, one for a file of many such records", async () => {
    // 415 records (as in the real file the issue reports), 83 to a chunk.
    const chunks = Array.from({ length: 5 }, (_, c) =>
      chunk(
        Array.from({ length: 83 }, (_, i) => (pos: number) => record(pos, c * 83 + i + 1, simpleEvent(c * 83 + i + 1, [], 7, { channel: "" }))),
        c * 83 + 1,
      ),
    );
    const many = evtxFile(chunks);
    const p = path.join(dir, "etw-converted.evtx");
    writeFileSync(p, many);
    const notices: ReaderNotice[] = [];
    let stored = 0;
    for await (const { record: r } of readLogFile(p, { onNotice: (n) => notices.push(n) })) if (r.ok) stored++;
    expect(stored).toBe(415);
    expect(notices).toHaveLength(1);
    expect(notices[0].message).toMatch(/^415 records have an empty channel/);
  });
});
