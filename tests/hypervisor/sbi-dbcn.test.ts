import { describe, expect, test } from 'vitest';
import { EID, SbiError } from '../../src/hypervisor/sbi/abi.ts';
import { DBCN_MAX_BYTES } from '../../src/hypervisor/sbi/dbcn.ts';
import { call, fakeHost, MINUS_1, RAM_BASE, RAM_BYTES } from './sbi-fakes.ts';

const END = RAM_BASE + BigInt(RAM_BYTES);
const BUF = RAM_BASE + 0x1000n;

describe('console_write (SBI v2.0 §12.1)', () => {
  test('writes num_bytes from guest-physical memory and returns the count', () => {
    const fake = fakeHost();
    fake.ram.set(Buffer.from('hello, world'), 0x1000);
    const r = call(fake, EID.DBCN, 0, [12n, BUF, 0n]);
    expect([r.a0, r.a1]).toEqual([0n, 12n]);
    expect(fake.log.out).toBe('hello, world');
  });

  test('a buffer ending exactly at the end of RAM is fine', () => {
    const fake = fakeHost();
    fake.ram.set(Buffer.from('!'), RAM_BYTES - 1);
    expect(call(fake, EID.DBCN, 0, [1n, END - 1n, 0n]).a1).toBe(1n);
    expect(fake.log.out).toBe('!');
  });

  test('zero bytes: success, nothing written', () => {
    const fake = fakeHost();
    expect([call(fake, EID.DBCN, 0, [0n, BUF, 0n]).a0, fake.log.out]).toEqual([0n, '']);
  });

  test(`a long buffer is written in part (at most ${DBCN_MAX_BYTES} bytes) and the count says so`, () => {
    const fake = fakeHost();
    fake.ram.fill(0x61);
    const r = call(fake, EID.DBCN, 0, [BigInt(RAM_BYTES), RAM_BASE, 0n]);
    expect([r.a0, r.a1]).toEqual([0n, BigInt(DBCN_MAX_BYTES)]);
    expect(fake.log.out).toHaveLength(DBCN_MAX_BYTES);
  });

  test.each([
    ['below RAM', 4n, RAM_BASE - 2n, 0n],
    ['running past the end of RAM', 2n, END - 1n, 0n],
    ['starting at the end of RAM', 1n, END, 0n],
    ['base_addr_hi set', 1n, BUF, 1n],
    ['a huge num_bytes', MINUS_1, BUF, 0n],
    ['an MMIO address', 1n, 0x1000_0000n, 0n],
  ])('%s → SBI_ERR_INVALID_PARAM, nothing written', (_name, n, lo, hi) => {
    const fake = fakeHost();
    const r = call(fake, EID.DBCN, 0, [n, lo, hi]);
    expect(r.error).toBe(SbiError.INVALID_PARAM);
    expect(r.a1).toBe(0n);
    expect(fake.log.out).toBe('');
  });
});

describe('console_read (SBI v2.0 §12.2)', () => {
  test('reads waiting input into guest memory, up to num_bytes', () => {
    const fake = fakeHost({ input: 'abcdef' });
    const r = call(fake, EID.DBCN, 1, [4n, BUF, 0n]);
    expect([r.a0, r.a1]).toEqual([0n, 4n]);
    expect(Buffer.from(fake.ram.subarray(0x1000, 0x1006)).toString()).toBe('abcd\0\0');
    expect(call(fake, EID.DBCN, 1, [4n, BUF, 0n]).a1).toBe(2n);
  });

  test('no input: returns 0 and leaves memory alone', () => {
    const fake = fakeHost();
    fake.ram.fill(0x77, 0x1000, 0x1010);
    const r = call(fake, EID.DBCN, 1, [16n, BUF, 0n]);
    expect([r.a0, r.a1]).toEqual([0n, 0n]);
    expect(fake.ram.subarray(0x1000, 0x1010).every((b) => b === 0x77)).toBe(true);
  });

  test.each([
    ['running past the end of RAM', 8n, END - 4n, 0n],
    ['base_addr_hi set', 1n, BUF, 0x8000_0000n],
    ['below RAM', 1n, 0n, 0n],
  ])('%s → SBI_ERR_INVALID_PARAM and no input consumed', (_name, n, lo, hi) => {
    const fake = fakeHost({ input: 'x' });
    expect(call(fake, EID.DBCN, 1, [n, lo, hi]).error).toBe(SbiError.INVALID_PARAM);
    expect(fake.log.input).toEqual([0x78]);
  });
});

describe('console_write_byte (SBI v2.0 §12.3)', () => {
  test('writes the low 8 bits of a0; value is 0', () => {
    const fake = fakeHost();
    const r = call(fake, EID.DBCN, 2, [0xabc_0a_4bn]);
    expect([r.a0, r.a1]).toEqual([0n, 0n]);
    expect(fake.log.out).toBe('K');
  });
});
