// How fast the debugger's continue / reverse-continue go. With breakpoints only they run at
// full speed with the breakpoints armed in the decoded-code cache (src/replay/debug/
// fast-continue.ts); with a watchpoint they single-step the timeline and look at every
// instruction from outside the hart (scan.ts), which is also measured for breakpoints as the
// reference. Printed as a ratio against full-speed replay of the same trace in the same run,
// and as the time one pass over a 50M-instruction trace would take. CPU time, so a busy
// machine skews it less.
// Run: node bin/run-ts.mjs bench/debug-stepping.ts [TRACE]
import { TraceReader } from '../src/trace/reader.ts';
import { Timeline } from '../src/replay/timeline.ts';
import { StopSet } from '../src/replay/debug/stops.ts';
import { StepProbe } from '../src/replay/debug/probe.ts';
import { ForwardContinue, ReverseContinue } from '../src/replay/debug/scan.ts';
import { runJob, unitBudget, type Job } from '../src/replay/debug/job.ts';
import { FastForwardContinue, FastReverseContinue } from '../src/replay/debug/fast-continue.ts';

const file = process.argv[2] ?? 'traces/bench-3m.trace';
const reader = TraceReader.open(file);
const tl = new Timeline(reader, { interval: 200_000 });
const end = reader.lastIcount;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Million instructions per CPU second: the best of three runs (the first also warms up). */
function measure(_what: string, f: () => number): number {
  let best = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = cpuMs();
    const n = f();
    const ms = cpuMs() - t0;
    best = Math.max(best, n / ms / 1000);
  }
  return best;
}

tl.seekIcount(end); // checkpoints along the whole trace, and a warm JIT
// Baseline: re-executing the whole trace through the timeline (a seek to the end would only
// restore the last checkpoint, so step there from icount 1 instead).
const full = measure('replay', () => {
  tl.seekIcount(1);
  tl.step(end - 1);
  return end - 1;
});
const steps = Math.min(end, 1_000_000);
const step = measure('step', () => {
  tl.seekIcount(0);
  for (let i = 0; i < steps; i++) tl.step(1);
  return steps;
});
// stops that never hit, so each scan covers the whole trace
const never = (kind: 'break' | 'watch') => {
  const s = new StopSet();
  if (kind === 'break') s.addBreakpoint(0x10n);
  else s.addWatchpoint(0x10n, 8, 'access');
  return s;
};
/** Single-stepping jobs cover at most this many instructions per measurement (then cancelled). */
const SLOW_SPAN = Math.min(end - 1, 1_000_000);
/** Runs a job in slices until it is done or has covered `span` instructions; returns how many it covered. */
function covered(job: Job<unknown>, span: number): number {
  for (;;) {
    const s = job.run(unitBudget(16));
    if (s.status !== 'running' || job.progress.done >= span) return Math.min(job.progress.done, span);
  }
}
const fwdBreak = measure('continue, breakpoint, stepping', () => {
  tl.seekIcount(0);
  return covered(new ForwardContinue(tl, never('break')), SLOW_SPAN);
});
const fwdWatch = measure('continue, watchpoint', () => {
  tl.seekIcount(0);
  return covered(new ForwardContinue(tl, never('watch')), SLOW_SPAN);
});
const revWatch = measure('reverse-continue, watchpoint', () => {
  tl.seekIcount(end);
  return covered(new ReverseContinue(tl, never('watch')), SLOW_SPAN);
});
// Full speed: a breakpoint hit once, on the first instruction. Continue from icount 1 runs
// to the end (its last step also checks the recording's end state, a hash of all of RAM);
// reverse-continue from the end finds it at 0. The page is armed, so every pass through it
// is looked at.
// (the first instruction's pc as the probe names it: a domain's hart only gets its entry pc at boot)
tl.seekIcount(0);
const probe = new StepProbe(tl.system, false);
probe.before(tl.seq);
tl.step(1);
probe.after({ pcMayHit: () => true, accessMayHit: () => false });
const entry = probe.describe(0).pc;
probe.detach();
const once = () => {
  const s = new StopSet();
  s.addBreakpoint(entry);
  return s;
};
const fastFwd = measure('continue, breakpoint, full speed', () => {
  tl.seekIcount(1);
  const r = runJob(new FastForwardContinue(tl, once()));
  if (r.kind !== 'boundary') throw new Error(`expected no hit after icount 1, got ${r.kind} at ${r.position}`);
  return tl.icount - 1;
});
const fastRev = measure('reverse-continue, breakpoint, full speed', () => {
  tl.seekIcount(end);
  const r = runJob(new FastReverseContinue(tl, once()));
  if (r.kind !== 'hit' || r.position !== 0) throw new Error(`expected the hit at icount 0, got ${r.kind} at ${r.position}`);
  return end;
});

const line = (name: string, mips: number) =>
  `${name.padEnd(32)} ${mips.toFixed(2).padStart(8)} M insn/s  ${(mips / full).toFixed(4)}x replay  ${(50 / mips).toFixed(1).padStart(7)} s per 50M instructions`;
process.stdout.write(`trace ${file}: ${end} instructions, CPU time\n`);
process.stdout.write(line('full-speed replay (baseline)', full) + '\n');
process.stdout.write(line('Timeline.step(1)', step) + '\n');
process.stdout.write(line('continue to a breakpoint, stepping', fwdBreak) + '\n');
process.stdout.write(line('continue to a breakpoint', fastFwd) + '\n');
process.stdout.write(line('reverse-continue, breakpoint', fastRev) + '\n');
process.stdout.write(line('continue to a watchpoint', fwdWatch) + '\n');
process.stdout.write(line('reverse-continue, watchpoint', revWatch) + '\n');
