// JIT policy: when a block is hot enough to compile and how much compiled code may exist.
// Every limit is counted in guest events (block executions, instructions), never host time,
// so what gets compiled is as deterministic as the guest run — and compiled code behaves
// exactly like the interpreter anyway, so these knobs change speed only.

export interface JitOptions {
  /**
   * Executions of a block head (counted by the interpreter) before it is compiled. Compiling
   * and V8's tiering cost about a millisecond of CPU per region, paid back only by code that
   * runs many thousands of times: at 64, U-Boot's boot to its prompt took about 20% more CPU than
   * the interpreter alone; at 1024 the same, while hot loops hardly notice the delay.
   */
  threshold: number;
  /** Longest block, in instructions (also bounded by the page and by unsupported ops). */
  maxBlockInsns: number;
  /** Blocks one region may hold (a region dispatches on a block index kept in a byte). */
  maxRegionBlocks: number;
  /** Instructions one region may hold: V8 optimizes large functions slowly, and not at all past a size. */
  maxRegionInsns: number;
  /** Regions one page may hold until it is cleared (hot heads beyond it stay interpreted). */
  maxRegionsPerPage: number;
  /** Regions alive at once; reaching it drops them all (jit.ts makeRoom). */
  maxLiveRegions: number;
  /** A page's threshold is multiplied by this each time its compiled code is thrown away. */
  invalidationBackoff: number;
  /** Keep guest registers in JS locals inside a region (written back on exit). */
  cacheRegisters: boolean;
}

export const JIT_DEFAULTS: Readonly<JitOptions> = Object.freeze({
  threshold: 1024,
  maxBlockInsns: 64,
  maxRegionBlocks: 48,
  maxRegionInsns: 600,
  maxRegionsPerPage: 32,
  maxLiveRegions: 2048,
  invalidationBackoff: 2,
  cacheRegisters: true,
});

/**
 * Most instructions one call of a region may retire before it returns (to be called again at
 * once). Short calls keep V8 optimizing regions well: the shared exit runs on every call, so
 * it has type feedback by the time V8 optimizes (a region that loops for long otherwise gets
 * optimized while its exit never ran, and deoptimizes at every exit — 1600 times for one
 * region of the bench), and V8 optimizes through the normal entry rather than on-stack
 * replacement, whose code cannot know that the register locals it takes over are int32. A
 * call costs about as much as a dozen instructions. Must exceed maxBlockInsns, so that a
 * fresh call always fits its first block.
 */
export const JIT_LAP = 4096;

/**
 * The one place the environment is read: CHRONOVISOR_JIT=0 turns the compiler off (the
 * interpreter alone must give the same results, instruction for instruction).
 */
export const JIT_ENABLED_BY_ENV: boolean = (() => {
  const v = typeof process === 'undefined' ? undefined : process.env.CHRONOVISOR_JIT;
  return !(v === '0' || v === 'off' || v === 'false');
})();
