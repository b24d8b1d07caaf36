// Reading a trace: open (footer index, or a scan when there is none), random access to
// events by seq or icount through the chunk list, checkpoints, a full verification pass and
// salvage. Chunks are read and validated only when needed, a few inflated ones are cached,
// and every failure names the chunk and byte offset.

import fs from 'node:fs';
import type { TraceEvent } from '../events/event.ts';
import type { Schema } from '../events/schema.ts';
import { EventDecoder, type EventSpan } from '../events/span.ts';
import type { DeltaState } from '../events/codec.ts';
import { ChunkFault, type ByteSource, type ChunkInfo, decodeEventsPayload, fileSource, loadPayload, memorySource } from './chunk-io.ts';
import { type Damage, damageMessage, type DamageLocation, TraceError } from './errors.ts';
import { CHUNK_CHECKPOINT, CHUNK_EVENTS, type ChunkHeader } from './format.ts';
import { decodeFileHeader, type TraceConfig } from './header.ts';
import { readFromFooter, scanChunks, type ScanResult } from './scan.ts';
import { EventCursor } from './cursor.ts';

export interface OpenOptions {
  /** Read every chunk at open and fail on the first problem (default: check lazily). */
  verify?: boolean;
  /** Never fail on damage after the header: keep the intact prefix and describe the rest. */
  salvage?: boolean;
  /** Inflated event chunks kept in memory. Default 8. */
  cacheChunks?: number;
}

export interface CheckpointInfo {
  /** Chunk number (1-based) holding it. */
  readonly chunk: number;
  readonly offset: number;
  readonly seq: number;
  readonly icount: number;
  /** Size of the checkpoint data once inflated. */
  readonly size: number;
}

export class TraceReader {
  readonly path: string;
  readonly version: { readonly major: number; readonly minor: number };
  readonly config: TraceConfig;
  /** The schema the file was written with (from its header). */
  readonly schema: Schema;
  readonly fileSize: number;
  /** Every intact chunk except the index, in file order. */
  readonly chunks: readonly ChunkInfo[];
  readonly eventChunks: readonly ChunkInfo[];
  readonly checkpoints: readonly CheckpointInfo[];
  /** The file was closed properly: index chunk and footer present and consistent. */
  readonly complete: boolean;
  /** Salvage mode only: what was damaged and lost; null when the file is intact. */
  readonly damage: Damage | null;
  readonly firstSeq: number;
  readonly eventCount: number;

  private readonly src: ByteSource;
  /** Inflated, validated payloads of recently used event chunks (LRU by insertion order). */
  private readonly cache = new Map<number, Uint8Array>();
  private readonly cacheSize: number;
  /** Decoder left where the last get() stopped, so stepping forward costs one record. */
  private getCursor: { chunk: ChunkInfo; decoder: EventDecoder } | null = null;
  /** Events in chunks before chunk i (by position in `chunks`), for salvage hints. */
  private readonly eventsBefore: number[];

