// The fast, time-faithful oracle: QEMU runs free with one instruction per translation block
// and logs the CPU state before each one (qemu-cpu-log.ts). Nothing ever stops the VM, so
// icount time and timer interrupts behave exactly as in an unobserved run, which a gdb
// stop cannot promise (docs/ORACLE.md). The log comes through a pipe; when the comparison
// falls behind, QEMU blocks on the write, which under icount sleep=off changes nothing the
// guest can see.
//
// Granularity differs from gdb stepping in one documented way: an interrupt that becomes
// pending through the instruction just executed (a CSR write enabling it, an MMIO write)
// is entered before QEMU logs again, so the log has no state between that instruction and
// the vector. The lockstep driver recognises this from the trap record and steps the target
// twice for that state.
import { CpuLogParser } from './qemu-cpu-log.ts';
import type { Oracle, OracleState } from './oracle.ts';
import { QemuSession, type QemuOptions } from './qemu-session.ts';

export interface TraceOracleOptions extends Omit<QemuOptions, 'cpuLog' | 'singleStepFlags'> {
  /** Also log and compare f0..f31 (doubles the log volume). */
  fpu?: boolean;
}

export class TraceOracle implements Oracle {
  readonly name: string;
  private readonly parser: CpuLogParser;
  private readonly chunks: AsyncIterator<string>;
  private ended = false;

  private constructor(
    readonly session: QemuSession,
    opts: TraceOracleOptions,
  ) {
    const log = session.cpuLog;
    if (!log) throw new Error('QEMU was started without the CPU log pipe');
    this.chunks = log[Symbol.asyncIterator]() as AsyncIterator<string>;
    this.parser = new CpuLogParser(opts.fpu ?? false);
    const shift = opts.icountShift === undefined ? 0 : opts.icountShift;
    this.name = `QEMU 7.2 CPU log (-singlestep -d cpu), icount shift=${shift}`;
  }

  /**
   * Starts QEMU. With `gdb: true` (default false) it waits at the reset vector until
   * `session.gdb.cont()`; the gdbstub is then useful to read memory after ^C.
   */
  static async start(opts: TraceOracleOptions): Promise<TraceOracle> {
    const session = await QemuSession.start({ ...opts, gdb: opts.gdb ?? false, cpuLog: { fpu: opts.fpu ?? false } });
    return new TraceOracle(session, opts);
  }

  initial(): Promise<OracleState> {
    return this.next().then((s) => {
      if (!s) throw new Error(`QEMU produced no CPU log (stderr: ${this.session.stderrText.trim() || 'empty'})`);
      return s;
    });
  }

  async next(): Promise<OracleState | null> {
    for (;;) {
      const s = this.parser.take();
      if (s) return s;
      if (this.ended) return null;
      const r = await this.chunks.next();
      if (r.done) {
        this.parser.end();
        this.ended = true;
      } else {
        this.parser.push(r.value);
      }
    }
  }

  /** Dumps dropped as re-executions of aborted block attempts (see qemu-cpu-log.ts). */
  get replaysDropped(): number {
    return this.parser.replaysDropped;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
