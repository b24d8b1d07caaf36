// Continue and reverse-continue to breakpoints at full speed. The breakpoints' slots are armed
// in the decoded-code cache (cpu/exec-breaks.ts), so the replay runs compiled and interpreted
// code as usual and stops only right before an instruction at a breakpoint's pc; there the
// timeline is put at exactly that position and one probed step (scan.ts) says whether it is a
// hit — the same verdict single-stepping gives, since both go through the same probe. A stop
// that is not a hit (another alias of the page, a hart outside the breakpoint's scope, an
// instruction that traps before retiring) is stepped over and the run goes on.
//
// Reverse-continue goes back block by block, doubling: a block up to `slowBlock` instructions is
// single-stepped (cheap, and dense hits cost nothing extra); a larger one is run at full speed
// to its first hit, and once one is found the search halves the range toward its end, each
// half run at full speed, until a range small enough to single-step holds the last hit.
// Watchpoints need every access checked: with any watchpoint set, scan.ts does the work.
import { ExecBreaks } from '../../cpu/exec-breaks.ts';
import type { Timeline } from '../timeline.ts';
import type { Job, JobProgress, JobState, SliceBudget } from './job.ts';
import { StepProbe } from './probe.ts';
import { probedStep, type ContinueResult } from './scan.ts';
import type { StopHit, StopSet } from './stops.ts';

export interface FastContinueOptions {
  /** Instructions run at full speed between looks at the slice budget (default 4,000,000). */
  chunk?: number;
  /** Reverse: blocks up to this many instructions are single-stepped (default 32,768). */
  slowBlock?: number;
  /** Reverse: the first block's size, doubling up to maxBlock (defaults 4,096 and 2^26). */
  firstBlock?: number;
  maxBlock?: number;
}

const DEFAULTS: Required<FastContinueOptions> = { chunk: 4_000_000, slowBlock: 32_768, firstBlock: 4096, maxBlock: 64 * 1024 * 1024 };

/** Pauses between units of work; the job's run() resumes the generator. */
type Work<T> = Generator<void, T, void>;

/** The breakpoints to arm, each scoped to the harts of its domain/vCPU as the system has them now. */
function armFor(tl: Timeline, stops: StopSet): ExecBreaks {
  const harts = tl.system.allHarts();
  return new ExecBreaks(
    stops.breakpoints.map((b) => ({
      pc: b.pc,
      exclude: b.domain === undefined ? null : new Set(harts.filter((x) => x.domain !== b.domain || (b.vcpu !== undefined && x.vcpu !== b.vcpu)).map((x) => x.hart)),
    })),
  );
}

/** A job that runs a generator until it returns, pausing at its yields when the budget is spent. */
abstract class GeneratorJob implements Job<ContinueResult> {
  abstract readonly progress: JobProgress;
  protected readonly probe: StepProbe;
  protected readonly opts: Required<FastContinueOptions>;
  private work: Work<ContinueResult> | null = null;
  private cancelled = false;

  constructor(
    protected readonly tl: Timeline,
    protected readonly stops: StopSet,
    opts: FastContinueOptions = {},
  ) {
    this.probe = new StepProbe(tl.system, false);
    this.opts = { ...DEFAULTS, ...opts };
  }

  protected abstract body(): Work<ContinueResult>;
  /** Undoes what cancelling must undo; returns the message. */
  protected abstract onCancel(): string;
  /** Updates `progress` between units of work (the reverse search does it as it goes). */
  protected noteProgress(): void {}

  cancel(): void {
    this.cancelled = true;
  }

  run(budget: SliceBudget): JobState<ContinueResult> {
    try {
      if (this.cancelled) {
        this.probe.detach();
        return { status: 'cancelled', message: this.onCancel() };
      }
      this.work ??= this.body();
      for (;;) {
        const r = this.work.next();
        if (r.done) {
          this.probe.detach();
          return { status: 'done', result: r.value };
        }
        this.noteProgress();
        if (budget.spent()) return { status: 'running' };
      }
    } catch (e) {
      this.probe.detach();
      throw e;
    }
  }

  /**
   * The first hit at or after the timeline's position and before `end` whose position `keep`
   * accepts, with the other stops at that position; null when none (the timeline is then at
   * `end` or at the end of the recording). Yields after every chunk of instructions.
   */
  protected *firstHit(end: number, keep: (position: number) => boolean): Work<StopHit[] | null> {
    const tl = this.tl;
    for (;;) {
      const from = tl.icount;
      if (from >= end) return null;
      const limit = Math.min(end, from + this.opts.chunk);
      const at = tl.runToBreakCandidate(limit, armFor(tl, this.stops));
      this.probe.invalidate();
      // At a candidate, or short of the limit (the end of the recording): one probed step, as
      // single-stepping takes it — at the end it produces what is left without retiring.
      if (at !== null || tl.icount < limit) {
        const hits = probedStep(tl, this.probe, this.stops);
        if (hits === null) return null;
        const kept = hits.filter((h) => keep(h.position));
        if (kept.length) {
          const position = Math.min(...kept.map((h) => h.position));
          return kept.filter((h) => h.position === position);
        }
      }
      yield;
    }
  }
}

