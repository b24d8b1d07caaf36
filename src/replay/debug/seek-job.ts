// Seeks for the debugger: far forward moves in slices (a UI stays responsive and can cancel),
// landing right after an event.
import type { Timeline } from '../timeline.ts';
import type { Job, JobProgress, JobState, SliceBudget } from './job.ts';
import type { MotionResult } from './session.ts';

/** Instructions a seek job runs per slice call before looking at the clock. */
const SEEK_CHUNK = 500_000;

/**
 * Moves right after event `s`: after the instruction that produced it, or — for an event
 * raised at an instruction boundary (an interrupt entry, a scheduling decision) — right at
 * that boundary, before the next instruction (the run loops stop there when asked).
 */
export function afterEvent(tl: Timeline, s: number): void {
  tl.seekSeq(s);
}

/**
 * A seek that may have far to go: forward moves run SEEK_CHUNK instructions at a time until
 * the slice's time is up, so a UI stays responsive and can cancel (the position reached is
 * kept). Backward seeks restore a checkpoint and re-execute at most one interval: one slice.
 */
export class SeekJob implements Job<MotionResult> {
  readonly progress: JobProgress;
  private readonly from: number;
  private cancelled = false;

  constructor(
    private readonly tl: Timeline,
    /** icount to reach (for an event seek: just before the event's instruction). */
    private readonly icount: number,
    /** Event to land after, once near it; null for an icount seek. */
    private readonly seq: number | null,
    private readonly done: () => MotionResult,
  ) {
    this.from = tl.icount;
    this.progress = { label: seq === null ? `seek to icount ${icount}` : `seek to event #${seq}`, done: 0, total: Math.max(1, icount - this.from) };
  }

  cancel(): void {
    this.cancelled = true;
  }

  run(budget: SliceBudget): JobState<MotionResult> {
    const tl = this.tl;
    if (this.cancelled) return { status: 'cancelled', message: `seek cancelled at icount ${tl.icount}` };
    // far forward: approach in chunks (a seek forward never restores, it continues from here)
    while (tl.icount + SEEK_CHUNK < this.icount && (this.seq === null || tl.seq <= this.seq)) {
      tl.seekIcount(tl.icount + SEEK_CHUNK);
      this.progress.done = tl.icount - this.from;
      if (budget.spent()) return { status: 'running' };
    }
    if (this.seq === null) tl.seekIcount(this.icount);
    else afterEvent(tl, this.seq);
    this.progress.done = this.progress.total;
    return { status: 'done', result: this.done() };
  }
}
