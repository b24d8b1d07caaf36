// Virtual time. Chronovisor never reads the host clock: time advances with retired
// instructions, exactly as QEMU's `-icount shift=N,sleep=off` does, so lockstep comparison
// with QEMU holds across timer reads and timer interrupts.
//
// The rule (documented in docs/ARCHITECTURE.md, "Virtual time"):
//   nowNs  = icount * 2^shift + idleNs
//   mtime  = floor(nowNs * TIMEBASE_HZ / 1e9)            (QEMU: muldiv64(ns, freq, 1e9))
// where icount counts instructions retired by all harts and idleNs accumulates the jumps
// made when every hart waits in WFI (time warps straight to the next timer deadline, as
// QEMU's sleep=off does). Timers fire at the first instruction boundary whose nowNs is at
// or past their deadline.

/** The CLINT timebase of QEMU's virt machine. */
export const TIMEBASE_HZ = 10_000_000;
const NS_PER_TICK = 1_000_000_000 / TIMEBASE_HZ;

/** A one-shot timer on the virtual clock (QEMU's QEMUTimer on QEMU_CLOCK_VIRTUAL). */
export class VirtualTimer {
  /** Deadline in virtual ns, or -1 when not armed. */
  deadlineNs = -1;
  /** Order of arming, so timers with equal deadlines fire in a fixed order. */
  armedSeq = 0;
  constructor(
    readonly clock: VirtualClock,
    readonly name: string,
    readonly onExpire: () => void,
  ) {}

  /** Arms (or re-arms) the timer for an absolute virtual time in ns. */
  mod(deadlineNs: number): void {
    this.deadlineNs = deadlineNs;
    this.armedSeq = this.clock.nextArmSeq++;
    this.clock.timersChanged();
  }

  del(): void {
    if (this.deadlineNs < 0) return;
    this.deadlineNs = -1;
    this.clock.timersChanged();
  }

  get armed(): boolean {
    return this.deadlineNs >= 0;
  }
}

export class VirtualClock {
  /** Instructions retired by all harts. Kept current by the machine before any device access. */
  icount = 0;
  /** Virtual ns added by idle warps. */
  idleNs = 0;
  nextArmSeq = 0;
  private readonly timers: VirtualTimer[] = [];
  private cachedDeadline = -1;
  private deadlineDirty = true;
  /** Called whenever a timer is armed or disarmed, so run loops can shorten their slice. */
  onTimersChanged: (() => void) | null = null;

  /** Virtual ns per instruction, 2^shift (computed once: nowNs is on hot paths). */
  readonly nsPerInsn: number;

  constructor(readonly shift: number) {
    if (!Number.isInteger(shift) || shift < 0 || shift > 20) {
      throw new RangeError(`icount shift must be an integer in 0..20, got ${shift}`);
    }
    this.nsPerInsn = 2 ** shift;
  }

  nowNs(): number {
    return this.icount * this.nsPerInsn + this.idleNs;
  }

  /** mtime: timebase ticks at the current virtual time. */
  ticks(): number {
    return Math.floor(this.nowNs() / NS_PER_TICK);
  }

  /** Converts a tick count to ns (QEMU: muldiv64(ticks, 1e9, freq)). */
  static ticksToNs(ticks: number): number {
    return ticks * NS_PER_TICK;
  }

  timer(name: string, onExpire: () => void): VirtualTimer {
    const t = new VirtualTimer(this, name, onExpire);
    this.timers.push(t);
    return t;
  }

  timersChanged(): void {
    this.deadlineDirty = true;
    this.onTimersChanged?.();
  }

  /** Earliest armed deadline in ns, or -1. */
  nextDeadlineNs(): number {
    if (this.deadlineDirty) {
      let best = -1;
      for (const t of this.timers) {
        if (t.deadlineNs >= 0 && (best < 0 || t.deadlineNs < best)) best = t.deadlineNs;
      }
      this.cachedDeadline = best;
      this.deadlineDirty = false;
    }
    return this.cachedDeadline;
  }

  /**
   * Instructions that may retire before the next deadline is reached (at least 1), or
   * `limit` when nothing is armed sooner. QEMU rounds the same way (icount_round).
   */
  insnsUntilDeadline(limit: number): number {
    const d = this.nextDeadlineNs();
    if (d < 0) return limit;
    const delta = d - this.nowNs();
    if (delta <= 0) return 0;
    const n = Math.ceil(delta / this.nsPerInsn);
    return n < limit ? n : limit;
  }

  /** Fires every timer whose deadline has passed, earliest first, ties in arming order. */
  runExpired(): boolean {
    const first = this.nextDeadlineNs();
    if (first < 0 || first > this.nowNs()) return false;
    let fired = false;
    for (;;) {
      const now = this.nowNs();
      let next: VirtualTimer | null = null;
      for (const t of this.timers) {
        if (t.deadlineNs >= 0 && t.deadlineNs <= now) {
          if (!next || t.deadlineNs < next.deadlineNs || (t.deadlineNs === next.deadlineNs && t.armedSeq < next.armedSeq)) {
            next = t;
          }
        }
      }
      if (!next) return fired;
      next.deadlineNs = -1;
      this.deadlineDirty = true;
      next.onExpire();
      fired = true;
    }
  }

  /** All harts are idle: jump virtual time to the next deadline (QEMU icount sleep=off). */
  warpToNextDeadline(): boolean {
    const d = this.nextDeadlineNs();
    if (d < 0) return false;
    const now = this.nowNs();
    if (d > now) this.idleNs += d - now;
    return true;
  }

  save(): { icount: number; idleNs: number; timers: Array<[string, number, number]>; nextArmSeq: number } {
    return {
      icount: this.icount,
      idleNs: this.idleNs,
      nextArmSeq: this.nextArmSeq,
      timers: this.timers.map((t) => [t.name, t.deadlineNs, t.armedSeq]),
    };
  }

  restore(s: ReturnType<VirtualClock['save']>): void {
    this.icount = s.icount;
    this.idleNs = s.idleNs;
    this.nextArmSeq = s.nextArmSeq;
    for (const [name, deadline, seq] of s.timers) {
      const t = this.timers.find((x) => x.name === name);
      if (!t) throw new Error(`checkpoint names timer "${name}" that this machine does not have`);
      t.deadlineNs = deadline;
      t.armedSeq = seq;
    }
    this.deadlineDirty = true;
  }
}
