import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { TraceReader } from '../../src/trace/reader.ts';
import { TraceError } from '../../src/trace/errors.ts';
import type { ChunkInfo } from '../../src/trace/chunk-io.ts';
import { CHUNK_HEADER_SIZE, FOOTER_SIZE } from '../../src/trace/format.ts';
import { simpleInits, writeTrace, type Written } from './helpers.ts';

// A small file: header, 5 event chunks with a checkpoint among them, index, footer.
const small = writeTrace({ inits: simpleInits(36), checkpointAt: [15], spanBytes: 60, writer: { chunkBytes: 60 } });
const intact = TraceReader.fromBytes(small.bytes);
const all: readonly ChunkInfo[] = intact.chunks;
const indexOffset = all[all.length - 1].end;
const footerOffset = small.bytes.length - FOOTER_SIZE;
const headerSize = all[0].offset;

/** Events in chunks that end at or before `limit`. */
function eventsBefore(limit: number): number {
  return all.filter((c) => c.end <= limit).reduce((n, c) => n + c.eventCount, 0);
}

/** Everything a reader can be asked; throws the first problem. */
function readEverything(r: TraceReader): void {
  for (const _ of r.events());
  for (const cp of r.checkpoints) r.readCheckpoint(cp);
}

function expectSalvagedPrefix(r: TraceReader, w: Written, events: number): void {
  expect(r.eventCount).toBe(events);
  expect([...r.events()]).toEqual(w.events.slice(0, events));
  expect(r.checkpoints.length).toBe(w.checkpoints.filter((_, i) => all.filter((c) => c.eventCount === 0)[i].end <= (r.damage?.offset ?? Infinity)).length);
}

describe('the small test file', () => {
  test('has the intended shape', () => {
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(intact.checkpoints).toHaveLength(1);
    expect(small.bytes.length).toBeLessThan(8000);
  });
});

describe('truncation at every byte boundary', () => {
  test('strict readers fail with a located error unless the cut falls between chunks; salvage keeps every complete chunk', () => {
    const chunkEnds = new Set([headerSize, ...all.map((c) => c.end), indexOffset + 0]);
    for (let len = 0; len < small.bytes.length; len++) {
      const cut = small.bytes.subarray(0, len);
      const atBoundary = chunkEnds.has(len) || len === footerOffset;
      let strict: TraceReader | null = null;
      try {
        strict = TraceReader.fromBytes(cut, {}, 'cut.trace');
        readEverything(strict);
      } catch (e) {
        expect(e, `len ${len}`).toBeInstanceOf(TraceError);
        expect(atBoundary && len >= headerSize, `len ${len} should open`).toBe(false);
        if (len >= headerSize) expect((e as TraceError).message).toMatch(/^cut\.trace: (chunk \d+ at )?byte offset \d+: /);
        strict = null;
      }
      if (strict) {
        expect(atBoundary, `len ${len} opened`).toBe(true);
        expect(strict.complete).toBe(false);
        expect(strict.eventCount).toBe(eventsBefore(len));
      }
      if (len < headerSize) {
        expect(() => TraceReader.fromBytes(cut, { salvage: true })).toThrow(TraceError);
        continue;
      }
      const s = TraceReader.fromBytes(cut, { salvage: true });
      expect(s.eventCount, `len ${len}`).toBe(eventsBefore(len));
      expect(s.damage === null).toBe(atBoundary);
      if (s.damage) expect(s.damage.bytesLost).toBe(len - s.damage.offset);
    }
    // spot-check contents once rather than at every length
    expectSalvagedPrefix(TraceReader.fromBytes(small.bytes.subarray(0, all[3].end + 10), { salvage: true }), small, eventsBefore(all[3].end));
  });
});

