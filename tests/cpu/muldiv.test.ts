// M extension (unprivileged spec ch. 13): the spec's own table for division by zero and
// signed overflow, then every op over a grid of extreme operands against a BigInt model.
import { describe, expect, test } from 'vitest';
import { BodyRunner, hex, u64 } from './harness.ts';

const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;
const W_MIN = -(1n << 31n);

const s64 = (v: bigint) => BigInt.asIntN(64, v);
const z64 = (v: bigint) => BigInt.asUintN(64, v);
const s32 = (v: bigint) => BigInt.asIntN(32, v);
const z32 = (v: bigint) => BigInt.asUintN(32, v);
/** Truncating division (toward zero), which BigInt's / already is. */
const REF: Record<string, (a: bigint, b: bigint) => bigint> = {
  mul: (a, b) => a * b,
  mulh: (a, b) => (s64(a) * s64(b)) >> 64n,
  mulhsu: (a, b) => (s64(a) * z64(b)) >> 64n,
  mulhu: (a, b) => (z64(a) * z64(b)) >> 64n,
  div: (a, b) => (z64(b) === 0n ? -1n : s64(a) === MIN && s64(b) === -1n ? MIN : s64(a) / s64(b)),
  divu: (a, b) => (z64(b) === 0n ? -1n : z64(a) / z64(b)),
  rem: (a, b) => (z64(b) === 0n ? a : s64(a) === MIN && s64(b) === -1n ? 0n : s64(a) % s64(b)),
  remu: (a, b) => (z64(b) === 0n ? a : z64(a) % z64(b)),
  mulw: (a, b) => s32(a * b),
  divw: (a, b) => s32(z32(b) === 0n ? -1n : s32(a) === W_MIN && s32(b) === -1n ? W_MIN : s32(a) / s32(b)),
  divuw: (a, b) => s32(z32(b) === 0n ? -1n : z32(a) / z32(b)),
  remw: (a, b) => s32(z32(b) === 0n ? a : s32(a) === W_MIN && s32(b) === -1n ? 0n : s32(a) % s32(b)),
  remuw: (a, b) => s32(z32(b) === 0n ? a : z32(a) % z32(b)),
};

const runners = new Map<string, BodyRunner>();
function run(op: string, a: bigint, b: bigint): bigint {
  let r = runners.get(op);
  if (!r) {
    r = new BodyRunner(`${op} a2, a0, a1`, { ramBytes: 64 * 1024 });
    runners.set(op, r);
  }
  return r.run({ a0: a, a1: b }).x('a2');
}

describe('the spec table: division by zero and overflow', () => {
  test.each([
    ['div', 7n, 0n, -1n],
    ['div', MIN, 0n, -1n],
    ['divu', 7n, 0n, -1n],
    ['rem', 7n, 0n, 7n],
    ['rem', MIN, 0n, MIN],
    ['remu', -7n, 0n, -7n],
    ['div', MIN, -1n, MIN],
    ['rem', MIN, -1n, 0n],
    ['divw', 7n, 0n, -1n],
    ['divw', 0x1_0000_0007n, 0x1_0000_0000n, -1n], // the divisor's low word is zero
    ['divuw', 7n, 0n, -1n],
    ['remw', 0x1_8000_0007n, 0n, s32(0x8000_0007n)],
    ['remuw', 0x1_8000_0007n, 0n, s32(0x8000_0007n)],
    ['remuw', 0x5n, 0n, 5n],
    ['divw', W_MIN, -1n, W_MIN],
    ['divw', 0xffff_ffff_8000_0000n, 0xffff_ffffn, W_MIN],
    ['remw', W_MIN, -1n, 0n],
  ])('%s %i, %i', (op, a, b, want) => {
    expect(run(op, a, b)).toBe(u64(want));
  });

  test.each([
    ['div', -7n, 2n, -3n],
    ['rem', -7n, 2n, -1n],
    ['div', 7n, -2n, -3n],
    ['rem', 7n, -2n, 1n],
    ['divu', -1n, 2n, MAX],
    ['remu', -1n, 2n, 1n],
    ['divw', -7n, 2n, -3n],
    ['remw', -7n, 2n, -1n],
    ['divuw', 0xffff_ffffn, 2n, 0x7fff_ffffn],
    ['divuw', 0x1_0000_0010n, 2n, 8n],
    ['remuw', 0xffff_ffffn, 0x10n, 0xfn],
  ])('rounding toward zero: %s %i, %i', (op, a, b, want) => {
    expect(run(op, a, b)).toBe(u64(want));
  });
});

describe('every op over extreme operands', () => {
  const values = [
    0n, 1n, 2n, 3n, -1n, -2n, -3n, MIN, MAX, MIN + 1n,
    0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, W_MIN, 0x1_0000_0001n,
    0x0123_4567_89ab_cdefn, -0x0123_4567_89ab_cdefn, 0xffffn, 0x1_0000n, 0xdead_beefn,
  ];
  for (const op of Object.keys(REF)) {
    test(`${op}`, () => {
      for (const a of values) {
        for (const b of values) {
          const want = u64(REF[op](a, b));
          const got = run(op, a, b);
          if (got !== want) expect(`${op} ${hex(a)}, ${hex(b)} = ${hex(got)}`).toBe(`${op} ${hex(a)}, ${hex(b)} = ${hex(want)}`);
        }
      }
    });
  }
});

test('mulh/mulhu/mulhsu and mul together give the full 128-bit product', () => {
  const a = -0x0123_4567_89ab_cdefn;
  const b = 0x7edc_ba98_7654_3210n;
  const hi = run('mulh', a, b);
  const lo = run('mul', a, b);
  expect(BigInt.asIntN(128, (hi << 64n) | lo)).toBe(a * b);
  const hu = run('mulhu', a, b);
  expect((hu << 64n) | lo).toBe(z64(a) * b);
  const hsu = run('mulhsu', b, a);
  expect(BigInt.asIntN(128, (hsu << 64n) | run('mul', b, a))).toBe(b * z64(a));
});
