// Arithmetic rules, one table per rule: rounding in all five modes, overflow by direction,
// tininess detected after rounding, division by zero, invalid operations, canonical NaNs,
// the sign of exact zeros, and fused multiply-add's single rounding (IEEE 754-2008 clauses
// 4.3, 6.3, 7.2-7.6; RISC-V unprivileged spec F chapter).
import { describe, test } from 'vitest';
import { OP } from '../../src/isa/opcodes.ts';
import {
  box, boxed, check, d, D_INF, D_MAX, D_NINF, D_NMAX, D_NZERO, D_QNAN, D_SNAN, FL, modes, RM, s, s32, S_INF, S_MAX,
  S_QNAN, S_SNAN,
} from './helpers.ts';

const { NV, DZ, OF, UF, NX } = FL;

const ONE = d(1);
const ULP1 = 0x3ff0000000000001n; // 1 + 2^-52

describe('rounding: all five modes (IEEE 754-2008 4.3; F chapter rounding-mode table)', () => {
  test.each([
    ...modes('1 + 2^-53 (tie to even = down)', OP.FADD_D, [ONE, d(2 ** -53)], [ONE, ONE, ONE, ULP1, ULP1], NX),
    ...modes('(1+2^-52) + 2^-53 (tie, odd: up)', OP.FADD_D, [ULP1, d(2 ** -53)], [ULP1 + 1n, ULP1, ULP1, ULP1 + 1n, ULP1 + 1n], NX),
    ...modes('1 + 2^-54 (below half)', OP.FADD_D, [ONE, d(2 ** -54)], [ONE, ONE, ONE, ULP1, ONE], NX),
    ...modes('-1 - 2^-53 (negative tie)', OP.FADD_D, [d(-1), d(-(2 ** -53))], [d(-1), d(-1), ULP1 | D_NZERO, d(-1), ULP1 | D_NZERO], NX),
    ...modes('fdiv.s 1/3', OP.FDIV_S, [s(1), s(3)], boxed([0x3eaaaaabn, 0x3eaaaaaan, 0x3eaaaaaan, 0x3eaaaaabn, 0x3eaaaaabn]), NX),
    ...modes('fdiv.s -1/3', OP.FDIV_S, [s(-1), s(3)], boxed([0xbeaaaaabn, 0xbeaaaaaan, 0xbeaaaaabn, 0xbeaaaaaan, 0xbeaaaaabn]), NX),
    ...modes('fmul.s (1+2^-23)^2', OP.FMUL_S, [box(0x3f800001n), box(0x3f800001n)], boxed([0x3f800002n, 0x3f800002n, 0x3f800002n, 0x3f800003n, 0x3f800002n]), NX),
    ...modes('fsqrt.d 2', OP.FSQRT_D, [d(2)], [0x3ff6a09e667f3bcdn, 0x3ff6a09e667f3bccn, 0x3ff6a09e667f3bccn, 0x3ff6a09e667f3bcdn, 0x3ff6a09e667f3bcdn], NX),
    ...modes('fsqrt.s 2', OP.FSQRT_S, [s(2)], boxed([0x3fb504f3n, 0x3fb504f3n, 0x3fb504f3n, 0x3fb504f4n, 0x3fb504f3n]), NX),
    ...modes('exact: 1.5 * 2', OP.FMUL_D, [d(1.5), d(2)], [d(3), d(3), d(3), d(3), d(3)], 0),
  ])('%s', (_n, op, operands, rm, want, flags) => check(op, operands, rm, want, flags));
});

describe('overflow: infinity or the largest finite value by direction (7.4), OF|NX', () => {
  test.each([
    ...modes('fadd.s max + max', OP.FADD_S, [box(S_MAX), box(S_MAX)], boxed([S_INF, S_MAX, S_MAX, S_INF, S_INF]), OF | NX),
    ...modes('fmul.d -max * 2', OP.FMUL_D, [D_NMAX, d(2)], [D_NINF, D_NMAX, D_NINF, D_NMAX, D_NINF], OF | NX),
    ...modes('fcvt.s.d 1e300', OP.FCVT_S_D, [d(1e300)], boxed([S_INF, S_MAX, S_MAX, S_INF, S_INF]), OF | NX),
    ...modes('fmadd.d max*2 - max = max exactly', OP.FMADD_D, [D_MAX, d(2), D_NMAX], [D_MAX, D_MAX, D_MAX, D_MAX, D_MAX], 0),
  ])('%s', (_n, op, operands, rm, want, flags) => check(op, operands, rm, want, flags));
});

