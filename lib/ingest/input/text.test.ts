import { describe, expect, it } from "vitest";
import { InputFormatError } from "../event";
import { chunked, collect, utf16 } from "../../../tests/support/format-readers";
import { decodeText, detectEncoding, findBinaryByte, nulRejection, readLines, RecordSize, TextReport, withTextReport, type TextLine } from "./text";

const decode = async (bytes: Buffer, size = 3) => (await collect(decodeText(chunked(bytes, size)))).join("");

describe("text decoding", () => {
  it("detects and removes BOMs; keeps multi-byte characters split across chunks", async () => {
    const text = "Größe – 日本 😀 end";
    expect(await decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 1)).toBe(text);
    expect(await decode(Buffer.from(text), 1)).toBe(text);
    expect(await decode(utf16(text, "le"), 3)).toBe(text);
    expect(await decode(utf16(text, "be"), 3)).toBe(text);
  });

  it("recognises UTF-16 without a BOM by its zero bytes", async () => {
    expect(detectEncoding(Buffer.from("<Event", "utf16le"))).toEqual({ encoding: "utf16le", bomLength: 0 });
    const be = Buffer.from("<Event", "utf16le").swap16();
    expect(detectEncoding(be)).toEqual({ encoding: "utf16be", bomLength: 0 });
    expect(await decode(be)).toBe("<Event");
  });

  it("passes a NUL in one record on to the readers (they reject that record), counting it", async () => {
    const bytes = Buffer.concat([Buffer.from("<Events>\n<Event>"), Buffer.from([0x00, 0x01, 0x02]), Buffer.from("</Event>\n<Event>ok</Event>")]);
    for (const size of [1, 4, 64]) {
      const report = new TextReport();
      const text = (await collect(decodeText(withTextReport(chunked(bytes, size), report)))).join("");
      expect(text).toBe("<Events>\n<Event>\u0000\u0001\u0002</Event>\n<Event>ok</Event>");
      expect(report.nulCount).toBe(1);
      expect(report.notices()).toEqual([]);
    }
    expect(await decode(utf16("abc\0def"), 5)).toBe("abc\0def");
  });

  it("passes a zero-filled block (a crash's) in the middle of a text log on: one NUL run", async () => {
    const bytes = Buffer.concat([Buffer.from("line one\n".repeat(100)), Buffer.alloc(8192), Buffer.from("line two\n".repeat(100))]);
    const text = await decode(bytes, 4096);
    expect(text.length).toBe(bytes.length);
  });

  it("still refuses binary data (NUL and control bytes throughout), at the first NUL's byte offset", async () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 251;
    const bytes = Buffer.concat([Buffer.from("<Events>\n<Event>"), junk]);
    const firstNul = 16 + junk.indexOf(0);
    for (const size of [3, 512, 65536]) {
      const err = await decode(bytes, size).catch((e) => e);
      expect(err).toBeInstanceOf(InputFormatError);
      expect(err.message).toMatch(/binary data where text was expected/);
      expect(err.location).toBe(`byte ${firstNul}`);
    }
    // In UTF-16, NUL and control characters.
    const junk16 = Buffer.from(Uint16Array.from({ length: 2048 }, (_, i) => (i * 7919) % 40).buffer);
    const err = await decode(Buffer.concat([utf16("<Events>"), junk16]), 100).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.location).toBe(`byte ${2 + 2 * "<Events>".length}`);
  });

  it("replaces invalid UTF-8 with a visible U+FFFD and reports each place (byte and line), whatever the chunk sizes", async () => {
    const bytes = Buffer.concat([
      Buffer.from("ok \uFFFD line\n"), // a real U+FFFD in the file is not a replacement
      Buffer.from("bad "),
      Buffer.from([0xff]), // byte 16, line 2
      Buffer.from(" and "),
      Buffer.from([0xe2, 0x82]), // byte 22, line 2: a sequence cut short by a space
      Buffer.from(" \nemoji 😀 "),
      Buffer.from([0xed, 0xa0, 0x80]), // a surrogate in UTF-8: three replacements (bytes 37, 38, 39), line 3
      Buffer.from("\nend "),
      Buffer.from([0xf0, 0x9f, 0x98]), // cut off by the end of the file: byte 45, line 4
    ]);
    const expected = [
      { byte: 16, line: 2 },
      { byte: 22, line: 2 },
      { byte: 37, line: 3 },
      { byte: 38, line: 3 },
      { byte: 39, line: 3 },
      { byte: 45, line: 4 },
    ];
    for (const size of [1, 2, 3, 5, 7, 1000]) {
      const report = new TextReport();
      const text = (await collect(decodeText(withTextReport(chunked(bytes, size), report)))).join("");
      expect(text).toBe("ok \uFFFD line\nbad \uFFFD and \uFFFD \nemoji 😀 \uFFFD\uFFFD\uFFFD\nend \uFFFD");
      expect(report.replaced).toEqual(expected);
      expect(report.replacedCount).toBe(6);
    }
    // With a BOM, offsets still count from the start of the file.
    const report = new TextReport();
    await collect(decodeText(withTextReport(chunked(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0x41, 0xff])]), 2), report)));
    expect(report.replaced).toEqual([{ byte: 4, line: 1 }]);
  });

  it("decodes random damaged UTF-8 in any chunking as one decode of the whole does, reporting every replacement", async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const alphabet = [0x41, 0x0a, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0xc0, 0xff, 0xef, 0xbf, 0xbd, 0xf4, 0x90, 0xe0];
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.from(Array.from({ length: 5 + Math.floor(rnd() * 60) }, () => alphabet[Math.floor(rnd() * alphabet.length)]));
      if (bytes[0] === 0xef) bytes[0] = 0x41; // not a BOM
      const whole = bytes.toString("utf8");
      let legit = 0;
      for (let i = bytes.indexOf(Buffer.from([0xef, 0xbf, 0xbd])); i >= 0; i = bytes.indexOf(Buffer.from([0xef, 0xbf, 0xbd]), i + 1)) legit++;
      const replacements = [...whole].filter((c) => c === "\uFFFD").length - legit;
      for (const size of [1, 2, 3, 4, 7]) {
        const report = new TextReport(1000);
        const text = (await collect(decodeText(withTextReport(chunked(bytes, size), report)))).join("");
        expect(text).toBe(whole);
        expect(report.replacedCount).toBe(replacements);
        for (const { byte, line } of report.replaced) {
          expect(byte).toBeLessThan(bytes.length);
          expect(line).toBe(1 + bytes.subarray(0, byte).filter((b) => b === 0x0a).length);
        }
      }
    }
  });

  it("lists the replaced places in one notice: the first ones, and how many more", async () => {
    const report = new TextReport(3);
    const bytes = Buffer.from(Array.from({ length: 5 }, (_, i) => `line ${i + 1} \xff\n`).join(""), "latin1");
    await collect(decodeText(withTextReport(chunked(bytes, 4), report)));
    expect(report.notices()).toEqual([
      {
        location: "line 1 (byte 7)",
        summary: true,
        message: "invalid UTF-8 in 5 places, stored as U+FFFD (\uFFFD) so the damage stays visible: line 1 (byte 7), line 2 (byte 16), line 3 (byte 25), and 2 more",
      },
    ]);
  });

  it("replaces lone UTF-16 surrogates and a dropped odd byte, and reports them", async () => {
    const body = Buffer.concat([Buffer.from("a😀b\nc", "utf16le"), Buffer.from([0x00, 0xd8]), Buffer.from("d", "utf16le"), Buffer.from([0x41])]);
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), body]);
    for (const size of [1, 3, 1000]) {
      const report = new TextReport();
      const text = (await collect(decodeText(withTextReport(chunked(bytes, size), report)))).join("");
      expect(text).toBe("a😀b\nc\uFFFDd");
      // The lone surrogate is the 7th code unit (byte 2 + 2 * 6), line 2; the odd byte is the file's last.
      expect(report.replaced).toEqual([
        { byte: 14, line: 2 },
        { byte: bytes.length - 1, line: 2 },
      ]);
      expect(report.notices()[0].message).toMatch(/^invalid UTF-16LE in 2 places/);
    }
  });

  it("says where a record's NUL is, from the record's first line", () => {
    expect(nulRejection("<Event>\n  <Data>a\0b</Data>\n</Event>", "line 40")).toBe(
      "binary data (a NUL byte) inside the record, at line 41, column 10: the record is not stored",
    );
    expect(nulRejection("no nul here", "line 3")).toBeNull();
  });

  it("finds the first binary byte of a head", () => {
    expect(findBinaryByte(Buffer.from("plain text\r\n\ttabs"))).toBe(-1);
    expect(findBinaryByte(Buffer.from([0x41, 0x42, 0x07, 0x43]))).toBe(2);
    expect(findBinaryByte(utf16("ok\u0001"))).toBe(2 + 2 * 2);
  });
});

