// A domain's RAM as the hypervisor's parts see it (device models' DMA, SBI DBCN, PV
// hypercall arguments): guest-physical ranges that must lie entirely inside the domain's RAM.
// Writes go through the store hooks, so decoded code and checkpoint tracking stay exact.
import { PAGE_CODE, PAGE_TRACK } from '../cpu/memory-port.ts';
import type { CodeCache } from '../cpu/code-cache.ts';
import type { PhysicalMemory } from '../machine/phys-mem.ts';
import type { GuestMemory } from './types.ts';

export class DomainMemory implements GuestMemory {
  constructor(
    private readonly mem: PhysicalMemory,
    private readonly code: CodeCache,
    readonly ramBase: bigint,
    readonly ramBytes: number,
    /** Host physical address of guest RAM's first byte. */
    readonly hostBase: number,
  ) {}

  /** Host physical address of [gpa, gpa+len), or -1 when not entirely in guest RAM. */
  hostAddress(gpa: bigint, len: number): number {
    if (gpa < this.ramBase || len < 0) return -1;
    const off = gpa - this.ramBase;
    if (off + BigInt(len) > BigInt(this.ramBytes)) return -1;
    return this.hostBase + Number(off);
  }

  read(gpa: bigint, out: Uint8Array): boolean {
    const hpa = this.hostAddress(gpa, out.length);
    if (hpa < 0) return false;
    const off = this.mem.ramOffset(hpa, false);
    out.set(this.mem.bytes.subarray(off, off + out.length));
    return true;
  }

  write(gpa: bigint, data: Uint8Array): boolean {
    const hpa = this.hostAddress(gpa, data.length);
    if (hpa < 0) return false;
    const off = this.mem.ramOffset(hpa, true);
    this.mem.bytes.set(data, off);
    this.touched(off, data.length);
    return true;
  }

  /** Reports stores from the host side to code invalidation and dirty tracking. */
  private touched(off: number, len: number): void {
    if (len === 0) return;
    const flags = this.mem.pageFlags;
    for (let page = off >>> 12; page <= (off + len - 1) >>> 12; page++) {
      const f = flags[page];
      if (f & PAGE_CODE) this.code.invalidate(page);
      if (f & PAGE_TRACK) this.mem.onPageStore(page);
    }
  }

  readU64(gpa: bigint): bigint | null {
    const b = new Uint8Array(8);
    return this.read(gpa, b) ? new DataView(b.buffer).getBigUint64(0, true) : null;
  }

  writeU64(gpa: bigint, v: bigint): boolean {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return this.write(gpa, b);
  }

  /** Zeroes all of guest RAM (domain creation and restart). */
  clear(): void {
    const off = this.mem.ramOffset(this.hostBase, true);
    this.mem.bytes.fill(0, off, off + this.ramBytes);
    this.touched(off, this.ramBytes);
  }
}
