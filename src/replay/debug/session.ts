// The debugger's view of a recording: a small API over the timeline (DESIGN §1: open, seek,
// step, reverse-step, continue, reverse-continue, read registers and memory, list events).
// The terminal UI and `chronovisor debug --print` use only this; nothing here knows about
// terminals. Every motion is a Job (job.ts) so a UI can slice it and offer cancel.
import type { Hart } from '../../cpu/hart.ts';
import { formatEvent, type TraceEvent } from '../../events/index.ts';
import { TraceReader } from '../../trace/reader.ts';
import { Timeline } from '../timeline.ts';
import { ConsoleLog } from './console-log.ts';
import { disassembleAround, type DisasmLine } from './disasm-view.ts';
import { describeContinue } from './hit-text.ts';
import { chainJobs, immediateJob, type Job, type JobState, type SliceBudget } from './job.ts';
import { SeekJob } from './seek-job.ts';
import { fetchInstruction, readVirtual, type MemoryBytes } from './memory.ts';
import { accessOfRaw } from './access.ts';
import { StepProbe } from './probe.ts';
import { readRegisters, privilegeName, type PrivilegeName, type RegisterSnapshot } from './registers.ts';
import { ForwardContinue, ReverseContinue, type ContinueResult } from './scan.ts';
import { FastForwardContinue, FastReverseContinue } from './fast-continue.ts';
import { StopSet, type StopHit } from './stops.ts';
import { symbolsForTrace, type SymbolTable } from './symbols.ts';

export interface SessionOptions {
  /** Image overrides by role, as `replay --image ROLE=PATH`. */
  images?: Record<string, string>;
  /** Extra ELF files to take symbols from. */
  symbols?: string[];
  /** Instructions between checkpoints (default 200,000: short reverse steps). */
  interval?: number;
  salvage?: boolean;
}

export interface HartInfo {
  domain: number;
  vcpu: number;
  /** `d1:v0`, or `hart0` on a bare machine. */
  label: string;
  domainName: string;
  pc: bigint;
  priv: PrivilegeName;
  waiting: boolean;
  retired: number;
}

export interface MotionResult {
  /** One line for the status bar. */
  message: string;
  /** Set by continue / reverse-continue. */
  stop?: ContinueResult;
  /** The hart that ran the instruction of a forward single step. */
  ran?: { domain: number; vcpu: number };
}

export class DebugSession {
  readonly timeline: Timeline;
  readonly stops = new StopSet();
  readonly console: ConsoleLog;
  readonly symbols: Map<number, SymbolTable>;
  /** Positions where continue / reverse-continue stopped, for the timeline bar. */
  readonly hitPositions = new Set<number>();

  static open(file: string, opts: SessionOptions = {}): DebugSession {
    return new DebugSession(TraceReader.open(file, { salvage: opts.salvage }), opts);
  }

  constructor(
    readonly reader: TraceReader,
    opts: SessionOptions = {},
  ) {
    this.timeline = new Timeline(reader, { images: opts.images, interval: opts.interval ?? 200_000 });
    this.console = new ConsoleLog(reader);
    this.symbols = symbolsForTrace(reader.config, reader.path, opts.symbols ?? []);
  }

  get kind(): 'bare' | 'hypervisor' {
    return (this.reader.config.machine as { kind?: string })?.kind === 'hypervisor' ? 'hypervisor' : 'bare';
  }

  get icount(): number {
    return this.timeline.icount;
  }

  /** seq of the next event; events below it have happened. */
  get seq(): number {
    return this.timeline.seq;
  }

  get endIcount(): number {
    return this.timeline.endIcount;
  }

  get firstSeq(): number {
    return this.reader.firstSeq;
  }

  /** seq after the last event. */
  get nextSeq(): number {
    return this.reader.nextSeq;
  }

  /** The most recent event produced, or null at the start. */
  get lastEvent(): TraceEvent | null {
    return this.seq > this.reader.firstSeq ? this.reader.get(this.seq - 1) : null;
  }

  // --- machine state ------------------------------------------------------------------

  private domainName(domain: number): string {
    if (this.kind === 'bare') return 'machine';
    const d = (this.reader.config.domains ?? [])[domain - 1] as { name?: string; type?: string } | undefined;
    return d?.name ? `${d.name}${d.type ? ` (${d.type})` : ''}` : `domain ${domain}`;
  }

  harts(): HartInfo[] {
    return this.timeline.system.allHarts().map(({ domain, vcpu, hart }) => ({
      domain,
      vcpu,
      label: this.kind === 'bare' ? `hart${vcpu}` : `d${domain}:v${vcpu}`,
      domainName: this.domainName(domain),
      pc: hart.pc,
      priv: privilegeName(hart),
      waiting: hart.waiting,
      retired: hart.retired,
    }));
  }

  private hart(domain: number, vcpu: number): Hart | null {
    return this.timeline.system.hart(domain, vcpu);
  }

  registers(domain: number, vcpu: number): RegisterSnapshot | null {
    const h = this.hart(domain, vcpu);
    return h ? readRegisters(h) : null;
  }