describe("line splitting", () => {
  it("keeps line numbers and terminators", async () => {
    const lines = await collect(readLines(decodeText(chunked(Buffer.from("a\r\nbb\n\nccc"), 2)), 100));
    expect(lines.map((l) => [l.line, l.text, l.eol])).toEqual([
      [1, "a", "\r\n"],
      [2, "bb", "\n"],
      [3, "", "\n"],
      [4, "ccc", ""],
    ]);
  });

  it("flags a line over the limit once, with its number, without keeping it", async () => {
    const text = `short\n${"x".repeat(10_000)}"q"\nafter\n`;
    const lines = await collect(readLines(decodeText(chunked(Buffer.from(text), 512)), 1000));
    expect(lines.map((l) => [l.line, l.tooLong, l.text.length])).toEqual([
      [1, false, 5],
      [2, true, 200],
      [3, false, 5],
    ]);
    expect(lines[1].quotes).toBe(2);
  });
});

describe("record size", () => {
  const line = (text: string): TextLine => ({ text, eol: "\n", line: 1, tooLong: false });
  /** Whether the record is over `max` after each line is added. */
  const overAfterEachLine = (max: number, texts: string[]) => {
    const size = new RecordSize(max);
    const lines: TextLine[] = [];
    return texts.map((t) => {
      lines.push(line(t));
      return size.add(lines);
    });
  };

  it("counts UTF-8 bytes and line ends exactly, line by line, at the limit", () => {
    // "abc\n" is 4 bytes, "ééé\n" 7 ("é" is 2): 11 in all.
    expect(overAfterEachLine(11, ["abc", "ééé"])).toEqual([false, false]);
    expect(overAfterEachLine(10, ["abc", "ééé"])).toEqual([false, true]);
    // Bytes are counted from the line that takes the record past a third of the limit in characters, and then
    // the lines before it count too: "ab\n" 3 + "éééé\n" 9 + "c\n" 2 = 14.
    expect(overAfterEachLine(14, ["ab", "éééé", "c"])).toEqual([false, false, false]);
    expect(overAfterEachLine(13, ["ab", "éééé", "c"])).toEqual([false, false, true]);
  });
});
