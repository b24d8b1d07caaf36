// Test doubles for the device model: a domain's services (guest RAM, hvip lines, event log,
// timers on a real virtual clock) and a vCPU context, all recording what happens to them.

import type { DomainServices, GuestMemory, HypervisorEvents, Timer, VcpuContext, VirtualInterrupts } from '../../src/hypervisor/types.ts';
import { VirtualClock } from '../../src/machine/vtime.ts';

export const RAM_BASE = 0x80000000n;

export class FakeGuestMemory implements GuestMemory {
  readonly ramBase = RAM_BASE;
  readonly bytes: Uint8Array;
  constructor(readonly ramBytes = 1 << 20) {
    this.bytes = new Uint8Array(ramBytes);
  }
  private at(gpa: bigint, n: number): number | null {
    const off = gpa - this.ramBase;
    if (off < 0n || off + BigInt(n) > BigInt(this.ramBytes)) return null;
    return Number(off);
  }
  read(gpa: bigint, out: Uint8Array): boolean {
    const o = this.at(gpa, out.length);
    if (o === null) return false;
    out.set(this.bytes.subarray(o, o + out.length));
    return true;
  }
  write(gpa: bigint, data: Uint8Array): boolean {
    const o = this.at(gpa, data.length);
    if (o === null) return false;
    this.bytes.set(data, o);
    return true;
  }
  /** Direct access for tests: the bytes at gpa. */
  view(gpa: bigint, n: number): Uint8Array {
    const o = Number(gpa - this.ramBase);
    return this.bytes.subarray(o, o + n);
  }
}

/** hvip lines per vCPU; `calls` keeps every set() in order. */
export class FakeIrqs implements VirtualInterrupts {
  readonly calls: Array<[vcpu: number, irq: number, level: boolean]> = [];
  readonly levels = new Map<string, boolean>();
  set(vcpu: number, irq: 2 | 6 | 10, level: boolean): void {
    this.calls.push([vcpu, irq, level]);
    this.levels.set(`${vcpu}:${irq}`, level);
  }
  level(vcpu: number, irq: number): boolean {
    return this.levels.get(`${vcpu}:${irq}`) ?? false;
  }
}

export type LoggedEvent =
  | { kind: 'mmio'; domain: number; vcpu: number; dev: number; offset: number; size: number; value: bigint; write: boolean }
  | { kind: 'console'; domain: number; dev: number; bytes: number[] }
  | { kind: 'other'; what: string };

export class FakeEvents implements HypervisorEvents {
  readonly log: LoggedEvent[] = [];
  sbi(): void {
    this.log.push({ kind: 'other', what: 'sbi' });
  }
  mmio(domain: number, vcpu: number, dev: number, offset: number, size: number, value: bigint, write: boolean): void {
    this.log.push({ kind: 'mmio', domain, vcpu, dev, offset, size, value, write });
  }
  console(domain: number, dev: number, bytes: Uint8Array): void {
    this.log.push({ kind: 'console', domain, dev, bytes: [...bytes] });
  }
  lifecycle(): void {
    this.log.push({ kind: 'other', what: 'lifecycle' });
  }
  mmios(): Extract<LoggedEvent, { kind: 'mmio' }>[] {
    return this.log.filter((e): e is Extract<LoggedEvent, { kind: 'mmio' }> => e.kind === 'mmio');
  }
}

export interface FakeDomain extends DomainServices {
  readonly memory: FakeGuestMemory;
  readonly irqs: FakeIrqs;
  readonly events: FakeEvents;
  readonly clock: VirtualClock;
  /** Moves virtual time to `ns` and fires expired timers. */
  advanceTo(ns: number): void;
}

export function fakeDomain(opts: { id?: number; vcpus?: number; ramBytes?: number; clock?: VirtualClock } = {}): FakeDomain {
  const clock = opts.clock ?? new VirtualClock(0);
  const id = opts.id ?? 1;
  const memory = new FakeGuestMemory(opts.ramBytes);
  const irqs = new FakeIrqs();
  const events = new FakeEvents();
  return {
    id,
    name: `dom${id}`,
    type: 'hvm',
    vcpuCount: opts.vcpus ?? 1,
    memory,
    irqs,
    events,
    clock,
    timer(name: string, onExpire: () => void): Timer {
      return clock.timer(`dom${id}.${name}`, onExpire);
    },
    nowNs: () => clock.nowNs(),
    advanceTo(ns: number) {
      clock.icount = ns - clock.idleNs;
      clock.runExpired();
    },
  };
}

/** A vCPU's registers and pc; x0 stays zero. */
export class FakeVcpu implements VcpuContext {
  readonly x = new Array<bigint>(32).fill(0n);
  pc = 0x80001000n;
  constructor(
    readonly domain = 1,
    readonly vcpu = 0,
  ) {}
  getX(i: number): bigint {
    return this.x[i]!;
  }
  setX(i: number, v: bigint): void {
    if (i !== 0) this.x[i] = BigInt.asUintN(64, v);
  }
  skipInstruction(len: number): void {
    this.pc += BigInt(len);
  }
  nowNs(): number {
    return 0;
  }
}
