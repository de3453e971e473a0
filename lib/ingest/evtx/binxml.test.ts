// BinXML decoding on synthetic records: every value type, every token type, template caching and the guards
// against hostile structures (self-referencing templates, unknown tokens).
import { describe, expect, it } from "vitest";
import { DEFAULT_READ_OPTIONS } from "../parser";
import type { EvtxItem, EvtxRecord } from "./index";
import { evtxReader, readEvtxRecords } from "./index";
import { BinXmlWriter, chunk, evtxFile, record, simpleEvent, v } from "../../../tests/support/evtx-builder";
import { filetimeFromParts } from "./values";

async function items(file: Buffer): Promise<EvtxItem[]> {
  const out: EvtxItem[] = [];
  for await (const it of readEvtxRecords([file])) out.push(it);
  return out;
}
const records = (xs: EvtxItem[]) => xs.filter((x): x is EvtxRecord => x.kind === "record");
const problems = (xs: EvtxItem[]) => xs.filter((x) => x.kind === "problem");

const GUID = Buffer.from("0123456789abcdef0123456789abcdef", "hex");
const SID = Buffer.from("010500000000000515000000dad42e9b685664ed147f3a18e9030000", "hex");
const SYSTEMTIME = Buffer.from([0xe6, 0x07, 12, 0, 2, 0, 20, 0, 15, 0, 58, 0, 25, 0, 0x45, 0x01]); // 2022-12-20 15:58:25.325

