// A forward cursor over a trace's events, crossing chunk boundaries: what the replayer walks
// while re-executing. It can materialize the next event, peek at it (to schedule the next
// external input), or hand over only its encoded bytes, so that checking a live event
// against the trace is a byte comparison (EventLog.lastRecord vs nextRecord) with no
// objects built unless they differ.

import type { TraceEvent } from '../events/event.ts';
import type { EventDecoder } from '../events/span.ts';
import { TraceError } from './errors.ts';
import type { TraceReader } from './reader.ts';

export class EventCursor {
  private chunkIndex: number;
  private decoder: EventDecoder | null = null;
  private chunkEnd = 0;
  private peeked: { event: TraceEvent; record: Uint8Array } | null = null;
  private nextSeq: number;

  constructor(
    private readonly reader: TraceReader,
    fromSeq = reader.firstSeq,
  ) {
    if (!Number.isSafeInteger(fromSeq) || fromSeq < reader.firstSeq || fromSeq > reader.nextSeq) {
      throw new TraceError(reader.path, 'range', `${reader.path}: cannot start a cursor at seq ${fromSeq} (the trace holds ${reader.firstSeq}..${reader.nextSeq - 1})`);
    }
    this.nextSeq = fromSeq;
    const c = reader.chunkForSeq(fromSeq);
    this.chunkIndex = c ? reader.eventChunks.indexOf(c) : reader.eventChunks.length;
  }

  /** seq of the event next() would return. */
  get seq(): number {
    return this.nextSeq;
  }

  get done(): boolean {
    return this.nextSeq >= this.reader.nextSeq;
  }

  /** The next event without consuming it; null at the end. */
  peek(): TraceEvent | null {
    if (this.done) return null;
    if (!this.peeked) {
      const d = this.advance();
      const event = d.next();
      this.peeked = { event, record: d.lastRecord() };
    }
    return this.peeked.event;
  }

  /** Consumes and returns the next event. */
  next(): TraceEvent {
    const e = this.peek();
    if (!e) throw this.end();
    this.peeked = null;
    this.nextSeq++;
    return e;
  }

  /** Consumes the next event and returns only its encoded record (a view; do not modify). */
  nextRecord(): Uint8Array {
    if (this.peeked) {
      const r = this.peeked.record;
      this.peeked = null;
      this.nextSeq++;
      return r;
    }
    if (this.done) throw this.end();
    const d = this.advance();
    d.skip();
    this.nextSeq++;
    return d.lastRecord();
  }

  /** The decoder positioned at nextSeq, moving to the next chunk when this one is used up. */
  private advance(): EventDecoder {
    if (!this.decoder || this.nextSeq >= this.chunkEnd) {
      const c = this.reader.eventChunks[this.chunkIndex++];
      this.decoder = this.reader.decoderFor(c, this.nextSeq);
      this.chunkEnd = c.firstSeq + c.eventCount;
    }
    return this.decoder;
  }

  private end(): TraceError {
    return new TraceError(this.reader.path, 'range', `${this.reader.path}: no event after seq ${this.reader.nextSeq - 1} (end of trace)`);
  }
}
