// What a hart needs from the physical address space. The machine implements it; the CPU
// knows nothing of devices or domains. RAM and ROM live in one backing store so the
// interpreter's fast path uses a single DataView; everything else is MMIO.

/** Per-page flags in the backing store (PAGE_* bits). */
export const PAGE_CODE = 1; // the page has decoded instructions: stores must invalidate them
export const PAGE_TRACK = 2; // the next store must report the page dirty (checkpoint copy-on-write)

export interface MemoryPort {
  /** The backing store of every RAM/ROM region. */
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  /** Flags per 4 KiB page of the backing store. */
  readonly pageFlags: Uint8Array;
  /**
   * Backing-store offset of physical address `pa`, or -1 when `pa` is not RAM/ROM (MMIO or
   * nothing). With `write`, read-only regions answer -1 as well.
   */
  ramOffset(pa: number, write: boolean): number;
  /** Reads `size` bytes of MMIO at `pa` into out[0] (low word) / out[1] (high word); false = access fault. */
  mmioRead(pa: number, size: 1 | 2 | 4 | 8, out: Int32Array): boolean;
  /** Writes MMIO; false = access fault. */
  mmioWrite(pa: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean;
  /** A store hit a page with flags set (code to invalidate and/or dirty tracking). */
  onPageStore(page: number): void;
}

/** The hart's view of virtual time: it keeps `icount` current before any device access. */
export interface InstructionClock {
  icount: number;
  /** Virtual time in ns at the current icount (mcycle/minstret follow it, as in QEMU). */
  nowNs(): number;
}
