// Conversions (F/D chapters "Floating-Point Conversion and Move Instructions"): float-to-integer
// rounding, RISC-V's saturating results for out-of-range and NaN inputs (NV only, never NX),
// sign extension of 32-bit results, integer-to-float rounding in all modes, and fcvt.s.d /
// fcvt.d.s with canonical NaNs.
import { describe, test } from 'vitest';
import { OP } from '../../src/isa/opcodes.ts';
import {
  box, boxed, check, d, D_INF, D_NINF, D_NZERO, D_QNAN, D_SNAN, FL, modes, RM, s, S_INF, S_MAX, S_QNAN,
} from './helpers.ts';

const { NV, OF, UF, NX } = FL;
const ALL = 0xffffffffffffffffn;
const INT_MIN_32 = 0xffffffff80000000n;
const neg = (v: bigint) => BigInt.asUintN(64, -v);

describe('float -> integer: saturation table (NaN -> max, +big -> max, -big -> min), flags NV only', () => {
  test.each([
    ['fcvt.w.d qNaN', OP.FCVT_W_D, D_QNAN, 0x7fffffffn, NV],
    ['fcvt.w.d sNaN', OP.FCVT_W_D, D_SNAN, 0x7fffffffn, NV],
    ['fcvt.w.d -qNaN still max', OP.FCVT_W_D, 0xfff8000000000000n, 0x7fffffffn, NV],
    ['fcvt.w.d +inf', OP.FCVT_W_D, D_INF, 0x7fffffffn, NV],
    ['fcvt.w.d -inf', OP.FCVT_W_D, D_NINF, INT_MIN_32, NV],
    ['fcvt.w.d 2^31', OP.FCVT_W_D, d(2 ** 31), 0x7fffffffn, NV],
    ['fcvt.w.d 2^31-1', OP.FCVT_W_D, d(2 ** 31 - 1), 0x7fffffffn, 0],
    ['fcvt.w.d -2^31', OP.FCVT_W_D, d(-(2 ** 31)), INT_MIN_32, 0],
    ['fcvt.w.d -2^31-1', OP.FCVT_W_D, d(-(2 ** 31) - 1), INT_MIN_32, NV],
    ['fcvt.w.d -1 sign-extends', OP.FCVT_W_D, d(-1), ALL, 0],
    ['fcvt.wu.d -1', OP.FCVT_WU_D, d(-1), 0n, NV],
    ['fcvt.wu.d -inf', OP.FCVT_WU_D, D_NINF, 0n, NV],
    ['fcvt.wu.d NaN', OP.FCVT_WU_D, D_QNAN, ALL, NV],
    ['fcvt.wu.d 2^32-1 (sign-extended)', OP.FCVT_WU_D, d(2 ** 32 - 1), ALL, 0],
    ['fcvt.wu.d 2^32', OP.FCVT_WU_D, d(2 ** 32), ALL, NV],
    ['fcvt.wu.d 2^31 (sign-extended)', OP.FCVT_WU_D, d(2 ** 31), INT_MIN_32, 0],
    ['fcvt.wu.d -0', OP.FCVT_WU_D, D_NZERO, 0n, 0],
    ['fcvt.l.d 2^63', OP.FCVT_L_D, d(2 ** 63), 0x7fffffffffffffffn, NV],
    ['fcvt.l.d largest double below 2^63', OP.FCVT_L_D, d(2 ** 63 - 1024), 0x7ffffffffffffc00n, 0],
    ['fcvt.l.d -2^63', OP.FCVT_L_D, d(-(2 ** 63)), 0x8000000000000000n, 0],
    ['fcvt.l.d next double below -2^63', OP.FCVT_L_D, d(-(2 ** 63) - 2048), 0x8000000000000000n, NV],
    ['fcvt.l.d NaN', OP.FCVT_L_D, D_QNAN, 0x7fffffffffffffffn, NV],
    ['fcvt.l.d -inf', OP.FCVT_L_D, D_NINF, 0x8000000000000000n, NV],
    ['fcvt.l.d 2^53+2', OP.FCVT_L_D, d(2 ** 53 + 2), 0x0020000000000002n, 0],
    ['fcvt.lu.d 2^64', OP.FCVT_LU_D, d(2 ** 64), ALL, NV],
    ['fcvt.lu.d largest double below 2^64', OP.FCVT_LU_D, d(2 ** 64 - 2048), 0xfffffffffffff800n, 0],
    ['fcvt.lu.d -1', OP.FCVT_LU_D, d(-1), 0n, NV],
    ['fcvt.lu.d NaN', OP.FCVT_LU_D, D_SNAN, ALL, NV],
    ['fcvt.w.s 2^31', OP.FCVT_W_S, s(2 ** 31), 0x7fffffffn, NV],
    ['fcvt.w.s -2^31', OP.FCVT_W_S, s(-(2 ** 31)), INT_MIN_32, 0],
    ['fcvt.w.s next float below -2^31', OP.FCVT_W_S, s(-(2 ** 31) - 256), INT_MIN_32, NV],
    ['fcvt.w.s qNaN', OP.FCVT_W_S, box(S_QNAN), 0x7fffffffn, NV],
    ['fcvt.wu.s +inf', OP.FCVT_WU_S, box(S_INF), ALL, NV],
    ['fcvt.l.s 2^63', OP.FCVT_L_S, s(2 ** 63), 0x7fffffffffffffffn, NV],
    ['fcvt.l.s -2^63', OP.FCVT_L_S, s(-(2 ** 63)), 0x8000000000000000n, 0],
    ['fcvt.lu.s largest float below 2^64', OP.FCVT_LU_S, box(0x5f7fffffn), 0xffffff0000000000n, 0],
    ['fcvt.lu.s -inf', OP.FCVT_LU_S, box(0xff800000n), 0n, NV],
  ] as const)('%s', (_n, op, src, want, flags) => check(op, [src], RM.rne, want, flags));
});

