// Streaming parser for QEMU 7.2's per-instruction CPU log:
//   qemu-system-riscv64 -singlestep -d int,cpu[,fpu],nochain,exec -D FILE
// With one instruction per translation block and no block chaining, QEMU dumps the CPU
// state ("Trace 0: ..." then riscv_cpu_dump_state) before every block it enters, so the
// dumps are the states between instructions. Three kinds of line need care:
//   - "Stopped execution of TB chain before ..." and "cpu_io_recompile: rewound execution
//     of TB to ...": the dump just printed belongs to an attempt that did not execute (the
//     icount budget ran out before a timer deadline, or an MMIO access must be replayed as
//     the last instruction of its block). The next dump is then either the same state again
//     (dropped here, it is not a step) or the vector of the interrupt that was taken. "The
//     same" means the same pc and registers: CSRs may differ, because the timer that ended
//     the budget fired in between and set mip (a masked interrupt is not taken, so the
//     re-attempt shows MTIP where the aborted one did not).
//   - "riscv_cpu_do_interrupt: ..." (-d int): a trap entry; it is attached to the next state.
// Register fields are parsed lazily: a fast-forward that compares every K-th state only
// pays for splitting lines.
import type { OracleState, TrapRecord } from './oracle.ts';

const TRAP_RE =
  /^riscv_cpu_do_interrupt: hart:(\d+), async:(\d), cause:([0-9a-f]+), epc:0x([0-9a-f]+), tval:0x([0-9a-f]+), desc=(\S+)/;

export class LoggedState implements OracleState {
  private xs: bigint[] | null = null;
  private fs: bigint[] | null | undefined = undefined;
  private csrMap: Map<string, bigint> | null = null;

  constructor(
    readonly pc: bigint,
    /** The dump's register lines, verbatim (also used to recognise replayed dumps). */
    readonly dump: string,
    readonly traps: readonly TrapRecord[],
  ) {}

  x(): readonly bigint[] {
    if (!this.xs) this.xs = parseBank(this.dump, ' x0/', 32);
    return this.xs;
  }

  f(): readonly bigint[] | null {
    if (this.fs === undefined) this.fs = this.dump.includes(' f0/') ? parseBank(this.dump, ' f0/', 32) : null;
    return this.fs;
  }

  csrs(): ReadonlyMap<string, bigint> {
    if (!this.csrMap) {
      const m = new Map<string, bigint>();
      for (const line of this.dump.split('\n')) {
        const t = line.trim().split(/\s+/);
        if (t.length === 2 && /^[a-z][a-z0-9]*$/.test(t[0]!) && t[0] !== 'pc') m.set(t[0]!, BigInt('0x' + t[1]));
        else if (t[0] === 'V' && t[1] === '=') m.set('V', BigInt(t[2]!));
      }
      this.csrMap = m;
    }
    return this.csrMap;
  }
}

/** Reads `count` registers printed four to a line as "xN/name  <16 hex digits>". */
function parseBank(dump: string, first: string, count: number): bigint[] {
  const out: bigint[] = new Array(count);
  let at = dump.indexOf(first);
  if (at < 0) throw new Error(`QEMU CPU dump has no ${first.trim()} line:\n${dump}`);
  const prefix = first.trim()[0]!; // 'x' or 'f'
  for (let i = 0; i < count; i++) {
    // Each field is " xN/abi" padded to a fixed column, then 16 hex digits.
    at = dump.indexOf(` ${prefix}${i}/`, at);
    if (at < 0) throw new Error(`QEMU CPU dump lacks register ${prefix}${i}`);
    const hexAt = dump.indexOf(' ', at + 2);
    let h = hexAt;
    while (dump.charCodeAt(h) === 0x20) h++;
    out[i] = BigInt('0x' + dump.slice(h, h + 16));
    at = h + 16;
  }
  return out;
}

export class CpuLogParser {
  private partial = '';
  private dumpLines: string[] = [];
  private dumpPc: bigint | null = null;
  private inDump = false;
  private traps: TrapRecord[] = [];
  private replayPending = false;
  private last: LoggedState | null = null;
  private readonly ready: LoggedState[] = [];
  private readHead = 0;
  /** Dumps dropped as replays of an aborted attempt, for statistics. */
  replaysDropped = 0;

  /** `fpu`: the log includes FP registers, so a dump ends at the f28 line instead of x28. */
  constructor(private readonly fpu: boolean) {}

  push(chunk: string): void {
    const text = this.partial + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
  }

  /** End of stream: a dump cut short by QEMU exiting is discarded. */
  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  take(): LoggedState | undefined {
    if (this.readHead >= this.ready.length) return undefined;
    const s = this.ready[this.readHead++]!;
    if (this.readHead === this.ready.length) {
      this.ready.length = 0;
      this.readHead = 0;
    }
    return s;
  }

  get queued(): number {
    return this.ready.length - this.readHead;
  }

  private line(line: string): void {
    if (this.inDump && line.charCodeAt(0) === 0x20 /* dump lines start with a space */) {
      this.dumpLines.push(line);
      if (line.startsWith(' pc ')) this.dumpPc = BigInt('0x' + line.slice(4).trim());
      const endMarker = this.fpu ? ' f28/' : ' x28/';
      if (line.startsWith(endMarker)) this.finishDump();
      return;
    }
    this.inDump = false;
    if (line.startsWith('Trace ')) {
      this.inDump = true;
      this.dumpLines = [];
      this.dumpPc = null;
    } else if (line.startsWith('Stopped execution') || line.startsWith('cpu_io_recompile')) {
      this.replayPending = true;
    } else if (line.startsWith('riscv_cpu_do_interrupt')) {
      const m = TRAP_RE.exec(line);
      if (m) {
        this.traps.push({
          async: m[2] === '1',
          cause: BigInt('0x' + m[3]),
          epc: BigInt('0x' + m[4]),
          tval: BigInt('0x' + m[5]),
          desc: m[6]!,
        });
      }
    }
  }

  private finishDump(): void {
    this.inDump = false;
    if (this.dumpPc === null) throw new Error(`QEMU CPU dump without a pc line:\n${this.dumpLines.join('\n')}`);
    const dump = this.dumpLines.join('\n');
    if (this.replayPending && this.last && this.traps.length === 0 && this.last.pc === this.dumpPc && sameRegisters(this.last.dump, dump)) {
      // Second attempt at the block whose first attempt was aborted: not a new step.
      this.replayPending = false;
      this.replaysDropped++;
      return;
    }
    this.replayPending = false;
    const s = new LoggedState(this.dumpPc, dump, this.traps);
    this.traps = [];
    this.last = s;
    this.ready.push(s);
  }
}

/** Same integer/FP registers (the CSR lines before " x0/" may differ). */
function sameRegisters(a: string, b: string): boolean {
  return a.slice(a.indexOf(' x0/')) === b.slice(b.indexOf(' x0/'));
}
