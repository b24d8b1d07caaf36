// Replay determinism (DESIGN.md §4, issue 3's property acceptance): generated guest programs
// and console-input schedules, on the bare machine and on the hypervisor (HVM domains, and
// a PV domain running a generated kernel: hypercalls, traps bounced to it, event channels),
// recorded to a trace file and replayed.
//   - recording is deterministic: the same program and inputs give the same events and the
//     same final state hash;
//   - replay reproduces every event (checked byte for byte as it is produced) and the final
//     state hash in the end marker;
//   - replay from any checkpoint reproduces the recorded suffix, to the same end state;
//   - a trace damaged anywhere never replays as a success.
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect } from 'vitest';
import { Replayer } from '../src/replay/replayer.ts';
import { Timeline } from '../src/replay/timeline.ts';
import { TraceReader } from '../src/trace/reader.ts';
import { propertyTest } from './harness/property.ts';
import { programArb, scheduleArb } from './lib/guest-programs.ts';
import { hostileSpecArb } from './lib/hostile.ts';
import { recordBare, recordHypervisor, tempPath, type Recorded } from './lib/recordings.ts';

const bareRun = fc.record({ blocks: programArb, schedule: scheduleArb, wallClockNs: fc.bigInt(0n, 1n << 62n) });
/** One or two HVM domains running generated programs, and sometimes a PV domain running a generated kernel. */
const hvRun = fc.record({ domains: fc.array(programArb, { minLength: 1, maxLength: 2 }), pv: fc.array(hostileSpecArb('pv'), { maxLength: 1 }), schedule: scheduleArb });

function expectReplays(r: Recorded): void {
  const result = new Replayer(TraceReader.open(r.trace)).run();
  if (!result.ok) throw new Error(result.divergence.message);
  expect(result.endChecked).toBe(true);
  expect(result.stateHash).toBe(r.stateHash);
  expect(result.events).toBe(r.events.length);
}

/** Replays from checkpoint `pick` of a timeline with checkpoints every `interval` instructions to the end. */
function expectSuffixFrom(r: Recorded, interval: number, pick: number): void {
  const reader = TraceReader.open(r.trace);
  const tl = new Timeline(reader, { interval });
  tl.seekIcount(reader.lastIcount);
  const cp = tl.checkpoints[pick % tl.checkpoints.length];
  tl.seekIcount(cp.icount);
  expect(tl.icount).toBe(cp.icount);
  expect(tl.seq).toBe(cp.seq);
  let produced = 0;
  tl.engine.onEvent = () => produced++;
  expect(tl.engine.advance(Infinity)).toBe('end');
  expect(tl.engine.endChecked).toBe(true);
  expect(tl.system.stateHash()).toBe(r.stateHash);
  // every event after the checkpoint was produced again and matched the recorded one (the
  // engine compares each as it is appended); the recorder's markers are checked, not produced
  const markers = r.events.filter((e) => e.seq >= cp.seq && e.kind === 'marker').length;
  expect(produced + markers).toBe(r.events.length - cp.seq);
  reader.close();
}

propertyTest({
  name: 'replay.bare.record-replay',
  quickRuns: 25,
  weight: 2,
  build: () =>
    fc.property(bareRun, (spec) => {
      const a = recordBare(spec);
      const b = recordBare(spec);
      expect(b.events).toEqual(a.events);
      expect(b.stateHash).toBe(a.stateHash);
      expectReplays(a);
    }),
});

propertyTest({
  name: 'replay.bare.checkpoint-suffix',
  quickRuns: 20,
  weight: 2,
  build: () =>
    fc.property(bareRun, fc.integer({ min: 200, max: 5000 }), fc.nat(), (spec, interval, pick) => {
      expectSuffixFrom(recordBare(spec), interval, pick);
    }),
});

propertyTest({
  name: 'replay.hypervisor.record-replay',
  quickRuns: 6,
  weight: 3,
  build: () =>
    fc.property(hvRun, (spec) => {
      const a = recordHypervisor(spec);
      const b = recordHypervisor(spec);
      expect(b.events).toEqual(a.events);
      expect(b.stateHash).toBe(a.stateHash);
      expectReplays(a);
    }),
});

propertyTest({
  name: 'replay.hypervisor.checkpoint-suffix',
  quickRuns: 5,
  weight: 2,
  build: () =>
    fc.property(hvRun, fc.integer({ min: 500, max: 8000 }), fc.nat(), (spec, interval, pick) => {
      expectSuffixFrom(recordHypervisor(spec), interval, pick);
    }),
});

propertyTest({
  name: 'replay.corrupt-trace-refused',
  quickRuns: 20,
  build: () =>
    fc.property(bareRun, fc.nat(), fc.integer({ min: 1, max: 255 }), (spec, at, xor) => {
      const r = recordBare(spec);
      const bytes = new Uint8Array(readFileSync(r.trace));
      const pos = at % bytes.length;
      bytes[pos] ^= xor;
      const damaged = tempPath('damaged.trace');
      writeFileSync(damaged, bytes);
      let ok = false;
      try {
        ok = new Replayer(TraceReader.open(damaged)).run().ok;
      } catch (e) {
        expect((e as Error).name, String(e)).toMatch(/TraceError|ImageMismatchError/);
      }
      expect(ok, `byte ${pos} ^ 0x${xor.toString(16)} replayed as a success`).toBe(false);
    }),
});
