// Bit-level helpers for the vector generator: formats as data, and conversions between bit
// patterns (bigint) and JS numbers. Only used to *propose* operands, so the rounding done by
// DataView when converting a number to binary32 is harmless here.

export interface Fmt {
  readonly width: 32 | 64;
  /** Significand precision including the hidden bit (IEEE 754-2008 table 3.2 "p"). */
  readonly p: number;
  readonly expBits: number;
  readonly bias: number;
}

export const F32: Fmt = { width: 32, p: 24, expBits: 8, bias: 127 };
export const F64: Fmt = { width: 64, p: 53, expBits: 11, bias: 1023 };

const dv = new DataView(new ArrayBuffer(8));

export function pack(fmt: Fmt, sign: number, biasedExp: number, frac: bigint): bigint {
  const fb = BigInt(fmt.p - 1);
  return (BigInt(sign & 1) << BigInt(fmt.width - 1)) | (BigInt(biasedExp) << fb) | (frac & ((1n << fb) - 1n));
}

export function fieldsOf(fmt: Fmt, bits: bigint): { sign: number; exp: number; frac: bigint } {
  const fb = BigInt(fmt.p - 1);
  return {
    sign: Number(bits >> BigInt(fmt.width - 1)) & 1,
    exp: Number((bits >> fb) & BigInt((1 << fmt.expBits) - 1)),
    frac: bits & ((1n << fb) - 1n),
  };
}

export function toNumber(fmt: Fmt, bits: bigint): number {
  if (fmt.width === 64) {
    dv.setBigUint64(0, bits);
    return dv.getFloat64(0);
  }
  dv.setUint32(0, Number(bits));
  return dv.getFloat32(0);
}

/** Rounds x to the format (nearest-even, as DataView does) and returns its bits. */
export function fromNumber(fmt: Fmt, x: number): bigint {
  if (fmt.width === 64) {
    dv.setFloat64(0, x);
    return dv.getBigUint64(0);
  }
  dv.setFloat32(0, x);
  return BigInt(dv.getUint32(0));
}

export function mask(fmt: Fmt): bigint {
  return (1n << BigInt(fmt.width)) - 1n;
}

/** Steps a bit pattern by k representable values in magnitude (wraps within the field). */
export function stepBits(fmt: Fmt, bits: bigint, k: number): bigint {
  return (bits + BigInt(k)) & mask(fmt);
}

/** Unbiased exponent of a finite nonzero number (floor(log2|x|)). */
export function exponentOf(x: number): number {
  dv.setFloat64(0, x);
  const e = (dv.getUint16(0) >> 4) & 0x7ff;
  if (e !== 0) return e - 1023;
  return Math.floor(Math.log2(Math.abs(x)));
}

export const U64 = (1n << 64n) - 1n;
