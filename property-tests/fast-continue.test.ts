// Continue and reverse-continue to breakpoints at full speed (breakpoints armed in the decoded-
// code cache, src/replay/debug/fast-continue.ts) give exactly what single-stepping every
// instruction gives (src/replay/debug/scan.ts): the same stops, hits, positions and events, on
// generated bare-machine and hypervisor recordings, from any starting point. The reverse
// search's block sizes are drawn small so its full-speed blocks and range halving run on
// recordings of a few thousand instructions.
import fc from 'fast-check';
import { expect } from 'vitest';
import { runJob } from '../src/replay/debug/job.ts';
import { FastForwardContinue, FastReverseContinue, type FastContinueOptions } from '../src/replay/debug/fast-continue.ts';
import { ForwardContinue, ReverseContinue, type ContinueResult } from '../src/replay/debug/scan.ts';
import { StopSet } from '../src/replay/debug/stops.ts';
import { Timeline } from '../src/replay/timeline.ts';
import { TraceReader } from '../src/trace/reader.ts';
import { propertyTest } from './harness/property.ts';
import { programArb, scheduleArb } from './lib/guest-programs.ts';
import { hostileSpecArb } from './lib/hostile.ts';
import { recordBare, recordHypervisor, type Recorded } from './lib/recordings.ts';

const recordings = fc.oneof(
  { weight: 3, arbitrary: fc.record({ blocks: programArb, schedule: scheduleArb, wallClockNs: fc.constant(0n) }).map((s) => ({ kind: 'bare' as const, s })) },
  { weight: 2, arbitrary: fc.record({ domains: fc.array(programArb, { minLength: 1, maxLength: 2 }), pv: fc.array(hostileSpecArb('pv'), { maxLength: 1 }), schedule: scheduleArb }).map((s) => ({ kind: 'hv' as const, s })) },
);
type RecordingSpec = typeof recordings extends fc.Arbitrary<infer R> ? R : never;

function record(r: RecordingSpec): Recorded {
  return r.kind === 'bare' ? recordBare(r.s) : recordHypervisor(r.s);
}

const fracs = fc.double({ min: 0, max: 1, noNaN: true });

/** Where to put a breakpoint: at the pc some hart has at a sampled moment (plus a shift: 0 or past it), maybe scoped to that hart's domain. */
const breakpointArb = fc.record({ at: fracs, hart: fc.nat(7), shift: fc.constantFrom(0n, 0n, 2n, 4n, 16n), scoped: fc.boolean() });

const optionsArb: fc.Arbitrary<FastContinueOptions> = fc.record({
  chunk: fc.constantFrom(7, 100, 1000, 4_000_000),
  slowBlock: fc.constantFrom(0, 16, 256, 262_144),
  firstBlock: fc.constantFrom(1, 64, 4096),
  maxBlock: fc.constantFrom(512, 1 << 20),
});

/** What a user sees of a continue: where it stopped, which stops fired, on which instruction. */
function seen(r: ContinueResult, tl: Timeline) {
  return {
    kind: r.kind,
    position: r.position,
    icount: tl.icount,
    seq: tl.seq,
    hits: r.kind === 'hit' ? r.hits.map((h) => ({ stop: h.stop.id, pc: h.insn.pc, domain: h.insn.domain, vcpu: h.insn.vcpu, icount: h.insn.icount, viaTrap: h.insn.viaTrap })) : [],
  };
}

propertyTest({
  name: 'timetravel.continue-breakpoints-full-speed',
  quickRuns: 12,
  weight: 3,
  build: () =>
    fc.property(recordings, fc.array(breakpointArb, { minLength: 1, maxLength: 3 }), fracs, optionsArb, (spec, bps, originF, opts) => {
      const r = record(spec);
      const reader = TraceReader.open(r.trace);
      const last = reader.lastIcount;
      const stops = new StopSet();
      const look = new Timeline(reader, { interval: 2500 });
      for (const b of bps) {
        look.seekIcount(Math.floor(b.at * last));
        const harts = look.system.allHarts();
        if (!harts.length) continue;
        const h = harts[b.hart % harts.length];
        stops.addBreakpoint(h.hart.pc + b.shift, b.scoped ? { domain: h.domain } : {});
      }
      if (stops.size === 0) return;
      const origin = Math.floor(originF * last);
      const fast = new Timeline(reader, { interval: 2000 });
      const slow = new Timeline(reader, { interval: 3000 });
      // forward from the origin: up to four hits in a row
      fast.seekIcount(origin);
      slow.seekIcount(origin);
      for (let k = 0; k < 4; k++) {
        const f = runJob(new FastForwardContinue(fast, stops, opts));
        const s = runJob(new ForwardContinue(slow, stops));
        expect(seen(f, fast), `continue #${k + 1} from ${origin}`).toEqual(seen(s, slow));
        if (f.kind === 'boundary') break;
      }
      // backward from the origin and from the end: up to three hits in a row
      for (const from of [origin, last]) {
        fast.seekIcount(from);
        slow.seekIcount(from);
        for (let k = 0; k < 3; k++) {
          const f = runJob(new FastReverseContinue(fast, stops, opts));
          const s = runJob(new ReverseContinue(slow, stops));
          expect(seen(f, fast), `reverse-continue #${k + 1} from ${from}`).toEqual(seen(s, slow));
          if (f.kind === 'boundary') break;
        }
      }
      reader.close();
    }),
});
