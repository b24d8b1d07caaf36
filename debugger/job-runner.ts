// Runs a session job in slices with setImmediate between them, so keys (Esc) and redraws get
// through while a long seek or continue works; reports progress, the result or the error.
import type { Job, JobProgress, MotionResult, SliceBudget } from '../src/replay/debug/index.ts';

export interface JobCallbacks {
  progress(p: JobProgress): void;
  done(r: MotionResult): void;
  cancelled(message: string): void;
  failed(error: Error): void;
}

/** A slice of `ms` milliseconds of wall-clock time (the UI's own clock; the replay never sees it). */
function timeBudget(ms: number): SliceBudget {
  const deadline = performance.now() + ms;
  return { spent: () => performance.now() >= deadline };
}

export class JobRunner {
  private job: Job<MotionResult> | null = null;

  constructor(
    /** Milliseconds of work per slice: small enough that the terminal stays responsive. */
    private readonly sliceMs = 40,
  ) {}

  get busy(): boolean {
    return this.job !== null;
  }

  /** Runs the first slice now (short motions finish in it) and the rest in later turns. */
  start(job: Job<MotionResult>, cb: JobCallbacks): void {
    if (this.job) throw new Error('a job is already running');
    this.job = job;
    const slice = () => {
      if (this.job !== job) return;
      let st;
      try {
        st = job.run(timeBudget(this.sliceMs));
      } catch (e) {
        this.job = null;
        cb.failed(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (st.status === 'running') {
        cb.progress({ ...job.progress });
        setImmediate(slice);
        return;
      }
      this.job = null;
      if (st.status === 'done') cb.done(st.result);
      else cb.cancelled(st.message);
    };
    slice();
  }

  cancel(): void {
    this.job?.cancel();
  }
}
