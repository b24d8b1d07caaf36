// Interrupts (privileged spec 3.1.6.1, 3.1.9, 4.1.3): the fixed priority order, global
// enables per privilege (M-level interrupts are always enabled below M; S-level ones are
// never taken in M-mode), local enables in mie, delegation through mideleg, vectored trap
// vectors, and what mcause/mepc/mtval hold. Device lines are driven with setPending, the
// software-writable bits (SSIP, STIP, SEIP) with CSR writes. Interrupts are taken between
// slices, which end after every instruction that may change what is pending or enabled.
import { describe, expect, test } from 'vitest';
import { IRQ, MS, PRIV_M, PRIV_S, PRIV_U } from '../../src/cpu/csr-defs.ts';
import type { Hart } from '../../src/cpu/hart.ts';
import { DEV, DEV_IRQ_LOWER, DEV_IRQ_RAISE, exec, TestHart } from './harness.ts';

const INT = 1n << 63n;
const bit = (irq: number) => 1 << irq;

interface Options {
  priv?: number;
  setup?: (h: Hart) => void;
  /** Device lines raised before the run. */
  lines?: number[];
}

/**
 * `text` runs from `start`; M and S handlers log each cause at s11 and mask its enable bit
 * (mie / sie), then return. Returns the logged causes.
 */
function logRun(text: string, opts: Options = {}): { causes: bigint[]; t: TestHart } {
  const t = TestHart.asm(`
    j start
    .align 2
mtrap:
    csrr t5, mcause
    sd t5, 0(s11)
    addi s11, s11, 8
    li t6, 1
    sll t6, t6, t5
    csrc mie, t6
    mret
    .align 2
strap:
    csrr t5, scause
    sd t5, 0(s11)
    addi s11, s11, 8
    li t6, 1
    sll t6, t6, t5
    csrc sie, t6
    sret
start:
${text}
done:
    j done
    .align 3
log:
    .space 256
`);
  const h = t.hart;
  h.mtvec = t.sym('mtrap');
  h.stvec = t.sym('strap');
  t.setX('s11', t.sym('log'));
  opts.setup?.(h);
  for (const l of opts.lines ?? []) h.setPending(l, true);
  h.setPc(t.sym('start'));
  h.priv = opts.priv ?? PRIV_M;
  t.runTo('done');
  const causes: bigint[] = [];
  for (let a = t.sym('log'); a < t.x('s11'); a += 8n) causes.push(t.read64(a));
  return { causes, t };
}

/** `text` runs from `start`; the first trap stops the run at mtrap or strap. */
function stopRun(text: string, opts: Options = {}): { at: string; t: TestHart; h: Hart } {
  const t = TestHart.asm(`
    j start
    .align 2
mtrap:
    j mtrap
    .align 2
strap:
    j strap
start:
${text}
done:
    j done
`);
  const h = t.hart;
  h.mtvec = t.sym('mtrap');
  h.stvec = t.sym('strap');
  opts.setup?.(h);
  for (const l of opts.lines ?? []) h.setPending(l, true);
  h.setPc(t.sym('start'));
  h.priv = opts.priv ?? PRIV_M;
  return { at: t.runTo(['mtrap', 'strap', 'done']), t, h };
}

describe('priority', () => {
  test('MEI > MSI > MTI > SEI > SSI > STI, all pending at once', () => {
    const { causes } = logRun(
      `
      li t0, 0x222
      csrw mip, t0
      li t0, 0xaaa
      csrw mie, t0
      csrsi mstatus, 8
      nop
`,
      { lines: [IRQ.MTI, IRQ.MSI, IRQ.MEI] },
    );
    expect(causes).toEqual([11n, 3n, 7n, 9n, 1n, 5n].map((c) => INT | c));
  });

  test('an M-level interrupt is taken before a pending delegated S-level one', () => {
    // in S-mode both are enabled: MTI (not delegated) goes to M first, then SSI to S
    const { causes } = logRun('csrsi sstatus, 2\n nop', {
      priv: PRIV_S,
      lines: [IRQ.MTI],
      setup: (h) => {
        h.mideleg = bit(IRQ.SSI);
        h.mie = bit(IRQ.MTI) | bit(IRQ.SSI);
        h.mipSw = bit(IRQ.SSI);
      },
    });
    expect(causes).toEqual([INT | 7n, INT | 1n]);
  });
});

