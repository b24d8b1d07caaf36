// CLINT of QEMU 7.2's virt machine: ACLINT MSWI + ACLINT MTIMER (hw/intc/riscv_aclint.c),
// driving mip.MSIP and mip.MTIP of each hart.
//
// Time: mtime = floor(virtual_ns * freq / 1e9) + time_delta (mod 2^64), where virtual_ns is
// the icount-derived clock (vtime.ts) and time_delta only changes when the guest writes mtime.
// The hart's `time` CSR reads the same counter (QEMU installs cpu_riscv_read_rtc as the rdtime
// hook), so `readTime()` is exported for the CSR.
//
// Timer arithmetic is QEMU's, in 64-bit unsigned: writing mtimecmp <= mtime raises MTIP at once
// (leaving any armed timer alone, as QEMU does); otherwise MTIP is lowered and a timer is armed
// at now_ns + muldiv64(cmp - mtime, 1e9, freq), saturated to INT64_MAX.

import type { AccessSize, HartInterruptPins, MmioDevice } from '../../device.ts';
import { MIP_MSIP, MIP_MTIP } from '../../device.ts';
import { TIMEBASE_HZ, type VirtualClock, type VirtualTimer } from '../../vtime.ts';
import { CLINT_DECODED_SIZE } from '../../memory-map.ts';
import { U32_MASK, U64_MASK, type AccessRule, type HasAccessRule } from '../access.ts';
import { INT64_MAX, MSWI_SIZE, MTIMECMP_BASE, MTIME_BASE, MTIMER_OFFSET, NS_PER_SECOND } from './registers.ts';

export interface ClintOptions {
  /** Device name for events and timer names ("clint"). */
  name?: string;
  clock: VirtualClock;
  /** One entry per hart, hart i = hartid i. */
  harts: readonly HartInterruptPins[];
  /** Timebase in Hz; QEMU's virt uses 10 MHz (RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ). */
  timebaseHz?: number;
}

/** Checkpoint state; 64-bit values as hex strings so the state stays JSON. */
export interface ClintState {
  timecmp: string[];
  timeDelta: string;
  msip: boolean[];
}

/** ACLINT MSWI accepts only 32-bit accesses (riscv_aclint_swi_ops.valid). */
const MSWI_ACCESS: AccessRule = Object.freeze({ minSize: 4, maxSize: 4 });
/** ACLINT MTIMER accepts 32- and 64-bit accesses (riscv_aclint_mtimer_ops.valid). */
const MTIMER_ACCESS: AccessRule = Object.freeze({ minSize: 4, maxSize: 8 });

export class Clint implements MmioDevice, HasAccessRule {
  readonly name: string;
  /** MSWI (0x4000) + MTIMER (0x8000); the rest of the 64 KiB window is unassigned in QEMU. */
  readonly size = CLINT_DECODED_SIZE;

  private readonly clock: VirtualClock;
  private readonly pins: readonly HartInterruptPins[];
  private readonly freq: bigint;
  private readonly fastTicks: boolean;
  private readonly timers: VirtualTimer[];
  private timecmp: bigint[];
  private timeDelta = 0n;
  private msip: boolean[];

  constructor(opts: ClintOptions) {
    this.name = opts.name ?? 'clint';
    this.clock = opts.clock;
    this.pins = opts.harts;
    const hz = opts.timebaseHz ?? TIMEBASE_HZ;
    if (!Number.isInteger(hz) || hz <= 0 || hz > 0xffffffff) {
      throw new RangeError(`CLINT timebase must be a positive 32-bit integer in Hz, got ${hz}`);
    }
    this.freq = BigInt(hz);
    this.fastTicks = 1e9 % hz === 0;
    this.timecmp = opts.harts.map(() => 0n);
    this.msip = opts.harts.map(() => false);
    this.timers = opts.harts.map((_, h) =>
      this.clock.timer(`${this.name}.mtimer.hart${h}`, () => this.pins[h]!.setPending(MIP_MTIP, true)),
    );
    this.reset();
  }

  /**
   * Device reset. ACLINT spec: MSIP registers clear; MTIME clears (QEMU writes 0 to mtime,
   * which re-evaluates every mtimecmp). mtimecmp keeps its value and starts at 0, so MTIP is
   * pending right after power-on, as `info registers` shows on QEMU (mip = 0x80).
   */
  reset(): void {
    for (let h = 0; h < this.pins.length; h++) this.writeMsip(h * 4, 0);
    this.writeMtimer(MTIME_BASE, 8, 0n);
  }

  /** The `time` CSR / mtime value: timebase ticks plus the guest's adjustment. */
  readTime(): bigint {
    return (this.rtcRaw() + this.timeDelta) & U64_MASK;
  }

