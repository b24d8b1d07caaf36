// Zicsr access rules (privileged spec 2.1, unprivileged Zicsr): the privilege encoded in a
// CSR number, read-only CSRs, which CSR instructions read and which write (CSRRS/CSRRC with
// rs1 = x0 and the immediate forms with uimm = 0 do not write; CSRRW with rd = x0 does not
// read), CSRs that do not exist, and tval = the instruction bits on every refusal.
import { describe, expect, test } from 'vitest';
import { MS, PRIV_M, PRIV_S, PRIV_U } from '../../src/cpu/csr-defs.ts';
import type { Hart } from '../../src/cpu/hart.ts';
import { exec, execTrap, TestHart } from './harness.ts';

const MODE: Record<string, number> = { U: PRIV_U, S: PRIV_S, M: PRIV_M };

const fsOn = (h: Hart) => {
  h.mstatus |= MS.FS;
};

/** Runs `text` in `mode` with FS on; returns the exception cause, or null if none was taken. */
function attempt(mode: string, text: string, regs: Record<string, bigint> = {}): { cause: bigint | null; t: TestHart } {
  const body = `here:\n ${text}`;
  const opts = { priv: MODE[mode], setup: fsOn };
  try {
    const t = exec(body, regs, opts);
    return { cause: null, t };
  } catch {
    const r = execTrap(body, regs, opts);
    // a refused CSR instruction reports its own bits in mtval and its address in mepc
    expect(r.epc).toBe(r.t.sym('here'));
    expect(r.tval).toBe(BigInt(r.t.read32(r.epc)));
    return { cause: r.cause, t: r.t };
  }
}

describe('the privilege level encoded in bits 9:8', () => {
  const cases: Array<[csr: string, mode: string, allowed: boolean]> = [
    ['mstatus', 'S', false],
    ['misa', 'S', false],
    ['medeleg', 'S', false],
    ['mie', 'S', false],
    ['mtvec', 'S', false],
    ['mscratch', 'S', false],
    ['mepc', 'S', false],
    ['mcause', 'S', false],
    ['mip', 'S', false],
    ['mhartid', 'S', false],
    ['pmpcfg0', 'S', false],
    ['pmpaddr0', 'S', false],
    ['mcycle', 'S', false],
    ['mcounteren', 'S', false],
    ['mstatus', 'U', false],
    ['sstatus', 'U', false],
    ['sie', 'U', false],
    ['stvec', 'U', false],
    ['sscratch', 'U', false],
    ['sepc', 'U', false],
    ['scause', 'U', false],
    ['stval', 'U', false],
    ['sip', 'U', false],
    ['satp', 'U', false],
    ['scounteren', 'U', false],
    ['senvcfg', 'U', false],
    ['sstatus', 'S', true],
    ['sie', 'S', true],
    ['stvec', 'S', true],
    ['sscratch', 'S', true],
    ['sepc', 'S', true],
    ['scause', 'S', true],
    ['stval', 'S', true],
    ['sip', 'S', true],
    ['satp', 'S', true],
    ['scounteren', 'S', true],
    ['senvcfg', 'S', true],
    ['sstatus', 'M', true],
    ['mstatus', 'M', true],
    ['mscratch', 'M', true],
    ['fcsr', 'U', true],
    ['fflags', 'S', true],
  ];
  test.each(cases)('csrr %s in %s-mode: allowed %s', (csr, mode, allowed) => {
    const r = attempt(mode, `csrr a0, ${csr}`);
    expect(r.cause).toBe(allowed ? null : 2n);
    if (allowed) {
      const w = attempt(mode, `csrr a0, ${csr}\n csrw ${csr}, a0`);
      expect(w.cause).toBe(null);
    }
  });

  test.each([
    ['M', 'sscratch'],
    ['M', 'stvec'],
  ])('%s-mode may use %s too', (mode, csr) => {
    const t = exec(`li a0, 0x1234\n csrw ${csr}, a0\n csrr a1, ${csr}`, {}, { priv: MODE[mode] });
    expect(t.x('a1')).toBe(0x1234n);
  });
});

describe('CSRs that do not exist', () => {
  test.each([
    ['hstatus without the H extension', 0x600],
    ['hgatp without the H extension', 0x680],
    ['vsstatus without the H extension', 0x200],
    ['a custom M-mode number', 0x7c0],
    ['a custom U-mode number', 0x800],
    ['0xfff', 0xfff],
    ['an unassigned supervisor number', 0x1ff],
    ['mstatush (RV32 only)', 0x310],
    ['cycleh (RV32 only)', 0xc80],
  ])('%s is an illegal instruction, even in M-mode', (_, n) => {
    expect(attempt('M', `csrr a0, ${n}`).cause).toBe(2n);
    expect(attempt('M', `csrw ${n}, zero`).cause).toBe(2n);
  });
});

