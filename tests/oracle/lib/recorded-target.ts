// A LockstepTarget that replays states recorded from an oracle (a second QEMU). It is how the
// lockstep driver is tested without our hart: two QEMUs must agree, and a state edited on
// purpose must be reported at exactly that step.
import type { LockstepTarget } from './lockstep.ts';
import type { Oracle, OracleState } from './oracle.ts';

/** Reads the reset state and `steps` more from an oracle, then closes it. */
export async function recordOracle(oracle: Oracle, steps: number): Promise<OracleState[]> {
  try {
    const states = [await oracle.initial()];
    for (let i = 0; i < steps; i++) {
      const s = await oracle.next();
      if (!s) break;
      states.push(s);
    }
    return states;
  } finally {
    await oracle.close();
  }
}

/**
 * A register edit applied when replaying states `at`..`until` (default: to the end, like a
 * real bug whose wrong value keeps propagating; a fault confined to one state is invisible
 * to fast-forward unless it lands on a checkpoint).
 */
export interface InjectedFault {
  at: number;
  until?: number;
  reg: number;
  xor: bigint;
}

export class RecordedTarget implements LockstepTarget {
  private i = 0;

  constructor(
    private readonly states: readonly OracleState[],
    private readonly fault: InjectedFault | null = null,
  ) {}

  step(): void {
    if (this.i + 1 >= this.states.length) throw new Error(`the recording has only ${this.states.length - 1} steps`);
    this.i++;
  }

  pc(): bigint {
    return this.states[this.i]!.pc;
  }

  x(r: number): bigint {
    const v = this.states[this.i]!.x()[r]!;
    const f = this.fault;
    return f && f.reg === r && this.i >= f.at && this.i <= (f.until ?? Infinity) ? v ^ f.xor : v;
  }

  f(r: number): bigint {
    const f = this.states[this.i]!.f();
    if (!f) throw new Error('the recording has no FP registers');
    return f[r]!;
  }

  describe(pc: bigint): string {
    return `(recorded state ${this.i}, pc 0x${pc.toString(16)})`;
  }

  /** Index of the current state (the number of steps taken). */
  get position(): number {
    return this.i;
  }
}
