// What a machine reports while it runs: every device access, interrupt taken, external input
// and lifecycle change, in the order it happens, stamped with the instruction count. The
// recorder appends these to the event log; the replayer checks them against it. Sinks only
// observe: they never change what the machine does.

export interface MachineEventSink {
  mmio(icount: number, hart: number, dev: number, offset: number, size: number, lo: number, hi: number, write: boolean): void;
  /** An interrupt taken by `hart` (cause without the interrupt bit), priv = privilege before it. */
  interrupt(icount: number, hart: number, cause: number, priv: number, virt: boolean, pc: bigint): void;
  /** Console bytes handed to a UART (external input). */
  input(icount: number, dev: number, bytes: Uint8Array): void;
  /** Console bytes a UART transmitted. */
  console(icount: number, dev: number, byte: number): void;
  /** A wall-clock read by the RTC (external input). */
  rtc(icount: number, dev: number, ns: bigint): void;
  lifecycle(icount: number, action: 'reset' | 'poweroff' | 'fail', code: number): void;
}

/** Supplies what comes from outside the machine: the wall clock (recorded, or replayed). */
export interface ExternalInputs {
  wallClockNs(): bigint;
}
