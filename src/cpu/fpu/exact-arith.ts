// Exact reference arithmetic on bit patterns (BigInt significands): the FPU's slow path and the
// model its fast paths are property-tested against. Each function handles IEEE 754-2008
// special operands first (clause 7.2 invalid operations, 7.3 division by zero), returns the
// RISC-V canonical NaN for every NaN result (F chapter "NaN Generation and Propagation") and
// otherwise rounds the exact result once with roundPack.
import { DZ, type FpFormat, NV, RDN, type Rounded } from './formats.ts';
import {
  bitLength, CLS_FINITE, CLS_INF, CLS_SNAN, CLS_ZERO, infBits, isNaNCls, roundPack, type Unpacked, unpack, zeroBits,
} from './exact-round.ts';

const nan = (fmt: FpFormat, flags: number): Rounded => ({ bits: fmt.canonicalNaN, flags });

function snanFlag(...us: Unpacked[]): number {
  return us.some((u) => u.cls === CLS_SNAN) ? NV : 0;
}

/**
 * Exact sum of two finite values (either may be zero) rounded once. IEEE 754-2008 6.3: an
 * exact zero sum of opposite-signed operands is +0, except -0 when rounding toward -inf; x + x
 * keeps the sign of x.
 */
function sumFinite(fmt: FpFormat, x: Unpacked, y: Unpacked, rm: number): Rounded {
  if (x.cls === CLS_ZERO && y.cls === CLS_ZERO) {
    const sign = x.sign === y.sign ? x.sign : rm === RDN ? 1 : 0;
    return { bits: zeroBits(fmt, sign), flags: 0 };
  }
  if (x.cls === CLS_ZERO) return roundPack(fmt, y.sign, y.exp, y.sig, rm);
  if (y.cls === CLS_ZERO) return roundPack(fmt, x.sign, x.exp, x.sig, rm);
  const e = Math.min(x.exp, y.exp);
  const a = x.sig << BigInt(x.exp - e);
  const b = y.sig << BigInt(y.exp - e);
  const s = (x.sign ? -a : a) + (y.sign ? -b : b);
  if (s === 0n) return { bits: zeroBits(fmt, rm === RDN ? 1 : 0), flags: 0 };
  return s < 0n ? roundPack(fmt, 1, e, -s, rm) : roundPack(fmt, 0, e, s, rm);
}

/** fadd / fsub (negate = flip the sign of b). */
export function addBits(fmt: FpFormat, aBits: bigint, bBits: bigint, rm: number, negate = false): Rounded {
  const a = unpack(fmt, aBits);
  const b = unpack(fmt, bBits);
  if (negate) b.sign ^= 1;
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) return nan(fmt, snanFlag(a, b));
  if (a.cls === CLS_INF || b.cls === CLS_INF) {
    if (a.cls === CLS_INF && b.cls === CLS_INF && a.sign !== b.sign) return nan(fmt, NV); // inf - inf
    return { bits: infBits(fmt, a.cls === CLS_INF ? a.sign : b.sign), flags: 0 };
  }
  return sumFinite(fmt, a, b, rm);
}

export function mulBits(fmt: FpFormat, aBits: bigint, bBits: bigint, rm: number): Rounded {
  const a = unpack(fmt, aBits);
  const b = unpack(fmt, bBits);
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) return nan(fmt, snanFlag(a, b));
  const sign = a.sign ^ b.sign;
  if (a.cls === CLS_INF || b.cls === CLS_INF) {
    if (a.cls === CLS_ZERO || b.cls === CLS_ZERO) return nan(fmt, NV); // 0 * inf
    return { bits: infBits(fmt, sign), flags: 0 };
  }
  if (a.cls === CLS_ZERO || b.cls === CLS_ZERO) return { bits: zeroBits(fmt, sign), flags: 0 };
  return roundPack(fmt, sign, a.exp + b.exp, a.sig * b.sig, rm);
}

export function divBits(fmt: FpFormat, aBits: bigint, bBits: bigint, rm: number): Rounded {
  const a = unpack(fmt, aBits);
  const b = unpack(fmt, bBits);
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) return nan(fmt, snanFlag(a, b));
  const sign = a.sign ^ b.sign;
  if (a.cls === CLS_INF) {
    return b.cls === CLS_INF ? nan(fmt, NV) : { bits: infBits(fmt, sign), flags: 0 };
  }
  if (b.cls === CLS_INF) return { bits: zeroBits(fmt, sign), flags: 0 };
  if (b.cls === CLS_ZERO) {
    return a.cls === CLS_ZERO ? nan(fmt, NV) : { bits: infBits(fmt, sign), flags: DZ };
  }
  if (a.cls === CLS_ZERO) return { bits: zeroBits(fmt, sign), flags: 0 };
  // Quotient with at least p+2 significant bits; a nonzero remainder becomes a sticky bit
  // below the rounding position, which decides every rounding mode correctly.
  const k = Math.max(0, fmt.p + 2 + bitLength(b.sig) - bitLength(a.sig)) + 1;
  const num = a.sig << BigInt(k);
  const q = num / b.sig;
  const exp = a.exp - k - b.exp;
  if (q * b.sig === num) return roundPack(fmt, sign, exp, q, rm);
  return roundPack(fmt, sign, exp - 1, (q << 1n) | 1n, rm);
}

