import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { crc32, crc32Table } from '../../src/trace/crc32.ts';
import { canonicalJson, decodeFileHeader, encodeFileHeader } from '../../src/trace/header.ts';
import {
  CHUNK_HEADER_SIZE, type ChunkHeader, decodeChunkHeader, decodeFooter, encodeChunkHeader, encodeFooter, FILE_HEADER_FIXED, VERSION_MAJOR, view,
} from '../../src/trace/format.ts';
import { defaultSchema } from '../../src/events/schema.ts';
import { TraceReader } from '../../src/trace/reader.ts';
import { CONFIG, simpleInits, writeTrace } from './helpers.ts';

describe('CRC-32', () => {
  test('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Table(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
  test('native and table versions agree, also when continued', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (data, split) => {
      const k = Math.min(split, data.length);
      expect(crc32(data)).toBe(crc32Table(data));
      expect(crc32Table(data.subarray(k), crc32Table(data.subarray(0, k)))).toBe(crc32Table(data));
    }));
  });
});

describe('file header', () => {
  test('canonical JSON sorts keys at every level and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: 'x' }, u: undefined }, 't')).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}');
    expect(() => canonicalJson({ x: NaN }, 'cfg')).toThrow('cfg: $.x is NaN');
    expect(() => canonicalJson({ x: [new Uint8Array(2)] }, 'cfg')).toThrow('$.x[0] is a object view');
  });

  test('the same config in any key order gives the same bytes', () => {
    const reordered = { vtime: CONFIG.vtime, images: CONFIG.images, machine: CONFIG.machine };
    expect(encodeFileHeader(reordered, defaultSchema)).toEqual(encodeFileHeader(CONFIG, defaultSchema));
  });

  test('round-trips config and schema; the layout is magic, version, flags, length, JSON, CRC', () => {
    const bytes = encodeFileHeader(CONFIG, defaultSchema);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x43, 0x56, 0x54, 0x52, 0x0d, 0x0a, 0x1a]);
    const v = view(bytes);
    expect([v.getUint16(8, true), v.getUint16(10, true), v.getUint32(12, true)]).toEqual([1, 0, 0]);
    expect(v.getUint32(16, true)).toBe(bytes.length - FILE_HEADER_FIXED - 4);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(20, bytes.length - 4)))).toMatchObject({ format: 'chronovisor-trace', config: CONFIG });
    const h = decodeFileHeader('x', bytes.length, (o, n) => bytes.subarray(o, o + n));
    expect(h.config).toEqual(CONFIG);
    expect(h.schema.toJSON()).toEqual(defaultSchema.toJSON());
    expect(h.size).toBe(bytes.length);
  });

  function withVersion(major: number, minor: number): Uint8Array {
    const bytes = encodeFileHeader(CONFIG, defaultSchema).slice();
    const v = view(bytes);
    v.setUint16(8, major, true);
    v.setUint16(10, minor, true);
    v.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
    return bytes;
  }

  test('another major version is refused by name; a newer minor version is read', () => {
    const newer = withVersion(VERSION_MAJOR + 1, 0);
    expect(() => decodeFileHeader('v2.trace', newer.length, (o, n) => newer.subarray(o, o + n))).toThrow('format version 2.0 is not readable by this Chronovisor (reads 1.x)');
    const minor = withVersion(VERSION_MAJOR, 7);
    expect(decodeFileHeader('x', minor.length, (o, n) => minor.subarray(o, o + n)).minor).toBe(7);
  });
});

describe('chunk headers and footer', () => {
  const h: ChunkHeader = {
    type: 1, flags: 1, storedLength: 100, rawLength: 300, payloadCrc: 0xdeadbeef, eventCount: 12,
    firstSeq: 2 ** 40, firstIcount: 2 ** 52 + 3, lastIcount: 2 ** 53 - 1, baseIcount: 2 ** 52, baseDomain: 65535, baseVcpu: 7,
  };
  test('round-trip, 64 bytes, little-endian', () => {
    const b = encodeChunkHeader(h);
    expect(b.length).toBe(CHUNK_HEADER_SIZE);
    expect([...b.subarray(0, 4)]).toEqual([0x43, 0x56, 0x43, 0x4b]);
    expect(decodeChunkHeader(b)).toEqual(h);
  });
  test('problems are described', () => {
    const b = encodeChunkHeader(h);
    b[0] = 0;
    expect(decodeChunkHeader(b)).toBe('no chunk magic (found 00 56 43 4b, expected 43 56 43 4b "CVCK")');
    expect(decodeChunkHeader(encodeChunkHeader({ ...h, flags: 0 }))).toContain('uncompressed payload with stored length 100 != raw length 300');
  });
  test('footer round-trip', () => {
    const f = { indexOffset: 123456789, eventCount: 2 ** 50, chunkCount: 77 };
    expect(decodeFooter(encodeFooter(f))).toEqual(f);
  });
});

describe('chunk types this reader does not know', () => {
  const base = writeTrace({ inits: simpleInits(50), flushAt: [25], close: false, spanBytes: 1 << 20, writer: { chunkBytes: 1 << 20 } });

  function withChunk(type: number): Uint8Array {
    const payload = new TextEncoder().encode('from the future');
    const header = encodeChunkHeader({ type, flags: 0, storedLength: payload.length, rawLength: payload.length, payloadCrc: crc32(payload), eventCount: 0, firstSeq: 0, firstIcount: 0, lastIcount: 0, baseIcount: 0, baseDomain: 0, baseVcpu: 0 });
    const out = new Uint8Array(base.bytes.length + header.length + payload.length);
    out.set(base.bytes);
    out.set(header, base.bytes.length);
    out.set(payload, base.bytes.length + header.length);
    return out;
  }

  test('an ancillary type (bit 7 set) is skipped', () => {
    const r = TraceReader.fromBytes(withChunk(0x85), { verify: true });
    expect(r.eventCount).toBe(25);
    expect(r.chunks.map((c) => c.type)).toEqual([1, 0x85]);
  });

  test('a critical type stops the reader with a clear message', () => {
    expect(() => TraceReader.fromBytes(withChunk(0x05), {}, 'f.trace')).toThrow(`f.trace: chunk 2 at byte offset ${base.bytes.length}: unknown critical chunk type 5 (written by a newer Chronovisor?)`);
  });
});
