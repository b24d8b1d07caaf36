// binary32 arithmetic (fadd.s, fsub.s, fmul.s, fdiv.s, fsqrt.s, fmadd.s family).
//
// Fast path (RNE): compute in binary64, then Math.fround. The double rounding is innocuous for
// +, -, *, / and sqrt because 53 >= 2*24 + 2 (Figueroa, "When is double rounding innocuous?",
// SIGNUM 1995); binary32 products are even exact in binary64 (48-bit significands). Flags are
// decided exactly: the binary64 error of a sum comes from twoSumErr, and a quotient or root
// r is exact iff r*b == a or r*r == a, products that are themselves exact in binary64.
// Results that are subnormal and inexact (possible underflow), infinite, NaN, or in another
// rounding mode take the exact BigInt path.
import type { Fpu } from './fpu.ts';
import { addBits, divBits, fmaBits, mulBits, sqrtBits } from './exact-arith.ts';
import { BINARY32, NX, RNE } from './formats.ts';
import { readBits32, writeBits32 } from './reg-bits.ts';
import { MIN_NORMAL_32, twoSumErr } from './eft.ts';

/** The binary32 operand in register r as a number; NaN (so: slow path) when not NaN-boxed. */
function single(cpu: Fpu, r: number): number {
  return cpu.f[2 * r + 1] === -1 ? cpu.fs[2 * r] : NaN;
}

function put(cpu: Fpu, rd: number, v: number): void {
  cpu.fs[2 * rd] = v;
  cpu.f[2 * rd + 1] = -1;
}

export function addS(cpu: Fpu, rd: number, rs1: number, rs2: number, rm: number, negate: boolean): void {
  if (rm === RNE) {
    const a = single(cpu, rs1);
    const b = negate ? -single(cpu, rs2) : single(cpu, rs2);
    const d = a + b;
    const r = Math.fround(d);
    // A sum of binary32 values that is binary32-subnormal is exact, so it never underflows.
    if (r - r === 0) {
      put(cpu, rd, r);
      if (r !== d || twoSumErr(a, b, d) !== 0) cpu.fflags |= NX;
      return;
    }
  }
  const res = addBits(BINARY32, readBits32(cpu.f, rs1), readBits32(cpu.f, rs2), rm, negate);
  writeBits32(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

export function mulS(cpu: Fpu, rd: number, rs1: number, rs2: number, rm: number): void {
  if (rm === RNE) {
    const d = single(cpu, rs1) * single(cpu, rs2);
    const r = Math.fround(d);
    if (r - r === 0 && (r === d || Math.abs(r) > MIN_NORMAL_32)) {
      put(cpu, rd, r);
      if (r !== d) cpu.fflags |= NX;
      return;
    }
  }
  const res = mulBits(BINARY32, readBits32(cpu.f, rs1), readBits32(cpu.f, rs2), rm);
  writeBits32(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

export function divS(cpu: Fpu, rd: number, rs1: number, rs2: number, rm: number): void {
  if (rm === RNE) {
    const a = single(cpu, rs1);
    const b = single(cpu, rs2);
    const r = Math.fround(a / b);
    if (r - r === 0 && Math.abs(r) > MIN_NORMAL_32) {
      put(cpu, rd, r);
      if (r * b !== a) cpu.fflags |= NX;
      return;
    }
    if (r === 0 && a === 0) {
      put(cpu, rd, r); // 0 / nonzero: exact signed zero
      return;
    }
  }
  const res = divBits(BINARY32, readBits32(cpu.f, rs1), readBits32(cpu.f, rs2), rm);
  writeBits32(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

export function sqrtS(cpu: Fpu, rd: number, rs1: number, rm: number): void {
  if (rm === RNE) {
    const a = single(cpu, rs1);
    // The root of any positive finite binary32 is a normal binary32: no overflow or underflow.
    if (a > 0 && a < Infinity) {
      const r = Math.fround(Math.sqrt(a));
      put(cpu, rd, r);
      if (r * r !== a) cpu.fflags |= NX;
      return;
    }
    if (a === 0) {
      put(cpu, rd, a);
      return;
    }
  }
  const res = sqrtBits(BINARY32, readBits32(cpu.f, rs1), rm);
  writeBits32(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

/**
 * fmadd.s family. The product is exact in binary64 and d = fl(p + c) has exact error e, so
 * the true result is d + e with |e| <= ulp64(d)/2. Rounding that to binary32 equals rounding d,
 * except when d sits exactly on a binary32 midpoint while e != 0: then e decides the side.
 */
export function fmaS(
  cpu: Fpu, rd: number, rs1: number, rs2: number, rs3: number, rm: number, negProduct: boolean, negAddend: boolean,
): void {
  if (rm === RNE) {
    const p = (negProduct ? -single(cpu, rs1) : single(cpu, rs1)) * single(cpu, rs2);
    const c = negAddend ? -single(cpu, rs3) : single(cpu, rs3);
    const d = p + c;
    let r = Math.fround(d);
    if (r - r === 0) {
      const e = twoSumErr(p, c, d);
      if (e !== 0 && r !== d) {
        const other = 2 * d - r; // exact: the binary32 neighbour on d's other side if d is a midpoint
        if (Math.fround(other) === other && e > 0 === other > r) r = other;
      }
      const inexact = r !== d || e !== 0;
      if (!inexact || Math.abs(r) > MIN_NORMAL_32) {
        put(cpu, rd, r);
        if (inexact) cpu.fflags |= NX;
        return;
      }
    }
  }
  const res = fmaBits(
    BINARY32, readBits32(cpu.f, rs1), readBits32(cpu.f, rs2), readBits32(cpu.f, rs3), rm, negProduct, negAddend,
  );
  writeBits32(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}
