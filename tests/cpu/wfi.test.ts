// WFI (privileged spec 3.3.3): where it is legal (M always, S unless TW, never U), that it
// waits until some interrupt is pending and locally enabled in mie — whatever the global
// enables and delegation say — and that waking with the interrupt globally disabled simply
// resumes after the WFI, while an enabled one is taken with mepc after the WFI.
import { describe, expect, test } from 'vitest';
import { IRQ, MS, PRIV_M, PRIV_S, PRIV_U } from '../../src/cpu/csr-defs.ts';
import type { Hart } from '../../src/cpu/hart.ts';
import { TestHart } from './harness.ts';

const bit = (irq: number) => 1 << irq;

function program(opts: { priv?: number; setup?: (h: Hart) => void } = {}): TestHart {
  const t = TestHart.asm(`
    j start
    .align 2
mtrap:
    j mtrap
    .align 2
strap:
    j strap
start:
    li a0, 1
here:
    wfi
after:
    li a0, 2
done:
    j done
`);
  const h = t.hart;
  h.mtvec = t.sym('mtrap');
  h.stvec = t.sym('strap');
  opts.setup?.(h);
  h.setPc(t.sym('start'));
  h.priv = opts.priv ?? PRIV_M;
  return t;
}

const MARKERS = ['mtrap', 'strap', 'done'];

describe('waiting', () => {
  test('with nothing pending the hart waits after the WFI', () => {
    const t = program({ setup: (h) => void (h.mie = bit(IRQ.MTI)) });
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'wfi' });
    expect(t.hart.waiting).toBe(true);
    expect(t.hart.pc).toBe(t.sym('after'));
    expect(t.x('a0')).toBe(1n);
  });

  test('an interrupt pending but disabled in mie does not wake it', () => {
    const t = program({ setup: (h) => void (h.mie = bit(IRQ.MTI)) });
    t.run({ until: MARKERS });
    t.hart.setPending(IRQ.MSI, true);
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'wfi' });
    expect(t.hart.waiting).toBe(true);
  });

  test('an enabled interrupt already pending: WFI does not wait', () => {
    const t = program({ setup: (h) => void ((h.mie = bit(IRQ.MTI)), h.setPending(IRQ.MTI, true)) });
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'marker', at: 'done' });
  });
});

describe('waking', () => {
  test('with MIE = 0 the hart resumes after the WFI without taking the interrupt', () => {
    const t = program({ setup: (h) => void (h.mie = bit(IRQ.MTI)) });
    t.run({ until: MARKERS });
    t.hart.setPending(IRQ.MTI, true);
    expect(t.hart.waiting).toBe(false);
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'marker', at: 'done' });
    expect(t.x('a0')).toBe(2n);
  });

  test('with MIE = 1 the interrupt is taken and mepc is the instruction after the WFI', () => {
    const t = program({ setup: (h) => void ((h.mie = bit(IRQ.MEI)), (h.mstatus |= MS.MIE)) });
    t.run({ until: MARKERS });
    t.hart.setPending(IRQ.MEI, true);
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'marker', at: 'mtrap' });
    expect(t.hart.mcause).toBe((1n << 63n) | 11n);
    expect(t.hart.mepc).toBe(t.sym('after'));
  });

  test('a software-written pending bit wakes it too (SSIP, locally enabled, delegated, M-mode)', () => {
    // delegated interrupts are never taken in M-mode, yet they wake WFI there
    const t = program({
      setup: (h) => {
        h.mie = bit(IRQ.SSI);
        h.mideleg = bit(IRQ.SSI);
        h.mstatus |= MS.MIE;
      },
    });
    t.run({ until: MARKERS });
    t.hart.mipSw |= bit(IRQ.SSI);
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'marker', at: 'done' });
  });

  test('S-mode: a delegated interrupt with SIE = 0 resumes after the WFI', () => {
    const t = program({ priv: PRIV_S, setup: (h) => void ((h.mie = bit(IRQ.SEI)), (h.mideleg = bit(IRQ.SEI))) });
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'wfi' });
    t.hart.setPending(IRQ.SEI, true);
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'marker', at: 'done' });
    expect(t.hart.priv).toBe(PRIV_S);
  });

  test('S-mode: an M-level interrupt is taken to M-mode with mepc after the WFI', () => {
    const t = program({ priv: PRIV_S, setup: (h) => void (h.mie = bit(IRQ.MTI)) });
    t.run({ until: MARKERS });
    t.hart.setPending(IRQ.MTI, true);
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'marker', at: 'mtrap' });
    expect(t.hart.mepc).toBe(t.sym('after'));
    expect((t.hart.mstatus >>> 11) & 3).toBe(PRIV_S);
  });
});

describe('where WFI is legal', () => {
  test.each([
    ['U-mode', PRIV_U, 0],
    ['U-mode with TW', PRIV_U, MS.TW],
    ['S-mode with TW', PRIV_S, MS.TW],
  ])('%s: illegal instruction, tval = its bits', (_, priv, tw) => {
    const t = program({ priv, setup: (h) => void ((h.mie = bit(IRQ.MTI)), (h.mstatus |= tw)) });
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'marker', at: 'mtrap' });
    expect(t.hart.mcause).toBe(2n);
    expect(t.hart.mtval).toBe(0x10500073n);
    expect(t.hart.mepc).toBe(t.sym('here'));
  });

  test.each([
    ['S-mode without TW', PRIV_S, 0],
    ['M-mode with TW', PRIV_M, MS.TW],
  ])('%s: it waits', (_, priv, tw) => {
    const t = program({ priv, setup: (h) => void ((h.mie = bit(IRQ.MTI)), (h.mstatus |= tw)) });
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'wfi' });
  });

  test('an illegal WFI in U-mode is delegable to S-mode', () => {
    const t = program({ priv: PRIV_U, setup: (h) => void (h.medeleg = bit(2)) });
    expect(t.run({ until: MARKERS })).toEqual({ kind: 'marker', at: 'strap' });
    expect(t.hart.scause).toBe(2n);
  });
});
