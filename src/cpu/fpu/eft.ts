// Error-free transformations on binary64 (JS numbers), used by the fast paths to decide
// inexactness and to emulate a fused multiply-add without BigInt. Preconditions are stated per
// function; callers check them and fall back to the exact BigInt path otherwise.
//
// References: Knuth TAOCP vol. 2 4.2.2 (TwoSum); Dekker 1971 with Veltkamp splitting
// (TwoProduct); Boldo & Melquiond, "Emulation of a FMA and correctly-rounded sums: proved
// algorithms using rounding to odd", IEEE TC 57(4), 2008 (FMA via round-to-odd).

/** 2^27 + 1: Veltkamp's splitter for 53-bit significands. */
const SPLITTER = 134217729;

/**
 * s = fl(a + b); returns the exact error (a + b) - s. Exact for any finite a, b whose
 * intermediate results do not overflow; an overflow shows up as a non-finite return value.
 */
export function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/**
 * p = fl(a * b); returns the exact error (a * b) - p. Exact when a and b are normal with
 * |a|, |b| < 2^995 (the split does not overflow) and |a * b| >= 2^-968 (no partial product
 * loses bits to underflow).
 */
export function twoProductErr(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

const scratchF = new Float64Array(1);
const scratchI = new Int32Array(scratchF.buffer);

/**
 * Round-to-odd of x + y given s = fl(x + y) and its exact error e: if the sum was inexact and
 * s has an even significand, step to the neighbour on the error's side (that one is odd).
 */
export function roundToOdd(s: number, e: number): number {
  if (e === 0) return s;
  scratchF[0] = s;
  if ((scratchI[0] & 1) !== 0) return s;
  // magnitude step: away from zero when the error has the sign of s, else toward zero
  const up = e > 0 === s > 0;
  let lo = scratchI[0] >>> 0;
  let hi = scratchI[1];
  if (up) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) | 0;
  } else {
    if (lo === 0) hi = (hi - 1) | 0;
    lo = (lo - 1) >>> 0;
  }
  scratchI[0] = lo | 0;
  scratchI[1] = hi;
  return scratchF[0];
}

export const TWO_M968 = 2 ** -968;
export const TWO_995 = 2 ** 995;
export const TWO_1000 = 2 ** 1000;
export const MIN_NORMAL_64 = 2 ** -1022;
export const MIN_NORMAL_32 = 2 ** -126;
