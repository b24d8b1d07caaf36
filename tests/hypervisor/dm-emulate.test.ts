// The exit -> emulation path as the core uses it: faulting instruction bits + GPA in,
// registers, pc, device state and events out.
import { describe, expect, it } from 'vitest';
import { DeviceModel } from '../../src/hypervisor/dm/device-model.ts';
import { emulateMmio } from '../../src/hypervisor/dm/mmio-emulate.ts';
import { NullNetPort } from '../../src/hypervisor/dm/net-port.ts';
import { MemoryBlockBackend } from '../../src/hypervisor/dm/block-backend.ts';
import * as NET from '../../src/hypervisor/dm/cvnet/registers.ts';
import * as BLK from '../../src/hypervisor/dm/cvblk/registers.ts';
import { fakeDomain, FakeVcpu } from './dm-harness.ts';

const UART = 0x10000000n;
const NIC = 0x10002000n; // slot 1: after one disk
const DISK = 0x10001000n;

// lw a0,0(a1) / lwu a0,0(a1) / lb a0,0(a1) / sw a2,0(a1) / sd a2,0(a1) / c.lw a0,0(a1) / c.sw a0,0(a1)
const LW = 0x0005a503;
const LWU = 0x0005e503;
const LB = 0x00058503;
const SB_A2 = 0x00c58023;
const SD_A2 = 0x00c5b023;
const C_LW = 0x4188;
const C_SW = 0xc188;
const FSD = 0x00a5b027; // fsd fa0,0(a1)
const AMOADD = 0x00b5202f;

function setup() {
  const dom = fakeDomain({ vcpus: 2 });
  // MAC byte 3 has its top bit set, so a signed 32-bit load of MAC_LO is negative.
  const mac = Uint8Array.of(0x02, 0x00, 0x00, 0x80, 0x00, 0x01);
  const dm = new DeviceModel(dom, { uart: true, disks: [new MemoryBlockBackend(4)], nics: [{ port: new NullNetPort(), mac }] });
  const cpu = new FakeVcpu(1, 1);
  return { dom, dm, cpu };
}

describe('emulateMmio', () => {
  it('a 32-bit load sign-extends into rd and skips 4 bytes', () => {
    const { dm, cpu, dom } = setup();
    const pc = cpu.pc;
    const r = emulateMmio(cpu, dm, NIC + BigInt(NET.REG_MAC_LO), LW);
    expect(r.kind).toBe('done');
    expect(cpu.x[10]).toBe(0xffffffff80000002n);
    expect(cpu.pc).toBe(pc + 4n);
    expect(dom.events.mmios()).toEqual([{ kind: 'mmio', domain: 1, vcpu: 1, dev: 3, offset: 0x10, size: 4, value: 0x80000002n, write: false }]);
  });

  it('lwu zero-extends; compressed c.lw skips 2 bytes', () => {
    const { dm, cpu } = setup();
    emulateMmio(cpu, dm, NIC + BigInt(NET.REG_MAC_LO), LWU);
    expect(cpu.x[10]).toBe(0x80000002n);
    const pc = cpu.pc;
    emulateMmio(cpu, dm, DISK + BigInt(BLK.REG_MAGIC), C_LW);
    expect(cpu.x[10]).toBe(BigInt(BLK.CVBLK_MAGIC));
    expect(cpu.pc).toBe(pc + 2n);
  });

  it('a byte store sends the low byte of rs2; lb reads it back sign-extended', () => {
    const { dm, cpu, dom } = setup();
    cpu.x[12] = 0x1234n | 0x80n; // a2 low byte 0xb4
    expect(emulateMmio(cpu, dm, UART + 7n, SB_A2)).toMatchObject({ kind: 'done', value: 0xb4n });
    expect(emulateMmio(cpu, dm, UART + 7n, LB)).toMatchObject({ kind: 'done', value: 0xb4n });
    expect(cpu.x[10]).toBe(0xffffffffffffffb4n);
    expect(dom.events.mmios().map((e) => [e.offset, e.size, e.value, e.write])).toEqual([
      [7, 1, 0xb4n, true],
      [7, 1, 0xb4n, false],
    ]);
  });

  it('sd writes a 64-bit LO/HI pair; c.sw stores a0', () => {
    const { dm, cpu } = setup();
    cpu.x[12] = 0x0000000280001000n;
    emulateMmio(cpu, dm, DISK + BigInt(BLK.REG_BUFFER_LO), SD_A2);
    expect(dm.access(DISK + BigInt(BLK.REG_BUFFER_HI), 4, false, 0n)).toEqual({ value: 2n });
    cpu.x[10] = 9n;
    emulateMmio(cpu, dm, DISK + BigInt(BLK.REG_COUNT), C_SW);
    expect(dm.access(DISK + BigInt(BLK.REG_COUNT), 4, false, 0n)).toEqual({ value: 9n });
  });

  it('a load into x0 performs the access (reads can have side effects) and writes nothing', () => {
    const { dm, cpu, dom } = setup();
    dm.consoleInput(new TextEncoder().encode('AB'));
    const lbZero = 0x00058003; // lb zero,0(a1)
    expect(emulateMmio(cpu, dm, UART, lbZero)).toMatchObject({ kind: 'done', value: 0x41n });
    expect(cpu.x[0]).toBe(0n);
    emulateMmio(cpu, dm, UART, LB);
    expect(cpu.x[10]).toBe(0x42n); // 'A' was consumed by the first load
    expect(dom.events.mmios()).toHaveLength(2);
  });

  it('FP and atomic accesses are refused with a message and change nothing', () => {
    const { dm, cpu, dom } = setup();
    const pc = cpu.pc;
    const r = emulateMmio(cpu, dm, UART, FSD);
    expect(r).toEqual({ kind: 'undecodable', message: expect.stringMatching(/^vCPU 1 at pc 0x80001000, guest-physical 0x10000000: fsd\s+fa0,0\(a1\): FP loads\/stores/) });
    expect(emulateMmio(cpu, dm, UART, AMOADD).kind).toBe('undecodable');
    expect(cpu.pc).toBe(pc);
    expect(dom.events.log).toEqual([]);
  });

  it('accesses no device accepts are refused with where and why, changing nothing', () => {
    const { dm, cpu, dom } = setup();
    cpu.x[10] = 0x5555n;
    const r1 = emulateMmio(cpu, dm, 0x30000000n, LW);
    expect(r1.kind === 'unmapped' && r1.message).toBe('4-byte load at guest-physical 0x30000000 (vCPU 1, pc 0x80001000): no device and no RAM at that address');
    const r2 = emulateMmio(cpu, dm, 0x0c000002n, LW);
    expect(r2.kind === 'unmapped' && r2.message).toMatch(/plic refuses it at offset 0x2 \(misaligned\)/);
    const r3 = emulateMmio(cpu, dm, DISK, LB);
    expect(r3.kind === 'unmapped' && r3.message).toMatch(/cvblk0 refuses it at offset 0x0 \(an access size it does not support\)/);
    expect(cpu.x[10]).toBe(0x5555n);
    expect(cpu.pc).toBe(0x80001000n);
    expect(dom.events.log).toEqual([]);
  });
});
