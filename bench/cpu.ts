// CPU benchmark: our CPU-bound guest (guests/bench: CRC-32, sieve, SHA-256) on Chronovisor's
// bare machine, and the same image on QEMU 7.2 TCG, measured in the same run.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { cpuSeconds } from './replay.ts';
import { BENCH_BIN, BENCH_PASS_LINE } from '../guests/bench/image.ts';
import { readImage } from '../src/machine/image.ts';
import { Machine } from '../src/machine/machine.ts';
import type { Figures } from './results.ts';

export interface CpuResult {
  instructions: number;
  seconds: number;
  mips: number;
}

/** Runs the bench guest to poweroff on our machine. */
export function runOurs(): CpuResult {
  let out = '';
  const m = new Machine({
    memBytes: 256 << 20,
    harts: 1,
    icountShift: 0,
    bios: readImage('bios', BENCH_BIN),
    kernel: null,
    wallClockNs: () => 0n,
    onConsole: (b) => {
      out += String.fromCharCode(b);
    },
  });
  // process CPU time: steady on a busy machine (V8's background compiler threads included)
  const t0 = cpuSeconds();
  let stop;
  do stop = m.run(50_000_000);
  while (stop.kind === 'budget');
  const seconds = cpuSeconds() - t0;
  if (stop.kind !== 'finished' || stop.finish.kind !== 'poweroff' || !out.includes(BENCH_PASS_LINE)) {
    throw new Error(`bench guest did not pass on Chronovisor (${stop.kind}); output:\n${out}`);
  }
  return { instructions: m.icount, seconds, mips: m.icount / seconds / 1e6 };
}

/** Runs the same image on QEMU TCG (plain, no icount: QEMU at its fastest). */
export function runQemu(instructions: number): CpuResult | null {
  const args = ['-M', 'virt', '-m', '256M', '-nographic', '-bios', BENCH_BIN, '-monitor', 'none', '-serial', 'stdio'];
  const probe = spawnSync('qemu-system-riscv64', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const t0 = performance.now();
  const r = spawnSync('qemu-system-riscv64', args, { encoding: 'utf8', timeout: 120_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (!r.stdout.includes(BENCH_PASS_LINE)) throw new Error(`bench guest did not pass on QEMU:\n${r.stdout}\n${r.stderr}`);
  return { instructions, seconds, mips: instructions / seconds / 1e6 };
}

export function cpuBenchmark(log: (s: string) => void): Figures {
  const ours = runOurs();
  log(`chronovisor: ${ours.instructions} instructions in ${ours.seconds.toFixed(2)} s of CPU = ${ours.mips.toFixed(1)} MIPS`);
  const qemu = runQemu(ours.instructions);
  const figures: Figures = {
    'cpu.mips': round(ours.mips),
    'cpu.instructions': ours.instructions,
    'cpu.seconds': round(ours.seconds),
  };
  if (qemu) {
    log(`qemu 7.2 TCG: same image in ${qemu.seconds.toFixed(2)} s = ${qemu.mips.toFixed(1)} MIPS (process start included)`);
    log(`ratio: chronovisor runs at ${(ours.mips / qemu.mips).toFixed(3)}x QEMU TCG's speed`);
    figures['qemu.mips'] = round(qemu.mips);
    figures['qemu.seconds'] = round(qemu.seconds);
    figures['cpu.vsQemu'] = round(ours.mips / qemu.mips, 4);
  } else {
    log('qemu-system-riscv64 not found: QEMU figures skipped (apt-get install qemu-system-misc)');
  }
  return figures;
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
