// Hypercall pointer arguments: guest virtual addresses in the address space current at the
// call, translated through the guest's own page tables with U-mode permissions
// (docs/PV-ABI.md §2). Unmapped, non-user or (for writes) read-only addresses make the call
// fail with -EFAULT before anything changes, so callers check whole ranges first.
import { PAGE, PTE } from './abi.ts';
import type { HostMem } from './host-mem.ts';

/** Result of walking a VA: the leaf PTE's machine address and value, or why not. */
export interface Walk {
  /** Machine address of the l1 (level-0) entry slot, or -1 when an upper level is invalid. */
  l1Slot: number;
  /** Machine frame of the l1 table holding the slot (-1 if none). */
  l1Table: number;
}

/** Whether va is a canonical Sv39 address (bits 63..38 all equal). */
export function canonical(va: bigint): boolean {
  const top = BigInt.asUintN(64, va) >> 38n;
  return top === 0n || top === (1n << 26n) - 1n;
}

function vpn(va: bigint, level: number): number {
  return Number((va >> BigInt(12 + 9 * level)) & 0x1ffn);
}

export class GuestVa {
  constructor(
    private readonly hm: HostMem,
    /** MFN of the root table in use (satp.PPN). */
    readonly rootMfn: number,
  ) {}

  /** Machine address of va for a user-mode access, or -1. */
  translate(va: bigint, write: boolean): number {
    if (!canonical(va) || this.rootMfn <= 0) return -1;
    let table = this.rootMfn * PAGE;
    for (let level = 2; level >= 0; level--) {
      const slot = table + vpn(va, level) * 8;
      if (!this.hm.inRam(slot, 8)) return -1;
      const pte = this.hm.u64(slot);
      if (!(pte & PTE.V) || (!(pte & PTE.R) && pte & PTE.W)) return -1;
      const ppn = Number((pte >> 10n) & 0xfffffffffffn);
      if (!(pte & (PTE.R | PTE.X))) {
        table = ppn * PAGE;
        continue;
      }
      if (level !== 0) return -1; // superpages never pass validation (§4.1 rule 2)
      if (!(pte & PTE.U) || !(pte & PTE.R) || (write && !(pte & PTE.W))) return -1;
      const hpa = ppn * PAGE + Number(va & 0xfffn);
      return this.hm.inRam(hpa, 1) ? hpa : -1;
    }
    return -1;
  }

  /** The l1 slot that maps va through valid l3 and l2 entries (update_va_mapping, grant maps). */
  l1Slot(va: bigint): Walk {
    const none = { l1Slot: -1, l1Table: -1 };
    if (!canonical(va) || this.rootMfn <= 0) return none;
    let table = this.rootMfn * PAGE;
    for (let level = 2; level >= 1; level--) {
      const slot = table + vpn(va, level) * 8;
      if (!this.hm.inRam(slot, 8)) return none;
      const pte = this.hm.u64(slot);
      if (!(pte & PTE.V) || pte & (PTE.R | PTE.W | PTE.X)) return none;
      table = Number((pte >> 10n) & 0xfffffffffffn) * PAGE;
    }
    return { l1Slot: table + vpn(va, 0) * 8, l1Table: table / PAGE };
  }

  /** Whether every byte of [va, va+len) is accessible. */
  check(va: bigint, len: number, write: boolean): boolean {
    if (len <= 0) return len === 0;
    const end = va + BigInt(len - 1);
    for (let p = va & ~0xfffn; p <= end; p += BigInt(PAGE)) {
      if (this.translate(p < va ? va : p, write) < 0) return false;
    }
    return true;
  }

  read(va: bigint, len: number): Uint8Array | null {
    if (!this.check(va, len, false)) return null;
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = va + BigInt(done);
      const n = Math.min(len - done, PAGE - Number(a & 0xfffn));
      out.set(this.hm.read(this.translate(a, false), n), done);
      done += n;
    }
    return out;
  }

  /** Writes all of data or nothing. */
  write(va: bigint, data: Uint8Array): boolean {
    if (!this.check(va, data.length, true)) return false;
    let done = 0;
    while (done < data.length) {
      const a = va + BigInt(done);
      const n = Math.min(data.length - done, PAGE - Number(a & 0xfffn));
      this.hm.write(this.translate(a, true), data.subarray(done, done + n));
      done += n;
    }
    return true;
  }

  readView(va: bigint, len: number): DataView | null {
    const b = this.read(va, len);
    return b ? new DataView(b.buffer) : null;
  }

  writeU64(va: bigint, v: bigint): boolean {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    return this.write(va, b);
  }

  writeU32(va: bigint, v: number): boolean {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    return this.write(va, b);
  }
}
