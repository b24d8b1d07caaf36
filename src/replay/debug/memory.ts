// Guest memory as a debugger sees it: virtual addresses of one hart translated the way its
// data accesses (or instruction fetches) would be, without side effects (no A/D updates, no
// traps, no MMIO reads), through the MMU's peekTranslate (two-stage for V=1).
import type { Hart } from '../../cpu/hart.ts';
import { peekTranslate } from '../../cpu/mmu.ts';
import type { PhysicalMemory } from '../../machine/phys-mem.ts';

const PRIV_M = 3;
const PAGE = 4096;

/** Physical address an instruction fetch at `va` would use, or -1 (M-mode fetches are never translated). */
export function fetchPhysical(h: Hart, va: bigint): number {
  // MPRV changes data accesses only (privileged spec 3.1.6.3), so M-mode fetches are physical
  if (h.priv === PRIV_M && !h.virt) return Number(BigInt.asUintN(64, va));
  return peekTranslate(h, va);
}

/** Physical address a data access at `va` would use, or -1. */
export function dataPhysical(h: Hart, va: bigint): number {
  return peekTranslate(h, BigInt.asUintN(64, va));
}

/** Bytes of guest virtual memory; `valid[i]` is false where nothing readable is mapped (or MMIO). */
export interface MemoryBytes {
  address: bigint;
  bytes: Uint8Array;
  valid: boolean[];
}

export function readVirtual(mem: PhysicalMemory, h: Hart, va: bigint, len: number, fetch = false): MemoryBytes {
  const bytes = new Uint8Array(len);
  const valid = new Array<boolean>(len).fill(false);
  let i = 0;
  while (i < len) {
    const a = BigInt.asUintN(64, va + BigInt(i));
    const inPage = Math.min(len - i, PAGE - Number(a % BigInt(PAGE)));
    const pa = fetch ? fetchPhysical(h, a) : dataPhysical(h, a);
    if (pa >= 0) {
      for (let k = 0; k < inPage; k++) {
        const off = mem.ramOffset(pa + k, false);
        if (off < 0) continue;
        bytes[i + k] = mem.bytes[off];
        valid[i + k] = true;
      }
    }
    i += inPage;
  }
  return { address: BigInt.asUintN(64, va), bytes, valid };
}

/**
 * The instruction bits at `va` as fetched (a compressed one in the low 16 bits), or -1 when
 * the fetch would fault. Reads the second half-word through its own page when it crosses.
 */
export function fetchInstruction(mem: PhysicalMemory, h: Hart, va: bigint): number {
  const pa = fetchPhysical(h, va);
  if (pa < 0) return -1;
  const off = mem.ramOffset(pa, false);
  if (off < 0 || off + 1 >= mem.bytes.length) return -1;
  const lo = mem.dv.getUint16(off, true);
  if ((lo & 3) !== 3) return lo;
  let off2: number;
  if ((pa & (PAGE - 1)) <= PAGE - 4) off2 = off + 2;
  else {
    const pa2 = fetchPhysical(h, va + 2n);
    off2 = pa2 < 0 ? -1 : mem.ramOffset(pa2, false);
  }
  if (off2 < 0) return -1;
  return (lo | (mem.dv.getUint16(off2, true) << 16)) >>> 0;
}
