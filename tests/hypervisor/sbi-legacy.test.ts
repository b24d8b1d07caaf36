import { describe, expect, test } from 'vitest';
import { SbiError } from '../../src/hypervisor/sbi/abi.ts';
import { call, fakeHost, sentinel, START_PC, U64 } from './sbi-fakes.ts';

// Legacy extensions (SBI v2.0 chapter 5): FID ignored, only a0 written, a1 preserved.
describe('legacy extensions', () => {
  test('0x00 set_timer clears VSTIP, arms the timer and returns 0 in a0 only (§5.1)', () => {
    const fake = fakeHost();
    const r = call(fake, 0x00, 77, [0x1234_5678n], 2);
    expect(r.a0).toBe(0n);
    expect(r.a1).toBe(sentinel(11));
    expect(r.vcpu.pc).toBe(START_PC + 4n);
    expect(fake.log.order).toEqual(['irq 2 6 false', 'timer 2']);
    expect(fake.log.timers).toEqual([{ hart: 2, stime: 0x1234_5678n }]);
    expect(r.outcome).toEqual({ ext: 0, fid: 0, args: [0x1234_5678n], error: 0n, value: 0n, kind: 'continue' });
  });

  test('0x01 console_putchar writes the low byte of ch (§5.2)', () => {
    const fake = fakeHost();
    const r = call(fake, 0x01, 0, [0x1_41n]);
    expect(fake.log.out).toBe('A');
    expect(r.a0).toBe(0n);
    expect(r.a1).toBe(sentinel(11));
  });

  test('0x02 console_getchar returns the next byte, then -1 when none waits (§5.3)', () => {
    const fake = fakeHost({ input: 'hi' });
    const got = [call(fake, 0x02, 0), call(fake, 0x02, 0), call(fake, 0x02, 0)];
    expect(got.map((r) => r.a0)).toEqual([0x68n, 0x69n, U64]);
    expect(got.map((r) => r.a1)).toEqual([sentinel(11), sentinel(11), sentinel(11)]);
    expect(got.map((r) => [r.outcome.error, r.outcome.value])).toEqual([[0n, 0x68n], [0n, 0x69n], [-1n, 0n]]);
  });

  test('0x02 returns bytes >= 0x80 as positive values', () => {
    const fake = fakeHost({ input: '\xff' });
    expect(call(fake, 0x02, 0).a0).toBe(0xffn);
  });

  test('0x08 shutdown asks the core for a system reset (shutdown, no reason) (§5.9)', () => {
    const r = call(fakeHost(), 0x08, 0);
    expect(r.outcome).toMatchObject({ kind: 'system-reset', type: 'shutdown', reason: 'none', ext: 8, error: 0n });
  });

  test.each([0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f])(
    'EID %d answers SBI_ERR_NOT_SUPPORTED in a0 only, with no side effect',
    (eid) => {
      const fake = fakeHost();
      const r = call(fake, eid, 0, [0x8000_0000n]); // a1 keeps its sentinel
      expect(r.error).toBe(SbiError.NOT_SUPPORTED);
      expect(r.a1).toBe(sentinel(11));
      expect(r.vcpu.pc).toBe(START_PC + 4n);
      expect(fake.log).toMatchObject({ irqs: [], timers: [], fences: [], out: '' });
      expect(r.outcome).toEqual({ ext: eid, fid: 0, args: [], error: -2n, value: 0n, kind: 'continue' });
    },
  );
});
