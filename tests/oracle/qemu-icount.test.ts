// QEMU 7.2's icount behaviour that our hart must reproduce for lockstep, pinned down as
// tests so a QEMU upgrade that changes any of it is noticed (docs/ORACLE.md explains each).
import { describe, expect, it } from 'vitest';
import { buildGuest, symbol, type BuiltGuest } from './lib/build-guest.ts';
import { SSTEP } from './lib/gdb-remote.ts';
import { QemuSession } from './lib/qemu-session.ts';
import { TraceOracle } from './lib/trace-oracle.ts';
import type { OracleState } from './lib/oracle.ts';

const TIME_CSR = 66 + 0xc01;

/** Starts QEMU on a guest, runs to `label` (safe: no timer is armed before it) and returns a stepper. */
async function at(g: BuiltGuest, label: string, opts: { shift?: number; flags?: number } = {}) {
  const s = await QemuSession.start({ bios: g.bin, icountShift: opts.shift ?? 0, singleStepFlags: opts.flags ?? SSTEP.ENABLE | SSTEP.NOTIMER });
  await s.gdb.insertBreakpoint(symbol(g, label));
  await s.gdb.cont();
  await s.gdb.removeBreakpoint(symbol(g, label));
  const mi = await s.gdb.regnum('minstret');
  const mc = await s.gdb.regnum('mcause');
  const read = async () => {
    const core = await s.gdb.readCore();
    const [minstret, mcause] = await s.gdb.readRegisters([mi, mc]);
    return { pc: core.pc, x: core.x, minstret: minstret!, mcause: mcause! };
  };
  return { s, read, step: async () => (await s.gdb.step(), read()) };
}

describe('(a) what one gdb single-step covers', () => {
  const traps = buildGuest('tests/oracle/guests/traps.S', { WFI_DELAY: 50, IRQ_DELAY: 3 });
  const vector = symbol(traps, 'trap_vector');

  it.each([
    // label, mcause, does the trapping instruction count in minstret (icount)?
    ['before_ecall', 11n, 1n],
    ['before_fault', 5n, 0n], // load access fault
    ['before_illegal', 2n, 0n], // csrw to a read-only CSR: raised at run time
    ['before_undecodable', 2n, 1n], // rejected by the decoder: raised like ecall
    ['before_ebreak', 3n, 1n],
  ])('a trapping instruction (%s) is one step that lands on the vector', async (label, cause, counted) => {
    const { s, read, step } = await at(traps, label);
    try {
      const before = await read();
      const after = await step();
      expect(after.pc).toBe(vector);
      expect(after.mcause).toBe(cause);
      expect(after.minstret - before.minstret).toBe(counted);
    } finally {
      await s.close();
    }
  });

  it('mret is an ordinary step', async () => {
    const { s, read, step } = await at(traps, 'before_mret');
    try {
      const before = await read();
      const after = await step();
      expect(after.pc).toBe(symbol(traps, 'after_mret'));
      expect(after.minstret - before.minstret).toBe(1n);
    } finally {
      await s.close();
    }
  });

  it('an interrupt entry is a step of its own that retires nothing', async () => {
    const g = buildGuest('tests/oracle/guests/irq-enable.S');
    const { s, read, step } = await at(g, 'enable');
    try {
      const a = await read();
      const b = await step(); // csrsi mstatus.MIE
      const c = await step(); // the machine timer interrupt (MTIP is pending from reset)
      expect(b.pc).toBe(symbol(g, 'after_enable'));
      expect(b.minstret - a.minstret).toBe(1n);
      expect(c.pc).toBe(symbol(g, 'trap_vector'));
      expect(c.mcause).toBe((1n << 63n) | 7n);
      expect(c.minstret).toBe(b.minstret);
    } finally {
      await s.close();
    }
  });

  it('the trace oracle fuses that interrupt entry with the csrsi (and logs it)', async () => {
    const g = buildGuest('tests/oracle/guests/irq-enable.S');
    const o = await TraceOracle.start({ bios: g.bin });
    try {
      const states: OracleState[] = [await o.initial()];
      for (let i = 0; i < 20; i++) states.push((await o.next())!);
      const i = states.findIndex((x) => x.pc === symbol(g, 'enable'));
      expect(states[i + 1]!.pc).toBe(symbol(g, 'trap_vector'));
      expect(states[i + 1]!.traps).toEqual([
        { async: true, cause: 7n, epc: symbol(g, 'after_enable'), tval: 0n, desc: 'm_timer' },
      ]);
    } finally {
      await o.close();
    }
  });

  it('gdb: stepping a wfi that does not sleep also executes the next instruction', async () => {
    const g = buildGuest('tests/oracle/guests/wfi-pending.S');
    const { s, read, step } = await at(g, 'before_wfi');
    try {
      const a = await read();
      const b = await step();
      expect(b.pc).toBe(symbol(g, 'second'));
      expect(b.minstret - a.minstret).toBe(2n);
    } finally {
      await s.close();
    }
  });

  it('trace: the same wfi is a step of its own', async () => {
    const g = buildGuest('tests/oracle/guests/wfi-pending.S');
    const o = await TraceOracle.start({ bios: g.bin });
    try {
      const pcs = [(await o.initial()).pc];
      for (let i = 0; i < 14; i++) pcs.push((await o.next())!.pc);
      const i = pcs.indexOf(symbol(g, 'before_wfi'));
      expect(pcs.slice(i, i + 3)).toEqual([symbol(g, 'before_wfi'), symbol(g, 'after_wfi'), symbol(g, 'second')]);
    } finally {
      await o.close();
    }
  });
});

