// Byte layout of the trace file (traces/FORMAT.md is the specification; this file is its
// code). All integers are little-endian; 64-bit fields hold values below 2^53 so they map to
// JavaScript numbers exactly. Fixed-size structures are encoded and decoded here and nowhere
// else, so the writer, the scanner and the index reader cannot disagree about them.

import { crc32 } from './crc32.ts';

/** "\x89CVTR\r\n\x1a": the high byte and CR LF / ^Z catch 7-bit and newline-mangling copies. */
export const FILE_MAGIC = Uint8Array.of(0x89, 0x43, 0x56, 0x54, 0x52, 0x0d, 0x0a, 0x1a);
export const VERSION_MAJOR = 1;
export const VERSION_MINOR = 0;
/** magic 8, major 2, minor 2, flags 4, config length 4. */
export const FILE_HEADER_FIXED = 20;
/** Configuration blocks larger than this are refused as corrupt. */
export const MAX_CONFIG_BYTES = 16 << 20;

/** "CVCK": every chunk starts with it, so a scanner can tell a chunk from garbage. */
export const CHUNK_MAGIC = 0x4b435643;
export const CHUNK_HEADER_SIZE = 64;
export const CHUNK_EVENTS = 1;
export const CHUNK_CHECKPOINT = 2;
export const CHUNK_INDEX = 3;
/** Types with this bit are ancillary: a reader that does not know them skips them. */
export const CHUNK_ANCILLARY = 0x80;
export const FLAG_DEFLATE = 0x01;
export const KNOWN_FLAGS = FLAG_DEFLATE;
/** Stored and raw payloads above this are refused (a chunk is meant to be small). */
export const MAX_PAYLOAD = 1 << 30;

/** "CVFOOTER" */
export const FOOTER_MAGIC = Uint8Array.of(0x43, 0x56, 0x46, 0x4f, 0x4f, 0x54, 0x45, 0x52);
export const FOOTER_SIZE = 32;
export const INDEX_ENTRY_SIZE = 64;

export function chunkTypeName(type: number): string {
  switch (type) {
    case CHUNK_EVENTS: return 'events';
    case CHUNK_CHECKPOINT: return 'checkpoint';
    case CHUNK_INDEX: return 'index';
    default: return `type 0x${type.toString(16)}`;
  }
}

/** The fields of a chunk header. Unused fields of a type are 0. */
export interface ChunkHeader {
  type: number;
  flags: number;
  storedLength: number;
  rawLength: number;
  payloadCrc: number;
  eventCount: number;
  /** events: seq of the first event; checkpoint: the seq it belongs to. */
  firstSeq: number;
  /** events: icount of the first event; checkpoint: the icount it belongs to. */
  firstIcount: number;
  lastIcount: number;
  /** Delta state before the first record (events chunks). */
  baseIcount: number;
  baseDomain: number;
  baseVcpu: number;
}

export function encodeChunkHeader(h: ChunkHeader): Uint8Array {
  const out = new Uint8Array(CHUNK_HEADER_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, CHUNK_MAGIC, true);
  v.setUint8(4, h.type);
  v.setUint8(5, h.flags);
  v.setUint32(8, h.storedLength, true);
  v.setUint32(12, h.rawLength, true);
  v.setUint32(16, h.payloadCrc, true);
  v.setUint32(20, h.eventCount, true);
  setU64(v, 24, h.firstSeq);
  setU64(v, 32, h.firstIcount);
  setU64(v, 40, h.lastIcount);
  setU64(v, 48, h.baseIcount);
  v.setUint16(56, h.baseDomain, true);
  v.setUint16(58, h.baseVcpu, true);
  v.setUint32(60, crc32(out.subarray(0, 60)), true);
  return out;
}

/** Parses a 64-byte chunk header; returns a reason string when it is not a valid one. */
export function decodeChunkHeader(b: Uint8Array): ChunkHeader | string {
  const v = view(b);
  const magic = v.getUint32(0, true);
  if (magic !== CHUNK_MAGIC) return `no chunk magic (found ${hexBytes(b.subarray(0, 4))}, expected 43 56 43 4b "CVCK")`;
  const stored = v.getUint32(60, true);
  const computed = crc32(b.subarray(0, 60));
  if (stored !== computed) return `chunk header CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)})`;
  if (v.getUint16(6, true) !== 0) return 'reserved chunk header bytes 6..7 are not zero';
  const h: ChunkHeader = {
    type: v.getUint8(4),
    flags: v.getUint8(5),
    storedLength: v.getUint32(8, true),
    rawLength: v.getUint32(12, true),
    payloadCrc: v.getUint32(16, true),
    eventCount: v.getUint32(20, true),
    firstSeq: getU64(v, 24),
    firstIcount: getU64(v, 32),
    lastIcount: getU64(v, 40),
    baseIcount: getU64(v, 48),
    baseDomain: v.getUint16(56, true),
    baseVcpu: v.getUint16(58, true),
  };
  return chunkHeaderFault(h) ?? h;
}

/** Field checks that need no neighbours; used for headers read from a chunk or the index. */
export function chunkHeaderFault(h: ChunkHeader): string | null {
  if ([h.firstSeq, h.firstIcount, h.lastIcount, h.baseIcount].some((x) => x < 0)) return 'a 64-bit chunk header field exceeds 2^53-1';
  if (h.flags & ~KNOWN_FLAGS) return `unknown chunk flags 0x${h.flags.toString(16)}`;
  if (h.storedLength > MAX_PAYLOAD || h.rawLength > MAX_PAYLOAD) return `payload length ${Math.max(h.storedLength, h.rawLength)} exceeds the ${MAX_PAYLOAD}-byte limit`;
  if (!(h.flags & FLAG_DEFLATE) && h.storedLength !== h.rawLength) return `uncompressed payload with stored length ${h.storedLength} != raw length ${h.rawLength}`;
  return null;
}

