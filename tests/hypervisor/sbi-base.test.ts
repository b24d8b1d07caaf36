import { describe, expect, test } from 'vitest';
import { EID } from '../../src/hypervisor/sbi/abi.ts';
import { CHRONOVISOR_SBI_IMPL_ID, CHRONOVISOR_SBI_IMPL_VERSION, SBI_SPEC_VERSION } from '../../src/hypervisor/sbi/base.ts';
import { call, fakeHost, START_PC, U64 } from './sbi-fakes.ts';

describe('BASE (SBI v2.0 chapter 4)', () => {
  test('get_spec_version: 2.0, major in bits 30:24, bit 31 clear (§4.1)', () => {
    const r = call(fakeHost(), EID.BASE, 0);
    expect(r.a0).toBe(0n);
    expect(r.a1).toBe(0x0200_0000n);
    expect(SBI_SPEC_VERSION >>> 24).toBe(2);
    expect(SBI_SPEC_VERSION & 0xff_ffff).toBe(0);
  });

  test('get_impl_id is Chronovisor\'s "CHRN"; get_impl_version is 0.1 (§4.2, §4.3)', () => {
    expect(call(fakeHost(), EID.BASE, 1).a1).toBe(0x4348524en);
    expect(Buffer.from(CHRONOVISOR_SBI_IMPL_ID.toString(16), 'hex').toString('latin1')).toBe('CHRN');
    expect(call(fakeHost(), EID.BASE, 2).a1).toBe(BigInt(CHRONOVISOR_SBI_IMPL_VERSION));
    expect(CHRONOVISOR_SBI_IMPL_VERSION).toBe(0x0000_0001);
  });

  test('mvendorid, marchid, mimpid come from the host (§4.5-4.7)', () => {
    const fake = fakeHost();
    Object.assign(fake.host, { machineIds: { mvendorid: 0x489n, marchid: 0x8000_0000_0000_0007n, mimpid: 0x20181004n } });
    expect([4, 5, 6].map((fid) => call(fake, EID.BASE, fid))).toMatchObject([
      { a0: 0n, a1: 0x489n }, { a0: 0n, a1: 0x8000_0000_0000_0007n }, { a0: 0n, a1: 0x20181004n },
    ]);
  });

  test.each([
    ['BASE', EID.BASE, 1n],
    ['TIME', EID.TIME, 1n],
    ['IPI', EID.IPI, 1n],
    ['RFENCE', EID.RFENCE, 1n],
    ['HSM', EID.HSM, 1n],
    ['SRST', EID.SRST, 1n],
    ['DBCN', EID.DBCN, 1n],
    ['legacy set_timer', 0x00, 1n],
    ['legacy console_putchar', 0x01, 1n],
    ['legacy console_getchar', 0x02, 1n],
    ['legacy clear_ipi', 0x03, 0n],
    ['legacy send_ipi', 0x04, 0n],
    ['legacy remote_fence_i', 0x05, 0n],
    ['legacy remote_sfence_vma', 0x06, 0n],
    ['legacy remote_sfence_vma_asid', 0x07, 0n],
    ['legacy shutdown', 0x08, 1n],
    ['reserved legacy 0x09', 0x09, 0n],
    ['reserved legacy 0x0F', 0x0f, 0n],
    ['PMU', EID.PMU, 0n],
    ['SUSP', EID.SUSP, 0n],
    ['CPPC', 0x43505043, 0n],
    ['NACL', 0x4e41434c, 0n],
    ['STA', 0x535441, 0n],
    ['-1', U64, 0n],
    ['TIME with upper bits', (1n << 40n) | 0x54494d45n, 0n],
  ])('probe_extension(%s) = %d (§4.4)', (_name, eid, want) => {
    const r = call(fakeHost(), EID.BASE, 3, [BigInt(eid)]);
    expect(r.a0).toBe(0n);
    expect(r.a1).toBe(want);
    expect(r.outcome.args).toEqual([BigInt(eid) & U64]);
  });

  test('every BASE function succeeds and advances pc', () => {
    for (let fid = 0; fid <= 6; fid++) {
      const r = call(fakeHost(), EID.BASE, fid, [0x10n]);
      expect(r.a0).toBe(0n);
      expect(r.vcpu.pc).toBe(START_PC + 4n);
      expect(r.outcome.kind).toBe('continue');
    }
  });
});
