// The contract between the bus and every memory-mapped device. Devices are address-agnostic
// (they see offsets into their own window); the bus owns placement. Accesses of 8 bytes are
// split by the bus into two 4-byte accesses (low word first) unless the device implements
// the optional 64-bit hooks; that is exact for every device here because device state only
// changes between instructions.

/** A level-triggered interrupt line into an interrupt controller (PLIC source or hart pin). */
export interface IrqLine {
  set(level: boolean): void;
}

export type AccessSize = 1 | 2 | 4;

export interface MmioDevice {
  /** Short, stable name used in events, stats and the device tree ("uart0", "plic", ...). */
  readonly name: string;
  /** Size of the device's MMIO window in bytes. */
  readonly size: number;
  /** Reads `size` bytes at `offset`; returns the value zero-extended (unsigned, < 2**32). */
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
  /** Optional exact 64-bit access (value as bigint, unsigned). */
  read64?(offset: number): bigint;
  write64?(offset: number, value: bigint): void;
  /**
   * Optional: the access sizes that do not fault at `offset` (QEMU's MemoryRegionOps.valid).
   * A disallowed size or a misaligned access is an access fault for the hart.
   */
  accessRule?(offset: number): { readonly minSize: 1 | 2 | 4 | 8; readonly maxSize: 1 | 2 | 4 | 8 };
  /** Serializable device state (plain JSON-able data) for checkpoints. */
  save(): unknown;
  restore(state: unknown): void;
}

/**
 * The interrupt-pending inputs of one hart, driven by the CLINT (MSIP, MTIP) and the PLIC
 * (MEIP, SEIP). `bit` is the mip bit number (privileged spec 3.1.9): 3 MSIP, 7 MTIP,
 * 9 SEIP, 11 MEIP.
 */
export interface HartInterruptPins {
  setPending(bit: number, level: boolean): void;
}

export const MIP_MSIP = 3;
export const MIP_MTIP = 7;
export const MIP_SEIP = 9;
export const MIP_MEIP = 11;
