// Spans: runs of consecutive encoded events, the unit handed from the log to the trace
// writer. The encoding is one continuous delta stream, so consecutive spans concatenate into
// a valid stream; a span records the delta state before its first record (`base`), which is
// all a decoder needs to start there. No re-encoding ever happens between log and file.

import { codecsOf, type DeltaState, type KindCodec, readPayload, skipPayload } from './codec.ts';
import { freezeEvent, type TraceEvent } from './event.ts';
import type { Schema } from './schema.ts';
import { ByteReader, DecodeError } from './varint.ts';

export interface EventSpan {
  readonly schema: Schema;
  readonly firstSeq: number;
  readonly count: number;
  /** icount of the first event (of base when empty). */
  readonly firstIcount: number;
  readonly lastIcount: number;
  /** Delta state before the first record. */
  readonly base: DeltaState;
  /** Delta state after the last record: the next span's base. */
  readonly end: DeltaState;
  /** Exactly `count` records. Never modified after the span is created. */
  readonly bytes: Uint8Array;
}

/**
 * Walks a record stream. `next()` materializes a frozen event; `skip()` only advances. Both
 * throw DecodeError with the offset of the bad record, which callers turn into messages.
 */
export class EventDecoder {
  private readonly r: ByteReader;
  private readonly codecs: (KindCodec | undefined)[];
  /** seq of the record `next()` returns. */
  seq: number;
  icount: number;
  domain: number;
  vcpu: number;
  /** Offset of the current record's first byte, for error messages. */
  recordStart = 0;

  constructor(
    readonly schema: Schema,
    bytes: Uint8Array,
    firstSeq: number,
    base: DeltaState,
    start = 0,
    end = bytes.length,
  ) {
    this.r = new ByteReader(bytes, start, end);
    this.codecs = codecsOf(schema);
    this.seq = firstSeq;
    this.icount = base.icount;
    this.domain = base.domain;
    this.vcpu = base.vcpu;
  }

  get atEnd(): boolean {
    return this.r.atEnd;
  }

  get pos(): number {
    return this.r.pos;
  }

  get state(): DeltaState {
    return { icount: this.icount, domain: this.domain, vcpu: this.vcpu };
  }

  /**
   * The encoded bytes of the record last returned by next() or skip(). Two streams in
   * lockstep (replay checking a run against its trace) have equal prior states, so equal
   * record bytes mean equal events: a check that needs no materialization.
   */
  lastRecord(): Uint8Array {
    return this.r.buf.subarray(this.recordStart, this.r.pos);
  }

  /** Reads a record header and returns its codec; updates icount and context. */
  private header(): KindCodec {
    const r = this.r;
    this.recordStart = r.pos;
    const tag = r.uvarint();
    const codec = this.codecs[tag >>> 1];
    if (tag > 0x1ffff || !codec) throw new DecodeError(`event ${this.seq}: unknown kind id ${Math.floor(tag / 2)}`, this.recordStart);
    if (tag & 1) {
      const domain = r.uvarint();
      const vcpu = r.uvarint();
      if (domain > 0xffff || vcpu > 0xffff) throw new DecodeError(`event ${this.seq}: domain ${domain} or vcpu ${vcpu} exceeds 65535`, this.recordStart);
      if (domain === this.domain && vcpu === this.vcpu) {
        throw new DecodeError(`event ${this.seq}: context bit set but domain and vcpu are unchanged (non-canonical record)`, this.recordStart);
      }
      this.domain = domain;
      this.vcpu = vcpu;
    }
    const icount = this.icount + r.uvarint();
    if (icount > Number.MAX_SAFE_INTEGER) throw new DecodeError(`event ${this.seq}: icount exceeds 2^53-1`, this.recordStart);
    this.icount = icount;
    return codec;
  }

  next(): TraceEvent {
    const codec = this.header();
    const payload = readPayload(this.r, codec);
    return freezeEvent(this.seq++, this.icount, this.domain, this.vcpu, codec.name, payload, true);
  }

  skip(): void {
    skipPayload(this.r, this.header());
    this.seq++;
  }
}

/** Decodes a whole span, checking it holds exactly `count` records. */
export function decodeSpan(span: EventSpan): TraceEvent[] {
  const d = new EventDecoder(span.schema, span.bytes, span.firstSeq, span.base);
  const out: TraceEvent[] = new Array(span.count);
  for (let i = 0; i < span.count; i++) out[i] = d.next();
  if (!d.atEnd) throw new DecodeError(`${span.bytes.length - d.pos} bytes follow the last of ${span.count} events`, d.pos);
  return out;
}
