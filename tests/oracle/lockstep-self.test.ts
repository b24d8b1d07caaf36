// The lockstep driver tested against a second QEMU: recordings of one QEMU replayed as the
// target must agree with another QEMU, and a state corrupted on purpose must be reported
// at exactly that step, also through fast-forward narrowing.
import { describe, expect, it } from 'vitest';
import { buildGuest, symbol } from './lib/build-guest.ts';
import { GdbOracle } from './lib/gdb-oracle.ts';
import { runLockstep } from './lib/lockstep.ts';
import { objdumpDisassembler } from './lib/objdump-disassembler.ts';
import type { OracleState } from './lib/oracle.ts';
import { OPENSBI_FW_DYNAMIC, UBOOT_SMODE } from './lib/qemu-session.ts';
import { RecordedTarget, recordOracle } from './lib/recorded-target.ts';
import { TraceOracle } from './lib/trace-oracle.ts';

const BOOT = { bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE };

describe('lockstep against a second QEMU', () => {
  it('a gdb-stepped QEMU (as target) agrees with a traced QEMU on the first 20000 boot steps', async () => {
    const recorded = await recordOracle(await GdbOracle.start(BOOT), 20_000);
    const oracle = await TraceOracle.start(BOOT);
    try {
      const r = await runLockstep({ oracle, target: new RecordedTarget(recorded), steps: 20_000 });
      expect(r.report).toBeUndefined();
      expect(r.ok).toBe(true);
      expect(r.steps).toBe(20_000);
      expect(r.fusedInterrupts).toBe(0);
    } finally {
      await oracle.close();
    }
  });

  it('a traced QEMU (as target) agrees with the gdb oracle, FP registers included', async () => {
    const recorded = await recordOracle(await TraceOracle.start({ ...BOOT, fpu: true }), 3000);
    const oracle = await GdbOracle.start({ ...BOOT, fpu: true, csrs: ['mstatus', 'priv'] });
    try {
      const r = await runLockstep({ oracle, target: new RecordedTarget(recorded), steps: 3000, compareFp: true });
      expect(r.ok).toBe(true);
    } finally {
      await oracle.close();
    }
  });

  describe('an injected fault', () => {
    let recorded: OracleState[];
    const record = async () => (recorded ??= await recordOracle(await TraceOracle.start(BOOT), 1200));
    const fault = { at: 777, reg: 10, xor: 0x10n };
    const transient = { ...fault, until: 777 };

    it('is reported at exactly its step, with the registers, instruction and recent pcs', async () => {
      const states = await record();
      const oracle = await TraceOracle.start(BOOT);
      try {
        const r = await runLockstep({
          oracle,
          target: new RecordedTarget(states, transient),
          steps: 1200,
          disassemble: objdumpDisassembler([{ path: OPENSBI_FW_DYNAMIC, base: 0x80000000n }]),
          print: false,
        });
        expect(r.ok).toBe(false);
        const d = r.divergence!;
        expect(d.step).toBe(777);
        expect(d.exact).toBe(true);
        expect(d.diffs).toEqual([{ name: 'x10/a0', ours: states[777]!.x()[10]! ^ 0x10n, qemu: states[777]!.x()[10]! }]);
        expect(d.prevPc).toBe(states[776]!.pc);
        expect(d.recentPcs).toEqual(states.slice(761, 777).map((s) => s.pc));
        expect(d.prevInsn).toMatch(/^[0-9a-f]{4,8}\s+\S+/); // objdump: "hex  mnemonic operands"
        expect(r.report).toContain('at step 777');
        expect(r.report).toContain(`after executing 0x${states[776]!.pc.toString(16)}: ${d.prevInsn}`);
        expect(r.report).toMatch(/\* x10 a0/);
      } finally {
        await oracle.close();
      }
    });

    it('is narrowed to its exact step by fast-forward with a restartable target', async () => {
      const states = await record();
      const oracle = await TraceOracle.start(BOOT);
      try {
        const r = await runLockstep({
          oracle,
          target: new RecordedTarget(states, fault),
          restartTarget: () => new RecordedTarget(states, fault),
          steps: 1200,
          checkEvery: 500,
          print: false,
        });
        expect(r.divergence?.step).toBe(777);
        expect(r.divergence?.exact).toBe(true);
        expect(r.divergence?.prevPc).toBe(states[776]!.pc);
      } finally {
        await oracle.close();
      }
    });

    it('is bracketed by checkpoints when fast-forward cannot restart the target', async () => {
      const states = await record();
      const oracle = await TraceOracle.start(BOOT);
      try {
        const r = await runLockstep({ oracle, target: new RecordedTarget(states, fault), steps: 1200, checkEvery: 500, print: false });
        expect(r.divergence?.exact).toBe(false);
        expect(r.divergence?.lastGoodStep).toBe(500);
        expect(r.divergence?.step).toBe(1000);
      } finally {
        await oracle.close();
      }
    });
  });

  it('matches an interrupt entry that the trace fuses with the instruction enabling it', async () => {
    const g = buildGuest('tests/oracle/guests/irq-enable.S');
    // gdb steps: ..., csrsi (pc -> after_enable), interrupt entry (pc -> trap_vector), ...
    const recorded = await recordOracle(await GdbOracle.start({ bios: g.bin }), 30);
    const enableStep = recorded.findIndex((s) => s.pc === symbol(g, 'after_enable'));
    expect(recorded[enableStep + 1]!.pc).toBe(symbol(g, 'trap_vector'));
    const oracle = await TraceOracle.start({ bios: g.bin });
    try {
      const r = await runLockstep({ oracle, target: new RecordedTarget(recorded), steps: 25 });
      expect(r.ok).toBe(true);
      expect(r.fusedInterrupts).toBe(1);
      expect(r.targetSteps).toBe(26);
    } finally {
      await oracle.close();
    }
  });

  it.each(['trace', 'gdb'] as const)('a program that powers the machine off ends the run cleanly (%s oracle)', async (kind) => {
    const g = buildGuest('tests/oracle/guests/poweroff.S');
    const start = () => (kind === 'trace' ? TraceOracle.start({ bios: g.bin }) : GdbOracle.start({ bios: g.bin }));
    const recorded = await recordOracle(await start(), 100);
    expect(recorded.at(-1)!.pc).toBe(symbol(g, 'poweroff'));
    const oracle = await start();
    try {
      const r = await runLockstep({ oracle, target: new RecordedTarget(recorded), steps: 100 });
      expect(r.ok).toBe(true);
      expect(r.oracleEnded).toBe(true);
      expect(r.steps).toBe(recorded.length - 1);
    } finally {
      await oracle.close();
    }
  });

  it('two free-running QEMUs agree through timer interrupts and wfi', async () => {
    for (const [src, defines, steps] of [
      ['tests/oracle/guests/timer-irq.S', { IRQ_DELAY: 3 }, 400],
      ['tests/oracle/guests/wfi.S', { WFI_DELAY: 50 }, 45],
    ] as const) {
      const g = buildGuest(src, defines);
      const recorded = await recordOracle(await TraceOracle.start({ bios: g.bin }), steps);
      expect(recorded.some((s) => s.traps.some((t) => t.async))).toBe(true);
      const oracle = await TraceOracle.start({ bios: g.bin });
      try {
        const r = await runLockstep({ oracle, target: new RecordedTarget(recorded), steps });
        expect(r.ok).toBe(true);
      } finally {
        await oracle.close();
      }
    }
  });
});
