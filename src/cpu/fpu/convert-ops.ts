// Conversions and moves: fcvt between integers and binary32/binary64, fcvt.s.d / fcvt.d.s,
// fmv.x.w / fmv.w.x / fmv.x.d / fmv.d.x (F and D chapters, "Floating-Point Conversion and
// Move Instructions").
import type { Fpu } from './fpu.ts';
import { convertBits } from './exact-arith.ts';
import { roundInteger } from './exact-round.ts';
import { BINARY32, BINARY64, type FpFormat, NV, NX, RDN, RNE, RTZ, RUP } from './formats.ts';
import { readBits32, readBits64, writeBits32, writeBits64 } from './reg-bits.ts';
import { MIN_NORMAL_32, twoSumErr } from './eft.ts';

/** Destination integer types of fcvt.{w,wu,l,lu}.{s,d}, in rs2-field order. */
export const INT_W = 0;
export const INT_WU = 1;
export const INT_L = 2;
export const INT_LU = 3;

const TWO_32 = 4294967296;
/** Exclusive upper and inclusive lower bounds of each integer type, as exact doubles. */
const UPPER = [2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64];
const LOWER = [-(2 ** 31), 0, -(2 ** 63), 0];
/** Saturated results as [lo, hi] words (F chapter table "Domains of float-to-integer conversions"). */
const MAX_WORDS = [[0x7fffffff, 0], [-1, -1], [-1, 0x7fffffff], [-1, -1]];
const MIN_WORDS = [[0x80000000 | 0, -1], [0, 0], [0, 0x80000000 | 0], [0, 0]];

/** Rounds a double to an integral double in mode rm; exact because x - floor(x) is exact. */
export function roundToIntegral(x: number, rm: number): number {
  if (rm === RTZ) return Math.trunc(x);
  if (rm === RDN) return Math.floor(x);
  if (rm === RUP) return Math.ceil(x);
  // Nearest modes are symmetric: round the magnitude, whose fraction |x| - floor(|x|) is
  // exact (for negative x, x - floor(x) is not: -0.49999999999999994 + 1 rounds).
  const m = Math.abs(x);
  const fl = Math.floor(m);
  const frac = m - fl;
  const r = frac < 0.5 ? fl : frac > 0.5 || rm !== RNE || fl % 2 !== 0 ? fl + 1 : fl;
  return x < 0 ? -r : r;
}

function writeX(cpu: Fpu, rd: number, lo: number, hi: number): void {
  cpu.x[2 * rd] = lo;
  cpu.x[2 * rd + 1] = hi;
}

/**
 * fcvt.{w,wu,l,lu}.{s,d}: x is the source value (binary32 sources are exact as doubles; NaN
 * for any NaN). Out-of-range and NaN inputs saturate and raise only NV; 32-bit results are
 * sign-extended to 64 bits, even for wu (F chapter: "FCVT.W[U].S ... sign-extend").
 */
export function floatToInt(cpu: Fpu, rd: number, x: number, rm: number, type: number): void {
  const r = x === x && x - x === 0 ? roundToIntegral(x, rm) : x;
  if (!(r >= LOWER[type] && r < UPPER[type])) {
    const w = r < 0 ? MIN_WORDS[type] : MAX_WORDS[type]; // NaN compares false: saturates high
    writeX(cpu, rd, w[0], w[1]);
    cpu.fflags |= NV;
    return;
  }
  if (r !== x) cpu.fflags |= NX;
  if (type <= INT_WU) {
    const lo = r | 0;
    writeX(cpu, rd, lo, lo >> 31);
  } else {
    const hi = Math.floor(r / TWO_32);
    writeX(cpu, rd, (r - hi * TWO_32) | 0, hi | 0);
  }
}

/** The integer source of fcvt.{s,d}.{w,wu,l,lu} as an exact BigInt (slow path only). */
function intSourceBig(cpu: Fpu, rs1: number, type: number): bigint {
  const lo = cpu.x[2 * rs1];
  const hi = cpu.x[2 * rs1 + 1];
  switch (type) {
    case INT_W: return BigInt(lo);
    case INT_WU: return BigInt(lo >>> 0);
    case INT_L: return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    default: return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }
}

