import { describe, expect, test } from 'vitest';
import { EID, SbiError } from '../../src/hypervisor/sbi/abi.ts';
import { fenceRange } from '../../src/hypervisor/sbi/rfence.ts';
import { call, fakeHost, MINUS_1 } from './sbi-fakes.ts';

describe('RFENCE (SBI v2.0 chapter 8)', () => {
  test('remote_fence_i flushes the named harts (§8.1)', () => {
    const fake = fakeHost();
    const r = call(fake, EID.RFENCE, 0, [0b101n, 0n]);
    expect([r.error, r.a1]).toEqual([0n, 0n]);
    expect(fake.log.fences).toEqual([{ kind: 'fence.i', harts: [0, 2] }]);
  });

  test('remote_sfence_vma with a range (§8.2)', () => {
    const fake = fakeHost();
    expect(call(fake, EID.RFENCE, 1, [0b10n, 0n, 0x4000_0000n, 0x2000n]).error).toBe(0n);
    expect(fake.log.fences).toEqual([{ kind: 'sfence.vma', harts: [1], range: { start: 0x4000_0000n, size: 0x2000n }, asid: null }]);
  });

  test('remote_sfence_vma_asid carries the ASID (§8.3)', () => {
    const fake = fakeHost();
    expect(call(fake, EID.RFENCE, 2, [0n, MINUS_1, 0n, 0n, 7n]).error).toBe(0n);
    expect(fake.log.fences).toEqual([{ kind: 'sfence.vma', harts: [0, 1, 2, 3], range: 'all', asid: 7n }]);
  });

  test.each([
    ['start 0 and size 0', 0n, 0n, 'all'],
    ['size 2^64-1 at any start', 0x1234n, MINUS_1, 'all'],
    ['a range ending exactly at 2^64', MINUS_1 - 0xfffn, 0x1000n, { start: MINUS_1 - 0xfffn, size: 0x1000n }],
    ['an empty range elsewhere', 0x1000n, 0n, { start: 0x1000n, size: 0n }],
    ['a range wrapping past 2^64', MINUS_1 - 0xfffn, 0x1001n, null],
  ])('range rule (§8): %s', (_name, start, size, want) => {
    expect(fenceRange(start, size)).toEqual(want);
  });

  test.each([1, 2])('FID %d: a wrapping range → SBI_ERR_INVALID_ADDRESS, no fence', (fid) => {
    const fake = fakeHost();
    expect(call(fake, EID.RFENCE, fid, [1n, 0n, MINUS_1, 2n, 0n]).error).toBe(SbiError.INVALID_ADDRESS);
    expect(fake.log.fences).toEqual([]);
  });

  test.each([0, 1, 2])('FID %d: a bad hart mask → SBI_ERR_INVALID_PARAM, no fence', (fid) => {
    const fake = fakeHost();
    expect(call(fake, EID.RFENCE, fid, [1n << 4n, 0n, 0n, 0n, 0n]).error).toBe(SbiError.INVALID_PARAM);
    expect(call(fake, EID.RFENCE, fid, [1n, 4n, 0n, 0n, 0n]).error).toBe(SbiError.INVALID_PARAM);
    expect(fake.log.fences).toEqual([]);
  });

  test.each([3, 4, 5, 6])('HFENCE FID %d → SBI_ERR_NOT_SUPPORTED: guests have no H extension (§8.4-8.7)', (fid) => {
    const fake = fakeHost();
    const r = call(fake, EID.RFENCE, fid, [1n, 0n, 0n, 0n, 1n]);
    expect(r.error).toBe(SbiError.NOT_SUPPORTED);
    expect(fake.log.fences).toEqual([]);
    expect(r.outcome.args).toHaveLength(fid === 3 || fid === 5 ? 5 : 4);
  });
});
