// satp (privileged spec 4.1.11) and the PMP CSRs (3.7). satp: Bare and Sv39 only (the
// machine is Sv39 by design), other modes leave it unchanged, TVM traps S-mode accesses.
// PMP: the registers are accepted and checked as QEMU 7.2 keeps them (16 entries; the
// hart does not enforce PMP): odd pmpcfg numbers do not exist on RV64, pmpaddr holds 54
// bits, and locked entries ignore writes, including the address below a locked TOR entry.
import { describe, expect, test } from 'vitest';
import { PRIV_S, PRIV_U } from '../../src/cpu/csr-defs.ts';
import { exec, execTrap, hex } from './harness.ts';

const SV39 = 8n << 60n;

describe('satp', () => {
  test.each([
    ['Sv39 with a 16-bit ASID and a 44-bit PPN', SV39 | (0xffffn << 44n) | 0xfff_ffff_ffffn, SV39 | (0xffffn << 44n) | 0xfff_ffff_ffffn],
    ['Sv39 root at 0x80010000', SV39 | 0x80010n, SV39 | 0x80010n],
    ['Bare', 0n, 0n],
    // UNSPECIFIED by the spec; QEMU 7.2 keeps the other fields as written
    ['Bare with a nonzero PPN', 0x12345n, 0x12345n],
  ])('%s is kept', (_, v, want) => {
    const t = exec('csrw satp, a0\n csrr a1, satp', { a0: v });
    expect(hex(t.x('a1'))).toBe(hex(want));
  });

  test.each([
    ['Sv48', 9n],
    ['Sv57', 10n],
    ['Sv64', 11n],
    ['reserved mode 1', 1n],
    ['reserved mode 15', 15n],
  ])('%s is not implemented: the write leaves satp unchanged', (_, mode) => {
    const t = exec('csrw satp, a0\n csrw satp, a1\n csrr a2, satp', { a0: SV39 | 0x80010n, a1: (mode << 60n) | 0x80020n });
    expect(t.x('a2')).toBe(SV39 | 0x80010n);
  });

  test('S-mode may access satp; with TVM it may not, and neither may SFENCE.VMA', () => {
    const TVM = (h: { mstatus: number }) => void (h.mstatus |= 1 << 20);
    expect(exec('csrw satp, zero\n csrr a0, satp', {}, { priv: PRIV_S }).x('a0')).toBe(0n);
    for (const text of ['csrr a0, satp', 'csrw satp, zero', 'sfence.vma']) {
      const r = execTrap(`here:\n ${text}`, {}, { priv: PRIV_S, setup: TVM });
      expect(r.cause, text).toBe(2n);
      expect(r.tval, text).toBe(BigInt(r.t.read32(r.t.sym('here'))));
    }
    // TVM does not concern M-mode
    expect(exec('csrw satp, zero\n sfence.vma', {}, { setup: TVM }).hart.pc).toBeGreaterThan(0n);
  });

  test('U-mode may not execute SFENCE.VMA', () => {
    expect(execTrap('sfence.vma', {}, { priv: PRIV_U }).cause).toBe(2n);
  });
});

describe('PMP registers', () => {
  test.each([1, 3, 5, 15])('pmpcfg%i does not exist on RV64', (n) => {
    expect(execTrap(`csrr a0, pmpcfg${n}`).cause).toBe(2n);
    expect(execTrap(`csrw pmpcfg${n}, zero`).cause).toBe(2n);
  });

  test('pmpcfg0/2 hold one byte per entry; nothing is legalized (QEMU 7.2)', () => {
    const t = exec(`
      li a0, 0x0c04
      csrw pmpcfg0, a0
      csrr a1, pmpcfg0
      li a0, 0x1f1e1d1c1b1a1918
      csrw pmpcfg2, a0
      csrr a2, pmpcfg2
    `);
    expect(t.x('a1')).toBe(0x0c04n);
    expect(t.x('a2')).toBe(0x1f1e_1d1c_1b1a_1918n);
  });

  test('pmpaddr keeps all 64 bits written, as QEMU 7.2 does (OpenSBI probes the width this way)', () => {
    const t = exec('li a0, -1\n csrw pmpaddr3, a0\n csrr a1, pmpaddr3');
    expect(hex(t.x('a1'))).toBe(hex((1n << 64n) - 1n));
  });

  test.each(['csrr a1, pmpaddr16', 'csrw pmpaddr63, a0', 'csrr a1, pmpcfg4', 'csrw pmpcfg14, a0'])(
    'registers of entries beyond the 16 implemented do not exist: %s is illegal (QEMU 7.2)',
    (insn) => {
      expect(execTrap(`li a0, -1\n ${insn}`).cause).toBe(2n);
    },
  );

  test('a locked entry ignores writes to its cfg byte and its address; other bytes stay writable', () => {
    const t = exec(`
      li a0, 0x1000
      csrw pmpaddr1, a0
      li a0, 0x9900    # entry 1: L | NAPOT | X | R
      csrw pmpcfg0, a0
      li a0, 0x2000
      csrw pmpaddr1, a0
      csrr a1, pmpaddr1
      li a0, 0x1f07
      csrw pmpcfg0, a0
      csrr a2, pmpcfg0
    `);
    expect(t.x('a1')).toBe(0x1000n);
    expect(t.x('a2')).toBe(0x9907n);
  });

  test('a locked TOR entry also locks the address register below it (spec 3.7.1)', () => {
    const t = exec(`
      li a0, 0x1000
      csrw pmpaddr2, a0
      li a0, 0x2000
      csrw pmpaddr3, a0
      li a0, 0x88000000   # entry 3: L | TOR
      csrw pmpcfg0, a0
      li a0, 0x1234
      csrw pmpaddr2, a0
      csrr a1, pmpaddr2
      csrw pmpaddr3, a0
      csrr a2, pmpaddr3
      csrw pmpaddr1, a0
      csrr a3, pmpaddr1
    `);
    expect([t.x('a1'), t.x('a2'), t.x('a3')]).toEqual([0x1000n, 0x2000n, 0x1234n]);
  });

  test('a locked NAPOT entry does not lock the address below it', () => {
    const t = exec('li a0, 0x98000000\n csrw pmpcfg0, a0\n li a0, 0x1234\n csrw pmpaddr2, a0\n csrr a1, pmpaddr2');
    expect(t.x('a1')).toBe(0x1234n);
  });

  test('only M-mode may access PMP registers', () => {
    expect(execTrap('csrr a0, pmpcfg0', {}, { priv: PRIV_S }).cause).toBe(2n);
    expect(execTrap('csrw pmpaddr0, zero', {}, { priv: PRIV_S }).cause).toBe(2n);
  });
});