  /** Guest virtual memory as the hart's data accesses see it now. */
  readMemory(domain: number, vcpu: number, address: bigint, length: number): MemoryBytes | null {
    const h = this.hart(domain, vcpu);
    return h ? readVirtual(this.timeline.system.mem, h, address, length) : null;
  }

  disassemble(domain: number, vcpu: number, center: bigint, before: number, after: number): DisasmLine[] {
    const h = this.hart(domain, vcpu);
    return h ? disassembleAround(this.timeline.system.mem, h, center, before, after, this.symbols.get(domain)) : [];
  }

  /** One instruction's text (`sw\ta5,0(a4)`), as the hart would fetch it now. */
  instructionText(domain: number, vcpu: number, pc: bigint): string | undefined {
    const line = this.disassemble(domain, vcpu, pc, 0, 0).find((l) => l.address === pc);
    return line && line.raw >= 0 ? line.text : undefined;
  }

  /** `name+0x10` for an address of a domain, when its symbols cover it. */
  describeAddress(domain: number, addr: bigint): string | undefined {
    return this.symbols.get(domain)?.describe(addr);
  }

  /**
   * An address typed by a person: `0x80001000`, a decimal number, a symbol (`ticks`,
   * `main+0x10`) or a register of the hart (`sp`, `a0`, `pc`). Throws with a readable message.
   */
  parseAddress(domain: number, vcpu: number, text: string): bigint {
    const t = text.trim();
    const m = /^(.*?)([+-])(0x[0-9a-f]+|\d+)$/i.exec(t);
    if (m && m[1]) {
      const base = this.parseAddress(domain, vcpu, m[1]);
      return BigInt.asUintN(64, m[2] === '+' ? base + BigInt(m[3]) : base - BigInt(m[3]));
    }
    if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) return BigInt(t);
    const sym = this.symbols.get(domain)?.lookupName(t);
    if (sym) return sym.address;
    const regs = this.registers(domain, vcpu);
    const name = t.replace(/^\$/, '').toLowerCase();
    if (regs && name === 'pc') return regs.pc;
    const i = REG_NAMES.indexOf(name);
    const xi = /^x(\d+)$/.exec(name);
    if (regs && (i >= 0 || (xi && Number(xi[1]) < 32))) return regs.x[i >= 0 ? i : Number(xi![1])];
    throw new Error(`"${text}" is not an address: use 0x… hex, a symbol name, or a register such as sp`);
  }

  // --- events and console -------------------------------------------------------------

  events(from: number, to: number): TraceEvent[] {
    return this.reader.eventsBySeq(from, to);
  }

  formatEvent(e: TraceEvent): string {
    return formatEvent(e, this.reader.schema);
  }

  /** Kinds present in the trace's schema. */
  get eventKinds(): string[] {
    return this.reader.schema.kinds.map((k) => k.name);
  }

  /** The next (dir 1) or previous (dir -1) event from `from` (exclusive) that matches, or null. */
  findEvent(from: number, dir: 1 | -1, match: (e: TraceEvent) => boolean): TraceEvent | null {
    if (dir > 0) {
      for (const e of this.reader.events(from + 1, this.nextSeq)) if (match(e)) return e;
      return null;
    }
    // backwards in blocks: the reader decodes forwards
    for (let hi = Math.min(from, this.nextSeq); hi > this.firstSeq; hi -= 4096) {
      const block = this.reader.eventsBySeq(Math.max(this.firstSeq, hi - 4096), hi);
      for (let i = block.length - 1; i >= 0; i--) if (match(block[i])) return block[i];
    }
    return null;
  }

  /** Guest console lines produced so far (one domain, or all). */
  consoleLines(maxLines: number, domain?: number): string[] {
    return this.console.linesBefore(this.seq, maxLines, domain);
  }

  // --- motion -------------------------------------------------------------------------

  private here(): string {
    return this.seq > this.firstSeq ? `icount ${this.icount}, after event #${this.seq - 1}` : `icount ${this.icount}, before the first event`;
  }

  step(k = 1): Job<MotionResult> {
    return immediateJob('step', () => {
      if (k !== 1) {
        this.timeline.step(k);
        return { message: `stepped to ${this.here()}` };
      }
      // one instruction: name the hart that ran it, so a view can follow it
      const probe = new StepProbe(this.timeline.system, false);
      const before = this.icount;
      probe.before(this.seq);
      this.timeline.step(1);
      const ran = this.icount > before && probe.after({ pcMayHit: () => true, accessMayHit: () => false }) ? probe.describe(before) : null;
      probe.detach();
      if (this.icount === before) return { message: `at the end of the recording (icount ${before})` };
      return { message: `stepped 1 instruction to ${this.here()}`, ran: ran ? { domain: ran.domain, vcpu: ran.vcpu } : undefined };
    });
  }

  reverseStep(k = 1): Job<MotionResult> {
    return immediateJob('reverse-step', () => {
      if (this.icount === 0) return { message: 'at the start of the recording' };
      this.timeline.reverseStep(k);
      return { message: `reverse-stepped ${k} instruction${k === 1 ? '' : 's'} to ${this.here()}` };
    });
  }

  /** Moves to the state after exactly `t` instructions, in slices for far forward seeks. */
  seekIcount(t: number): Job<MotionResult> {
    const target = Math.max(0, Math.min(Math.floor(t), this.endIcount));
    return new SeekJob(this.timeline, target, null, () => ({ message: `at ${this.here()}` }));
  }

  /** Moves to right after event `s` (s < firstSeq: the start). */
  seekSeq(s: number): Job<MotionResult> {
    if (s >= this.nextSeq) throw new RangeError(`no event #${s}: the trace holds #${this.firstSeq}..#${this.nextSeq - 1}`);
    const approach = s >= this.firstSeq ? Math.max(0, this.reader.get(s).icount - 1) : 0;
    return new SeekJob(this.timeline, approach, s, () => ({ message: `at ${this.here()}` }));
  }

  /**
   * Back to a position taken earlier (a bookmark): `icount` instructions and `seq` events.
   * Events at an instruction boundary (interrupts) come after the icount position, so the
   * event seek finishes the move when it has not reached them.
   */
  seekPosition(icount: number, seq: number): Job<MotionResult> {
    return chainJobs(this.seekIcount(icount), (r) => (this.seq < seq && seq - 1 >= this.firstSeq ? this.seekSeq(seq - 1) : immediateJob('seek', () => r)));
  }

  /**
   * The data address of the load/store/AMO at `pc` with the vCPU's registers as they are now,
   * or null when it is not a memory instruction.
   */
  dataAddressAt(domain: number, vcpu: number, pc: bigint): { address: bigint; size: number } | null {
    const h = this.hart(domain, vcpu);
    if (!h) return null;
    const raw = fetchInstruction(this.timeline.system.mem, h, pc);
    const shape = raw < 0 ? null : accessOfRaw(raw);
    if (!shape) return null;
    return { address: BigInt.asUintN(64, h.getX(shape.base) + BigInt(shape.offset)), size: shape.size };
  }

  /** The start of the recording, before any instruction. */
  start(): Job<MotionResult> {
    return new SeekJob(this.timeline, 0, null, () => ({ message: 'at the start of the recording' }));
  }

  /** The end of the recording: after its last event. */
  end(): Job<MotionResult> {
    if (this.nextSeq <= this.firstSeq) return this.seekIcount(this.endIcount);
    const last = this.nextSeq - 1;
    return new SeekJob(this.timeline, Math.max(0, this.reader.get(last).icount - 1), last, () => ({ message: `at the end of the recording: ${this.here()}` }));
  }

  nextEvent(): Job<MotionResult> {
    if (this.seq >= this.nextSeq) return immediateJob('next event', () => ({ message: 'no event after this point' }));
    return this.seekSeq(this.seq);
  }

  prevEvent(): Job<MotionResult> {
    const last = this.seq - 1;
    if (last < this.firstSeq) return immediateJob('previous event', () => ({ message: 'no event before this point' }));
    // a backward seek restores a checkpoint and re-executes at most one interval: one slice.
    // Timeline.prevEvent skips back over the other events of the same position.
    return immediateJob('previous event', () => {
      this.timeline.prevEvent();
      return { message: this.seq <= this.firstSeq ? 'at the start, before the first event' : `at ${this.here()}` };
    });
  }

  /** Breakpoints alone run at full speed (fast-continue.ts); watchpoints need every access looked at (scan.ts). */
  private get fastStops(): boolean {
    return this.stops.size > 0 && !this.stops.hasWatchpoints;
  }

  continue(): Job<MotionResult> {
    const job = this.fastStops ? new FastForwardContinue(this.timeline, this.stops) : new ForwardContinue(this.timeline, this.stops);
    return this.continueJob(job, 'forward');
  }

  reverseContinue(): Job<MotionResult> {
    const job = this.fastStops ? new FastReverseContinue(this.timeline, this.stops) : new ReverseContinue(this.timeline, this.stops);
    return this.continueJob(job, 'reverse');
  }

  private continueJob(inner: Job<ContinueResult>, dir: 'forward' | 'reverse'): Job<MotionResult> {
    const probeValue = (h: StopHit): Uint8Array | null => {
      if (!h.access) return null;
      const m = this.readMemory(h.insn.domain, h.insn.vcpu, h.access.address, h.access.size);
      return m && m.valid.every(Boolean) ? m.bytes : null;
    };
    return {
      progress: inner.progress,
      cancel: () => inner.cancel(),
      run: (budget: SliceBudget): JobState<MotionResult> => {
        const s = inner.run(budget);
        if (s.status !== 'done') return s;
        const r = s.result;
        if (r.kind === 'hit') this.hitPositions.add(r.position);
        const name = (d: number, a: bigint) => this.describeAddress(d, a);
        const insn = (h: StopHit) => this.instructionText(h.insn.domain, h.insn.vcpu, h.insn.pc);
        return { status: 'done', result: { message: describeContinue(r, dir, name, probeValue, insn), stop: r } };
      },
    };
  }
}

const REG_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
