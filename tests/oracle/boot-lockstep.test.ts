// Issue 2's acceptance: our Machine and QEMU 7.2 agree on pc and x1..x31 after every step of
// Debian's OpenSBI + U-Boot boot, for the first 5,000,000 retired instructions (interrupt
// entries and faulting instructions are steps of their own and are compared too).
//
// Both machines get byte-identical device trees: ours is given to QEMU with -dtb, and ours
// carries the /chosen/rng-seed bytes QEMU writes at reset with -seed 1 (guest-fdt.ts). That is
// checked first by reading QEMU's RAM, because the firmware copies and parses the whole tree.
//
// FP registers are compared too: OpenSBI writes all 32 (fmv.w.x f0..f31 around instruction
// 2,409,000, its FPU init) and nothing else in the boot touches them. That costs about a third
// of the oracle's speed (QEMU logs 8 more lines per step). ORACLE_BOOT_FP=0 skips them for
// quick runs; the target then watches every instruction and fails if one is F/D.
//   ORACLE_BOOT_INSNS=N   instructions to cover (default 5000000; 61608528 reaches U-Boot's prompt)
//   ORACLE_BOOT_FP=0      compare pc + x1..x31 only
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImage } from '../../src/machine/image.ts';
import type { MachineConfig } from '../../src/machine/machine.ts';
import { QEMU_SEED1_RNG_SEED, readQemuGuestFdt, rngSeedOf } from './lib/guest-fdt.ts';
import { runLockstep } from './lib/lockstep.ts';
import { MachineTarget, oracleUntil } from './lib/machine-target.ts';
import { OPENSBI_FW_DYNAMIC, QEMU_CPU_RV64GC, UBOOT_SMODE, type QemuOptions } from './lib/qemu-session.ts';
import { TraceOracle } from './lib/trace-oracle.ts';

const INSNS = Number(process.env['ORACLE_BOOT_INSNS'] ?? 5_000_000);
const FP = process.env['ORACLE_BOOT_FP'] !== '0';
const SHIFT = 6; // our default (docs/ORACLE.md §5)
const MEM = 256 * 1024 * 1024;

const config = (): MachineConfig => ({
  memBytes: MEM,
  harts: 1,
  icountShift: SHIFT,
  bios: readImage('bios', OPENSBI_FW_DYNAMIC),
  kernel: readImage('kernel', UBOOT_SMODE),
  wallClockNs: () => 0n,
  rngSeed: QEMU_SEED1_RNG_SEED,
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'chronovisor-boot-lockstep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OpenSBI + U-Boot boot in lockstep with QEMU 7.2', () => {
  const first = MachineTarget.create(config());
  const dtb = path.join(dir, 'virt.dtb');
  writeFileSync(dtb, first.machine.fdt);
  const qemu: QemuOptions = {
    bios: OPENSBI_FW_DYNAMIC,
    kernel: UBOOT_SMODE,
    dtb,
    memory: '256M',
    cpu: QEMU_CPU_RV64GC,
    icountShift: SHIFT,
    seed: 1,
  };

  it('QEMU hands the firmware the same device tree bytes as our machine', async () => {
    const theirs = await readQemuGuestFdt(qemu, BigInt(first.machine.fdtAddr));
    const seed = rngSeedOf(theirs);
    expect(
      theirs.length === first.machine.fdt.length && theirs.every((b, i) => b === first.machine.fdt[i]),
      `QEMU's tree in RAM differs from ours; its rng-seed is ${seed ? Buffer.from(seed).toString('hex') : 'absent'} ` +
        `(QEMU_SEED1_RNG_SEED in tests/oracle/lib/guest-fdt.ts must equal it)`,
    ).toBe(true);
  });

  it(`agrees on pc + x1..x31${FP ? ' + f0..f31' : ''} after every step for the first ${INSNS} instructions`, async () => {
    const target = new MachineTarget(first.machine, 0, !FP);
    const oracle = await TraceOracle.start({ ...qemu, fpu: FP });
    const started = Date.now();
    try {
      const r = await runLockstep({
        oracle: oracleUntil(oracle, () => target.machine.icount >= INSNS),
        target,
        restartTarget: () => MachineTarget.create(config()),
        steps: Number.MAX_SAFE_INTEGER,
        compareFp: FP,
        onProgress: (s) => process.stderr.write(`  boot lockstep: ${s} steps, icount ${target.machine.icount}, ${Math.round(s / ((Date.now() - started) / 1000))} steps/s\n`),
        progressEvery: 1_000_000,
      });
      expect(r.report).toBeUndefined();
      expect(r.ok).toBe(true);
      expect(target.machine.icount).toBeGreaterThanOrEqual(INSNS);
      if (!FP) {
        const first = target.firstFp;
        const where = first ? ` (first at icount ${first.icount}, pc 0x${first.pc.toString(16)})` : '';
        expect(target.fpSteps, `the firmware executed F/D instructions${where}: rerun without ORACLE_BOOT_FP=0`).toBe(0);
      }
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      console.log(
        `lockstep: ${target.machine.icount} instructions (${r.steps} steps: ${target.interrupts} interrupt entries, ` +
          `${target.unretired} faulting instructions, ${r.fusedInterrupts} fused in QEMU's log), OpenSBI + U-Boot, ` +
          `pc + x1..x31${FP ? ' + f0..f31' : ''} agree (${secs} s)`,
      );
    } finally {
      await oracle.close();
    }
  });
});
