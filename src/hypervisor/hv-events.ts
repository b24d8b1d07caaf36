// Every event the hypervisor produces, appended to the event log with the global icount and
// the (domain, vCPU) it concerns. The recorder streams the log to a trace; the replayer swaps
// `log` and sets `after` to check each record as it is produced (as for the bare machine).
import type { EventLog } from '../events/log.ts';
import { privilegeMode } from '../events/kinds.ts';
import type { PayloadInput } from '../events/kinds.ts';
import type { VirtualClock } from '../machine/vtime.ts';
import type { HypervisorEvents } from './types.ts';

export type ExitReason = PayloadInput<'exit'>['reason'];
export type SchedReason = PayloadInput<'sched'>['reason'];

export class HvEventSink implements HypervisorEvents {
  log: EventLog | null = null;
  after: (() => void) | null = null;
  /** The vCPU currently running (events without an explicit one are attributed to it). */
  domain = 0;
  vcpu = 0;

  constructor(private readonly clock: VirtualClock) {}

  private done(): void {
    this.after?.();
  }

  exit(domain: number, vcpu: number, reason: ExitReason, args: readonly bigint[]): void {
    if (!this.log) return;
    this.log.appendExit(this.clock.icount, domain, vcpu, reason, args);
    this.done();
  }

  sbi(domain: number, vcpu: number, ext: number, fid: number, args: readonly bigint[], error: bigint, value: bigint): void {
    if (!this.log) return;
    this.log.appendSbi(this.clock.icount, domain, vcpu, ext, fid, args, error, value);
    this.done();
  }

  hypercall(domain: number, vcpu: number, nr: number, args: readonly bigint[], result: bigint): void {
    if (!this.log) return;
    this.log.appendHypercall(this.clock.icount, domain, vcpu, nr, args, result);
    this.done();
  }

  mmio(domain: number, vcpu: number, dev: number, offset: number, size: number, value: bigint, write: boolean): void {
    if (!this.log) return;
    this.log.appendMmio(this.clock.icount, domain, vcpu, dev, offset, size, value, write);
    this.done();
  }

  interrupt(domain: number, vcpu: number, cause: number, priv: number, virt: boolean, pc: bigint): void {
    if (!this.log) return;
    this.log.appendInterrupt(this.clock.icount, domain, vcpu, cause, privilegeMode(priv, virt), pc);
    this.done();
  }

  console(domain: number, dev: number, bytes: Uint8Array): void {
    if (!this.log) return;
    this.log.appendConsole(this.clock.icount, domain, 0, dev, bytes);
    this.done();
  }

  input(domain: number, dev: number, bytes: Uint8Array): void {
    if (!this.log) return;
    this.log.appendInput(this.clock.icount, domain, 0, dev, bytes);
    this.done();
  }

  lifecycle(domain: number, action: PayloadInput<'lifecycle'>['action'], code: number): void {
    if (!this.log) return;
    this.log.appendLifecycle(this.clock.icount, domain, 0, action, code);
    this.done();
  }

  sched(from: { domain: number; vcpu: number } | null, to: { domain: number; vcpu: number } | null, reason: SchedReason): void {
    if (!this.log) return;
    this.log.appendSched(this.clock.icount, 0, 0, from?.domain ?? 0, from?.vcpu ?? 0, to?.domain ?? 0, to?.vcpu ?? 0, reason);
    this.done();
  }

  /** Extension point for later kinds (event channels, grants, ...): appended by name. */
  append(kind: string, domain: number, vcpu: number, payload: Readonly<Record<string, unknown>>): void {
    if (!this.log) return;
    this.log.appendAny(kind, this.clock.icount, domain, vcpu, payload);
    this.done();
  }
}
