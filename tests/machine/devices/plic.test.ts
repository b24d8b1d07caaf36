import { describe, expect, it } from 'vitest';
import { Plic } from '../../../src/machine/devices/plic/device.ts';
import {
  CONTEXT_CLAIM,
  PENDING_BASE,
  contextOffset,
  enableOffset,
  priorityOffset,
} from '../../../src/machine/devices/plic/registers.ts';
import { MIP_MEIP, MIP_SEIP } from '../../../src/machine/device.ts';
import { FakePins } from '../helpers.ts';

function makePlic(harts = 2) {
  const pins = Array.from({ length: harts }, () => new FakePins());
  const plic = new Plic({ harts: pins });
  const rd = (off: number) => plic.read(off, 4);
  const wr = (off: number, v: number) => plic.write(off, 4, v);
  const claim = (ctx: number) => rd(contextOffset(ctx) + CONTEXT_CLAIM);
  const complete = (ctx: number, src: number) => wr(contextOffset(ctx) + CONTEXT_CLAIM, src);
  const enable = (ctx: number, src: number) => wr(enableOffset(ctx, src), rd(enableOffset(ctx, src)) | (1 << (src & 31)));
  return { pins, plic, rd, wr, claim, complete, enable };
}

describe('PLIC registers (QEMU 7.2 virt layout)', () => {
  it('maps priority of source n at 4 * n; offset 0 reads 0 and ignores writes', () => {
    const { rd, wr } = makePlic();
    expect(priorityOffset(1)).toBe(4);
    expect(priorityOffset(10)).toBe(0x28);
    wr(0x28, 5);
    expect(rd(0x28)).toBe(5);
    wr(0x0, 3);
    expect(rd(0x0)).toBe(0);
    // One register past source 95 exists in QEMU 7.2 (beyond its array); it holds a value.
    wr(0x180, 2);
    expect(rd(0x180)).toBe(2);
    expect(rd(0x184)).toBe(0);
  });

  it('priority and threshold are WARL modulo 8', () => {
    const { rd, wr } = makePlic();
    wr(priorityOffset(3), 9);
    expect(rd(priorityOffset(3))).toBe(1);
    wr(contextOffset(1), 0xffffffff);
    expect(rd(contextOffset(1))).toBe(7);
  });

  it('enable words exist for 96 sources per context; pending words are read-only', () => {
    const { rd, wr } = makePlic();
    wr(enableOffset(3, 64), 0xffffffff);
    expect(rd(enableOffset(3, 64))).toBe(0xffffffff);
    expect(rd(enableOffset(3, 0))).toBe(0);
    wr(enableOffset(3, 96), 0xffffffff); // word 3 does not exist
    expect(rd(enableOffset(3, 96))).toBe(0);
    wr(PENDING_BASE, 0xffffffff);
    expect(rd(PENDING_BASE)).toBe(0);
    expect(rd(PENDING_BASE + 12)).toBe(0); // outside the 12-byte pending window
  });

  it('only aligned 32-bit accesses do anything', () => {
    const { plic, rd } = makePlic();
    plic.write(priorityOffset(1), 1, 3);
    plic.write(priorityOffset(1), 2, 3);
    expect(rd(priorityOffset(1))).toBe(0);
    expect(plic.accessRule(0)).toEqual({ minSize: 4, maxSize: 4 });
  });
});

