// Study: the current src/machine Machine against the trace oracle on the OpenSBI + U-Boot
// boot. The adapter steps with run(1); interrupts (none expected early in the boot) would
// need the lead's proper step(). usage: run-ts hart-boot-lockstep.ts [STEPS] [CHECK_EVERY]
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Machine } from '../../../src/machine/machine.ts';
import { readImage } from '../../../src/machine/image.ts';
import { runLockstep, type LockstepTarget } from '../lib/lockstep.ts';
import { objdumpDisassembler } from '../lib/objdump-disassembler.ts';
import { TraceOracle } from '../lib/trace-oracle.ts';
import { OPENSBI_FW_DYNAMIC, QEMU_CPU_RV64GC, UBOOT_SMODE } from '../lib/qemu-session.ts';

const steps = Number(process.argv[2] ?? 1_000_000);
const every = Number(process.argv[3] ?? 1);
function makeTarget(): LockstepTarget & { fdt: Uint8Array } {
  const m = new Machine({
    memBytes: 256 * 1024 * 1024,
    harts: 1,
    icountShift: 6,
    bios: readImage('bios', OPENSBI_FW_DYNAMIC),
    kernel: readImage('kernel', UBOOT_SMODE),
    wallClockNs: () => 0n,
  });
  const h = m.harts[0]!;
  // QEMU adds /chosen/rng-seed (fixed by -seed 1) to any tree it is given; until our
  // generator does the same, the study loads QEMU's final tree into our RAM too.
  if (process.env['SAME_DTB']) m.mem.load(m.fdtAddr, new Uint8Array(readFileSync(process.env['SAME_DTB'])), 'device tree');
  return {
    fdt: m.fdt,
    step: () => void m.run(1),
    pc: () => h.pc,
    x: (i) => h.getX(i),
    f: (i) => h.getF(i),
  };
}
// Our machine's device tree is given to QEMU too (-dtb), so both firmware runs parse the same bytes.
const dtbFile = path.join(os.tmpdir(), 'chronovisor-hart-boot.dtb');
writeFileSync(dtbFile, makeTarget().fdt);
const oracle = await TraceOracle.start({ bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE, dtb: process.env['SAME_DTB'] ?? dtbFile, cpu: QEMU_CPU_RV64GC, icountShift: 6 });
const t0 = Date.now();
const r = await runLockstep({
  oracle,
  target: makeTarget(),
  restartTarget: makeTarget,
  steps,
  checkEvery: every,
  disassemble: objdumpDisassembler([{ path: OPENSBI_FW_DYNAMIC, base: 0x80000000n }, { path: UBOOT_SMODE, base: 0x80200000n }]),
  onProgress: (s) => process.stderr.write(`  ${s} steps, ${Math.round(s / ((Date.now() - t0) / 1000))}/s\n`),
  progressEvery: 250_000,
});
console.log(`ok=${r.ok} steps=${r.steps} targetSteps=${r.targetSteps} fused=${r.fusedInterrupts} ${Math.round(r.elapsedMs / 1000)} s (${Math.round(r.steps / (r.elapsedMs / 1000))} steps/s)`);
await oracle.close();
