// The append-only event log, the single source of truth of a run. Appends encode straight
// into a growable byte buffer: no object per event, icount delta-coded, seq implicit (dense),
// domain/vcpu written only when they change (traces/FORMAT.md, "Event records"). Full
// buffers are never copied whole: a fresh buffer receives only the open span's bytes, and
// sealed spans keep viewing the old one. Every ~64 KiB the open span is sealed and handed to
// `onSeal` (the trace writer), so recording streams to disk without re-encoding.
//
// Reading decodes on demand from the span holding the seq; a cursor makes sequential
// `get(seq)` calls (replay, stepping) cost one record each.

import { codecsOf, type DeltaState, type KindCodec, MAX_RECORD_HEADER, preparePayload, writePayload, ZERO_STATE } from './codec.ts';
import type { TraceEvent } from './event.ts';
import { KINDS, type KindName, type PayloadInput, PRIVILEGE_MODES } from './kinds.ts';
import { defaultSchema, Schema } from './schema.ts';
import { EventDecoder, type EventSpan } from './span.ts';
import { putU64, putUvarint } from './varint.ts';

export interface EventLogOptions {
  /** Kinds to encode with; default: this build's table. */
  schema?: Schema;
  /** seq of the first event; non-zero when continuing a log, with `base` its delta state. */
  firstSeq?: number;
  base?: DeltaState;
  /** Seal the open span once it holds this many encoded bytes. Default 64 KiB. */
  spanBytes?: number;
  /** Keep sealed spans readable (default). false: a recorder that only streams to a file. */
  retain?: boolean;
}

export type PrivilegeMode = (typeof PRIVILEGE_MODES)[number];
const PRIV_INDEX: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries(PRIVILEGE_MODES.map((m, i) => [m, i])));

/** Fresh buffers are at least this big, so growth copies are rare and short. */
const BLOCK_BYTES = 1 << 20;
/** A new log starts small: many logs (one per test, per replay) stay tiny. */
const INITIAL_BYTES = 64 * 1024;
const MMIO_MAX = MAX_RECORD_HEADER + 8 + 8 + 1 + 10 + 1;
const INTERRUPT_MAX = MAX_RECORD_HEADER + 8 + 1 + 10;

export class EventLog {
  readonly schema: Schema;
  readonly firstSeq: number;
  /** Receives every span as it is sealed, in seq order (wire the trace writer here). */
  onSeal: ((span: EventSpan) => void) | null = null;

  private readonly spanBytes: number;
  private readonly retain: boolean;
  private readonly codecs: (KindCodec | undefined)[];
  private readonly mmioTag: number;
  private readonly interruptTag: number;

  private buf: Uint8Array;
  private pos = 0;
  /** Where the last record is: its buffer may since have been replaced by grow(). */
  private lastBuf: Uint8Array;
  private lastStart = 0;
  private lastEnd = 0;
  private spanStart = 0;
  private spanFirstSeq: number;
  private spanFirstIcount = 0;
  private spanBase: DeltaState;
  private seqNext: number;
  private prevIcount: number;
  private prevDomain: number;
  private prevVcpu: number;
  private sealedBytes = 0;
  private readonly sealed: EventSpan[] = [];
  /** seq below which spans were not retained. */
  private retainedFrom: number;
  private cursor: { decoder: EventDecoder; spanEnd: number } | null = null;

  constructor(opts: EventLogOptions = {}) {
    this.schema = opts.schema ?? defaultSchema;
    this.firstSeq = opts.firstSeq ?? 0;
    if (!Number.isSafeInteger(this.firstSeq) || this.firstSeq < 0) throw new RangeError(`firstSeq must be a non-negative integer, got ${this.firstSeq}`);
    const base = opts.base ?? ZERO_STATE;
    this.spanBytes = opts.spanBytes ?? 64 * 1024;
    this.retain = opts.retain ?? true;
    this.codecs = codecsOf(this.schema);
    this.mmioTag = builtinTag(this.schema, 'mmio');
    this.interruptTag = builtinTag(this.schema, 'interrupt');
    this.buf = this.lastBuf = new Uint8Array(INITIAL_BYTES);
    this.spanFirstSeq = this.seqNext = this.retainedFrom = this.firstSeq;
    this.spanBase = base;
    this.prevIcount = base.icount;
    this.prevDomain = base.domain;
    this.prevVcpu = base.vcpu;
  }

  /** Events appended so far (seq of the next event minus firstSeq). */
  get count(): number {
    return this.seqNext - this.firstSeq;
  }

  get nextSeq(): number {
    return this.seqNext;
  }

  /** icount of the last event (of the base state when empty). */
  get lastIcount(): number {
    return this.prevIcount;
  }

