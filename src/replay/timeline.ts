// Time travel over a trace: periodic checkpoints (machine state + copy-on-write pages + event
// position) taken as replay first moves forward, and seeks that restore the nearest earlier
// checkpoint and re-execute deterministically to the exact instruction or event. Every event
// produced on the way is still checked against the trace.
//
// Positions: "icount t" is the state after exactly t instructions have retired, before any
// interrupt due at that boundary is taken; "after event s" is the state right after the
// machine produced event s (after the instruction that made it, or at the boundary for
// interrupts and input).
import type { TraceReader } from '../trace/reader.ts';
import { PageHistory } from './page-history.ts';
import { DivergenceSignal, ReplayEngine, type AdvanceStop, type ReplayOptions } from './replayer.ts';
import type { Divergence } from './divergence.ts';
import type { ExecBreaks } from '../cpu/exec-breaks.ts';

export interface Checkpoint {
  index: number;
  icount: number;
  /** Events produced before this point (= seq of the next event). */
  seq: number;
  state: unknown;
}

/** Divergence found while moving through time. */
export class TimelineDivergence extends Error {
  constructor(readonly divergence: Divergence) {
    super(divergence.message);
  }
}

export interface TimelineOptions extends ReplayOptions {
  /** Instructions between checkpoints (default 1,000,000). */
  interval?: number;
}

export class Timeline {
  readonly engine: ReplayEngine;
  readonly checkpoints: Checkpoint[] = [];
  readonly interval: number;
  private readonly pages: PageHistory;
  /** Checkpoints restored and instructions re-executed, for statistics. */
  readonly stats = { restores: 0, reexecuted: 0 };

  constructor(
    readonly reader: TraceReader,
    opts: TimelineOptions = {},
  ) {
    this.engine = new ReplayEngine(reader, opts);
    this.interval = opts.interval ?? 1_000_000;
    this.pages = new PageHistory(this.engine.system.mem, this.engine.system.code);
    this.takeCheckpoint();
  }

  get icount(): number {
    return this.engine.icount;
  }

  /** seq of the next event; the last event produced is seq - 1. */
  get seq(): number {
    return this.engine.seq;
  }

  get system() {
    return this.engine.system;
  }

  /** Last instruction count of the recording. */
  get endIcount(): number {
    return this.reader.lastIcount;
  }

  private takeCheckpoint(): void {
    const cp: Checkpoint = { index: this.checkpoints.length, icount: this.icount, seq: this.seq, state: this.system.save() };
    const pageCp = this.pages.checkpoint();
    if (pageCp !== cp.index) throw new Error(`checkpoint bookkeeping out of step (${pageCp} != ${cp.index})`);
    this.checkpoints.push(cp);
  }

  private get frontier(): Checkpoint {
    return this.checkpoints[this.checkpoints.length - 1];
  }

  private restore(cp: Checkpoint): void {
    this.system.restore(cp.state);
    this.pages.restore(cp.index);
    this.engine.resetEvents(cp.seq);
    this.stats.restores++;
  }

  /** Runs forward to `icount`/after event `seq`, taking checkpoints past the frontier. */
  private forward(icount: number, seq = Infinity): AdvanceStop {
    const start = this.icount;
    try {
      for (;;) {
        const f = this.frontier;
        // in the past: run to the frontier first; beyond it: one interval at a time, checkpointing
        const stepTarget = this.icount < f.icount ? Math.min(icount, f.icount) : Math.min(icount, f.icount + this.interval);
        const stop = this.engine.advance(stepTarget, seq);
        // a breakpoint stop is inside a slice, maybe past work due at its boundary: no checkpoint there
        if (stop === 'breakpoint') return stop;
        if (this.icount >= f.icount + this.interval) this.takeCheckpoint();
        if (stop !== 'target' || this.icount >= icount || this.seq > seq) return stop;
      }
    } catch (e) {
      if (e instanceof DivergenceSignal) throw new TimelineDivergence(this.engine.describe(e.reason));
      throw e;
    } finally {
      this.stats.reexecuted += this.icount - start;
    }
  }

