import { describe, expect, it } from 'vitest';
import { Clint, timeCsrReader } from '../../../src/machine/devices/clint/device.ts';
import { CLINT_MSIP, CLINT_MTIME, CLINT_MTIMECMP } from '../../../src/machine/devices/clint/registers.ts';
import { MIP_MSIP, MIP_MTIP } from '../../../src/machine/device.ts';
import { FakePins, TestClock } from '../helpers.ts';

function makeClint(harts = 2) {
  const clock = new TestClock();
  const pins = Array.from({ length: harts }, () => new FakePins());
  const clint = new Clint({ clock, harts: pins });
  return { clock, pins, clint };
}

const MAX64 = 0xffffffffffffffffn;

describe('CLINT reset (ACLINT reset + QEMU power-on)', () => {
  it('starts with mtime 0, mtimecmp 0 and so MTIP pending on every hart (QEMU mip = 0x80)', () => {
    const { clint, pins } = makeClint();
    expect(clint.read64(CLINT_MTIME)).toBe(0n);
    expect(clint.read64(CLINT_MTIMECMP)).toBe(0n);
    for (const p of pins) {
      expect(p.has(MIP_MTIP)).toBe(true);
      expect(p.has(MIP_MSIP)).toBe(false);
    }
  });

  it('a later reset zeroes mtime and re-evaluates the kept mtimecmp values', () => {
    const { clint, clock, pins } = makeClint(1);
    clock.advanceTo(1_000_000);
    clint.write64(CLINT_MTIMECMP, 5000n); // rtc is 10000: in the past
    expect(pins[0]!.has(MIP_MTIP)).toBe(true);
    clint.reset();
    expect(clint.readTime()).toBe(0n);
    expect(clint.read64(CLINT_MTIMECMP)).toBe(5000n);
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
  });
});

describe('CLINT mtime', () => {
  it('counts floor(ns / 100) at 10 MHz', () => {
    const { clint, clock } = makeClint();
    clock.advanceTo(12_399);
    expect(clint.read64(CLINT_MTIME)).toBe(123n);
    expect(clint.read(CLINT_MTIME, 4)).toBe(123);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(0);
    clock.advanceTo(12_400);
    expect(clint.readTime()).toBe(124n);
  });

  it('stays exact for very large virtual times', () => {
    const { clint, clock } = makeClint();
    const ns = 2 ** 53 - 1; // largest exact ns
    clock.advanceTo(ns);
    expect(clint.readTime()).toBe(BigInt(ns) / 100n);
  });

  it('writes move time_delta; 32-bit halves combine with the current value', () => {
    const { clint, clock } = makeClint();
    clock.advanceTo(250); // raw 2
    clint.write64(CLINT_MTIME, 0x1_0000_0000n);
    expect(clint.readTime()).toBe(0x1_0000_0000n);
    clock.advanceTo(550); // raw 5
    expect(clint.readTime()).toBe(0x1_0000_0003n);
    clint.write(CLINT_MTIME, 4, 0x10);
    expect(clint.readTime()).toBe(0x1_0000_0010n);
    clint.write(CLINT_MTIME + 4, 4, 7);
    expect(clint.readTime()).toBe(0x7_0000_0010n);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(7);
  });

  it('the time CSR reads the same counter', () => {
    const { clint, clock } = makeClint();
    const csr = timeCsrReader(clint);
    clock.advanceTo(99_999);
    clint.write64(CLINT_MTIME, 42n);
    clock.advanceBy(300);
    expect(csr()).toBe(45n);
    expect(csr()).toBe(clint.read64(CLINT_MTIME));
  });

  it('a write of mtime re-evaluates every hart (past compare raises MTIP)', () => {
    const { clint, pins } = makeClint();
    clint.write64(CLINT_MTIMECMP, 1000n);
    clint.write64(CLINT_MTIMECMP + 8, 5000n);
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
    expect(pins[1]!.has(MIP_MTIP)).toBe(false);
    clint.write64(CLINT_MTIME, 2000n);
    expect(pins[0]!.has(MIP_MTIP)).toBe(true);
    expect(pins[1]!.has(MIP_MTIP)).toBe(false);
  });

  it('ignores a 64-bit write to the high half', () => {
    const { clint } = makeClint();
    clint.write64(CLINT_MTIME + 4, 99n); // misaligned for 8 bytes: QEMU faults
    expect(clint.readTime()).toBe(0n);
  });
});

