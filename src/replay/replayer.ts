// Verifying replay: rebuild the recorded machine from the same images, feed it the recorded
// external inputs (console bytes at their instruction counts, RTC values when the guest reads
// the clock) and check every other event it produces against the trace, byte for byte, as it
// happens. The first mismatch stops the replay with a divergence report.
//
// ReplayEngine advances to any instruction count or event seq (time travel builds on it);
// Replayer.run() replays to the end.
import { EventLog } from '../events/log.ts';
import { sameRecord } from '../events/diff.ts';
import type { TraceEvent } from '../events/event.ts';
import { EventCursor } from '../trace/cursor.ts';
import type { TraceReader } from '../trace/reader.ts';
import { parseEndMarker } from './recorder.ts';
import { systemFromTrace, type Replayable } from './system.ts';
import { type Divergence, divergenceFrom } from './divergence.ts';

export interface ReplayOptions {
  /** Image path overrides by role (--image bios=PATH). */
  images?: Record<string, string>;
  /** Console output during replay: (domain, bytes); domain 0 on a bare machine. */
  onConsole?: (domain: number, bytes: Uint8Array) => void;
  /** Events of context before a divergence (default 8). */
  context?: number;
  /** Called now and then with (icount reached, last icount in the trace). */
  progress?: (icount: number, total: number) => void;
}

export type ReplayResult =
  | { ok: true; events: number; icount: number; endChecked: boolean; stateHash: string }
  | { ok: false; divergence: Divergence };

/** Thrown from inside the machine when a produced event does not match; caught by advance(). */
export class DivergenceSignal extends Error {
  constructor(readonly reason: 'mismatch' | 'extra' | 'rtc' | 'state' | 'stalled') {
    super(reason);
  }
}

/** Why advance() returned. */
/** 'breakpoint': a hart is right before an armed debugger breakpoint (cpu/exec-breaks.ts). */
export type AdvanceStop = 'target' | 'end' | 'stopped' | 'breakpoint';

export class ReplayEngine {
  readonly system: Replayable;
  private cursor: EventCursor;
  private live: EventLog;
  /** Stop right after the event with this seq has been produced (-1: no such stop). */
  private stopAfterSeq = -1;
  /** The end marker was reached and its state hash checked. */
  endChecked = false;
  /** The state hash computed for that check (hashing all of RAM is costly: done once). */
  private checkedHash: { icount: number; hash: string } | null = null;
  /** Called after each produced event has been verified (debugger observers). */
  onEvent: ((seq: number) => void) | null = null;
  /**
   * Events the recorder wrote rather than the machine produced — inputs and markers, by
   * (seq, icount). The machine must never run past the next one.
   */
  private readonly anchors: Array<{ seq: number; icount: number }> = [];
  private anchorIdx = 0;

  constructor(
    readonly reader: TraceReader,
    private readonly opts: ReplayOptions = {},
  ) {
    this.cursor = reader.cursor(reader.firstSeq);
    this.system = systemFromTrace(reader.config, reader.path, { wallClockNs: () => this.nextRtc(), onConsole: opts.onConsole }, opts.images);
    this.live = new EventLog({ firstSeq: reader.firstSeq, retain: false });
    this.system.setEventLog(this.live, () => this.check());
    for (const e of reader.events()) if (e.kind === 'input' || e.kind === 'marker') this.anchors.push({ seq: e.seq, icount: e.icount });
  }

  /** icount of the next input or marker not yet reached (Infinity when none). */
  private nextAnchorIcount(): number {
    const seq = this.cursor.seq;
    while (this.anchorIdx < this.anchors.length && this.anchors[this.anchorIdx].seq < seq) this.anchorIdx++;
    return this.anchorIdx < this.anchors.length ? this.anchors[this.anchorIdx].icount : Infinity;
  }

  /** seq of the next event the machine will produce (= events verified so far). */
  get seq(): number {
    return this.cursor.seq;
  }

  get icount(): number {
    return this.system.icount;
  }

  /** Repositions the event side after the machine was restored to a checkpoint at `seq`. */
  resetEvents(seq: number): void {
    this.cursor = this.reader.cursor(seq);
    // records are delta-coded against the previous event: continue from its state
    let base;
    if (seq > this.reader.firstSeq) {
      const prev = this.reader.get(seq - 1);
      base = { icount: prev.icount, domain: prev.domain, vcpu: prev.vcpu };
    }
    this.live = new EventLog({ firstSeq: seq, base, retain: false });
    this.system.setEventLog(this.live, () => this.check());
    this.endChecked = false;
    this.checkedHash = null;
    this.anchorIdx = 0;
  }

  /** The machine's state hash now (reusing the end check's when nothing ran since). */
  stateHash(): string {
    const c = this.checkedHash;
    if (c && this.endChecked && c.icount === this.system.icount) return c.hash;
    return this.system.stateHash();
  }

  private nextRtc(): bigint {
    const e = this.cursor.peek();
    if (!e || e.kind !== 'rtc') throw new DivergenceSignal('rtc');
    return e.payload.value as bigint;
  }

  private check(): void {
    if (this.cursor.done) throw new DivergenceSignal('extra');
    const seq = this.cursor.seq;
    const expected = this.cursor.nextRecord();
    if (!sameRecord(this.live.lastRecord(), expected)) throw new DivergenceSignal('mismatch');
    if (seq === this.stopAfterSeq) this.system.requestStop();
    this.onEvent?.(seq);
  }