export class FastForwardContinue extends GeneratorJob {
  readonly progress: JobProgress;
  private readonly start: number;

  constructor(tl: Timeline, stops: StopSet, opts: FastContinueOptions = {}) {
    super(tl, stops, opts);
    this.start = tl.icount;
    this.progress = { label: 'continue', done: 0, total: Math.max(1, tl.endIcount - this.start) };
  }

  protected onCancel(): string {
    return `continue cancelled at icount ${this.tl.icount}`;
  }

  protected override noteProgress(): void {
    this.progress.done = this.tl.icount - this.start;
  }

  protected *body(): Work<ContinueResult> {
    const tl = this.tl;
    const hits = yield* this.firstHit(Infinity, (p) => p > this.start);
    if (!hits) return { kind: 'boundary', position: tl.icount };
    const position = hits[0].position;
    // a breakpoint stops before its instruction: one step back, exactly
    if (position < tl.icount) tl.seekIcount(position);
    return { kind: 'hit', position, hits };
  }
}

export class FastReverseContinue extends GeneratorJob {
  readonly progress: JobProgress;
  /** Where it started: hits must lie strictly before it. */
  private readonly origin: number;

  constructor(tl: Timeline, stops: StopSet, opts: FastContinueOptions = {}) {
    super(tl, stops, opts);
    this.origin = tl.icount;
    this.progress = { label: 'reverse-continue', done: 0, total: Math.max(1, this.origin) };
  }

  protected onCancel(): string {
    this.tl.seekIcount(this.origin);
    return `reverse-continue cancelled; back at icount ${this.origin}`;
  }

  protected *body(): Work<ContinueResult> {
    const tl = this.tl;
    const before = (p: number) => p < this.origin;
    let hi = this.origin;
    const { slowBlock, maxBlock } = this.opts;
    let size = this.opts.firstBlock;
    while (hi > 0) {
      const lo = Math.max(0, hi - size);
      this.progress.done = this.origin - hi;
      if (hi - lo <= slowBlock) {
        const last = yield* this.lastHitByStepping(lo, hi);
        if (last) return this.land(last);
      } else {
        tl.seekIcount(lo);
        const first = yield* this.firstHit(hi, before);
        if (first) return this.land(yield* this.narrow(first, hi));
      }
      hi = lo;
      size = Math.min(maxBlock, size * 2);
    }
    tl.seekIcount(0);
    return { kind: 'boundary', position: 0 };
  }

  private land(hits: StopHit[]): ContinueResult {
    const position = hits[0].position;
    this.tl.seekIcount(position);
    return { kind: 'hit', position, hits };
  }

  /** The last hit in [first's position, hi): halves the range toward hi while it is too large to single-step. */
  private *narrow(first: StopHit[], hi: number): Work<StopHit[]> {
    let best = first;
    let lo = first[0].position;
    // (a range of one instruction cannot be halved: it is stepped whatever slowBlock says)
    while (hi - lo > Math.max(1, this.opts.slowBlock)) {
      const mid = lo + Math.floor((hi - lo) / 2);
      this.tl.seekIcount(mid);
      const q = yield* this.firstHit(hi, (p) => p >= mid && p < this.origin);
      if (q) {
        best = q;
        lo = q[0].position;
      } else hi = mid;
      yield;
    }
    return (yield* this.lastHitByStepping(lo, hi)) ?? best;
  }

  /** Single-steps [lo, hi) and returns the hits at the latest position with any (null: none). */
  private *lastHitByStepping(lo: number, hi: number): Work<StopHit[] | null> {
    const tl = this.tl;
    tl.seekIcount(lo);
    this.probe.invalidate();
    let best: StopHit[] | null = null;
    for (let n = 1; tl.icount < hi; n++) {
      const hits = probedStep(tl, this.probe, this.stops);
      if (hits === null) break;
      const at = hits.filter((h) => h.position < this.origin && h.position < hi);
      if (at.length) {
        const pos = Math.max(...at.map((h) => h.position));
        if (!best || pos > best[0].position) best = at.filter((h) => h.position === pos);
      }
      if (n % 512 === 0) yield;
    }
    return best;
  }
}