describe('float -> integer rounding in every mode; NX when not integral', () => {
  test.each([
    ...modes('fcvt.w.d 2.5', OP.FCVT_W_D, [d(2.5)], [2n, 2n, 2n, 3n, 3n], NX),
    ...modes('fcvt.w.d -2.5', OP.FCVT_W_D, [d(-2.5)], [neg(2n), neg(2n), neg(3n), neg(2n), neg(3n)], NX),
    ...modes('fcvt.w.d 0.5', OP.FCVT_W_D, [d(0.5)], [0n, 0n, 0n, 1n, 1n], NX),
    ...modes('fcvt.l.d -0.49999999999999994', OP.FCVT_L_D, [d(-0.49999999999999994)], [0n, 0n, ALL, 0n, 0n], NX),
    ...modes('fcvt.w.d 1e-310 (subnormal)', OP.FCVT_W_D, [d(1e-310)], [0n, 0n, 0n, 1n, 0n], NX),
    ...modes('fcvt.w.d 2^31-0.5', OP.FCVT_W_D, [d(2 ** 31 - 0.5)],
      [0x7fffffffn, 0x7fffffffn, 0x7fffffffn, 0x7fffffffn, 0x7fffffffn], [NV, NX, NX, NV, NV]),
    ...modes('fcvt.w.d -2^31-0.5', OP.FCVT_W_D, [d(-(2 ** 31) - 0.5)],
      [INT_MIN_32, INT_MIN_32, INT_MIN_32, INT_MIN_32, INT_MIN_32], [NX, NX, NV, NX, NV]),
    // negative values that round to zero are in range for unsigned targets: NX, not NV
    ...modes('fcvt.wu.d -0.5', OP.FCVT_WU_D, [d(-0.5)], [0n, 0n, 0n, 0n, 0n], [NX, NX, NV, NX, NV]),
    ...modes('fcvt.lu.d 0.9', OP.FCVT_LU_D, [d(0.9)], [1n, 0n, 0n, 1n, 1n], NX),
    ...modes('fcvt.wu.s 2.5', OP.FCVT_WU_S, [s(2.5)], [2n, 2n, 2n, 3n, 3n], NX),
    ...modes('fcvt.l.s -1.5', OP.FCVT_L_S, [s(-1.5)], [neg(2n), neg(1n), neg(2n), neg(1n), neg(2n)], NX),
  ])('%s', (_n, op, operands, rm, want, flags) => check(op, [...operands], rm, want, flags));
});

