// Host memory by machine address, as the PV platform touches it: page-table entries,
// shared_info, trap frames, rings and granted frames. Every store goes through the same
// hooks as the hart's (decoded-code invalidation, checkpoint dirty tracking).
import type { CodeCache } from '../../cpu/code-cache.ts';
import { PAGE_CODE, PAGE_TRACK } from '../../cpu/memory-port.ts';
import type { PhysicalMemory } from '../../machine/phys-mem.ts';
import type { FrameAllocator } from '../frames.ts';

export class HostMem {
  constructor(
    readonly mem: PhysicalMemory,
    private readonly code: CodeCache,
    readonly frames: FrameAllocator,
  ) {}

  /** Owner of a machine frame: a domain id, 0 the hypervisor, -1 free, -2 not host RAM. */
  owner(mfn: number): number {
    if (!Number.isSafeInteger(mfn) || mfn < 0) return -2;
    return this.frames.ownerOf(mfn * 4096);
  }

  /** Whether [hpa, hpa+len) is host RAM the allocator manages. */
  inRam(hpa: number, len: number): boolean {
    if (!Number.isSafeInteger(hpa) || hpa < this.frames.base) return false;
    return hpa + len <= this.frames.base + this.frames.count * 4096;
  }

  private off(hpa: number, write: boolean): number {
    const o = this.mem.ramOffset(hpa, write);
    if (o < 0) throw new RangeError(`machine address 0x${hpa.toString(16)} is not host RAM`);
    return o;
  }

  u8(hpa: number): number {
    return this.mem.bytes[this.off(hpa, false)];
  }
  u16(hpa: number): number {
    return this.mem.dv.getUint16(this.off(hpa, false), true);
  }
  i16(hpa: number): number {
    return this.mem.dv.getInt16(this.off(hpa, false), true);
  }
  u32(hpa: number): number {
    return this.mem.dv.getUint32(this.off(hpa, false), true);
  }
  u64(hpa: number): bigint {
    return this.mem.dv.getBigUint64(this.off(hpa, false), true);
  }

  setU8(hpa: number, v: number): void {
    const o = this.off(hpa, true);
    this.mem.bytes[o] = v;
    this.touched(o, 1);
  }
  setU16(hpa: number, v: number): void {
    const o = this.off(hpa, true);
    this.mem.dv.setUint16(o, v & 0xffff, true);
    this.touched(o, 2);
  }
  setU32(hpa: number, v: number): void {
    const o = this.off(hpa, true);
    this.mem.dv.setUint32(o, v >>> 0, true);
    this.touched(o, 4);
  }
  setU64(hpa: number, v: bigint): void {
    const o = this.off(hpa, true);
    this.mem.dv.setBigUint64(o, BigInt.asUintN(64, v), true);
    this.touched(o, 8);
  }

  read(hpa: number, len: number): Uint8Array {
    const o = this.off(hpa, false);
    return this.mem.bytes.slice(o, o + len);
  }

  write(hpa: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const o = this.off(hpa, true);
    this.mem.bytes.set(data, o);
    this.touched(o, data.length);
  }

  zeroFrame(mfn: number): void {
    const o = this.off(mfn * 4096, true);
    this.mem.bytes.fill(0, o, o + 4096);
    this.touched(o, 4096);
  }

  /** Reports host-side stores to code invalidation and dirty tracking. */
  private touched(off: number, len: number): void {
    const flags = this.mem.pageFlags;
    for (let page = off >>> 12; page <= (off + len - 1) >>> 12; page++) {
      const f = flags[page];
      if (f & PAGE_CODE) this.code.invalidate(page);
      if (f & PAGE_TRACK) this.mem.onPageStore(page);
    }
  }
}
