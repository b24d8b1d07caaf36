import { describe, expect, it } from 'vitest';
import { GoldfishRtc } from '../../../src/machine/devices/goldfish-rtc/device.ts';
import * as R from '../../../src/machine/devices/goldfish-rtc/registers.ts';
import { FakeIrq, TestClock } from '../helpers.ts';

const EPOCH_NS = 1_700_000_000_123_456_789n; // 2023-11-14, an arbitrary wall-clock start

function makeRtc() {
  const clock = new TestClock();
  const irq = new FakeIrq();
  // Wall clock that advances with virtual time, as the recorder's source does.
  let wallReads = 0;
  const wallClockNs = () => {
    wallReads++;
    return EPOCH_NS + BigInt(clock.nowNs());
  };
  const rtc = new GoldfishRtc({ irq, clock, wallClockNs });
  const rd = (off: number) => rtc.read(off, 4);
  const wr = (off: number, v: number) => rtc.write(off, 4, v);
  const time = () => BigInt(rd(R.RTC_TIME_LOW)) | (BigInt(rd(R.RTC_TIME_HIGH)) << 32n);
  return { clock, irq, rtc, rd, wr, time, reads: () => wallReads };
}

describe('goldfish RTC time', () => {
  it('reads the injected wall clock; TIME_LOW latches TIME_HIGH', () => {
    const { rd, clock, time, reads } = makeRtc();
    expect(time()).toBe(EPOCH_NS);
    expect(reads()).toBe(1); // TIME_HIGH comes from the latch, not a second read
    const lowBefore = rd(R.RTC_TIME_LOW);
    clock.advanceBy(2 ** 33); // the high half moves, but the latch does not until TIME_LOW
    expect(rd(R.RTC_TIME_HIGH)).toBe(Number(EPOCH_NS >> 32n));
    expect(lowBefore).toBe(Number(EPOCH_NS & 0xffffffffn));
  });

  it('writing TIME_LOW / TIME_HIGH sets the clock from then on', () => {
    const { wr, clock, time } = makeRtc();
    wr(R.RTC_TIME_HIGH, 0x10);
    wr(R.RTC_TIME_LOW, 0x20);
    expect(time()).toBe(0x10_0000_0020n);
    clock.advanceBy(1000);
    expect(time()).toBe(0x10_0000_0020n + 1000n);
  });
});

describe('goldfish RTC alarm', () => {
  it('an alarm in the past fires at once; the IRQ follows enable and clear', () => {
    const { wr, rd, irq } = makeRtc();
    wr(R.RTC_ALARM_HIGH, 0);
    wr(R.RTC_ALARM_LOW, 5); // long past
    expect(rd(R.RTC_ALARM_STATUS)).toBe(0);
    expect(irq.level).toBe(false); // not enabled yet
    wr(R.RTC_IRQ_ENABLED, 1);
    expect(irq.level).toBe(true);
    expect(rd(R.RTC_IRQ_ENABLED)).toBe(1);
    wr(R.RTC_CLEAR_INTERRUPT, 1);
    expect(irq.level).toBe(false);
  });

  it('a future alarm runs on virtual time and fires at its deadline', () => {
    const { wr, rd, irq, clock } = makeRtc();
    wr(R.RTC_IRQ_ENABLED, 1);
    const at = EPOCH_NS + 5000n;
    wr(R.RTC_ALARM_HIGH, Number(at >> 32n));
    wr(R.RTC_ALARM_LOW, Number(at & 0xffffffffn)); // only ALARM_LOW arms
    expect(rd(R.RTC_ALARM_STATUS)).toBe(1);
    expect(rd(R.RTC_ALARM_LOW)).toBe(Number(at & 0xffffffffn));
    expect(rd(R.RTC_ALARM_HIGH)).toBe(Number(at >> 32n));
    clock.advanceTo(4999);
    expect(irq.level).toBe(false);
    clock.advanceTo(5000);
    expect(irq.level).toBe(true);
    expect(rd(R.RTC_ALARM_STATUS)).toBe(0);
  });

  it('CLEAR_ALARM cancels a running alarm', () => {
    const { wr, rd, irq, clock } = makeRtc();
    wr(R.RTC_IRQ_ENABLED, 1);
    const at = EPOCH_NS + 100n;
    wr(R.RTC_ALARM_HIGH, Number(at >> 32n));
    wr(R.RTC_ALARM_LOW, Number(at & 0xffffffffn));
    wr(R.RTC_CLEAR_ALARM, 1);
    expect(rd(R.RTC_ALARM_STATUS)).toBe(0);
    clock.advanceBy(1000);
    expect(irq.level).toBe(false);
  });

  it('reset clears alarm and interrupt state but keeps the time offset', () => {
    const { wr, rd, rtc, time } = makeRtc();
    wr(R.RTC_TIME_LOW, 0);
    wr(R.RTC_IRQ_ENABLED, 1);
    wr(R.RTC_ALARM_LOW, 0);
    rtc.reset();
    expect(rd(R.RTC_IRQ_ENABLED)).toBe(0);
    expect(rd(R.RTC_ALARM_LOW)).toBe(0);
    expect(time() & 0xffffffffn).toBe(0n);
  });
});

describe('goldfish RTC bus interface', () => {
  it('decodes 0x24 bytes, 32-bit accesses only; unknown offsets read 0', () => {
    const { rtc } = makeRtc();
    expect(rtc.size).toBe(0x24);
    expect(rtc.accessRule(0)).toEqual({ minSize: 4, maxSize: 4 });
    expect(rtc.read(0x20, 4)).toBe(0);
    expect(rtc.read(0, 2)).toBe(0);
  });

  it('save/restore keeps offset, alarm and latched high half', () => {
    const a = makeRtc();
    a.wr(R.RTC_TIME_HIGH, 3);
    a.wr(R.RTC_IRQ_ENABLED, 1);
    a.rd(R.RTC_TIME_LOW);
    const snap = JSON.parse(JSON.stringify(a.rtc.save()));
    const b = makeRtc();
    b.rtc.restore(snap);
    expect(b.rd(R.RTC_TIME_HIGH)).toBe(3);
    expect(b.rd(R.RTC_IRQ_ENABLED)).toBe(1);
    expect(b.time()).toBe(a.time());
  });
});
