// Sign injection, min/max, comparisons and classification. None of these round, so they work
// on numbers for ordering and on register words for everything bit-exact (a NaN never passes
// through a JS number on its way to a register).
import type { Fpu } from './fpu.ts';
import { CANONICAL_NAN_32, CANONICAL_NAN_64_HI, NV } from './formats.ts';

const SIGN = 0x80000000 | 0;

/** Whether the binary64 in register r is a signaling NaN (quiet bit = fraction MSB clear). */
function isSNaN64(f: Int32Array, r: number): boolean {
  const hi = f[2 * r + 1];
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) !== 0 || f[2 * r] !== 0);
}

/** The binary32 operand word of register r; the canonical NaN when improperly NaN-boxed. */
function word32(f: Int32Array, r: number): number {
  return f[2 * r + 1] === -1 ? f[2 * r] : CANONICAL_NAN_32;
}

function isSNaN32(w: number): boolean {
  return (w & 0x7fc00000) === 0x7f800000 && (w & 0x3fffff) !== 0;
}

function single(cpu: Fpu, r: number): number {
  return cpu.f[2 * r + 1] === -1 ? cpu.fs[2 * r] : NaN;
}

/** fsgnj/fsgnjn/fsgnjx (kind 0/1/2): only the sign bit changes, NaN payloads included. */
export function sgnjD(cpu: Fpu, rd: number, rs1: number, rs2: number, kind: number): void {
  const f = cpu.f;
  const lo = f[2 * rs1];
  const hi1 = f[2 * rs1 + 1];
  const hi2 = f[2 * rs2 + 1];
  const sign = kind === 0 ? hi2 : kind === 1 ? ~hi2 : hi1 ^ hi2;
  f[2 * rd] = lo;
  f[2 * rd + 1] = (hi1 & 0x7fffffff) | (sign & SIGN);
}

export function sgnjS(cpu: Fpu, rd: number, rs1: number, rs2: number, kind: number): void {
  const w1 = word32(cpu.f, rs1);
  const w2 = word32(cpu.f, rs2);
  const sign = kind === 0 ? w2 : kind === 1 ? ~w2 : w1 ^ w2;
  cpu.f[2 * rd] = (w1 & 0x7fffffff) | (sign & SIGN);
  cpu.f[2 * rd + 1] = -1;
}

/**
 * fmin/fmax (F 2.2, IEEE 754-2019 minimumNumber/maximumNumber): a NaN operand is ignored in
 * favour of the other, two NaNs give the canonical NaN, a signaling NaN raises NV even when
 * the result is a number, and -0 orders below +0.
 */
export function minMaxD(cpu: Fpu, rd: number, rs1: number, rs2: number, max: boolean): void {
  const f = cpu.f;
  const a = cpu.fd[rs1];
  const b = cpu.fd[rs2];
  let src: number;
  if (a !== a || b !== b) {
    if (isSNaN64(f, rs1) || isSNaN64(f, rs2)) cpu.fflags |= NV;
    if (a !== a && b !== b) {
      f[2 * rd] = 0;
      f[2 * rd + 1] = CANONICAL_NAN_64_HI;
      return;
    }
    src = a !== a ? rs2 : rs1;
  } else if (a === b) {
    // equal numbers have equal bits except +-0: pick by sign
    const aNeg = f[2 * rs1 + 1] < 0;
    src = aNeg !== max ? rs1 : rs2;
  } else {
    src = a < b !== max ? rs1 : rs2;
  }
  const lo = f[2 * src];
  f[2 * rd + 1] = f[2 * src + 1];
  f[2 * rd] = lo;
}

export function minMaxS(cpu: Fpu, rd: number, rs1: number, rs2: number, max: boolean): void {
  const f = cpu.f;
  const w1 = word32(f, rs1);
  const w2 = word32(f, rs2);
  const a = single(cpu, rs1);
  const b = single(cpu, rs2);
  let w: number;
  if (a !== a || b !== b) {
    if (isSNaN32(w1) || isSNaN32(w2)) cpu.fflags |= NV;
    w = a !== a && b !== b ? CANONICAL_NAN_32 : a !== a ? w2 : w1;
  } else if (a === b) {
    w = w1 < 0 !== max ? w1 : w2;
  } else {
    w = a < b !== max ? w1 : w2;
  }
  f[2 * rd] = w;
  f[2 * rd + 1] = -1;
}

export const CMP_EQ = 0;
export const CMP_LT = 1;
export const CMP_LE = 2;

/**
 * feq is a quiet comparison (NV only for signaling NaNs); flt/fle are signaling (NV for any
 * NaN). Any NaN operand gives 0 (F chapter "Floating-Point Compare Instructions").
 */
function compare(cpu: Fpu, rd: number, a: number, b: number, kind: number, sNaN: boolean): void {
  let r: boolean;
  if (a !== a || b !== b) {
    r = false;
    if (kind !== CMP_EQ || sNaN) cpu.fflags |= NV;
  } else {
    r = kind === CMP_EQ ? a === b : kind === CMP_LT ? a < b : a <= b;
  }
  cpu.x[2 * rd] = r ? 1 : 0;
  cpu.x[2 * rd + 1] = 0;
}

export function compareD(cpu: Fpu, rd: number, rs1: number, rs2: number, kind: number): void {
  const a = cpu.fd[rs1];
  const b = cpu.fd[rs2];
  const nan = a !== a || b !== b;
  compare(cpu, rd, a, b, kind, nan && (isSNaN64(cpu.f, rs1) || isSNaN64(cpu.f, rs2)));
}

export function compareS(cpu: Fpu, rd: number, rs1: number, rs2: number, kind: number): void {
  const a = single(cpu, rs1);
  const b = single(cpu, rs2);
  const nan = a !== a || b !== b;
  compare(cpu, rd, a, b, kind, nan && (isSNaN32(word32(cpu.f, rs1)) || isSNaN32(word32(cpu.f, rs2))));
}

/** fclass bit for sign, biased-exponent class and fraction (F chapter table "Format of result of FCLASS"). */
function classBit(neg: boolean, expAllOnes: boolean, expZero: boolean, fracZero: boolean, quiet: boolean): number {
  if (expAllOnes) {
    if (fracZero) return neg ? 0 : 7;
    return quiet ? 9 : 8;
  }
  if (expZero) {
    if (fracZero) return neg ? 3 : 4;
    return neg ? 2 : 5;
  }
  return neg ? 1 : 6;
}

export function fclassD(cpu: Fpu, rd: number, rs1: number): void {
  const hi = cpu.f[2 * rs1 + 1];
  const lo = cpu.f[2 * rs1];
  const e = (hi >>> 20) & 0x7ff;
  const bit = classBit(hi < 0, e === 0x7ff, e === 0, (hi & 0xfffff) === 0 && lo === 0, (hi & 0x80000) !== 0);
  cpu.x[2 * rd] = 1 << bit;
  cpu.x[2 * rd + 1] = 0;
}

export function fclassS(cpu: Fpu, rd: number, rs1: number): void {
  const w = word32(cpu.f, rs1);
  const e = (w >>> 23) & 0xff;
  const bit = classBit(w < 0, e === 0xff, e === 0, (w & 0x7fffff) === 0, (w & 0x400000) !== 0);
  cpu.x[2 * rd] = 1 << bit;
  cpu.x[2 * rd + 1] = 0;
}
