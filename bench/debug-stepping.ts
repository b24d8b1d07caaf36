// How fast the debugger's continue / reverse-continue step (src/replay/debug/scan.ts): they
// single-step the timeline and look at every instruction from outside the hart. Printed as a
// ratio against full-speed replay of the same trace in the same run, and as the time one
// pass over a 50M-instruction trace would take. CPU time, so a busy machine skews it less.
// Run: node bin/run-ts.mjs bench/debug-stepping.ts [TRACE]
import { TraceReader } from '../src/trace/reader.ts';
import { Timeline } from '../src/replay/timeline.ts';
import { StopSet } from '../src/replay/debug/stops.ts';
import { ForwardContinue, ReverseContinue } from '../src/replay/debug/scan.ts';
import { runJob } from '../src/replay/debug/job.ts';

const file = process.argv[2] ?? 'traces/bench-3m.trace';
const reader = TraceReader.open(file);
const tl = new Timeline(reader, { interval: 200_000 });
const end = reader.lastIcount;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function measure(what: string, f: () => number): number {
  const t0 = cpuMs();
  const n = f();
  const ms = cpuMs() - t0;
  return n / ms / 1000; // million per second
}

tl.seekIcount(end); // checkpoints along the whole trace, and a warm JIT
const full = measure('replay', () => {
  tl.seekIcount(0);
  tl.seekIcount(end);
  return end;
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
const fwdBreak = measure('continue, breakpoint', () => {
  tl.seekIcount(0);
  runJob(new ForwardContinue(tl, never('break')));
  return tl.icount;
});
const fwdWatch = measure('continue, watchpoint', () => {
  tl.seekIcount(0);
  runJob(new ForwardContinue(tl, never('watch')));
  return tl.icount;
});
const revWatch = measure('reverse-continue, watchpoint', () => {
  tl.seekIcount(end);
  runJob(new ReverseContinue(tl, never('watch')));
  return end;
});

const line = (name: string, mips: number) =>
  `${name.padEnd(32)} ${mips.toFixed(2).padStart(8)} M insn/s  ${(mips / full).toFixed(4)}x replay  ${(50 / mips).toFixed(1).padStart(7)} s per 50M instructions`;
process.stdout.write(`trace ${file}: ${end} instructions, CPU time\n`);
process.stdout.write(line('full-speed replay (baseline)', full) + '\n');
process.stdout.write(line('Timeline.step(1)', step) + '\n');
process.stdout.write(line('continue to a breakpoint', fwdBreak) + '\n');
process.stdout.write(line('continue to a watchpoint', fwdWatch) + '\n');
process.stdout.write(line('reverse-continue, watchpoint', revWatch) + '\n');
