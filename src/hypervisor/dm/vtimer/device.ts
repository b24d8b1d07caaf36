// The emulated timer of an HVM domain: one supervisor timer per vCPU, driving VSTIP (hvip
// bit 6). Our hart has no Sstc, so an S-mode guest programs its timer through the SBI TIME
// extension (sbi_set_timer, SBI spec ch. 6); the core's SBI handler calls `set()` and this
// device does what the CLINT's mtimecmp does for a bare machine, on the domain's clock.
//
// Time as the guest sees it: the `time` CSR in VS-mode reads mtime + htimedelta (privileged
// spec 9.2.8), with mtime = floor(virtual ns / 100) at the 10 MHz timebase. `timeDeltaTicks`
// must be the htimedelta the core gives the domain's vCPUs. Deadlines use the CLINT's
// arithmetic (now + (cmp - time) x 100 ns), so a guest waits exactly as it would on virt.

import type { DomainServices, Timer } from '../../types.ts';
import { TIMEBASE_HZ } from '../../../machine/vtime.ts';

const NS_PER_TICK = 1_000_000_000 / TIMEBASE_HZ;
const VSTIP = 6;
const U64 = (1n << 64n) - 1n;

/** Checkpoint state: compare values as hex (u64); pending levels per vCPU. */
export interface VtimerState {
  cmp: string[];
  pending: boolean[];
}

export class Vtimer {
  private readonly services: DomainServices;
  private readonly timeDeltaTicks: bigint;
  private readonly timers: Timer[];
  private cmp: bigint[];
  private pending: boolean[];

  constructor(services: DomainServices, timeDeltaTicks = 0n) {
    this.services = services;
    this.timeDeltaTicks = timeDeltaTicks;
    const n = services.vcpuCount;
    // Compare values start at "never", as SBI leaves the timer unarmed until the first call.
    this.cmp = new Array<bigint>(n).fill(U64);
    this.pending = new Array<boolean>(n).fill(false);
    this.timers = Array.from({ length: n }, (_, v) => services.timer(`vtimer.vcpu${v}`, () => this.expire(v)));
  }

  /** The guest's `time` CSR value now (what rdtime returns in VS-mode). */
  readTime(): bigint {
    const ticks = BigInt(Math.floor(this.services.nowNs() / NS_PER_TICK));
    return (ticks + this.timeDeltaTicks) & U64;
  }

  /**
   * sbi_set_timer(stime_value) for `vcpu` (this is what the core's SbiHost.setTimer does):
   * lowers VSTIP, then raises it when guest time reaches `cmp`. A value already reached fires
   * at the next instruction boundary (when the clock next runs expired timers), never inside
   * this call; (uint64)-1 means no timer.
   */
  set(vcpu: number, cmp: bigint): void {
    this.checkVcpu(vcpu);
    const value = cmp & U64;
    this.cmp[vcpu] = value;
    // The SBI code may already have cleared VSTIP itself (SBI §6.1); lowering twice is harmless.
    if (this.pending[vcpu]) this.drive(vcpu, false);
    this.pending[vcpu] = false;
    const now = this.readTime();
    const nowNs = this.services.nowNs();
    const t = this.timers[vcpu]!;
    const deadline = value <= now ? nowNs : nowNs + Number(value - now) * NS_PER_TICK;
    // Beyond 2^53 ns (285 years of virtual time) the timer can never fire in a run.
    if (deadline > Number.MAX_SAFE_INTEGER) t.del();
    else t.mod(deadline);
  }

  /** Whether VSTIP is raised for `vcpu`. */
  isPending(vcpu: number): boolean {
    this.checkVcpu(vcpu);
    return this.pending[vcpu]!;
  }

  /** Domain reset: every timer disarmed, every VSTIP lowered. */
  reset(): void {
    for (let v = 0; v < this.timers.length; v++) {
      this.timers[v]!.del();
      this.cmp[v] = U64;
      if (this.pending[v]) this.drive(v, false);
    }
  }

  /**
   * Compare values and levels only. Timer deadlines live on the global virtual clock and
   * come back with its checkpoint (as the UART's FIFO timeout does), so nothing is re-armed.
   */
  save(): VtimerState {
    return { cmp: this.cmp.map((c) => c.toString(16)), pending: [...this.pending] };
  }

  restore(state: VtimerState): void {
    if (state.cmp.length !== this.cmp.length) {
      throw new Error(`checkpoint timer state has ${state.cmp.length} vCPUs, this domain has ${this.cmp.length}`);
    }
    this.cmp = state.cmp.map((c) => BigInt(`0x${c}`));
    this.pending = [...state.pending];
  }

  private expire(vcpu: number): void {
    this.drive(vcpu, true);
  }

  /** Always passes the level on: VSTIP may have been changed by the SBI code directly. */
  private drive(vcpu: number, level: boolean): void {
    this.pending[vcpu] = level;
    this.services.irqs.set(vcpu, VSTIP, level);
  }

  private checkVcpu(vcpu: number): void {
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= this.cmp.length) {
      throw new RangeError(`vCPU ${vcpu} does not exist in domain ${this.services.name} (it has ${this.cmp.length})`);
    }
  }
}
