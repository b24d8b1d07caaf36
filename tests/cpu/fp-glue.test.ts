// How the hart drives the F/D unit (privileged spec 3.1.6.6, unprivileged F/D chapters):
// FS = Off makes every FP instruction and FP CSR illegal, FS becomes Dirty exactly when an
// FP register or fcsr is written (QEMU 7.2: not for flag-only changes), FLW NaN-boxes, FSW
// stores the low word as is, and reserved rounding modes — static or through frm — are
// illegal. FP arithmetic itself is tested in tests/fpu.
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/cpu/csr-defs.ts';
import type { Hart } from '../../src/cpu/hart.ts';
import { exec, execTrap } from './harness.ts';

const SD = 1n << 63n;
const fs = (state: number) => (h: Hart) => void (h.mstatus = (h.mstatus & ~MS.FS) | (state << 13));
const FS_OF = (mstatus: bigint) => Number((mstatus >> 13n) & 3n);

const DATA = `
    j done
    .balign 8
buf:
    .dword 0x123456783f800000
    .dword 0
`;

describe('FS = Off', () => {
  test.each([
    'fadd.s fa0, fa1, fa2',
    'fmadd.d fa0, fa1, fa2, fa3',
    'flw fa0, 0(a0)',
    'fld fa0, 0(a0)',
    'fsw fa0, 0(a0)',
    'fsd fa0, 0(a0)',
    'fmv.x.w a1, fa0',
    'fmv.d.x fa0, a1',
    'fcvt.s.w fa0, a1',
    'feq.d a1, fa0, fa1',
    'fclass.s a1, fa0',
    'fsgnj.d fa0, fa1, fa1',
    'frflags a1',
    'fsflags a1',
    'frrm a1',
    'fsrm a1',
    'frcsr a1',
    'fscsr a1',
    'csrwi fflags, 0',
  ])('%s is an illegal instruction with its bits in tval', (text) => {
    const r = execTrap(`la a0, buf\nhere:\n ${text}\n${DATA}`, { a1: 0n }, { setup: fs(0) });
    expect(r.cause).toBe(2n);
    expect(r.epc).toBe(r.t.sym('here'));
    expect(r.tval).toBe(BigInt(r.t.read32(r.epc)));
  });

  test.each([
    ['c.fld', 0x2108],
    ['c.fsd', 0xa108],
    ['c.fldsp', 0x2502],
    ['c.fsdsp', 0xa02a],
  ])('%s: the 16-bit encoding is the tval', (_, half) => {
    const r = execTrap(`la a0, buf\n mv sp, a0\nhere:\n .half ${half}\n${DATA}`, {}, { setup: fs(0) });
    expect(r.cause).toBe(2n);
    expect(r.tval).toBe(BigInt(half));
  });

  test.each([1, 2, 3])('FS = %i enables FP', (state) => {
    const t = exec('fmv.d.x fa0, a1\n fmv.x.d a2, fa0', { a1: 0x4000_0000_0000_0000n }, { setup: fs(state) });
    expect(t.x('a2')).toBe(0x4000_0000_0000_0000n);
  });
});

describe('loads and stores', () => {
  test('FLW NaN-boxes the loaded word; FLD loads all 64 bits', () => {
    const t = exec(`la a0, buf\n flw fa0, 0(a0)\n fmv.x.d a1, fa0\n fld fa1, 0(a0)\n fmv.x.d a2, fa1\n${DATA}`, {}, { setup: fs(1) });
    expect(t.x('a1')).toBe(0xffff_ffff_3f80_0000n);
    expect(t.x('a2')).toBe(0x1234_5678_3f80_0000n);
  });

  test('FSW stores the low word even of an unboxed register; FSD stores all 64 bits', () => {
    const t = exec(`
      la a0, buf
      li a1, 0x123456789abcdef0
      fmv.d.x fa0, a1
      fsw fa0, 8(a0)
      fsd fa0, 0(a0)
      ld a2, 8(a0)
      ld a3, 0(a0)
      ${DATA}
    `, {}, { setup: fs(1) });
    expect(t.x('a2')).toBe(0x9abc_def0n);
    expect(t.x('a3')).toBe(0x1234_5678_9abc_def0n);
  });

  test('misaligned FP loads and stores work like integer ones', () => {
    const t = exec(`la a0, buf\n flw fa1, 1(a0)\n fmv.x.d a2, fa1\n fld fa0, 0(a0)\n fsd fa0, 3(a0)\n ld a1, 3(a0)\n${DATA}`, {}, { setup: fs(1) });
    expect(t.x('a1')).toBe(0x1234_5678_3f80_0000n);
    expect(t.x('a2')).toBe(0xffff_ffff_783f_8000n);
  });
});