describe('integer -> float in every mode (w/wu read only the low 32 bits)', () => {
  test.each([
    ...modes('fcvt.s.w 2^24+1', OP.FCVT_S_W, [2n ** 24n + 1n], boxed([0x4b800000n, 0x4b800000n, 0x4b800000n, 0x4b800001n, 0x4b800001n]), NX),
    ...modes('fcvt.s.w -(2^24+1)', OP.FCVT_S_W, [neg(2n ** 24n + 1n)], boxed([0xcb800000n, 0xcb800000n, 0xcb800001n, 0xcb800000n, 0xcb800001n]), NX),
    ...modes('fcvt.s.w ignores the upper word', OP.FCVT_S_W, [0x1234567800000001n], boxed([0x3f800000n, 0x3f800000n, 0x3f800000n, 0x3f800000n, 0x3f800000n]), 0),
    ...modes('fcvt.s.wu 0xffffffff', OP.FCVT_S_WU, [0xabcdef01ffffffffn], boxed([0x4f800000n, 0x4f7fffffn, 0x4f7fffffn, 0x4f800000n, 0x4f800000n]), NX),
    // 2^53 + 2^29 + 1 rounded to binary64 first would land on a binary32 tie and round down
    ...modes('fcvt.s.l 2^53+2^29+1 (no double rounding)', OP.FCVT_S_L, [0x0020000020000001n], boxed([0x5a000001n, 0x5a000000n, 0x5a000000n, 0x5a000001n, 0x5a000001n]), NX),
    ...modes('fcvt.s.lu 2^64-1', OP.FCVT_S_LU, [ALL], boxed([0x5f800000n, 0x5f7fffffn, 0x5f7fffffn, 0x5f800000n, 0x5f800000n]), NX),
    ...modes('fcvt.s.l -2^63', OP.FCVT_S_L, [0x8000000000000000n], boxed([0xdf000000n, 0xdf000000n, 0xdf000000n, 0xdf000000n, 0xdf000000n]), 0),
    ...modes('fcvt.d.l 2^53+1', OP.FCVT_D_L, [2n ** 53n + 1n], [0x4340000000000000n, 0x4340000000000000n, 0x4340000000000000n, 0x4340000000000001n, 0x4340000000000001n], NX),
    ...modes('fcvt.d.l -(2^53+1)', OP.FCVT_D_L, [neg(2n ** 53n + 1n)], [0xc340000000000000n, 0xc340000000000000n, 0xc340000000000001n, 0xc340000000000000n, 0xc340000000000001n], NX),
    ...modes('fcvt.d.lu 2^64-1', OP.FCVT_D_LU, [ALL], [0x43f0000000000000n, 0x43efffffffffffffn, 0x43efffffffffffffn, 0x43f0000000000000n, 0x43f0000000000000n], NX),
    ...modes('fcvt.d.w 0xffffffff is -1', OP.FCVT_D_W, [0xffffffffn], [d(-1), d(-1), d(-1), d(-1), d(-1)], 0),
    ...modes('fcvt.d.wu ignores the upper word', OP.FCVT_D_WU, [0xabcdef01ffffffffn], [d(2 ** 32 - 1), d(2 ** 32 - 1), d(2 ** 32 - 1), d(2 ** 32 - 1), d(2 ** 32 - 1)], 0),
    ...modes('fcvt.d.l 0 is +0', OP.FCVT_D_L, [0n], [0n, 0n, 0n, 0n, 0n], 0),
  ])('%s', (_n, op, operands, rm, want, flags) => check(op, [...operands], rm, want, flags));
});

describe('fcvt.s.d and fcvt.d.s', () => {
  const MAX_PLUS_HALF = d(3.4028235677973366e38); // binary32 max + half an ulp: an exact tie
  test.each([
    ...modes('fcvt.s.d max+half ulp', OP.FCVT_S_D, [MAX_PLUS_HALF], boxed([S_INF, S_MAX, S_MAX, S_INF, S_INF]), [OF | NX, NX, NX, OF | NX, OF | NX]),
    ...modes('fcvt.s.d just below the tie', OP.FCVT_S_D, [MAX_PLUS_HALF - 1n], boxed([S_MAX, S_MAX, S_MAX, S_INF, S_MAX]), [NX, NX, NX, OF | NX, NX]),
    ...modes('fcvt.s.d 1e-300', OP.FCVT_S_D, [d(1e-300)], boxed([0n, 0n, 0n, 1n, 0n]), UF | NX),
    ...modes('fcvt.s.d -1e-300', OP.FCVT_S_D, [d(-1e-300)], boxed([0x80000000n, 0x80000000n, 0x80000001n, 0x80000000n, 0x80000000n]), UF | NX),
    ...modes('fcvt.s.d sNaN', OP.FCVT_S_D, [D_SNAN], boxed([S_QNAN, S_QNAN, S_QNAN, S_QNAN, S_QNAN]), NV),
    ...modes('fcvt.s.d -qNaN payload', OP.FCVT_S_D, [0xfff800000000beefn], boxed([S_QNAN, S_QNAN, S_QNAN, S_QNAN, S_QNAN]), 0),
    ...modes('fcvt.s.d -0', OP.FCVT_S_D, [D_NZERO], boxed([0x80000000n, 0x80000000n, 0x80000000n, 0x80000000n, 0x80000000n]), 0),
    ...modes('fcvt.s.d 0.1', OP.FCVT_S_D, [d(0.1)], boxed([0x3dcccccdn, 0x3dccccccn, 0x3dccccccn, 0x3dcccccdn, 0x3dcccccdn]), NX),
    ...modes('fcvt.d.s sNaN', OP.FCVT_D_S, [box(0xff800001n)], [D_QNAN, D_QNAN, D_QNAN, D_QNAN, D_QNAN], NV),
    ...modes('fcvt.d.s min subnormal is exact', OP.FCVT_D_S, [box(1n)], [d(2 ** -149), d(2 ** -149), d(2 ** -149), d(2 ** -149), d(2 ** -149)], 0),
    ...modes('fcvt.d.s -inf', OP.FCVT_D_S, [box(0xff800000n)], [D_NINF, D_NINF, D_NINF, D_NINF, D_NINF], 0),
  ])('%s', (_n, op, operands, rm, want, flags) => check(op, [...operands], rm, want, flags));
});