  accessRule(offset: number): AccessRule {
    return offset < MSWI_SIZE ? MSWI_ACCESS : MTIMER_ACCESS;
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4 || offset % 4 !== 0) return 0;
    if (offset < MSWI_SIZE) return this.readMsip(offset);
    return Number(this.readMtimer(offset - MTIMER_OFFSET, 4));
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || offset % 4 !== 0) return;
    if (offset < MSWI_SIZE) this.writeMsip(offset, value);
    else this.writeMtimer(offset - MTIMER_OFFSET, 4, BigInt(value >>> 0));
  }

  read64(offset: number): bigint {
    if (offset < MSWI_SIZE || offset % 8 !== 0) return 0n;
    return this.readMtimer(offset - MTIMER_OFFSET, 8);
  }

  write64(offset: number, value: bigint): void {
    if (offset < MSWI_SIZE || offset % 8 !== 0) return;
    this.writeMtimer(offset - MTIMER_OFFSET, 8, value & U64_MASK);
  }

  save(): ClintState {
    return {
      timecmp: this.timecmp.map((v) => v.toString(16)),
      timeDelta: this.timeDelta.toString(16),
      msip: [...this.msip],
    };
  }

  restore(state: unknown): void {
    const s = state as ClintState;
    if (s.timecmp.length !== this.pins.length) {
      throw new Error(`checkpoint CLINT has ${s.timecmp.length} harts, this machine has ${this.pins.length}`);
    }
    this.timecmp = s.timecmp.map((v) => BigInt(`0x${v}`));
    this.timeDelta = BigInt(`0x${s.timeDelta}`);
    this.msip = [...s.msip];
  }

  /** floor(ns * freq / 1e9) (QEMU muldiv64), exact for any ns below 2^53. */
  private rtcRaw(): bigint {
    const ns = Math.floor(this.clock.nowNs());
    if (this.fastTicks) {
      const div = 1e9 / Number(this.freq);
      let q = Math.floor(ns / div);
      // Float division can round up across an integer boundary for very large ns.
      if (q * div > ns) q--;
      else if ((q + 1) * div <= ns) q++;
      return BigInt(q);
    }
    return (BigInt(ns) * this.freq) / NS_PER_SECOND;
  }

  private readMsip(offset: number): number {
    const h = offset >> 2;
    if (h >= this.pins.length || (offset & 3) !== 0) return 0;
    return this.msip[h] ? 1 : 0;
  }

  private writeMsip(offset: number, value: number): void {
    const h = offset >> 2;
    if (h >= this.pins.length || (offset & 3) !== 0) return;
    this.msip[h] = (value & 1) !== 0;
    this.pins[h]!.setPending(MIP_MSIP, this.msip[h]!);
  }

  private readMtimer(off: number, size: 4 | 8): bigint {
    const n = this.pins.length;
    if (off >= MTIMECMP_BASE && off < MTIMECMP_BASE + n * 8) {
      const cmp = this.timecmp[(off - MTIMECMP_BASE) >> 3]!;
      if ((off & 7) === 0) return size === 4 ? cmp & U32_MASK : cmp;
      if ((off & 7) === 4) return (cmp >> 32n) & U32_MASK;
      return 0n;
    }
    if (off === MTIME_BASE) {
      const rtc = this.readTime();
      return size === 4 ? rtc & U32_MASK : rtc;
    }
    if (off === MTIME_BASE + 4) return (this.readTime() >> 32n) & U32_MASK;
    return 0n;
  }

  private writeMtimer(off: number, size: 4 | 8, value: bigint): void {
    const n = this.pins.length;
    if (off >= MTIMECMP_BASE && off < MTIMECMP_BASE + n * 8) {
      const h = (off - MTIMECMP_BASE) >> 3;
      const old = this.timecmp[h]!;
      if ((off & 7) === 0) {
        this.writeTimecmp(h, size === 4 ? (old & ~U32_MASK & U64_MASK) | value : value);
      } else if ((off & 7) === 4 && size === 4) {
        this.writeTimecmp(h, ((value << 32n) | (old & U32_MASK)) & U64_MASK);
      }
      return;
    }
    if (off !== MTIME_BASE && off !== MTIME_BASE + 4) return;
    const rtcRaw = this.rtcRaw();
    const rtc = this.readTime();
    let wanted: bigint;
    if (off === MTIME_BASE) {
      wanted = size === 4 ? (rtc & ~U32_MASK & U64_MASK) | value : value;
    } else {
      if (size !== 4) return; // QEMU: invalid time_hi write, nothing re-evaluated
      wanted = ((value << 32n) | (rtc & U32_MASK)) & U64_MASK;
    }
    this.timeDelta = (wanted - rtcRaw) & U64_MASK;
    // A new mtime can put any hart's compare value in the past or future.
    for (let h = 0; h < n; h++) this.writeTimecmp(h, this.timecmp[h]!);
  }

  /** QEMU riscv_aclint_mtimer_write_timecmp. */
  private writeTimecmp(h: number, value: bigint): void {
    const rtc = this.readTime();
    this.timecmp[h] = value;
    const pins = this.pins[h]!;
    if (value <= rtc) {
      pins.setPending(MIP_MTIP, true);
      return;
    }
    pins.setPending(MIP_MTIP, false);
    const diff = value - rtc;
    const nsDiff = ((diff * NS_PER_SECOND) / this.freq) & U64_MASK;
    let next: bigint;
    if ((NS_PER_SECOND > this.freq && nsDiff < diff) || nsDiff > INT64_MAX) {
      next = INT64_MAX;
    } else {
      next = BigInt(Math.floor(this.clock.nowNs())) + nsDiff;
      if (next > INT64_MAX) next = INT64_MAX;
    }
    // Deadlines past 2^53 ns (285 years) lose precision as numbers; they never fire anyway.
    this.timers[h]!.mod(Number(next));
  }
}

/** The hart's `time` CSR hook: QEMU reads the same counter as MTIME (rdtime_fn). */
export function timeCsrReader(clint: Clint): () => bigint {
  return () => clint.readTime();
}
