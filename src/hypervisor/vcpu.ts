// A virtual CPU: a hart (with the H extension) that runs one domain's code, set up the way
// HS-mode software sets up a hart before `sret` into a guest. run() executes guest code until
// something needs the hypervisor and returns the exit.
//
// vCPU state machine (the status itself lives in the control-plane state):
//
//   halted ──start (domain boot, SBI HSM hart_start)──▶ runnable
//   runnable ──scheduled──▶ running ──slice/quantum ends──▶ runnable
//   running ──WFI, HSM suspend, PV block──▶ blocked ──interrupt or event pending──▶ runnable
//   running/runnable/blocked ──domain paused──▶ paused ──unpause──▶ runnable
//   any ──HSM stop, domain shutdown or destroy──▶ halted
import { IRQ, MS, PRIV_S, PRIV_U } from '../cpu/csr-defs.ts';
import type { CodeCache } from '../cpu/code-cache.ts';
import { Hart, STOP_DEBUG, STOP_EXIT, STOP_STUCK, STOP_WFI } from '../cpu/hart.ts';
import { runSlice } from '../cpu/interp.ts';
import { enterTrap, pendingInterrupt, wfiWakes } from '../cpu/trap.ts';
import type { PhysicalMemory } from '../machine/phys-mem.ts';
import type { VirtualClock } from '../machine/vtime.ts';
import { attachFpu } from '../machine/fpu-attach.ts';
import { classify, type VcpuExit } from './exits.ts';
import type { DomainType } from './types.ts';

export type VcpuStatus = 'runnable' | 'running' | 'blocked' | 'paused' | 'halted';

/** Exceptions an HVM guest handles itself (delegated to VS, as KVM does, plus illegal/access). */
const HEDELEG =
  (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15);
const VS_INTERRUPTS = (1 << IRQ.VSSI) | (1 << IRQ.VSTI) | (1 << IRQ.VSEI);

export class Vcpu {
  readonly hart: Hart;

  constructor(
    readonly domain: number,
    readonly id: number,
    readonly type: DomainType,
    mem: PhysicalMemory,
    code: CodeCache,
    private readonly clock: VirtualClock,
  ) {
    this.hart = new Hart({
      hartId: id,
      mem,
      code,
      clock,
      // the host's timebase: the CLINT rule of our virt machine, floor(ns / 100)
      readTime: () => BigInt(Math.floor(clock.nowNs() / 100)),
      hypervisor: true,
    });
    attachFpu(this.hart);
  }

  /** Puts the vCPU at `entry` in VS-mode (HVM/PVH) with a0 = hartid, a1 = arg, G-stage = hgatp. */
  enterHvm(entry: bigint, hgatp: bigint, a1: bigint, timeOffsetTicks: bigint): void {
    const h = this.hart;
    h.reset(entry);
    h.medeleg = 0xf0bfff;
    h.mideleg |= (1 << IRQ.SSI) | (1 << IRQ.STI) | (1 << IRQ.SEI);
    h.hedeleg = HEDELEG;
    h.hideleg = VS_INTERRUPTS;
    h.mcounteren = -1;
    h.hcounteren = -1;
    h.mstatus |= MS.FS; // FP usable as far as HS is concerned; vsstatus.FS is the guest's own switch
    // hstatus: VSXL = 2 (RV64), VTW = 1 so WFI exits to us (counted as a WFI exit)
    h.hstatus = (2n << 32n) | (1n << 21n);
    h.vsstatus = 2n << 32n;
    h.hgatp = hgatp;
    h.htimedelta = -timeOffsetTicks & ((1n << 64n) - 1n);
    h.priv = PRIV_S;
    h.virt = true;
    h.setX(10, BigInt(this.id));
    h.setX(11, a1);
    h.flushTlb();
  }

  /** Puts the vCPU at `entry` in U-mode with V = 0 (PV: deprivileged kernel, direct paging). */
  enterPv(entry: bigint, satp: bigint, a0: bigint, a1: bigint): void {
    const h = this.hart;
    h.reset(entry);
    h.medeleg = 0xb3ff;
    h.mideleg |= (1 << IRQ.SSI) | (1 << IRQ.STI) | (1 << IRQ.SEI);
    h.mcounteren = -1;
    h.scounteren = -1;
    h.mstatus |= MS.FS;
    h.satp = satp;
    h.priv = PRIV_U;
    h.virt = false;
    h.setX(10, a0);
    h.setX(11, a1);
    h.flushTlb();
  }

  /** Whether an interrupt the guest has enabled is pending (wakes a blocked vCPU). */
  get wantsToRun(): boolean {
    return wfiWakes(this.hart);
  }

  /**
   * Runs up to `budget` instructions. Returns instructions retired and why it stopped.
   * `stopAfterEntry` is asked after an interrupt entry (an event): when it says yes, run()
   * returns right there, before any instruction, so a replay can stop exactly at that event.
   */
  run(budget: number, stopAfterEntry?: () => boolean): { retired: number; exit: VcpuExit } {
    const h = this.hart;
    const clock = this.clock;
    h.guestContext = true;
    h.exit = null;
    h.waiting = false;
    const irq = pendingInterrupt(h);
    if (irq >= 0) {
      enterTrap(h, irq, true, 0n);
      if (h.exit) return { retired: 0, exit: classify(h.exit, this.type === 'pv') };
      if (stopAfterEntry?.()) return { retired: 0, exit: { kind: 'budget' } };
    }
    h.icountBase = clock.icount;
    const n = runSlice(h, budget);
    clock.icount = h.icountBase + n;
    switch (h.stop) {
      case STOP_EXIT:
        return { retired: n, exit: classify(h.exit!, this.type === 'pv') };
      case STOP_WFI:
        return { retired: n, exit: { kind: 'wfi' } };
      case STOP_STUCK:
        return { retired: n, exit: { kind: 'stuck' } };
      case STOP_DEBUG:
        return { retired: n, exit: { kind: 'debug-break' } };
    }
    return { retired: n, exit: n >= budget ? { kind: 'budget' } : { kind: 'yield' } };
  }

  get pc(): bigint {
    return this.hart.pc;
  }
}
