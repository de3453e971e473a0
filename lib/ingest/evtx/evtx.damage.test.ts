// Damaged and hostile input: truncated files, broken chunk signatures and CRCs, broken records, garbage, empty and
// non-EVTX files, dirty logs, and offsets past 4 GiB. Expectations are checked against what the undamaged sample
// yields (security.evtx: 2261 records in 26 used chunks of 33).
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { InputFormatError } from "../event";
import type { ParsedRecord } from "../event";
import type { ReaderNotice, ReaderProgress } from "../parser";
import { DEFAULT_READ_OPTIONS } from "../parser";
import type { EvtxItem, EvtxProblem, EvtxReadOptions, EvtxRecord } from "./index";
import { CHUNK_SIZE, FILE_HEADER_SIZE, evtxReader, parseFileHeader, readEvtxRecords } from "./index";
import { evtxFile } from "../../../tests/support/evtx-builder";
import { SAMPLES_DIR } from "../../../tests/samples";

const SAMPLES = path.join(SAMPLES_DIR, "omerbenamram+evtx@9c7d0b54/samples");
const security = readFileSync(path.join(SAMPLES, "security.evtx"));
const chunkAt = (i: number) => FILE_HEADER_SIZE + i * CHUNK_SIZE;

/** Splits a buffer into pieces of the given sizes (cycled), as a stream would deliver it. */
async function* pieces(buf: Buffer, sizes = [buf.length]): AsyncGenerator<Buffer> {
  let i = 0;
  for (let p = 0; p < buf.length; i++) {
    const n = sizes[i % sizes.length];
    yield buf.subarray(p, p + n);
    p += n;
  }
}

async function readAll(buf: Buffer, sizes?: number[]) {
  const items: EvtxItem[] = [];
  for await (const it of readEvtxRecords(pieces(buf, sizes))) items.push(it);
  return {
    records: items.filter((x): x is EvtxRecord => x.kind === "record"),
    problems: items.filter((x): x is EvtxProblem => x.kind === "problem"),
  };
}

async function readParsed(buf: Buffer, options: Partial<EvtxReadOptions> = {}): Promise<ParsedRecord[]> {
  const out: ParsedRecord[] = [];
  for await (const r of evtxReader.read(pieces(buf, [65536]), { ...DEFAULT_READ_OPTIONS, ...options })) out.push(r);
  return out;
}

let base: EvtxRecord[];
beforeAll(async () => {
  base = (await readAll(security)).records;
});

