// Continue / reverse-continue to breakpoints at full speed (src/replay/debug/fast-continue.ts):
// the breakpoints' slots are armed in the decoded-code cache, the run stops right before one,
// and a probed step confirms it. These check it against single-stepping (scan.ts) on the
// committed traces — a JIT-compiled hot loop (bench-3m), two domains PV + HVM (demo) — and
// that arming leaves no trace: the state after an armed run is the state of a plain seek.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ExecBreaks } from '../../src/cpu/exec-breaks.ts';
import { KERNEL_BASE } from '../../src/hypervisor/pv/abi.ts';
import { runJob } from '../../src/replay/debug/job.ts';
import { FastForwardContinue, FastReverseContinue } from '../../src/replay/debug/fast-continue.ts';
import { ForwardContinue, ReverseContinue, type ContinueResult } from '../../src/replay/debug/scan.ts';
import { StopSet } from '../../src/replay/debug/stops.ts';
import { Timeline } from '../../src/replay/timeline.ts';
import { TraceReader } from '../../src/trace/reader.ts';
import { runKernelDomains } from '../guests/kernel-harness.ts';

/** The demo (our kernel as a PV and an HVM domain), recorded by the test: about 58M instructions. */
let demo = '';
beforeAll(() => {
  demo = path.join(mkdtempSync(path.join(os.tmpdir(), 'cv-fast-continue-')), 'demo.trace');
  runKernelDomains(['pv-demo.cfg', 'hvm-demo.cfg'], { trace: demo });
});

const seen = (r: ContinueResult) => ({
  kind: r.kind,
  position: r.position,
  hits: r.kind === 'hit' ? r.hits.map((h) => ({ id: h.stop.id, pc: h.insn.pc, domain: h.insn.domain, vcpu: h.insn.vcpu })) : [],
});

/** The pc the hart of `domain` (or the first hart) has at icount t. */
function pcAt(tl: Timeline, t: number, domain?: number): { pc: bigint; domain: number } {
  tl.seekIcount(t);
  const h = tl.system.allHarts().find((x) => domain === undefined || x.domain === domain)!;
  return { pc: h.hart.pc, domain: h.domain };
}

describe('full-speed breakpoints', () => {
  test('in a JIT-compiled hot loop: stops exactly where single-stepping does, forward and back', () => {
    const reader = TraceReader.open('traces/bench-3m.trace');
    const tl = new Timeline(reader, { interval: 250_000 });
    tl.seekIcount(reader.lastIcount); // compiles the hot loop
    expect(tl.system.code.jit).not.toBeNull();
    const { pc } = pcAt(tl, 2_000_000);
    const stops = new StopSet();
    stops.addBreakpoint(pc);
    const slow = new Timeline(reader, { interval: 250_000 });
    for (const from of [1_999_000, 2_500_123]) {
      tl.seekIcount(from);
      slow.seekIcount(from);
      const f = runJob(new FastForwardContinue(tl, stops));
      const s = runJob(new ForwardContinue(slow, stops));
      expect(f.kind).toBe('hit');
      expect(seen(f)).toEqual(seen(s));
      expect(tl.system.allHarts()[0].hart.pc).toBe(pc);
      expect(tl.system.stateHash()).toBe(slow.system.stateHash());
      const fb = runJob(new FastReverseContinue(tl, stops));
      const sb = runJob(new ReverseContinue(slow, stops));
      expect(seen(fb)).toEqual(seen(sb));
      expect(tl.icount).toBe(slow.icount);
    }
    reader.close();
  });

  test('an armed run leaves the machine as a plain seek does, and the cache disarmed', () => {
    const reader = TraceReader.open('traces/bench-3m.trace');
    const tl = new Timeline(reader, { interval: 250_000 });
    const plain = new Timeline(reader, { interval: 250_000 });
    const { pc } = pcAt(tl, 1_000_000);
    tl.seekIcount(10);
    const breaks = new ExecBreaks([{ pc, exclude: null }]);
    const at = tl.runToBreakCandidate(reader.lastIcount, breaks);
    expect(at).not.toBeNull();
    expect(tl.system.code.breaks).toBeNull();
    expect(breaks.armedCount).toBe(0);
    plain.seekIcount(at!);
    expect(tl.icount).toBe(at);
    expect(tl.seq).toBe(plain.seq);
    expect(tl.system.stateHash()).toBe(plain.system.stateHash());
    // and running on from there reaches the end of the recording with the recorded state
    tl.seekIcount(reader.lastIcount);
    plain.seekIcount(reader.lastIcount);
    expect(tl.system.stateHash()).toBe(plain.system.stateHash());
    reader.close();
  });

  test('a breakpoint that is never reached runs to the end at full speed', () => {
    const reader = TraceReader.open('traces/bench-3m.trace');
    const tl = new Timeline(reader, { interval: 500_000 });
    const stops = new StopSet();
    stops.addBreakpoint(0x10n);
    const r = runJob(new FastForwardContinue(tl, stops));
    expect(r).toEqual({ kind: 'boundary', position: reader.lastIcount });
    expect(tl.stats.reexecuted).toBeLessThanOrEqual(reader.lastIcount + 1);
    reader.close();
  });

  test('two domains (PV + HVM): scoped and unscoped breakpoints agree with single-stepping', () => {
    const reader = TraceReader.open(demo);
    const tl = new Timeline(reader, { interval: 1_000_000 });
    const slow = new Timeline(reader, { interval: 1_000_000 });
    const harts = (() => {
      tl.seekIcount(30_000_000);
      return tl.system.allHarts().map((h) => h.domain);
    })();
    expect(new Set(harts).size).toBe(2);
    for (const domain of harts) {
      const a = pcAt(tl, 30_004_000, domain);
      const b = pcAt(tl, 30_009_000, domain);
      const stops = new StopSet();
      stops.addBreakpoint(a.pc, { domain });
      stops.addBreakpoint(b.pc);
      tl.seekIcount(30_000_000);
      slow.seekIcount(30_000_000);
      for (let k = 0; k < 3; k++) {
        const f = runJob(new FastForwardContinue(tl, stops));
        const s = runJob(new ForwardContinue(slow, stops));
        expect(seen(f)).toEqual(seen(s));
        expect(f.kind).toBe('hit');
      }
      const fb = runJob(new FastReverseContinue(tl, stops));
      const sb = runJob(new ReverseContinue(slow, stops));
      expect(seen(fb)).toEqual(seen(sb));
    }
    reader.close();
  });

  test("a domain's first instruction is named by its entry pc, not the pc before boot", () => {
    const reader = TraceReader.open(demo);
    const tl = new Timeline(reader, { interval: 1_000_000 });
    const stops = new StopSet();
    stops.addBreakpoint(KERNEL_BASE);
    tl.seekIcount(300_000);
    const f = runJob(new FastReverseContinue(tl, stops));
    const slow = new Timeline(reader, { interval: 1_000_000 });
    slow.seekIcount(300_000);
    const s = runJob(new ReverseContinue(slow, stops));
    expect(f.kind).toBe('hit');
    expect(seen(f)).toEqual(seen(s));
    expect(f.kind === 'hit' && f.hits[0].insn.pc).toBe(KERNEL_BASE);
    // nothing else runs at the kernel's entry: the hit is the domain's first instruction
    const back = runJob(new FastReverseContinue(tl, stops));
    expect(back.kind).toBe('boundary');
    reader.close();
  });
});
