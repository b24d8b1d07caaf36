// The "compile hot blocks" tier on top of the decoded-page cache. The interpreter counts
// executions of block heads (DecodedPage.heat); when a head reaches the page's threshold it
// calls hot(), which compiles a new region for the page: that head's block plus the blocks
// reachable from it along static edges whose heads are nearly as hot (a loop of several
// blocks thus becomes one function). Regions are never recompiled — a later hot head gets a
// region of its own, which may repeat blocks of older ones — because V8 optimizes a new
// function from scratch, and small stable functions optimize fast and stay optimized.
//
// Compiled code lives on the DecodedPage and dies with it (DecodedPage.clear on a store to
// the page, invalidateAll on reset/restore), so stale code never runs. Nothing here changes
// what the guest computes: a region does exactly what the interpreter would, and what gets
// compiled depends only on guest execution counts. It never reads the host clock.
import type { DecodedPage } from '../code-cache.ts';
import { scanBlock, successors, type Block } from './block.ts';
import { JIT_DEFAULTS, JIT_ENABLED_BY_ENV, JIT_LAP, type JitOptions } from './config.ts';
import { compileRegion } from './region.ts';

export type { RegionFn } from './region.ts';

export interface JitStats {
  /** Region functions generated. */
  regions: number;
  /** Blocks and instructions in them (a block repeated in several regions counts each time). */
  blocks: number;
  insns: number;
  /** Generated JavaScript, in characters. */
  sourceChars: number;
  /** Hot heads not compiled: unsupported first op, or the per-page cap. */
  refused: number;
  /** Times every region was dropped because maxLiveRegions was reached (QEMU's tb_flush). */
  flushes: number;
}

export class Jit {
  readonly stats: JitStats = { regions: 0, blocks: 0, insns: 0, sourceChars: 0, refused: 0, flushes: 0 };
  /** Pages that got regions (pages cleared since may linger until the next recount). */
  private readonly live = new Set<DecodedPage>();
  /** Regions compiled since the last recount; an upper bound of the regions alive. */
  private liveRegions = 0;

  constructor(readonly options: Readonly<JitOptions>) {}

  /** The head at slot `slot` of `dp` reached the threshold: compile a region starting there. */
  hot(dp: DecodedPage, slot: number): void {
    const o = this.options;
    const first = dp.regions.length < o.maxRegionsPerPage ? scanBlock(dp, slot << 1, o.maxBlockInsns) : null;
    if (first === null) {
      // count again from zero: a refused head costs one call per `hot` executions
      dp.heat[slot] = 0;
      this.stats.refused++;
      return;
    }
    const blocks = growRegion(dp, first, o);
    const name = `jit-region-${this.stats.regions}-slot-${slot}.js`;
    const { fn, source } = compileRegion(dp, blocks, o.cacheRegisters, name);
    if (this.liveRegions >= o.maxLiveRegions) this.makeRoom();
    this.live.add(dp);
    this.liveRegions++;
    const index = dp.regions.length;
    dp.regions.push(fn);
    // the newest region takes over heads older ones also start at: it was built knowing more
    let insns = 0;
    for (const b of blocks) {
      dp.entry[b.head >>> 1] = b.offs.length;
      dp.regionOf[b.head >>> 1] = index;
      insns += b.offs.length;
    }
    const s = this.stats;
    s.regions++;
    s.blocks += blocks.length;
    s.insns += insns;
    s.sourceChars += source.length;
  }

  /**
   * Counts the regions still alive (stores clear pages behind our back); if the cap is still
   * reached, drops every region, as QEMU flushes its translation cache when it is full. Hot
   * code gets compiled again; dropping regions never changes what the guest computes.
   */
  private makeRoom(): void {
    this.liveRegions = 0;
    for (const p of this.live) {
      if (p.regions.length === 0) this.live.delete(p);
      this.liveRegions += p.regions.length;
    }
    if (this.liveRegions < this.options.maxLiveRegions) return;
    for (const p of this.live) p.dropRegions();
    this.live.clear();
    this.liveRegions = 0;
    this.stats.flushes++;
  }
}

