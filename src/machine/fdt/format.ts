// Flattened Device Tree (DTB) format constants, Devicetree Specification v0.4 chapter 5.

export const FDT_MAGIC = 0xd00dfeed;
/** We write version 17, compatible back to 16, like dtc and libfdt. */
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
/** Header size of a version 17 blob (ten 32-bit fields). */
export const FDT_HEADER_SIZE = 40;
/** A reservation entry: 64-bit address + 64-bit size. */
export const FDT_RESERVE_ENTRY_SIZE = 16;

export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Header field offsets. */
export const HDR_MAGIC = 0;
export const HDR_TOTALSIZE = 4;
export const HDR_OFF_DT_STRUCT = 8;
export const HDR_OFF_DT_STRINGS = 12;
export const HDR_OFF_MEM_RSVMAP = 16;
export const HDR_VERSION = 20;
export const HDR_LAST_COMP_VERSION = 24;
export const HDR_BOOT_CPUID_PHYS = 28;
export const HDR_SIZE_DT_STRINGS = 32;
export const HDR_SIZE_DT_STRUCT = 36;

/** A malformed blob or an unwritable tree; the message says what and where. */
export class FdtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FdtError';
  }
}

export const align4 = (n: number): number => (n + 3) & ~3;
export const align8 = (n: number): number => (n + 7) & ~7;
