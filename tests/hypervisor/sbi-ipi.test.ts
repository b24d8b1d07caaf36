import { describe, expect, test } from 'vitest';
import { EID, SbiError } from '../../src/hypervisor/sbi/abi.ts';
import { call, fakeHost, MINUS_1 } from './sbi-fakes.ts';

describe('IPI send_ipi (SBI v2.0 §7.1) and hart masks (§3.1)', () => {
  const sent = (fake: ReturnType<typeof fakeHost>) => fake.log.irqs.map((i) => [i.vcpu, i.irq, i.level]);

  test.each([
    ['one hart', 0b10n, 0n, [1]],
    ['several harts', 0b1011n, 0n, [0, 1, 3]],
    ['a base offset', 0b11n, 2n, [2, 3]],
    ['base -1 means all harts, mask ignored', 0n, MINUS_1, [0, 1, 2, 3]],
    ['base -1 with a mask naming absent harts', 0xffn, MINUS_1, [0, 1, 2, 3]],
    ['an empty mask', 0n, 1n, []],
  ])('%s', (_name, mask, base, harts) => {
    const fake = fakeHost();
    const r = call(fake, EID.IPI, 0, [mask, base]);
    expect([r.error, r.a1]).toEqual([0n, 0n]);
    expect(sent(fake)).toEqual(harts.map((h) => [h, 2, true]));
  });

  test.each([
    ['a hart past the last vCPU', 0b10000n, 0n],
    ['base + bit past the last vCPU', 0b11n, 3n],
    ['a base past the last vCPU', 0b1n, 4n],
    ['a base past the last vCPU with an empty mask', 0n, 9n],
    ['bit 63', 1n << 63n, 0n],
    ['a huge base', 1n, MINUS_1 - 1n],
  ])('%s → SBI_ERR_INVALID_PARAM and no IPI at all', (_name, mask, base) => {
    const fake = fakeHost();
    const r = call(fake, EID.IPI, 0, [mask, base]);
    expect(r.error).toBe(SbiError.INVALID_PARAM);
    expect(fake.log.irqs).toEqual([]);
  });

  test('the sender may name itself', () => {
    const fake = fakeHost({ vcpus: 1 });
    expect(call(fake, EID.IPI, 0, [1n, 0n]).error).toBe(0n);
    expect(sent(fake)).toEqual([[0, 2, true]]);
  });
});
