// The incremental trace writer. Spans from the event log are queued as they are (no
// re-encoding) and written as one deflated chunk when the queue reaches a size or event
// threshold, or when the recorder calls flush() at a deterministic point. Each chunk goes out
// in one fs.writeSync of header + payload, so a recording killed with SIGKILL leaves a file
// that reads up to its last complete chunk; close() adds the index chunk and the footer.

import fs from 'node:fs';
import zlib from 'node:zlib';
import type { DeltaState } from '../events/codec.ts';
import type { EventLog } from '../events/log.ts';
import { defaultSchema, type Schema } from '../events/schema.ts';
import type { EventSpan } from '../events/span.ts';
import { crc32 } from './crc32.ts';
import { TraceError } from './errors.ts';
import {
  CHUNK_CHECKPOINT, CHUNK_EVENTS, CHUNK_INDEX, type ChunkHeader, encodeChunkHeader, encodeFooter, encodeIndex, FLAG_DEFLATE, type IndexEntry, MAX_PAYLOAD,
} from './format.ts';
import { encodeFileHeader, type TraceConfig } from './header.ts';

export interface TraceWriterOptions {
  config: TraceConfig;
  /** Must be the schema of the logs whose spans are written. Default: this build's table. */
  schema?: Schema;
  /** Write a chunk once this many encoded event bytes are queued. Default 64 KiB. */
  chunkBytes?: number;
  /** ...or once this many events are queued. Default 16384. */
  chunkEvents?: number;
  /** zlib level for event chunks (0..9). Default 1: on event streams level 6 costs ~5x the
   *  CPU for ~5% smaller files (bench/trace-append.ts), and recording overhead matters more. */
  level?: number;
  /** zlib level for checkpoint chunks. Default 1: checkpoints are big and speed matters more. */
  checkpointLevel?: number;
  /** Also fdatasync on every flush(), to survive power loss rather than only a killed process. */
  fsync?: boolean;
}

export interface TraceSummary {
  readonly path: string;
  readonly events: number;
  readonly firstSeq: number;
  readonly lastIcount: number;
  readonly eventChunks: number;
  readonly checkpoints: number;
  readonly bytes: number;
  /** Encoded event bytes before compression. */
  readonly rawEventBytes: number;
}

export class TraceWriter {
  readonly path: string;
  readonly schema: Schema;
  private fd: number;
  private offset = 0;
  private readonly opts: Required<Omit<TraceWriterOptions, 'config' | 'schema'>>;
  private readonly entries: IndexEntry[] = [];
  private pending: EventSpan[] = [];
  private pendingBytes = 0;
  private pendingEvents = 0;
  private nextSeq = -1;
  private endState: DeltaState | null = null;
  private eventsWritten = 0;
  private rawEventBytes = 0;
  private log: EventLog | null = null;
  private onSeal: ((span: EventSpan) => void) | null = null;
  private summary: TraceSummary | null = null;
  private failure: Error | null = null;

  private constructor(path: string, fd: number, opts: TraceWriterOptions) {
    this.path = path;
    this.fd = fd;
    this.schema = opts.schema ?? defaultSchema;
    this.opts = {
      chunkBytes: opts.chunkBytes ?? 64 * 1024,
      chunkEvents: opts.chunkEvents ?? 16384,
      level: opts.level ?? 1,
      checkpointLevel: opts.checkpointLevel ?? 1,
      fsync: opts.fsync ?? false,
    };
  }

  /** Creates (or truncates) `path` and writes the header at once. */
  static create(path: string, opts: TraceWriterOptions): TraceWriter {
    const header = encodeFileHeader(opts.config, opts.schema ?? defaultSchema);
    let fd: number;
    try {
      fd = fs.openSync(path, 'w');
    } catch (e) {
      throw new TraceError(path, 'io', `${path}: cannot create trace file: ${(e as Error).message}`);
    }
    const w = new TraceWriter(path, fd, opts);
    w.write([header]);
    return w;
  }

  /**
   * Streams a log into this writer: every span the log seals is written, and flush() and
   * close() seal the log's open span first.
   */
  attach(log: EventLog): void {
    if (log.schema !== this.schema && !this.schema.canDecode(log.schema)) this.usage('the log uses a schema this writer was not created with');
    this.log = log;
    // Spans sealed before attaching (and still retained) go first, so nothing is skipped.
    for (const span of log.spans) this.writeEvents(span);
    this.onSeal = (span) => this.writeEvents(span);
    log.onSeal = this.onSeal;
  }

  /** Queues a span; writes a chunk when a threshold is reached. Spans must come in seq order. */
  writeEvents(span: EventSpan): void {
    this.check();
    if (span.count === 0) return;
    if (span.schema !== this.schema && !this.schema.canDecode(span.schema)) this.usage('span was encoded with a schema this writer was not created with');
    if (this.nextSeq >= 0) {
      const s = this.endState!;
      if (span.firstSeq !== this.nextSeq || span.base.icount !== s.icount || span.base.domain !== s.domain || span.base.vcpu !== s.vcpu) {
        this.usage(`span at seq ${span.firstSeq} does not continue the trace (next seq ${this.nextSeq}); spans must be written in order, without gaps`);
      }
    }
    this.nextSeq = span.firstSeq + span.count;
    this.endState = span.end;
    this.pending.push(span);
    this.pendingBytes += span.bytes.length;
    this.pendingEvents += span.count;
    if (this.pendingBytes >= this.opts.chunkBytes || this.pendingEvents >= this.opts.chunkEvents) this.emitEvents();
  }

  /** Writes every queued event (sealing the attached log first). Call at deterministic points. */
  flush(): void {
    this.check();
    this.log?.seal();
    if (this.pending.length > 0) this.emitEvents();
    if (this.opts.fsync) this.io(() => fs.fdatasyncSync(this.fd));
  }

