import { describe, expect, test } from 'vitest';
import { EID } from '../../src/hypervisor/sbi/abi.ts';
import { call, fakeHost, MINUS_1 } from './sbi-fakes.ts';

describe('TIME set_timer (SBI v2.0 §6.1)', () => {
  test('clears the caller\'s pending timer interrupt, then arms its timer', () => {
    const fake = fakeHost();
    const r = call(fake, EID.TIME, 0, [0x9_0000n], 3);
    expect([r.a0, r.a1]).toEqual([0n, 0n]);
    expect(fake.log.order).toEqual(['irq 3 6 false', 'timer 3']);
    expect(fake.log.timers).toEqual([{ hart: 3, stime: 0x9_0000n }]);
  });

  test('(uint64_t)-1 is passed through: no next event', () => {
    const fake = fakeHost();
    call(fake, EID.TIME, 0, [MINUS_1]);
    expect(fake.log.timers).toEqual([{ hart: 0, stime: MINUS_1 }]);
  });
});
