// fmin/fmax (F 2.2: IEEE 754-2019 minimumNumber/maximumNumber), feq (quiet) / flt, fle
// (signaling), fclass, and sign injection (F chapter "Floating-Point Compare Instructions",
// "Floating-Point Min/Max", "Floating-Point Classify Instruction").
import { describe, expect, test } from 'vitest';
import { OP } from '../../src/isa/opcodes.ts';
import { box, d, D_INF, D_NINF, D_NZERO, D_QNAN, D_SNAN, FL, hex, run, s, S_QNAN, S_SNAN } from './helpers.ts';

const { NV } = FL;
const PAYLOAD_QNAN = 0xfff8000000abcdefn;

describe('fmin/fmax: NaN operands ignored, -0 < +0, sNaN raises NV even for a numeric result', () => {
  test.each([
    ['fmin.d -0, +0', OP.FMIN_D, [D_NZERO, 0n], D_NZERO, 0],
    ['fmin.d +0, -0', OP.FMIN_D, [0n, D_NZERO], D_NZERO, 0],
    ['fmax.d -0, +0', OP.FMAX_D, [D_NZERO, 0n], 0n, 0],
    ['fmax.d +0, -0', OP.FMAX_D, [0n, D_NZERO], 0n, 0],
    ['fmin.d 1, 2', OP.FMIN_D, [d(1), d(2)], d(1), 0],
    ['fmax.d 1, 2', OP.FMAX_D, [d(1), d(2)], d(2), 0],
    ['fmin.d -1, -2', OP.FMIN_D, [d(-1), d(-2)], d(-2), 0],
    ['fmin.d -inf, 1', OP.FMIN_D, [D_NINF, d(1)], D_NINF, 0],
    ['fmax.d inf, max', OP.FMAX_D, [D_INF, 0x7fefffffffffffffn], D_INF, 0],
    ['fmin.d 1, qNaN', OP.FMIN_D, [d(1), D_QNAN], d(1), 0],
    ['fmin.d qNaN, 1', OP.FMIN_D, [D_QNAN, d(1)], d(1), 0],
    ['fmax.d payload qNaN, 2', OP.FMAX_D, [PAYLOAD_QNAN, d(2)], d(2), 0],
    ['fmin.d sNaN, 1: 1 with NV', OP.FMIN_D, [D_SNAN, d(1)], d(1), NV],
    ['fmax.d 1, sNaN: 1 with NV', OP.FMAX_D, [d(1), D_SNAN], d(1), NV],
    ['fmin.d qNaN, qNaN: canonical', OP.FMIN_D, [PAYLOAD_QNAN, PAYLOAD_QNAN], D_QNAN, 0],
    ['fmax.d sNaN, qNaN: canonical with NV', OP.FMAX_D, [D_SNAN, PAYLOAD_QNAN], D_QNAN, NV],
    ['fmin.s -0, +0', OP.FMIN_S, [s(-0), s(0)], s(-0), 0],
    ['fmax.s -0, +0', OP.FMAX_S, [s(-0), s(0)], s(0), 0],
    ['fmin.s sNaN, 3', OP.FMIN_S, [box(S_SNAN), s(3)], s(3), NV],
    ['fmax.s qNaN, qNaN', OP.FMAX_S, [box(0xffc00001n), box(S_QNAN)], box(S_QNAN), 0],
    ['fmin.s subnormals', OP.FMIN_S, [box(0x00000002n), box(0x00000001n)], box(0x00000001n), 0],
  ] as const)('%s', (_n, op, operands, want, flags) => {
    const got = run(op, [...operands]);
    expect(hex(got.r)).toBe(hex(want));
    expect(got.flags).toBe(flags);
  });
});

