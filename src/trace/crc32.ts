// CRC-32 as used by zlib, PNG and Ethernet (ISO-HDLC): reflected polynomial 0xEDB88320,
// initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF; crc32("123456789") = 0xCBF43926.
// Node >= 20.15 has a native zlib.crc32; the table version is the fallback and the
// reference the tests compare it with.
import zlib from 'node:zlib';

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Table-driven CRC-32; `crc` continues a previous result. */
export function crc32Table(data: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export const crc32: (data: Uint8Array, crc?: number) => number = native ? (data, crc = 0) => native(data, crc) >>> 0 : crc32Table;

