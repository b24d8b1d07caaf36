// Trace format properties that extend tests/trace (which round-trips generated events and
// corrupts one fixed small file): here the files themselves are generated — any mix of event
// kinds, span sizes, chunk sizes, flushes and checkpoints — and then damaged.
//   - any single-byte change anywhere in a generated file is detected (strict and lazy reads
//     throw a TraceError), and salvage returns an exact prefix of the events, never a wrong one;
//   - truncation at any length: strict readers either refuse with a TraceError or open a
//     file that ends cleanly between chunks; either way what they return is a prefix;
//   - the event-record round trip holds across log spans re-assembled from the file.
import fc from 'fast-check';
import { expect } from 'vitest';
import { EventLog } from '../src/events/log.ts';
import { TraceReader } from '../src/trace/reader.ts';
import { TraceError } from '../src/trace/errors.ts';
import { planArb, writeTrace } from '../tests/trace/helpers.ts';
import { propertyTest } from './harness/property.ts';

const plans = planArb({ maxEvents: 80, maxFlushes: 3, maxCheckpoints: 2, spanBytes: { min: 32, max: 1024 }, chunkBytes: { min: 16, max: 2048 } });

type Plan = typeof plans extends fc.Arbitrary<infer P> ? P : never;

function write(p: Plan) {
  return writeTrace({ ...p, writer: { chunkBytes: p.chunkBytes } });
}

/** Reads every event and checkpoint; throws the first problem. */
function readEverything(r: TraceReader): unknown[] {
  const out = [...r.events()];
  for (const cp of r.checkpoints) r.readCheckpoint(cp);
  return out;
}

function expectTraceError(f: () => unknown, where: string): void {
  let thrown: unknown = null;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${where}: damage went unnoticed`).not.toBeNull();
  expect(thrown, `${where}: ${String(thrown)}`).toBeInstanceOf(TraceError);
}

propertyTest({
  name: 'trace.corruption-detected',
  quickRuns: 60,
  weight: 2,
  build: () =>
    fc.property(plans, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, xor) => {
      const w = write(p);
      const pos = at % w.bytes.length;
      const bytes = w.bytes.slice();
      bytes[pos] ^= xor;
      const where = `byte ${pos} of ${w.bytes.length} ^ 0x${xor.toString(16)}`;
      expectTraceError(() => readEverything(TraceReader.fromBytes(bytes, { verify: true })), where);
      expectTraceError(() => readEverything(TraceReader.fromBytes(bytes)), where);
      let salvaged: TraceReader | null = null;
      try {
        salvaged = TraceReader.fromBytes(bytes, { salvage: true });
      } catch (e) {
        expect(e, where).toBeInstanceOf(TraceError); // only a damaged file header is beyond salvage
        return;
      }
      expect(salvaged.damage, where).not.toBeNull();
      const events = [...salvaged.events()];
      expect(events, where).toEqual(w.events.slice(0, events.length));
    }),
});

propertyTest({
  name: 'trace.truncation-prefix',
  quickRuns: 60,
  build: () =>
    fc.property(plans, fc.nat(), (p, at) => {
      const w = write(p);
      const len = at % w.bytes.length;
      const cut = w.bytes.subarray(0, len);
      let strict: unknown[] | null = null;
      try {
        strict = readEverything(TraceReader.fromBytes(cut));
      } catch (e) {
        expect(e, `cut at ${len}`).toBeInstanceOf(TraceError);
      }
      if (strict) expect(strict, `cut at ${len}`).toEqual(w.events.slice(0, strict.length));
      try {
        const s = TraceReader.fromBytes(cut, { salvage: true });
        const events = [...s.events()];
        expect(events).toEqual(w.events.slice(0, events.length));
        // a truncated file is never reported as complete
        expect(s.complete).toBe(false);
      } catch (e) {
        expect(e).toBeInstanceOf(TraceError);
      }
    }),
});

propertyTest({
  name: 'trace.spans-roundtrip',
  quickRuns: 40,
  build: () =>
    fc.property(plans, (p) => {
      const w = write(p);
      const r = TraceReader.open(w.path, { verify: true });
      // the raw spans of the file rebuild an in-memory log that decodes to the same events,
      // and random access agrees with sequential reading
      const log = new EventLog({ schema: r.schema });
      for (const c of r.eventChunks) log.appendSpan(r.readSpan(c));
      expect(log.range(0, log.count)).toEqual(w.events);
      for (let s = 0; s < w.events.length; s += 7) expect(r.get(s)).toEqual(w.events[s]);
      expect(r.lastIcount).toBe(w.events[w.events.length - 1].icount);
      r.close();
    }),
});
