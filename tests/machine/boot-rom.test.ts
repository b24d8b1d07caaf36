import { describe, expect, it } from 'vitest';
import {
  FW_DYNAMIC_INFO_ADDR,
  buildMrom,
  fdtLoadAddress,
  fwDynamicInfo,
  initrdStartAddress,
  kernelStartAddress,
  qemuDtbFileFdtSize,
  resetVectorWords,
} from '../../src/machine/boot-rom.ts';
import { readFdt } from '../../src/machine/fdt/reader.ts';
import { findNode, getProp, propCells } from '../../src/machine/fdt/tree.ts';
import { dumpQemuDtb, hasQemu72, qemuReadWords } from './qemu.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Words of QEMU 7.2's mask ROM as its monitor shows them (`xp /22wx 0x1000`, -m 256M, -kernel). */
const QEMU_MROM_256M_KERNEL = [
  0x00000297, 0x02828613, 0xf1402573, 0x0202b583, 0x0182b283, 0x00028067,
  0x80000000, 0x00000000, 0x8fe00000, 0x00000000, // start_addr, fdt_addr
  0x4942534f, 0x00000000, 0x00000002, 0x00000000, // magic, version
  0x80200000, 0x00000000, 0x00000001, 0x00000000, // next_addr, next_mode = S
  0x00000000, 0x00000000, 0x00000000, 0x00000000, // options, boot_hart
];

const words = (bytes: Uint8Array) => Array.from(new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));

describe('reset vector and fw_dynamic_info (hw/riscv/boot.c)', () => {
  it('encodes auipc/addi/csrr/ld/ld/jr and the two dwords', () => {
    expect(Array.from(resetVectorWords(0x80000000, 0x8fe00000))).toEqual(QEMU_MROM_256M_KERNEL.slice(0, 10));
    expect(Array.from(resetVectorWords(0x1_2345_6780, 0xfe00_0000)).slice(6)).toEqual([0x23456780, 1, 0xfe000000, 0]);
  });

  it('points a2 at fw_dynamic_info right after the reset vector', () => {
    expect(FW_DYNAMIC_INFO_ADDR).toBe(0x1028);
    // addi a2, t0, 40: imm[11:0] in bits 31:20
    expect(resetVectorWords(0, 0)[1]! >>> 20).toBe(40);
  });

  it('lays out fw_dynamic_info v2 as six little-endian dwords', () => {
    const info = fwDynamicInfo({ nextAddr: 0x80200000 });
    expect(info.length).toBe(48);
    expect(words(info)).toEqual(QEMU_MROM_256M_KERNEL.slice(10));
  });

  it('buildMrom gives the bytes QEMU writes at 0x1000', () => {
    const rom = buildMrom({ startAddr: 0x80000000, fdtAddr: 0x8fe00000, kernelEntry: 0x80200000 });
    expect(words(rom)).toEqual(QEMU_MROM_256M_KERNEL);
  });
});

describe('placement rules', () => {
  it.each([
    [128 * MiB, 0x87e00000],
    [256 * MiB, 0x8fe00000],
    [2 * GiB, 0xbfe00000], // RAM ends at 4 GiB: capped at 3 GiB
    [4 * GiB, 0xbfe00000],
    [3 * MiB, 0x80200000],
  ])('FDT for %i bytes of RAM at %i', (mem, addr) => {
    expect(fdtLoadAddress(mem)).toBe(addr);
  });

  it('uses the buffer size, so a -dtb file of a few KiB lands at the same place', () => {
    expect(qemuDtbFileFdtSize(3555)).toBe(27110);
    expect(fdtLoadAddress(256 * MiB, qemuDtbFileFdtSize(3555))).toBe(0x8fe00000);
    expect(() => fdtLoadAddress(MiB / 2)).toThrow(/too small/);
  });

  it('puts the kernel at the firmware end rounded up to 2 MiB', () => {
    expect(kernelStartAddress(0x80000000)).toBe(0x80000000); // -bios none
    expect(kernelStartAddress(0x80000000 + 0x3f1a8)).toBe(0x80200000);
    expect(kernelStartAddress(0x80200000)).toBe(0x80200000);
    expect(kernelStartAddress(0x80200001)).toBe(0x80400000);
  });

  it('puts the initrd min(RAM / 2, 128 MiB) above the kernel entry', () => {
    expect(initrdStartAddress(0x80200000, 256 * MiB)).toBe(0x88200000);
    expect(initrdStartAddress(0x80200000, 100 * MiB)).toBe(0x80200000 + 50 * MiB);
  });
});

describe.skipIf(!hasQemu72)('boot ROM and placement vs the installed QEMU 7.2', () => {
  const kernel = { 'k.bin': new Uint8Array(4096) };

  it.each([
    [['-m', '256M', '-bios', 'none', '-kernel', 'k.bin'], 256 * MiB],
    [['-m', '2G', '-bios', 'none', '-kernel', 'k.bin'], 2 * GiB],
    [['-m', '5G', '-smp', '2', '-bios', 'none', '-kernel', 'k.bin'], 5 * GiB],
  ])('%j', (args, mem) => {
    const entry = kernelStartAddress(0x80000000); // -bios none: firmware end = DRAM base
    const expected = buildMrom({ startAddr: 0x80000000, fdtAddr: fdtLoadAddress(mem), kernelEntry: entry });
    expect(qemuReadWords(args, 0x1000, 22, kernel)).toEqual(words(expected));
  });

  it('without a kernel next_addr is 0', () => {
    const got = qemuReadWords(['-m', '128M'], 0x1000, 22);
    expect(got).toEqual(words(buildMrom({ startAddr: 0x80000000, fdtAddr: fdtLoadAddress(128 * MiB), kernelEntry: 0 })));
  });

  it('places the initrd where QEMU does', () => {
    const files = { ...kernel, 'i.bin': new Uint8Array(777) };
    const t = readFdt(dumpQemuDtb(['-m', '128M', '-bios', 'none', '-kernel', 'k.bin', '-initrd', 'i.bin'], files));
    const chosen = findNode(t.root, '/chosen')!;
    const start = initrdStartAddress(0x80000000, 128 * MiB);
    expect(propCells(getProp(chosen, 'linux,initrd-start')!)).toEqual([start]);
    expect(propCells(getProp(chosen, 'linux,initrd-end')!)).toEqual([start + 777]);
  });
});
