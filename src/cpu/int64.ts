// 64-bit integer helpers on hi/lo int32 pairs, the register representation chosen by
// measurement (bench/regrep.ts, docs/ARCHITECTURE.md). Results go into the caller's register
// file at index `d` (low word) and `d + 1` (high word) so nothing is allocated.
// Rare operations (high multiplies, division) use BigInt; the common ones stay in int32 math.

const TWO32 = 4294967296;

export function toBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

export function toBigIntU(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function storeBigInt(x: Int32Array, d: number, v: bigint): void {
  x[d] = Number(BigInt.asIntN(32, v));
  x[d + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** Low 64 bits of a * b, exact, with 16-bit limbs so each partial product fits a double. */
export function mul64(x: Int32Array, d: number, al: number, ah: number, bl: number, bh: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  const p00 = a0 * b0;
  let c1 = (p00 >>> 16) + a0 * b1;
  let c2 = Math.floor(c1 / 65536);
  c1 = (c1 & 0xffff) + a1 * b0;
  c2 += Math.floor(c1 / 65536) + a0 * b2 + a1 * b1 + a2 * b0;
  const c3 = Math.floor(c2 / 65536) + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  x[d] = ((c1 & 0xffff) << 16) | (p00 & 0xffff);
  x[d + 1] = ((c3 & 0xffff) << 16) | (c2 & 0xffff);
}

const M64 = (1n << 64n) - 1n;

/** High 64 bits of the 128-bit product; kind 0 = signed*signed, 1 = signed*unsigned, 2 = unsigned*unsigned. */
export function mulh64(x: Int32Array, d: number, al: number, ah: number, bl: number, bh: number, kind: 0 | 1 | 2): void {
  const a = kind === 2 ? toBigIntU(al, ah) : toBigInt(al, ah);
  const b = kind === 0 ? toBigInt(bl, bh) : toBigIntU(bl, bh);
  storeBigInt(x, d, (a * b) >> 64n);
}

/** DIV/DIVU/REM/REMU with RISC-V's rules for division by zero and overflow (unpriv. spec 7.2). */
export function div64(x: Int32Array, d: number, al: number, ah: number, bl: number, bh: number, signed: boolean, rem: boolean): void {
  if (bl === 0 && bh === 0) {
    if (rem) {
      x[d] = al;
      x[d + 1] = ah;
    } else {
      x[d] = -1;
      x[d + 1] = -1;
    }
    return;
  }
  if (signed) {
    const a = toBigInt(al, ah);
    const b = toBigInt(bl, bh);
    if (b === -1n && a === -(1n << 63n)) {
      // overflow: quotient is the dividend, remainder 0
      if (rem) {
        x[d] = 0;
        x[d + 1] = 0;
      } else {
        x[d] = al;
        x[d + 1] = ah;
      }
      return;
    }
    storeBigInt(x, d, rem ? a % b : a / b);
    return;
  }
  if (ah === 0 && bh === 0) {
    // both fit in 32 bits: plain double arithmetic is exact
    const a = al >>> 0, b = bl >>> 0;
    x[d] = rem ? a % b : Math.floor(a / b);
    x[d + 1] = 0;
    return;
  }
  const a = toBigIntU(al, ah);
  const b = toBigIntU(bl, bh);
  storeBigInt(x, d, (rem ? a % b : a / b) & M64);
}

/** DIVW/DIVUW/REMW/REMUW on the low 32 bits, result sign-extended. */
export function div32(x: Int32Array, d: number, a: number, b: number, signed: boolean, rem: boolean): void {
  let r: number;
  if (b === 0) {
    r = rem ? a : -1;
  } else if (signed) {
    if (b === -1 && a === -2147483648) r = rem ? 0 : a;
    else r = rem ? a % b : (a / b) | 0;
  } else {
    const ua = a >>> 0, ub = b >>> 0;
    r = rem ? ua % ub : Math.floor(ua / ub);
  }
  r |= 0;
  x[d] = r;
  x[d + 1] = r >> 31;
}

/** Unsigned a < b on pairs. */
export function ltu(al: number, ah: number, bl: number, bh: number): boolean {
  const uah = ah >>> 0, ubh = bh >>> 0;
  return uah < ubh || (uah === ubh && al >>> 0 < bl >>> 0);
}

/** Signed a < b on pairs. */
export function lt(al: number, ah: number, bl: number, bh: number): boolean {
  return ah < bh || (ah === bh && al >>> 0 < bl >>> 0);
}

/** Number value of an unsigned pair, exact below 2^53. */
export function pairToNumber(lo: number, hi: number): number {
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

/** x[rd..rd+1] = (lo, hi) << s, for 0 <= s < 64. */
export function shiftLeft(x: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s === 0) {
    x[rd] = lo;
    x[rd + 1] = hi;
  } else if (s < 32) {
    x[rd + 1] = (hi << s) | (lo >>> (32 - s));
    x[rd] = lo << s;
  } else {
    x[rd + 1] = lo << (s - 32);
    x[rd] = 0;
  }
}

/** x[rd..rd+1] = (lo, hi) >> s (arithmetic or logical), for 0 <= s < 64. */
export function shiftRight(x: Int32Array, rd: number, lo: number, hi: number, s: number, arith: boolean): void {
  if (s === 0) {
    x[rd] = lo;
    x[rd + 1] = hi;
  } else if (s < 32) {
    x[rd] = (lo >>> s) | (hi << (32 - s));
    x[rd + 1] = arith ? hi >> s : hi >>> s;
  } else {
    x[rd] = arith ? hi >> (s - 32) : hi >>> (s - 32);
    x[rd + 1] = arith ? hi >> 31 : 0;
  }
}