  /**
   * Embeds a checkpoint: opaque bytes for the state at `seq` (the recorder's convention:
   * the seq of the next event) and `icount`. Queued events are written first, so a file's
   * chunks stay in seq order.
   */
  writeCheckpoint(seq: number, icount: number, data: Uint8Array): void {
    this.check();
    if (!Number.isSafeInteger(seq) || seq < 0 || !Number.isSafeInteger(icount) || icount < 0) this.usage(`checkpoint seq ${seq} / icount ${icount} must be non-negative integers`);
    this.flush();
    this.emit(CHUNK_CHECKPOINT, data, this.opts.checkpointLevel, { eventCount: 0, firstSeq: seq, firstIcount: icount, lastIcount: icount, base: null });
  }

  /** Flushes, writes the index and footer, and closes the file. Idempotent. */
  close(): TraceSummary {
    if (this.summary) return this.summary;
    if (this.failure && this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    this.flush();
    const index = encodeIndex(this.entries);
    const chunkCount = this.entries.length;
    const indexOffset = this.offset;
    const { header, payload } = this.frame(CHUNK_INDEX, index, this.opts.level, { eventCount: 0, firstSeq: 0, firstIcount: 0, lastIcount: 0, base: null });
    const footer = encodeFooter({ indexOffset, eventCount: this.eventsWritten, chunkCount });
    this.write([header, payload, footer]);
    if (this.opts.fsync) this.io(() => fs.fdatasyncSync(this.fd));
    this.io(() => fs.closeSync(this.fd));
    if (this.log && this.log.onSeal === this.onSeal) this.log.onSeal = null;
    const events = this.entries.filter((e) => e.type === CHUNK_EVENTS);
    this.summary = Object.freeze({
      path: this.path,
      events: this.eventsWritten,
      firstSeq: events.length ? events[0].firstSeq : 0,
      lastIcount: events.length ? events[events.length - 1].lastIcount : 0,
      eventChunks: events.length,
      checkpoints: chunkCount - events.length,
      bytes: this.offset,
      rawEventBytes: this.rawEventBytes,
    });
    this.fd = -1;
    return this.summary;
  }

  /** Bytes written to the file so far. */
  get bytesWritten(): number {
    return this.offset;
  }

  /** Events in chunks already written (queued ones excluded). */
  get eventsFlushed(): number {
    return this.eventsWritten;
  }

  private emitEvents(): void {
    const spans = this.pending;
    const first = spans[0];
    const last = spans[spans.length - 1];
    const raw = spans.length === 1 ? first.bytes : concat(spans.map((s) => s.bytes), this.pendingBytes);
    const count = this.pendingEvents;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingEvents = 0;
    this.emit(CHUNK_EVENTS, raw, this.opts.level, { eventCount: count, firstSeq: first.firstSeq, firstIcount: first.firstIcount, lastIcount: last.lastIcount, base: first.base });
    this.eventsWritten += count;
    this.rawEventBytes += raw.length;
  }

  private emit(type: number, raw: Uint8Array, level: number, m: ChunkMeta): void {
    const offset = this.offset;
    const { header, payload, entry } = this.frame(type, raw, level, m);
    this.write([header, payload]);
    this.entries.push({ ...entry, offset });
  }

  private frame(type: number, raw: Uint8Array, level: number, m: ChunkMeta): { header: Uint8Array; payload: Uint8Array; entry: ChunkHeader } {
    if (raw.length > MAX_PAYLOAD) this.usage(`a ${raw.length}-byte chunk payload exceeds the ${MAX_PAYLOAD}-byte limit`);
    const deflated = level > 0 ? zlib.deflateRawSync(raw, { level }) : null;
    // Incompressible data (e.g. a checkpoint of random RAM) is stored as is.
    const compressed = deflated !== null && deflated.length < raw.length;
    const payload = compressed ? new Uint8Array(deflated.buffer, deflated.byteOffset, deflated.length) : raw;
    const payloadCrc = crc32(payload);
    const entry: ChunkHeader = {
      type,
      flags: compressed ? FLAG_DEFLATE : 0,
      storedLength: payload.length,
      rawLength: raw.length,
      payloadCrc,
      eventCount: m.eventCount,
      firstSeq: m.firstSeq,
      firstIcount: m.firstIcount,
      lastIcount: m.lastIcount,
      baseIcount: m.base?.icount ?? 0,
      baseDomain: m.base?.domain ?? 0,
      baseVcpu: m.base?.vcpu ?? 0,
    };
    return { header: encodeChunkHeader(entry), payload, entry };
  }

  /** One writeSync per structure so a kill leaves either all of a chunk or a detectable tail. */
  private write(parts: Uint8Array[]): void {
    const total = parts.reduce((n, p) => n + p.length, 0);
    const buf = parts.length === 1 ? parts[0] : concat(parts, total);
    this.io(() => {
      for (let done = 0; done < buf.length; ) done += fs.writeSync(this.fd, buf, done, buf.length - done, this.offset + done);
    });
    this.offset += total;
  }

  private io(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.failure = new TraceError(this.path, 'io', `${this.path}: write failed at byte offset ${this.offset}: ${(e as Error).message}`, { offset: this.offset });
      throw this.failure;
    }
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.summary) this.usage('the writer is closed');
  }

  private usage(msg: string): never {
    throw new TraceError(this.path, 'usage', `${this.path}: ${msg}`);
  }
}

interface ChunkMeta {
  eventCount: number;
  firstSeq: number;
  firstIcount: number;
  lastIcount: number;
  base: DeltaState | null;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
