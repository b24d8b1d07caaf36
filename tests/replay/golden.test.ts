// Golden traces (traces/*.trace) are recordings of our own guests. Replaying them verifies
// every event and the final architectural state, so a behaviour change in the CPU or the
// machine shows up here as a divergence with a readable report.
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { TraceReader } from '../../src/trace/reader.ts';
import { DivergenceSignal, ReplayEngine, Replayer } from '../../src/replay/replayer.ts';

const traces = readdirSync('traces').filter((f) => f.endsWith('.trace') && f !== 'demo.trace');

describe('golden traces', () => {
  test('there are golden traces to replay', () => {
    expect(traces.length).toBeGreaterThanOrEqual(2);
  });

  test.each(traces)('%s replays with every event and the final state verified', (name) => {
    const r = new Replayer(TraceReader.open(`traces/${name}`)).run();
    if (!r.ok) throw new Error(r.divergence.message);
    expect(r.endChecked).toBe(true);
    expect(r.events).toBeGreaterThan(100);
  });

  test('a CPU that computes one wrong value diverges, with a report naming where and what', () => {
    // Simulate a behaviour change: after the guest's first console byte, flip a bit in a
    // register the bench guest uses to walk its output string.
    const reader = TraceReader.open('traces/bench-3m.trace');
    const engine = new ReplayEngine(reader);
    engine.advance(Infinity, 1);
    const hart = engine.system.hart(0, 0)!;
    const before = hart.getX(10);
    hart.setX(10, before ^ 1n);
    let report = '';
    try {
      engine.advance(Infinity);
    } catch (e) {
      if (!(e instanceof DivergenceSignal)) throw e;
      report = engine.describe(e.reason).message;
    }
    expect(report).toMatch(/replay (diverged at event seq \d+, icount \d+, hart 0 pc 0x[0-9a-f]+|reproduced every event but the final machine state differs)/);
    expect(report).toMatch(/events before it/);
  });

  test('an image with different contents is refused with a clear message', () => {
    const reader = TraceReader.open('traces/echo.trace');
    expect(() => new Replayer(reader, { images: { bios: 'guests/bench/bench.bin' } })).toThrow(/differs from the one recorded .*sha256/);
  });
});
