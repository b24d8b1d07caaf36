// Long debugger operations (continue, reverse-continue, far seeks) as resumable jobs: each
// call to run() does a bounded amount of work and returns, so a terminal UI can interleave
// them with input handling (setImmediate between slices) and cancel them between slices.
// Scripts and tests drive the same job to completion with runJob().

export interface JobProgress {
  /** What the job is doing, for a progress line ("reverse-continue: scanning"). */
  label: string;
  done: number;
  total: number;
}

export type JobState<T> = { status: 'running' } | { status: 'done'; result: T } | { status: 'cancelled'; message: string };

/**
 * How long one run() may go on, asked between units of work. The caller decides what it
 * measures: a terminal UI passes a wall-clock budget (debugger/), scripts and tests a count
 * of checks (unitBudget). src/ never reads the host clock itself.
 */
export interface SliceBudget {
  spent(): boolean;
}

/** A budget that is spent after `checks` checks (0: after the first unit of work). */
export function unitBudget(checks: number): SliceBudget {
  let left = checks;
  return { spent: () => left-- <= 0 };
}

export interface Job<T> {
  readonly progress: JobProgress;
  /** Works until `budget` is spent (at least one unit of work), then returns. */
  run(budget: SliceBudget): JobState<T>;
  /** Asks the job to stop; the next run() undoes what must be undone and reports 'cancelled'. */
  cancel(): void;
}

/** Runs a job to completion synchronously (scripts, tests); cancelled jobs throw. */
export function runJob<T>(job: Job<T>, onProgress?: (p: JobProgress) => void): T {
  for (;;) {
    const s = job.run(unitBudget(64));
    if (s.status === 'done') return s.result;
    if (s.status === 'cancelled') throw new Error(s.message);
    onProgress?.(job.progress);
  }
}

/** A job whose work is one synchronous function (short seeks): done after its first run(). */
export function immediateJob<T>(label: string, work: () => T): Job<T> {
  let cancelled = false;
  return {
    progress: { label, done: 0, total: 1 },
    run(): JobState<T> {
      if (cancelled) return { status: 'cancelled', message: `${label}: cancelled` };
      return { status: 'done', result: work() };
    },
    cancel() {
      cancelled = true;
    },
  };
}

/** Runs `first`, then the job `next` builds from its result (e.g. a seek, then a finer one). */
export function chainJobs<A, B>(first: Job<A>, next: (a: A) => Job<B>): Job<B> {
  let second: Job<B> | null = null;
  let cancelled = false;
  const progress: JobProgress = { label: first.progress.label, done: 0, total: 1 };
  return {
    progress,
    run(budget: SliceBudget): JobState<B> {
      if (!second) {
        const s = first.run(budget);
        Object.assign(progress, first.progress);
        if (s.status !== 'done') return s;
        second = next(s.result);
        if (cancelled) second.cancel();
      }
      const s = second.run(budget);
      Object.assign(progress, second.progress);
      return s;
    },
    cancel() {
      cancelled = true;
      first.cancel();
      second?.cancel();
    },
  };
}
