// Shared facts about the generated lockstep programs (program-gen.ts builds them,
// program-image.ts lays them out): the registers they may use, their data area, and the
// addresses of the platform pieces they poke.

/** x registers generated code may write: all but x0 and gp, which holds the data pointer. */
export const X_POOL = [
  'ra', 'sp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;
/** Operands may also read x0 and gp. */
export const X_READ = ['zero', 'gp', ...X_POOL] as const;
/** Registers a compressed (RVC) 3-bit field can name: x8..x15. */
export const X_RVC = ['s0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'] as const;

/**
 * The data area, gp-relative (gp = its start + 0x800, so 12-bit offsets reach all 4 KiB):
 * the handler's save slots, the FP constant pool, then scratch memory with random contents
 * for loads, stores and atomics.
 */
export const GP_BIAS = 0x800;
export const DATA = {
  save: 0x000 - GP_BIAS, // 2 dwords: t5, t6 while the trap handler runs
  fpPool: 0x040 - GP_BIAS, // FP_POOL_SIZE dwords of special values
  scratchLo: 0x400 - GP_BIAS,
  scratchHi: 0x1000 - GP_BIAS, // exclusive
  size: 0x1000,
};
export const FP_POOL_SIZE = 64;

export const FINISHER = 0x100000n;
export const CLINT_MSIP = 0x2000000n;
export const CLINT_MTIMECMP = 0x2004000n;
export const CLINT_MTIME = 0x200bff8n;
export const RAM_BASE = 0x8000_0000n;
/** RAM the programs run with on both machines (QEMU -m). */
export const RAM_MIB = 128;

/**
 * Addresses where nothing answers on either machine (access faults): below the boot ROM,
 * past the end of RAM, far beyond the 32-bit map, and the top of the 64-bit space.
 */
export const UNMAPPED = [0x0n, 0x800n, RAM_BASE + BigInt(RAM_MIB) * 0x100000n, 0x1_0000_0000n, 0x40_0000_0000n, 0xffff_ffff_ffff_f000n];
