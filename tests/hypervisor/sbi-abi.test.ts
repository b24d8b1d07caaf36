import { describe, expect, test } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { ALL_ONES, guestRamRange, hartMaskTargets, u32 } from '../../src/hypervisor/sbi/abi.ts';
import { RAM_BASE } from './sbi-fakes.ts';

const memory = { ramBase: RAM_BASE, ramBytes: 0x1000, read: () => true, write: () => true };

describe('hart list parameter (SBI v2.0 §3.1)', () => {
  fcTest.prop([fc.bigInt(0n, ALL_ONES), fc.bigInt(0n, 70n), fc.integer({ min: 1, max: 70 })])(
    'targets are exactly base + the set bits, when all are vCPUs',
    (mask, base, harts) => {
      const got = hartMaskTargets(mask, base, harts);
      const want: number[] = [];
      for (let i = 0n; i < 64n; i++) if ((mask >> i) & 1n) want.push(Number(base + i));
      const valid = base < BigInt(harts) && want.every((h) => h < harts);
      expect(got).toEqual(valid ? want : null);
    },
  );

  test('base -1 names every vCPU', () => {
    expect(hartMaskTargets(0n, ALL_ONES, 3)).toEqual([0, 1, 2]);
  });
});

describe('physical address ranges (SBI v2.0 §3.2)', () => {
  test.each([
    [RAM_BASE, 0n, 0x1000n, RAM_BASE],
    [RAM_BASE + 0xfffn, 0n, 1n, RAM_BASE + 0xfffn],
    [RAM_BASE + 0x1000n, 0n, 0n, RAM_BASE + 0x1000n],
    [RAM_BASE + 0x1000n, 0n, 1n, null],
    [RAM_BASE - 1n, 0n, 1n, null],
    [RAM_BASE, 1n, 1n, null],
    [RAM_BASE, 0n, ALL_ONES, null],
  ])('lo %#x hi %d bytes %#x → %s', (lo, hi, n, want) => {
    expect(guestRamRange(memory, lo, hi, n)).toBe(want);
  });
});

test('u32 keeps the low 32 bits of sign- and zero-extended values', () => {
  expect(u32(0xffff_ffff_8000_0000n)).toBe(0x8000_0000);
  expect(u32(0x8000_0000n)).toBe(0x8000_0000);
  expect(u32(ALL_ONES)).toBe(0xffff_ffff);
});
