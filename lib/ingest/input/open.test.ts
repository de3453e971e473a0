import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { InputFormatError } from "../event";
import { readerForFormat } from "../readers";
import { collect, fixture, makeZip, utf16 } from "../../../tests/support/format-readers";
import { openInputs, type OpenInputsOptions } from "./open";
import { detectFormat } from "./sniff";

const dir = mkdtempSync(path.join(tmpdir(), "iiswatch-open-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function readMembers(filePath: string, options?: OpenInputsOptions) {
  const out: { name: string; size?: number; isArchiveMember: boolean; bytes: Buffer }[] = [];
  for await (const m of openInputs(filePath, options)) out.push({ name: m.name, size: m.size, isArchiveMember: m.isArchiveMember, bytes: Buffer.concat(await collect(m.stream)) });
  return out;
}

async function failure(p: Promise<unknown>): Promise<InputFormatError> {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(e).toBeInstanceOf(InputFormatError);
  return e as InputFormatError;
}

describe("openInputs", () => {
  it("passes a plain file through", async () => {
    const members = await readMembers(file("plain.log", fixture("classic.log")));
    expect(members).toEqual([{ name: "plain.log", size: fixture("classic.log").length, isArchiveMember: false, bytes: fixture("classic.log") }]);
  });

  it("gunzips a .gz file (recognised by its magic, whatever its name)", async () => {
    const members = await readMembers(file("events.xml.gz", gzipSync(fixture("eventviewer-saved.xml"))));
    expect(members.map((m) => [m.name, m.isArchiveMember])).toEqual([["events.xml", false]]);
    expect(members[0].bytes.equals(fixture("eventviewer-saved.xml"))).toBe(true);
    const renamed = await readMembers(file("upload.bin", gzipSync(fixture("classic.log"))));
    expect(renamed[0].bytes.equals(fixture("classic.log"))).toBe(true);
  });

  it("yields every file of a zip (several formats, gz inside, UTF-16), skipping directories and empty members", async () => {
    const zip = makeZip([
      { name: "logs/", data: Buffer.alloc(0) },
      { name: "logs/app.xml", data: fixture("splunk-xmlwineventlog.xml") },
      { name: "logs/empty.txt", data: Buffer.alloc(0) },
      { name: "logs/iis.log.gz", data: gzipSync(fixture("classic.log")) },
      { name: "winlogbeat.ndjson", data: fixture("winlogbeat.ndjson"), store: true },
      { name: "../../evil/utf16.xml", data: utf16(fixture("eventviewer-saved.xml").toString("utf8")) },
      { name: "export.csv", data: fixture("splunk-export.csv") },
    ]);
    const members = await readMembers(file("bundle.zip", zip));
    expect(members.map((m) => m.name)).toEqual(["logs/app.xml", "logs/iis.log", "winlogbeat.ndjson", "../../evil/utf16.xml", "export.csv"]);
    expect(members[1].bytes.equals(fixture("classic.log"))).toBe(true);
    expect(members.every((m) => m.isArchiveMember)).toBe(true);
    expect(members[0].size).toBe(fixture("splunk-xmlwineventlog.xml").length);

    // Each member is sniffed and read on its own: the real events come out of every one.
    const dests: string[] = [];
    for (const m of members) {
      const format = detectFormat(m.bytes, m.name);
      const reader = readerForFormat(format);
      async function* once() {
        yield m.bytes;
      }
      for await (const r of reader.read(once(), { maxRecordBytes: 1 << 20 })) if (r.ok && r.event.eventCode === 2282) dests.push(`${format}:${r.event.splunk.dest}`);
    }
    expect(dests).toEqual(["xml:win-dc-exch01.attackrange.local", "classic:win-dc-exch01.attackrange.local", "json:win-dc-exch01.attackrange.local", "xml:win-dc-exch01.attackrange.local", "csv:win-dc-exch01.attackrange.local"]);
  });

  it("reports the upload's own bytes as they are consumed", async () => {
    const progress = async (p: string) => {
      let n = 0;
      await readMembers(p, { onCompressedBytes: (b) => (n += b) });
      return n;
    };
    const plain = fixture("classic.log");
    expect(await progress(file("p.log", plain))).toBe(plain.length);
    const gz = gzipSync(Buffer.concat(Array(50).fill(plain)));
    expect(await progress(file("p.log.gz", gz))).toBe(gz.length);
    const a = Buffer.concat(Array(40).fill(fixture("splunk-xmlwineventlog.xml")));
    const zip = makeZip([{ name: "a.xml", data: a }, { name: "b.log", data: plain, store: true }]);
    const zipped = await progress(file("p.zip", zip));
    // The compressed data of both members (headers excluded).
    expect(zipped).toBeGreaterThan(plain.length);
    expect(zipped).toBeLessThan(zip.length - 2 * 30);
  });

  it("lets the caller stop reading a member half way and go on to the next", async () => {
    const zip = makeZip([
      { name: "a.log", data: Buffer.alloc(300_000, "a") },
      { name: "b.log", data: Buffer.from("bbb") },
    ]);
    const names: string[] = [];
    for await (const m of openInputs(file("partial.zip", zip))) {
      names.push(m.name);
      for await (const chunk of m.stream) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
    }
    expect(names).toEqual(["a.log", "b.log"]);
  });

  it("refuses a zip bomb from its declared sizes, naming the member", async () => {
    const zip = makeZip([
      { name: "ok.xml", data: fixture("splunk-xmlwineventlog.xml") },
      { name: "bomb.xml", data: Buffer.alloc(8 * 1024 * 1024) },
    ]);
    const members: string[] = [];
    const err = await failure(
      (async () => {
        for await (const m of openInputs(file("bomb.zip", zip))) {
          members.push(m.name);
          await collect(m.stream);
        }
      })(),
    );
    expect(members).toEqual(["ok.xml"]);
    expect(err.message).toMatch(/'bomb\.xml' would expand \d+:1 .* over the limit of 200:1: it looks like a decompression bomb, refused/);
    expect(err.location).toBe("member 'bomb.xml' (entry 2)");
  });

  it("refuses a zip bomb that lies about its size while inflating", async () => {
    const zip = makeZip([{ name: "liar.xml", data: Buffer.alloc(8 * 1024 * 1024), declaredSize: 1000 }]);
    const err = await failure(readMembers(file("liar.zip", zip)));
    expect(err.message).toMatch(/liar\.xml/);
    expect(err.message).toMatch(/it looks like a decompression bomb/);
    expect(err.location).toMatch(/^member 'liar\.xml', uncompressed byte \d+$/);
  });

  it("refuses a gzip bomb past the ratio cap, saying how far it got", async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    const err = await failure(readMembers(file("bomb.log.gz", bomb)));
    expect(err.message).toMatch(/'bomb\.log\.gz' expands more than 200:1 .*: it looks like a decompression bomb, refused/);
    const at = Number(/uncompressed byte (\d+)/.exec(err.location!)![1]);
    expect(at).toBeGreaterThan(1024 * 1024);
    expect(at).toBeLessThan(4 * 1024 * 1024);
  });

  it("names the file as uploaded, not as spooled (an internal id), in its messages", async () => {
    const spooled = file("3f2504e0-4f89-11d3-9a0c-0305e82c3301", gzipSync(Buffer.alloc(16 * 1024 * 1024)));
    const err = await failure(readMembers(spooled, { name: "web01-logs.xml.gz" }));
    expect(err.message).toMatch(/^'web01-logs\.xml\.gz' expands more than 200:1/);
    expect(err.message + err.location).not.toMatch(/3f2504e0/);
    const members = await readMembers(file("3f2504e0-4f89-11d3-9a0c-0305e82c3302", gzipSync(Buffer.from("x"))), { name: "app.log.gz" });
    expect(members.map((m) => m.name)).toEqual(["app.log"]);
  });

  it("enforces the total uncompressed cap across members", async () => {
    const zip = makeZip([
      { name: "one.log", data: Buffer.from("x".repeat(6000)) },
      { name: "two.log", data: Buffer.from("y".repeat(6000)) },
    ]);
    const err = await failure(readMembers(file("total.zip", zip), { maxUncompressedBytes: 10_000 }));
    expect(err.message).toMatch(/'two\.log' would take the upload past the limit/);
    const gz = await failure(readMembers(file("total.gz", gzipSync(Buffer.from("z".repeat(20_000)))), { maxUncompressedBytes: 10_000 }));
    expect(gz.message).toMatch(/exceeds the limit/);
  });

  it("reports corrupt gzip data and a nested zip as InputFormatError", async () => {
    const gz = gzipSync(fixture("classic.log"));
    gz[gz.length - 20] ^= 0xff;
    gz[20] ^= 0xff;
    await failure(readMembers(file("corrupt.gz", gz)));
    const nested = makeZip([{ name: "inner.zip", data: makeZip([{ name: "x.log", data: Buffer.from("x") }]) }]);
    const err = await failure(readMembers(file("nested.zip", nested)));
    expect(err.message).toMatch(/nested zip/);
  });

  it("reports a damaged zip as InputFormatError", async () => {
    const zip = makeZip([{ name: "a.log", data: Buffer.from("hello") }]);
    await failure(readMembers(file("damaged.zip", zip.subarray(0, zip.length - 10))));
  });
});