  /** Delta state after the last event; a continuation log or file chunk starts from it. */
  get state(): DeltaState {
    return { icount: this.prevIcount, domain: this.prevDomain, vcpu: this.prevVcpu };
  }

  /**
   * The encoded bytes of the last event appended (empty before the first). A replayer can
   * compare them with the trace's record (EventDecoder.lastRecord) instead of materializing
   * both events: in lockstep, equal bytes mean equal events. The view stays valid; the log
   * never rewrites bytes.
   */
  lastRecord(): Uint8Array {
    return this.lastBuf.subarray(this.lastStart, this.lastEnd);
  }

  /** Encoded bytes appended so far. */
  get byteLength(): number {
    return this.sealedBytes + (this.pos - this.spanStart);
  }

  // --- hot-path appenders: hand-written encodings of the table's layouts ----------------

  /** A device register access. `value` is zero-extended; bigint for values above 2^53. */
  appendMmio(icount: number, domain: number, vcpu: number, dev: number, offset: number, size: number, value: number | bigint, isWrite: boolean): number {
    if (this.mmioTag < 0) return this.appendAny('mmio', icount, domain, vcpu, { dev, offset, size, value, op: isWrite ? 'write' : 'read' });
    if (this.pos + MMIO_MAX > this.buf.length) this.grow(MMIO_MAX);
    if ((size & 0xff) !== size) throw new RangeError(`mmio.size must be an integer in 0..255, got ${size}`);
    let p = this.header(this.mmioTag, icount, domain, vcpu);
    const b = this.buf;
    p = putUvarint(b, p, dev);
    p = putUvarint(b, p, offset);
    b[p++] = size;
    p = typeof value === 'number' ? putUvarint(b, p, value) : putU64(b, p, value);
    b[p++] = isWrite ? 1 : 0;
    return this.commit(p, icount, domain, vcpu);
  }

  /** appendMmio with the value as two 32-bit halves (how the bus carries 8-byte accesses), no BigInt unless needed. */
  appendMmio64(icount: number, domain: number, vcpu: number, dev: number, offset: number, size: number, lo: number, hi: number, isWrite: boolean): number {
    const l = lo >>> 0;
    const h = hi >>> 0;
    const value = h === 0 ? l : h < 0x20_0000 ? h * 0x1_0000_0000 + l : (BigInt(h) << 32n) | BigInt(l);
    return this.appendMmio(icount, domain, vcpu, dev, offset, size, value, isWrite);
  }

  /** An interrupt trap: cause is the interrupt code, priv the mode it interrupted (see privilegeMode()). */
  appendInterrupt(icount: number, domain: number, vcpu: number, cause: number, priv: PrivilegeMode, pc: number | bigint): number {
    const privIndex = PRIV_INDEX[priv];
    if (this.interruptTag < 0 || privIndex === undefined) return this.appendAny('interrupt', icount, domain, vcpu, { cause, priv, pc });
    if (this.pos + INTERRUPT_MAX > this.buf.length) this.grow(INTERRUPT_MAX);
    let p = this.header(this.interruptTag, icount, domain, vcpu);
    const b = this.buf;
    p = putUvarint(b, p, cause);
    b[p++] = privIndex;
    p = typeof pc === 'number' ? putUvarint(b, p, pc) : putU64(b, p, pc);
    return this.commit(p, icount, domain, vcpu);
  }

  /** Writes tag, context and icount delta at `pos`; returns the payload position. No state changes. */
  private header(tag: number, icount: number, domain: number, vcpu: number): number {
    const d = icount - this.prevIcount;
    if ((d >>> 0) !== d) checkIcount(icount, this.prevIcount);
    const b = this.buf;
    let p = this.pos;
    if (domain === this.prevDomain && vcpu === this.prevVcpu) {
      p = putUvarint(b, p, tag);
    } else {
      if ((domain & 0xffff) !== domain || (vcpu & 0xffff) !== vcpu) throw new RangeError(`domain and vcpu must be integers in 0..65535, got ${domain}, ${vcpu}`);
      p = putUvarint(b, p, tag | 1);
      p = putUvarint(b, p, domain);
      p = putUvarint(b, p, vcpu);
    }
    return putUvarint(b, p, d);
  }

  /** Makes the record ending at `p` part of the log; nothing before this can leave a half record. */
  private commit(p: number, icount: number, domain: number, vcpu: number): number {
    if (this.pos === this.spanStart) this.spanFirstIcount = icount;
    this.lastBuf = this.buf;
    this.lastStart = this.pos;
    this.lastEnd = p;
    this.pos = p;
    this.prevIcount = icount;
    this.prevDomain = domain;
    this.prevVcpu = vcpu;
    const seq = this.seqNext++;
    if (p - this.spanStart >= this.spanBytes) this.seal();
    return seq;
  }

