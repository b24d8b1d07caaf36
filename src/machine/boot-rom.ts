// QEMU 7.2 virt's boot protocol (hw/riscv/boot.c, hw/riscv/virt.c virt_machine_done):
// the mask ROM at 0x1000 holds a six-instruction reset vector, two 64-bit data words (start
// address, FDT address) and OpenSBI's fw_dynamic_info, and every hart starts at 0x1000 with:
//   a0 = mhartid, a1 = FDT address, a2 = &fw_dynamic_info (0x1028), then jumps to the start
//   address (DRAM base, where the firmware was loaded).
// Placement rules for the firmware, kernel, initrd and FDT are QEMU's too, so a guest finds
// everything at the same address on both machines.

import { VIRT_DRAM_BASE, VIRT_MROM } from './memory-map.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Reset vector length: 6 instructions + 2 dwords (riscv_setup_rom_reset_vec reset_vec[10]). */
export const RESET_VECTOR_SIZE = 40;
/** fw_dynamic_info sits right after the reset vector. */
export const FW_DYNAMIC_INFO_ADDR = VIRT_MROM.base + RESET_VECTOR_SIZE;
/** Six target_long fields on RV64. */
export const FW_DYNAMIC_INFO_SIZE = 48;
/** "OSBI" (OpenSBI include/sbi/fw_dynamic.h FW_DYNAMIC_INFO_MAGIC_VALUE). */
export const FW_DYNAMIC_INFO_MAGIC = 0x4942534f;
/** Version 2 adds boot_hart. */
export const FW_DYNAMIC_INFO_VERSION = 2;
/** fw_dynamic next_mode values (privilege level of the next stage). */
export const FW_DYNAMIC_NEXT_MODE_U = 0;
export const FW_DYNAMIC_NEXT_MODE_S = 1;
export const FW_DYNAMIC_NEXT_MODE_M = 3;
/** QEMU's device-tree buffer (softmmu/device_tree.c FDT_MAX_SIZE); riscv_load_fdt uses it as the FDT size. */
export const QEMU_FDT_MAX_SIZE = 0x100000;
/** The FDT size QEMU uses for a `-dtb` file of `fileBytes` (load_device_tree: (size + 10000) * 2). */
export function qemuDtbFileFdtSize(fileBytes: number): number {
  return (fileBytes + 10000) * 2;
}

/**
 * The ten reset-vector words for RV64 (riscv_setup_rom_reset_vec):
 *   auipc t0, 0; addi a2, t0, 40; csrr a0, mhartid; ld a1, 32(t0); ld t0, 24(t0); jr t0;
 *   .dword start_addr; .dword fdt_addr
 */
export function resetVectorWords(startAddr: number, fdtAddr: number): Uint32Array {
  checkAddr('start address', startAddr);
  checkAddr('FDT address', fdtAddr);
  return Uint32Array.from([
    0x00000297, // auipc t0, 0
    0x02828613, // addi  a2, t0, 40   -> fw_dynamic_info
    0xf1402573, // csrr  a0, mhartid
    0x0202b583, // ld    a1, 32(t0)   -> fdt_addr
    0x0182b283, // ld    t0, 24(t0)   -> start_addr
    0x00028067, // jr    t0
    lo32(startAddr),
    hi32(startAddr),
    lo32(fdtAddr),
    hi32(fdtAddr),
  ]);
}

export interface FwDynamicInfo {
  /** Entry of the next stage (the kernel, e.g. U-Boot), or 0 when there is none. */
  nextAddr: number;
  /** Privilege mode for the next stage; QEMU always passes S-mode. */
  nextMode?: number;
  options?: number;
  /** Preferred boot hart; QEMU writes 0. */
  bootHart?: number;
}

