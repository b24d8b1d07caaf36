// Time-travel identities over generated recordings (bare machine and hypervisor): whatever
// path leads to a position, the machine is in the same state there as a straight forward
// replay from the start (no checkpoints, no restores) reaching it.
//   - seek(t), reverse-step k, step k: back at t with the state hash of seek(t);
//   - seeks in any order match a straight forward pass;
//   - event positions: after seekSeq(s) the state is the straight pass's "after event s";
//     nextEvent then prevEvent (and prevEvent then nextEvent) come back to the same position;
//   - reverse-continue to a write watchpoint finds the last write a forward scan finds.
import fc from 'fast-check';
import { expect } from 'vitest';
import { ReplayEngine } from '../src/replay/replayer.ts';
import { Timeline } from '../src/replay/timeline.ts';
import { runJob } from '../src/replay/debug/job.ts';
import { ForwardContinue, ReverseContinue } from '../src/replay/debug/scan.ts';
import { StopSet } from '../src/replay/debug/stops.ts';
import { TraceReader } from '../src/trace/reader.ts';
import { propertyTest } from './harness/property.ts';
import { programArb, scheduleArb } from './lib/guest-programs.ts';
import { hostileSpecArb } from './lib/hostile.ts';
import { recordBare, recordHypervisor, type Recorded } from './lib/recordings.ts';

const recordings = fc.oneof(
  { weight: 4, arbitrary: fc.record({ blocks: programArb, schedule: scheduleArb, wallClockNs: fc.bigInt(0n, 1n << 62n) }).map((s) => ({ kind: 'bare' as const, s })) },
  { weight: 1, arbitrary: fc.record({ domains: fc.array(programArb, { minLength: 1, maxLength: 2 }), pv: fc.array(hostileSpecArb('pv'), { maxLength: 1 }), schedule: scheduleArb }).map((s) => ({ kind: 'hv' as const, s })) },
);
type RecordingSpec = typeof recordings extends fc.Arbitrary<infer R> ? R : never;

function record(r: RecordingSpec): Recorded {
  return r.kind === 'bare' ? recordBare(r.s) : recordHypervisor(r.s);
}

/** State hashes of a straight forward replay at each icount (ascending order, one pass). */
function straightHashes(reader: TraceReader, icounts: readonly number[]): Map<number, string> {
  const e = new ReplayEngine(reader);
  const out = new Map<number, string>();
  for (const t of [...new Set(icounts)].sort((a, b) => a - b)) {
    e.advance(t);
    out.set(t, e.system.stateHash());
  }
  return out;
}

const at = (frac: number, last: number) => Math.floor(frac * last);
const fracs = fc.double({ min: 0, max: 1, noNaN: true });

propertyTest({
  name: 'timetravel.seek-reverse-step-step',
  quickRuns: 15,
  weight: 2,
  build: () =>
    fc.property(recordings, fc.integer({ min: 100, max: 4000 }), fc.array(fc.tuple(fracs, fc.nat(5000)), { minLength: 1, maxLength: 4 }), (spec, interval, moves) => {
      const r = record(spec);
      const reader = TraceReader.open(r.trace);
      const last = reader.lastIcount;
      const targets = moves.map(([f]) => at(f, last));
      const ref = straightHashes(reader, targets);
      const tl = new Timeline(reader, { interval });
      for (const [f, kRaw] of moves) {
        const t = at(f, last);
        const k = Math.min(kRaw, t);
        tl.seekIcount(t);
        expect(tl.icount).toBe(t);
        const h = tl.system.stateHash();
        expect(h, `seek(${t})`).toBe(ref.get(t));
        tl.reverseStep(k);
        expect(tl.icount).toBe(t - k);
        tl.step(k);
        expect(tl.icount).toBe(t);
        expect(tl.system.stateHash(), `seek(${t}), reverse-step ${k}, step ${k}`).toBe(h);
      }
      reader.close();
    }),
});

propertyTest({
  name: 'timetravel.seek-any-order',
  quickRuns: 15,
  weight: 2,
  build: () =>
    fc.property(recordings, fc.integer({ min: 100, max: 4000 }), fc.array(fracs, { minLength: 1, maxLength: 8 }), (spec, interval, fs) => {
      const r = record(spec);
      const reader = TraceReader.open(r.trace);
      const targets = fs.map((f) => at(f, reader.lastIcount));
      const ref = straightHashes(reader, targets);
      const tl = new Timeline(reader, { interval });
      for (const t of targets) {
        tl.seekIcount(t);
        expect(tl.icount).toBe(t);
        expect(tl.system.stateHash(), `seek(${t}) in order ${targets.join(',')}`).toBe(ref.get(t));
      }
      reader.close();
    }),
});