describe('underflow: tininess detected after rounding, UF only when also inexact (7.5)', () => {
  const UFX = UF | NX;
  const MIN_N32 = box(0x00800000n);
  const BELOW32 = box(0x007fffffn);
  test.each([
    // (1-2^-53)*2^-1022 has 53 bits: tiny even after rounding to p bits; subnormal tie -> 2^-1022
    ...modes('fmul.d (1-2^-53)*2^-1022', OP.FMUL_D, [d(1 - 2 ** -53), d(2 ** -1022)],
      [d(2 ** -1022), 0x000fffffffffffffn, 0x000fffffffffffffn, d(2 ** -1022), d(2 ** -1022)], UFX),
    // 2^-126*(1-2^-25) rounds to 2^-126 at 24 bits with unbounded exponent: not tiny in rne/rup/rmm
    ...modes('fcvt.s.d 2^-126*(1-2^-25)', OP.FCVT_S_D, [d(2 ** -126 * (1 - 2 ** -25))],
      [MIN_N32, BELOW32, BELOW32, MIN_N32, MIN_N32], [NX, UFX, UFX, NX, NX]),
    // same result in rne, but 2^-126*(1-2^-24) is exact at 24 bits, so it is tiny
    ...modes('fcvt.s.d 2^-126*(1-2^-24)', OP.FCVT_S_D, [d(2 ** -126 * (1 - 2 ** -24))],
      [MIN_N32, BELOW32, BELOW32, MIN_N32, MIN_N32], UFX),
    ...modes('fmul.d 2^-1074 * 0.5 -> 0 or min subnormal', OP.FMUL_D, [d(2 ** -1074), d(0.5)], [0n, 0n, 0n, 1n, 1n], UFX),
    ...modes('fmul.d -2^-1074 * 0.25', OP.FMUL_D, [d(-(2 ** -1074)), d(0.25)], [D_NZERO, D_NZERO, D_NZERO | 1n, D_NZERO, D_NZERO], UFX),
    ...modes('exact subnormal fmul.d 2^-1000 * 2^-60', OP.FMUL_D, [d(2 ** -1000), d(2 ** -60)],
      [0x4000n, 0x4000n, 0x4000n, 0x4000n, 0x4000n], 0),
    ...modes('exact subnormal fmul.s 2^-100 * 2^-30', OP.FMUL_S, [s(2 ** -100), s(2 ** -30)],
      boxed([0x80000n, 0x80000n, 0x80000n, 0x80000n, 0x80000n]), 0),
    ...modes('fdiv.s min normal / 3', OP.FDIV_S, [box(0x00800000n), s(3)],
      boxed([0x002aaaabn, 0x002aaaaan, 0x002aaaaan, 0x002aaaabn, 0x002aaaabn]), UFX),
  ])('%s', (_n, op, operands, rm, want, flags) => check(op, operands, rm, want, flags));
});

