// NaN boxing (D chapter "NaN Boxing of Narrower Values"): binary32 operands whose upper 32
// bits are not all ones read as the canonical NaN 0x7fc00000 in every op except the transfer
// fmv.x.w; every binary32 result is written with the upper 32 bits set.
import { describe, expect, test } from 'vitest';
import { OP } from '../../src/isa/opcodes.ts';
import { box, d, FL, hex, run, s, S_QNAN } from './helpers.ts';

const { NV } = FL;
const UNBOXED_ONE = 0x000000003f800000n; // 1.0f with a zero upper word
const ALMOST_BOXED_TWO = 0xfffffffe40000000n; // one upper bit clear: still not boxed
const UNBOXED_SNAN = 0x000000007f800001n; // would be an sNaN if boxed: reads as the quiet canonical NaN
const CANON = box(S_QNAN);

describe('improperly boxed binary32 operands read as the canonical NaN', () => {
  test.each([
    ['fadd.s unboxed + 1', OP.FADD_S, [UNBOXED_ONE, s(1)], CANON, 0],
    ['fadd.s nearly boxed + 1', OP.FADD_S, [ALMOST_BOXED_TWO, s(1)], CANON, 0],
    ['fmul.s unboxed sNaN pattern is quiet', OP.FMUL_S, [UNBOXED_SNAN, s(2)], CANON, 0],
    ['fmadd.s unboxed addend', OP.FMADD_S, [s(1), s(1), UNBOXED_ONE], CANON, 0],
    ['fmadd.s inf*0 + unboxed: still invalid', OP.FMADD_S, [box(0x7f800000n), s(0), UNBOXED_ONE], CANON, NV],
    ['fsqrt.s unboxed', OP.FSQRT_S, [UNBOXED_ONE], CANON, 0],
    ['fsgnj.s unboxed rs1, negative rs2: canonical NaN, sign injected', OP.FSGNJ_S, [UNBOXED_ONE, s(-1)], box(0xffc00000n), 0],
    ['fsgnj.s boxed rs1, unboxed rs2: sign of canonical NaN (+)', OP.FSGNJ_S, [s(-3), UNBOXED_ONE], s(3), 0],
    ['fsgnjn.s (fneg) of unboxed', OP.FSGNJN_S, [UNBOXED_ONE], box(0xffc00000n), 0],
    ['fsgnjx.s (fabs) of unboxed', OP.FSGNJX_S, [UNBOXED_ONE], CANON, 0],
    ['fmin.s unboxed vs 2: the number', OP.FMIN_S, [UNBOXED_ONE, s(2)], s(2), 0],
    ['fmax.s both unboxed', OP.FMAX_S, [UNBOXED_ONE, ALMOST_BOXED_TWO], CANON, 0],
    ['fcvt.d.s unboxed', OP.FCVT_D_S, [UNBOXED_ONE], 0x7ff8000000000000n, 0],
  ] as const)('%s', (_n, op, operands, want, flags) => {
    const got = run(op, [...operands]);
    expect(hex(got.r)).toBe(hex(want));
    expect(got.flags).toBe(flags);
  });

  test.each([
    ['feq.s unboxed, unboxed: 0, quiet', OP.FEQ_S, [UNBOXED_ONE, UNBOXED_ONE], 0n, 0],
    ['flt.s unboxed, 1: 0, signaling compare', OP.FLT_S, [UNBOXED_ONE, s(1)], 0n, NV],
    ['fle.s 1, unboxed', OP.FLE_S, [s(1), UNBOXED_ONE], 0n, NV],
    ['feq.s unboxed sNaN pattern: no NV', OP.FEQ_S, [UNBOXED_SNAN, s(1)], 0n, 0],
    ['fclass.s unboxed: quiet NaN', OP.FCLASS_S, [UNBOXED_ONE], 0x200n, 0],
    ['fclass.s unboxed sNaN pattern: quiet NaN', OP.FCLASS_S, [UNBOXED_SNAN], 0x200n, 0],
    ['fcvt.w.s unboxed: NaN saturates to 2^31-1', OP.FCVT_W_S, [UNBOXED_ONE], 0x7fffffffn, NV],
    ['fcvt.lu.s unboxed', OP.FCVT_LU_S, [UNBOXED_ONE], 0xffffffffffffffffn, NV],
    ['fmv.x.w ignores boxing, sign-extends the low word', OP.FMV_X_W, [0x1234567887654321n], 0xffffffff87654321n, 0],
    ['fmv.x.w of an unboxed positive word', OP.FMV_X_W, [UNBOXED_ONE], 0x3f800000n, 0],
  ] as const)('%s', (_n, op, operands, want, flags) => {
    const got = run(op, [...operands]);
    expect(hex(got.r)).toBe(hex(want));
    expect(got.flags).toBe(flags);
  });
});

describe('binary32 results are NaN-boxed', () => {
  test.each([
    ['fadd.s', OP.FADD_S, [s(1), s(2)], s(3)],
    ['fcvt.s.d', OP.FCVT_S_D, [d(0.5)], s(0.5)],
    ['fcvt.s.w', OP.FCVT_S_W, [7n], s(7)],
    ['fmv.w.x keeps the low word, boxes it (sNaN bits preserved)', OP.FMV_W_X, [0xdeadbeef7f800001n], box(0x7f800001n)],
    ['fmin.s', OP.FMIN_S, [s(-1), s(1)], s(-1)],
    ['fsgnjx.s', OP.FSGNJX_S, [s(-2), s(-1)], s(2)],
  ] as const)('%s', (_n, op, operands, want) => {
    expect(hex(run(op, [...operands]).r)).toBe(hex(want));
  });

  test('fsgnj.d and fmv.d.x move all 64 bits, NaN payloads included', () => {
    expect(hex(run(OP.FSGNJN_D, [0x7ff0000000000001n]).r)).toBe(hex(0xfff0000000000001n));
    expect(run(OP.FSGNJN_D, [0x7ff0000000000001n]).flags).toBe(0);
    expect(hex(run(OP.FMV_D_X, [0x7ff4000000000123n]).r)).toBe(hex(0x7ff4000000000123n));
    expect(hex(run(OP.FMV_X_D, [0x000000003f800000n]).r)).toBe(hex(0x000000003f800000n));
  });
});
