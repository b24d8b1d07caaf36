// Shared helpers for the FPU rule tables: bit patterns from numbers, and a one-shot executor
// using the oracle's register convention (sources f0..f2 / x5, results f3 / x6).
import { expect } from 'vitest';
import { Fpu } from '../../src/cpu/fpu/fpu.ts';
import { OP } from '../../src/isa/opcodes.ts';

const dv = new DataView(new ArrayBuffer(8));

/** binary64 bits of x. */
export function d(x: number): bigint {
  dv.setFloat64(0, x);
  return dv.getBigUint64(0);
}

/** binary32 bits of x (x must be exactly representable, or this rounds to nearest). */
export function s32(x: number): bigint {
  dv.setFloat32(0, x);
  return BigInt(dv.getUint32(0));
}

/** A NaN-boxed binary32 register value. */
export function box(bits32: bigint): bigint {
  return (0xffffffffn << 32n) | bits32;
}

/** NaN-boxed binary32 register holding x. */
export function s(x: number): bigint {
  return box(s32(x));
}

export const RM = { rne: 0, rtz: 1, rdn: 2, rup: 3, rmm: 4 } as const;
export const RMS = ['rne', 'rtz', 'rdn', 'rup', 'rmm'] as const;
export const FL = { NV: 0x10, DZ: 0x08, OF: 0x04, UF: 0x02, NX: 0x01 } as const;

export const D_QNAN = 0x7ff8000000000000n;
export const D_SNAN = 0x7ff0000000000001n;
export const D_INF = 0x7ff0000000000000n;
export const D_NINF = 0xfff0000000000000n;
export const D_MAX = 0x7fefffffffffffffn;
export const D_NMAX = 0xffefffffffffffffn;
export const D_NZERO = 0x8000000000000000n;
export const S_QNAN = 0x7fc00000n;
export const S_SNAN = 0x7f800001n;
export const S_INF = 0x7f800000n;
export const S_MAX = 0x7f7fffffn;

const INT_SOURCE = new Set<number>([
  OP.FCVT_S_W, OP.FCVT_S_WU, OP.FCVT_S_L, OP.FCVT_S_LU, OP.FCVT_D_W, OP.FCVT_D_WU, OP.FCVT_D_L, OP.FCVT_D_LU,
  OP.FMV_W_X, OP.FMV_D_X,
]);

function set64(w: Int32Array, r: number, v: bigint): void {
  w[2 * r] = Number(v & 0xffffffffn) | 0;
  w[2 * r + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
}

export function get64(w: Int32Array, r: number): bigint {
  return (BigInt(w[2 * r + 1] >>> 0) << 32n) | BigInt(w[2 * r] >>> 0);
}

/**
 * Runs one op on fresh state. Operands are raw 64-bit register values (FP) or the 64-bit
 * integer source; returns the destination's 64 bits and the flags it raised.
 */
export function run(op: number, operands: bigint[], rm = 0): { r: bigint; flags: number } {
  const x = new Int32Array(66);
  const fpu = new Fpu(x);
  const intSrc = INT_SOURCE.has(op);
  if (intSrc) set64(x, 5, BigInt.asUintN(64, operands[0]));
  else operands.forEach((v, k) => set64(fpu.f, k, v));
  const fp = Fpu.writesFpr(op);
  const rd = fp ? 3 : 6;
  fpu.exec(op, rd, intSrc ? 5 : 0, operands.length === 1 ? 0 : 1, 2, rm);
  return { r: get64(fp ? fpu.f : x, rd), flags: fpu.fflags };
}

export const hex = (v: bigint) => '0x' + v.toString(16).padStart(16, '0');

/** Results in rne, rtz, rdn, rup, rmm order. */
export type PerMode = readonly [bigint, bigint, bigint, bigint, bigint];

/** Expands "this op on these operands gives these five results with these flags" into table rows. */
export function modes(name: string, op: number, operands: bigint[], results: PerMode, flags: number | readonly number[]) {
  return RMS.map((rm, i) => [`${name} ${rm}`, op, operands, RM[rm], results[i], typeof flags === 'number' ? flags : flags[i]] as const);
}

/** Boxes five binary32 results. */
export function boxed(results: readonly bigint[]): PerMode {
  return results.map(box) as unknown as PerMode;
}

export function check(op: number, operands: bigint[], rm: number, want: bigint, flags: number): void {
  const got = run(op, operands, rm);
  expect(hex(got.r)).toBe(hex(want));
  expect(got.flags).toBe(flags);
}
