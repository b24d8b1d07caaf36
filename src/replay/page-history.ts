// Copy-on-write page history for checkpoints. Checkpoint 0 keeps every non-zero page of the
// backing store; each later checkpoint keeps only the pages written since the one before
// (found with the PAGE_TRACK flag: the first store to a tracked page reports it and clears the
// flag, so steady-state stores cost nothing extra). Restoring checkpoint k rewrites every page
// that changed after k with its newest version at or before k, or zeros.
import type { CodeCache } from '../cpu/code-cache.ts';
import { PAGE_TRACK } from '../cpu/memory-port.ts';
import type { PhysicalMemory } from '../machine/phys-mem.ts';

const PAGE = 4096;

interface Version {
  cp: number;
  data: Uint8Array;
}

export class PageHistory {
  private readonly versions = new Map<number, Version[]>();
  private dirty = new Set<number>();
  private checkpoints = 0;
  /** Memory equals checkpoint `base`'s contents except for the pages in `dirty`. */
  private base = -1;
  /** Bytes held in page copies (for statistics and memory limits). */
  bytesStored = 0;

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly code: CodeCache,
  ) {
    mem.dirtyHook = (page) => this.dirty.add(page);
  }

  get count(): number {
    return this.checkpoints;
  }

  /** Records the current contents as checkpoint `count` and returns its index. */
  checkpoint(): number {
    const cp = this.checkpoints++;
    const bytes = this.mem.bytes;
    if (cp === 0) {
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
      const pages = bytes.byteLength / PAGE;
      for (let p = 0; p < pages; p++) {
        const w0 = p * (PAGE >>> 2);
        for (let w = w0; w < w0 + (PAGE >>> 2); w++) {
          if (words[w] !== 0) {
            this.store(p, cp);
            break;
          }
        }
      }
    } else {
      for (const p of [...this.dirty].sort((a, b) => a - b)) this.store(p, cp);
    }
    this.base = cp;
    this.arm();
    return cp;
  }

  private store(page: number, cp: number): void {
    const data = this.mem.bytes.slice(page * PAGE, (page + 1) * PAGE);
    let list = this.versions.get(page);
    if (!list) this.versions.set(page, (list = []));
    list.push({ cp, data });
    this.bytesStored += PAGE;
  }

  /** Starts a new interval: every page reports its next store. */
  private arm(): void {
    this.dirty = new Set();
    const flags = this.mem.pageFlags;
    for (let i = 0; i < flags.length; i++) flags[i] |= PAGE_TRACK;
  }

  /**
   * Puts memory back as it was at checkpoint `cp` (earlier or later than the current base).
   * The pages to rewrite are the dirty ones plus every page with a version between the base
   * and the target. Checkpoints stay valid: execution is deterministic, so running forward
   * again reproduces them.
   */
  restore(cp: number): number {
    if (cp < 0 || cp >= this.checkpoints) throw new RangeError(`no checkpoint ${cp} (have ${this.checkpoints})`);
    const lo = Math.min(cp, this.base);
    const hi = Math.max(cp, this.base);
    const touched = new Set(this.dirty);
    if (lo !== hi) {
      for (const [page, list] of this.versions) {
        if (list.some((v) => v.cp > lo && v.cp <= hi)) touched.add(page);
      }
    }
    const bytes = this.mem.bytes;
    for (const page of touched) {
      const list = this.versions.get(page);
      let v: Version | undefined;
      if (list) for (let i = list.length - 1; i >= 0; i--) if (list[i].cp <= cp) { v = list[i]; break; }
      if (v) bytes.set(v.data, page * PAGE);
      else bytes.fill(0, page * PAGE, (page + 1) * PAGE);
      // a restore is not the guest overwriting its code: no penalty for the JIT's heat
      this.code.invalidate(page, false);
    }
    this.base = cp;
    this.arm();
    return touched.size;
  }

  /** After re-reaching checkpoint `cp` by running forward from an earlier one: start its interval. */
  reenter(): void {
    this.arm();
  }
}
