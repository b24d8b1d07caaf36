// Time travel over a golden trace: seeking, stepping and reverse-stepping land in exactly the
// same machine state however the position was reached.
import { beforeAll, describe, expect, test } from 'vitest';
import { TraceReader } from '../../src/trace/reader.ts';
import { Timeline } from '../../src/replay/timeline.ts';

describe('timeline', () => {
  let reader: TraceReader;
  let tl: Timeline;
  const hashAt = new Map<number, string>();

  beforeAll(() => {
    reader = TraceReader.open('traces/bench-3m.trace');
    // reference states from one straight forward pass, no restores
    const ref = new Timeline(reader, { interval: 250_000 });
    for (const t of [0, 1, 777_777, 926_592, 1_500_000, 2_999_999]) {
      ref.seekIcount(t);
      hashAt.set(t, ref.system.stateHash());
    }
    tl = new Timeline(reader, { interval: 250_000 });
    tl.seekIcount(reader.lastIcount);
  });

  test.each([
    [1_500_000, 1],
    [1_500_000, 1000],
    [926_592, 100_000],
    [2_999_999, 600_000],
    [777_777, 777_776],
  ])('seek(%i), reverse-step %i, step back: same state hash', (t, k) => {
    tl.seekIcount(t);
    const h1 = tl.system.stateHash();
    expect(h1).toBe(hashAt.get(t));
    tl.reverseStep(k);
    expect(tl.icount).toBe(t - k);
    tl.step(k);
    expect(tl.icount).toBe(t);
    expect(tl.system.stateHash()).toBe(h1);
  });

  test('seeks in any order reproduce the straight-line states (forward jumps across checkpoints too)', () => {
    for (const t of [2_999_999, 1, 1_500_000, 0, 777_777, 2_999_999, 926_592]) {
      tl.seekIcount(t);
      expect(tl.system.stateHash(), `at ${t}`).toBe(hashAt.get(t));
    }
  });

  test('event positions: after event s, previous and next event', () => {
    // events 49 (console) and 50 (mmio) come from one UART store: they share a position
    expect(reader.get(49).icount).toBe(reader.get(50).icount);
    tl.seekSeq(49);
    expect(tl.seq).toBe(51);
    expect(tl.icount).toBe(reader.get(50).icount);
    tl.prevEvent();
    expect(tl.seq).toBe(49);
    expect(tl.icount).toBe(reader.get(48).icount);
    tl.nextEvent();
    expect(tl.seq).toBe(51);
    tl.seekSeq(-1);
    expect(tl.seq).toBe(0);
    expect(tl.icount).toBe(0);
  });

  test('checkpoints were taken at the interval and cost only changed pages', () => {
    expect(tl.checkpoints.length).toBeGreaterThanOrEqual(12);
    expect(tl.checkpoints.every((c, i) => i === 0 || c.icount - tl.checkpoints[i - 1].icount >= 250_000)).toBe(true);
    // the bench guest touches a few MB; whole-memory copies would be 256 MiB each
    expect(tl.checkpointBytes).toBeLessThan(64 * 2 ** 20);
  });
});
