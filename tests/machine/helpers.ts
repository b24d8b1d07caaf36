// Test doubles for the device contract: interrupt pins and lines that record what devices do.

import type { HartInterruptPins, IrqLine } from '../../src/machine/device.ts';
import { VirtualClock } from '../../src/machine/vtime.ts';

/** A hart's mip inputs; `mip` holds the current levels, `log` every call in order. */
export class FakePins implements HartInterruptPins {
  mip = 0;
  readonly log: Array<[bit: number, level: boolean]> = [];
  setPending(bit: number, level: boolean): void {
    this.log.push([bit, level]);
    if (level) this.mip |= 1 << bit;
    else this.mip &= ~(1 << bit);
  }
  has(bit: number): boolean {
    return (this.mip & (1 << bit)) !== 0;
  }
}

/** An interrupt line that remembers its level and every call (QEMU calls repeat levels). */
export class FakeIrq implements IrqLine {
  level = false;
  readonly calls: boolean[] = [];
  set(level: boolean): void {
    this.level = level;
    this.calls.push(level);
  }
}

/** A virtual clock at shift 0 (1 ns per instruction) with helpers to move time. */
export class TestClock extends VirtualClock {
  constructor() {
    super(0);
  }
  /** Jumps to an absolute virtual time in ns and fires expired timers. */
  advanceTo(ns: number): void {
    this.icount = ns - this.idleNs;
    this.runExpired();
  }
  advanceBy(ns: number): void {
    this.advanceTo(this.nowNs() + ns);
  }
}
