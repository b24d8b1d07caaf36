import { describe, expect, test } from 'vitest';
import { EID, SbiError } from '../../src/hypervisor/sbi/abi.ts';
import { call, fakeHost } from './sbi-fakes.ts';

const SIGN = 0xffff_ffff_0000_0000n; // a uint32_t passed sign-extended (RV64 C ABI)

describe('SRST system_reset (SBI v2.0 §10.1)', () => {
  test.each([
    [0n, 0n, 'shutdown', 'none'],
    [1n, 0n, 'cold-reboot', 'none'],
    [2n, 0n, 'warm-reboot', 'none'],
    [0n, 1n, 'shutdown', 'system-failure'],
    [1n, 1n, 'cold-reboot', 'system-failure'],
  ])('type %d reason %d → %s (%s)', (type, reason, wantType, wantReason) => {
    const r = call(fakeHost(), EID.SRST, 0, [type, reason]);
    expect(r.outcome).toEqual({ ext: EID.SRST, fid: 0, args: [type, reason], error: 0n, value: 0n, kind: 'system-reset', type: wantType, reason: wantReason });
  });

  test.each([
    ['reserved type 3', 3n, 0n],
    ['reserved type 0xEFFFFFFF', SIGN | 0xefff_ffffn, 0n],
    ['vendor type 0xF0000000', SIGN | 0xf000_0000n, 0n],
    ['reserved reason 2', 0n, 2n],
    ['reserved reason 0xDFFFFFFF', 0n, SIGN | 0xdfff_ffffn],
    ['SBI-implementation reason 0xE0000000', 1n, SIGN | 0xe000_0000n],
    ['vendor reason 0xFFFFFFFF', 2n, SIGN | 0xffff_ffffn],
  ])('%s → SBI_ERR_INVALID_PARAM, the caller continues', (_name, type, reason) => {
    const r = call(fakeHost(), EID.SRST, 0, [type, reason]);
    expect(r.error).toBe(SbiError.INVALID_PARAM);
    expect(r.outcome.kind).toBe('continue');
  });

  test('only the low 32 bits of type and reason count (uint32_t parameters)', () => {
    expect(call(fakeHost(), EID.SRST, 0, [(1n << 32n) | 1n, 0n]).outcome).toMatchObject({ kind: 'system-reset', type: 'cold-reboot' });
  });
});
