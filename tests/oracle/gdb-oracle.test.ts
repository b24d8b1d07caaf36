import { describe, expect, it } from 'vitest';
import { buildGuest, symbol } from './lib/build-guest.ts';
import { GdbOracle } from './lib/gdb-oracle.ts';

describe('GdbOracle', () => {
  it('yields the reset state, then one state per step with the CSRs asked for', async () => {
    const g = buildGuest('tests/oracle/guests/traps.S', { WFI_DELAY: 50, IRQ_DELAY: 3 });
    const o = await GdbOracle.start({ bios: g.bin, csrs: ['mcause', 'priv'] });
    try {
      const s0 = await o.initial();
      expect(s0.pc).toBe(0x1000n);
      const pcs: bigint[] = [];
      for (let i = 0; i < 12; i++) pcs.push((await o.next())!.pc);
      expect(pcs.slice(0, 6)).toEqual([0x1004n, 0x1008n, 0x100cn, 0x1010n, 0x1014n, 0x80000000n]);
      expect(pcs[9]).toBe(symbol(g, 'before_ecall'));
      expect(pcs[10]).toBe(symbol(g, 'trap_vector')); // the ecall is one step
      const s = (await o.next())!;
      expect(s.csrs().get('mcause')).toBe(11n);
      expect(s.csrs().get('priv')).toBe(3n);
    } finally {
      await o.close();
    }
  });

  it('explains a step into a wfi that single-stepping cannot wake', async () => {
    const g = buildGuest('tests/oracle/guests/wfi.S', { WFI_DELAY: 50 });
    const o = await GdbOracle.start({ bios: g.bin, stepTimeoutMs: 1500 });
    try {
      await o.initial();
      const run = async () => {
        for (let i = 0; i < 100; i++) await o.next();
      };
      await expect(run()).rejects.toThrow(/asleep in wfi.*trace oracle/);
    } finally {
      await o.close();
    }
  });
});
