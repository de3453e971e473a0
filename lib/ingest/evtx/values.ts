// Rendering of EVTX substitution values (BinXML value types) to text, the way Windows' XML rendering writes them
// (and libevtx's evtxexport; python-evtx differs in a few places, see ORACLE-EXCEPTIONS.md).

export const VT = {
  Null: 0x00,
  WString: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
  ArrayFlag: 0x80,
} as const;

/** Thrown when a value's bytes do not fit its type; the record decoder turns it into a rejection. */
export class ValueError extends Error {
  name = "ValueError";
}

// Seconds between 1601-01-01 and 1970-01-01.
const EPOCH_DELTA_SECONDS = 11644473600;

let lastSecs = NaN;
let lastSecsText = "";

function secondsText(unixSecs: number): string {
  if (unixSecs === lastSecs) return lastSecsText;
  const d = new Date(unixSecs * 1000);
  let text: string;
  if (Number.isNaN(d.getTime())) text = "1601-01-01T00:00:00";
  else {
    const iso = d.toISOString();
    text = iso.length === 24 ? iso.slice(0, 19) : iso.slice(0, iso.length - 5); // "+010000-…" for year > 9999
  }
  lastSecs = unixSecs;
  lastSecsText = text;
  return text;
}

/** FILETIME (100 ns ticks since 1601, as two little-endian uint32 halves) -> "2022-12-20T15:58:25.3253836Z". */
export function filetimeFromParts(lo: number, hi: number): string {
  // ticks = hi * 2^32 + lo can exceed 2^53, so take the sub-second remainder exactly (2^32 mod 1e7 = 4967296) and
  // let rounding fix the whole seconds (the double error is a few thousand ticks at most, far below half a second).
  const rem = ((hi % 1e7) * 4967296 + lo) % 1e7;
  const secs = Math.round((hi * 4294967296 - rem + lo) / 1e7);
  const frac = rem < 1000000 ? String(rem + 10000000).slice(1) : String(rem);
  return `${secondsText(secs - EPOCH_DELTA_SECONDS)}.${frac}Z`;
}

