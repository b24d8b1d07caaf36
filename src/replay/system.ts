// What record, replay and time travel need from the thing that runs: a bare machine or a
// hypervisor with domains. Both are deterministic given their inputs; these adapters give
// them one shape (run, inputs, the event log, save/restore of everything but memory pages,
// the architectural state hash).
import type { CodeCache } from '../cpu/code-cache.ts';
import type { Hart } from '../cpu/hart.ts';
import type { EventLog } from '../events/log.ts';
import type { Machine, RunStop } from '../machine/machine.ts';
import type { PhysicalMemory } from '../machine/phys-mem.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { LogSink } from './log-sink.ts';
import type { TraceConfig } from '../trace/header.ts';
import { hypervisorFromTrace } from './hypervisor-config.ts';
import { machineFromTrace } from './machine-config.ts';
import { hartsStateHash } from './state-hash.ts';

export interface Replayable {
  readonly icount: number;
  run(budget: number): RunStop;
  /** Console input for `domain` (0 on a bare machine; -1 the default console), delivered at the next slice boundary. */
  sendInput(bytes: Uint8Array, domain: number): void;
  requestStop(): void;
  /** Where events go; `after` runs after each append (the replayer's check). */
  setEventLog(log: EventLog | null, after: (() => void) | null): void;
  readonly mem: PhysicalMemory;
  readonly code: CodeCache;
  save(): unknown;
  restore(state: unknown): void;
  stateHash(): string;
  /** The hart of (domain, vcpu), for pcs in reports and the debugger. */
  hart(domain: number, vcpu: number): Hart | null;
  /** Every hart with its (domain, vcpu), for debuggers and state views. */
  allHarts(): Array<{ domain: number; vcpu: number; hart: Hart }>;
}

export class BareSystem implements Replayable {
  private sink: LogSink | null = null;

  constructor(readonly machine: Machine) {}

  get icount(): number {
    return this.machine.icount;
  }
  run(budget: number): RunStop {
    return this.machine.run(budget);
  }
  sendInput(bytes: Uint8Array): void {
    this.machine.sendInput(bytes);
  }
  requestStop(): void {
    this.machine.requestStop();
  }
  setEventLog(log: EventLog | null, after: (() => void) | null): void {
    if (!log) {
      this.machine.events = null;
      this.sink = null;
      return;
    }
    this.sink ??= new LogSink(log);
    this.sink.log = log;
    this.sink.after = after;
    this.machine.events = this.sink;
  }
  get mem(): PhysicalMemory {
    return this.machine.mem;
  }
  get code(): CodeCache {
    return this.machine.code;
  }
  save(): unknown {
    return this.machine.save();
  }
  restore(s: unknown): void {
    this.machine.restore(s as ReturnType<Machine['save']>);
  }
  stateHash(): string {
    return hartsStateHash(this.machine.mem, this.machine.clock, this.machine.harts);
  }
  hart(_domain: number, vcpu: number): Hart | null {
    return this.machine.harts[vcpu] ?? null;
  }
  allHarts(): Array<{ domain: number; vcpu: number; hart: Hart }> {
    return this.machine.harts.map((hart, i) => ({ domain: 0, vcpu: i, hart }));
  }
}

export class HypervisorSystem implements Replayable {
  constructor(readonly hv: Hypervisor) {}

  get icount(): number {
    return this.hv.icount;
  }
  run(budget: number): RunStop {
    return this.hv.run(budget);
  }
  sendInput(bytes: Uint8Array, domain: number): void {
    if (domain < 0) this.hv.sendInput(bytes);
    else this.hv.sendInput(bytes, domain);
  }
  requestStop(): void {
    this.hv.requestStop();
  }
  setEventLog(log: EventLog | null, after: (() => void) | null): void {
    this.hv.events.log = log;
    this.hv.events.after = after;
  }
  get mem(): PhysicalMemory {
    return this.hv.mem;
  }
  get code(): CodeCache {
    return this.hv.code;
  }
  save(): unknown {
    return this.hv.save();
  }
  restore(s: unknown): void {
    this.hv.restore(s as ReturnType<Hypervisor['save']>);
  }
  stateHash(): string {
    return hartsStateHash(this.hv.mem, this.hv.clock, this.allHarts().map((x) => x.hart));
  }
  hart(domain: number, vcpu: number): Hart | null {
    return this.hv.domains[domain - 1]?.vcpus[vcpu]?.hart ?? null;
  }
  allHarts(): Array<{ domain: number; vcpu: number; hart: Hart }> {
    return this.hv.domains.flatMap((d) => d.vcpus.map((v) => ({ domain: d.id, vcpu: v.id, hart: v.hart })));
  }
}

/** A system from a trace header: the bare machine or the hypervisor it recorded. */
export function systemFromTrace(
  config: TraceConfig,
  traceFile: string,
  hooks: { wallClockNs: () => bigint; onConsole?: (domain: number, bytes: Uint8Array) => void },
  overrides: Record<string, string> = {},
): Replayable {
  const kind = (config.machine as { kind?: string })?.kind;
  if (kind === 'hypervisor') {
    return new HypervisorSystem(hypervisorFromTrace(config, traceFile, { onConsole: (d, b) => hooks.onConsole?.(d.id, b) }, overrides));
  }
  const { machine } = machineFromTrace(config, traceFile, { wallClockNs: hooks.wallClockNs, onConsole: (b) => hooks.onConsole?.(0, Uint8Array.of(b)) }, overrides);
  return new BareSystem(machine);
}