describe('global and local enables', () => {
  const pendingMti = (h: Hart, mie = bit(IRQ.MTI)) => {
    h.mie = mie;
  };

  test('M-mode with MIE = 0 takes no interrupt', () => {
    const r = stopRun('nop\n nop', { lines: [IRQ.MTI], setup: (h) => pendingMti(h) });
    expect(r.at).toBe('done');
  });

  test('M-mode takes an enabled M interrupt as soon as MIE is set; mepc is the next instruction', () => {
    const r = stopRun('nop\n csrsi mstatus, 8\nnext:\n nop', { lines: [IRQ.MTI], setup: (h) => pendingMti(h) });
    expect(r.at).toBe('mtrap');
    expect(r.h.mcause).toBe(INT | 7n);
    expect(r.h.mepc).toBe(r.t.sym('next'));
    expect(r.h.mtval).toBe(0n);
    expect(r.h.mstatus & MS.MPIE).toBe(MS.MPIE);
    expect(r.h.mstatus & MS.MIE).toBe(0);
  });

  test('a pending interrupt whose mie bit is clear is not taken', () => {
    const r = stopRun('csrsi mstatus, 8\n nop', { lines: [IRQ.MTI], setup: (h) => pendingMti(h, bit(IRQ.MSI)) });
    expect(r.at).toBe('done');
  });

  test.each([
    ['S-mode', PRIV_S],
    ['U-mode', PRIV_U],
  ])('%s takes M-level interrupts even with MIE = 0', (_, priv) => {
    const r = stopRun('here:\n nop', { priv, lines: [IRQ.MEI], setup: (h) => pendingMti(h, bit(IRQ.MEI)) });
    expect(r.at).toBe('mtrap');
    expect(r.h.mcause).toBe(INT | 11n);
    expect(r.h.mepc).toBe(r.t.sym('here'));
    expect((r.h.mstatus >>> 11) & 3).toBe(priv);
  });

  describe('a delegated S-level interrupt (STIP via mideleg)', () => {
    const setup = (sie: boolean) => (h: Hart) => {
      h.mideleg = bit(IRQ.STI);
      h.mie = bit(IRQ.STI);
      h.mipSw = bit(IRQ.STI);
      if (sie) h.mstatus |= MS.SIE;
      h.mstatus |= MS.MIE;
    };

    test('is never taken in M-mode, whatever MIE and SIE say', () => {
      expect(stopRun('nop\n nop', { setup: setup(true) }).at).toBe('done');
    });

    test('is not taken in S-mode with SIE = 0', () => {
      expect(stopRun('nop\n nop', { priv: PRIV_S, setup: setup(false) }).at).toBe('done');
    });

    test('is taken to S-mode with SIE = 1: scause, sepc, SPIE/SIE/SPP', () => {
      const r = stopRun('here:\n nop', { priv: PRIV_S, setup: setup(true) });
      expect(r.at).toBe('strap');
      expect(r.h.priv).toBe(PRIV_S);
      expect(r.h.scause).toBe(INT | 5n);
      expect(r.h.sepc).toBe(r.t.sym('here'));
      expect(r.h.stval).toBe(0n);
      expect(r.h.mstatus & (MS.SIE | MS.SPIE | MS.SPP)).toBe(MS.SPIE | MS.SPP);
    });

    test('is taken from U-mode even with SIE = 0', () => {
      const r = stopRun('nop', { priv: PRIV_U, setup: setup(false) });
      expect(r.at).toBe('strap');
      expect(r.h.mstatus & MS.SPP).toBe(0);
    });
  });

  test('an S-level interrupt that is not delegated goes to M-mode, from S-mode with MIE = 0', () => {
    const r = stopRun('nop', {
      priv: PRIV_S,
      setup: (h) => {
        h.mie = bit(IRQ.SSI);
        h.mipSw = bit(IRQ.SSI);
      },
    });
    expect(r.at).toBe('mtrap');
    expect(r.h.mcause).toBe(INT | 1n);
  });

  test('an S-level interrupt that is not delegated is taken in M-mode only with MIE = 1', () => {
    const setup = (mie: boolean) => (h: Hart) => {
      h.mie = bit(IRQ.SEI);
      if (mie) h.mstatus |= MS.MIE;
    };
    expect(stopRun('nop', { lines: [IRQ.SEI], setup: setup(false) }).at).toBe('done');
    const r = stopRun('nop', { lines: [IRQ.SEI], setup: setup(true) });
    expect(r.at).toBe('mtrap');
    expect(r.h.mcause).toBe(INT | 9n);
  });

  test('a software-set SEIP is an interrupt like the line', () => {
    const r = stopRun('li t0, 0x200\n csrs mip, t0\nnext:\n nop', { setup: (h) => void ((h.mie = bit(IRQ.SEI)), (h.mstatus |= MS.MIE)) });
    expect(r.at).toBe('mtrap');
    expect(r.h.mcause).toBe(INT | 9n);
    expect(r.h.mepc).toBe(r.t.sym('next'));
  });

  test('lowering the line before the interrupt is enabled means nothing is taken', () => {
    const t = TestHart.asm('csrsi mstatus, 8\n nop\ndone:\n j done\n .align 2\nmtrap:\n j mtrap');
    t.hart.mtvec = t.sym('mtrap');
    t.hart.mie = bit(IRQ.MEI);
    t.hart.setPending(IRQ.MEI, true);
    t.hart.setPending(IRQ.MEI, false);
    expect(t.runTo(['done', 'mtrap'])).toBe('done');
  });
});

