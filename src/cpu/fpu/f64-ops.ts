// binary64 arithmetic (fadd.d, fsub.d, fmul.d, fdiv.d, fsqrt.d, fmadd.d family).
//
// Fast path: in RNE, JS arithmetic on numbers *is* IEEE 754 binary64 round-to-nearest-even,
// so the result is already correct; only the flags need work. Inexactness is decided exactly
// with an error-free transformation (eft.ts). Every fast path is guarded so that the result is
// finite and either normal or provably exact, hence no overflow or underflow can be missed;
// anything else (NaNs, infinities, zero divisors, directed rounding, extreme exponents) takes
// the exact BigInt path in exact-arith.ts.
import type { Fpu } from './fpu.ts';
import { addBits, divBits, fmaBits, mulBits, sqrtBits } from './exact-arith.ts';
import { BINARY64, NX, RNE } from './formats.ts';
import { readBits64, writeBits64 } from './reg-bits.ts';
import {
  MIN_NORMAL_64, roundToOdd, TWO_1000, TWO_995, TWO_M968, twoProductErr, twoSumErr,
} from './eft.ts';

const TWO_M960 = 2 ** -960;

export function addD(cpu: Fpu, rd: number, rs1: number, rs2: number, rm: number, negate: boolean): void {
  if (rm === RNE) {
    const a = cpu.fd[rs1];
    const b = negate ? -cpu.fd[rs2] : cpu.fd[rs2];
    const r = a + b;
    // r finite implies a, b finite; a sum that is subnormal is always exact, so no underflow.
    if (r - r === 0) {
      const err = twoSumErr(a, b, r);
      if (err - err === 0) {
        cpu.fd[rd] = r;
        if (err !== 0) cpu.fflags |= NX;
        return;
      }
    }
  }
  const res = addBits(BINARY64, readBits64(cpu.f, rs1), readBits64(cpu.f, rs2), rm, negate);
  writeBits64(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

/** Whether |v| is normal and below 2^995, the operand range where twoProductErr is exact. */
function dekkerOperand(v: number): boolean {
  const m = Math.abs(v);
  return m >= MIN_NORMAL_64 && m < TWO_995;
}

export function mulD(cpu: Fpu, rd: number, rs1: number, rs2: number, rm: number): void {
  if (rm === RNE) {
    const a = cpu.fd[rs1];
    const b = cpu.fd[rs2];
    const r = a * b;
    const m = Math.abs(r);
    if (m >= TWO_M968 && m < TWO_1000 && dekkerOperand(a) && dekkerOperand(b)) {
      cpu.fd[rd] = r;
      if (twoProductErr(a, b, r) !== 0) cpu.fflags |= NX;
      return;
    }
    if (r === 0 && (a === 0 || b === 0)) {
      cpu.fd[rd] = r; // exact signed zero; r === 0 rules out NaN and inf operands
      return;
    }
  }
  const res = mulBits(BINARY64, readBits64(cpu.f, rs1), readBits64(cpu.f, rs2), rm);
  writeBits64(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

export function divD(cpu: Fpu, rd: number, rs1: number, rs2: number, rm: number): void {
  if (rm === RNE) {
    const a = cpu.fd[rs1];
    const b = cpu.fd[rs2];
    const q = a / b;
    const ma = Math.abs(a);
    if (ma >= TWO_M960 && ma < TWO_1000 && dekkerOperand(q) && dekkerOperand(b)) {
      // q*b = ph + pl exactly and a - ph is exact (Sterbenz: ph is within an ulp or two of a),
      // so the remainder a - q*b is zero exactly when a - ph equals pl.
      const ph = q * b;
      cpu.fd[rd] = q;
      if (a - ph !== twoProductErr(q, b, ph)) cpu.fflags |= NX;
      return;
    }
    if (q === 0 && a === 0) {
      cpu.fd[rd] = q; // 0 / nonzero (including inf): exact signed zero
      return;
    }
  }
  const res = divBits(BINARY64, readBits64(cpu.f, rs1), readBits64(cpu.f, rs2), rm);
  writeBits64(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

export function sqrtD(cpu: Fpu, rd: number, rs1: number, rm: number): void {
  if (rm === RNE) {
    const a = cpu.fd[rs1];
    if (a >= TWO_M960 && a < TWO_1000) {
      const s = Math.sqrt(a); // IEEE 754 requires Math.sqrt to be correctly rounded (ECMA-262 21.3.2.32)
      const ph = s * s;
      cpu.fd[rd] = s;
      if (ph !== a || twoProductErr(s, s, ph) !== 0) cpu.fflags |= NX;
      return;
    }
    if (a === 0) {
      cpu.fd[rd] = a; // sqrt(+-0) = +-0
      return;
    }
  }
  const res = sqrtBits(BINARY64, readBits64(cpu.f, rs1), rm);
  writeBits64(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}

/**
 * fmadd.d family. Fast path (RNE): Boldo-Melquiond emulation, z = RN(th + RO(tl + ul)) where
 * uh + ul = a*b exactly and th + tl = c + uh exactly; correct when nothing underflows or
 * overflows, which the guards ensure. The result is exact iff RO(tl + ul) and th + v were both
 * exact: when c and uh nearly cancel, tl = 0 and v = ul exactly; otherwise |tl + ul| is a few
 * ulps of th, so it is representable whenever the whole sum is.
 */
export function fmaD(
  cpu: Fpu, rd: number, rs1: number, rs2: number, rs3: number, rm: number, negProduct: boolean, negAddend: boolean,
): void {
  if (rm === RNE) {
    const a = negProduct ? -cpu.fd[rs1] : cpu.fd[rs1];
    const b = cpu.fd[rs2];
    const c = negAddend ? -cpu.fd[rs3] : cpu.fd[rs3];
    const uh = a * b;
    const mu = Math.abs(uh);
    const mc = Math.abs(c);
    if (mu >= TWO_M968 && mu < TWO_1000 && mc < TWO_1000 && dekkerOperand(a) && dekkerOperand(b)) {
      const ul = twoProductErr(a, b, uh);
      const th = c + uh;
      const tl = twoSumErr(c, uh, th);
      const s = tl + ul;
      const es = twoSumErr(tl, ul, s);
      const v = roundToOdd(s, es);
      const z = th + v;
      const mz = Math.abs(z);
      if (mz >= TWO_M960 && mz < TWO_1000) {
        cpu.fd[rd] = z;
        if (es !== 0 || twoSumErr(th, v, z) !== 0) cpu.fflags |= NX;
        return;
      }
    } else if (uh === 0 && (a === 0 || b === 0) && c - c === 0) {
      // exact zero product: the sum is exact and JS applies IEEE's signed-zero rule for RNE
      cpu.fd[rd] = uh + c;
      return;
    }
  }
  const res = fmaBits(
    BINARY64, readBits64(cpu.f, rs1), readBits64(cpu.f, rs2), readBits64(cpu.f, rs3), rm, negProduct, negAddend,
  );
  writeBits64(cpu.f, rd, res.bits);
  cpu.fflags |= res.flags;
}
