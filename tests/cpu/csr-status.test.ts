// mstatus and its sstatus view (privileged spec 3.1.6, 4.1.1): which fields are writable,
// which are fixed (UXL = SXL = 2 on RV64, XS = 0, no big-endian modes, no H bits without
// H), SD summarizing FS/VS, and sstatus showing and changing only supervisor fields.
// Where the spec allows a choice we follow QEMU 7.2: VS is writable, and a reserved MPP
// value (2) is kept as written.
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/cpu/csr-defs.ts';
import { exec, hex } from './harness.ts';

const SD = 1n << 63n;
const UXL_SXL = (2n << 32n) | (2n << 34n);
const UXL = 2n << 32n;

/** mstatus after writing `v` to it (starting from reset). */
function mstatusAfter(v: bigint): bigint {
  return exec('csrw mstatus, a0\n csrr a1, mstatus', { a0: v }).x('a1');
}

describe('mstatus', () => {
  test.each([
    ['SIE', MS.SIE],
    ['MIE', MS.MIE],
    ['SPIE', MS.SPIE],
    ['MPIE', MS.MPIE],
    ['SPP', MS.SPP],
    ['MPP = S', 1 << 11],
    ['MPP = M', 3 << 11],
    ['VS = initial', 1 << 9],
    ['VS = clean', 2 << 9],
    ['FS = initial', 1 << 13],
    ['FS = clean', 2 << 13],
    ['MPRV', MS.MPRV],
    ['SUM', MS.SUM],
    ['MXR', MS.MXR],
    ['TVM', MS.TVM],
    ['TW', MS.TW],
    ['TSR', MS.TSR],
  ])('%s is writable and reads back alone', (_, bits) => {
    expect(mstatusAfter(BigInt(bits))).toBe(UXL_SXL | BigInt(bits));
  });

  test.each([
    ['FS = dirty', 3 << 13],
    ['VS = dirty', 3 << 9],
  ])('%s sets SD (bit 63)', (_, bits) => {
    expect(mstatusAfter(BigInt(bits))).toBe(SD | UXL_SXL | BigInt(bits));
  });

  test.each([
    ['UBE (bit 6)', 1n << 6n],
    ['XS (bits 16:15)', 3n << 15n],
    ['SD written directly', SD],
    ['UXL = 1', 1n << 32n],
    ['UXL = 3', 3n << 32n],
    ['SXL = 3', 3n << 34n],
    ['SBE (bit 36)', 1n << 36n],
    ['MBE (bit 37)', 1n << 37n],
    ['GVA (bit 38) without H', 1n << 38n],
    ['MPV (bit 39) without H', 1n << 39n],
    ['WPRI bit 0', 1n],
    ['WPRI bits 30:23', 0xffn << 23n],
  ])('%s cannot be changed', (_, bits) => {
    expect(mstatusAfter(bits)).toBe(UXL_SXL);
  });

  test('writing all ones sets exactly the writable fields (and SD)', () => {
    const writable = 0x7e7faan; // SIE MIE SPIE MPIE SPP MPP VS FS MPRV SUM MXR TVM TW TSR
    expect(hex(mstatusAfter(-1n))).toBe(hex(SD | UXL_SXL | writable));
  });

  test('the reset value has only UXL and SXL set', () => {
    expect(exec('csrr a0, mstatus').x('a0')).toBe(UXL_SXL);
  });

  test('MPP keeps a reserved value as written (QEMU 7.2; the spec calls MPP WARL)', () => {
    expect(mstatusAfter(2n << 11n)).toBe(UXL_SXL | (2n << 11n));
  });

  test('CSRRS/CSRRC change single fields without touching the others', () => {
    const t = exec(`
      li a0, 0x1808
      csrw mstatus, a0
      li a1, 0x6000
      csrs mstatus, a1
      csrr a2, mstatus
      li a1, 0x4000
      csrc mstatus, a1
      csrr a3, mstatus
    `);
    expect(t.x('a2')).toBe(SD | UXL_SXL | 0x7808n);
    expect(t.x('a3')).toBe(UXL_SXL | 0x3808n);
  });
});

describe('sstatus, the supervisor view', () => {
  const S_FIELDS = 0x2n | 0x20n | 0x100n | 0x600n | 0x6000n | 0x40000n | 0x80000n; // SIE SPIE SPP VS FS SUM MXR

  test('shows only supervisor fields, UXL and SD', () => {
    const t = exec('li a0, -1\n csrw mstatus, a0\n csrr a1, sstatus');
    expect(hex(t.x('a1'))).toBe(hex(SD | UXL | S_FIELDS));
  });

  test('writing all ones changes only supervisor fields of mstatus', () => {
    const t = exec('li a0, -1\n csrw sstatus, a0', {}, { priv: 1 });
    expect(hex(t.csr('mstatus'))).toBe(hex(SD | UXL_SXL | S_FIELDS));
  });

  test('writing zero leaves machine fields alone', () => {
    const t = exec(`
      li a0, -1
      csrw mstatus, a0
      csrw sstatus, zero
      csrr a1, mstatus
      csrr a2, sstatus
    `);
    const mOnly = 0x8n | 0x80n | 0x1800n | 0x20000n | 0x100000n | 0x200000n | 0x400000n; // MIE MPIE MPP MPRV TVM TW TSR
    expect(hex(t.x('a1'))).toBe(hex(UXL_SXL | mOnly));
    expect(t.x('a2')).toBe(UXL);
  });

  test('SD in sstatus follows FS', () => {
    const t = exec('li a0, 0x6000\n csrs sstatus, a0\n csrr a1, sstatus\n csrc sstatus, a0\n csrr a2, sstatus');
    expect(t.x('a1')).toBe(SD | UXL | 0x6000n);
    expect(t.x('a2')).toBe(UXL);
  });
});