  static open(path: string, opts: OpenOptions = {}): TraceReader {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (e) {
      throw new TraceError(path, 'io', `${path}: cannot open trace: ${(e as Error).message}`);
    }
    const src = fileSource(path, fd);
    try {
      return new TraceReader(src, opts);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  /** A reader over bytes in memory (tests, traces embedded in other files). */
  static fromBytes(bytes: Uint8Array, opts: OpenOptions = {}, name = '<memory>'): TraceReader {
    return new TraceReader(memorySource(bytes, name), opts);
  }

  private constructor(src: ByteSource, opts: OpenOptions) {
    this.src = src;
    this.path = src.path;
    this.fileSize = src.size;
    this.cacheSize = Math.max(1, opts.cacheChunks ?? 8);
    const header = decodeFileHeader(src.path, src.size, (o, n) => src.read(o, n));
    this.version = Object.freeze({ major: header.major, minor: header.minor });
    this.config = header.config;
    this.schema = header.schema;
    let found: ScanResult;
    if (opts.verify || opts.salvage) {
      found = scanChunks(src, header, true);
    } else {
      found = readFromFooter(src, header) ?? scanChunks(src, header, false);
    }
    if (found.damage && !opts.salvage) throw TraceError.at(this.path, found.damage);
    this.damage = found.damage ? Object.freeze({ ...found.damage, message: damageMessage(this.path, found.damage), bytesLost: src.size - found.damage.offset }) : null;
    this.complete = !found.damage && found.footer !== null;
    this.chunks = Object.freeze(found.chunks);
    this.eventChunks = Object.freeze(found.chunks.filter((c) => c.type === CHUNK_EVENTS));
    this.checkpoints = Object.freeze(
      found.chunks.filter((c) => c.type === CHUNK_CHECKPOINT).map((c) => Object.freeze({ chunk: c.number, offset: c.offset, seq: c.firstSeq, icount: c.firstIcount, size: c.rawLength })),
    );
    this.firstSeq = this.eventChunks.length ? this.eventChunks[0].firstSeq : 0;
    this.eventCount = this.eventChunks.reduce((n, c) => n + c.eventCount, 0);
    let before = 0;
    this.eventsBefore = found.chunks.map((c) => {
      const n = before;
      if (c.type === CHUNK_EVENTS) before += c.eventCount;
      return n;
    });
  }

  /** seq after the last event. */
  get nextSeq(): number {
    return this.firstSeq + this.eventCount;
  }

  get firstIcount(): number {
    return this.eventChunks.length ? this.eventChunks[0].firstIcount : 0;
  }

  get lastIcount(): number {
    return this.eventChunks.length ? this.eventChunks[this.eventChunks.length - 1].lastIcount : 0;
  }

  close(): void {
    this.cache.clear();
    this.getCursor = null;
    this.src.close();
  }

  // --- events ---------------------------------------------------------------------------

  get(seq: number): TraceEvent {
    if (!Number.isSafeInteger(seq) || seq < this.firstSeq || seq >= this.nextSeq) {
      throw new TraceError(this.path, 'range', `${this.path}: no event with seq ${seq} (the trace holds ${this.firstSeq}..${this.nextSeq - 1})`);
    }
    const c = this.chunkForSeq(seq)!;
    const cur = this.getCursor;
    const d = cur && cur.chunk === c && cur.decoder.seq <= seq ? cur.decoder : this.decoderFor(c, c.firstSeq);
    this.getCursor = { chunk: c, decoder: d };
    while (d.seq < seq) d.skip();
    return d.next();
  }

  /** Events with from <= seq < to, clamped to the trace. */
  eventsBySeq(from: number, to: number): TraceEvent[] {
    return [...this.events(from, to)];
  }

  /** Events with from <= icount < to. */
  eventsByIcount(from: number, to: number): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (let i = this.firstChunkReaching(from); i < this.eventChunks.length && this.eventChunks[i].firstIcount < to; i++) {
      const c = this.eventChunks[i];
      const d = this.decoderFor(c, c.firstSeq);
      for (let k = 0; k < c.eventCount; k++) {
        const e = d.next();
        if (e.icount >= to) break;
        if (e.icount >= from) out.push(e);
      }
    }
    return out;
  }

  /**
   * Iterates events with from <= seq < to (clamped). Events are decoded one at a time and
   * not kept, so walking a whole trace stays in young-generation garbage.
   */
  *events(from = this.firstSeq, to = this.nextSeq): Generator<TraceEvent> {
    from = Math.max(from, this.firstSeq);
    to = Math.min(to, this.nextSeq);
    if (from >= to) return;
    for (let i = this.eventChunks.indexOf(this.chunkForSeq(from)!); i < this.eventChunks.length; i++) {
      const c = this.eventChunks[i];
      if (c.firstSeq >= to) return;
      const start = Math.max(from, c.firstSeq);
      const end = Math.min(to, c.firstSeq + c.eventCount);
      const d = this.decoderFor(c, start);
      for (let seq = start; seq < end; seq++) yield d.next();
    }
  }

  /** seq of the first event at or after `icount` (nextSeq when there is none). */
  seqAtIcount(icount: number): number {
    const i = this.firstChunkReaching(icount);
    if (i >= this.eventChunks.length) return this.nextSeq;
    const c = this.eventChunks[i];
    const d = this.decoderFor(c, c.firstSeq);
    // skip() leaves icount at the record just passed, so stop one record after the first hit.
    for (;;) {
      const seq = d.seq;
      d.skip();
      if (d.icount >= icount) return seq;
    }
  }

  /** The events chunk holding `seq`, or undefined. */
  chunkForSeq(seq: number): ChunkInfo | undefined {
    const cs = this.eventChunks;
    let lo = 0, hi = cs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = cs[mid];
      if (seq < c.firstSeq) hi = mid - 1;
      else if (seq >= c.firstSeq + c.eventCount) lo = mid + 1;
      else return c;
    }
    return undefined;
  }

