// Helpers for devices that copy to and from guest memory (DMA through the domain's p2m).

import type { GuestMemory } from '../types.ts';

/** A 64-bit guest-physical address from its LO/HI register halves. */
export function readWord64Halves(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/**
 * True when [gpa, gpa+bytes) lies entirely in guest RAM. Devices check before transferring,
 * so a request with a bad buffer changes nothing at all rather than part of memory.
 */
export function inGuestRam(mem: GuestMemory, gpa: bigint, bytes: number): boolean {
  const end = mem.ramBase + BigInt(mem.ramBytes);
  return gpa >= mem.ramBase && gpa + BigInt(bytes) <= end;
}
