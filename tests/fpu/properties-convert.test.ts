// Property tests (fast-check, fixed seeds) for conversions, compares and min/max:
//  - fcvt float -> integer equals an independent BigInt model of RISC-V's saturating rules;
//  - fcvt integer -> float and fcvt.s.d equal the exact model, and in RNE agree with JS
//    (Number(BigInt) rounds to nearest-even binary64, Math.fround rounds a binary64 exactly);
//  - feq/flt/fle and fmin/fmax agree with JS comparisons on non-NaN operands.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { convertBits } from '../../src/cpu/fpu/exact-arith.ts';
import { roundInteger } from '../../src/cpu/fpu/exact-round.ts';
import { BINARY32, BINARY64, type FpFormat } from '../../src/cpu/fpu/formats.ts';
import { OP } from '../../src/isa/opcodes.ts';
import { bits32, bits64, f32, f64, int64, num32, num64 } from './arbitraries.ts';
import { hex, run } from './helpers.ts';

const SEED = 0xc0de;
const SCALE = Number(process.env.FPU_PROPERTY_SCALE ?? 1);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.round(n * SCALE) });
const rmArb = fc.integer({ min: 0, max: 4 });
const NV = 0x10;
const NX = 0x01;

/** Independent model of fcvt.{w,wu,l,lu}.fmt: returns the 64-bit rd value and flags. */
function toIntModel(fmt: FpFormat, bits: bigint, rm: number, width: 32 | 64, signed: boolean): [bigint, number] {
  const expBits = fmt.width === 64 ? 11 : 8;
  const fracBits = BigInt(fmt.p - 1);
  const sign = (bits >> BigInt(fmt.width - 1)) & 1n;
  const be = Number((bits >> fracBits) & BigInt((1 << expBits) - 1));
  const frac = bits & ((1n << fracBits) - 1n);
  const lo = signed ? -(1n << BigInt(width - 1)) : 0n;
  const hi = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  const out = (v: bigint) => BigInt.asUintN(64, width === 32 ? BigInt.asIntN(32, v) : v);
  if (be === (1 << expBits) - 1) return [out(frac !== 0n || sign === 0n ? hi : lo), NV];
  // value = mant * 2^e exactly
  const mant = be === 0 ? frac : frac | (1n << fracBits);
  const e = (be === 0 ? 1 : be) - fmt.bias - (fmt.p - 1);
  let q: bigint;
  let inexact = false;
  if (e >= 0) q = mant << BigInt(e);
  else {
    const sh = BigInt(-e);
    q = mant >> sh;
    const rem = mant - (q << sh);
    inexact = rem !== 0n;
    const twice = rem * 2n;
    const den = 1n << sh;
    const up =
      rm === 0 ? twice > den || (twice === den && (q & 1n) === 1n)
      : rm === 1 ? false
      : rm === 2 ? inexact && sign === 1n
      : rm === 3 ? inexact && sign === 0n
      : twice >= den && inexact;
    if (up) q += 1n;
  }
  const v = sign ? -q : q;
  if (v < lo || v > hi) return [out(v < lo ? lo : hi), NV];
  return [out(v), inexact ? NX : 0];
}

const unbox = (v: bigint) => (v >> 32n === 0xffffffffn ? v & 0xffffffffn : 0x7fc00000n);

describe('float -> integer equals the saturating model', () => {
  const cases = [
    ['fcvt.w.d', OP.FCVT_W_D, 64, 32, true], ['fcvt.wu.d', OP.FCVT_WU_D, 64, 32, false],
    ['fcvt.l.d', OP.FCVT_L_D, 64, 64, true], ['fcvt.lu.d', OP.FCVT_LU_D, 64, 64, false],
    ['fcvt.w.s', OP.FCVT_W_S, 32, 32, true], ['fcvt.wu.s', OP.FCVT_WU_S, 32, 32, false],
    ['fcvt.l.s', OP.FCVT_L_S, 32, 64, true], ['fcvt.lu.s', OP.FCVT_LU_S, 32, 64, false],
  ] as const;
  // operands scaled into the integer range and its edges, as well as the general mix
  const nearInt = fc.tuple(fc.double({ min: -(2 ** 65), max: 2 ** 65, noNaN: true }), fc.integer({ min: 0, max: 3 }))
    .map(([x, k]) => (k === 0 ? x : k === 1 ? Math.round(x * 2) / 2 : k === 2 ? x / 2 ** 40 : Math.trunc(x)));
  test.each(cases)('%s', (_n, op, fw, width, signed) => {
    const fmt = fw === 64 ? BINARY64 : BINARY32;
    const src = fw === 64 ? fc.oneof(f64, nearInt.map(bits64)) : fc.oneof(f32, nearInt.map((x) => (0xffffffffn << 32n) | bits32(x)));
    fc.assert(
      fc.property(src, rmArb, (v, rm) => {
        const [want, flags] = toIntModel(fmt, fw === 64 ? v : unbox(v), rm, width, signed);
        const got = run(op, [v], rm);
        expect(`${hex(got.r)} ${got.flags}`, `${hex(v)} rm=${rm}`).toBe(`${hex(want)} ${flags}`);
      }),
      runs(3000),
    );
  });
});