  /**
   * Runs until `icount` instructions have retired, or the event `seq` has been produced
   * (whichever comes first), or the trace ends. Throws DivergenceSignal on a mismatch.
   */
  advance(icount: number, seq = Infinity): AdvanceStop {
    const m = this.system;
    this.stopAfterSeq = Number.isFinite(seq) ? seq : -1;
    try {
      for (;;) {
        if (m.icount >= icount || this.cursor.seq > seq) return 'target';
        const next = this.cursor.peek();
        if (!next) return 'end';
        if (next.kind === 'marker') {
          // markers come from the recorder, not the machine: reach their icount, then check
          if (m.icount < next.icount) {
            if (this.runBy(Math.min(next.icount, icount) - m.icount) === 'breakpoint') return 'breakpoint';
            continue;
          }
          this.cursor.next();
          const end = parseEndMarker(String(next.payload.label));
          if (end) {
            const hash = m.stateHash();
            if (hash !== end.stateHash) throw new DivergenceSignal('state');
            this.endChecked = true;
            this.checkedHash = { icount: m.icount, hash };
          }
          continue;
        }
        if (next.kind === 'input' && next.icount <= m.icount) {
          // queued input reaches the UART at the start of the next run(), at this icount
          m.sendInput(Uint8Array.from(next.payload.bytes as readonly number[]), next.domain);
          m.run(0);
          continue;
        }
        const limit = Math.min(icount, this.nextAnchorIcount());
        if (limit <= m.icount) {
          // An input or marker is due at this icount, but a machine event must come first. Only
          // an instruction that traps without retiring produces events without moving icount
          // (e.g. the fault that crashed the last running domain, right before the end marker):
          // let the machine take exactly that step. Anything else can never come.
          const stepped = next.icount === m.icount ? this.stepInPlace(next.seq) : false;
          if (stepped === 'breakpoint') return 'breakpoint';
          if (!stepped) throw new DivergenceSignal('stalled');
          continue;
        }
        const before = m.icount;
        const seqBefore = this.cursor.seq;
        const stop = this.runBy(limit - m.icount);
        if (stop === 'breakpoint') return 'breakpoint';
        if (stop !== 'budget' && m.icount === before && this.cursor.seq === seqBefore) {
          // the machine stopped (poweroff, idle) but the trace expects more events
          throw new DivergenceSignal('stalled');
        }
        if (stop === 'requested') return 'target';
      }
    } finally {
      this.stopAfterSeq = -1;
    }
  }

  /**
   * Runs the machine for at most one instruction, stopping as soon as the expected event `seq`
   * has been produced. True when it was produced and no instruction retired; 'breakpoint' when
   * an armed debugger breakpoint came first.
   */
  private stepInPlace(seq: number): boolean | 'breakpoint' {
    const m = this.system;
    const before = m.icount;
    const saved = this.stopAfterSeq;
    this.stopAfterSeq = seq;
    try {
      if (m.run(1).kind === 'breakpoint') return 'breakpoint';
    } finally {
      this.stopAfterSeq = saved;
    }
    return this.cursor.seq > seq && m.icount === before;
  }

  private runBy(n: number): 'budget' | 'requested' | 'stopped' | 'breakpoint' {
    const m = this.system;
    const seqBefore = this.cursor.seq;
    const stop = m.run(Math.min(n, 50_000_000));
    if (stop.kind === 'breakpoint') return 'breakpoint';
    if (this.stopAfterSeq >= 0 && this.cursor.seq > this.stopAfterSeq && this.cursor.seq !== seqBefore) return 'requested';
    return stop.kind === 'budget' ? 'budget' : 'stopped';
  }

  describe(reason: DivergenceSignal['reason']): Divergence {
    const m = this.system;
    const seq = this.cursor.seq - (reason === 'mismatch' ? 1 : 0);
    let expected: TraceEvent | null = null;
    try {
      expected = seq < this.reader.nextSeq ? this.reader.get(seq) : null;
    } catch {
      expected = null;
    }
    const actual = this.live.nextSeq > seq ? this.live.get(seq) : null;
    const k = this.opts.context ?? 8;
    const before = this.reader.eventsBySeq(Math.max(this.reader.firstSeq, seq - k), seq);
    const who = actual ?? expected;
    const hart = (who && m.hart(who.domain, who.vcpu)) ?? m.allHarts()[0]?.hart;
    return divergenceFrom({
      reason: reason === 'stalled' ? 'mismatch' : reason,
      seq,
      icount: m.icount,
      pc: hart?.pc ?? 0n,
      hart: hart?.id ?? 0,
      expected,
      actual,
      before,
      schema: this.reader.schema,
      stateHash: reason === 'state' ? m.stateHash() : undefined,
    });
  }
}

export class Replayer {
  readonly engine: ReplayEngine;

  constructor(
    readonly reader: TraceReader,
    private readonly opts: ReplayOptions = {},
  ) {
    this.engine = new ReplayEngine(reader, opts);
  }

  get system(): Replayable {
    return this.engine.system;
  }

  run(): ReplayResult {
    const e = this.engine;
    const total = this.reader.lastIcount;
    try {
      for (;;) {
        const stop = e.advance(e.icount + 20_000_000);
        this.opts.progress?.(e.icount, total);
        if (stop === 'end' || e.endChecked) break;
      }
      return { ok: true, events: e.seq - this.reader.firstSeq, icount: e.icount, endChecked: e.endChecked, stateHash: e.stateHash() };
    } catch (err) {
      if (!(err instanceof DivergenceSignal)) throw err;
      return { ok: false, divergence: e.describe(err.reason) };
    }
  }
}

export type { Divergence };