/** Footer: magic, index chunk offset, event count, chunk count, CRC. */
export interface Footer {
  indexOffset: number;
  eventCount: number;
  chunkCount: number;
}

export function encodeFooter(f: Footer): Uint8Array {
  const out = new Uint8Array(FOOTER_SIZE);
  out.set(FOOTER_MAGIC, 0);
  const v = new DataView(out.buffer);
  setU64(v, 8, f.indexOffset);
  setU64(v, 16, f.eventCount);
  v.setUint32(24, f.chunkCount, true);
  v.setUint32(28, crc32(out.subarray(0, 28)), true);
  return out;
}

export function hasFooterMagic(b: Uint8Array): boolean {
  return b.length >= FOOTER_SIZE && FOOTER_MAGIC.every((x, i) => b[i] === x);
}

export function decodeFooter(b: Uint8Array): Footer | string {
  const v = view(b);
  const stored = v.getUint32(28, true);
  const computed = crc32(b.subarray(0, 28));
  if (stored !== computed) return `footer CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)})`;
  const f = { indexOffset: getU64(v, 8), eventCount: getU64(v, 16), chunkCount: v.getUint32(24, true) };
  if (f.indexOffset < 0 || f.eventCount < 0) return 'a 64-bit footer field exceeds 2^53-1';
  return f;
}

/** One index entry: where a chunk is plus every field of its header, so an index alone
 *  describes the file and a chunk read later can be checked against it. */
export interface IndexEntry extends ChunkHeader {
  offset: number;
}

export function encodeIndex(entries: readonly IndexEntry[]): Uint8Array {
  const out = new Uint8Array(4 + entries.length * INDEX_ENTRY_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, entries.length, true);
  entries.forEach((e, i) => {
    const o = 4 + i * INDEX_ENTRY_SIZE;
    setU64(v, o, e.offset);
    v.setUint8(o + 8, e.type);
    v.setUint8(o + 9, e.flags);
    v.setUint32(o + 12, e.eventCount, true);
    setU64(v, o + 16, e.firstSeq);
    setU64(v, o + 24, e.firstIcount);
    setU64(v, o + 32, e.lastIcount);
    setU64(v, o + 40, e.baseIcount);
    v.setUint16(o + 48, e.baseDomain, true);
    v.setUint16(o + 50, e.baseVcpu, true);
    v.setUint32(o + 52, e.storedLength, true);
    v.setUint32(o + 56, e.rawLength, true);
    v.setUint32(o + 60, e.payloadCrc, true);
  });
  return out;
}

export function decodeIndex(b: Uint8Array): IndexEntry[] | string {
  if (b.length < 4) return 'index payload shorter than its count field';
  const v = view(b);
  const n = v.getUint32(0, true);
  if (b.length !== 4 + n * INDEX_ENTRY_SIZE) return `index payload is ${b.length} bytes, expected ${4 + n * INDEX_ENTRY_SIZE} for ${n} entries`;
  const out: IndexEntry[] = [];
  for (let i = 0; i < n; i++) {
    const o = 4 + i * INDEX_ENTRY_SIZE;
    if (v.getUint16(o + 10, true) !== 0) return `index entry ${i} has non-zero reserved bytes`;
    const e: IndexEntry = {
      offset: getU64(v, o),
      type: v.getUint8(o + 8),
      flags: v.getUint8(o + 9),
      eventCount: v.getUint32(o + 12, true),
      firstSeq: getU64(v, o + 16),
      firstIcount: getU64(v, o + 24),
      lastIcount: getU64(v, o + 32),
      baseIcount: getU64(v, o + 40),
      baseDomain: v.getUint16(o + 48, true),
      baseVcpu: v.getUint16(o + 50, true),
      storedLength: v.getUint32(o + 52, true),
      rawLength: v.getUint32(o + 56, true),
      payloadCrc: v.getUint32(o + 60, true),
    };
    if ([e.offset, e.firstSeq, e.firstIcount, e.lastIcount, e.baseIcount].some((x) => x < 0)) return `index entry ${i} has a 64-bit field above 2^53-1`;
    out.push(e);
  }
  return out;
}

/** Field-by-field equality of two chunk headers; the name of the first difference, or null. */
export function headerMismatch(a: ChunkHeader, b: ChunkHeader): keyof ChunkHeader | null {
  for (const k of HEADER_FIELDS) if (a[k] !== b[k]) return k;
  return null;
}

const HEADER_FIELDS: readonly (keyof ChunkHeader)[] = [
  'type', 'flags', 'storedLength', 'rawLength', 'payloadCrc', 'eventCount', 'firstSeq', 'firstIcount', 'lastIcount', 'baseIcount', 'baseDomain', 'baseVcpu',
];

/** Writes a number below 2^53 as u64 LE. */
export function setU64(v: DataView, o: number, n: number): void {
  v.setUint32(o, n % 0x1_0000_0000, true);
  v.setUint32(o + 4, Math.floor(n / 0x1_0000_0000), true);
}

/** Reads a u64 LE; -1 when it does not fit a safe integer. */
export function getU64(v: DataView, o: number): number {
  const hi = v.getUint32(o + 4, true);
  if (hi > 0x1f_ffff) return -1;
  return hi * 0x1_0000_0000 + v.getUint32(o, true);
}

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
