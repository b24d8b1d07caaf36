// fast-check arbitraries for FP register values, weighted towards the fast paths' edges:
// moderate normals (the common path), short significands (exact results and ties), raw bit
// patterns (every class), subnormals and specials, plus operand tuples aimed at cancellation.
import fc from 'fast-check';

const dv = new DataView(new ArrayBuffer(8));
export const num64 = (b: bigint) => (dv.setBigUint64(0, b), dv.getFloat64(0));
export const bits64 = (x: number) => (dv.setFloat64(0, x), dv.getBigUint64(0));
export const num32 = (b: bigint) => (dv.setUint32(0, Number(b & 0xffffffffn)), dv.getFloat32(0));
export const bits32 = (x: number) => (dv.setFloat32(0, x), BigInt(dv.getUint32(0)));

interface FmtShape {
  width: 32 | 64;
  fracBits: number;
  bias: number;
}
const D: FmtShape = { width: 64, fracBits: 52, bias: 1023 };
const S: FmtShape = { width: 32, fracBits: 23, bias: 127 };

function pack(f: FmtShape, sign: number, be: number, frac: bigint): bigint {
  return (BigInt(sign) << BigInt(f.width - 1)) | (BigInt(be) << BigInt(f.fracBits)) | frac;
}

function floatBits(f: FmtShape, span: number): fc.Arbitrary<bigint> {
  const sign = fc.integer({ min: 0, max: 1 });
  const frac = fc.bigInt({ min: 0n, max: (1n << BigInt(f.fracBits)) - 1n });
  const maxBe = 2 * f.bias + 1;
  const moderate = fc.tuple(sign, fc.integer({ min: -span, max: span }), frac).map(([s, e, fr]) => pack(f, s, e + f.bias, fr));
  const short = fc
    .tuple(sign, fc.integer({ min: -span, max: span }), fc.integer({ min: 0, max: f.fracBits }), frac)
    .map(([s, e, keep, fr]) => pack(f, s, e + f.bias, (fr >> BigInt(keep)) << BigInt(keep)));
  const raw = fc.bigInt({ min: 0n, max: (1n << BigInt(f.width)) - 1n });
  const subnormal = fc.tuple(sign, frac).map(([s, fr]) => pack(f, s, 0, fr));
  const extreme = fc.tuple(sign, fc.constantFrom(1, 2, maxBe - 2, maxBe - 1), frac).map(([s, be, fr]) => pack(f, s, be, fr));
  const quiet = 1n << BigInt(f.fracBits - 1);
  const special = fc.tuple(sign, fc.constantFrom(0n, 1n, quiet, quiet | 5n, -1n)).map(([s, k]) =>
    k === -1n ? pack(f, s, 0, 0n) : k === 0n ? pack(f, s, maxBe, 0n) : pack(f, s, maxBe, k),
  );
  return fc.oneof(
    { arbitrary: moderate, weight: 8 },
    { arbitrary: short, weight: 3 },
    { arbitrary: raw, weight: 2 },
    { arbitrary: subnormal, weight: 1 },
    { arbitrary: extreme, weight: 1 },
    { arbitrary: special, weight: 1 },
  );
}

/** binary64 register values. */
export const f64 = floatBits(D, 80);
/** binary32 values, NaN-boxed except occasionally. */
export const f32 = fc
  .tuple(floatBits(S, 30), fc.integer({ min: 0, max: 49 }))
  .map(([b, r]) => (r === 0 ? b : (0xffffffffn << 32n) | b));

/** c close to -(a*b) (rounded, then stepped a few ulps): the product's low bits decide the result. */
export function cancellingTriple(single: boolean): fc.Arbitrary<[bigint, bigint, bigint]> {
  const one = single ? f32 : f64;
  return fc.tuple(one, one, fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([a, b, k, mode]) => {
    const na = single ? num32(a) : num64(a);
    const nb = single ? num32(b) : num64(b);
    let p = -(na * nb);
    if (mode === 1) p = p * 2 ** -30; // c well below the product: sticky bits and ties
    if (mode === 2) p = p * 2 ** -(single ? 25 : 54);
    let c = single ? bits32(p) : bits64(p);
    c = BigInt.asUintN(single ? 32 : 64, c + BigInt(k));
    return [a, b, single ? (0xffffffffn << 32n) | c : c];
  });
}

/** a and b = -(a +- a few ulps): exact and near-exact cancellation. */
export function cancellingPair(single: boolean): fc.Arbitrary<[bigint, bigint]> {
  const one = single ? f32 : f64;
  const w = single ? 32 : 64;
  return fc.tuple(one, fc.integer({ min: -4, max: 4 })).map(([a, k]) => {
    const core = BigInt.asUintN(w, a);
    const b = BigInt.asUintN(w, core + BigInt(k)) ^ (1n << BigInt(w - 1));
    return [a, single ? (0xffffffffn << 32n) | b : b];
  });
}

/** 64-bit integer register values, weighted to the edges of 24/53-bit exactness. */
export const int64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: -(1n << 31n), max: 1n << 31n }).map((v) => BigInt.asUintN(64, v)),
  fc.tuple(fc.bigInt({ min: 1n, max: (1n << 55n) - 1n }), fc.integer({ min: 0, max: 9 }), fc.boolean()).map(([m, sh, n]) =>
    BigInt.asUintN(64, (n ? -m : m) << BigInt(sh)),
  ),
);