/**
 * Event positions, for every kind of event — including those raised inside a system's run
 * loop rather than by an instruction (an interrupt taken before a slice, a scheduling
 * decision, a PV upcall): seekSeq(s) lands right after event s, at its icount, in the state
 * a straight replay to s reaches; nextEvent and prevEvent are inverse there. (Until the run
 * loops honoured a stop requested by such an event before the next slice, seeking to one
 * overshot by up to a slice: regressions/timetravel.event-positions-1658689777.json.)
 */
function eventPositions() {
  return fc.property(recordings, fc.integer({ min: 100, max: 4000 }), fc.array(fracs, { minLength: 1, maxLength: 4 }), (spec, interval, fs) => {
    const r = record(spec);
    const reader = TraceReader.open(r.trace);
    // the end marker is the recorder's, not a position the machine produces
    const lastMachineEvent = r.events.filter((e) => e.kind !== 'marker').length - 1;
    if (lastMachineEvent < 0) return;
    const here = () => ({ seq: tl.seq, icount: tl.icount, hash: tl.system.stateHash() });
    const tl = new Timeline(reader, { interval });
    for (const f of fs) {
      const s = Math.floor(f * lastMachineEvent);
      // the straight pass: a fresh engine run to "after event s"
      const ref = new ReplayEngine(reader);
      ref.advance(Infinity, s);
      tl.seekSeq(s);
      const pos = here();
      expect(pos, `seekSeq(${s})`).toEqual({ seq: ref.seq, icount: ref.icount, hash: ref.system.stateHash() });
      // events produced together (an exit and its SBI call, a domain's create and start) are
      // one position: the seek lands after the last of them
      expect(tl.seq).toBeGreaterThan(s);
      for (let q = s + 1; q < tl.seq; q++) expect(reader.get(q).icount, `event ${q} shares event ${s}'s position`).toBe(reader.get(s).icount);
      expect(tl.icount, `after event ${s} (${reader.get(s).kind})`).toBe(reader.get(s).icount);
      if (tl.seq <= lastMachineEvent) {
        tl.nextEvent();
        expect(tl.seq).toBeGreaterThan(pos.seq);
        tl.prevEvent();
        expect(here(), `seekSeq(${s}), next, prev`).toEqual(pos);
      }
      tl.seekSeq(s);
      tl.prevEvent();
      expect(tl.seq).toBeLessThanOrEqual(s);
      tl.nextEvent();
      expect(here(), `seekSeq(${s}), prev, next`).toEqual(pos);
    }
    reader.close();
  });
}

propertyTest({
  name: 'timetravel.event-positions',
  quickRuns: 20,
  weight: 2,
  build: () => eventPositions(),
});

/**
 * Reverse-continue to a write watchpoint (src/replay/debug) lands on the last write before
 * the starting point that a forward scan (continue, again and again, from the start) finds.
 * Bare recordings: their generated stores go to the scratch page around s1 (guest-programs.ts).
 */
propertyTest({
  name: 'timetravel.reverse-continue-watchpoint',
  quickRuns: 10,
  weight: 2,
  build: () =>
    fc.property(
      fc.record({ blocks: programArb, schedule: scheduleArb, wallClockNs: fc.constant(0n) }),
      fracs,
      fc.integer({ min: 0, max: 4095 }),
      fc.constantFrom(1, 8, 64, 4096),
      (spec, f, off, len) => {
        const r = recordBare(spec);
        const reader = TraceReader.open(r.trace);
        const origin = Math.floor(f * reader.lastIcount);
        const stops = new StopSet();
        stops.addWatchpoint(0x80100000n + BigInt(off), len, 'write');
        // forward scan: every write hit from the start, up to the origin
        const fwd = new Timeline(reader, { interval: 2000 });
        let last: number | null = null;
        for (;;) {
          const res = runJob(new ForwardContinue(fwd, stops));
          if (res.kind !== 'hit' || res.position >= origin) break;
          last = res.position;
        }
        const tl = new Timeline(reader, { interval: 2000 });
        tl.seekIcount(origin);
        const back = runJob(new ReverseContinue(tl, stops));
        expect(back.kind === 'hit' ? back.position : null, `reverse-continue from ${origin}`).toBe(last);
        expect(tl.icount).toBe(last ?? 0);
        reader.close();
      },
    ),
});
