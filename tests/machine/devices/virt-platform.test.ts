import { describe, expect, it } from 'vitest';
import { Bus } from '../../../src/machine/bus.ts';
import { createVirtPlatform } from '../../../src/machine/devices/virt-platform.ts';
import { MIP_MTIP, MIP_SEIP } from '../../../src/machine/device.ts';
import { contextOffset, enableOffset, priorityOffset } from '../../../src/machine/devices/plic/registers.ts';
import type { FinishEvent } from '../../../src/machine/devices/sifive-test/device.ts';
import { FakePins, TestClock } from '../helpers.ts';

function makeMachine() {
  const clock = new TestClock();
  const pins = [new FakePins(), new FakePins()];
  const out: number[] = [];
  const finished: FinishEvent[] = [];
  const p = createVirtPlatform({
    clock,
    harts: pins,
    onTransmit: (b) => out.push(b),
    onFinish: (e) => finished.push(e),
    wallClockNs: () => 1_000_000_000n + BigInt(clock.nowNs()),
  });
  const bus = new Bus();
  for (const m of p.mappings) bus.add(m.base, m.device);
  const buf = new Int32Array(2);
  const rd = (pa: number, size: 1 | 2 | 4 | 8 = 4) => (bus.read(pa, size, buf) ? buf[0]! >>> 0 : null);
  const wr = (pa: number, v: number, size: 1 | 2 | 4 | 8 = 4) => bus.write(pa, size, v, 0);
  return { clock, pins, out, finished, p, bus, rd, wr };
}

describe('virt platform wiring', () => {
  it('maps every device at its QEMU address without overlaps', () => {
    const { p } = makeMachine();
    expect(p.mappings.map((m) => [m.device.name, m.base.toString(16), m.device.size.toString(16)])).toEqual([
      ['test', '100000', '1000'],
      ['rtc', '101000', '24'],
      ['clint', '2000000', 'c000'],
      ['plic', 'c000000', '600000'],
      ['uart0', '10000000', '8'],
      ...Array.from({ length: 8 }, (_, i) => [`virtio${i}`, (0x10001000 + i * 0x1000).toString(16), '200']),
    ]);
  });

  it('answers where QEMU answers and nowhere else (unassigned addresses fault)', () => {
    const { rd } = makeMachine();
    expect(rd(0x10000005, 1)).toBe(0x60); // UART LSR
    expect(rd(0x10000008, 1)).toBeNull(); // past the UART's 8 bytes
    expect(rd(0x10001000)).toBe(0x74726976);
    expect(rd(0x10001200)).toBeNull();
    expect(rd(0x101024)).toBeNull();
    expect(rd(0x200c000)).toBeNull(); // CLINT window beyond MTIMER
  });

  it('routes UART0 to PLIC source 10 and on to the hart S-mode external interrupt', () => {
    const { rd, wr, pins } = makeMachine();
    const plic = 0xc000000;
    wr(plic + priorityOffset(10), 1);
    wr(plic + enableOffset(1, 10), 1 << 10);
    wr(0x10000001, 0x02, 1); // IER.THRI
    expect(pins[0]!.has(MIP_SEIP)).toBe(true);
    expect(rd(plic + contextOffset(1) + 4)).toBe(10);
  });

  it('starts with MTIP pending and the finisher reports poweroff', () => {
    const { pins, wr, finished, out } = makeMachine();
    expect(pins.every((p) => p.has(MIP_MTIP))).toBe(true);
    wr(0x10000000, 0x4f, 1);
    expect(out).toEqual([0x4f]);
    wr(0x100000, 0x5555);
    expect(finished).toEqual([{ kind: 'poweroff', code: 0 }]);
  });

  it('a system reset clears device state but not the RTC time', () => {
    const { p, rd, wr, clock } = makeMachine();
    clock.advanceTo(10_000);
    wr(0x10000007, 0x99, 1);
    const before = rd(0x101000);
    p.reset();
    expect(rd(0x10000007, 1)).toBe(0);
    expect(rd(0x2000000 + 0xbff8)).toBe(0); // mtime restarts at 0
    expect(rd(0x101000)).toBe(before);
  });
});
