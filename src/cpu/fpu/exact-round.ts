// Exact (slow-path) number representation and the single rounding step every operation ends
// with. A finite nonzero value is sign, integer significand `sig` (BigInt, any width) and
// exponent `exp`: (-1)^sign * sig * 2^exp. Operations compute their result exactly (or with a
// sticky bit well below the rounding position) and call roundPack once, so every result is
// rounded exactly once, as IEEE 754-2008 clause 4.3 requires.
import { type FpFormat, NX, OF, RDN, RMM, RNE, type Rounded, RTZ, RUP, UF } from './formats.ts';

export const CLS_ZERO = 0;
export const CLS_FINITE = 1;
export const CLS_INF = 2;
export const CLS_QNAN = 3;
export const CLS_SNAN = 4;

export interface Unpacked {
  cls: number;
  sign: number;
  /** For CLS_FINITE: value = sig * 2^exp with sig > 0. */
  exp: number;
  sig: bigint;
}

export function unpack(fmt: FpFormat, bits: bigint): Unpacked {
  const sign = Number(bits >> BigInt(fmt.width - 1)) & 1;
  const be = Number((bits >> BigInt(fmt.p - 1)) & BigInt(fmt.expAllOnes));
  const frac = bits & fmt.fracMask;
  if (be === fmt.expAllOnes) {
    if (frac === 0n) return { cls: CLS_INF, sign, exp: 0, sig: 0n };
    return { cls: (frac & fmt.quietBit) !== 0n ? CLS_QNAN : CLS_SNAN, sign, exp: 0, sig: frac };
  }
  if (be === 0) {
    if (frac === 0n) return { cls: CLS_ZERO, sign, exp: 0, sig: 0n };
    return { cls: CLS_FINITE, sign, exp: fmt.emin - fmt.p + 1, sig: frac };
  }
  return { cls: CLS_FINITE, sign, exp: be - fmt.bias - fmt.p + 1, sig: frac | (fmt.fracMask + 1n) };
}

export function isNaNCls(cls: number): boolean {
  return cls >= CLS_QNAN;
}

export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

export function zeroBits(fmt: FpFormat, sign: number): bigint {
  return sign ? fmt.signBit : 0n;
}

export function infBits(fmt: FpFormat, sign: number): bigint {
  return (sign ? fmt.signBit : 0n) | fmt.inf;
}

/** Whether dropping `rem` (0 < rem < 2^shift) below magnitude m rounds the magnitude up. */
function roundsUp(rm: number, sign: number, m: bigint, rem: bigint, shift: number): boolean {
  switch (rm) {
    case RNE: {
      const half = 1n << BigInt(shift - 1);
      return rem > half || (rem === half && (m & 1n) === 1n);
    }
    case RTZ: return false;
    case RDN: return sign === 1;
    case RUP: return sign === 0;
    case RMM: return rem >= 1n << BigInt(shift - 1);
  }
  throw new RangeError(`rounding mode ${rm} is not one of RNE/RTZ/RDN/RUP/RMM; the hart must resolve dyn and reject 5/6`);
}

/** Rounds sig*2^exp to an integer multiple of 2^q; returns the multiple and whether it was inexact. */
function roundAt(sig: bigint, exp: number, q: number, rm: number, sign: number): [bigint, boolean] {
  const shift = q - exp;
  if (shift <= 0) return [sig << BigInt(-shift), false];
  const s = BigInt(shift);
  const m = sig >> s;
  const rem = sig - (m << s);
  if (rem === 0n) return [m, false];
  return [roundsUp(rm, sign, m, rem, shift) ? m + 1n : m, true];
}

/**
 * Rounds (-1)^sign * sig * 2^exp (sig > 0) to `fmt` in mode rm. Flags follow IEEE 754-2008
 * clause 7 with RISC-V's choice of detecting tininess after rounding: the result is tiny when
 * rounding to p bits with an unbounded exponent gives a magnitude below 2^emin; underflow is
 * signalled only when the result is also inexact.
 */
export function roundPack(fmt: FpFormat, sign: number, exp: number, sig: bigint, rm: number): Rounded {
  const e = exp + bitLength(sig) - 1;
  let q = Math.max(e, fmt.emin) - fmt.p + 1;
  let [m, inexact] = roundAt(sig, exp, q, rm, sign);
  if (m === 1n << BigInt(fmt.p)) {
    m >>= 1n;
    q += 1;
  }
  let flags = 0;
  if (inexact) {
    flags = NX;
    if (e < fmt.emin) {
      let tiny = true;
      if (e === fmt.emin - 1) {
        const [mu] = roundAt(sig, exp, e - fmt.p + 1, rm, sign);
        tiny = mu < 1n << BigInt(fmt.p);
      }
      if (tiny) flags |= UF;
    }
  }
  const hidden = 1n << BigInt(fmt.p - 1);
  if (m >= hidden && q + fmt.p - 1 > fmt.emax) return overflow(fmt, sign, rm);
  const signBits = sign ? fmt.signBit : 0n;
  if (m < hidden) return { bits: signBits | m, flags };
  const biased = BigInt(q + fmt.p - 1 + fmt.bias);
  return { bits: signBits | (biased << BigInt(fmt.p - 1)) | (m - hidden), flags };
}

/** IEEE 754-2008 7.4: overflow gives infinity or the largest finite number, by rounding direction. */
export function overflow(fmt: FpFormat, sign: number, rm: number): Rounded {
  const toInf = rm === RNE || rm === RMM || (rm === RUP && sign === 0) || (rm === RDN && sign === 1);
  const mag = toInf ? fmt.inf : fmt.maxFinite;
  return { bits: (sign ? fmt.signBit : 0n) | mag, flags: OF | NX };
}

/** Rounds a signed integer to `fmt` (fcvt.{s,d}.{w,wu,l,lu}). */
export function roundInteger(fmt: FpFormat, v: bigint, rm: number): Rounded {
  if (v === 0n) return { bits: 0n, flags: 0 };
  return v < 0n ? roundPack(fmt, 1, 0, -v, rm) : roundPack(fmt, 0, 0, v, rm);
}