  /** Index (in eventChunks) of the first chunk whose last icount is >= icount. */
  private firstChunkReaching(icount: number): number {
    const cs = this.eventChunks;
    let lo = 0, hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cs[mid].lastIcount >= icount) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** One events chunk as the log's span type (inflated, not decoded): feed EventLog.appendSpan. */
  readSpan(chunk: ChunkInfo): EventSpan {
    const raw = this.payload(chunk);
    const end = this.guard(chunk, () => decodeEventsPayload(this.schema, chunk, raw, false).end);
    return Object.freeze({
      schema: this.schema,
      firstSeq: chunk.firstSeq,
      count: chunk.eventCount,
      firstIcount: chunk.firstIcount,
      lastIcount: chunk.lastIcount,
      base: baseOf(chunk),
      end: Object.freeze(end),
      bytes: raw,
    });
  }

  /** A forward cursor from `fromSeq` across chunks (the replayer's walk); see cursor.ts. */
  cursor(fromSeq = this.firstSeq): EventCursor {
    return new EventCursor(this, fromSeq);
  }

  /** A decoder over one events chunk (validated), positioned at `seq`. */
  decoderFor(c: ChunkInfo, seq: number): EventDecoder {
    const d = new EventDecoder(this.schema, this.payload(c), c.firstSeq, baseOf(c));
    while (d.seq < seq) d.skip();
    return d;
  }

  /**
   * The inflated payload of an events chunk, validated on first use (every record decodes,
   * counts and icounts match the header), then cached.
   */
  private payload(c: ChunkInfo): Uint8Array {
    const hit = this.cache.get(c.number);
    if (hit) {
      this.cache.delete(c.number);
      this.cache.set(c.number, hit);
      return hit;
    }
    const raw = this.load(c);
    this.guard(c, () => decodeEventsPayload(this.schema, c, raw, false));
    this.cache.set(c.number, raw);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return raw;
  }

  // --- checkpoints ----------------------------------------------------------------------

  /** The latest checkpoint at or before the given icount (or seq); null when none is. */
  checkpointBefore(at: { icount: number } | { seq: number }): CheckpointInfo | null {
    let best: CheckpointInfo | null = null;
    for (const cp of this.checkpoints) {
      const ok = 'icount' in at ? cp.icount <= at.icount : cp.seq <= at.seq;
      if (ok && (!best || ('icount' in at ? cp.icount >= best.icount : cp.seq >= best.seq))) best = cp;
    }
    return best;
  }

  readCheckpoint(cp: CheckpointInfo): Uint8Array {
    const c = this.chunks.find((x) => x.number === cp.chunk && x.type === CHUNK_CHECKPOINT);
    if (!c) throw new TraceError(this.path, 'range', `${this.path}: no checkpoint in chunk ${cp.chunk}`);
    return this.load(c);
  }

  // --- validation -----------------------------------------------------------------------

  /** Reads and checks every chunk, index and footer; throws the first problem. */
  verify(): void {
    const header = decodeFileHeader(this.path, this.src.size, (o, n) => this.src.read(o, n));
    const found = scanChunks(this.src, header, true);
    if (found.damage) throw TraceError.at(this.path, found.damage);
  }

  private load(c: ChunkInfo): Uint8Array {
    return this.guard(c, () => loadPayload(this.src, c));
  }

  /** Runs a chunk operation, turning faults into located errors with the salvage hint. */
  private guard<T>(c: ChunkHeader & { number: number; offset: number }, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ChunkFault)) throw e;
      const pos = this.chunks.findIndex((x) => x.number === c.number);
      const loc: DamageLocation = { code: e.code, reason: e.message, chunk: c.number, offset: c.offset, intactChunks: pos, intactEvents: this.eventsBefore[pos] ?? 0 };
      throw TraceError.at(this.path, loc);
    }
  }
}

function baseOf(c: ChunkHeader): DeltaState {
  return Object.freeze({ icount: c.baseIcount, domain: c.baseDomain, vcpu: c.baseVcpu });
}