describe('PLIC interrupt flow', () => {
  it('pending -> SEIP on the S context, claim clears pending, complete re-opens the source', () => {
    const { plic, pins, rd, wr, claim, complete, enable } = makePlic();
    wr(priorityOffset(10), 1);
    enable(1, 10); // hart 0 S-mode
    const uart = plic.irqLine(10);
    uart.set(true);
    expect(rd(PENDING_BASE)).toBe(1 << 10);
    expect(pins[0]!.has(MIP_SEIP)).toBe(true);
    expect(pins[0]!.has(MIP_MEIP)).toBe(false);
    expect(claim(1)).toBe(10);
    expect(rd(PENDING_BASE)).toBe(0);
    expect(pins[0]!.has(MIP_SEIP)).toBe(false);
    expect(claim(1)).toBe(0);
    uart.set(true); // raised again while claimed: pending, but held back
    expect(pins[0]!.has(MIP_SEIP)).toBe(false);
    complete(1, 10);
    expect(pins[0]!.has(MIP_SEIP)).toBe(true);
  });

  it('a low level does not clear a pending bit (QEMU 7.2.15+ sifive_plic_irq_request)', () => {
    const { plic, pins, wr, claim, enable } = makePlic();
    wr(priorityOffset(5), 1);
    enable(0, 5);
    const line = plic.irqLine(5);
    line.set(true);
    line.set(false);
    expect(pins[0]!.has(MIP_MEIP)).toBe(true);
    expect(claim(0)).toBe(5);
  });

  it('the highest priority wins; equal priorities go to the lowest source number', () => {
    const { plic, wr, claim, complete, enable } = makePlic();
    for (const [src, prio] of [[3, 2], [7, 5], [9, 5], [40, 4]] as const) {
      wr(priorityOffset(src), prio);
      enable(1, src);
      plic.setIrq(src, true);
    }
    const order: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = claim(1);
      order.push(s);
      if (s) complete(1, s);
    }
    expect(order).toEqual([7, 9, 40, 3, 0]);
  });

  it('threshold masks priorities at or below it; priority 0 never interrupts', () => {
    const { plic, pins, wr, claim, enable } = makePlic();
    enable(1, 20);
    plic.setIrq(20, true);
    expect(pins[0]!.has(MIP_SEIP)).toBe(false); // priority 0
    wr(priorityOffset(20), 3);
    expect(pins[0]!.has(MIP_SEIP)).toBe(true);
    wr(contextOffset(1), 3);
    expect(pins[0]!.has(MIP_SEIP)).toBe(false);
    expect(claim(1)).toBe(0);
    wr(contextOffset(1), 2);
    expect(claim(1)).toBe(20);
  });

  it('routes context 2h to hart h MEIP and 2h+1 to hart h SEIP', () => {
    const { plic, pins, wr, enable } = makePlic(2);
    wr(priorityOffset(1), 1);
    wr(priorityOffset(2), 1);
    enable(2, 1); // hart 1 M
    enable(3, 2); // hart 1 S
    plic.setIrq(1, true);
    expect(pins[1]!.has(MIP_MEIP)).toBe(true);
    expect(pins[1]!.has(MIP_SEIP)).toBe(false);
    plic.setIrq(2, true);
    expect(pins[1]!.has(MIP_SEIP)).toBe(true);
    expect(pins[0]!.mip).toBe(0);
  });

  it('enable writes take effect at the next update, as in QEMU', () => {
    const { plic, pins, wr } = makePlic(1);
    wr(priorityOffset(4), 1);
    plic.setIrq(4, true);
    wr(enableOffset(0, 4), 1 << 4);
    expect(pins[0]!.has(MIP_MEIP)).toBe(false);
    wr(contextOffset(0), 0); // any update
    expect(pins[0]!.has(MIP_MEIP)).toBe(true);
  });

  it('completion of a source >= 96 is ignored; completion need not match a claim', () => {
    const { plic, wr, claim, complete, enable } = makePlic(1);
    wr(priorityOffset(6), 1);
    enable(0, 6);
    plic.setIrq(6, true);
    expect(claim(0)).toBe(6);
    complete(0, 96);
    plic.setIrq(6, true);
    expect(claim(0)).toBe(0);
    complete(1, 6); // from another context
    expect(claim(0)).toBe(6);
  });

  it('irqLine rejects source 0 and sources past the last', () => {
    const { plic } = makePlic();
    expect(() => plic.irqLine(0)).toThrow(/1\.\.95/);
    expect(() => plic.irqLine(96)).toThrow(/1\.\.95/);
  });

  it('reset clears state and lowers every pin', () => {
    const { plic, pins, rd, wr, enable } = makePlic(1);
    wr(priorityOffset(8), 1);
    enable(0, 8);
    plic.setIrq(8, true);
    plic.reset();
    expect(pins[0]!.mip).toBe(0);
    expect(rd(priorityOffset(8))).toBe(0);
    expect(rd(PENDING_BASE)).toBe(0);
  });

  it('save/restore round-trips all registers', () => {
    const a = makePlic();
    a.wr(priorityOffset(33), 6);
    a.enable(3, 33);
    a.wr(contextOffset(3), 1);
    a.plic.setIrq(33, true);
    a.plic.setIrq(34, true);
    const snap = JSON.parse(JSON.stringify(a.plic.save()));
    const b = makePlic();
    b.plic.restore(snap);
    expect(b.rd(PENDING_BASE + 4)).toBe(a.rd(PENDING_BASE + 4));
    expect(b.claim(3)).toBe(33);
    expect(() => makePlic(1).plic.restore(snap)).toThrow(/contexts/);
  });
});
