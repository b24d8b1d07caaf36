import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { EventLog } from '../../src/events/log.ts';
import { TraceReader } from '../../src/trace/reader.ts';
import { TraceWriter } from '../../src/trace/writer.ts';
import { CHUNK_CHECKPOINT, CHUNK_EVENTS } from '../../src/trace/format.ts';
import { appendAll } from '../events/arbitraries.ts';
import { sameRecord } from '../../src/events/diff.ts';
import { CONFIG, planArb, simpleInits, tmpPath, writeTrace } from './helpers.ts';

const plans = planArb({ maxEvents: 150, maxFlushes: 4, maxCheckpoints: 3, spanBytes: { min: 32, max: 2048 }, chunkBytes: { min: 1, max: 4096 } });

describe('trace round trip', () => {
  test('events of every kind and checkpoints read back exactly, lazily and verified', () => {
    fc.assert(
      fc.property(plans, (p) => {
        const w = writeTrace({ ...p, writer: { chunkBytes: p.chunkBytes } });
        for (const verify of [false, true]) {
          const r = TraceReader.open(w.path, { verify });
          expect(r.complete).toBe(true);
          expect(r.eventCount).toBe(w.events.length);
          expect([...r.events()]).toEqual(w.events);
          expect(r.checkpoints.map((c) => ({ seq: c.seq, icount: c.icount, data: r.readCheckpoint(c) }))).toEqual(w.checkpoints);
          expect(r.config).toEqual(CONFIG);
          r.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  test('the same run gives the same bytes', () => {
    const plan = { inits: simpleInits(300), flushAt: [50, 120], checkpointAt: [200] };
    expect(writeTrace(plan).bytes).toEqual(writeTrace(plan).bytes);
  });

  test('chunks rebuild the in-memory log without decoding (readSpan -> appendSpan)', () => {
    const w = writeTrace({ inits: simpleInits(500), checkpointAt: [100] });
    const r = TraceReader.open(w.path);
    const log = new EventLog({ schema: r.schema });
    for (const c of r.eventChunks) log.appendSpan(r.readSpan(c));
    expect(log.range(0, log.count)).toEqual(w.events);
    r.close();
  });

  test('the summary and the writer thresholds', () => {
    const file = tmpPath();
    const log = new EventLog({ spanBytes: 100 });
    const w = TraceWriter.create(file, { config: CONFIG, chunkBytes: 1 << 20, chunkEvents: 50 });
    w.attach(log);
    for (let i = 0; i < 120; i++) log.appendMmio(i, 0, 0, 1, 0, 4, i, true);
    expect(w.eventsFlushed).toBeGreaterThanOrEqual(50);
    const s = w.close();
    expect(s).toMatchObject({ events: 120, firstSeq: 0, lastIcount: 119, checkpoints: 0, bytes: fs.statSync(file).size });
    expect(w.close()).toBe(s);
    expect(() => log.appendMmio(200, 0, 0, 1, 0, 4, 0, true)).not.toThrow(); // the log outlives the writer
  });

  test('writer refuses spans out of order and use after close', () => {
    const a = new EventLog();
    a.appendMarker(1, 0, 0, 'a');
    const first = a.seal()!;
    a.appendMarker(2, 0, 0, 'b');
    const second = a.seal()!;
    const w = TraceWriter.create(tmpPath(), { config: CONFIG });
    w.writeEvents(second);
    expect(() => w.writeEvents(first)).toThrow('does not continue the trace');
    w.close();
    expect(() => w.flush()).toThrow('closed');
  });

  test('writer refuses a config without image digests or with non-JSON data', () => {
    expect(() => TraceWriter.create(tmpPath(), { config: { ...CONFIG, images: [{ name: 'x', size: 1, sha256: 'abc' }] } })).toThrow('use imageDigest()');
    expect(() => TraceWriter.create(tmpPath(), { config: { ...CONFIG, machine: { ram: 1n } } })).toThrow('$.config.machine.ram is a bigint');
    expect(() => TraceWriter.create(tmpPath(), { config: { ...CONFIG, vtime: { icountShift: 99 } } })).toThrow('icountShift');
  });
});

describe('random access through the index', () => {
  const w = writeTrace({ inits: simpleInits(2000), flushAt: [10, 11, 500], checkpointAt: [0, 700, 1500, 1999], writer: { chunkBytes: 300 } });
  const r = TraceReader.open(w.path);

  test('the index lists many chunks, in order', () => {
    expect(r.complete).toBe(true);
    expect(r.eventChunks.length).toBeGreaterThan(20);
    expect(r.chunks.filter((c) => c.type === CHUNK_CHECKPOINT)).toHaveLength(4);
    expect(r.chunks.every((c, i) => c.number === i + 1 && (i === 0 || c.offset === r.chunks[i - 1].end))).toBe(true);
    expect(r.eventChunks.every((c) => c.type === CHUNK_EVENTS)).toBe(true);
  });

  test('by seq', () => {
    fc.assert(
      fc.property(fc.nat(2000), fc.nat(300), (from, len) => {
        const to = from + len;
        expect(r.eventsBySeq(from, to)).toEqual(w.events.slice(from, to));
        if (from < 2000) expect(r.get(from)).toEqual(w.events[from]);
      }),
      { numRuns: 100 },
    );
    expect(() => r.get(2000)).toThrow('no event with seq 2000 (the trace holds 0..1999)');
  });

  test('by icount', () => {
    const last = w.events[w.events.length - 1].icount;
    fc.assert(
      fc.property(fc.nat(last + 5), fc.nat(60), (from, len) => {
        expect(r.eventsByIcount(from, from + len)).toEqual(w.events.filter((e) => e.icount >= from && e.icount < from + len));
        const first = w.events.findIndex((e) => e.icount >= from);
        expect(r.seqAtIcount(from)).toBe(first < 0 ? w.events.length : first);
      }),
      { numRuns: 100 },
    );
  });

  test('checkpoints: listing and the latest one before a point', () => {
    expect(r.checkpoints.map((c) => c.seq)).toEqual([0, 700, 1500, 1999]);
    expect(r.checkpointBefore({ seq: 1499 })?.seq).toBe(700);
    expect(r.checkpointBefore({ icount: w.events[1600].icount })?.seq).toBe(1500);
    expect(r.checkpointBefore({ icount: -1 })).toBeNull();
    expect(r.readCheckpoint(r.checkpoints[2])).toEqual(w.checkpoints[2].data);
  });

  test('the first and last icount and the event count come from the index alone', () => {
    expect([r.firstSeq, r.nextSeq, r.firstIcount, r.lastIcount]).toEqual([0, 2000, w.events[0].icount, w.events[1999].icount]);
  });
});

describe("lockstep checking (the replayer's walk)", () => {
  test('a cursor crosses chunks, peeks without consuming, and its records match a re-run byte for byte', () => {
    const inits = simpleInits(800);
    const w = writeTrace({ inits, checkpointAt: [300], flushAt: [301] });
    const r = TraceReader.open(w.path);
    const cur = r.cursor();
    const live = new EventLog();
    for (let i = 0; i < inits.length; i++) {
      if (i % 7 === 0) expect(cur.peek()).toEqual(w.events[i]);
      appendAll(live, [inits[i]]);
      if (i % 2) expect(sameRecord(live.lastRecord(), cur.nextRecord())).toBe(true);
      else expect(cur.next()).toEqual(w.events[i]);
    }
    expect(cur.done).toBe(true);
    expect(cur.peek()).toBeNull();
    expect(() => cur.next()).toThrow('end of trace');
    expect(r.cursor(450).next()).toEqual(w.events[450]);
    r.close();
  });

  test('a different event gives different record bytes', () => {
    const a = new EventLog();
    const b = new EventLog();
    a.appendMmio(5, 0, 0, 1, 0, 4, 1, true);
    b.appendMmio(5, 0, 0, 1, 0, 4, 2, true);
    expect(sameRecord(a.lastRecord(), b.lastRecord())).toBe(false);
    b.appendMmio(6, 0, 0, 1, 0, 4, 2, true);
    a.appendMmio(6, 0, 0, 1, 0, 4, 2, true);
    expect(sameRecord(a.lastRecord(), b.lastRecord())).toBe(true);
  });
});
