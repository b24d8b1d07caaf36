// The Fpu's contract with the hart: register file layout, the x0 sink, aliasing of rd with
// sources, accrued (never cleared) fflags, the resolved rm argument, writesFpr, errors.
import { describe, expect, test } from 'vitest';
import { Fpu } from '../../src/cpu/fpu/fpu.ts';
import { OP } from '../../src/isa/opcodes.ts';
import { d, get64, s } from './helpers.ts';

function setF(fpu: Fpu, r: number, v: bigint): void {
  fpu.f[2 * r] = Number(v & 0xffffffffn) | 0;
  fpu.f[2 * r + 1] = Number(v >> 32n) | 0;
}

describe('Fpu', () => {
  test('owns a 64-word register file of lo/hi pairs per instance', () => {
    const a = new Fpu(new Int32Array(66));
    const b = new Fpu(new Int32Array(66));
    expect(a.f).toBeInstanceOf(Int32Array);
    expect(a.f.length).toBe(64);
    expect(a.f).not.toBe(b.f);
    setF(a, 7, d(1.5));
    expect(a.f[14]).toBe(0);
    expect(a.f[15]).toBe(0x3ff80000);
  });

  test('rejects an integer register file without the 33rd (sink) pair', () => {
    expect(() => new Fpu(new Int32Array(64))).toThrow(/66 words/);
  });

  test('integer results go to x[2*rd], x[2*rd+1]; rd = 32 is the x0 sink', () => {
    const x = new Int32Array(66).fill(0x11111111);
    const fpu = new Fpu(x);
    setF(fpu, 1, d(-3));
    fpu.exec(OP.FCVT_L_D, 32, 1, 0, 0, 0);
    expect([x[64], x[65]]).toEqual([-3, -1]);
    expect(x.slice(0, 64).every((w) => w === 0x11111111)).toBe(true);
    fpu.exec(OP.FEQ_D, 9, 1, 1, 0, 0);
    expect([x[18], x[19]]).toEqual([1, 0]);
  });

  test('rd may alias any source', () => {
    const fpu = new Fpu(new Int32Array(66));
    setF(fpu, 4, d(1.5));
    fpu.exec(OP.FADD_D, 4, 4, 4, 0, 0);
    expect(get64(fpu.f, 4)).toBe(d(3));
    setF(fpu, 1, s(2));
    setF(fpu, 2, s(5));
    fpu.exec(OP.FMADD_S, 2, 1, 1, 2, 0); // f2 = f1*f1 + f2
    expect(get64(fpu.f, 2)).toBe(s(9));
    setF(fpu, 3, d(-2));
    fpu.exec(OP.FSGNJX_D, 3, 3, 3, 0, 0);
    expect(get64(fpu.f, 3)).toBe(d(2));
    setF(fpu, 5, d(1));
    setF(fpu, 6, d(-1));
    fpu.exec(OP.FMIN_D, 6, 5, 6, 0, 0);
    expect(get64(fpu.f, 6)).toBe(d(-1));
  });

  test('fflags accrue across instructions and exec never clears them', () => {
    const fpu = new Fpu(new Int32Array(66));
    setF(fpu, 1, d(1));
    setF(fpu, 2, d(3));
    setF(fpu, 3, 0n);
    fpu.exec(OP.FDIV_D, 4, 1, 2, 0, 0); // inexact
    expect(fpu.fflags).toBe(0x01);
    fpu.exec(OP.FDIV_D, 4, 1, 3, 0, 0); // divide by zero
    expect(fpu.fflags).toBe(0x09);
    fpu.exec(OP.FADD_D, 4, 1, 1, 0, 0); // exact
    expect(fpu.fflags).toBe(0x09);
  });

  test('exec uses the rm it is given (the hart resolves dyn from frm)', () => {
    const fpu = new Fpu(new Int32Array(66));
    fpu.frm = 3;
    setF(fpu, 1, d(1));
    setF(fpu, 2, d(2 ** -53));
    fpu.exec(OP.FADD_D, 3, 1, 2, 0, 0);
    expect(get64(fpu.f, 3)).toBe(d(1));
    fpu.exec(OP.FADD_D, 3, 1, 2, 0, fpu.frm);
    expect(get64(fpu.f, 3)).toBe(0x3ff0000000000001n);
  });

  test.each([
    ['FADD_S', true], ['FMADD_D', true], ['FCVT_D_L', true], ['FCVT_S_D', true], ['FMV_W_X', true], ['FMV_D_X', true],
    ['FSGNJ_D', true], ['FMIN_S', true], ['FLW', true], ['FLD', true],
    ['FEQ_D', false], ['FCLASS_S', false], ['FCVT_W_D', false], ['FCVT_LU_S', false], ['FMV_X_W', false], ['FMV_X_D', false],
    ['FSW', false], ['FSD', false], ['ADD', false], ['ILLEGAL', false],
  ] as const)('writesFpr(%s) = %s', (name, want) => {
    expect(Fpu.writesFpr(OP[name])).toBe(want);
  });

  test.each(['FLW', 'FSD', 'ADD', 'CSRRW'] as const)('exec(%s) is refused', (name) => {
    expect(() => new Fpu(new Int32Array(66)).exec(OP[name], 1, 2, 3, 4, 0)).toThrow(RangeError);
  });
});
