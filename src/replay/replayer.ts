// Verifying replay: rebuild the recorded machine from the same images, feed it the recorded
// external inputs (console bytes at their instruction counts, RTC values when the guest reads
// the clock) and check every other event it produces against the trace, byte for byte, as it
// happens. The first mismatch stops the replay with a divergence report.
import { EventLog } from '../events/log.ts';
import { sameRecord } from '../events/diff.ts';
import type { TraceEvent } from '../events/event.ts';
import type { EventCursor } from '../trace/cursor.ts';
import type { TraceReader } from '../trace/reader.ts';
import type { Machine } from '../machine/machine.ts';
import { LogSink } from './log-sink.ts';
import { machineFromTrace } from './machine-config.ts';
import { parseEndMarker } from './recorder.ts';
import { machineStateHash } from './state-hash.ts';
import { type Divergence, divergenceFrom } from './divergence.ts';

export interface ReplayOptions {
  /** Image path overrides by role (--image bios=PATH). */
  images?: Record<string, string>;
  onConsole?: (byte: number) => void;
  /** Events of context before a divergence (default 8). */
  context?: number;
  /** Called now and then with (icount reached, last icount in the trace). */
  progress?: (icount: number, total: number) => void;
  /** Stop after this many events (for partial checks). */
  maxEvents?: number;
}

export type ReplayResult =
  | {
      ok: true;
      events: number;
      icount: number;
      /** Whether the trace ended with an end marker whose state hash was checked. */
      endChecked: boolean;
      stateHash: string;
    }
  | { ok: false; divergence: Divergence };

/** Thrown from inside the machine when a produced event does not match; caught by run(). */
class DivergenceSignal extends Error {
  constructor(readonly reason: 'mismatch' | 'extra' | 'rtc' | 'state') {
    super(reason);
  }
}

export class Replayer {
  readonly machine: Machine;
  readonly live: EventLog;
  private readonly cursor: EventCursor;

  constructor(
    readonly reader: TraceReader,
    private readonly opts: ReplayOptions = {},
  ) {
    this.cursor = reader.cursor(reader.firstSeq);
    const { machine } = machineFromTrace(reader.config, reader.path, { wallClockNs: () => this.nextRtc(), onConsole: opts.onConsole }, opts.images);
    this.machine = machine;
    this.live = new EventLog({ firstSeq: reader.firstSeq });
    const sink = new LogSink(this.live);
    sink.after = () => this.check();
    machine.events = sink;
  }

  /** The RTC reads the wall clock: the recorded value must be the next event. */
  private nextRtc(): bigint {
    const e = this.cursor.peek();
    if (!e || e.kind !== 'rtc') throw new DivergenceSignal('rtc');
    return e.payload.value as bigint;
  }

  private check(): void {
    if (this.cursor.done) throw new DivergenceSignal('extra');
    const expected = this.cursor.nextRecord();
    if (!sameRecord(this.live.lastRecord(), expected)) throw new DivergenceSignal('mismatch');
  }

  run(): ReplayResult {
    const m = this.machine;
    const total = this.reader.lastIcount;
    let lastProgress = 0;
    try {
      for (;;) {
        const next = this.cursor.peek();
        if (this.opts.maxEvents !== undefined && this.cursor.seq - this.reader.firstSeq >= this.opts.maxEvents) break;
        if (!next) break;
        if (next.kind === 'marker') {
          // markers are written by the recorder, not the machine: reach their icount, then check
          if (m.icount < next.icount) {
            this.runTo(next.icount);
            continue;
          }
          this.cursor.next();
          const end = parseEndMarker(String(next.payload.label));
          if (end) {
            const hash = machineStateHash(m);
            if (hash !== end.stateHash) throw new DivergenceSignal('state');
            return { ok: true, events: this.cursor.seq - this.reader.firstSeq, icount: m.icount, endChecked: true, stateHash: hash };
          }
          continue;
        }
        if (next.kind === 'input' && next.icount <= m.icount) {
          // the machine hands queued input to the UART at the start of its next slice
          m.sendInput(Uint8Array.from(next.payload.bytes as readonly number[]));
        }
        const target = next.kind === 'input' ? next.icount : Math.max(next.icount, m.icount + 1);
        const stop = this.runTo(target, next.kind === 'input');
        if (stop === 'stalled') {
          // the machine cannot reach the next event: it stopped (poweroff, idle) before it
          throw new DivergenceSignal('mismatch');
        }
        if (this.opts.progress && m.icount - lastProgress > 20_000_000) {
          lastProgress = m.icount;
          this.opts.progress(m.icount, total);
        }
      }
      return { ok: true, events: this.cursor.seq - this.reader.firstSeq, icount: m.icount, endChecked: false, stateHash: machineStateHash(m) };
    } catch (e) {
      if (!(e instanceof DivergenceSignal)) throw e;
      return { ok: false, divergence: this.describe(e.reason) };
    }
  }

  /**
   * Runs toward `target` (an icount). Returns 'stalled' when the machine stopped without
   * producing the next expected event and cannot make progress.
   */
  private runTo(target: number, exact = false): 'ok' | 'stalled' {
    const m = this.machine;
    const seqBefore = this.cursor.seq;
    const icountBefore = m.icount;
    const budget = Math.max(target - m.icount, exact ? 0 : 1);
    if (budget === 0) {
      m.run(0);
      return 'ok';
    }
    const stop = m.run(Math.min(budget, 50_000_000));
    if (stop.kind !== 'budget' && m.icount === icountBefore && this.cursor.seq === seqBefore) return 'stalled';
    return 'ok';
  }

  private describe(reason: DivergenceSignal['reason']): Divergence {
    const m = this.machine;
    const seq = this.cursor.seq - (reason === 'mismatch' ? 1 : 0);
    let expected: TraceEvent | null = null;
    let actual: TraceEvent | null = null;
    try {
      expected = seq < this.reader.nextSeq ? this.reader.get(seq) : null;
    } catch {
      expected = null;
    }
    if (this.live.nextSeq > seq) actual = this.live.get(seq);
    const k = this.opts.context ?? 8;
    const before = this.reader.eventsBySeq(Math.max(this.reader.firstSeq, seq - k), seq);
    const hart = m.harts[actual ? actual.vcpu : 0] ?? m.harts[0];
    return divergenceFrom({ reason, seq, icount: m.icount, pc: hart.pc, hart: hart.id, expected, actual, before, schema: this.reader.schema, stateHash: reason === 'state' ? machineStateHash(m) : undefined });
  }
}

export type { Divergence };
