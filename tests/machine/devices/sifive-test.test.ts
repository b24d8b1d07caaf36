import { describe, expect, it } from 'vitest';
import { SifiveTest, type FinishEvent } from '../../../src/machine/devices/sifive-test/device.ts';
import { FINISHER_PASS, FINISHER_RESET, finisherFail } from '../../../src/machine/devices/sifive-test/registers.ts';

function makeTest() {
  const events: FinishEvent[] = [];
  const dev = new SifiveTest({ onFinish: (ev) => events.push(ev) });
  return { dev, events };
}

describe('sifive,test finisher (QEMU hw/misc/sifive_test.c)', () => {
  it.each([
    [FINISHER_PASS, { kind: 'poweroff', code: 0 }],
    [FINISHER_RESET, { kind: 'reset', code: 0 }],
    [finisherFail(3), { kind: 'fail', code: 3 }],
    [finisherFail(0xffff), { kind: 'fail', code: 0xffff }],
    [0x3333, { kind: 'fail', code: 0 }], // QEMU exits with status 0 here
    [0x7777 | (5 << 16), { kind: 'reset', code: 0 }], // code bits only matter for FAIL
  ])('status word %i reports %o', (value, ev) => {
    const { dev, events } = makeTest();
    dev.write(0, 4, value >>> 0);
    expect(events).toEqual([ev]);
  });

  it('accepts a 16-bit write of the status', () => {
    const { dev, events } = makeTest();
    dev.write(0, 2, FINISHER_PASS);
    expect(events).toEqual([{ kind: 'poweroff', code: 0 }]);
  });

  it('ignores other values, other offsets and byte writes', () => {
    const { dev, events } = makeTest();
    dev.write(0, 4, 0x1234);
    dev.write(4, 4, FINISHER_PASS);
    dev.write(0, 1, 0x55);
    expect(events).toEqual([]);
    expect(dev.accessRule(0)).toEqual({ minSize: 2, maxSize: 4 });
  });

  it('reads as zero and has no state', () => {
    const { dev } = makeTest();
    expect(dev.read(0, 4)).toBe(0);
    expect(dev.size).toBe(0x1000);
    expect(dev.save()).toEqual({});
  });
});
