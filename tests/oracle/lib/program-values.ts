// Operand values for generated programs: integers at the edges of every width and signedness
// (where ALU, M-extension and conversion bugs live), and IEEE 754 specials for F/D: signed
// zeros, infinities, quiet and signalling NaNs with payloads, subnormals, the extremes of the
// normal range, halfway cases for rounding, and the integer-conversion boundaries.
import fc from 'fast-check';

const u64 = (v: bigint) => BigInt.asUintN(64, v);

export const INT_EDGES: readonly bigint[] = [
  0n, 1n, 2n, 3n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn,
  0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n,
  0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, u64(-1n), u64(-2n), u64(-0x8000_0000n), u64(-0x8000_0001n),
  0x5555_5555_5555_5555n, 0xaaaa_aaaa_aaaa_aaaan, 0x0123_4567_89ab_cdefn, 63n, 64n, 31n, 32n,
];

/** A 64-bit value: mostly edges or small numbers, sometimes anything. */
export const int64 = fc.oneof(
  { arbitrary: fc.constantFrom(...INT_EDGES), weight: 4 },
  { arbitrary: fc.integer({ min: -300, max: 300 }).map((v) => u64(BigInt(v))), weight: 2 },
  { arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), weight: 3 },
  { arbitrary: fc.bigInt({ min: 0n, max: 0xffff_ffffn }).map((v) => u64(BigInt.asIntN(32, v))), weight: 1 },
);

const f64 = (x: number) => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  return b.getBigUint64(0);
};
const f32 = (x: number) => {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x);
  return BigInt(b.getUint32(0));
};
/** A single in an FP register: NaN-boxed (upper 32 bits all ones), spec 12.2. */
export const boxed = (bits32: bigint) => 0xffff_ffff_0000_0000n | bits32;

export const DOUBLE_SPECIALS: readonly bigint[] = [
  0n, 0x8000_0000_0000_0000n, // ±0
  0x7ff0_0000_0000_0000n, 0xfff0_0000_0000_0000n, // ±inf
  0x7ff8_0000_0000_0000n, 0xfff8_0000_0000_0000n, 0x7ff8_0000_dead_beefn, // qNaN, -qNaN, payload
  0x7ff0_0000_0000_0001n, 0xfff4_0000_0000_0000n, // sNaNs
  1n, 0x8000_0000_0000_0001n, 0x000f_ffff_ffff_ffffn, 0x0008_0000_0000_0000n, // subnormals
  0x0010_0000_0000_0000n, 0x7fef_ffff_ffff_ffffn, 0xffef_ffff_ffff_ffffn, // min normal, ±max
  f64(1), f64(-1), f64(0.5), f64(1.5), f64(2.5), f64(-2.5), f64(-0.5), f64(3), f64(1 / 3), f64(0.1),
  f64(2 ** 31), f64(-(2 ** 31)), f64(2 ** 31 - 1), f64(2 ** 32), f64(-(2 ** 31) - 1), f64(2 ** 32 - 1),
  f64(2 ** 63), f64(-(2 ** 63)), f64(2 ** 64), f64(2 ** 53 + 2), f64(2 ** 52 + 0.5), f64(-(2 ** 63) - 4096),
  f64(1 + 2 ** -52), f64(2 ** -1022 * 1.5), f64(2 ** 1023), f64(4503599627370497.5),
];

export const SINGLE_SPECIALS: readonly bigint[] = [
  0n, 0x8000_0000n, 0x7f80_0000n, 0xff80_0000n, 0x7fc0_0000n, 0xffc0_0000n, 0x7fc0_1234n,
  0x7f80_0001n, 0xffa0_0000n, 1n, 0x8000_0001n, 0x007f_ffffn, 0x0040_0000n, 0x0080_0000n,
  0x7f7f_ffffn, 0xff7f_ffffn, f32(1), f32(-1), f32(0.5), f32(1.5), f32(2.5), f32(-2.5), f32(1 / 3),
  f32(2 ** 31), f32(-(2 ** 31)), f32(2 ** 32), f32(2 ** 63), f32(-(2 ** 63)), f32(2 ** 64), f32(16777217),
  f32(8388608.5), f32(1 + 2 ** -23),
];

/** Contents of an FP register: boxed singles, doubles, and improperly boxed singles. */
export const fpBits = fc.oneof(
  { arbitrary: fc.constantFrom(...DOUBLE_SPECIALS), weight: 4 },
  { arbitrary: fc.constantFrom(...SINGLE_SPECIALS).map(boxed), weight: 4 },
  { arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), weight: 1 },
  { arbitrary: fc.bigInt({ min: 0n, max: 0xffff_ffffn }).map(boxed), weight: 1 },
  // a single whose box is broken reads as the canonical NaN (spec 12.2)
  { arbitrary: fc.constantFrom(...SINGLE_SPECIALS).map((b) => 0x1234_0000_0000_0000n | b), weight: 1 },
);