describe('comparisons: feq quiet (NV for sNaN only), flt/fle signaling (NV for any NaN)', () => {
  test.each([
    ['feq.d qNaN, 1', OP.FEQ_D, [D_QNAN, d(1)], 0n, 0],
    ['feq.d sNaN, 1', OP.FEQ_D, [D_SNAN, d(1)], 0n, NV],
    ['feq.d qNaN, qNaN', OP.FEQ_D, [D_QNAN, D_QNAN], 0n, 0],
    ['flt.d qNaN, 1', OP.FLT_D, [D_QNAN, d(1)], 0n, NV],
    ['fle.d 1, qNaN', OP.FLE_D, [d(1), D_QNAN], 0n, NV],
    ['fle.d sNaN, sNaN', OP.FLE_D, [D_SNAN, D_SNAN], 0n, NV],
    ['feq.d -0, +0', OP.FEQ_D, [D_NZERO, 0n], 1n, 0],
    ['flt.d -0, +0', OP.FLT_D, [D_NZERO, 0n], 0n, 0],
    ['fle.d -0, +0', OP.FLE_D, [D_NZERO, 0n], 1n, 0],
    ['flt.d 1, 2', OP.FLT_D, [d(1), d(2)], 1n, 0],
    ['flt.d 2, 1', OP.FLT_D, [d(2), d(1)], 0n, 0],
    ['fle.d 2, 2', OP.FLE_D, [d(2), d(2)], 1n, 0],
    ['flt.d -inf, inf', OP.FLT_D, [D_NINF, D_INF], 1n, 0],
    ['feq.s 1, 1', OP.FEQ_S, [s(1), s(1)], 1n, 0],
    ['feq.s sNaN, 1', OP.FEQ_S, [box(S_SNAN), s(1)], 0n, NV],
    ['feq.s qNaN, 1', OP.FEQ_S, [box(S_QNAN), s(1)], 0n, 0],
    ['flt.s qNaN, 1', OP.FLT_S, [box(S_QNAN), s(1)], 0n, NV],
    ['fle.s -1, -0', OP.FLE_S, [s(-1), s(-0)], 1n, 0],
  ] as const)('%s', (_n, op, operands, want, flags) => {
    const got = run(op, [...operands]);
    expect(got.r).toBe(want);
    expect(got.flags).toBe(flags);
  });
});

describe('fclass: one bit per class, never raises flags', () => {
  test.each([
    ['-inf', D_NINF, box(0xff800000n), 0],
    ['negative normal', d(-1), s(-1), 1],
    ['negative subnormal', 0x800fffffffffffffn, box(0x807fffffn), 2],
    ['-0', D_NZERO, s(-0), 3],
    ['+0', 0n, s(0), 4],
    ['positive subnormal', 1n, box(1n), 5],
    ['positive normal', 0x7fefffffffffffffn, box(0x7f7fffffn), 6],
    ['+inf', D_INF, box(0x7f800000n), 7],
    ['signaling NaN', 0xfff0000000000001n, box(0xff800001n), 8],
    ['quiet NaN', 0x7ff8000000000000n, box(0x7fc00000n), 9],
  ] as const)('%s', (_n, dbl, sgl, bit) => {
    expect(run(OP.FCLASS_D, [dbl])).toEqual({ r: 1n << BigInt(bit), flags: 0 });
    expect(run(OP.FCLASS_S, [sgl])).toEqual({ r: 1n << BigInt(bit), flags: 0 });
  });
});

describe('sign injection: only the sign bit changes, no flags', () => {
  test.each([
    ['fsgnj.d 1, -2', OP.FSGNJ_D, [d(1), d(-2)], d(-1)],
    ['fsgnjn.d 1, -2', OP.FSGNJN_D, [d(1), d(-2)], d(1)],
    ['fsgnjx.d -1, -2', OP.FSGNJX_D, [d(-1), d(-2)], d(1)],
    ['fsgnjx.d -1, 2', OP.FSGNJX_D, [d(-1), d(2)], d(-1)],
    ['fsgnj.d sNaN payload keeps payload', OP.FSGNJ_D, [0x7ff0000000000005n, D_NZERO], 0xfff0000000000005n],
    ['fsgnjn.s 3, 3 (fneg)', OP.FSGNJN_S, [s(3)], s(-3)],
    ['fsgnjx.s -inf, -inf (fabs)', OP.FSGNJX_S, [box(0xff800000n)], box(0x7f800000n)],
    ['fsgnj.s sNaN payload keeps payload', OP.FSGNJ_S, [box(0x7f800003n), s(-1)], box(0xff800003n)],
  ] as const)('%s', (_n, op, operands, want) => {
    expect(run(op, [...operands])).toEqual({ r: want, flags: 0 });
  });
});