describe('interrupts raised by a device access', () => {
  test('a store that raises an enabled line is followed at once by the interrupt', () => {
    // the MMIO access ends the slice, so the interrupt is taken before the next instruction
    const t = TestHart.asm(
      `
      li a0, ${DEV}
      li a1, ${bit(IRQ.MEI)}
      csrsi mstatus, 8
      sw a1, ${DEV_IRQ_RAISE}(a0)
next:
      li a2, 1
done:
      j done
      .align 2
mtrap:
      j mtrap
`,
      { device: true },
    );
    t.hart.mtvec = t.sym('mtrap');
    t.hart.mie = bit(IRQ.MEI);
    expect(t.runTo(['done', 'mtrap'])).toBe('mtrap');
    expect(t.hart.mcause).toBe(INT | 11n);
    expect(t.hart.mepc).toBe(t.sym('next'));
    expect(t.x('a2')).toBe(0n);
  });

  test('a handler that lowers the line returns without the interrupt being taken again', () => {
    const t = exec(
      `
      la t0, handler
      csrw mtvec, t0
      li a0, ${DEV}
      li a1, ${bit(IRQ.MEI)}
      li t0, ${bit(IRQ.MEI)}
      csrw mie, t0
      csrsi mstatus, 8
      sw a1, ${DEV_IRQ_RAISE}(a0)
      j done
      .align 2
handler:
      addi s0, s0, 1
      sw a1, ${DEV_IRQ_LOWER}(a0)
      mret
`,
      { s0: 0n },
      { device: true },
    );
    expect(t.x('s0')).toBe(1n);
    expect(t.csr('mip')).toBe(0n);
  });
});

describe('vectored trap vectors', () => {
  test.each([
    ['MSI', IRQ.MSI],
    ['MTI', IRQ.MTI],
    ['MEI', IRQ.MEI],
  ])('mtvec mode 1: %s goes to base + 4 * cause', (_, irq) => {
    const t = TestHart.asm(`
      csrsi mstatus, 8
      nop
done:
      j done
      .balign 256
${Array.from({ length: 16 }, (_, i) => `v${i}: j v${i}`).join('\n')}
`);
    const h = t.hart;
    h.mtvec = t.sym('v0') | 1n;
    h.mie = bit(irq);
    h.setPending(irq, true);
    expect(t.runTo(Array.from({ length: 16 }, (_, i) => `v${i}`).concat('done'))).toBe(`v${irq}`);
    expect(h.mcause).toBe(INT | BigInt(irq));
  });

  test('stvec mode 1: a delegated STI goes to base + 4 * 5', () => {
    const t = TestHart.asm(`
      nop
done:
      j done
      .balign 256
${Array.from({ length: 16 }, (_, i) => `v${i}: j v${i}`).join('\n')}
`);
    const h = t.hart;
    h.stvec = t.sym('v0') | 1n;
    h.mtvec = t.sym('done');
    h.mideleg = bit(IRQ.STI);
    h.mie = bit(IRQ.STI);
    h.mipSw = bit(IRQ.STI);
    h.priv = PRIV_U;
    expect(t.runTo(Array.from({ length: 16 }, (_, i) => `v${i}`).concat('done'))).toBe('v5');
    expect(h.priv).toBe(PRIV_S);
    expect(h.scause).toBe(INT | 5n);
  });

  test('the vectored base may be 4-byte aligned only (not 256)', () => {
    const t = TestHart.asm(`
      nop
done:
      j done
      .balign 64
      .space 4
${Array.from({ length: 12 }, (_, i) => `v${i}: j v${i}`).join('\n')}
`);
    const h = t.hart;
    h.mtvec = t.sym('v0') | 1n;
    h.mie = bit(IRQ.MSI);
    h.mstatus |= MS.MIE;
    h.setPending(IRQ.MSI, true);
    expect(t.runTo(Array.from({ length: 12 }, (_, i) => `v${i}`).concat('done'))).toBe('v3');
  });
});

test('MRET re-enables interrupts and a still-pending one is taken at once', () => {
  const { causes, t } = logRun(
    `
    la t0, back
    csrw mepc, t0
    li t0, 0x1880
    csrs mstatus, t0
    mret
back:
    nop
`,
    { priv: PRIV_M, lines: [IRQ.MSI], setup: (h) => void (h.mie = bit(IRQ.MSI)) },
  );
  expect(causes).toEqual([INT | 3n]);
  expect(t.hart.priv).toBe(PRIV_M);
});
