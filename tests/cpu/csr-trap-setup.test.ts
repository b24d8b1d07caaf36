// The CSRs that set up traps and interrupts (privileged spec 3.1.7-3.1.9, 3.1.13-3.1.16,
// 4.1.2-4.1.3, 4.1.7-4.1.9): WARL masks of mtvec/stvec, medeleg/mideleg, mie/mip and the
// sie/sip views through mideleg, SEIP's software bit ORed with the external line, the epc
// registers' bit 0, the full-width scratch/cause/tval registers, and envcfg/counteren widths.
import { describe, expect, test } from 'vitest';
import { IRQ } from '../../src/cpu/csr-defs.ts';
import { exec, hex, TestHart } from './harness.ts';

const ALL = -1n;

/** Value read back after writing `v` to `csr` in M-mode. */
const roundTrip = (csr: string, v: bigint) => exec(`csrw ${csr}, a0\n csrr a1, ${csr}`, { a0: v }).x('a1');

describe('trap vectors', () => {
  test.each(['mtvec', 'stvec'])('%s keeps direct (0) and vectored (1) modes with a 64-bit base', (csr) => {
    expect(roundTrip(csr, 0x8000_1000n)).toBe(0x8000_1000n);
    expect(roundTrip(csr, 0x8000_1001n)).toBe(0x8000_1001n);
    expect(roundTrip(csr, 0x1_2345_6780n)).toBe(0x1_2345_6780n);
  });

  test.each(['mtvec', 'stvec'])('%s ignores a write selecting reserved mode 2 or 3', (csr) => {
    const t = exec(`
      li a0, 0x80001001
      csrw ${csr}, a0
      li a0, 0x80002002
      csrw ${csr}, a0
      csrr a1, ${csr}
      li a0, 0x80003003
      csrw ${csr}, a0
      csrr a2, ${csr}
    `);
    expect([t.x('a1'), t.x('a2')]).toEqual([0x8000_1001n, 0x8000_1001n]);
  });
});

describe('delegation registers', () => {
  test('medeleg: every exception below 16 except 14, no H causes without H (bit 11 writable, as in QEMU 7.2)', () => {
    expect(hex(roundTrip('medeleg', ALL))).toBe(hex(0xbfffn));
    expect(roundTrip('medeleg', 1n << 14n)).toBe(0n);
    expect(roundTrip('medeleg', 0xf0_0000n)).toBe(0n);
  });

  test('mideleg: only the supervisor interrupts', () => {
    expect(hex(roundTrip('mideleg', ALL))).toBe(hex(0x222n));
  });
});

describe('mie and mip', () => {
  test('mie: the six M and S enable bits', () => {
    expect(hex(roundTrip('mie', ALL))).toBe(hex(0xaaan));
  });

  test('mip: software writes reach SSIP, STIP and SEIP only', () => {
    expect(hex(roundTrip('mip', ALL))).toBe(hex(0x222n));
    expect(roundTrip('mip', 0x888n)).toBe(0n);
  });

  test('device lines show in mip and software cannot clear them', () => {
    const t = TestHart.asm('csrr a0, mip\n csrw mip, zero\n csrr a1, mip\ndone:\n j done');
    t.hart.setPending(IRQ.MEI, true);
    t.hart.setPending(IRQ.MTI, true);
    t.hart.setPending(IRQ.MSI, true);
    t.runTo();
    expect(t.x('a0')).toBe(0x888n);
    expect(t.x('a1')).toBe(0x888n);
  });

  describe('SEIP: a software bit ORed with the external line (spec 3.1.9)', () => {
    const SEIP = 1n << 9n;
    function withLine(text: string): TestHart {
      const t = TestHart.asm(`${text}\ndone:\n j done`);
      t.hart.setPending(IRQ.SEI, true);
      return t;
    }

    test('reads see the line; writing 0 does not clear it', () => {
      const t = withLine('csrr a0, mip\n csrw mip, zero\n csrr a1, mip');
      t.runTo();
      expect([t.x('a0'), t.x('a1')]).toEqual([SEIP, SEIP]);
    });

    test('a CSRRS of another bit does not latch the line into the software bit', () => {
      const t = withLine('csrsi mip, 2\n csrr a0, mip');
      t.runTo();
      expect(t.x('a0')).toBe(SEIP | 2n);
      t.hart.setPending(IRQ.SEI, false);
      expect(t.csr('mip')).toBe(2n);
    });

    test('a CSRRC of another bit does not latch it either', () => {
      const t = withLine('csrsi mip, 2\n csrci mip, 2\n csrr a0, mip');
      t.runTo();
      t.hart.setPending(IRQ.SEI, false);
      expect(t.csr('mip')).toBe(0n);
    });

    test('the software bit stays set after the line drops, until software clears it', () => {
      const t = withLine('li a0, 0x200\n csrs mip, a0\n csrr a1, mip');
      t.runTo();
      t.hart.setPending(IRQ.SEI, false);
      expect(t.csr('mip')).toBe(SEIP);
    });

    test('CSRRW returns the OR but writes only what it was given', () => {
      const t = withLine('csrrw a0, mip, zero\n csrr a1, mip');
      t.runTo();
      t.hart.setPending(IRQ.SEI, false);
      expect(t.x('a0')).toBe(SEIP);
      expect(t.csr('mip')).toBe(0n);
    });
  });
});