describe('division by zero and invalid operations (7.2, 7.3); NaN results are canonical', () => {
  test.each([
    ['1 / +0', OP.FDIV_D, [ONE, 0n], D_INF, DZ],
    ['-1 / +0', OP.FDIV_D, [d(-1), 0n], D_NINF, DZ],
    ['1 / -0', OP.FDIV_D, [ONE, D_NZERO], D_NINF, DZ],
    ['fdiv.s 5 / -0', OP.FDIV_S, [s(5), s(-0)], box(0xff800000n), DZ],
    ['0 / 0', OP.FDIV_D, [0n, 0n], D_QNAN, NV],
    ['inf / inf', OP.FDIV_D, [D_INF, D_NINF], D_QNAN, NV],
    ['inf / 0 (no DZ: exact infinity)', OP.FDIV_D, [D_INF, 0n], D_INF, 0],
    ['0 / inf', OP.FDIV_D, [D_NZERO, D_INF], D_NZERO, 0],
    ['inf + -inf', OP.FADD_D, [D_INF, D_NINF], D_QNAN, NV],
    ['inf - inf', OP.FSUB_D, [D_INF, D_INF], D_QNAN, NV],
    ['fsub.s inf - inf', OP.FSUB_S, [box(S_INF), box(S_INF)], box(S_QNAN), NV],
    ['inf + inf', OP.FADD_D, [D_INF, D_INF], D_INF, 0],
    ['0 * inf', OP.FMUL_D, [0n, D_NINF], D_QNAN, NV],
    ['fmul.s inf * -0', OP.FMUL_S, [box(S_INF), s(-0)], box(S_QNAN), NV],
    ['sqrt(-1)', OP.FSQRT_D, [d(-1)], D_QNAN, NV],
    ['sqrt(-inf)', OP.FSQRT_D, [D_NINF], D_QNAN, NV],
    ['sqrt(-0) = -0', OP.FSQRT_D, [D_NZERO], D_NZERO, 0],
    ['sqrt(+inf)', OP.FSQRT_D, [D_INF], D_INF, 0],
    ['fsqrt.s(-min subnormal)', OP.FSQRT_S, [box(0x80000001n)], box(S_QNAN), NV],
    ['sNaN + 1 signals', OP.FADD_D, [D_SNAN, ONE], D_QNAN, NV],
    ['1 * sNaN signals', OP.FMUL_D, [ONE, 0xfff4000000000000n], D_QNAN, NV],
    ['qNaN + 1 is quiet', OP.FADD_D, [D_QNAN, ONE], D_QNAN, 0],
    ['negative qNaN with payload -> canonical', OP.FADD_D, [0xfff8000000000123n, ONE], D_QNAN, 0],
    ['fadd.s sNaN', OP.FADD_S, [box(S_SNAN), s(1)], box(S_QNAN), NV],
    ['fdiv.s qNaN payload / 0', OP.FDIV_S, [box(0xffc12345n), s(0)], box(S_QNAN), 0],
    ['fsqrt.s sNaN', OP.FSQRT_S, [box(0xff800001n)], box(S_QNAN), NV],
  ] as const)('%s', (_n, op, operands, want, flags) => check(op, [...operands], RM.rne, want, flags));
});

describe('sign of exact zero results (6.3): +0 except -0 in rdn; x + x keeps the sign', () => {
  test.each([
    ['+0 + -0 rne', OP.FADD_D, [0n, D_NZERO], RM.rne, 0n],
    ['+0 + -0 rdn', OP.FADD_D, [0n, D_NZERO], RM.rdn, D_NZERO],
    ['-0 + -0 rup', OP.FADD_D, [D_NZERO, D_NZERO], RM.rup, D_NZERO],
    ['1 - 1 rne', OP.FSUB_D, [ONE, ONE], RM.rne, 0n],
    ['1 - 1 rtz', OP.FSUB_D, [ONE, ONE], RM.rtz, 0n],
    ['1 - 1 rdn', OP.FSUB_D, [ONE, ONE], RM.rdn, D_NZERO],
    ['-0 - +0', OP.FSUB_D, [D_NZERO, 0n], RM.rne, D_NZERO],
    ['fadd.s 1 + -1 rdn', OP.FADD_S, [s(1), s(-1)], RM.rdn, box(0x80000000n)],
    ['fadd.s 1 + -1 rmm', OP.FADD_S, [s(1), s(-1)], RM.rmm, box(0n)],
    ['-0 * 5', OP.FMUL_D, [D_NZERO, d(5)], RM.rne, D_NZERO],
    ['-0 / -5', OP.FDIV_D, [D_NZERO, d(-5)], RM.rne, 0n],
  ] as const)('%s', (_n, op, operands, rm, want) => check(op, [...operands], rm, want, 0));
});