  private grow(need: number): void {
    const used = this.pos - this.spanStart;
    const next = new Uint8Array(Math.max(BLOCK_BYTES, (used + need) * 2));
    next.set(this.buf.subarray(this.spanStart, this.pos));
    this.buf = next;
    this.pos = used;
    this.spanStart = 0;
  }

  // --- generic and typed appenders ------------------------------------------------------

  /** Appends an event of a built-in kind, payload typed from the table and validated. */
  append<N extends KindName>(kind: N, icount: number, domain: number, vcpu: number, payload: PayloadInput<N>): number {
    return this.appendAny(kind, icount, domain, vcpu, payload);
  }

  /** Appends an event of any kind in the log's schema (kinds known only at run time). */
  appendAny(kind: string, icount: number, domain: number, vcpu: number, payload: Readonly<Record<string, unknown>>): number {
    const spec = this.schema.require(kind);
    const codec = this.codecs[spec.id]!;
    const prepared = preparePayload(codec, payload);
    const need = MAX_RECORD_HEADER + prepared.maxBytes;
    if (this.pos + need > this.buf.length) this.grow(need);
    const p = this.header(codec.tag, icount, domain, vcpu);
    return this.commit(writePayload(this.buf, p, codec, prepared.values), icount, domain, vcpu);
  }

  /** Appends a materialized event (its seq must be the next one). */
  appendEvent(e: TraceEvent): number {
    if (e.seq !== this.seqNext) throw new RangeError(`event seq ${e.seq} does not follow the log (next seq is ${this.seqNext})`);
    return this.appendAny(e.kind, e.icount, e.domain, e.vcpu, e.payload);
  }

  appendExit(icount: number, domain: number, vcpu: number, reason: PayloadInput<'exit'>['reason'], args: readonly (bigint | number)[]): number {
    return this.append('exit', icount, domain, vcpu, { reason, args });
  }

  appendSbi(icount: number, domain: number, vcpu: number, ext: number, fid: number, args: readonly (bigint | number)[], error: bigint, value: bigint | number): number {
    return this.append('sbi', icount, domain, vcpu, { ext, fid, args, error, value });
  }

  appendHypercall(icount: number, domain: number, vcpu: number, nr: number, args: readonly (bigint | number)[], result: bigint): number {
    return this.append('hypercall', icount, domain, vcpu, { nr, args, result });
  }

  appendInput(icount: number, domain: number, vcpu: number, dev: number, bytes: Uint8Array | readonly number[]): number {
    return this.append('input', icount, domain, vcpu, { dev, bytes });
  }

  appendRtc(icount: number, domain: number, vcpu: number, dev: number, value: bigint | number): number {
    return this.append('rtc', icount, domain, vcpu, { dev, value });
  }

  appendEntropy(icount: number, domain: number, vcpu: number, dev: number, bytes: Uint8Array | readonly number[]): number {
    return this.append('entropy', icount, domain, vcpu, { dev, bytes });
  }

  appendConsole(icount: number, domain: number, vcpu: number, dev: number, bytes: Uint8Array | readonly number[]): number {
    return this.append('console', icount, domain, vcpu, { dev, bytes });
  }

  appendSched(icount: number, domain: number, vcpu: number, fromDomain: number, fromVcpu: number, toDomain: number, toVcpu: number, reason: PayloadInput<'sched'>['reason']): number {
    return this.append('sched', icount, domain, vcpu, { fromDomain, fromVcpu, toDomain, toVcpu, reason });
  }

  appendLifecycle(icount: number, domain: number, vcpu: number, action: PayloadInput<'lifecycle'>['action'], code = 0): number {
    return this.append('lifecycle', icount, domain, vcpu, { action, code });
  }

  appendMarker(icount: number, domain: number, vcpu: number, label: string): number {
    return this.append('marker', icount, domain, vcpu, { label });
  }

  // --- spans ----------------------------------------------------------------------------

  /** Closes the open span and hands it to `onSeal`; null when it holds no event. */
  seal(): EventSpan | null {
    if (this.pos === this.spanStart) return null;
    const end: DeltaState = Object.freeze({ icount: this.prevIcount, domain: this.prevDomain, vcpu: this.prevVcpu });
    const span: EventSpan = Object.freeze({
      schema: this.schema,
      firstSeq: this.spanFirstSeq,
      count: this.seqNext - this.spanFirstSeq,
      firstIcount: this.spanFirstIcount,
      lastIcount: this.prevIcount,
      base: this.spanBase,
      end,
      bytes: this.buf.subarray(this.spanStart, this.pos),
    });
    this.spanStart = this.pos;
    this.spanFirstSeq = this.seqNext;
    this.spanBase = end;
    this.adopt(span);
    return span;
  }