describe('integer -> float equals the exact model and, in RNE, JS rounding', () => {
  const cases = [
    ['fcvt.d.w', OP.FCVT_D_W, 64, (v: bigint) => BigInt.asIntN(32, v)],
    ['fcvt.d.wu', OP.FCVT_D_WU, 64, (v: bigint) => BigInt.asUintN(32, v)],
    ['fcvt.d.l', OP.FCVT_D_L, 64, (v: bigint) => BigInt.asIntN(64, v)],
    ['fcvt.d.lu', OP.FCVT_D_LU, 64, (v: bigint) => v],
    ['fcvt.s.w', OP.FCVT_S_W, 32, (v: bigint) => BigInt.asIntN(32, v)],
    ['fcvt.s.wu', OP.FCVT_S_WU, 32, (v: bigint) => BigInt.asUintN(32, v)],
    ['fcvt.s.l', OP.FCVT_S_L, 32, (v: bigint) => BigInt.asIntN(64, v)],
    ['fcvt.s.lu', OP.FCVT_S_LU, 32, (v: bigint) => v],
  ] as const;
  test.each(cases)('%s', (_n, op, fw, value) => {
    const fmt = fw === 64 ? BINARY64 : BINARY32;
    fc.assert(
      fc.property(int64, rmArb, (v, rm) => {
        const want = roundInteger(fmt, value(v), rm);
        const wantBits = fw === 64 ? want.bits : (0xffffffffn << 32n) | want.bits;
        const got = run(op, [v], rm);
        expect(`${hex(got.r)} ${got.flags}`, `${hex(v)} rm=${rm}`).toBe(`${hex(wantBits)} ${want.flags}`);
        if (rm === 0 && fw === 64) expect(hex(got.r)).toBe(hex(bits64(Number(value(v)))));
      }),
      runs(3000),
    );
  });
});

describe('fcvt.s.d / fcvt.d.s', () => {
  test('fcvt.s.d equals the exact model; in RNE, Math.fround', () => {
    fc.assert(
      fc.property(f64, rmArb, (v, rm) => {
        const want = convertBits(BINARY64, BINARY32, v, rm);
        const got = run(OP.FCVT_S_D, [v], rm);
        expect(`${hex(got.r)} ${got.flags}`).toBe(`${hex((0xffffffffn << 32n) | want.bits)} ${want.flags}`);
        const x = num64(v);
        if (rm === 0 && x === x) expect(got.r & 0xffffffffn).toBe(bits32(Math.fround(x)));
      }),
      runs(4000),
    );
  });

  test('fcvt.d.s is exact for every non-NaN binary32', () => {
    fc.assert(
      fc.property(f32, rmArb, (v, rm) => {
        const x = num32(unbox(v));
        const got = run(OP.FCVT_D_S, [v], rm);
        if (x === x) expect(got).toEqual({ r: bits64(x), flags: 0 });
        else expect(got.r).toBe(0x7ff8000000000000n);
      }),
      runs(3000),
    );
  });
});

describe('compares and min/max agree with JS on non-NaN operands', () => {
  test('binary64', () => {
    fc.assert(
      fc.property(f64, f64, (a, b) => {
        const x = num64(a);
        const y = num64(b);
        if (x !== x || y !== y) return;
        expect(run(OP.FEQ_D, [a, b]).r).toBe(x === y ? 1n : 0n);
        expect(run(OP.FLT_D, [a, b]).r).toBe(x < y ? 1n : 0n);
        expect(run(OP.FLE_D, [a, b]).r).toBe(x <= y ? 1n : 0n);
        expect(Object.is(num64(run(OP.FMIN_D, [a, b]).r), Math.min(x, y))).toBe(true);
        expect(Object.is(num64(run(OP.FMAX_D, [a, b]).r), Math.max(x, y))).toBe(true);
      }),
      runs(3000),
    );
  });

  test('binary32', () => {
    fc.assert(
      fc.property(f32, f32, (a, b) => {
        const x = num32(unbox(a));
        const y = num32(unbox(b));
        if (x !== x || y !== y) return;
        expect(run(OP.FLT_S, [a, b]).r).toBe(x < y ? 1n : 0n);
        expect(Object.is(num32(run(OP.FMIN_S, [a, b]).r), Math.min(x, y))).toBe(true);
        expect(Object.is(num32(run(OP.FMAX_S, [a, b]).r), Math.max(x, y))).toBe(true);
      }),
      runs(3000),
    );
  });
});
