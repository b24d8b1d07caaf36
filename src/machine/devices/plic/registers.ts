// PLIC register layout as QEMU 7.2's virt configures hw/intc/sifive_plic.c
// (include/hw/riscv/virt.h VIRT_PLIC_*; RISC-V PLIC spec v1.0.0 section 3).

/**
 * Priority registers. QEMU 7.2's virt passes priority-base 0x04 and maps offset 4*(n-1)+4 to
 * source n, so offset 0x0 (source 0) is unimplemented and the register after source 95
 * (offset 0x180) is backed by memory past QEMU's array; we give it a harmless slot.
 */
export const PRIORITY_BASE = 0x4;
export const PENDING_BASE = 0x1000;
export const ENABLE_BASE = 0x2000;
export const ENABLE_STRIDE = 0x80;
export const CONTEXT_BASE = 0x200000;
export const CONTEXT_STRIDE = 0x1000;
/** Offsets inside a context block. */
export const CONTEXT_THRESHOLD = 0x0;
export const CONTEXT_CLAIM = 0x4;

/** Contexts per hart on virt: hart h has context 2h (M-mode) and 2h+1 (S-mode). */
export const CONTEXTS_PER_HART = 2;

/** Byte offset of the enable word holding `source` for `context`. */
export function enableOffset(context: number, source: number): number {
  return ENABLE_BASE + context * ENABLE_STRIDE + (source >> 5) * 4;
}

/** Byte offset of the threshold (or, +4, claim/complete) register of `context`. */
export function contextOffset(context: number): number {
  return CONTEXT_BASE + context * CONTEXT_STRIDE;
}

/** Byte offset of the priority register of `source` (1-based, as the guest sees it). */
export function priorityOffset(source: number): number {
  return PRIORITY_BASE + (source - 1) * 4;
}
