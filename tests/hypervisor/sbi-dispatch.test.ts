import { describe, expect, test } from 'vitest';
import { EID, SbiError } from '../../src/hypervisor/sbi/abi.ts';
import { SBI_EXTENSIONS, sbiFunction } from '../../src/hypervisor/sbi/dispatch.ts';
import { call, fakeHost, sentinel, START_PC, U64 } from './sbi-fakes.ts';

describe('register convention (SBI v2.0 §3)', () => {
  test('a0 = error, a1 = value, pc + 4, every other register preserved', () => {
    const fake = fakeHost();
    const r = call(fake, EID.BASE, 0);
    expect(r.a0).toBe(0n);
    expect(r.a1).toBe(0x0200_0000n);
    expect(r.vcpu.pc).toBe(START_PC + 4n);
    for (let i = 1; i < 32; i++) if (i !== 10 && i !== 11 && i !== 16 && i !== 17) expect(r.vcpu.x[i]).toBe(sentinel(i));
    expect(r.vcpu.x[17]).toBe(BigInt(EID.BASE));
    expect(r.vcpu.x[16]).toBe(0n);
  });

  test('negative errors are written as unsigned 64-bit two\'s complement', () => {
    const r = call(fakeHost(), 0x1234_5678, 0);
    expect(r.a0).toBe(U64 - 1n); // -2
    expect(r.error).toBe(SbiError.NOT_SUPPORTED);
    expect(r.a1).toBe(0n);
  });

  test('the outcome carries the sbi event fields and the action', () => {
    const fake = fakeHost();
    const r = call(fake, EID.TIME, 0, [1234n, 99n, 98n]);
    expect(r.outcome).toEqual({ ext: EID.TIME, fid: 0, args: [1234n], error: 0n, value: 0n, kind: 'continue' });
  });

  test('args logged are exactly the ones the function reads', () => {
    const fake = fakeHost();
    expect(call(fake, EID.HSM, 2, [1n, 7n, 8n]).outcome.args).toEqual([1n]);
    expect(call(fake, EID.RFENCE, 2, [1n, 0n, 0x1000n, 0x1000n, 5n, 6n]).outcome.args).toEqual([1n, 0n, 0x1000n, 0x1000n, 5n]);
    expect(call(fake, EID.BASE, 1, [1n, 2n]).outcome.args).toEqual([]);
  });
});

describe('unknown extensions and functions answer SBI_ERR_NOT_SUPPORTED (§3)', () => {
  test.each([
    ['PMU', EID.PMU, 0],
    ['SUSP', EID.SUSP, 0],
    ['an experimental EID', 0x0800_0000, 0],
    ['a vendor EID', 0x0900_0000, 0],
    ['a firmware EID', 0x0a00_0000, 0],
    ['BASE FID 7', EID.BASE, 7],
    ['TIME FID 1', EID.TIME, 1],
    ['IPI FID 1', EID.IPI, 1],
    ['RFENCE FID 7', EID.RFENCE, 7],
    ['HSM FID 4', EID.HSM, 4],
    ['SRST FID 1', EID.SRST, 1],
    ['DBCN FID 3', EID.DBCN, 3],
    ['an FID with upper bits', EID.BASE, 1n << 32n],
    ['a negative FID', EID.BASE, U64],
  ])('%s', (_name, eid, fid) => {
    const r = call(fakeHost(), eid, fid, [1n, 2n, 3n]);
    expect(r.error).toBe(SbiError.NOT_SUPPORTED);
    expect(r.a1).toBe(0n);
    expect(r.vcpu.pc).toBe(START_PC + 4n);
    expect(r.outcome).toMatchObject({ kind: 'continue', args: [], error: -2n, value: 0n });
  });

  test('an EID is the whole a7: stray upper bits name no extension', () => {
    const r = call(fakeHost(), (1n << 32n) | BigInt(EID.BASE), 0);
    expect(r.error).toBe(SbiError.NOT_SUPPORTED);
    expect(r.outcome.ext).toBe(EID.BASE); // logged as the low 32 bits
  });
});

describe('the extension table', () => {
  test('lists exactly what Chronovisor implements, in EID order', () => {
    expect(SBI_EXTENSIONS.map((e) => e.eid)).toEqual([0x00, 0x01, 0x02, 0x08, 0x10, EID.HSM, EID.IPI, EID.DBCN, EID.RFENCE, EID.SRST, EID.TIME]);
  });

  test('function lookups follow the spec\'s function listings', () => {
    const names = (eid: number, n: number) => Array.from({ length: n }, (_, fid) => sbiFunction(BigInt(eid), BigInt(fid))?.name);
    expect(names(EID.BASE, 8)).toEqual([
      'sbi_get_spec_version', 'sbi_get_impl_id', 'sbi_get_impl_version', 'sbi_probe_extension',
      'sbi_get_mvendorid', 'sbi_get_marchid', 'sbi_get_mimpid', undefined,
    ]);
    expect(names(EID.RFENCE, 8)).toEqual([
      'sbi_remote_fence_i', 'sbi_remote_sfence_vma', 'sbi_remote_sfence_vma_asid', 'sbi_remote_hfence_gvma_vmid',
      'sbi_remote_hfence_gvma', 'sbi_remote_hfence_vvma_asid', 'sbi_remote_hfence_vvma', undefined,
    ]);
    expect(names(EID.HSM, 5)).toEqual(['sbi_hart_start', 'sbi_hart_stop', 'sbi_hart_get_status', 'sbi_hart_suspend', undefined]);
    expect(names(EID.DBCN, 4)).toEqual(['sbi_debug_console_write', 'sbi_debug_console_read', 'sbi_debug_console_write_byte', undefined]);
    // legacy EIDs ignore the FID
    expect(sbiFunction(1n, 12345n)?.name).toBe('sbi_console_putchar');
  });
});
