// CLINT register layout on QEMU's virt: an ACLINT MSWI device at offset 0 followed by an
// ACLINT MTIMER device at 0x4000 (RISC-V ACLINT spec v1.0 sections 2-3; QEMU
// include/hw/intc/riscv_aclint.h). Offsets below are relative to the CLINT base.

/** MSWI: one 32-bit MSIP register per hart, bit 0 drives mip.MSIP. */
export const MSWI_OFFSET = 0x0;
export const MSWI_SIZE = 0x4000;
/** MTIMER window (RISCV_ACLINT_DEFAULT_MTIMER_SIZE). */
export const MTIMER_OFFSET = 0x4000;
export const MTIMER_SIZE = 0x8000;
/** MTIMECMP registers, 8 bytes per hart, relative to the MTIMER window. */
export const MTIMECMP_BASE = 0x0;
/** MTIME register, relative to the MTIMER window (RISCV_ACLINT_DEFAULT_MTIME). */
export const MTIME_BASE = 0x7ff8;

/** Absolute CLINT offsets firmware uses: msip at 0x0, mtimecmp at 0x4000, mtime at 0xbff8. */
export const CLINT_MSIP = MSWI_OFFSET;
export const CLINT_MTIMECMP = MTIMER_OFFSET + MTIMECMP_BASE;
export const CLINT_MTIME = MTIMER_OFFSET + MTIME_BASE;

export const NS_PER_SECOND = 1_000_000_000n;
export const INT64_MAX = 0x7fffffffffffffffn;