describe('FS becomes Dirty when FP state is written', () => {
  test.each([
    ['fadd.s fa0, fa1, fa2', true],
    ['fmadd.d fa0, fa1, fa2, fa3', true],
    ['fsgnj.d fa0, fa1, fa1', true],
    ['fmin.s fa0, fa1, fa2', true],
    ['fcvt.d.s fa0, fa1', true],
    ['fcvt.s.w fa0, a1', true],
    ['fmv.w.x fa0, a1', true],
    ['fmv.d.x fa0, a1', true],
    ['flw fa0, 0(a0)', true],
    ['fld fa0, 0(a0)', true],
    ['fsflags a1', true],
    ['fsrm a1', true],
    ['fscsr a1', true],
    ['csrwi fflags, 0', true],
    ['fsw fa0, 0(a0)', false],
    ['fsd fa0, 0(a0)', false],
    ['fmv.x.w a2, fa0', false],
    ['fmv.x.d a2, fa0', false],
    ['feq.s a2, fa0, fa1', false],
    ['fclass.d a2, fa0', false],
    ['frflags a2', false],
    ['frcsr a2', false],
    ['csrrs a2, fflags, zero', false],
    // an integer result with a flag raised (invalid: NaN to integer) leaves FS alone (QEMU 7.2)
    ['fcvt.w.s a2, fa0', false],
    ['flt.d a2, fa0, fa1', false],
  ])('%s: dirty %s', (text, dirty) => {
    for (const start of [1, 2]) {
      const t = exec(`la a0, buf\n ${text}\n csrr a3, mstatus\n${DATA}`, { a1: 0n }, {
        setup: (h) => {
          fs(start)(h);
          // fa0 = a boxed NaN, so comparisons and conversions raise NV
          h.fpu!.f[20] = 0x7fc0_0000;
          h.fpu!.f[21] = -1;
        },
      });
      const mstatus = t.x('a3');
      expect(FS_OF(mstatus), `from FS=${start}`).toBe(dirty ? 3 : start);
      expect((mstatus & SD) !== 0n).toBe(dirty);
    }
  });

  test('fcvt.w.s of a NaN raises NV without dirtying FS', () => {
    const t = exec('li a1, 0x7fc00000\n fmv.w.x fa0, a1\n li a1, 0x2000\n csrc mstatus, a1\n fcvt.w.s a2, fa0\n csrr a3, mstatus\n frflags a4', {}, { setup: fs(3) });
    expect(FS_OF(t.x('a3'))).toBe(2);
    expect(t.x('a4')).toBe(0x10n);
  });
});

describe('rounding modes', () => {
  const FADD = 0x00c5_8553; // fadd.s fa0, fa1, fa2, rm = 0
  const FMADD = 0x68c5_8543; // fmadd.s fa0, fa1, fa2, fa3, rm = 0
  const FCVT_D_S = 0x4205_8553; // fcvt.d.s fa0, fa1, rm = 0
  const with_rm = (word: number, rm: number) => `.word ${(word | (rm << 12)) >>> 0}`;

  test.each([
    ['fadd.s rm=5', with_rm(FADD, 5)],
    ['fadd.s rm=6', with_rm(FADD, 6)],
    ['fmadd.s rm=5', with_rm(FMADD, 5)],
    ['fcvt.d.s rm=6 (exact, but the field is still checked, as QEMU does)', with_rm(FCVT_D_S, 6)],
  ])('%s is illegal, and changes no state', (_, word) => {
    const r = execTrap(`here:\n ${word}`, {}, {
      setup: (h) => {
        fs(1)(h);
        h.fpu!.f[20] = 0x1234;
      },
    });
    expect(r.cause).toBe(2n);
    expect(r.tval).toBe(BigInt(r.t.read32(r.epc)));
    expect(r.t.hart.fpu!.f[20]).toBe(0x1234);
    expect(r.t.hart.fpu!.fflags).toBe(0);
    expect(FS_OF(r.t.csr('mstatus'))).toBe(1);
  });

  test.each([5, 6, 7])('dynamic rounding with frm = %i is illegal', (frm) => {
    const r = execTrap(`fsrmi ${frm}\n li t0, 0x2000\n csrc mstatus, t0\nhere:\n ${with_rm(FADD, 7)}`, {}, { setup: fs(1) });
    expect(r.cause).toBe(2n);
    expect(r.epc).toBe(r.t.sym('here'));
  });

  test.each([0, 1, 2, 3, 4])('dynamic rounding with frm = %i works, and frm reads back', (frm) => {
    const t = exec(`fsrmi ${frm}\n ${with_rm(FADD, 7)}\n frrm a0`, {}, { setup: fs(1) });
    expect(t.x('a0')).toBe(BigInt(frm));
  });

  test('an invalid frm does not matter to instructions without a rounding mode', () => {
    const t = exec('fsrmi 7\n fsgnj.s fa0, fa1, fa1\n fmv.x.w a0, fa0\n feq.s a1, fa0, fa0\n frrm a2', {}, { setup: fs(1) });
    expect(t.x('a2')).toBe(7n);
  });

  test('fcsr packs frm above fflags; fflags and frm are its fields', () => {
    const t = exec('li a0, 0xff\n fscsr a0\n frflags a1\n frrm a2\n frcsr a3\n csrwi fflags, 1\n frcsr a4', {}, { setup: fs(1) });
    expect([t.x('a1'), t.x('a2'), t.x('a3'), t.x('a4')]).toEqual([0x1fn, 7n, 0xffn, 0xe1n]);
  });
});
