// Test helpers for the format readers and the input layer (used by *.test.ts only).
import { readFileSync } from "node:fs";
import path from "node:path";
import { deflateRawSync } from "node:zlib";
import type { NormalizedEvent, ParsedRecord, RejectedRecord } from "../../lib/ingest/event";
import type { FormatReader, ReadOptions } from "../../lib/ingest/parser";
import { crc32 } from "../../lib/ingest/evtx/crc32";

/** The format readers' sample files, kept beside the readers (lib/ingest/formats/fixtures, see its README). */
export const FIXTURES = path.join(import.meta.dirname, "../../lib/ingest/formats/fixtures");

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

/**
 * The EventData of the real Event 29 (a customErrors change, tests/samples.ts's event29ViewerText) as every reader
 * that keeps event data must return it: the fixtures of several formats carry that same event.
 */
export const SAMPLE_29_DATA = {
  PhysicalPath: "\\\\?\\C:\\inetpub\\wwwroot\\web.config",
  ConfigPath: "MACHINE/WEBROOT/APPHOST/Default Web Site",
  EffectiveLocationPath: "",
  Configuration: '/system.web/customErrors/error[@statusCode="404"]',
  EditOperationType: "1",
  OldValue: "",
  NewValue: "",
};

/** A byte stream in small chunks, so that chunk boundaries fall everywhere (mid-character, mid-tag). */
export async function* chunked(bytes: Buffer, size = 13): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export interface ReadResult {
  records: ParsedRecord[];
  events: NormalizedEvent[];
  rejected: RejectedRecord[];
}

export async function readAll(reader: FormatReader, bytes: Buffer, options: Partial<ReadOptions> & Record<string, unknown> = {}, chunkSize = 13): Promise<ReadResult> {
  const records = await collect(reader.read(chunked(bytes, chunkSize), { maxRecordBytes: 1024 * 1024, ...options }));
  return {
    records,
    events: records.flatMap((r) => (r.ok ? [r.event] : [])),
    rejected: records.flatMap((r) => (r.ok ? [] : [r.rejected])),
  };
}

/** UTF-16 (LE or BE) with a BOM, as Windows tools write it. */
export function utf16(text: string, endian: "le" | "be" = "le"): Buffer {
  const body = Buffer.from(text, "utf16le");
  if (endian === "be") body.swap16();
  return Buffer.concat([Buffer.from(endian === "le" ? [0xff, 0xfe] : [0xfe, 0xff]), body]);
}

export interface ZipMemberSpec {
  name: string;
  data: Buffer;
  /** Store instead of deflate. */
  store?: boolean;
  /** Lie about the uncompressed size in the headers (a zip bomb hiding its size). */
  declaredSize?: number;
}

interface ZipEntryFields {
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  nameLength: number;
}

/**
 * The run of fields a member's local header and its central directory entry both hold, in the same order (flags,
 * method, time, date, CRC-32, sizes, name length): at offset 6 of the one and 8 of the other. Names are UTF-8; the
 * time and date stay zero.
 */
function writeEntryFields(header: Buffer, at: number, f: ZipEntryFields): void {
  header.writeUInt16LE(0x0800, at);
  header.writeUInt16LE(f.method, at + 2);
  header.writeUInt32LE(f.crc, at + 8);
  header.writeUInt32LE(f.compressedSize, at + 12);
  header.writeUInt32LE(f.size, at + 16);
  header.writeUInt16LE(f.nameLength, at + 20);
}

/** A minimal zip writer (deflate or store, no zip64) for test archives. */
export function makeZip(members: ZipMemberSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, "utf8");
    const isDir = m.name.endsWith("/");
    const method = m.store || isDir ? 0 : 8;
    const body = method === 8 ? deflateRawSync(m.data) : m.data;
    const crc = crc32(m.data);
    const size = m.declaredSize ?? m.data.length;
    const entry = { method, crc, compressedSize: body.length, size, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    writeEntryFields(local, 6, entry);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    writeEntryFields(central, 8, entry);
    central.writeUInt32LE(isDir ? 0x10 : 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
