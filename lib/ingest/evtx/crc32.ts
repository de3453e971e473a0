// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as EVTX uses for file/chunk headers and record data.
// Uses zlib's native crc32 where Node has it (20.15+), else a table-driven loop.
import zlib from "node:zlib";

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc32Js(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  let c = ~crc;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Continues a CRC-32 over buf[start, end). Pass the previous result as `crc` to chain ranges (start with 0). */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  if (native && end > start) return native(buf.subarray(start, end), crc) >>> 0;
  return crc32Js(buf, start, end, crc);
}