/**
 * fcvt.{s,d}.{w,wu,l,lu}. The source as hi*2^32 + lo is one binary64 addition, so d is the
 * correctly rounded binary64 value and twoSumErr tells whether it is exact. Exact values
 * round identically in every mode; otherwise only RNE to binary64 is done on numbers.
 */
export function intToFloat(cpu: Fpu, fmt: FpFormat, rd: number, rs1: number, rm: number, type: number): void {
  const lo = cpu.x[2 * rs1];
  const hiWord = cpu.x[2 * rs1 + 1];
  let d: number;
  let exact = true;
  if (type === INT_W) d = lo;
  else if (type === INT_WU) d = lo >>> 0;
  else {
    const h = (type === INT_L ? hiWord : hiWord >>> 0) * TWO_32;
    d = h + (lo >>> 0);
    exact = twoSumErr(h, lo >>> 0, d) === 0;
  }
  if (fmt === BINARY64) {
    if (exact || rm === RNE) {
      cpu.fd[rd] = d;
      if (!exact) cpu.fflags |= NX;
      return;
    }
  } else if (exact) {
    const r = Math.fround(d);
    if (r === d || rm === RNE) {
      cpu.fs[2 * rd] = r;
      cpu.f[2 * rd + 1] = -1;
      if (r !== d) cpu.fflags |= NX;
      return;
    }
  }
  const res = roundInteger(fmt, intSourceBig(cpu, rs1, type), rm);
  if (fmt === BINARY64) writeBits64(cpu.f, rd, res.bits);
  else writeBits32(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

/** fcvt.s.d: exact values and normal RNE results on numbers, the rest exactly. */
export function doubleToSingle(cpu: Fpu, rd: number, rs1: number, rm: number): void {
  const x = cpu.fd[rs1];
  const r = Math.fround(x);
  if (r === x || (rm === RNE && r - r === 0 && Math.abs(r) > MIN_NORMAL_32)) {
    cpu.fs[2 * rd] = r;
    cpu.f[2 * rd + 1] = -1;
    if (r !== x) cpu.fflags |= NX;
    return;
  }
  const res = convertBits(BINARY64, BINARY32, readBits64(cpu.f, rs1), rm);
  writeBits32(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

/** fcvt.d.s: always exact; NaNs become the canonical NaN (NV if signaling). */
export function singleToDouble(cpu: Fpu, rd: number, rs1: number, rm: number): void {
  if (cpu.f[2 * rs1 + 1] === -1) {
    const x = cpu.fs[2 * rs1];
    if (x === x) {
      cpu.fd[rd] = x;
      return;
    }
  }
  const res = convertBits(BINARY32, BINARY64, readBits32(cpu.f, rs1), rm);
  writeBits64(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

/** fmv.x.w: the raw low word, sign-extended; no NaN-boxing check (it is a transfer). */
export function fmvXW(cpu: Fpu, rd: number, rs1: number): void {
  const w = cpu.f[2 * rs1];
  writeX(cpu, rd, w, w >> 31);
}

export function fmvXD(cpu: Fpu, rd: number, rs1: number): void {
  writeX(cpu, rd, cpu.f[2 * rs1], cpu.f[2 * rs1 + 1]);
}

/** fmv.w.x: low 32 bits of rs1, NaN-boxed. */
export function fmvWX(cpu: Fpu, rd: number, rs1: number): void {
  cpu.f[2 * rd] = cpu.x[2 * rs1];
  cpu.f[2 * rd + 1] = -1;
}

export function fmvDX(cpu: Fpu, rd: number, rs1: number): void {
  cpu.f[2 * rd] = cpu.x[2 * rs1];
  cpu.f[2 * rd + 1] = cpu.x[2 * rs1 + 1];
}
