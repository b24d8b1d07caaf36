// The JIT must be invisible: random programs (tests/cpu/jit-programs.ts) run on a hart with
// the JIT and on one without, in slices of random sizes, and after every slice the retired
// count, the whole hart state, all of RAM and the MMIO access log (with the icount each
// access happened at) must be identical. Thresholds are tiny so most code gets compiled.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { difference, side, step, type Side } from './jit-harness.ts';
import { aluLoopProgram, fixedProgram, randomProgram, Rng, type GuestImage } from './jit-programs.ts';
import type { JitOptions } from '../../src/cpu/jit/config.ts';

interface Outcome {
  regions: number;
  insns: number;
}

/** Runs `seed`'s program on both harts for about `total` instructions; throws at the first difference. */
function compare(seed: number, paging: boolean, jit: Partial<JitOptions>, total: number): Outcome {
  const image = randomProgram(seed, { items: 120 + (seed >>> 0) % 300, paging });
  const a = side(image, jit, seed), b = side(image, false, seed);
  const rng = new Rng(seed ^ 0x5bd1e995);
  let done = 0;
  for (let slice = 0; done < total; slice++) {
    // tiny budgets end inside blocks; large ones let regions loop
    const budget = rng.pick([1, 2, 3, rng.int(1, 16), rng.int(1, 200), rng.int(1, 200), rng.int(200, 3000)]);
    const pc = b.hart.pc;
    const na = step(a, budget), nb = step(b, budget);
    const diff = na !== nb ? `retired ${na} vs ${nb}` : difference(a, b);
    if (diff !== null) {
      const where = `seed ${seed} (paging ${paging}, jit ${JSON.stringify(jit)}): slice ${slice}`;
      throw new Error(`${where} from pc 0x${pc.toString(16)} budget ${budget}: ${diff}`);
    }
    done += Math.max(nb, 1);
    if (a.hart.stop === 3) break; // stuck on a fetch fault loop: nothing more to compare
  }
  const s = a.code.jit!.stats;
  return { regions: s.regions, insns: done };
}

const jitOptions = fc.record({
  threshold: fc.integer({ min: 1, max: 8 }),
  maxBlockInsns: fc.integer({ min: 1, max: 64 }),
  maxRegionBlocks: fc.integer({ min: 1, max: 48 }),
  cacheRegisters: fc.boolean(),
  // without backoff, code next to self-modifying stores keeps being compiled and thrown away
  invalidationBackoff: fc.constantFrom(1, 2),
  // small caps make the JIT drop all its code now and then
  maxLiveRegions: fc.constantFrom(2, 16, 2048),
});

describe('JIT differential: compiled code behaves exactly like the interpreter', () => {
  it('random programs in M-mode, bare addressing', () => {
    let regions = 0;
    fc.assert(
      fc.property(fc.integer(), jitOptions, (seed, jit) => {
        regions += compare(seed, false, jit, 20_000).regions;
      }),
      { numRuns: 40 },
    );
    expect(regions).toBeGreaterThan(100); // the JIT really ran
  });

  it('random programs in S-mode under Sv39, code also run through an alias mapping', () => {
    let regions = 0;
    fc.assert(
      fc.property(fc.integer(), jitOptions, (seed, jit) => {
        regions += compare(seed, true, jit, 20_000).regions;
      }),
      { numRuns: 30 },
    );
    expect(regions).toBeGreaterThan(100);
  });

  it('computation in hot loops: every emitter against the interpreter on many values', () => {
    fc.assert(
      fc.property(fc.integer(), jitOptions, (seed, jit) => {
        compareFixed(aluLoopProgram(seed), jit, [997, 1, 150, 13, 4000], 20_000);
      }),
      { numRuns: 60 },
    );
  });

  it('default JIT settings over long runs', () => {
    for (const seed of [1, 2, 3, 4]) compare(seed, seed % 2 === 0, {}, 150_000);
  });
});

