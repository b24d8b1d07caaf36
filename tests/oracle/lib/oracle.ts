// The QEMU side of a lockstep run, as a sequence of architectural states: one state before
// the first step (the reset state) and one after every step. Two sources implement it:
//   - gdb-oracle.ts steps QEMU through its gdbstub (exact gdb step semantics, slow);
//   - trace-oracle.ts reads QEMU's own per-instruction CPU log from a free run (fast, and
//     the only faithful view of timer interrupts: see docs/ORACLE.md, "gdb stops move time").

/** One trap entry QEMU logged (`-d int`): riscv_cpu_do_interrupt's line. */
export interface TrapRecord {
  /** true for an interrupt, false for an exception. */
  async: boolean;
  cause: bigint;
  epc: bigint;
  tval: bigint;
  /** QEMU's name for the cause, e.g. "m_timer", "machine_ecall", "fault_load". */
  desc: string;
}

export interface OracleState {
  readonly pc: bigint;
  /** x0..x31 as unsigned 64-bit values. */
  x(): readonly bigint[];
  /** f0..f31 raw bits, or null when this oracle was not asked for FP registers. */
  f(): readonly bigint[] | null;
  /** The CSRs this oracle reports at this state (names as QEMU prints them). */
  csrs(): ReadonlyMap<string, bigint>;
  /** Trap entries QEMU logged between the previous state and this one (trace oracle only). */
  readonly traps: readonly TrapRecord[];
}

export interface Oracle {
  /** For reports, e.g. "QEMU 7.2 trace (-singlestep -d cpu), icount shift=0". */
  readonly name: string;
  /** The state before the first step. Must be called once, first. */
  initial(): Promise<OracleState>;
  /** Advances one step; null when QEMU has exited or the trace ended. */
  next(): Promise<OracleState | null>;
  close(): Promise<void>;
}

/** A plain, fully parsed state (gdb oracle, tests, fake targets). */
export class PlainState implements OracleState {
  constructor(
    readonly pc: bigint,
    private readonly xs: readonly bigint[],
    private readonly fs: readonly bigint[] | null = null,
    private readonly csrMap: ReadonlyMap<string, bigint> = new Map(),
    readonly traps: readonly TrapRecord[] = [],
  ) {}
  x(): readonly bigint[] {
    return this.xs;
  }
  f(): readonly bigint[] | null {
    return this.fs;
  }
  csrs(): ReadonlyMap<string, bigint> {
    return this.csrMap;
  }
}
