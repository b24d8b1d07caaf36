// Access-size rules shared by the devices.
//
// QEMU describes each MMIO region with MemoryRegionOps.valid (sizes the bus accepts; any other
// size, or a misaligned access, fails and the RISC-V hart takes an access fault) and .impl
// (sizes the handler is called with; the core splits or widens others). device.ts has no way
// to express "this access faults", so every device here offers `accessRule(offset)` for the
// bus to check, and treats an invalid access as read-zero / write-ignored if called anyway.

import type { AccessSize } from '../device.ts';

/** QEMU MemoryRegionOps.valid: the access sizes (bytes) that do not fault. */
export interface AccessRule {
  readonly minSize: 1 | 2 | 4 | 8;
  readonly maxSize: 1 | 2 | 4 | 8;
}

/** QEMU's default when a device leaves .valid unset (memory.c: max 0 means 4). */
export const DEFAULT_ACCESS: AccessRule = Object.freeze({ minSize: 1, maxSize: 4 });

/** True when QEMU would accept an access of `size` bytes at `offset` under `rule`. */
export function accessAllowed(rule: AccessRule, offset: number, size: AccessSize | 8): boolean {
  return size >= rule.minSize && size <= rule.maxSize && offset % size === 0;
}

/** Keeps the low `size` bytes of a 32-bit value, as QEMU's memory core masks a read result. */
export function maskToSize(value: number, size: AccessSize): number {
  if (size === 4) return value >>> 0;
  return value & (size === 1 ? 0xff : 0xffff);
}

/** A device that can tell the bus which accesses QEMU would reject. */
export interface HasAccessRule {
  accessRule(offset: number): AccessRule;
}

export const U32_MASK = 0xffffffffn;
export const U64_MASK = 0xffffffffffffffffn;