describe('fused multiply-add: one rounding, operand negation, inf*0 invalid even with a qNaN addend', () => {
  test.each([
    // a*b = 1 + 2^-53 - 2^-105 exactly; fused - 1 leaves 2^-53 - 2^-105 (exact), unfused would give 0
    ['fmadd.d single rounding', OP.FMADD_D, [ULP1, d(1 - 2 ** -53), d(-1)], RM.rne, d(2 ** -53 - 2 ** -105), 0],
    ['fmadd.s single rounding', OP.FMADD_S, [box(0x3f800001n), box(0x3f7fffffn), s(-1)], RM.rne, box(s32(2 ** -24 - 2 ** -47)), 0],
    ['fmadd.d 2*3+1', OP.FMADD_D, [d(2), d(3), d(1)], RM.rne, d(7), 0],
    ['fmsub.d 2*3-1', OP.FMSUB_D, [d(2), d(3), d(1)], RM.rne, d(5), 0],
    ['fnmsub.d -(2*3)+1', OP.FNMSUB_D, [d(2), d(3), d(1)], RM.rne, d(-5), 0],
    ['fnmadd.d -(2*3)-1', OP.FNMADD_D, [d(2), d(3), d(1)], RM.rne, d(-7), 0],
    ['fnmadd.s -(2*3)-1', OP.FNMADD_S, [s(2), s(3), s(1)], RM.rne, s(-7), 0],
    ['inf*0 + qNaN is invalid', OP.FMADD_D, [D_INF, 0n, D_QNAN], RM.rne, D_QNAN, NV],
    ['0*inf + 1 is invalid', OP.FMADD_D, [0n, D_NINF, ONE], RM.rne, D_QNAN, NV],
    ['fmadd.s inf*0 + qNaN', OP.FMADD_S, [box(S_INF), s(0), box(S_QNAN)], RM.rne, box(S_QNAN), NV],
    ['inf*0 + sNaN', OP.FNMSUB_D, [D_INF, 0n, D_SNAN], RM.rne, D_QNAN, NV],
    ['qNaN*1 + 1 is quiet', OP.FMADD_D, [D_QNAN, ONE, ONE], RM.rne, D_QNAN, 0],
    ['1*1 + sNaN signals', OP.FMADD_D, [ONE, ONE, D_SNAN], RM.rne, D_QNAN, NV],
    ['inf*2 - inf is invalid', OP.FMSUB_D, [D_INF, d(2), D_INF], RM.rne, D_QNAN, NV],
    ['inf*2 + inf', OP.FMADD_D, [D_INF, d(2), D_INF], RM.rne, D_INF, 0],
    ['1*1 - 1 rne = +0', OP.FMADD_D, [ONE, ONE, d(-1)], RM.rne, 0n, 0],
    ['1*1 - 1 rdn = -0', OP.FMADD_D, [ONE, ONE, d(-1)], RM.rdn, D_NZERO, 0],
    ['1*(+0) + (-0) rne = +0', OP.FMADD_D, [ONE, 0n, D_NZERO], RM.rne, 0n, 0],
    ['1*(+0) + (-0) rdn = -0', OP.FMADD_D, [ONE, 0n, D_NZERO], RM.rdn, D_NZERO, 0],
    ['-1*(+0) + (-0) = -0', OP.FMADD_D, [d(-1), 0n, D_NZERO], RM.rup, D_NZERO, 0],
    ['fnmadd: -(1*0) - 0 = -0', OP.FNMADD_D, [ONE, 0n, 0n], RM.rne, D_NZERO, 0],
    ['fnmsub: -(1*0) + 0 = +0', OP.FNMSUB_D, [ONE, 0n, 0n], RM.rne, 0n, 0],
    ['fnmsub: -(1*0) + 0 rdn = -0', OP.FNMSUB_D, [ONE, 0n, 0n], RM.rdn, D_NZERO, 0],
    ['fmsub: 1*0 - 0 = +0', OP.FMSUB_D, [ONE, 0n, 0n], RM.rne, 0n, 0],
    ['fmadd.d overflow rtz', OP.FMADD_D, [D_MAX, d(2), ONE], RM.rtz, D_MAX, OF | NX],
    ['fmadd.d tiny product + tiny: underflow', OP.FMADD_D, [d(2 ** -540), d(2 ** -540), d(2 ** -1074)], RM.rne, 1n, UF | NX],
  ] as const)('%s', (_n, op, operands, rm, want, flags) => check(op, [...operands], rm, want, flags));
});
