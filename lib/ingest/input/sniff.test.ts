import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputFormatError } from "../event";
import { fixture, utf16 } from "../../../tests/support/format-readers";
import { detectFormat, sniffFormat } from "./sniff";

describe("format sniffing", () => {
  it.each([
    ["splunk-xmlwineventlog.xml", "xml"],
    ["eventviewer-saved.xml", "xml"],
    ["wevtutil-rendered.xml", "xml"],
    ["classic.log", "classic"],
    ["winlogbeat.ndjson", "json"],
    ["get-winevent.json", "json"],
    ["otrf.json", "json"],
    ["splunk-export.json", "json"],
    ["splunk-export.csv", "csv"],
    ["splunk-fields.csv", "csv"],
    ["eventviewer-application.csv", "csv"],
  ])("%s -> %s", (name, format) => {
    expect(sniffFormat(fixture(name))).toBe(format);
    expect(detectFormat(fixture(name))).toBe(format);
  });

  it("recognises UTF-16 text and EVTX by its magic", () => {
    expect(sniffFormat(utf16(fixture("eventviewer-saved.xml").toString("utf8")))).toBe("xml");
    expect(sniffFormat(utf16(fixture("classic.log").toString("utf8")))).toBe("classic");
    const evtx = Buffer.concat([Buffer.from("ElfFile\0", "latin1"), Buffer.alloc(4088)]);
    expect(sniffFormat(evtx)).toBe("evtx");
  });

  it("says a README is not a Windows event log", () => {
    const readme = Buffer.from("# IIS Module Watch\n\nA dashboard that catches malicious IIS modules.\n");
    expect(sniffFormat(readme)).toBeNull();
    expect(() => detectFormat(readme, "README.md")).toThrow(InputFormatError);
    expect(() => detectFormat(readme, "README.md")).toThrow(/^not a Windows event log: 'README.md' is not EVTX/);
  });

  it("rejects binary garbage with the offset of the first binary byte", () => {
    const garbage = Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0xff, 0xfe]);
    const err = (() => {
      try {
        detectFormat(garbage);
      } catch (e) {
        return e as InputFormatError;
      }
    })();
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err!.message).toMatch(/binary data/);
    expect(err!.location).toBe("byte 3");
  });

  it("tells an archive that was not unpacked, and an empty file", () => {
    expect(() => detectFormat(gzipSync(Buffer.from("x")))).toThrow(/compressed archive/);
    expect(() => detectFormat(Buffer.alloc(0), "empty.log")).toThrow(/'empty.log' is empty/);
  });
});