/**
 * `first` plus, breadth-first, the blocks at its static successors whose heads have at least
 * a quarter of the threshold's heat, within the region caps. Heat is only counted where the
 * interpreter runs, so heads already compiled keep the heat that made them hot.
 *
 * A head some older region already starts at is left out (execution leaves this region for
 * that one there) unless it leads back to `first`: then it is part of a loop through `first`,
 * and repeating it keeps the whole loop inside one function. Otherwise a callee compiled on
 * its own would be compiled again into every caller's region — twice the work for V8, whose
 * optimizing compiler is the real cost of a big region.
 */
function growRegion(dp: DecodedPage, first: Block, o: Readonly<JitOptions>): Block[] {
  const found: Block[] = [first];
  const edges: number[][] = [];
  const at = new Map<number, number>([[first.head, 0]]);
  const warm = Math.max(1, dp.hot >>> 2);
  let insns = first.offs.length;
  for (let k = 0; k < found.length; k++) {
    edges.push([]);
    for (const t of successors(dp, found[k])) {
      let j = at.get(t);
      if (j === undefined) {
        if (dp.heat[t >>> 1] < warm) continue;
        const b = scanBlock(dp, t, o.maxBlockInsns);
        if (b === null || insns + b.offs.length > o.maxRegionInsns || found.length >= o.maxRegionBlocks) continue;
        j = found.length;
        at.set(t, j);
        found.push(b);
        insns += b.offs.length;
      }
      edges[k].push(j);
    }
  }
  // which blocks lead back to `first` (reverse reachability over the edges found)
  const backTo = new Uint8Array(found.length);
  backTo[0] = 1;
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = 0; k < found.length; k++) {
      if (!backTo[k] && edges[k].some((j) => backTo[j] === 1)) {
        backTo[k] = 1;
        changed = true;
      }
    }
  }
  const keep = (k: number) => k === 0 || dp.entry[found[k].head >>> 1] === 0 || backTo[k] === 1;
  // what stays reachable from `first` without passing through a block left out
  const blocks: Block[] = [];
  const seen = new Uint8Array(found.length);
  const queue = [0];
  seen[0] = 1;
  while (queue.length) {
    const k = queue.shift()!;
    blocks.push(found[k]);
    for (const j of edges[k]) {
      if (seen[j] || !keep(j)) continue;
      seen[j] = 1;
      queue.push(j);
    }
  }
  return blocks;
}

/**
 * The JIT for a new code cache: `setting` true/false or options force it on/off, undefined
 * follows CHRONOVISOR_JIT (config.ts).
 */
export function createJit(setting?: boolean | Partial<JitOptions>): Jit | null {
  if (setting === false || (setting === undefined && !JIT_ENABLED_BY_ENV)) return null;
  const o = { ...JIT_DEFAULTS, ...(typeof setting === 'object' ? setting : {}) };
  // block lengths, block indices and region indices are kept in bytes
  const check = (name: keyof JitOptions, ok: boolean, range: string) => {
    if (!ok) throw new RangeError(`jit option ${name} = ${String(o[name])}: must be ${range}`);
  };
  check('maxBlockInsns', o.maxBlockInsns >= 1 && o.maxBlockInsns <= 255 && o.maxBlockInsns < JIT_LAP, '1..255');
  check('maxRegionBlocks', o.maxRegionBlocks >= 1 && o.maxRegionBlocks <= 255, '1..255');
  check('maxRegionsPerPage', o.maxRegionsPerPage >= 1 && o.maxRegionsPerPage <= 256, '1..256');
  check('threshold', o.threshold >= 1 && o.threshold <= 0xffff, '1..65535');
  return new Jit(o);
}
