// Host physical frames (4 KiB), handed out deterministically: lowest free run first, so the
// same configuration always puts every domain and table at the same host addresses.
export class OutOfMemoryError extends Error {
  readonly userFacing = true;
}

export class FrameAllocator {
  /** Owner of each frame: -1 free, 0 the hypervisor (tables, shared pages), else a domain id. */
  private readonly owner: Int32Array;

  constructor(
    /** Host physical address of frame 0. */
    readonly base: number,
    readonly count: number,
  ) {
    this.owner = new Int32Array(count).fill(-1);
  }

  /** Allocates `n` contiguous frames aligned to `align` frames; returns the first frame's address. */
  alloc(n: number, owner: number, align = 1, what = 'memory'): number {
    let run = 0;
    for (let f = 0; f < this.count; f++) {
      if (run === 0 && (this.base / 4096 + f) % align !== 0) continue;
      if (this.owner[f] === -1) {
        run++;
        if (run === n) {
          const first = f - n + 1;
          this.owner.fill(owner, first, first + n);
          return this.base + first * 4096;
        }
      } else run = 0;
    }
    throw new OutOfMemoryError(
      `out of host memory: cannot allocate ${n} frames (${(n * 4096) / 2 ** 20} MiB) for ${what}; ` +
        `${this.free} of ${this.count} frames are free. Reduce the domains' memory.`,
    );
  }

  release(addr: number, n: number): void {
    const first = (addr - this.base) / 4096;
    this.owner.fill(-1, first, first + n);
  }

  ownerOf(addr: number): number {
    const f = Math.floor((addr - this.base) / 4096);
    return f >= 0 && f < this.count ? this.owner[f] : -2;
  }

  get free(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.owner[i] === -1) n++;
    return n;
  }

  save(): Int32Array {
    return this.owner.slice();
  }

  restore(s: Int32Array): void {
    this.owner.set(s);
  }
}
