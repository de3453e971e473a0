import { describe, expect, it } from "vitest";
import { InputFormatError } from "../event";
import { chunked, collect, utf16 } from "../formats/testing";
import { decodeText, detectEncoding, findBinaryByte, readLines, RecordSize, type TextLine } from "./text";

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

  it("rejects a NUL byte in UTF-8 text with its byte offset", async () => {
    const bytes = Buffer.concat([Buffer.from("<Events>\n<Event>"), Buffer.from([0x00, 0x01, 0x02]), Buffer.from("</Event>")]);
    const err = await decode(bytes, 4).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.location).toBe("byte 16");
  });

  it("rejects a NUL character in UTF-16 text with its byte offset", async () => {
    const bytes = utf16("abc\0def");
    const err = await decode(bytes, 5).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.location).toBe(`byte ${2 + 3 * 2}`);
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