describe("undamaged input", () => {
  it("reads security.evtx whole: 2261 records, no problems", async () => {
    const { records, problems } = await readAll(security);
    expect(records.length).toBe(2261);
    expect(problems).toEqual([]);
    expect(new Set(records.map((r) => r.chunkIndex)).size).toBe(26);
  });

  it("gives the same result whatever the stream's piece sizes", async () => {
    const odd = await readAll(security, [1, 4095, 7919, 65537, 3, 100_003]);
    expect(odd.problems).toEqual([]);
    expect(odd.records.map((r) => [r.recordId, r.offset, r.xml])).toEqual(base.map((r) => [r.recordId, r.offset, r.xml]));
  });

  it("reports progress in chunks", async () => {
    const seen: ReaderProgress[] = [];
    await readParsed(security, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBe(33);
    // The total is the header's chunk count (26) until the file proves longer (33 chunks, the last 7 unused).
    expect(seen[0]).toEqual({ unit: "chunks", done: 1, total: 26 });
    expect(seen[25]).toEqual({ unit: "chunks", done: 26, total: 26 });
    expect(seen[32]).toEqual({ unit: "chunks", done: 33, total: 33 });
  });

  it("reads chunks past the header's chunk count in a dirty log (system.evtx: 1881 records)", async () => {
    const system = readFileSync(path.join(SAMPLES, "system.evtx"));
    const header = parseFileHeader(system);
    const { records, problems } = await readAll(system);
    expect(records.length).toBe(1881);
    expect(problems).toEqual([]);
    expect(Math.max(...records.map((r) => r.chunkIndex))).toBeGreaterThanOrEqual(header.chunkCount);
  });

  it("honours the no-CRC32 flag (Application_no_crc32.evtx: 17 records, no CRC problems)", async () => {
    const { records, problems } = await readAll(readFileSync(path.join(SAMPLES, "Application_no_crc32.evtx")));
    expect(records.length).toBe(17);
    expect(problems).toEqual([]);
  });

  it("skips foreign data after the log (sysmon.evtx: 358 records, 8 non-chunks reported as lossless)", async () => {
    const { records, problems } = await readAll(readFileSync(path.join(SAMPLES, "sysmon.evtx")));
    expect(records.length).toBe(358);
    expect(problems.map((p) => [p.chunkIndex, p.offset, p.lost])).toEqual([9, 10, 11, 12, 13, 14, 15, 16].map((c) => [c, chunkAt(c), false]));
    expect(problems[0].reason).toMatch(/no chunk signature and no recognisable record/);
  });
});

describe("truncated files", () => {
  const cases = [
    { cut: chunkAt(5) + 12345, chunk: 5 },
    { cut: chunkAt(10) + 30001, chunk: 10 },
    { cut: chunkAt(25) + 40001, chunk: 25 },
  ];
  for (const { cut, chunk } of cases) {
    it(`recovers every whole record when cut at byte ${cut} (inside chunk ${chunk})`, async () => {
      const { records, problems } = await readAll(security.subarray(0, cut));
      const whole = base.filter((r) => r.offset + r.size <= cut);
      expect(records.map((r) => r.xml)).toEqual(whole.map((r) => r.xml));
      const straddling = base.find((r) => r.offset < cut && r.offset + r.size > cut);
      // The cut is reported at the start of the chunk it cuts: every location lies inside the file.
      const expected = [{ offset: chunkAt(chunk), chunkIndex: chunk, lost: false }];
      if (straddling) expected.push({ offset: straddling.offset, chunkIndex: chunk, lost: true });
      expect(problems.map(({ offset, chunkIndex, lost }) => ({ offset, chunkIndex, lost }))).toEqual(expected);
    });
  }

  it("gives concrete counts for the cut inside chunk 5", async () => {
    const { records } = await readAll(security.subarray(0, chunkAt(5) + 12345));
    // Chunks 0-4 hold 91 + 86 + 83 + 89 + 92 = 441 records; 16 more end before chunk offset 12345 in chunk 5.
    expect(records.filter((r) => r.chunkIndex < 5).length).toBe(441);
    expect(records.length).toBe(441 + base.filter((r) => r.chunkIndex === 5 && r.offset + r.size <= chunkAt(5) + 12345).length);
  });

  it("reports a file cut inside a chunk header as lost data, and one cut inside the file header", async () => {
    const a = await readAll(security.subarray(0, chunkAt(2) + 100));
    expect(a.records.length).toBe(91 + 86);
    expect(a.problems.map((p) => [p.offset, p.lost])).toEqual([
      [chunkAt(2), false],
      [chunkAt(2), true],
    ]);
    expect(a.problems[0].reason).toBe("file ends 100 bytes into chunk 2 (a chunk is 65536 bytes)");
    const b = await readAll(security.subarray(0, 3000));
    expect(b.records).toEqual([]);
    expect(b.problems).toEqual([{ kind: "problem", offset: 0, chunkIndex: null, reason: "file ends inside the file header (3000 bytes)", lost: false }]);
  });

  it("turns lost data into rejections with byte and chunk, numbered in sequence", async () => {
    const cut = chunkAt(5) + 12345;
    const out = await readParsed(security.subarray(0, cut));
    const rejected = out.filter((r) => !r.ok);
    const straddling = base.find((r) => r.offset < cut && r.offset + r.size > cut)!;
    expect(rejected).toEqual([
      { ok: false, rejected: { position: out.length, location: `byte ${straddling.offset} (chunk 5)`, reason: expect.stringMatching(/cut off by the end of the file/) } },
    ]);
    expect(out.slice(0, -1).every((r, i) => r.ok && r.event.position === i + 1)).toBe(true);
  });
});

describe("damaged chunks and records", () => {
  it("recovers every record of a chunk whose signature is broken, and reports it", async () => {
    const damaged = Buffer.from(security);
    damaged.write("XXXXXXXX", chunkAt(3), "latin1");
    const { records, problems } = await readAll(damaged);
    expect(records.map((r) => r.xml)).toEqual(base.map((r) => r.xml));
    expect(problems).toEqual([{ kind: "problem", offset: chunkAt(3), chunkIndex: 3, reason: "bad chunk signature in chunk 3; recovering its records", lost: false }]);
    const seen: EvtxProblem[] = [];
    const out = await readParsed(damaged, { onProblem: (p) => seen.push(p) });
    expect(out.filter((r) => r.ok).length).toBe(2261);
    expect(seen.map((p) => p.offset)).toEqual([chunkAt(3)]);
  });

  it("reports an event-records CRC32 mismatch and still decodes every record", async () => {
    const damaged = Buffer.from(security);
    const victim = base.filter((r) => r.chunkIndex === 2)[10];
    damaged[victim.offset + 16] ^= 0xff; // the record header's timestamp: decodable, but the CRC breaks
    const { records, problems } = await readAll(damaged);
    expect(records.length).toBe(2261);
    expect(problems.map((p) => [p.offset, p.chunkIndex, p.lost])).toEqual([[chunkAt(2) + 52, 2, false]]);
    expect(problems[0].reason).toMatch(/^chunk 2 event records CRC32 mismatch/);
    expect(records.find((r) => r.offset === victim.offset)!.time).not.toBe(victim.time);
  });

  it("reports a chunk header CRC32 mismatch", async () => {
    const damaged = Buffer.from(security);
    damaged[chunkAt(4) + 0x10] ^= 0x01;
    const { records, problems } = await readAll(damaged);
    expect(records.length).toBe(2261);
    expect(problems.map((p) => [p.offset, p.reason.slice(0, 31)])).toEqual([[chunkAt(4) + 124, "chunk 4 header CRC32 mismatch ("]]);
  });

  it("salvages a record whose size field runs past the chunk when its event decodes whole, and flags it", async () => {
    const damaged = Buffer.from(security);
    const inChunk7 = base.filter((r) => r.chunkIndex === 7);
    const victim = inChunk7[40];
    damaged.writeUInt32LE(0xdead, victim.offset + 4);
    const { records, problems } = await readAll(damaged);
    expect(records.map((r) => [r.recordId, r.offset, r.xml])).toEqual(base.map((r) => [r.recordId, r.offset, r.xml]));
    const salvaged = records.find((r) => r.offset === victim.offset)!;
    expect(salvaged.size).toBe(victim.size);
    expect(salvaged.damage).toBe(`record size 57005 runs past the chunk at chunk offset ${victim.offset - chunkAt(7)}`);
    expect(records.filter((r) => r.damage)).toHaveLength(1);
    expect(problems.map((p) => [p.offset, p.chunkIndex, p.recordId, p.lost])).toEqual([[chunkAt(7) + 52, 7, undefined, false]]);
  });

  it("salvages a record whose size field disagrees with its trailing copy, whichever of the two is wrong", async () => {
    const inChunk4 = base.filter((r) => r.chunkIndex === 4);
    // The trailing copy damaged: the size field holds, and is borne out by the next record's signature.
    const a = Buffer.from(security);
    const victimA = inChunk4[10];
    a.writeUInt32LE(victimA.size + 8, victimA.offset + victimA.size - 4);
    // The size field damaged (smaller, still inside the record): the record ends where the next one is found.
    const victimB = inChunk4[20];
    a.writeUInt32LE(victimB.size - 16, victimB.offset + 4);
    const { records, problems } = await readAll(a);
    expect(records.map((r) => [r.recordId, r.offset, r.xml])).toEqual(base.map((r) => [r.recordId, r.offset, r.xml]));
    expect(records.filter((r) => r.damage).map((r) => [r.recordId, r.size, r.damage])).toEqual([
      [victimA.recordId, victimA.size, `record size ${victimA.size} does not match its trailing copy (${victimA.size + 8}) at chunk offset ${victimA.offset - chunkAt(4)}`],
      [victimB.recordId, victimB.size, expect.stringMatching(new RegExp(`^record size ${victimB.size - 16} does not match its trailing copy`))],
    ]);
    expect(problems.every((p) => !p.lost)).toBe(true);

    // Through the reader: stored, and each flagged by a notice at the record.
    const notices: ReaderNotice[] = [];
    const out = await readParsed(a, { onNotice: (n) => notices.push(n) });
    expect(out.filter((r) => r.ok)).toHaveLength(2261);
    const flagged = notices.filter((n) => /salvaged/.test(n.message));
    expect(flagged.map((n) => n.location)).toEqual([`byte ${victimA.offset} (chunk 4)`, `byte ${victimB.offset} (chunk 4)`]);
    expect(flagged[0].message).toBe(
      `record ${victimA.recordId} (file record ${base.indexOf(victimA) + 1}) salvaged: record size ${victimA.size} does not match its trailing copy (${victimA.size + 8}) at chunk offset ${victimA.offset - chunkAt(4)}, but its event decoded whole; check it`,
    );
  });

  it("loses a record whose size field and BinXML are both broken, and finds the next one", async () => {
    const damaged = Buffer.from(security);
    const victim = base.filter((r) => r.chunkIndex === 7)[40];
    damaged.writeUInt32LE(0xdead, victim.offset + 4);
    damaged[victim.offset + 24 + 4] = 0x3f; // the template-instance token
    const { records, problems } = await readAll(damaged);
    expect(records.map((r) => r.recordId)).toEqual(base.filter((r) => r !== victim).map((r) => r.recordId));
    expect(problems.map((p) => [p.offset, p.chunkIndex, p.recordId, p.lost])).toEqual([
      [chunkAt(7) + 52, 7, undefined, false],
      [victim.offset + 28, 7, victim.recordId, true],
    ]);
    expect(problems[1].reason).toBe(`record ${victim.recordId}: record size 57005 runs past the chunk at chunk offset ${victim.offset - chunkAt(7)}, and unexpected BinXML token 0x3f`);
  });

  it("loses only the record whose BinXML is broken", async () => {
    const damaged = Buffer.from(security);
    const victim = base.filter((r) => r.chunkIndex === 9)[30];
    damaged[victim.offset + 24 + 4] = 0x3f; // the template-instance token
    const out = await readParsed(damaged);
    const rejected = out.filter((r) => !r.ok);
    expect(out.length).toBe(2261);
    expect(rejected).toEqual([
      {
        ok: false,
        rejected: {
          position: base.indexOf(victim) + 1,
          location: `byte ${victim.offset + 28} (chunk 9)`,
          reason: `record ${victim.recordId}: unexpected BinXML token 0x3f`,
        },
      },
    ]);
  });
});

describe("not EVTX, empty, garbage", () => {
  async function failure(buf: Buffer): Promise<unknown> {
    try {
      await readAll(buf);
    } catch (e) {
      return e;
    }
    return null;
  }

  it("fails fast on a non-EVTX file", async () => {
    const e = await failure(Buffer.from('<?xml version="1.0"?><Events></Events>'));
    expect(e).toBeInstanceOf(InputFormatError);
    expect((e as InputFormatError).message).toBe("not an EVTX file: bad signature (at byte 0)");
    expect((e as InputFormatError).location).toBe("byte 0");
    expect(evtxReader.sniff(Buffer.from("<Events/>"))).toBe(false);
    expect(evtxReader.sniff(security.subarray(0, 4096))).toBe(true);
  });

  it("fails fast on an empty file", async () => {
    const e = await failure(Buffer.alloc(0));
    expect(e).toBeInstanceOf(InputFormatError);
    expect((e as InputFormatError).message).toMatch(/^not an EVTX file: empty input/);
  });

  it("fails fast on random garbage", async () => {
    const e = await failure(garbage(100_000, 1));
    expect(e).toBeInstanceOf(InputFormatError);
    expect((e as InputFormatError).location).toBe("byte 0");
  });

  it("survives garbage behind a valid file signature: no crash, every problem inside the file", async () => {
    for (const seed of [2, 3, 4]) {
      const buf = Buffer.concat([Buffer.from("ElfFile\0", "latin1"), garbage(300_000, seed)]);
      const { records, problems } = await readAll(buf);
      expect(records).toEqual([]);
      for (const p of problems) expect(p.offset).toBeLessThan(buf.length);
      expect(problems.length).toBeGreaterThan(0);
    }
  });

  it("survives random byte damage all over a real file", async () => {
    for (const seed of [5, 6, 7, 8]) {
      const damaged = Buffer.from(security);
      const rnd = rng(seed);
      for (let i = 0; i < 200; i++) damaged[FILE_HEADER_SIZE + Math.floor(rnd() * (damaged.length - FILE_HEADER_SIZE))] = Math.floor(rnd() * 256);
      const { records, problems } = await readAll(damaged);
      expect(records.length).toBeGreaterThan(1500);
      expect(problems.length).toBeGreaterThan(0);
    }
  });

  it("reads a header followed by unused (all-zero) chunks as an empty log", async () => {
    const { records, problems } = await readAll(evtxFile([Buffer.alloc(CHUNK_SIZE), Buffer.alloc(CHUNK_SIZE)]));
    expect(records).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe("every location inside the file", () => {
  /** The byte offsets every rejection and notice of the reader gives. */
  async function locations(buf: Buffer): Promise<number[]> {
    const at: string[] = [];
    for await (const r of evtxReader.read(pieces(buf, [65536]), { ...DEFAULT_READ_OPTIONS, onNotice: (n) => at.push(n.location) })) {
      if (!r.ok) at.push(r.rejected.location!);
    }
    return at.map((l) => Number(/^byte (\d+) \((?:chunk \d+|file header)\)$/.exec(l)?.[1] ?? NaN));
  }

  it("for files cut anywhere, in a chunk, its header, a record or the file header", async () => {
    for (const cut of [100, 3000, 4096 + 100, chunkAt(1) + 511, chunkAt(2) + 12345, chunkAt(7) + 65535, chunkAt(12) + 1, chunkAt(25) + 40001]) {
      const buf = security.subarray(0, cut);
      const offsets = await locations(buf);
      expect(offsets.length).toBeGreaterThan(0);
      for (const o of offsets) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(cut);
      }
    }
  });

  it("for damaged BinXML offsets (names and templates pointing anywhere) and random damage", async () => {
    const damaged = Buffer.from(security);
    // Make a name or template offset inside several records point far outside the chunk.
    for (const victim of base.filter((r) => r.chunkIndex === 25)) damaged.writeUInt32LE(0xfffffff0, victim.offset + 24 + 10);
    const truncated = damaged.subarray(0, chunkAt(25) + 50_000);
    for (const buf of [damaged, truncated]) {
      const offsets = await locations(buf);
      expect(offsets.length).toBeGreaterThan(10);
      for (const o of offsets) expect(o).toBeLessThan(buf.length);
    }
    for (const seed of [11, 12, 13]) {
      const rnd = rng(seed);
      const buf = Buffer.from(security.subarray(0, chunkAt(10) + Math.floor(rnd() * CHUNK_SIZE)));
      for (let i = 0; i < 2000; i++) buf[FILE_HEADER_SIZE + Math.floor(rnd() * (buf.length - FILE_HEADER_SIZE))] = Math.floor(rnd() * 256);
      for (const o of await locations(buf)) expect(o).toBeLessThan(buf.length);
    }
  });
});

describe("files past 4 GiB", () => {
  it("keeps exact file offsets beyond 2^32 (a real chunk after 65,537 unused ones)", async () => {
    const chunk0 = security.subarray(chunkAt(0), chunkAt(1));
    const zero = Buffer.alloc(CHUNK_SIZE);
    const unused = 65537; // 4 GiB + 64 KiB of zeros
    async function* big(): AsyncGenerator<Buffer> {
      yield security.subarray(0, FILE_HEADER_SIZE);
      for (let i = 0; i < unused; i++) yield zero;
      yield chunk0;
    }
    const records: EvtxRecord[] = [];
    for await (const it of readEvtxRecords(big())) if (it.kind === "record") records.push(it);
    expect(records.length).toBe(91);
    const expectedOffset = FILE_HEADER_SIZE + unused * CHUNK_SIZE + (base[0].offset - FILE_HEADER_SIZE);
    expect(expectedOffset).toBeGreaterThan(2 ** 32);
    expect(records[0].offset).toBe(expectedOffset);
    expect(records[0].chunkIndex).toBe(unused);
    expect(records.map((r) => r.xml)).toEqual(base.slice(0, 91).map((r) => r.xml));
  }, 60_000);
});

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function garbage(n: number, seed: number): Buffer {
  const r = rng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}