describe("BinXML values", () => {
  it("renders every value type as Windows does", async () => {
    const data: [string, number, Buffer][] = [
      ["wstring", 0x01, v.wstrz("héllo <&> \"q\"")],
      ["ansi", 0x02, Buffer.from("ansi text\0", "latin1")],
      ["int8", 0x03, Buffer.from([0xfe])],
      ["uint8", 0x04, v.u8(200)],
      ["int16", 0x05, Buffer.from([0xff, 0xff])],
      ["uint16", 0x06, v.u16(65535)],
      ["int32", 0x07, v.i32(-5)],
      ["uint32", 0x08, v.u32(4000000000)],
      ["int64", 0x09, v.i64(-9007199254740993n)],
      ["uint64", 0x0a, v.u64(18446744073709551615n)],
      ["real32", 0x0b, v.f32(1.5)],
      ["real64", 0x0c, v.f64(-0.25)],
      ["boolTrue", 0x0d, v.u32(1)],
      ["boolFalse", 0x0d, v.u32(0)],
      ["binary", 0x0e, Buffer.from([0x00, 0xab, 0x10])],
      ["guid", 0x0f, GUID],
      ["size4", 0x10, v.u32(0x1c)],
      ["size8", 0x10, v.u64(0x1cn)],
      ["filetime", 0x11, v.u64(0x01d9148f_6b3a2b6cn)],
      ["systemtime", 0x12, SYSTEMTIME],
      ["sid", 0x13, SID],
      ["hex32", 0x14, v.u32(0x3e7)],
      ["hex64", 0x15, v.u64(0x8020000000000000n)],
      ["null", 0x00, Buffer.alloc(0)],
      ["strings", 0x81, v.wstr("a\0\0b\0")],
      ["uint16s", 0x86, Buffer.concat([v.u16(1), v.u16(2)])],
      ["guids", 0x8f, Buffer.concat([GUID, GUID])],
      ["hex32s", 0x94, Buffer.concat([v.u32(1), v.u32(255)])],
    ];
    const file = evtxFile([chunk([(pos) => record(pos, 7, simpleEvent(7, data))], 7)]);
    const xs = await items(file);
    expect(problems(xs)).toEqual([]);
    const [r] = records(xs);
    expect(r.recordId).toBe(7);
    expect(r.parts.system).toMatchObject({ provider: "Test-Provider", eventId: 4624, recordId: 7, channel: "Security", computer: "HOST1" });
    // FILETIME 0x01D9148F6B3A2B6C, in 100 ns: Windows' own rendering.
    expect(r.parts.system.timeCreated).toBe("2022-12-20T16:23:39.5993452Z");
    expect(r.parts.data).toEqual({
      wstring: 'héllo <&> "q"',
      ansi: "ansi text",
      int8: "-2",
      uint8: "200",
      int16: "-1",
      uint16: "65535",
      int32: "-5",
      uint32: "4000000000",
      int64: "-9007199254740993",
      uint64: "18446744073709551615",
      real32: "1.5",
      real64: "-0.25",
      boolTrue: "true",
      boolFalse: "false",
      binary: "00AB10",
      guid: "{67452301-AB89-EFCD-0123-456789ABCDEF}",
      size4: "0x0000001c",
      size8: "0x000000000000001c",
      filetime: "2022-12-20T16:23:39.5993452Z",
      systemtime: "2022-12-20T15:58:25.3250000Z",
      sid: "S-1-5-21-2603537626-3982775912-406486804-1001",
      hex32: "0x000003e7",
      hex64: "0x8020000000000000",
      // "null" is an optional substitution without a value: no element, no data.
      // An array renders one <Data> per item; the repeated name keeps its first value, later ones "#2", … (event-xml.ts).
      strings: "a",
      "strings#2": "",
      "strings#3": "b",
      uint16s: "1",
      "uint16s#2": "2",
      guids: "{67452301-AB89-EFCD-0123-456789ABCDEF}",
      "guids#2": "{67452301-AB89-EFCD-0123-456789ABCDEF}",
      hex32s: "0x00000001",
      "hex32s#2": "0x000000ff",
    });
    expect(r.xml).toContain('<Data Name="wstring">héllo &lt;&amp;&gt; "q"</Data>');
    expect(r.xml).toContain('<Data Name="strings">a</Data>\n    <Data Name="strings"/>\n    <Data Name="strings">b</Data>');
    expect(r.xml).not.toContain('Name="null"');
    expect(r.xml.startsWith('<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n  <System>\n    <Provider Name="Test-Provider"/>')).toBe(true);
  });

  it("renders FILETIMEs with 100 ns precision past 2^53 ticks and at the epoch", () => {
    // 2022-12-20T15:58:25.3253836Z = 133160255053253836 ticks.
    const t = 133160255053253836n;
    expect(filetimeFromParts(Number(t & 0xffffffffn), Number(t >> 32n))).toBe("2022-12-20T15:58:25.3253836Z");
    expect(filetimeFromParts(0, 0)).toBe("1601-01-01T00:00:00.0000000Z");
    const max = 0xffffffffffffffffn;
    expect(filetimeFromParts(Number(max & 0xffffffffn), Number(max >> 32n))).toBe("+060056-05-28T05:36:10.9551615Z");
  });

  it("handles every token type: char and entity references, CDATA, PI, nested BinXML, unnamed Data, UserData", async () => {
    const body = (w: BinXmlWriter) => {
      w.fragmentHeader();
      w.templateInstance(
        (t) => {
          t.open("Event").closeStart();
          t.open("System").closeStart();
          t.open("Provider", true).attr("Name").text("P").closeEmpty();
          t.leaf("EventID", (x) => x.text("29"));
          t.open("TimeCreated", true).attr("SystemTime").text("2024-01-02T03:04:05.1234567Z").closeEmpty();
          t.leaf("Channel", (x) => x.text("Ch"));
          t.leaf("Computer", (x) => x.charRef(0x41).entityRef("amp").text("B"));
          t.open("Execution", true).attr("ProcessID", true).subst(0, 0x08).attr("ThreadID").subst(1, 0x08).closeEmpty();
          t.open("Security", true).attr("UserID").subst(2, 0x13, true).closeEmpty();
          t.end();
          t.open("UserData").closeStart();
          t.open("Top").closeStart();
          t.leaf("A", (x) => x.cdata("<raw>"));
          t.open("Group").closeStart().leaf("B", (x) => x.subst(3, 0x01)).end();
          t.u8(0x0a).name("pi-target").u8(0x0b).u16(4).raw(Buffer.from("data", "utf16le"));
          t.end();
          t.end();
          t.end();
        },
        [
          [0x08, v.u32(1234)],
          [0x08, v.u32(5678)],
          [0x00, Buffer.alloc(0)],
          [0x01, v.wstr("bee")],
        ],
      );
      w.eof();
    };
    const xs = await items(evtxFile([chunk([(pos) => record(pos, 1, body)])]));
    expect(problems(xs)).toEqual([]);
    const [r] = records(xs);
    expect(r.parts.system).toMatchObject({ provider: "P", eventId: 29, channel: "Ch", computer: "A&B", processId: 1234, threadId: 5678, timeCreated: "2024-01-02T03:04:05.1234567Z" });
    expect(r.parts.system.userSid ?? null).toBeNull();
    expect(r.parts.data).toEqual({ A: "<raw>", B: "bee" });
    expect(r.xml).toContain("<Computer>&#65;&amp;B</Computer>");
    expect(r.xml).toContain("<A><![CDATA[<raw>]]></A>");
    expect(r.xml).toContain("<?pi-target data?>");
    expect(r.xml).toContain("<Security/>");
  });

  it("reads BinXML nested in a substitution value (type 0x21) and unnamed Data by position", async () => {
    const body = (w: BinXmlWriter) => {
      w.fragmentHeader();
      // The nested BinXML is written right where its value goes: after the instance's descriptors.
      w.u8(0x0c).u8(1).u32(1);
      const def = w.pos + 4;
      w.u32(def).u32(0).raw(Buffer.alloc(16)).u32(0);
      const sizeAt = def + 20;
      const start = w.pos;
      w.fragmentHeader();
      w.open("Event").closeStart();
      w.open("System").closeStart();
      w.leaf("EventID", (x) => x.text("7045"));
      w.leaf("Channel", (x) => x.text("System"));
      w.leaf("Computer", (x) => x.text("H"));
      w.open("TimeCreated", true).attr("SystemTime").text("2024-01-02T03:04:05.0000000Z").closeEmpty();
      w.end();
      w.subst(0, 0x21);
      w.end();
      w.eof();
      w.patch32(sizeAt, w.pos - start);
      w.u32(1);
      const sizeDesc = w.pos;
      w.u16(0).u8(0x21).u8(0);
      const nestedStart = w.pos;
      w.fragmentHeader();
      w.open("EventData").closeStart();
      w.leaf("Data", (x) => x.text("first"));
      w.leaf("Data", (x) => x.text("second"));
      w.end();
      w.eof();
      const len = w.pos - nestedStart;
      const buf = w.buffer();
      buf.writeUInt16LE(len, sizeDesc - (w.pos - buf.length));
      return buf;
    };
    // The value size is known only once the nested BinXML is written: build, patch, then copy into the record.
    const file = evtxFile([
      chunk([
        (pos) => {
          const w = new BinXmlWriter(pos + 24);
          const bytes = body(w);
          return record(pos, 1, (x) => x.raw(bytes));
        },
      ]),
    ]);
    const xs = await items(file);
    expect(problems(xs)).toEqual([]);
    const [r] = records(xs);
    expect(r.parts.data).toEqual({ "0": "first", "1": "second" });
    expect(r.parts.system.eventId).toBe(7045);
    expect(r.xml).toContain("  <EventData>\n    <Data>first</Data>\n    <Data>second</Data>\n  </EventData>");
  });

  it("caches templates per chunk: later records reference the first record's definition", async () => {
    let defOffset = 0;
    const first = (pos: number) =>
      record(pos, 1, (w) => {
        w.fragmentHeader();
        defOffset = w.pos + 10;
        w.templateInstance(
          (t) => {
            t.open("Event").closeStart().open("System").closeStart();
            t.leaf("EventID", (x) => x.subst(0, 0x06)).leaf("Channel", (x) => x.text("C")).leaf("Computer", (x) => x.text("H"));
            t.open("TimeCreated", true).attr("SystemTime").subst(1, 0x11).closeEmpty();
            t.end().open("EventData").closeStart();
            t.open("Data", true).attr("Name").text("x").closeStart().subst(2, 0x01).end();
            t.end().end();
          },
          [
            [0x06, v.u16(1)],
            [0x11, v.u64(0x01d9148f_6b3a2b6cn)],
            [0x01, v.wstr("one")],
          ],
        );
        w.eof();
      });
    const second = (pos: number) =>
      record(pos, 2, (w) => {
        w.fragmentHeader();
        w.templateInstance(() => {}, [
          [0x06, v.u16(2)],
          [0x11, v.u64(0x01d9148f_6b3a2b6cn)],
          [0x01, v.wstr("two")],
        ], defOffset);
        w.eof();
      });
    const xs = await items(evtxFile([chunk([first, second])]));
    expect(problems(xs)).toEqual([]);
    expect(records(xs).map((r) => [r.parts.system.eventId, r.parts.data.x])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
  });
});

describe("BinXML guards", () => {
  it("rejects a template that instantiates itself, without hanging, and goes on", async () => {
    const looping = (pos: number) =>
      record(pos, 1, (w) => {
        w.fragmentHeader();
        const def = w.pos + 10;
        w.templateInstance((t) => {
          t.open("Event").closeStart();
          t.templateInstance(() => {}, [], def); // refers back to the template being defined
          t.end();
        }, []);
        w.eof();
      });
    const fine = (pos: number) => record(pos, 2, simpleEvent(2));
    const file = evtxFile([chunk([looping, fine])]);
    const xs = await items(file);
    expect(records(xs).map((r) => r.recordId)).toEqual([2]);
    const [p] = problems(xs);
    expect(p).toMatchObject({ kind: "problem", chunkIndex: 0, recordId: 1, lost: true });
    expect(p.reason).toMatch(/refers to itself/);
    expect(p.offset).toBeGreaterThanOrEqual(4096 + 512);
    expect(p.offset).toBeLessThan(4096 + 65536);

    const out = [];
    for await (const r of evtxReader.read((async function* () { yield file; })(), DEFAULT_READ_OPTIONS)) out.push(r);
    expect(out[0]).toMatchObject({ ok: false, rejected: { position: 1 } });
    expect((out[0] as { rejected: { location: string } }).rejected.location).toMatch(/^byte \d+ \(chunk 0\)$/);
    expect(out[1]).toMatchObject({ ok: true, event: { position: 2, recordId: 2, eventCode: 4624, host: "HOST1" } });
  });

  it("rejects a record with an unknown token, with its offset", async () => {
    const bad = (pos: number) =>
      record(pos, 1, (w) => {
        w.fragmentHeader().u8(0x3f).eof();
      });
    const xs = await items(evtxFile([chunk([bad, (pos) => record(pos, 2, simpleEvent(2))])]));
    expect(records(xs).map((r) => r.recordId)).toEqual([2]);
    expect(problems(xs)).toEqual([
      { kind: "problem", offset: 4096 + 512 + 24 + 4, chunkIndex: 0, recordId: 1, reason: "record 1: unexpected BinXML token 0x3f", lost: true },
    ]);
  });

  it("rejects substitution values that run past the record and a name offset outside the chunk", async () => {
    const overrun = (pos: number) =>
      record(pos, 1, (w) => {
        w.fragmentHeader();
        w.u8(0x0c).u8(1).u32(0).u32(512 + 24 + 4 + 10 + 999); // template somewhere odd
        w.u32(1).u16(60000).u8(1).u8(0);
        w.eof();
      });
    const badName = (pos: number) =>
      record(pos, 2, (w) => {
        w.fragmentHeader().u8(0x01).u16(0xffff).u32(0).u32(0x7fffffff).u8(0x03).eof();
      });
    const xs = await items(evtxFile([chunk([overrun, badName, (pos) => record(pos, 3, simpleEvent(3))])]));
    expect(records(xs).map((r) => r.recordId)).toEqual([3]);
    expect(problems(xs).map((p) => p.kind === "problem" && p.recordId)).toEqual([1, 2]);
  });
});

describe("CRC-32", () => {
  it("native and JavaScript CRC-32 agree, also when chained", async () => {
    const { crc32, crc32Js } = await import("./crc32");
    const b = Buffer.from("The quick brown fox jumps over the lazy dog");
    expect(crc32(b)).toBe(0x414fa339);
    expect(crc32Js(b)).toBe(0x414fa339);
    expect(crc32(b, 10, b.length, crc32(b, 0, 10))).toBe(0x414fa339);
    expect(crc32Js(b, 10, b.length, crc32Js(b, 0, 10))).toBe(0x414fa339);
  });
});
