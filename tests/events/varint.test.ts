import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ByteReader, DecodeError, putI64, putU16, putU32, putU64, putUvarint, uvarintSize } from '../../src/events/varint.ts';

const buf = () => new Uint8Array(16);

describe('LEB128 varints', () => {
  test.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [Number.MAX_SAFE_INTEGER, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])('%d encodes as %j', (n, bytes) => {
    const b = buf();
    const end = putUvarint(b, 0, n);
    expect([...b.subarray(0, end)]).toEqual(bytes);
    expect(uvarintSize(n)).toBe(bytes.length);
    expect(new ByteReader(b, 0, end).uvarint()).toBe(n);
  });

  test('numbers round-trip', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (n) => {
      const b = buf();
      const end = putUvarint(b, 0, n);
      const r = new ByteReader(b, 0, end);
      expect(r.uvarint()).toBe(n);
      expect(r.atEnd).toBe(true);
      // the same bytes read as a u64
      expect(new ByteReader(b, 0, end).u64()).toBe(BigInt(n));
    }));
  });

  test('u64 round-trips', () => {
    fc.assert(fc.property(fc.bigInt(0n, (1n << 64n) - 1n), (v) => {
      const b = buf();
      const end = putU64(b, 0, v);
      expect(end).toBeLessThanOrEqual(10);
      const r = new ByteReader(b, 0, end);
      expect(r.u64()).toBe(v);
      expect(r.atEnd).toBe(true);
    }));
  });

  test('i64 round-trips through zigzag', () => {
    fc.assert(fc.property(fc.bigInt(-(1n << 63n), (1n << 63n) - 1n), (v) => {
      const b = buf();
      const r = new ByteReader(b, 0, putI64(b, 0, v));
      expect(r.i64()).toBe(v);
    }));
  });

  test('zigzag maps small magnitudes to small codes', () => {
    const codes = [0n, -1n, 1n, -2n, 2n].map((v) => {
      const b = buf();
      return new ByteReader(b, 0, putI64(b, 0, v)).u64();
    });
    expect(codes).toEqual([0n, 1n, 2n, 3n, 4n]);
  });

  test('fixed widths are little-endian', () => {
    const b = buf();
    putU32(b, putU16(b, 0, 0x1234), 0xdeadbeef);
    expect([...b.subarray(0, 6)]).toEqual([0x34, 0x12, 0xef, 0xbe, 0xad, 0xde]);
    const r = new ByteReader(b);
    expect(r.u16()).toBe(0x1234);
    expect(r.u32()).toBe(0xdeadbeef);
  });

  test.each([-1, 1.5, NaN, 2 ** 53, Infinity])('refuses to encode %d', (n) => {
    expect(() => putUvarint(buf(), 0, n)).toThrow(RangeError);
  });

  test('refuses u64 and i64 values out of range', () => {
    expect(() => putU64(buf(), 0, 1n << 64n)).toThrow(RangeError);
    expect(() => putU64(buf(), 0, -1n)).toThrow(RangeError);
    expect(() => putI64(buf(), 0, 1n << 63n)).toThrow(RangeError);
  });

  test.each([
    ['non-minimal', [0x80, 0x00], 'non-minimal'],
    ['truncated', [0x80, 0x80], 'past the end'],
    ['too wide for a number', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10], 'safe integer'],
    ['longer than 9 continuation bytes', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 'safe integer'],
  ])('rejects a %s varint', (_name, bytes, message) => {
    const r = new ByteReader(Uint8Array.from(bytes));
    expect(() => r.uvarint()).toThrow(DecodeError);
    expect(() => new ByteReader(Uint8Array.from(bytes)).uvarint()).toThrow(message);
  });

  test('u64 rejects values above 2^64-1 and overlong forms', () => {
    const over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
    expect(() => new ByteReader(Uint8Array.from(over)).u64()).toThrow('exceeds 64 bits');
    expect(() => new ByteReader(Uint8Array.from([0x81, 0x80, 0x80, 0x80, 0x80, 0x00])).u64()).toThrow('non-minimal');
    expect(() => new ByteReader(Uint8Array.from([0x80, 0x00])).u64()).toThrow('non-minimal');
  });
});
