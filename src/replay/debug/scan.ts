// Continue and reverse-continue to the exact instruction, above the hart: the timeline is
// stepped one instruction at a time and the probe names what each step executed, which the
// stop set matches. Reverse-continue searches backwards block by block: it seeks to the start
// of a block (the timeline restores the checkpoint before it and re-executes at full speed),
// single-steps through the block keeping the last hit before the starting position, and
// seeks there; a block without a hit sends it to the block before, twice as large. Single
// stepping is the slow part, so a hit close behind costs little and a far one about as much
// as stepping forward to it. Both are jobs (job.ts): sliced, cancellable, with progress.
import type { Timeline } from '../timeline.ts';
import type { Job, JobProgress, JobState, SliceBudget } from './job.ts';
import { StepProbe } from './probe.ts';
import type { StopHit, StopSet } from './stops.ts';

export type ContinueResult =
  /** Stopped at `position` because of `hits` (all the stops that fire there). */
  | { kind: 'hit'; position: number; hits: StopHit[] }
  /** No stop before the end of the recording (forward) or its start (reverse). */
  | { kind: 'boundary'; position: number };

/** Steps between clock checks: a step costs about a microsecond. */
const CHECK_EVERY = 512;

/** Runs one probed step; returns the hits it made, [] when none, or null when time cannot advance. */
export function probedStep(tl: Timeline, probe: StepProbe, stops: StopSet): StopHit[] | null {
  const p = tl.icount;
  probe.before(tl.seq);
  tl.step(1);
  if (tl.icount === p) return null;
  return probe.after(stops) ? stops.match(probe.describe(p)) : NONE;
}

const NONE: StopHit[] = [];

export class ForwardContinue implements Job<ContinueResult> {
  readonly progress: JobProgress;
  private readonly probe: StepProbe;
  private readonly start: number;
  private cancelled = false;

  constructor(
    private readonly tl: Timeline,
    private readonly stops: StopSet,
  ) {
    this.start = tl.icount;
    this.probe = new StepProbe(tl.system, stops.hasWatchpoints);
    this.progress = { label: 'continue', done: 0, total: Math.max(1, tl.endIcount - this.start) };
  }

  cancel(): void {
    this.cancelled = true;
  }

  run(budget: SliceBudget): JobState<ContinueResult> {
    const tl = this.tl;
    try {
      if (this.cancelled) {
        this.probe.detach();
        return { status: 'cancelled', message: `continue cancelled at icount ${tl.icount}` };
      }
      if (this.stops.size === 0) {
        // nothing can stop it: run to the end at full speed
        tl.seekIcount(tl.endIcount);
        return { status: 'done', result: { kind: 'boundary', position: tl.icount } };
      }
      for (let k = 1; ; k++) {
        const hits = probedStep(tl, this.probe, this.stops);
        if (hits === null) {
          this.probe.detach();
          return { status: 'done', result: { kind: 'boundary', position: tl.icount } };
        }
        const fresh = hits.filter((h) => h.position > this.start);
        if (fresh.length) {
          this.probe.detach();
          const position = Math.min(...fresh.map((h) => h.position));
          // a breakpoint stops before its instruction: one step back, exactly
          if (position < tl.icount) tl.seekIcount(position);
          return { status: 'done', result: { kind: 'hit', position, hits: fresh.filter((h) => h.position === position) } };
        }
        if (k % CHECK_EVERY === 0 && budget.spent()) break;
      }
      this.progress.done = tl.icount - this.start;
      return { status: 'running' };
    } catch (e) {
      this.probe.detach();
      throw e;
    }
  }
}

/** First block reverse-continue steps through, and the largest (blocks double going back). */
const FIRST_BLOCK = 4096;
const MAX_BLOCK = 262_144;

export class ReverseContinue implements Job<ContinueResult> {
  readonly progress: JobProgress;
  private readonly probe: StepProbe;
  /** Where it started: hits must lie strictly before it. */
  private readonly origin: number;
  /** The block being scanned: [lo, hi), and whether the timeline has been put at lo yet. */
  private lo: number;
  private hi: number;
  private size = FIRST_BLOCK;
  private positioned = false;
  private best: StopHit[] = [];
  private cancelled = false;

  constructor(
    private readonly tl: Timeline,
    private readonly stops: StopSet,
  ) {
    this.origin = tl.icount;
    this.hi = this.origin;
    this.lo = Math.max(0, this.hi - this.size);
    this.probe = new StepProbe(tl.system, stops.hasWatchpoints);
    this.progress = { label: 'reverse-continue', done: 0, total: Math.max(1, this.origin) };
  }

  cancel(): void {
    this.cancelled = true;
  }

  private finish(result: ContinueResult): JobState<ContinueResult> {
    this.probe.detach();
    return { status: 'done', result };
  }

  run(budget: SliceBudget): JobState<ContinueResult> {
    const tl = this.tl;
    try {
      if (this.cancelled) {
        this.probe.detach();
        tl.seekIcount(this.origin);
        return { status: 'cancelled', message: `reverse-continue cancelled; back at icount ${this.origin}` };
      }
      if (this.origin === 0 || this.stops.size === 0) {
        tl.seekIcount(0);
        return this.finish({ kind: 'boundary', position: tl.icount });
      }
      for (let n = 1; ; n++) {
        if (!this.positioned) {
          // restores the checkpoint at or before lo and re-executes to it at full speed
          tl.seekIcount(this.lo);
          this.probe.invalidate();
          this.positioned = true;
          this.best = [];
        }
        let hits: StopHit[] | null = NONE;
        if (tl.icount < this.hi) hits = probedStep(tl, this.probe, this.stops);
        if (hits && hits.length) this.keepLatest(hits);
        if (hits === null || tl.icount >= this.hi) {
          if (this.best.length) {
            const position = this.best[0].position;
            tl.seekIcount(position);
            return this.finish({ kind: 'hit', position, hits: this.best });
          }
          if (this.lo === 0) {
            tl.seekIcount(0);
            return this.finish({ kind: 'boundary', position: 0 });
          }
          // nothing in this block: the one before it, twice as large
          this.size = Math.min(MAX_BLOCK, this.size * 2);
          this.hi = this.lo;
          this.lo = Math.max(0, this.hi - this.size);
          this.positioned = false;
        }
        if (n % CHECK_EVERY === 0 && budget.spent()) break;
      }
      this.progress.done = this.origin - this.hi + Math.max(0, tl.icount - this.lo);
      return { status: 'running' };
    } catch (e) {
      this.probe.detach();
      throw e;
    }
  }

  /** The latest hit before the origin wins; hits of one instruction at one position stay together. */
  private keepLatest(hits: StopHit[]): void {
    const before = hits.filter((h) => h.position < this.origin);
    if (!before.length) return;
    const pos = Math.max(...before.map((h) => h.position));
    const at = before.filter((h) => h.position === pos);
    const cur = this.best.length ? this.best[0].position : -1;
    if (pos > cur) this.best = at;
    else if (pos === cur) this.best.push(...at);
  }
}
