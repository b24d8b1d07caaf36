// The lockstep driver: runs our hart (a LockstepTarget) and QEMU (an Oracle) side by side
// and stops at the first state where they disagree, with a report precise enough to fix the
// bug from (lockstep-report.ts).
//
// Step granularity (docs/ORACLE.md, finding (a)): one step is one retired instruction, one
// instruction that traps (it lands on the trap vector; ecall/ebreak count in icount, faulting
// loads/stores and illegal CSR accesses do not), or one interrupt entry (a step of its own,
// retiring nothing). The trace oracle sometimes shows an interrupt entry fused with the
// instruction before it, and always shows an instruction-fetch fault fused with the
// instruction that led to the bad pc (QEMU faults while translating the next block, before
// it logs a state there); the driver then steps the target twice for that oracle state.
//
// Fast-forward (checkEvery = K > 1) compares only every K-th state. Interrupt fusion is still
// followed at every step (it needs only the trap log and the target's pc). On a mismatch the
// driver rebuilds the target with restartTarget(), replays it silently to the last good
// checkpoint and compares every state of the window (kept in memory) to find the exact step.
import type { Oracle, OracleState } from './oracle.ts';
import { diffStates, formatDivergence, type Divergence } from './lockstep-report.ts';

export interface LockstepTarget {
  /** Executes exactly what QEMU does for one gdb single-step (see the file comment). */
  step(): void;
  pc(): bigint;
  /** Integer register i (x0..x31) as unsigned 64-bit. */
  x(i: number): bigint;
  /** FP register bits. */
  f(i: number): bigint;
  /** Optional: the disassembled instruction at pc and a one-line context for reports. */
  describe?(pc: bigint): string;
}

/** Disassembles the instruction at pc for reports (e.g. src/isa/disasm.ts over target memory). */
export type Disassembler = (pc: bigint, target: LockstepTarget) => string;

export interface LockstepOptions {
  oracle: Oracle;
  target: LockstepTarget;
  /** Oracle steps to compare after the reset state. */
  steps: number;
  /** Compare f0..f31 as well (the oracle must have been started with fpu: true). */
  compareFp?: boolean;
  /** Fast-forward: compare every K-th state only (default 1: every state). */
  checkEvery?: number;
  /** Builds a fresh target in its reset state; lets fast-forward find the exact step. */
  restartTarget?: () => LockstepTarget;
  /** Number of recent pcs in the report (default 16). */
  historyLength?: number;
  disassemble?: Disassembler;
  /** Called every progressEvery steps (default 100000). */
  onProgress?: (step: number) => void;
  progressEvery?: number;
  /** Print the divergence report to stderr (default true). */
  print?: boolean;
}

export interface LockstepResult {
  ok: boolean;
  /** Oracle steps consumed (compared or fast-forwarded). */
  steps: number;
  /** target.step() calls, which exceed `steps` by the fused interrupt entries. */
  targetSteps: number;
  fusedInterrupts: number;
  /** Oracle states where a fetch fault was fused with the jump (or fall-through) before it. */
  fusedFetchFaults: number;
  /** QEMU exited or its trace ended before `steps`. */
  oracleEnded: boolean;
  elapsedMs: number;
  divergence?: Divergence;
  report?: string;
}

/** Our side of a comparison, read once per compared state. */
function readTarget(t: LockstepTarget, fp: boolean): { pc: bigint; x: bigint[]; f: bigint[] | null } {
  const x = new Array<bigint>(32);
  for (let i = 0; i < 32; i++) x[i] = t.x(i);
  let f: bigint[] | null = null;
  if (fp) {
    f = new Array<bigint>(32);
    for (let i = 0; i < 32; i++) f[i] = t.f(i);
  }
  return { pc: t.pc(), x, f };
}

/** Exception causes raised by fetching an instruction: access fault, page fault, guest-page fault. */
const FETCH_FAULTS: ReadonlySet<bigint> = new Set([1n, 12n, 20n]);

/** What stepFor did: 1 target step, or 2 because the oracle state fused an entry into it. */
const STEP = 0;
const FUSED_INTERRUPT = 1;
const FUSED_FETCH_FAULT = 2;

/**
 * Steps the target for one oracle state. When QEMU's trace fused a trap entry into this
 * state, steps it once more: an interrupt made deliverable by the instruction, or a fetch
 * fault at the pc the instruction went to. If the target's second step is not that entry,
 * the comparison that follows reports it.
 */
function stepFor(q: OracleState, t: LockstepTarget): number {
  t.step();
  // QEMU logged the entry in this state and our target stopped right before it (at the
  // interrupted pc, or at the pc whose fetch faults): take it.
  for (const trap of q.traps) {
    const fusable = trap.async || FETCH_FAULTS.has(trap.cause);
    if (fusable && t.pc() === trap.epc && t.pc() !== q.pc) {
      t.step();
      return trap.async ? FUSED_INTERRUPT : FUSED_FETCH_FAULT;
    }
  }
  return STEP;
}

class PcHistory {
  private readonly ring: bigint[];
  private n = 0;
  constructor(private readonly size: number) {
    this.ring = new Array<bigint>(size);
  }
  push(pc: bigint): void {
    this.ring[this.n++ % this.size] = pc;
  }
  /** Oldest first. */
  list(): bigint[] {
    const count = Math.min(this.n, this.size);
    const out: bigint[] = [];
    for (let i = this.n - count; i < this.n; i++) out.push(this.ring[i % this.size]!);
    return out;
  }
}