  /**
   * Appends already-encoded events (e.g. a chunk read back from a trace) without decoding
   * them. The span must continue this log exactly: next seq, same delta state.
   */
  appendSpan(span: EventSpan): void {
    if (span.count === 0) return;
    if (span.schema !== this.schema && !this.schema.canDecode(span.schema)) throw new Error('span was encoded with a schema this log cannot decode');
    const s = this.state;
    if (span.firstSeq !== this.seqNext || span.base.icount !== s.icount || span.base.domain !== s.domain || span.base.vcpu !== s.vcpu) {
      throw new RangeError(`span starting at seq ${span.firstSeq} (icount base ${span.base.icount}) does not continue the log (next seq ${this.seqNext}, icount ${s.icount})`);
    }
    this.seal();
    this.seqNext = this.spanFirstSeq = span.firstSeq + span.count;
    this.prevIcount = span.end.icount;
    this.prevDomain = span.end.domain;
    this.prevVcpu = span.end.vcpu;
    this.spanBase = span.end;
    this.adopt(span);
  }

  private adopt(span: EventSpan): void {
    this.sealedBytes += span.bytes.length;
    if (this.retain) this.sealed.push(span);
    else this.retainedFrom = span.firstSeq + span.count;
    this.onSeal?.(span);
  }

  /** Sealed spans still held (all of them unless `retain: false`). */
  get spans(): readonly EventSpan[] {
    return this.sealed;
  }

  // --- reading --------------------------------------------------------------------------

  /** The event with this seq, materialized and frozen. */
  get(seq: number): TraceEvent {
    return this.seek(seq).next();
  }

  /** Events with from <= seq < to. */
  range(from: number, to: number): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (const e of this.events(from, to)) out.push(e);
    return out;
  }

  /** Iterates events with from <= seq < to (default: all retained). Appends during iteration are not seen. */
  *events(from = this.retainedFrom, to = this.seqNext): Generator<TraceEvent> {
    to = Math.min(to, this.seqNext);
    for (let seq = from; seq < to; ) {
      const d = this.seek(seq);
      const spanEnd = this.cursor!.spanEnd;
      this.cursor = null; // the generator owns this decoder now
      for (; seq < to && seq < spanEnd; seq++) yield d.next();
    }
  }

  /** A decoder positioned at `seq`, reusing the cursor when it is already in that span. */
  private seek(seq: number): EventDecoder {
    if (!Number.isSafeInteger(seq) || seq < this.firstSeq || seq >= this.seqNext) {
      throw new RangeError(`seq ${seq} is not in the log (${this.firstSeq}..${this.seqNext - 1})`);
    }
    if (seq < this.retainedFrom) throw new RangeError(`seq ${seq} was streamed out and not retained (log created with retain: false)`);
    const c = this.cursor;
    if (!c || seq < c.decoder.seq || seq >= c.spanEnd) {
      this.cursor = this.openDecoder(seq);
    }
    const d = this.cursor!.decoder;
    while (d.seq < seq) d.skip();
    return d;
  }

  private openDecoder(seq: number): { decoder: EventDecoder; spanEnd: number } {
    if (seq >= this.spanFirstSeq) {
      const bytes = this.buf.subarray(this.spanStart, this.pos);
      return { decoder: new EventDecoder(this.schema, bytes, this.spanFirstSeq, this.spanBase), spanEnd: this.seqNext };
    }
    let lo = 0, hi = this.sealed.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.sealed[mid].firstSeq <= seq) lo = mid;
      else hi = mid - 1;
    }
    const s = this.sealed[lo];
    return { decoder: new EventDecoder(s.schema, s.bytes, s.firstSeq, s.base), spanEnd: s.firstSeq + s.count };
  }
}

/** The tag of a built-in kind if the schema encodes it exactly as the table does, else -1. */
function builtinTag(schema: Schema, name: 'mmio' | 'interrupt'): number {
  const mine = schema.kindByName(name);
  const builtin = KINDS.find((k) => k.name === name)!;
  if (!mine || mine.id !== builtin.id) return -1;
  // The fast path writes the table's enum indices, so `mine` must decode the table's layout.
  return new Schema([mine]).canDecode(new Schema([builtin])) ? mine.id * 2 : -1;
}

function checkIcount(icount: number, prev: number): void {
  if (!Number.isSafeInteger(icount)) throw new RangeError(`icount must be a non-negative safe integer, got ${icount}`);
  if (icount < prev) throw new RangeError(`icount went backwards: ${icount} after ${prev}`);
}