describe('(b) reading time: the reading instruction counts', () => {
  const ITER = 64;
  const g = buildGuest('tests/oracle/guests/time-read.S', { ITER, SAMPLES: '0x80100000' });

  it.each([0, 3, 6])('shift=%i: time, CLINT mtime, minstret and mcycle after n retired instructions', async (shift) => {
    // The first read of loop_time retires as instruction n0 + 1; every read is 5 later.
    const { s, read } = await at(g, 'loop_time', { shift });
    try {
      const n0 = (await read()).minstret >> BigInt(shift);
      await s.gdb.insertBreakpoint(symbol(g, 'done'));
      await s.gdb.cont();
      const mem = Buffer.from(await s.gdb.readMemory(0x80100000n, 4 * ITER * 8));
      const block = (b: number) => Array.from({ length: ITER }, (_, j) => mem.readBigUInt64LE((b * ITER + j) * 8));
      const sh = BigInt(shift);
      // Instructions retired before each read: loops are back to back, 5 per iteration, 2 between blocks.
      const n = (b: number, j: number) => n0 + BigInt(b * (5 * ITER + 1) + 5 * j);
      const ns = (b: number, j: number) => (n(b, j) + 1n) << sh;
      expect(block(0)).toEqual(block(0).map((_, j) => ns(0, j) / 100n)); // time: 10 MHz ticks
      expect(block(1)).toEqual(block(1).map((_, j) => ns(1, j))); // minstret: virtual ns!
      expect(block(2)).toEqual(block(2).map((_, j) => ns(2, j))); // mcycle: the same
      expect(block(3)).toEqual(block(3).map((_, j) => ns(3, j) / 100n)); // CLINT mtime = time
    } finally {
      await s.close();
    }
  });
});

