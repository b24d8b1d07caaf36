// Generated programs in lockstep with QEMU 7.2: fast-check builds raw -bios images of random
// snippets (ALU, branches and loops, loads/stores incl. misaligned, M, A, F/D with special
// operands and every rounding mode, fflags/frm/fcsr, CSRs, traps, interrupts, wfi, U/S-mode
// round trips, RVC, self-modifying code: lib/program-gen*.ts), runs each on QEMU (trace
// oracle, FP registers logged) and on our Machine, and compares pc, x1..x31 and f0..f31 after
// every step until the program writes 0x5555 to the finisher.
//
// Fixed seed by default, so CI runs the same programs every time. To explore:
//   ORACLE_PROGRAM_RUNS=200 ORACLE_PROGRAM_SEED=7 npm run test:oracle -- program-lockstep
// A failure prints fast-check's {seed, path} (replay it with ORACLE_PROGRAM_SEED and
// ORACLE_PROGRAM_PATH), the lockstep report (both register files, the instruction, QEMU's
// trap log) and where the program's listing was written.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { imageFromBytes } from '../../src/machine/image.ts';
import { runLockstep } from './lib/lockstep.ts';
import { MachineTarget, oracleWithTimeout } from './lib/machine-target.ts';
import { programArb, type Program } from './lib/program-gen.ts';
import { buildProgramImage } from './lib/program-image.ts';
import { RAM_MIB } from './lib/program-layout.ts';
import { QEMU_CPU_RV64GC } from './lib/qemu-session.ts';
import { TraceOracle } from './lib/trace-oracle.ts';

const RUNS = Number(process.env['ORACLE_PROGRAM_RUNS'] ?? 40);
const SEED = Number(process.env['ORACLE_PROGRAM_SEED'] ?? 20261121);
const PATH = process.env['ORACLE_PROGRAM_PATH'];
const SNIPPETS = { minSnippets: 150, maxSnippets: 400 };
/** A program that has not finished after this many steps has a generator bug (a loop). */
const MAX_STEPS = 200_000;

const dir = mkdtempSync(path.join(os.tmpdir(), 'chronovisor-program-lockstep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  steps: number;
  interrupts: number;
}

async function runProgram(p: Program, index: number): Promise<Outcome> {
  const img = buildProgramImage(p);
  const bin = path.join(dir, `program-${index}.bin`);
  writeFileSync(bin, img.bytes);
  const target = MachineTarget.create({
    memBytes: RAM_MIB * 1024 * 1024,
    harts: 1,
    icountShift: p.shift,
    bios: imageFromBytes('bios', bin, img.bytes),
    kernel: null,
    wallClockNs: () => 0n,
  });
  const oracle = await TraceOracle.start({ bios: bin, memory: `${RAM_MIB}M`, cpu: QEMU_CPU_RV64GC, icountShift: p.shift, fpu: true });
  try {
    const watched = oracleWithTimeout(oracle, 30_000, () => `pc 0x${target.pc().toString(16)}, last step ${JSON.stringify(target.last)}`);
    const r = await runLockstep({ oracle: watched, target, steps: MAX_STEPS, compareFp: true, print: false });
    if (!r.ok) {
      const listing = path.join(os.tmpdir(), `chronovisor-program-${SEED}-${index}.txt`);
      writeFileSync(listing, `shift ${p.shift}\n${img.listing}\n`);
      throw new Error(`${r.report}\n  program listing (shift ${p.shift}): ${listing}, image ${bin}`);
    }
    if (!r.oracleEnded) throw new Error(`the program did not reach the finisher within ${MAX_STEPS} steps (generator bug?)`);
    // QEMU exits inside the finisher store, so its last state is the one before it
    const last = target.machine.stepOnce();
    const end = last.kind === 'instruction' ? target.machine.stepOnce() : last;
    if (end.kind !== 'finished') throw new Error(`QEMU's run ended but ours did not finish (${end.kind} at pc 0x${target.pc().toString(16)})`);
    return { steps: r.steps, interrupts: target.interrupts };
  } finally {
    await oracle.close();
  }
}

describe('generated programs in lockstep with QEMU 7.2 (pc, x1..x31, f0..f31)', () => {
  it(`${RUNS} programs (seed ${SEED}) agree after every step`, async () => {
    let index = 0;
    let steps = 0;
    let interrupts = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(programArb(SNIPPETS), async (p) => {
        const o = await runProgram(p, index++);
        steps += o.steps;
        interrupts += o.interrupts;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, ...(PATH ? { path: PATH } : {}) },
    );
    expect(index).toBeGreaterThan(0);
    console.log(
      `lockstep: ${index} generated programs, ${steps} instructions/steps (${interrupts} interrupt entries) agree with QEMU ` +
        `on pc + x1..x31 + f0..f31 (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  });
});