export async function runLockstep(opts: LockstepOptions): Promise<LockstepResult> {
  const started = Date.now();
  const k = Math.max(1, Math.floor(opts.checkEvery ?? 1));
  const fp = opts.compareFp ?? false;
  const history = new PcHistory(opts.historyLength ?? 16);
  const progressEvery = opts.progressEvery ?? 100_000;
  const target = opts.target;
  let targetSteps = 0;
  let fused = 0;
  let fusedFetch = 0;
  let lastGood = 0;
  let targetStepsAtLastGood = 0;
  // States since the last good checkpoint, for narrowing (only kept when fast-forwarding).
  let window: OracleState[] = [];
  let prev: OracleState;

  const finish = (step: number, divergence: Divergence | undefined, oracleEnded: boolean): LockstepResult => {
    const result: LockstepResult = {
      ok: !divergence,
      steps: step,
      targetSteps,
      fusedInterrupts: fused,
      fusedFetchFaults: fusedFetch,
      oracleEnded,
      elapsedMs: Date.now() - started,
    };
    if (divergence) {
      result.divergence = divergence;
      result.report = formatDivergence(divergence);
      if (opts.print ?? true) process.stderr.write(result.report + '\n');
    }
    return result;
  };

  const divergenceAt = (
    step: number,
    q: OracleState,
    before: OracleState | null,
    t: LockstepTarget,
    pcs: PcHistory,
    exact: boolean,
  ): Divergence | undefined => {
    const ours = readTarget(t, fp);
    const diffs = diffStates(ours.pc, ours.x, ours.f, q);
    if (diffs.length === 0) return undefined;
    const prevPc = before ? before.pc : null;
    return {
      step,
      ourPc: ours.pc,
      qemuPc: q.pc,
      diffs,
      prevPc,
      prevInsn: prevPc === null ? '' : describe(prevPc, t, opts.disassemble),
      recentPcs: pcs.list(),
      qemuTraps: q.traps,
      qemuCsrs: q.csrs(),
      ours: { x: ours.x, f: ours.f },
      qemu: { x: q.x(), f: fp ? q.f() : null },
      exact,
      lastGoodStep: lastGood,
      oracleName: opts.oracle.name,
    };
  };

  const q0 = await opts.oracle.initial();
  const d0 = divergenceAt(0, q0, null, target, history, true);
  if (d0) return finish(0, d0, false);
  history.push(q0.pc);
  let lastGoodState: OracleState = q0;
  prev = q0;

  for (let step = 1; step <= opts.steps; step++) {
    const q = await opts.oracle.next();
    if (!q) return finish(step - 1, undefined, true);
    const how = stepFor(q, target);
    targetSteps += how === STEP ? 1 : 2;
    if (how === FUSED_INTERRUPT) fused++;
    if (how === FUSED_FETCH_FAULT) fusedFetch++;
    if (k > 1) window.push(q);
    if (k === 1 || step % k === 0 || step === opts.steps) {
      const d = divergenceAt(step, q, prev, target, history, k === 1);
      if (d) {
        if (k === 1 || !opts.restartTarget) return finish(step, d, false);
        return finish(step, narrow(opts, window, lastGoodState, lastGood, targetStepsAtLastGood, fp), false);
      }
      lastGood = step;
      lastGoodState = q;
      targetStepsAtLastGood = targetSteps;
      window = [];
    }
    history.push(q.pc);
    prev = q;
    if (opts.onProgress && step % progressEvery === 0) opts.onProgress(step);
  }
  return finish(opts.steps, undefined, false);
}

/**
 * Replays a fresh target to the last good checkpoint, then compares every state of the
 * window to find the first bad step.
 */
function narrow(
  opts: LockstepOptions,
  window: OracleState[],
  lastGoodState: OracleState,
  lastGood: number,
  targetStepsAtLastGood: number,
  fp: boolean,
): Divergence {
  const t = opts.restartTarget!();
  for (let i = 0; i < targetStepsAtLastGood; i++) t.step();
  const history = new PcHistory(opts.historyLength ?? 16);
  history.push(lastGoodState.pc);
  let prev = lastGoodState;
  for (let i = 0; i < window.length; i++) {
    const q = window[i]!;
    const step = lastGood + 1 + i;
    stepFor(q, t);
    const ours = readTarget(t, fp);
    const diffs = diffStates(ours.pc, ours.x, ours.f, q);
    if (diffs.length) {
      const prevPc = prev.pc;
      return {
        step,
        ourPc: ours.pc,
        qemuPc: q.pc,
        diffs,
        prevPc,
        prevInsn: describe(prevPc, t, opts.disassemble),
        recentPcs: history.list(),
        qemuTraps: q.traps,
        qemuCsrs: q.csrs(),
        ours: { x: ours.x, f: ours.f },
        qemu: { x: q.x(), f: fp ? q.f() : null },
        exact: true,
        lastGoodStep: step - 1,
        oracleName: opts.oracle.name,
      };
    }
    history.push(q.pc);
    prev = q;
  }
  // The fresh target agreed everywhere: the first one must have behaved differently.
  throw new Error(
    `fast-forward saw a mismatch by step ${lastGood + window.length} but a restarted target replayed ` +
      `steps ${lastGood + 1}..${lastGood + window.length} without one: the target is not deterministic`,
  );
}

function describe(pc: bigint, t: LockstepTarget, dis: Disassembler | undefined): string {
  try {
    if (dis) return dis(pc, t);
    if (t.describe) return t.describe(pc);
  } catch (e) {
    return `(disassembler failed: ${String(e)})`;
  }
  return '(no disassembler given)';
}