describe('CLINT mtimecmp (QEMU riscv_aclint_mtimer_write_timecmp)', () => {
  it('arms the timer at write time + (cmp - mtime) * 100 ns, not at the tick boundary', () => {
    const { clint, clock, pins } = makeClint();
    clock.advanceTo(250); // mtime 2
    clint.write64(CLINT_MTIMECMP, 10n);
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
    clock.advanceTo(1049); // mtime already 10, but QEMU's deadline is 250 + 800
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
    clock.advanceTo(1050);
    expect(pins[0]!.has(MIP_MTIP)).toBe(true);
    expect(pins[1]!.has(MIP_MTIP)).toBe(true); // hart 1 still at its reset compare of 0
  });

  it('raises MTIP immediately for a compare value <= mtime', () => {
    const { clint, clock, pins } = makeClint();
    clint.write64(CLINT_MTIMECMP, 100n);
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
    clock.advanceTo(5000); // mtime 50; the deadline is 100 ticks = 10000 ns
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
    clint.write64(CLINT_MTIMECMP, 50n);
    expect(pins[0]!.has(MIP_MTIP)).toBe(true);
  });

  it('supports the RV32-style hi/lo update sequence', () => {
    const { clint, pins } = makeClint(1);
    clint.write(CLINT_MTIMECMP + 4, 4, 0xffffffff);
    expect(clint.read64(CLINT_MTIMECMP)).toBe(0xffffffff_00000000n);
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
    clint.write(CLINT_MTIMECMP, 4, 0x1234);
    clint.write(CLINT_MTIMECMP + 4, 4, 0);
    expect(clint.read64(CLINT_MTIMECMP)).toBe(0x1234n);
    expect(clint.read(CLINT_MTIMECMP, 4)).toBe(0x1234);
    expect(clint.read(CLINT_MTIMECMP + 4, 4)).toBe(0);
  });

  it('saturates far-future deadlines to INT64_MAX ns (never fires)', () => {
    const { clint, clock, pins } = makeClint(1);
    clint.write64(CLINT_MTIMECMP, MAX64);
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
    expect(clock.nextDeadlineNs()).toBe(2 ** 63);
    clock.advanceTo(2 ** 52);
    expect(pins[0]!.has(MIP_MTIP)).toBe(false);
  });

  it('keeps a stale timer armed after a past write, as QEMU does', () => {
    const { clint, clock } = makeClint(1);
    clint.write64(CLINT_MTIMECMP, 10n); // armed at 1000 ns
    clint.write64(CLINT_MTIMECMP, 0n); // past: raise, timer left alone
    expect(clock.nextDeadlineNs()).toBe(1000);
  });
});

describe('CLINT msip (ACLINT MSWI)', () => {
  it('bit 0 of each hart word drives that hart MSIP and reads back', () => {
    const { clint, pins } = makeClint();
    clint.write(CLINT_MSIP + 4, 4, 0xffffffff);
    expect(pins[1]!.has(MIP_MSIP)).toBe(true);
    expect(pins[0]!.has(MIP_MSIP)).toBe(false);
    expect(clint.read(CLINT_MSIP + 4, 4)).toBe(1);
    clint.write(CLINT_MSIP + 4, 4, 2);
    expect(pins[1]!.has(MIP_MSIP)).toBe(false);
    expect(clint.read(CLINT_MSIP + 4, 4)).toBe(0);
  });

  it('ignores harts that do not exist and non-32-bit accesses', () => {
    const { clint, pins } = makeClint();
    clint.write(CLINT_MSIP + 8, 4, 1);
    expect(clint.read(CLINT_MSIP + 8, 4)).toBe(0);
    clint.write(CLINT_MSIP, 1, 1);
    expect(pins[0]!.has(MIP_MSIP)).toBe(false);
    expect(clint.accessRule(0)).toEqual({ minSize: 4, maxSize: 4 });
    expect(clint.accessRule(0x4000)).toEqual({ minSize: 4, maxSize: 8 });
    expect(clint.read64(CLINT_MSIP)).toBe(0n);
  });
});

describe('CLINT checkpoints', () => {
  it('save/restore keeps compare values, time offset and msip', () => {
    const a = makeClint();
    a.clock.advanceTo(777);
    a.clint.write64(CLINT_MTIME, 0xdead_beef_0000n);
    a.clint.write64(CLINT_MTIMECMP + 8, MAX64);
    a.clint.write(CLINT_MSIP, 4, 1);
    const snap = JSON.parse(JSON.stringify(a.clint.save()));
    const b = makeClint();
    b.clock.advanceTo(777);
    b.clint.restore(snap);
    expect(b.clint.readTime()).toBe(a.clint.readTime());
    expect(b.clint.read64(CLINT_MTIMECMP + 8)).toBe(MAX64);
    expect(b.clint.read(CLINT_MSIP, 4)).toBe(1);
    expect(() => makeClint(3).clint.restore(snap)).toThrow(/2 harts/);
  });
});