/** OpenSBI's struct fw_dynamic_info for RV64, little-endian (riscv_rom_copy_firmware_info). */
export function fwDynamicInfo(info: FwDynamicInfo): Uint8Array {
  checkAddr('next address', info.nextAddr);
  const out = new Uint8Array(FW_DYNAMIC_INFO_SIZE);
  const dv = new DataView(out.buffer);
  const fields = [
    FW_DYNAMIC_INFO_MAGIC,
    FW_DYNAMIC_INFO_VERSION,
    info.nextAddr,
    info.nextMode ?? FW_DYNAMIC_NEXT_MODE_S,
    info.options ?? 0,
    info.bootHart ?? 0,
  ];
  fields.forEach((v, i) => dv.setBigUint64(i * 8, BigInt(v), true));
  return out;
}

export interface MromContents {
  /** Where the reset vector jumps: the firmware's load address (DRAM base on virt). */
  startAddr: number;
  fdtAddr: number;
  /** fw_dynamic_info.next_addr: the kernel entry, or 0 without a kernel. */
  kernelEntry: number;
}

/**
 * The bytes QEMU writes at the start of the mask ROM (0x1000): reset vector then
 * fw_dynamic_info, 88 bytes. The rest of the 0xf000-byte ROM reads as zero.
 */
export function buildMrom(c: MromContents): Uint8Array {
  const out = new Uint8Array(RESET_VECTOR_SIZE + FW_DYNAMIC_INFO_SIZE);
  const dv = new DataView(out.buffer);
  resetVectorWords(c.startAddr, c.fdtAddr).forEach((w, i) => dv.setUint32(i * 4, w, true));
  out.set(fwDynamicInfo({ nextAddr: c.kernelEntry }), RESET_VECTOR_SIZE);
  return out;
}

/**
 * Where QEMU puts the FDT (riscv_load_fdt): 2 MiB-aligned, `fdtSize` below the end of RAM or
 * below 3 GiB, whichever is lower, so 32-bit code can reach it. `fdtSize` is QEMU's buffer
 * size, not the packed blob size: 1 MiB for a generated tree, qemuDtbFileFdtSize() for `-dtb`.
 */
export function fdtLoadAddress(memBytes: number, fdtSize = QEMU_FDT_MAX_SIZE, dramBase = VIRT_DRAM_BASE): number {
  checkAddr('RAM size', memBytes);
  const dramEnd = dramBase + memBytes;
  const top = dramBase < 3 * GiB ? Math.min(dramEnd, 3 * GiB) : dramEnd;
  const addr = alignDown(top - fdtSize, 2 * MiB);
  if (addr < dramBase) {
    throw new RangeError(`RAM of ${memBytes} bytes is too small for a ${fdtSize}-byte device tree`);
  }
  return addr;
}

/**
 * Where QEMU loads a raw kernel image (riscv_calc_kernel_start_addr): the firmware's end
 * rounded up to 2 MiB on RV64. `firmwareEnd` is load address + size for a raw binary, the
 * highest loaded address for an ELF, or the DRAM base with `-bios none`. (An ELF kernel is
 * placed by its own headers; QEMU then passes its lowest load address as the entry.)
 */
export function kernelStartAddress(firmwareEnd: number): number {
  checkAddr('firmware end', firmwareEnd);
  return alignUp(firmwareEnd, 2 * MiB);
}

/**
 * Where QEMU loads the initrd (riscv_load_initrd): kernel entry + min(RAM / 2, 128 MiB), far
 * enough that a decompressing kernel does not overwrite it.
 */
export function initrdStartAddress(kernelEntry: number, memBytes: number): number {
  checkAddr('kernel entry', kernelEntry);
  return kernelEntry + Math.min(Math.floor(memBytes / 2), 128 * MiB);
}

function alignDown(v: number, a: number): number {
  return v - (v % a);
}

function alignUp(v: number, a: number): number {
  return alignDown(v + a - 1, a);
}

const lo32 = (v: number): number => v >>> 0;
const hi32 = (v: number): number => Math.floor(v / 2 ** 32) >>> 0;

function checkAddr(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a non-negative integer, got ${v}`);
}
