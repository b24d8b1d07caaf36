// Our Machine as a LockstepTarget: one step() is one Machine.stepOnce(), which has QEMU's
// single-step granularity (docs/ORACLE.md §1): an instruction, a trapping instruction that
// stops on its vector, or an interrupt entry on its own. The trace oracle's fusion of an
// interrupt entry with the instruction that made it deliverable is the driver's business
// (lockstep.ts steps us twice), so nothing here looks ahead.
import { Machine, type MachineConfig, type StepResult } from '../../../src/machine/machine.ts';
import { decode } from '../../../src/isa/decode.ts';
import { disassemble, instructionLength } from '../../../src/isa/disasm.ts';
import type { LockstepTarget } from './lockstep.ts';
import type { Oracle } from './oracle.ts';

export class MachineTarget implements LockstepTarget {
  /** What the last step did (for tests that want to know whether it was an interrupt). */
  last: StepResult | null = null;
  /** Steps that executed an F/D instruction (counted only with watchFp). */
  fpSteps = 0;
  /** Interrupt entries, and instructions that trapped without retiring (memory/CSR faults). */
  interrupts = 0;
  unretired = 0;

  constructor(
    readonly machine: Machine,
    readonly hartIndex = 0,
    /** Count steps whose instruction is F/D (costs a memory peek per step). */
    private readonly watchFp = false,
  ) {}

  static create(config: MachineConfig, watchFp = false): MachineTarget {
    return new MachineTarget(new Machine(config), 0, watchFp);
  }

  private get hart() {
    return this.machine.harts[this.hartIndex]!;
  }

  /** icount and pc of the first F/D instruction seen (with watchFp). */
  firstFp: { icount: number; pc: bigint } | null = null;

  step(): void {
    if (this.watchFp && isFpInstruction(this.fetch(this.hart.pc))) {
      this.fpSteps++;
      this.firstFp ??= { icount: this.machine.icount, pc: this.hart.pc };
    }
    const r = this.machine.stepOnce();
    this.last = r;
    if (r.kind === 'interrupt') this.interrupts++;
    else if (r.kind === 'instruction' && r.retired === 0) this.unretired++;
    // QEMU would sit forever in these states and the oracle would never answer: fail loudly
    if (r.kind === 'idle') throw new Error(`every hart waits in wfi with no timer armed (pc 0x${this.hart.pc.toString(16)})`);
    if (r.kind === 'stuck') throw new Error(`hart ${r.hart} is stuck: instruction fetch keeps faulting at 0x${r.pc.toString(16)}`);
  }

  pc(): bigint {
    return this.hart.pc;
  }

  x(i: number): bigint {
    return this.hart.getX(i);
  }

  f(i: number): bigint {
    return this.hart.getF(i);
  }

  /**
   * The raw instruction at pc, read as a physical address (the firmware and our generated
   * programs run with satp = 0), or null outside RAM/ROM.
   */
  fetch(pc: bigint): number | null {
    if (pc < 0n || pc > 0xffff_ffffn) return null;
    const lo = this.machine.peek(Number(pc), 2);
    if (!lo) return null;
    const half = lo[0]! | (lo[1]! << 8);
    if ((half & 3) !== 3) return half;
    const hi = this.machine.peek(Number(pc) + 2, 2);
    return hi ? (half | (hi[0]! << 16) | (hi[1]! << 24)) >>> 0 : null;
  }

  /** objdump-style `hexbytes  mnemonic operands` for the instruction at pc. */
  describe(pc: bigint): string {
    const raw = this.fetch(pc);
    if (raw === null) return `(0x${pc.toString(16)} is not in RAM or ROM)`;
    const len = instructionLength(raw & 0xffff);
    const hex = (len === 2 ? raw & 0xffff : raw >>> 0).toString(16).padStart(len * 2, '0');
    return `${hex}  ${disassemble(decode(raw), pc).replace(/\t/g, ' ')}`;
  }
}

/**
 * Ends an oracle's sequence once `done()` holds, so a lockstep run can be bounded by what the
 * target did (e.g. instructions retired) rather than by steps: runLockstep compares the state
 * after every step, then sees the end of the oracle and returns ok with oracleEnded.
 */
export function oracleUntil(oracle: Oracle, done: () => boolean): Oracle {
  return {
    name: oracle.name,
    initial: () => oracle.initial(),
    next: () => (done() ? Promise.resolve(null) : oracle.next()),
    close: () => oracle.close(),
  };
}

/**
 * Fails a step QEMU never finishes (a guest sleeping in wfi with nothing armed to wake it
 * produces no more log) instead of waiting forever; `where` describes our side.
 */
export function oracleWithTimeout(oracle: Oracle, ms: number, where: () => string): Oracle {
  const timed = <T>(p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`QEMU produced no state for ${ms} ms (asleep in wfi?); ours: ${where()}`)), ms);
    });
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
  };
  return {
    name: oracle.name,
    initial: () => timed(oracle.initial()),
    next: () => timed(oracle.next()),
    close: () => oracle.close(),
  };
}

/** Whether a raw instruction is an F/D one (loads/stores, FMA, OP-FP, compressed FLD/FSD). */
export function isFpInstruction(raw: number | null): boolean {
  if (raw === null) return false;
  if ((raw & 3) !== 3) {
    // C.FLD (quadrant 0, funct3 001), C.FSD (0, 101), C.FLDSP (2, 001), C.FSDSP (2, 101)
    const q = raw & 3;
    const f3 = (raw >>> 13) & 7;
    return (q === 0 || q === 2) && (f3 === 1 || f3 === 5);
  }
  const opcode = raw & 0x7f;
  if (opcode === 0x07 || opcode === 0x27) return true; // LOAD-FP / STORE-FP
  if (opcode === 0x43 || opcode === 0x47 || opcode === 0x4b || opcode === 0x4f) return true; // FMADD..FNMADD
  if (opcode === 0x53) return true; // OP-FP
  return false;
}