describe('read-only CSRs (bits 11:10 = 3)', () => {
  const READ_ONLY = ['mvendorid', 'marchid', 'mimpid', 'mhartid', 'mconfigptr', 'cycle', 'time', 'instret'];
  test.each(READ_ONLY)('%s: reads succeed, every form that writes is illegal', (csr) => {
    for (const ok of [`csrr a0, ${csr}`, `csrrs a0, ${csr}, zero`, `csrrc a0, ${csr}, zero`, `csrrsi a0, ${csr}, 0`, `csrrci a0, ${csr}, 0`]) {
      expect(attempt('M', ok).cause, ok).toBe(null);
    }
    // rs1 != x0 writes even when the register holds zero; CSRRW(I) always writes
    for (const bad of [`csrrs a0, ${csr}, a1`, `csrrc a0, ${csr}, a1`, `csrrsi a0, ${csr}, 1`, `csrw ${csr}, zero`, `csrrwi zero, ${csr}, 0`]) {
      expect(attempt('M', bad, { a1: 0n }).cause, bad).toBe(2n);
    }
  });

  test('the identification registers', () => {
    const t = new TestHart({ hartId: 5 });
    t.loadAsm('csrr a0, mhartid\n csrr a1, mvendorid\n csrr a2, marchid\n csrr a3, mimpid\n csrr a4, mconfigptr\ndone:\n j done', 0x8000_0000n);
    t.runTo('done');
    expect([t.x('a0'), t.x('a1'), t.x('a2'), t.x('a3'), t.x('a4')]).toEqual([5n, 0n, 0n, 0n, 0n]);
  });

  test('misa reports RV64IMAFDC with S and U, and ignores writes', () => {
    const t = exec('csrr a0, misa\n li a1, 0x1000\n csrc misa, a1\n csrw misa, zero\n csrr a2, misa');
    const ext = (c: string) => 1n << BigInt(c.charCodeAt(0) - 65);
    const want = (2n << 62n) | [...'IMAFDCSU'].reduce((v, c) => v | ext(c), 0n);
    expect(t.x('a0')).toBe(want);
    expect(t.x('a2')).toBe(want);
  });
});

describe('which forms read and which write', () => {
  test('CSRRS/CSRRC with rs1 = x0 return the value and write nothing', () => {
    const t = exec('li a1, 0x55\n csrw mscratch, a1\n csrrs a0, mscratch, zero\n csrrc a2, mscratch, zero\n csrr a3, mscratch');
    expect([t.x('a0'), t.x('a2'), t.x('a3')]).toEqual([0x55n, 0x55n, 0x55n]);
  });

  test('CSRRS/CSRRC set and clear the bits of rs1 and return the old value', () => {
    const t = exec(`
      li a1, 0xf0f0
      csrw mscratch, a1
      li a2, 0x0ff0
      csrrs a3, mscratch, a2
      csrrc a4, mscratch, a1
      csrr a5, mscratch
    `);
    expect([t.x('a3'), t.x('a4'), t.x('a5')]).toEqual([0xf0f0n, 0xfff0n, 0x0f00n]);
  });

  test('CSRRW with rd = rs1 swaps', () => {
    const t = exec('li a0, 1\n csrw mscratch, a0\n li a0, 2\n csrrw a0, mscratch, a0\n csrr a1, mscratch');
    expect([t.x('a0'), t.x('a1')]).toEqual([1n, 2n]);
  });

  test('the immediate forms zero-extend their 5-bit immediate', () => {
    const t = exec(`
      li a1, -1
      csrw mscratch, a1
      csrrwi a0, mscratch, 31
      csrr a2, mscratch
      csrrsi zero, mscratch, 0x10
      csrr a3, mscratch
      csrrci zero, mscratch, 0x03
      csrr a4, mscratch
      csrrsi a5, mscratch, 0
    `);
    expect([t.x('a0'), t.x('a2'), t.x('a3'), t.x('a4'), t.x('a5')]).toEqual([-1n & 0xffff_ffff_ffff_ffffn, 31n, 31n, 28n, 28n]);
  });

  test('CSRRW with rd = x0 does not read the CSR', () => {
    // `time` is read-only: the write is refused, and no read of the timer may happen first
    const r = execTrap('here:\n csrrw zero, time, zero');
    expect(r.cause).toBe(2n);
    expect(r.t.timeReads).toBe(0);
    const t = exec('csrrs a0, time, zero');
    expect(t.timeReads).toBe(1);
  });

  test('CSRRW with rd = x0 writes a full 64-bit value', () => {
    const t = exec('li a1, 0x8000000000000001\n csrrw zero, mscratch, a1\n csrr a0, mscratch');
    expect(t.x('a0')).toBe(0x8000_0000_0000_0001n);
    expect(t.x('zero')).toBe(0n);
  });
});