describe('single-byte corruption', () => {
  /** The structure a byte belongs to: 0 header, 1..n chunk number, n+1 index chunk, n+2 footer. */
  function region(pos: number): number {
    if (pos < headerSize) return 0;
    const c = all.find((x) => pos >= x.offset && pos < x.end);
    if (c) return c.number;
    return pos < footerOffset ? all.length + 1 : all.length + 2;
  }

  function check(pos: number, xor: number): void {
    const bytes = small.bytes.slice();
    bytes[pos] ^= xor;
    const where = `byte ${pos} ^ 0x${xor.toString(16)}`;
    // verified open catches it...
    expect(() => TraceReader.fromBytes(bytes, { verify: true }), where).toThrow(TraceError);
    // ...and so does a lazy open followed by reading everything
    expect(() => readEverything(TraceReader.fromBytes(bytes)), where).toThrow(TraceError);
    const r = region(pos);
    if (r === 0) {
      expect(() => TraceReader.fromBytes(bytes, { salvage: true }), where).toThrow(TraceError);
      return;
    }
    const s = TraceReader.fromBytes(bytes, { salvage: true });
    expect(s.damage, where).not.toBeNull();
    const damagedChunk = r <= all.length ? all[r - 1] : null;
    expect(s.damage!.chunk, where).toBe(r <= all.length + 1 ? r : null);
    const keep = damagedChunk ? damagedChunk.offset : indexOffset;
    expect(s.eventCount, where).toBe(eventsBefore(keep));
    expect(s.chunks.length, where).toBe(all.filter((c) => c.end <= keep).length);
  }

  test('every byte of the file, flipped, is detected; salvage keeps exactly the chunks before it', () => {
    // Every byte from the end of the configuration JSON on, and the fixed header fields; the
    // JSON itself (one CRC-covered block) is sampled, as each of its bytes takes the same path.
    for (let pos = 0; pos < small.bytes.length; pos++) if (pos < 24 || pos >= headerSize - 8 || pos % 16 === 0) check(pos, 0x01);
  });

  test('any byte, any damage (property)', () => {
    fc.assert(fc.property(fc.nat(small.bytes.length - 1), fc.integer({ min: 1, max: 255 }), (pos, xor) => check(pos, xor)), { numRuns: 400 });
  });

  test('the message names the chunk, its offset and what salvage would recover', () => {
    const target = all.find((c) => c.number >= 4 && c.eventCount > 0)!;
    const n = target.number;
    const bytes = small.bytes.slice();
    bytes[target.offset + CHUNK_HEADER_SIZE + 2] ^= 0x40;
    expect(() => TraceReader.fromBytes(bytes, { verify: true }, 'run.trace')).toThrow(
      new RegExp(`^run\\.trace: chunk ${n} at byte offset ${target.offset}: payload CRC mismatch \\(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\); run with --salvage to read the ${n - 1} chunks \\(${eventsBefore(target.offset)} events\\) before it$`),
    );
    // the lazy reader reports the same place when the chunk is first needed
    const lazy = TraceReader.fromBytes(bytes, {}, 'run.trace');
    expect(() => lazy.get(target.firstSeq)).toThrow(`run.trace: chunk ${n} at byte offset ${target.offset}: payload CRC mismatch`);
    expect(lazy.get(0)).toEqual(small.events[0]);
    const s = TraceReader.fromBytes(bytes, { salvage: true }, 'run.trace');
    expect(s.damage).toMatchObject({ code: 'crc', chunk: n, offset: target.offset, intactChunks: n - 1, intactEvents: eventsBefore(target.offset) });
    expect(s.damage!.message).toContain('run with --salvage');
  });

  test('a damaged header cannot be salvaged and says so', () => {
    const bytes = small.bytes.slice();
    bytes[30] ^= 1;
    expect(() => TraceReader.fromBytes(bytes, { salvage: true }, 'h.trace')).toThrow('h.trace: file header at byte offset 0: header CRC mismatch');
    expect(() => TraceReader.fromBytes(new TextEncoder().encode('hello world, this is text'), {}, 't.txt')).toThrow('not a Chronovisor trace');
  });
});

describe('files without a footer (killed writers)', () => {
  test('are indexed by scanning and read up to the last flushed chunk', () => {
    const w = writeTrace({ inits: simpleInits(400), flushAt: [100, 250], checkpointAt: [300], close: false, spanBytes: 1 << 20, writer: { chunkBytes: 1 << 20, chunkEvents: 1 << 20 } });
    const r = TraceReader.fromBytes(w.bytes);
    expect(r.complete).toBe(false);
    expect(r.eventCount).toBe(300);
    expect([...r.events()]).toEqual(w.events.slice(0, 300));
    expect(r.checkpoints.map((c) => c.seq)).toEqual([300]);
    expect(r.eventsByIcount(w.events[120].icount, w.events[130].icount)).toEqual(w.events.filter((e) => e.icount >= w.events[120].icount && e.icount < w.events[130].icount));
  });

  test('a footer whose magic is damaged is not mistaken for a clean end', () => {
    const bytes = small.bytes.slice();
    bytes[footerOffset] ^= 0xff;
    expect(() => TraceReader.fromBytes(bytes)).toThrow(`byte offset ${footerOffset}: 32 bytes after the index chunk are not a 32-byte footer`);
    expect(TraceReader.fromBytes(bytes, { salvage: true }).eventCount).toBe(small.events.length);
  });
});
