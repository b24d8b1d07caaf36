// The gdbstub oracle: QEMU single-stepped through its gdbstub, every register read after
// every step. Exact gdb-step granularity (an interrupt entry is a step of its own) and any
// register QEMU exposes, at a few thousand steps per second.
//
// Time (docs/ORACLE.md, "gdb stops and icount time"): a stop that QEMU initiates itself
// (end of a step, breakpoint) jumps icount time to the next armed timer deadline unless
// the step runs with Qqemu.sstep=5 (ENABLE|NOTIMER), the default here. With 5, time follows
// the instruction count exactly and timer interrupts arrive at the same instruction as in a
// free run; but a wfi that has to sleep never wakes (the jump that would wake it is what
// NOTIMER suppresses), so a step into one times out with an explanation. Use the trace
// oracle for guests that sleep in wfi. Never use 1 (time jumps; once OpenSBI has written
// mtimecmp = -1 the jump goes to INT64_MAX ns and QEMU wedges) or 7, QEMU's default
// (interrupts masked while stepping).
//
// Each next() writes one batch [g, p(f0..f31)..., s]: the register reads answer for the
// state the previous step produced and the 's' starts the following step, so QEMU executes
// step i+1 while the caller compares state i.
import { SSTEP, parseCore, parseStop, type StopReply } from './gdb-remote.ts';
import type { Oracle, OracleState } from './oracle.ts';
import { PlainState } from './oracle.ts';
import { QemuSession, type QemuOptions } from './qemu-session.ts';
import { F_NAMES } from './riscv-names.ts';
import { leHexToBigInt } from './rsp-packet.ts';

export interface GdbOracleOptions extends Omit<QemuOptions, 'gdb' | 'cpuLog'> {
  /** A step that takes longer than this is reported as a hart asleep in wfi (default 10 s). */
  stepTimeoutMs?: number;
  /** Read f0..f31 after every step (32 extra 'p' packets per step). */
  fpu?: boolean;
  /** CSRs to read after every step by name ("mstatus", "mepc", "priv", ...), for reports. */
  csrs?: string[];
}

export class GdbOracle implements Oracle {
  readonly name: string;
  private readers: string[] = [];
  private csrNames: string[] = [];
  private fpCount = 0;
  private pendingStop: Promise<string> | null = null;
  private exited = false;
  private readonly stepTimeoutMs: number;
  private steps = 0;

  private constructor(
    readonly session: QemuSession,
    opts: GdbOracleOptions,
  ) {
    this.stepTimeoutMs = opts.stepTimeoutMs ?? 10_000;
    const flags = opts.singleStepFlags ?? SSTEP.ENABLE | SSTEP.NOTIMER;
    const shift = opts.icountShift === undefined ? 0 : opts.icountShift;
    this.name = `QEMU 7.2 gdbstub single-step (Qqemu.sstep=${flags}), icount shift=${shift}`;
  }

  static async start(opts: GdbOracleOptions): Promise<GdbOracle> {
    const session = await QemuSession.start({
      ...opts,
      gdb: true,
      singleStepFlags: opts.singleStepFlags ?? SSTEP.ENABLE | SSTEP.NOTIMER,
    });
    const o = new GdbOracle(session, opts);
    try {
      const gdb = session.gdb;
      const fp = opts.fpu ? await Promise.all(F_NAMES.map((n) => gdb.regnum(n))) : [];
      o.fpCount = fp.length;
      o.csrNames = opts.csrs ?? [];
      const csr = await Promise.all(o.csrNames.map((n) => gdb.regnum(n)));
      o.readers = ['g', ...[...fp, ...csr].map((n) => `p${n.toString(16)}`)];
    } catch (e) {
      await session.close();
      throw e;
    }
    return o;
  }

  async initial(): Promise<OracleState> {
    const replies = await this.session.gdb.batch(this.readers);
    return this.toState(replies);
  }

  async next(): Promise<OracleState | null> {
    if (this.exited) return null;
    const gdb = this.session.gdb;
    // Complete the step issued last time (or issue the first one).
    let raw: string;
    try {
      raw = await this.withTimeout(this.pendingStop ?? gdb.request('s'));
    } catch (e) {
      // The guest powered the machine off (test finisher): QEMU exits during the step.
      if (await this.session.waitForExit(2000)) {
        this.exited = true;
        return null;
      }
      throw e;
    }
    const stop = parseStop(raw);
    this.steps++;
    if (stop.kind === 'W' || stop.kind === 'X') {
      this.exited = true;
      return null;
    }
    checkStep(stop);
    // Read the state this step produced and start the next step in the same write; the
    // step's own stop reply is awaited by the next call.
    const replies = gdb.batchEach([...this.readers, 's']);
    this.pendingStop = replies.pop()!;
    this.pendingStop.catch(() => {}); // surfaced by the next call, or irrelevant after close
    return this.toState(await Promise.all(replies));
  }

  private async withTimeout(stop: Promise<string>): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.stepTimeoutMs);
    });
    const r = await Promise.race([stop, late]);
    clearTimeout(timer);
    if (r !== 'late') return r;
    this.session.gdb.interrupt();
    const [core] = await this.session.gdb.batch(['g']).catch(() => ['']);
    const pc = core ? parseCore(core).pc : null;
    throw new Error(
      `QEMU did not finish step ${this.steps + 1} within ${this.stepTimeoutMs} ms` +
        (pc === null ? '' : ` (pc 0x${pc.toString(16)})`) +
        ': the hart is most likely asleep in wfi, which single-stepping with Qqemu.sstep=5 never wakes ' +
        '(docs/ORACLE.md). Use the trace oracle (trace-oracle.ts) for this guest.',
    );
  }

  private toState(replies: string[]): OracleState {
    const core = parseCore(replies[0]!);
    const fs = this.fpCount ? replies.slice(1, 1 + this.fpCount).map(leToBig) : null;
    const csrs = new Map<string, bigint>();
    this.csrNames.forEach((n, i) => csrs.set(n, leToBig(replies[1 + this.fpCount + i]!)));
    return new PlainState(core.pc, core.x, fs, csrs);
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

function checkStep(stop: StopReply): void {
  if (stop.kind === 'T' && stop.code === 5) return;
  // T02 means the VM was stopped by a byte arriving while it ran: the step executed nothing.
  throw new Error(`QEMU's single-step ended with "${stop.raw}" instead of a SIGTRAP stop`);
}

function leToBig(hex: string): bigint {
  return leHexToBigInt(hex, 0, hex.length / 2) ?? 0n;
}