/** Runs a fixed program on both harts in slices of the given budgets (cycled); throws at the first difference. */
function compareFixed(image: GuestImage, jit: Partial<JitOptions>, budgets: number[], total: number): Side {
  const a = side(image, jit, 1), b = side(image, false, 1);
  let done = 0;
  for (let slice = 0; done < total; slice++) {
    const budget = budgets[slice % budgets.length];
    const na = step(a, budget), nb = step(b, budget);
    const diff = na !== nb ? `retired ${na} vs ${nb}` : difference(a, b);
    if (diff !== null) throw new Error(`slice ${slice} budget ${budget}: ${diff}`);
    done += Math.max(nb, 1);
  }
  return a;
}

// A hot loop that rewrites an instruction (the immediate of `patch`) every iteration and then
// executes it: code still running the old instruction would sum different values into x13.
// SELF_PATCH patches its own page, so its compiled code dies every time; CROSS_PATCH
// patches a function in the next page, so the loop's own region lives on and its store,
// a TLB hit, must notice by itself that the target page holds code.
const SELF_PATCH = `
  li x10,0
  li x14,200
  la x12,patch
  lw x11,0(x12)
  li x15,0x100000
loop:
  addi x10,x10,1
  andi x17,x10,7
  bnez x17,skip
  add x11,x11,x15
  sw x11,0(x12)
skip:
  addi x16,x16,3
patch:
  .word 0x00068693
  bne x10,x14,loop
  li x10,0
  j loop
`;

const CROSS_PATCH = `
  li x10,0
  li x14,200
  la x12,patch
  lw x11,0(x12)
  li x15,0x100000
loop:
  addi x10,x10,1
  add x11,x11,x15
  sw x11,0(x12)
  jal x1,patch
  bne x10,x14,loop
  li x10,0
  j loop
  .align 12
patch:
  .word 0x00068693
  ret
`;

describe('JIT on directed programs', () => {
  it('self-modifying hot loop: every store into the running page is seen', () => {
    for (const invalidationBackoff of [1, 2]) {
      const a = compareFixed(fixedProgram(SELF_PATCH), { threshold: 1, invalidationBackoff }, [1000, 7, 1, 33], 40_000);
      expect(a.code.jit!.stats.regions).toBeGreaterThan(invalidationBackoff === 1 ? 100 : 3);
    }
  });

  it('a compiled loop patching code in another page invalidates it', () => {
    const a = compareFixed(fixedProgram(CROSS_PATCH), { threshold: 2 }, [1000, 5, 64], 40_000);
    expect(a.code.jit!.stats.regions).toBeGreaterThan(0);
  });

  it('self-modifying hot loop under paging, through both mappings', () => {
    compareFixed(fixedProgram(SELF_PATCH, true), { threshold: 1, invalidationBackoff: 1 }, [500, 3, 64], 40_000);
  });
});

describe('JIT invalidation', () => {
  function hotSide(): Side {
    const image = randomProgram(7, { items: 200, paging: false });
    const s = side(image, { threshold: 1 }, 7);
    for (let k = 0; k < 50; k++) step(s, 1000);
    return s;
  }

  it('reset (invalidateAll) drops every compiled region', () => {
    const s = hotSide();
    const pages = (s.code as unknown as { pages: ({ regions: unknown[] } | undefined)[] }).pages;
    expect(pages.some((p) => p && p.regions.length > 0)).toBe(true);
    s.code.invalidateAll();
    expect(pages.every((p) => !p || p.regions.length === 0)).toBe(true);
  });

  it('reaching the live-region cap drops every region, and the run stays exact', () => {
    const a = compareFixed(aluLoopProgram(11), { threshold: 1, maxLiveRegions: 2, maxBlockInsns: 4 }, [333, 5000], 60_000);
    expect(a.code.jit!.stats.flushes).toBeGreaterThan(0);
  });

  it('a store into a compiled page drops its regions', () => {
    const s = hotSide();
    const page = (s.mem.ramOffset(0x8000_1000, false) >>> 12) as number;
    const dp = s.code.page(page);
    expect(dp.regions.length).toBeGreaterThan(0);
    s.code.invalidate(page);
    expect(dp.regions.length).toBe(0);
    expect(dp.entry.every((e) => e === 0)).toBe(true);
  });
});