describe('(c) timers and wfi with sleep=off', () => {
  it('a deadline is ns-at-write + (mtimecmp - mtime) * 100, and the interrupt comes after ceil(deadline / 2^shift) instructions', async () => {
    for (const [shift, delay, expected] of [[0, 3, 316], [0, 7, 716], [3, 3, 54], [3, 10, 141], [6, 5, 21]] as const) {
      const g = buildGuest('tests/oracle/guests/timer-irq.S', { IRQ_DELAY: delay });
      const o = await TraceOracle.start({ bios: g.bin, icountShift: shift });
      try {
        let prev = await o.initial();
        let retired = 0;
        for (;;) {
          const s = (await o.next())!;
          if (s.traps.some((t) => t.async)) {
            if (prev.pc !== s.traps[0]!.epc) retired++; // the log fused the last instruction with the entry
            break;
          }
          retired++;
          prev = s;
        }
        expect({ shift, delay, retired }).toEqual({ shift, delay, retired: expected });
      } finally {
        await o.close();
      }
    }
  });

  it.each([
    [0, { s5: 5017n, s6: 50n, s8: 10022n }],
    [3, { s5: 5136n, s6: 51n, s8: 10176n }],
  ] as const)('shift=%i: a wfi sleeps until the deadline exactly (time warps, nothing else moves)', async (shift, want) => {
    const g = buildGuest('tests/oracle/guests/wfi.S', { WFI_DELAY: 50 });
    const s = await QemuSession.start({ bios: g.bin, icountShift: shift });
    try {
      await s.gdb.insertBreakpoint(symbol(g, 'done'));
      await s.gdb.cont();
      const x = (await s.gdb.readCore()).x;
      expect({ s5: x[21], s6: x[22], s8: x[24] }).toEqual(want);
      expect(x[23]).toBe(symbol(g, 'after_wfi2')); // mepc: the interrupt is taken after the wfi
    } finally {
      await s.close();
    }
  });
});

describe('gdb stops and icount time', () => {
  const g = buildGuest('tests/oracle/guests/timer-irq.S', { IRQ_DELAY: 3 });

  it('Qqemu.sstep=1: the step after arming mtimecmp jumps virtual time to the deadline', async () => {
    const { s, read, step } = await at(g, 'arm', { flags: SSTEP.ENABLE });
    try {
      expect((await read()).minstret).toBe(15n);
      expect((await step()).minstret).toBe(316n); // not 16
      expect(await s.gdb.readRegister(TIME_CSR)).toBe(3n);
    } finally {
      await s.close();
    }
  });

  it('Qqemu.sstep=5 (NOTIMER): no jump; the timer fires after the same 316 instructions as in a free run', async () => {
    const { s, read, step } = await at(g, 'arm', { flags: SSTEP.ENABLE | SSTEP.NOTIMER });
    try {
      const start = await read();
      expect(start.minstret).toBe(15n);
      let entry: Awaited<ReturnType<typeof read>> | null = null;
      let prev = start;
      for (let i = 1; i <= 400 && !entry; i++) {
        const now = await step();
        if (now.pc === symbol(g, 'trap_vector')) {
          expect(now.minstret).toBe(prev.minstret); // the entry retires nothing
          entry = now;
        } else {
          expect(now.minstret).toBe(prev.minstret + 1n);
        }
        prev = now;
      }
      expect(entry?.minstret).toBe(316n);
      expect(entry?.mcause).toBe((1n << 63n) | 7n);
    } finally {
      await s.close();
    }
  });

  it('Qqemu.sstep=5: a step into a wfi that has to sleep never completes (nothing warps the clock)', async () => {
    const w = buildGuest('tests/oracle/guests/wfi.S', { WFI_DELAY: 50 });
    // Stepped there from _start: a breakpoint stop after arming would itself warp the clock.
    const { s, step } = await at(w, '_start', { flags: SSTEP.ENABLE | SSTEP.NOTIMER });
    try {
      for (let i = 0; i < 50 && (await step()).pc !== symbol(w, 'wfi1'); i++);
      const r = await Promise.race([step(), new Promise<'hung'>((res) => setTimeout(() => res('hung'), 2000))]);
      expect(r).toBe('hung');
    } finally {
      await s.close();
    }
  });

  it('a breakpoint stop does the same: the clock jumps to the deadline', async () => {
    const w = buildGuest('tests/oracle/guests/wfi.S', { WFI_DELAY: 50 });
    const s = await QemuSession.start({ bios: w.bin });
    try {
      await s.gdb.insertBreakpoint(symbol(w, 'wfi1'));
      await s.gdb.cont();
      expect(await s.gdb.readRegister(await s.gdb.regnum('minstret'))).toBe(5016n); // 19 instructions retired
    } finally {
      await s.close();
    }
  });
});