/** Floor of the square root of n >= 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Start above the root (Newton's iteration then decreases monotonically to it).
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrtBits(fmt: FpFormat, aBits: bigint, rm: number): Rounded {
  const a = unpack(fmt, aBits);
  if (isNaNCls(a.cls)) return nan(fmt, snanFlag(a));
  if (a.cls === CLS_ZERO) return { bits: aBits, flags: 0 }; // sqrt(-0) = -0 (IEEE 754-2008 5.4.1)
  if (a.sign) return nan(fmt, NV);
  if (a.cls === CLS_INF) return { bits: aBits, flags: 0 };
  let { sig, exp } = a;
  if (exp & 1) {
    sig <<= 1n;
    exp -= 1;
  }
  // Shift by an even amount so the root has at least p+2 bits before the sticky bit.
  const t = Math.max(0, Math.ceil((2 * (fmt.p + 2) - bitLength(sig)) / 2)) + 1;
  const n = sig << BigInt(2 * t);
  const s = isqrt(n);
  const rexp = (exp - 2 * t) / 2;
  if (s * s === n) return roundPack(fmt, 0, rexp, s, rm);
  return roundPack(fmt, 0, rexp - 1, (s << 1n) | 1n, rm);
}

/**
 * Fused multiply-add family, one rounding: fmadd = a*b + c, fmsub = a*b - c,
 * fnmsub = -(a*b) + c, fnmadd = -(a*b) - c (F chapter "Single-Precision Floating-Point
 * Computational Instructions"). The negations apply to the operands before the sum, so the
 * sign of an exact zero follows the addition rule. inf*0 is invalid even when c is a quiet NaN.
 */
export function fmaBits(
  fmt: FpFormat, aBits: bigint, bBits: bigint, cBits: bigint, rm: number, negProduct: boolean, negAddend: boolean,
): Rounded {
  const a = unpack(fmt, aBits);
  const b = unpack(fmt, bBits);
  const c = unpack(fmt, cBits);
  const infTimesZero =
    (a.cls === CLS_INF && b.cls === CLS_ZERO) || (a.cls === CLS_ZERO && b.cls === CLS_INF);
  if (isNaNCls(a.cls) || isNaNCls(b.cls) || isNaNCls(c.cls)) {
    return nan(fmt, snanFlag(a, b, c) | (infTimesZero ? NV : 0));
  }
  if (infTimesZero) return nan(fmt, NV);
  const pSign = a.sign ^ b.sign ^ (negProduct ? 1 : 0);
  const cSign = c.sign ^ (negAddend ? 1 : 0);
  if (a.cls === CLS_INF || b.cls === CLS_INF) {
    if (c.cls === CLS_INF && cSign !== pSign) return nan(fmt, NV);
    return { bits: infBits(fmt, pSign), flags: 0 };
  }
  if (c.cls === CLS_INF) return { bits: infBits(fmt, cSign), flags: 0 };
  const product: Unpacked =
    a.cls === CLS_ZERO || b.cls === CLS_ZERO
      ? { cls: CLS_ZERO, sign: pSign, exp: 0, sig: 0n }
      : { cls: CLS_FINITE, sign: pSign, exp: a.exp + b.exp, sig: a.sig * b.sig };
  return sumFinite(fmt, product, { ...c, sign: cSign }, rm);
}

/** fcvt.s.d / fcvt.d.s: NaNs become the destination's canonical NaN, sNaN signals invalid. */
export function convertBits(from: FpFormat, to: FpFormat, bits: bigint, rm: number): Rounded {
  const a = unpack(from, bits);
  if (isNaNCls(a.cls)) return nan(to, snanFlag(a));
  if (a.cls === CLS_INF) return { bits: infBits(to, a.sign), flags: 0 };
  if (a.cls === CLS_ZERO) return { bits: zeroBits(to, a.sign), flags: 0 };
  return roundPack(to, a.sign, a.exp, a.sig, rm);
}