  /** The latest checkpoint at or before a position. */
  private checkpointBefore(pred: (c: Checkpoint) => boolean): Checkpoint {
    let best = this.checkpoints[0];
    for (const c of this.checkpoints) if (pred(c)) best = c;
    return best;
  }

  /** Moves to the state after exactly `t` instructions (clamped to the recording). */
  seekIcount(t: number): AdvanceStop {
    t = Math.max(0, Math.floor(t));
    const cp = this.checkpointBefore((c) => c.icount <= t);
    if (t < this.icount || cp.icount > this.icount) this.restore(cp);
    return this.forward(t);
  }

  /**
   * Moves to the state right after event `s` was produced — after the whole instruction that
   * produced it, so other events of that instruction are produced too; s < firstSeq means the
   * start.
   */
  seekSeq(s: number): AdvanceStop {
    if (s < this.reader.firstSeq) {
      this.restore(this.checkpoints[0]);
      return 'target';
    }
    if (s >= this.reader.nextSeq) throw new RangeError(`no event ${s}: the trace holds ${this.reader.firstSeq}..${this.reader.nextSeq - 1}`);
    const cp = this.checkpointBefore((c) => c.seq <= s);
    if (s < this.seq || cp.seq > this.seq) this.restore(cp);
    return this.forward(Infinity, s);
  }

  /**
   * Runs forward at full speed toward icount `limit`, stopping early where a hart is about to
   * execute an instruction at one of the armed breakpoints' pcs (cpu/exec-breaks.ts). Returns
   * that position — the timeline is then at exactly that icount, as seekIcount leaves it — or
   * null when `limit` (or the end of the recording) came first. A candidate is not a verdict:
   * an alias of the page, or the hart trapping before the instruction retires, also stop here;
   * the caller confirms with a probed step (debug/fast-continue.ts).
   */
  runToBreakCandidate(limit: number, breaks: ExecBreaks): number | null {
    const code = this.system.code;
    // every hart resolves its current page again, arming it if it holds breakpoints
    for (const { hart } of this.system.allHarts()) hart.fetchCache.page = null;
    code.breaks = breaks;
    let stop: AdvanceStop;
    try {
      stop = this.forward(Math.max(this.icount, Math.min(limit, this.endIcount)));
    } finally {
      breaks.disarm();
      code.breaks = null;
    }
    if (stop !== 'breakpoint') return null;
    // The run stopped inside a slice, possibly after work due at this boundary (an interrupt
    // entry, a scheduling event): put the machine at exactly this icount, the normal way.
    const at = this.icount;
    this.restore(this.checkpointBefore((c) => c.icount <= at));
    this.forward(at);
    return at;
  }

  step(k = 1): AdvanceStop {
    return this.forward(this.icount + k);
  }

  reverseStep(k = 1): AdvanceStop {
    return this.seekIcount(this.icount - k);
  }

  nextEvent(): AdvanceStop {
    return this.seq >= this.reader.nextSeq ? 'end' : this.seekSeq(this.seq);
  }

  /**
   * Moves to the previous event position. One instruction can produce several events (a UART
   * write emits console + mmio); they share a position, and seekSeq to any of them lands after
   * all of them. So this tries the events before the last one, nearest first, until a seek
   * lands before the current position. Guessing the group from icounts is not enough: an
   * ecall and the instruction after it that traps without retiring produce events at the same
   * icount but are two positions.
   */
  prevEvent(): AdvanceStop {
    const here = this.seq;
    const last = here - 1;
    if (last < this.reader.firstSeq) return 'target';
    let r: AdvanceStop = 'target';
    for (let s = last - 1; ; s--) {
      r = this.seekSeq(s);
      if (this.seq < here || s < this.reader.firstSeq) return r;
    }
  }

  /** Memory held by checkpoints (page copies), in bytes. */
  get checkpointBytes(): number {
    return this.pages.bytesStored;
  }
}
