// The machine's event sink that appends to an EventLog. The recorder streams that log to a
// trace file; the replayer compares every appended record with the recorded one right after
// it is produced (`after`), so a divergence is caught at the exact instruction.
import type { EventLog } from '../events/log.ts';
import { privilegeMode } from '../events/kinds.ts';
import type { MachineEventSink } from '../machine/machine-events.ts';

export class LogSink implements MachineEventSink {
  /** Called after every append (the replayer's check). */
  after: (() => void) | null = null;

  constructor(
    /** The log events go to (the replayer swaps it when it moves through time). */
    public log: EventLog,
    /** Maps a hart to its (domain, vcpu); a bare machine is domain 0 with vcpu = hart. */
    private readonly domainOf: (hart: number) => number = () => 0,
  ) {}

  mmio(icount: number, hart: number, dev: number, offset: number, size: number, lo: number, hi: number, write: boolean): void {
    this.log.appendMmio64(icount, this.domainOf(hart), hart, dev, offset, size, lo, hi, write);
    this.after?.();
  }

  interrupt(icount: number, hart: number, cause: number, priv: number, virt: boolean, pc: bigint): void {
    this.log.appendInterrupt(icount, this.domainOf(hart), hart, cause, privilegeMode(priv, virt), pc);
    this.after?.();
  }

  input(icount: number, dev: number, bytes: Uint8Array): void {
    this.log.appendInput(icount, 0, 0, dev, bytes);
    this.after?.();
  }

  console(icount: number, dev: number, byte: number): void {
    this.log.appendConsole(icount, 0, 0, dev, [byte]);
    this.after?.();
  }

  rtc(icount: number, dev: number, ns: bigint): void {
    this.log.appendRtc(icount, 0, 0, dev, ns);
    this.after?.();
  }

  lifecycle(icount: number, action: 'reset' | 'poweroff' | 'fail', code: number): void {
    this.log.appendLifecycle(icount, 0, 0, action, code);
    this.after?.();
  }
}
