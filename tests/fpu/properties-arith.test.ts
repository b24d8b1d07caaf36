// Property tests (fast-check, fixed seeds) for the arithmetic ops:
//  1. Fpu.exec (fast paths included) equals the exact BigInt model bit for bit, flags included.
//  2. The model agrees with independent IEEE semantics: JS binary64 arithmetic is RNE, and
//     Math.fround of a binary64 result is correctly rounded binary32 for +,-,*,/,sqrt.
//  3. Directed modes bracket the exact result: RDN <= RNE <= RUP, RUP is the successor of RDN
//     exactly when NX is raised, RTZ/RMM pick one of the two.
//  4. FMA identities: fma(a, b, -0) = a*b and fma(a, 1, c) = a + c, flags included.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { addBits, divBits, fmaBits, mulBits, sqrtBits } from '../../src/cpu/fpu/exact-arith.ts';
import { BINARY32, BINARY64, type FpFormat, type Rounded } from '../../src/cpu/fpu/formats.ts';
import { OP } from '../../src/isa/opcodes.ts';
import { bits32, bits64, cancellingPair, cancellingTriple, f32, f64, num32, num64 } from './arbitraries.ts';
import { hex, run } from './helpers.ts';

const SEED = 0x5eed;
/** FPU_PROPERTY_SCALE=20 (say) multiplies every run count for a deep local check. */
const SCALE = Number(process.env.FPU_PROPERTY_SCALE ?? 1);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.round(n * SCALE) });
const rmArb = fc.integer({ min: 0, max: 4 });

/** The binary32 operand a register holds (canonical NaN when not NaN-boxed). */
const unbox = (v: bigint) => (v >> 32n === 0xffffffffn ? v & 0xffffffffn : 0x7fc00000n);
const boxR = (r: Rounded): Rounded => ({ bits: (0xffffffffn << 32n) | r.bits, flags: r.flags });

type Model = (fmt: FpFormat, ops: bigint[], rm: number) => Rounded;
const MODELS: Record<string, Model> = {
  add: (f, [a, b], rm) => addBits(f, a, b, rm),
  sub: (f, [a, b], rm) => addBits(f, a, b, rm, true),
  mul: (f, [a, b], rm) => mulBits(f, a, b, rm),
  div: (f, [a, b], rm) => divBits(f, a, b, rm),
  sqrt: (f, [a], rm) => sqrtBits(f, a, rm),
  fmadd: (f, [a, b, c], rm) => fmaBits(f, a, b, c, rm, false, false),
  fmsub: (f, [a, b, c], rm) => fmaBits(f, a, b, c, rm, false, true),
  fnmsub: (f, [a, b, c], rm) => fmaBits(f, a, b, c, rm, true, false),
  fnmadd: (f, [a, b, c], rm) => fmaBits(f, a, b, c, rm, true, true),
};

const CASES = [
  ['add', OP.FADD_D, OP.FADD_S, 2], ['sub', OP.FSUB_D, OP.FSUB_S, 2], ['mul', OP.FMUL_D, OP.FMUL_S, 2],
  ['div', OP.FDIV_D, OP.FDIV_S, 2], ['sqrt', OP.FSQRT_D, OP.FSQRT_S, 1],
  ['fmadd', OP.FMADD_D, OP.FMADD_S, 3], ['fmsub', OP.FMSUB_D, OP.FMSUB_S, 3],
  ['fnmsub', OP.FNMSUB_D, OP.FNMSUB_S, 3], ['fnmadd', OP.FNMADD_D, OP.FNMADD_S, 3],
] as const;

function operands(single: boolean, arity: number): fc.Arbitrary<bigint[]> {
  const one = single ? f32 : f64;
  const plain = fc.array(one, { minLength: arity, maxLength: arity });
  if (arity === 3) return fc.oneof(plain, cancellingTriple(single));
  if (arity === 2) return fc.oneof(plain, cancellingPair(single));
  return plain;
}

function agree(got: { r: bigint; flags: number }, want: Rounded, what: string): void {
  expect(`${hex(got.r)} flags ${got.flags}`, what).toBe(`${hex(want.bits)} flags ${want.flags}`);
}

describe('Fpu.exec equals the exact model (fast paths included)', () => {
  test.each(CASES)('%s (binary64 and binary32)', (name, opD, opS, arity) => {
    const model = MODELS[name];
    fc.assert(
      fc.property(operands(false, arity), rmArb, (ops, rm) => {
        agree(run(opD, ops, rm), model(BINARY64, ops, rm), `${name}.d rm=${rm} ${ops.map(hex)}`);
      }),
      runs(2500),
    );
    fc.assert(
      fc.property(operands(true, arity), rmArb, (ops, rm) => {
        agree(run(opS, ops, rm), boxR(model(BINARY32, ops.map(unbox), rm)), `${name}.s rm=${rm} ${ops.map(hex)}`);
      }),
      runs(2500),
    );
  });

  test.each(CASES.filter((c) => c[3] !== 1))('%s in RNE with cancelling operands (fast-path stress)', (name, opD, opS, arity) => {
    const model = MODELS[name];
    const arbD = arity === 3 ? cancellingTriple(false) : cancellingPair(false);
    const arbS = arity === 3 ? cancellingTriple(true) : cancellingPair(true);
    fc.assert(fc.property(arbD, (ops) => agree(run(opD, ops, 0), model(BINARY64, ops, 0), hex(ops[0]))), runs(6000));
    fc.assert(fc.property(arbS, (ops) => agree(run(opS, ops, 0), boxR(model(BINARY32, ops.map(unbox), 0)), hex(ops[0]))), runs(6000));
  });
});