export function filetimeAt(buf: Buffer, off: number): string {
  return filetimeFromParts(buf.readUInt32LE(off), buf.readUInt32LE(off + 4));
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** SYSTEMTIME (8 x uint16: year, month, weekday, day, hour, minute, second, milliseconds), rendered at 100 ns. */
export function systemtimeAt(buf: Buffer, off: number): string {
  const y = buf.readUInt16LE(off);
  const ms = buf.readUInt16LE(off + 14);
  return (
    `${String(y).padStart(4, "0")}-${pad2(buf.readUInt16LE(off + 2))}-${pad2(buf.readUInt16LE(off + 6))}` +
    `T${pad2(buf.readUInt16LE(off + 8))}:${pad2(buf.readUInt16LE(off + 10))}:${pad2(buf.readUInt16LE(off + 12))}` +
    `.${String(ms).padStart(3, "0")}0000Z`
  );
}

const HEX = "0123456789ABCDEF";
function hexByte(b: number): string {
  return HEX[b >> 4] + HEX[b & 15];
}

/** GUID, Windows style: {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}, the first three groups little-endian. */
export function guidAt(buf: Buffer, off: number): string {
  let s = "{";
  for (let i = 3; i >= 0; i--) s += hexByte(buf[off + i]);
  s += "-" + hexByte(buf[off + 5]) + hexByte(buf[off + 4]);
  s += "-" + hexByte(buf[off + 7]) + hexByte(buf[off + 6]);
  s += "-" + hexByte(buf[off + 8]) + hexByte(buf[off + 9]) + "-";
  for (let i = 10; i < 16; i++) s += hexByte(buf[off + i]);
  return s + "}";
}

/** Length in bytes of the SID at off (8 + 4 per sub-authority), or -1 if it does not fit in [off, end). */
function sidLength(buf: Buffer, off: number, end: number): number {
  if (off + 8 > end) return -1;
  const len = 8 + 4 * buf[off + 1];
  return off + len <= end ? len : -1;
}

function sidAt(buf: Buffer, off: number, len: number): string {
  // Identifier authority: 48-bit big-endian.
  const authority = buf.readUInt16BE(off + 2) * 4294967296 + buf.readUInt32BE(off + 4);
  let s = `S-${buf[off]}-${authority}`;
  for (let p = off + 8; p < off + len; p += 4) s += "-" + buf.readUInt32LE(p);
  return s;
}

function hex32(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}

function hex64(buf: Buffer, off: number): string {
  return "0x" + buf.readUInt32LE(off + 4).toString(16).padStart(8, "0") + buf.readUInt32LE(off).toString(16).padStart(8, "0");
}

/** UTF-16LE text without its trailing NULs (Windows stores them NUL-terminated) and without embedded NULs. */
export function utf16At(buf: Buffer, off: number, end: number): string {
  let e = end;
  if ((e - off) & 1) e--;
  while (e > off && buf[e - 1] === 0 && buf[e - 2] === 0) e -= 2;
  const s = buf.toString("utf16le", off, e);
  return s.indexOf("\0") === -1 ? s : s.replace(/\0/g, "");
}

function ansiAt(buf: Buffer, off: number, end: number): string {
  let e = end;
  while (e > off && buf[e - 1] === 0) e--;
  const s = buf.toString("latin1", off, e);
  return s.indexOf("\0") === -1 ? s : s.replace(/\0/g, "");
}

/** Fixed byte size of a scalar type, 0 for variable-size types. */
export function fixedSize(type: number): number {
  switch (type) {
    case VT.Int8:
    case VT.UInt8:
      return 1;
    case VT.Int16:
    case VT.UInt16:
      return 2;
    case VT.Int32:
    case VT.UInt32:
    case VT.Real32:
    case VT.Bool:
    case VT.HexInt32:
      return 4;
    case VT.Int64:
    case VT.UInt64:
    case VT.Real64:
    case VT.FileTime:
    case VT.HexInt64:
      return 8;
    case VT.Guid:
    case VT.SysTime:
      return 16;
    default:
      return 0;
  }
}

function need(size: number, want: number, type: number): void {
  if (size < want) throw new ValueError(`value of type 0x${type.toString(16)} needs ${want} bytes, has ${size}`);
}

/** A number type's value at `off` (little-endian, as EVTX stores them), which Windows writes in decimal. */
function readNumber(buf: Buffer, type: number, off: number): number | bigint {
  switch (type) {
    case VT.Int8:
      return buf.readInt8(off);
    case VT.UInt8:
      return buf[off];
    case VT.Int16:
      return buf.readInt16LE(off);
    case VT.UInt16:
      return buf.readUInt16LE(off);
    case VT.Int32:
      return buf.readInt32LE(off);
    case VT.UInt32:
      return buf.readUInt32LE(off);
    case VT.Int64:
      return buf.readBigInt64LE(off);
    case VT.UInt64:
      return buf.readBigUInt64LE(off);
    case VT.Real32:
      return buf.readFloatLE(off);
    case VT.Real64:
      return buf.readDoubleLE(off);
    default:
      throw new ValueError(`0x${type.toString(16)} is not a number type`);
  }
}

/** One scalar value (not an array, not BinXML) of `type` stored in buf[off, off + size). */
export function scalarText(buf: Buffer, type: number, off: number, size: number): string {
  switch (type) {
    case VT.Null:
      return "";
    case VT.WString:
      return utf16At(buf, off, off + size);
    case VT.AnsiString:
      return ansiAt(buf, off, off + size);
    case VT.Int8:
    case VT.UInt8:
    case VT.Int16:
    case VT.UInt16:
    case VT.Int32:
    case VT.UInt32:
    case VT.Int64:
    case VT.UInt64:
    case VT.Real32:
    case VT.Real64:
      need(size, fixedSize(type), type);
      return String(readNumber(buf, type, off));
    case VT.Bool:
      need(size, 1, type);
      return (size >= 4 ? buf.readUInt32LE(off) : buf[off]) !== 0 ? "true" : "false";
    case VT.Binary:
    case VT.EvtHandle:
    case VT.EvtXml:
      return buf.toString("hex", off, off + size).toUpperCase();
    case VT.Guid:
      need(size, 16, type);
      return guidAt(buf, off);
    case VT.SizeT:
      if (size === 4) return hex32(buf.readUInt32LE(off));
      need(size, 8, type);
      return hex64(buf, off);
    case VT.FileTime:
      need(size, 8, type);
      return filetimeAt(buf, off);
    case VT.SysTime:
      need(size, 16, type);
      return systemtimeAt(buf, off);
    case VT.Sid: {
      const len = sidLength(buf, off, off + size);
      if (len < 0) throw new ValueError(`SID of ${size} bytes is truncated`);
      return sidAt(buf, off, len);
    }
    case VT.HexInt32:
      need(size, 4, type);
      return hex32(buf.readUInt32LE(off));
    case VT.HexInt64:
      need(size, 8, type);
      return hex64(buf, off);
    default:
      throw new ValueError(`unknown value type 0x${type.toString(16)}`);
  }
}

/** The items of an array value (type has the 0x80 flag). */
export function arrayItems(buf: Buffer, type: number, off: number, size: number): string[] {
  const base = type & 0x7f;
  const end = off + size;
  if (base === VT.WString) {
    if (size === 0) return [];
    let text = buf.toString("utf16le", off, end - (size & 1));
    if (text.endsWith("\0")) text = text.slice(0, -1);
    return text.split("\0");
  }
  if (base === VT.AnsiString) {
    if (size === 0) return [];
    let text = buf.toString("latin1", off, end);
    if (text.endsWith("\0")) text = text.slice(0, -1);
    return text.split("\0");
  }
  if (base === VT.Sid) {
    const out: string[] = [];
    for (let p = off; p < end; ) {
      const len = sidLength(buf, p, end);
      if (len < 0) throw new ValueError("SID array is truncated");
      out.push(sidAt(buf, p, len));
      p += len;
    }
    return out;
  }
  let item = fixedSize(base);
  if (base === VT.SizeT) item = size % 8 === 0 ? 8 : 4;
  if (item === 0) return [scalarText(buf, base, off, size)];
  if (size % item !== 0) throw new ValueError(`array of type 0x${type.toString(16)}: ${size} bytes is not a multiple of ${item}`);
  const out: string[] = [];
  for (let p = off; p < end; p += item) out.push(scalarText(buf, base, p, item));
  return out;
}
