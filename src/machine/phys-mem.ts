// The physical address space as harts see it: RAM and ROM regions share one backing store
// (so the interpreter's fast path uses a single DataView), everything else goes to the bus.
// Per-page flags let stores invalidate decoded code and feed copy-on-write checkpoints.
import type { MemoryPort } from '../cpu/memory-port.ts';
import { PAGE_TRACK } from '../cpu/memory-port.ts';
import { Bus } from './bus.ts';

export interface RegionSpec {
  name: string;
  /** Physical base address (page-aligned). */
  base: number;
  /** Size in bytes (rounded up to whole pages in the backing store). */
  size: number;
  readonly?: boolean;
}

export interface Region extends RegionSpec {
  /** Offset of the region in the backing store. */
  backing: number;
}

export class MemoryLayoutError extends Error {}

/** The backing store's offsets live in Int32Array TLB entries, so it must stay below 2 GiB. */
export const MAX_BACKING_BYTES = 0x7ffff000;

export class PhysicalMemory implements MemoryPort {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  readonly pageFlags: Uint8Array;
  readonly regions: readonly Region[];
  readonly bus = new Bus();
  /** Called when a tracked page is first stored to after tracking was armed. */
  dirtyHook: ((page: number) => void) | null = null;
  private lastRegion: Region;

  constructor(specs: RegionSpec[]) {
    let total = 0;
    const regions: Region[] = [];
    const sorted = [...specs].sort((a, b) => a.base - b.base);
    for (let i = 0; i < sorted.length; i++) {
      const r = sorted[i];
      if (r.base % 4096 !== 0) throw new MemoryLayoutError(`region ${r.name} base 0x${r.base.toString(16)} is not page-aligned`);
      if (i > 0 && sorted[i - 1].base + sorted[i - 1].size > r.base) {
        throw new MemoryLayoutError(`region ${r.name} overlaps ${sorted[i - 1].name}`);
      }
      regions.push({ ...r, backing: total });
      total += Math.ceil(r.size / 4096) * 4096;
    }
    if (total > MAX_BACKING_BYTES) {
      throw new MemoryLayoutError(
        `memory too large: ${total} bytes of RAM/ROM; at most ${MAX_BACKING_BYTES} bytes (just under 2 GiB) are supported — use a smaller --mem`,
      );
    }
    const buf = new ArrayBuffer(total);
    this.bytes = new Uint8Array(buf);
    this.dv = new DataView(buf);
    this.pageFlags = new Uint8Array(total / 4096);
    this.regions = regions;
    this.lastRegion = regions[0];
  }

  region(name: string): Region {
    const r = this.regions.find((x) => x.name === name);
    if (!r) throw new MemoryLayoutError(`no memory region named ${name}`);
    return r;
  }

  ramOffset(pa: number, write: boolean): number {
    let r = this.lastRegion;
    if (!(pa >= r.base && pa < r.base + r.size)) {
      const found = this.regions.find((x) => pa >= x.base && pa < x.base + x.size);
      if (!found) return -1;
      r = found;
      this.lastRegion = r;
    }
    if (write && r.readonly) return -1;
    return r.backing + (pa - r.base);
  }

  mmioRead(pa: number, size: 1 | 2 | 4 | 8, out: Int32Array): boolean {
    return this.bus.read(pa, size, out);
  }

  mmioWrite(pa: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    // A store to a read-only region (the boot ROM) is discarded without a fault: QEMU's virt
    // maps its mask ROM with memory_region_init_rom, whose writes are dropped, and that is the
    // platform we reproduce (the lockstep oracle saw `sh` to 0x1dd2 retire on QEMU).
    if (this.readOnlyAt(pa)) return true;
    return this.bus.write(pa, size, lo, hi);
  }

  /** Whether `pa` lies in a read-only RAM/ROM region (writes there are discarded). */
  readOnlyAt(pa: number): boolean {
    const r = this.regions.find((x) => pa >= x.base && pa < x.base + x.size);
    return r !== undefined && r.readonly === true;
  }

  onPageStore(page: number): void {
    if (this.pageFlags[page] & PAGE_TRACK) {
      this.pageFlags[page] &= ~PAGE_TRACK;
      this.dirtyHook?.(page);
    }
  }

  /** Copies bytes into physical memory (image loading); the target must be RAM/ROM. */
  load(pa: number, data: Uint8Array, what: string): void {
    const off = this.ramOffset(pa, false);
    const end = this.ramOffset(pa + data.length - 1, false);
    if (off < 0 || end !== off + data.length - 1) {
      throw new MemoryLayoutError(
        `${what} (${data.length} bytes at 0x${pa.toString(16)}) does not fit in RAM/ROM; check the load address and --mem`,
      );
    }
    this.bytes.set(data, off);
  }

  /** Reads physical memory for tools (debugger, tests); MMIO is not touched. */
  peek(pa: number, len: number): Uint8Array | null {
    const off = this.ramOffset(pa, false);
    if (off < 0 || this.ramOffset(pa + len - 1, false) !== off + len - 1) return null;
    return this.bytes.slice(off, off + len);
  }
}