describe('the model agrees with JS binary64 (RNE) and Math.fround (binary32 RNE)', () => {
  const JS: Record<string, (a: number, b: number) => number> = {
    add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, sqrt: (a) => Math.sqrt(a),
  };
  test.each(Object.keys(JS))('%s', (name) => {
    const js = JS[name];
    const arity = name === 'sqrt' ? 1 : 2;
    fc.assert(
      fc.property(operands(false, arity), (ops) => {
        const want = js(num64(ops[0]), num64(ops[1] ?? 0n));
        const got = MODELS[name](BINARY64, ops, 0).bits;
        expect(hex(got)).toBe(hex(want !== want ? BINARY64.canonicalNaN : bits64(want)));
      }),
      runs(3000),
    );
    fc.assert(
      fc.property(operands(true, arity), (ops) => {
        const [a, b] = ops.map(unbox);
        const want = Math.fround(js(num32(a), num32(b ?? 0n)));
        const got = MODELS[name](BINARY32, [a, b ?? 0n], 0).bits;
        expect(hex(got)).toBe(hex(want !== want ? BINARY32.canonicalNaN : bits32(want)));
      }),
      runs(3000),
    );
  });
});

/** The next binary64 up in numeric order (for finite and infinite values; -0 and +0 alike). */
function nextUp(x: number): number {
  if (x === 0) return 2 ** -1074;
  if (x === -Infinity) return -Number.MAX_VALUE;
  const b = bits64(x);
  return num64(x > 0 ? b + 1n : b - 1n);
}

/** The next binary32 up in numeric order. */
function nextUp32(x: number): number {
  if (x === 0) return 2 ** -149;
  if (x === -Infinity) return -3.4028234663852886e38;
  const b = bits32(x);
  return num32(x > 0 ? b + 1n : b - 1n);
}

describe('directed rounding brackets the exact result', () => {
  test.each(CASES.flatMap(([n, d, s, arity]) => [[`${n}.d`, d, false, arity], [`${n}.s`, s, true, arity]] as const))('%s', (_name, op, single, arity) => {
    const value = single ? num32 : num64;
    const next = single ? nextUp32 : nextUp;
    fc.assert(
      fc.property(operands(single, arity), (ops) => {
        const [rne, rtz, rdn, rup, rmm] = [0, 1, 2, 3, 4].map((rm) => run(op, ops, rm));
        const [n, z, dn, up, mm] = [rne, rtz, rdn, rup, rmm].map((r) => value(r.r));
        if (n !== n) return; // invalid: every mode gives the canonical NaN (checked against the model above)
        expect(dn <= n && n <= up).toBe(true);
        const inexact = (rne.flags & 1) === 1;
        expect(dn !== up).toBe(inexact);
        if (inexact) {
          expect(next(dn)).toBe(up);
          expect(mm === dn || mm === up).toBe(true);
          expect(z).toBe(Math.abs(dn) < Math.abs(up) ? dn : up);
        } else {
          expect([z, mm]).toEqual([n, n]);
        }
      }),
      runs(2000),
    );
  });
});

describe('fused multiply-add identities', () => {
  test('fma(a, b, -0) = a*b in every mode but RDN (where +0 + -0 = -0)', () => {
    fc.assert(
      fc.property(f64, f64, fc.constantFrom(0, 1, 3, 4), (a, b, rm) => {
        const m = run(OP.FMUL_D, [a, b], rm);
        const f = run(OP.FMADD_D, [a, b, 0x8000000000000000n], rm);
        expect(`${hex(f.r)} ${f.flags}`).toBe(`${hex(m.r)} ${m.flags}`);
      }),
      runs(3000),
    );
  });

  test('fma(a, 1, c) = a + c in every mode', () => {
    fc.assert(
      fc.property(f64, f64, rmArb, (a, c, rm) => {
        const s = run(OP.FADD_D, [a, c], rm);
        const f = run(OP.FMADD_D, [a, 0x3ff0000000000000n, c], rm);
        if ((a & 0x7fffffffffffffffn) > 0x7ff0000000000000n || (c & 0x7fffffffffffffffn) > 0x7ff0000000000000n) return;
        expect(`${hex(f.r)} ${f.flags}`).toBe(`${hex(s.r)} ${s.flags}`);
      }),
      runs(3000),
    );
  });
});