describe('sie and sip: the delegated subset of mie and mip', () => {
  test('without delegation sie reads zero and ignores writes', () => {
    const t = exec('li a0, -1\n csrw sie, a0\n csrr a1, sie\n csrr a2, mie');
    expect([t.x('a1'), t.x('a2')]).toEqual([0n, 0n]);
  });

  test('with delegation sie aliases the delegated mie bits and leaves the rest', () => {
    const t = exec(`
      li a0, 0x888
      csrw mie, a0
      li a0, 0x220
      csrw mideleg, a0
      li a0, -1
      csrw sie, a0
      csrr a1, sie
      csrr a2, mie
      csrw sie, zero
      csrr a3, mie
    `);
    expect(t.x('a1')).toBe(0x220n);
    expect(t.x('a2')).toBe(0xaa8n);
    expect(t.x('a3')).toBe(0x888n);
  });

  test('sip shows only delegated pending bits; only SSIP is writable through it', () => {
    const t = exec(`
      li a0, 0x222
      csrw mip, a0
      csrr a1, sip
      li a0, 0x020
      csrw mideleg, a0
      csrr a2, sip
      li a0, 0x222
      csrw mideleg, a0
      csrw sip, zero
      csrr a3, mip
    `);
    expect(t.x('a1')).toBe(0n);
    expect(t.x('a2')).toBe(0x20n);
    // STIP and SEIP are read-only in sip: clearing sip cleared SSIP alone
    expect(t.x('a3')).toBe(0x220n);
  });

  test('sip.SSIP is writable from S-mode when delegated', () => {
    const t = exec('csrsi sip, 2\n csrr a0, sip', {}, { priv: 1, setup: (h) => void (h.mideleg = 0x222) });
    expect(t.x('a0')).toBe(2n);
    expect(t.csr('mip')).toBe(2n);
  });
});

describe('exception program counters, causes, values, scratch', () => {
  test.each(['mepc', 'sepc'])('%s: bit 0 is always zero (IALIGN = 16)', (csr) => {
    expect(hex(roundTrip(csr, ALL))).toBe(hex(-2n));
    expect(roundTrip(csr, 0x8000_0003n)).toBe(0x8000_0002n);
  });

  test.each(['mcause', 'scause', 'mtval', 'stval', 'mscratch', 'sscratch'])('%s holds a full 64-bit value', (csr) => {
    expect(hex(roundTrip(csr, ALL))).toBe(hex(ALL));
    expect(roundTrip(csr, 0x8000_0000_0000_0005n)).toBe(0x8000_0000_0000_0005n);
  });
});

describe('envcfg and counter-enable widths', () => {
  test.each(['menvcfg', 'senvcfg'])('%s: FIOM and the Zicbom/Zicboz bits QEMU 7.2 implements', (csr) => {
    expect(hex(roundTrip(csr, ALL))).toBe(hex(0xf1n));
  });

  test.each(['mcounteren', 'scounteren'])('%s is a 32-bit register, zero-extended when read', (csr) => {
    expect(hex(roundTrip(csr, ALL))).toBe(hex(0xffff_ffffn));
    expect(hex(roundTrip(csr, 0x8000_0000n))).toBe(hex(0x8000_0000n));
  });

  test('mcountinhibit: 32 bits, bit 1 (time) is read-only zero', () => {
    expect(hex(roundTrip('mcountinhibit', ALL))).toBe(hex(0xffff_fffdn));
  });
});
