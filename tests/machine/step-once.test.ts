// Machine.stepOnce(): QEMU's single-step granularity (docs/ORACLE.md §1), used by the lockstep
// oracle. One call is one retired instruction, one trapping instruction (stops on the vector),
// or one interrupt entry on its own; timers and wfi behave as in run().
import { describe, expect, it } from 'vitest';
import { Assembler } from '../../src/isa/asm.ts';
import { imageFromBytes } from '../../src/machine/image.ts';
import { Machine } from '../../src/machine/machine.ts';

const BASE = 0x8000_0000n;

function machine(text: string, shift = 0): { m: Machine; sym: (name: string) => bigint } {
  const a = new Assembler({ base: BASE });
  a.asm(text);
  const { bytes, symbols } = a.assemble();
  const m = new Machine({
    memBytes: 16 * 1024 * 1024,
    harts: 1,
    icountShift: shift,
    bios: imageFromBytes('bios', 'step-once.bin', bytes),
    kernel: null,
    wallClockNs: () => 0n,
  });
  return { m, sym: (n) => symbols.get(n)! };
}

/** Steps through the 6-instruction reset ROM to the program's first instruction. */
function toBios(m: Machine): void {
  for (let i = 0; i < 6; i++) m.stepOnce();
  expect(m.harts[0]!.pc).toBe(BASE);
}

describe('Machine.stepOnce', () => {
  it('reaches the same states as run() for straight-line code and loops', () => {
    const prog = 'li a0,100\nloop:\naddi a1,a1,3\nmul a2,a1,a1\naddi a0,a0,-1\nbnez a0,loop\ndone:\nj done';
    const a = machine(prog).m;
    const b = machine(prog).m;
    for (let n = 1; n <= 300; n++) {
      const r = a.stepOnce();
      expect(r).toEqual({ kind: 'instruction', hart: 0, retired: 1 });
      b.run(1);
      expect(a.icount).toBe(n);
      expect(a.harts[0]!.pc).toBe(b.harts[0]!.pc);
      expect(a.harts[0]!.getX(12)).toBe(b.harts[0]!.getX(12));
    }
  });

  it('a faulting load is one step that lands on the vector and retires nothing', () => {
    const { m, sym } = machine('la t0,trap\ncsrw mtvec,t0\nli a0,0x7f0\nld a1,0(a0)\ntrap:\nj trap');
    toBios(m);
    for (let i = 0; i < 4; i++) m.stepOnce(); // la (2), csrw, li
    const before = m.icount;
    expect(m.stepOnce()).toEqual({ kind: 'instruction', hart: 0, retired: 0 });
    expect(m.harts[0]!.pc).toBe(sym('trap'));
    expect(m.icount).toBe(before);
  });

  it('ecall is one step that lands on the vector and counts (QEMU icount)', () => {
    const { m, sym } = machine('la t0,trap\ncsrw mtvec,t0\necall\ntrap:\nj trap');
    toBios(m);
    for (let i = 0; i < 3; i++) m.stepOnce();
    expect(m.stepOnce()).toEqual({ kind: 'instruction', hart: 0, retired: 1 });
    expect(m.harts[0]!.pc).toBe(sym('trap'));
  });

  it('an interrupt made deliverable by an instruction is entered by the next step, alone', () => {
    // MTIP is pending from reset (mtimecmp = 0); enabling it and MIE delivers it
    const { m, sym } = machine('la t0,trap\ncsrw mtvec,t0\nli t0,0x80\ncsrs mie,t0\ncsrsi mstatus,8\nnop\ntrap:\nj trap');
    toBios(m);
    for (let i = 0; i < 6; i++) expect(m.stepOnce().kind).toBe("instruction"); // la (2), csrw, li, csrs, csrsi
    const after = m.harts[0]!.pc;
    const icount = m.icount;
    expect(m.stepOnce()).toEqual({ kind: 'interrupt', hart: 0, cause: 7 });
    expect(m.harts[0]!.pc).toBe(sym('trap'));
    expect(m.harts[0]!.mepc).toBe(after);
    expect(m.icount).toBe(icount);
  });

  it('after a sleeping wfi the next step warps to the timer and runs the next instruction', () => {
    // arm mtimecmp 10 ticks (1000 ns) ahead, enable MTIE without MIE, sleep
    const { m, sym } = machine(
      'li t0,0x200bff8\nld t1,0(t0)\naddi t1,t1,10\nli t0,0x2004000\nsd t1,0(t0)\nli t0,0x80\ncsrs mie,t0\nwfi\nafter:\ncsrr a0,time\ndone:\nj done',
    );
    toBios(m);
    while (m.harts[0]!.pc !== sym('after')) m.stepOnce();
    expect(m.harts[0]!.waiting).toBe(true);
    const icount = m.icount;
    expect(m.stepOnce()).toEqual({ kind: 'instruction', hart: 0, retired: 1 });
    expect(m.icount).toBe(icount + 1);
    expect(m.harts[0]!.getX(10)).toBeGreaterThanOrEqual(m.harts[0]!.getX(6));
  });
});
