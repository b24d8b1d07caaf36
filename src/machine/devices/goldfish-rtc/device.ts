// Goldfish RTC as in QEMU 7.2 (Debian 7.2.22) hw/rtc/goldfish_rtc.c.
//
// The count is tick_offset + wall-clock ns. The wall clock is an injected source because the
// recorder logs every read of it as an external input; this file never reads host time.
// Reading TIME_LOW latches the high half, so TIME_LOW then TIME_HIGH is one coherent 64-bit
// value (the documented read order).
//
// QEMU runs the alarm timer on its rtc clock (the host clock by default). We run it on the
// virtual clock, assuming the source advances with virtual time between reads; that is what
// QEMU does with `-rtc clock=vm`, and the only choice that keeps replays deterministic.

import type { AccessSize, IrqLine, MmioDevice } from '../../device.ts';
import type { VirtualClock, VirtualTimer } from '../../vtime.ts';
import { RTC_DECODED_SIZE } from '../../memory-map.ts';
import { U32_MASK, U64_MASK, type AccessRule, type HasAccessRule } from '../access.ts';
import * as R from './registers.ts';

export interface GoldfishRtcOptions {
  name?: string;
  irq: IrqLine;
  clock: VirtualClock;
  /** Wall-clock time in ns since the Unix epoch; called on every access that needs "now". */
  wallClockNs: () => bigint;
}

/** Checkpoint state; 64-bit values as hex strings. */
export interface GoldfishRtcState {
  tickOffset: string;
  alarmNext: string;
  alarmRunning: boolean;
  irqPending: boolean;
  irqEnabled: boolean;
  timeHigh: number;
}

/** goldfish_rtc_ops.valid: aligned 32-bit accesses only. */
const RTC_ACCESS: AccessRule = Object.freeze({ minSize: 4, maxSize: 4 });

export class GoldfishRtc implements MmioDevice, HasAccessRule {
  readonly name: string;
  /** QEMU maps 0x24 bytes of the 0x1000 window. */
  readonly size = RTC_DECODED_SIZE;

  private readonly irq: IrqLine;
  private readonly clock: VirtualClock;
  private readonly wallClockNs: () => bigint;
  private readonly alarm: VirtualTimer;
  private tickOffset = 0n;
  private alarmNext = 0n;
  private alarmRunning = false;
  private irqPending = false;
  private irqEnabled = false;
  private timeHigh = 0;

  constructor(opts: GoldfishRtcOptions) {
    this.name = opts.name ?? 'rtc';
    this.irq = opts.irq;
    this.clock = opts.clock;
    this.wallClockNs = opts.wallClockNs;
    this.alarm = opts.clock.timer(`${this.name}.alarm`, () => this.alarmFired());
  }

  /** Device reset (QEMU goldfish_rtc_reset): alarm and interrupt state clear, time kept. */
  reset(): void {
    this.alarm.del();
    this.alarmNext = 0n;
    this.alarmRunning = false;
    this.irqPending = false;
    this.irqEnabled = false;
  }

  accessRule(_offset: number): AccessRule {
    return RTC_ACCESS;
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4 || offset % 4 !== 0) return 0;
    switch (offset) {
      case R.RTC_TIME_LOW: {
        const now = this.count();
        this.timeHigh = Number(now >> 32n);
        return Number(now & U32_MASK);
      }
      case R.RTC_TIME_HIGH:
        return this.timeHigh;
      case R.RTC_ALARM_LOW:
        return Number(this.alarmNext & U32_MASK);
      case R.RTC_ALARM_HIGH:
        return Number(this.alarmNext >> 32n);
      case R.RTC_IRQ_ENABLED:
        return this.irqEnabled ? 1 : 0;
      case R.RTC_ALARM_STATUS:
        return this.alarmRunning ? 1 : 0;
      default:
        return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || offset % 4 !== 0) return;
    const v = BigInt(value >>> 0);
    switch (offset) {
      case R.RTC_TIME_LOW:
      case R.RTC_TIME_HIGH: {
        // Setting either half moves the offset so the count reads the new value from now on.
        const current = this.count();
        const wanted =
          offset === R.RTC_TIME_LOW ? (current & ~U32_MASK) | v : (current & U32_MASK) | (v << 32n);
        this.tickOffset = (this.tickOffset + wanted - current) & U64_MASK;
        return;
      }
      case R.RTC_ALARM_LOW:
        this.alarmNext = (this.alarmNext & ~U32_MASK) | v;
        this.setAlarm();
        return;
      case R.RTC_ALARM_HIGH:
        // Only a write to ALARM_LOW arms the alarm.
        this.alarmNext = (this.alarmNext & U32_MASK) | (v << 32n);
        return;
      case R.RTC_IRQ_ENABLED:
        this.irqEnabled = (value & 1) !== 0;
        this.updateIrq();
        return;
      case R.RTC_CLEAR_ALARM:
        this.clearAlarm();
        return;
      case R.RTC_CLEAR_INTERRUPT:
        this.irqPending = false;
        this.updateIrq();
        return;
      default:
        return;
    }
  }

  save(): GoldfishRtcState {
    return {
      tickOffset: this.tickOffset.toString(16),
      alarmNext: this.alarmNext.toString(16),
      alarmRunning: this.alarmRunning,
      irqPending: this.irqPending,
      irqEnabled: this.irqEnabled,
      timeHigh: this.timeHigh,
    };
  }

  restore(state: unknown): void {
    const s = state as GoldfishRtcState;
    this.tickOffset = BigInt(`0x${s.tickOffset}`);
    this.alarmNext = BigInt(`0x${s.alarmNext}`);
    this.alarmRunning = s.alarmRunning;
    this.irqPending = s.irqPending;
    this.irqEnabled = s.irqEnabled;
    this.timeHigh = s.timeHigh;
  }

  private count(): bigint {
    return (this.tickOffset + this.wallClockNs()) & U64_MASK;
  }

  private updateIrq(): void {
    this.irq.set(this.irqPending && this.irqEnabled);
  }

  private clearAlarm(): void {
    this.alarm.del();
    this.alarmRunning = false;
  }

  /** An alarm at or before now fires at once; a later one is armed (goldfish_rtc_set_alarm). */
  private setAlarm(): void {
    const ticks = this.count();
    if (this.alarmNext <= ticks) {
      this.clearAlarm();
      this.alarmFired();
      return;
    }
    const delta = this.alarmNext - ticks;
    const deadline = this.clock.nowNs() + Number(delta);
    this.alarm.mod(Math.min(deadline, 2 ** 63));
    this.alarmRunning = true;
  }

  private alarmFired(): void {
    this.alarmRunning = false;
    this.irqPending = true;
    this.updateIrq();
  }
}
