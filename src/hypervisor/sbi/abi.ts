// The SBI binary encoding (RISC-V SBI specification v2.0, chapter 3) and the shapes every
// extension file shares: error codes, extension/function descriptors, hart masks (§3.1) and
// guest-physical address ranges (§3.2). Extensions are data: one descriptor per extension,
// one entry per function ID, so the dispatcher, probe_extension and the docs agree.
import type { GuestMemory } from '../types.ts';
import type { SbiHost } from './host.ts';

/** Standard SBI errors (§3, table "Standard SBI Errors"), as the i64 `sbiret.error`. */
export const SbiError = Object.freeze({
  SUCCESS: 0n,
  FAILED: -1n,
  NOT_SUPPORTED: -2n,
  INVALID_PARAM: -3n,
  DENIED: -4n,
  INVALID_ADDRESS: -5n,
  ALREADY_AVAILABLE: -6n,
  ALREADY_STARTED: -7n,
  ALREADY_STOPPED: -8n,
  NO_SHMEM: -9n,
});

/** Extension IDs (a7) Chronovisor knows about; the number is the spec's, the name its tag. */
export const EID = Object.freeze({
  LEGACY_SET_TIMER: 0x00,
  LEGACY_CONSOLE_PUTCHAR: 0x01,
  LEGACY_CONSOLE_GETCHAR: 0x02,
  LEGACY_CLEAR_IPI: 0x03,
  LEGACY_SEND_IPI: 0x04,
  LEGACY_REMOTE_FENCE_I: 0x05,
  LEGACY_REMOTE_SFENCE_VMA: 0x06,
  LEGACY_REMOTE_SFENCE_VMA_ASID: 0x07,
  LEGACY_SHUTDOWN: 0x08,
  /** 0x00..0x0F are the legacy range (§5): FID ignored, only a0 returned. */
  LEGACY_LAST: 0x0f,
  BASE: 0x10,
  TIME: 0x54494d45, // "TIME"
  IPI: 0x735049, // "sPI"
  RFENCE: 0x52464e43, // "RFNC"
  HSM: 0x48534d, // "HSM"
  SRST: 0x53525354, // "SRST"
  PMU: 0x504d55, // "PMU" (not implemented)
  DBCN: 0x4442434e, // "DBCN"
  SUSP: 0x53555350, // "SUSP" (not implemented)
});

/** XLEN-wide all-ones: hart_mask_base = -1 (§3.1), size = 2^XLEN - 1 (§8). */
export const ALL_ONES = (1n << 64n) - 1n;

/** What the hypervisor core must do after an SBI call, beyond resuming the caller. */
export type SbiAction =
  /** Resume the caller at pc (already advanced past the ecall). */
  | { readonly kind: 'continue' }
  /** §9.1: the caller resumes; vCPU `hart` (STOPPED) starts at `startAddr` with a0 = hart, a1 = opaque. */
  | { readonly kind: 'hart-start'; readonly hart: number; readonly startAddr: bigint; readonly opaque: bigint }
  /** §9.2: the caller stops (STARTED → STOPPED) until some hart_start names it. */
  | { readonly kind: 'hart-stop' }
  /** §9.4 retentive: block the caller until an interrupt it enables is pending, then resume at pc. */
  | { readonly kind: 'hart-suspend'; readonly retentive: true; readonly suspendType: number }
  /** §9.4 non-retentive: block as above, then enter at `resumeAddr` with a0 = hartid, a1 = opaque. */
  | { readonly kind: 'hart-suspend'; readonly retentive: false; readonly suspendType: number; readonly resumeAddr: bigint; readonly opaque: bigint }
  /** §10.1 (and legacy shutdown, §5.9): the domain shuts down or reboots; the caller never resumes. */
  | { readonly kind: 'system-reset'; readonly type: ResetType; readonly reason: ResetReason };

/** §10.1 reset types 0, 1, 2 (the only ones Chronovisor implements). */
export type ResetType = 'shutdown' | 'cold-reboot' | 'warm-reboot';
/** §10.1 reset reasons 0, 1. */
export type ResetReason = 'none' | 'system-failure';

/** A function's answer: sbiret (§3) plus what the core must do. */
export interface SbiResult {
  readonly error: bigint;
  readonly value: bigint;
  readonly action?: SbiAction;
}

/** One SBI call as a function sees it. */
export interface SbiCall {
  /** The calling vCPU, which is also its hartid (hartid = vCPU index in the domain). */
  readonly hart: number;
  /** a0..a5, unsigned 64-bit (only the first `argc` are meaningful). */
  readonly args: readonly bigint[];
  readonly host: SbiHost;
}

export interface SbiFunction {
  /** The spec's C name, e.g. `sbi_set_timer`. */
  readonly name: string;
  /** How many of a0..a5 the function reads; those are logged in the `sbi` event. */
  readonly argc: number;
  readonly handle: (call: SbiCall) => SbiResult;
}

export interface SbiExtension {
  readonly eid: number;
  readonly name: string;
  /** Legacy convention (§5): FID ignored, only a0 is written (a0 = error, or value on success). */
  readonly legacy?: boolean;
  /** Indexed by FID; a hole or an FID past the end answers SBI_ERR_NOT_SUPPORTED. */
  readonly functions: readonly (SbiFunction | undefined)[];
}

export function ok(value: bigint = 0n, action?: SbiAction): SbiResult {
  return action ? { error: SbiError.SUCCESS, value, action } : { error: SbiError.SUCCESS, value };
}

export function fail(error: bigint): SbiResult {
  return { error, value: 0n };
}

/**
 * A 32-bit parameter (uint32_t in the spec's prototypes: suspend_type, reset_type, reset_reason).
 * Callers may pass it sign-extended (the C ABI) or zero-extended (`unsigned long`), so only
 * the low 32 bits count.
 */
export function u32(x: bigint): number {
  return Number(x & 0xffff_ffffn);
}

/** A hartid argument as a vCPU index, or null when the domain has no such vCPU. */
export function hartIndex(hartid: bigint, hartCount: number): number | null {
  return hartid < BigInt(hartCount) ? Number(hartid) : null;
}

/**
 * §3.1 hart list: the vCPUs named by (hart_mask, hart_mask_base), ascending, or null when the
 * base or any named hartid is not a vCPU of the domain (the caller answers INVALID_PARAM).
 * hart_mask_base = -1 means every vCPU, whatever hart_mask holds.
 */
export function hartMaskTargets(mask: bigint, base: bigint, hartCount: number): number[] | null {
  if (base === ALL_ONES) return Array.from({ length: hartCount }, (_, i) => i);
  const count = BigInt(hartCount);
  if (base >= count) return null;
  const harts: number[] = [];
  for (let bit = 0n; mask >> bit !== 0n; bit++) {
    if (((mask >> bit) & 1n) === 0n) continue;
    if (base + bit >= count) return null;
    harts.push(Number(base + bit));
  }
  return harts;
}

/**
 * §3.2 physical address range: the guest-physical address (hi:lo) when all `bytes` bytes from
 * it lie in the domain's RAM (the only memory an SBI call may access for the guest), else null.
 */
export function guestRamRange(memory: GuestMemory, lo: bigint, hi: bigint, bytes: bigint): bigint | null {
  if (hi !== 0n) return null; // above 2^64: no guest RAM there
  const end = memory.ramBase + BigInt(memory.ramBytes);
  return lo >= memory.ramBase && lo <= end && bytes <= end - lo ? lo : null;
}

/**
 * Whether a vCPU may start (or resume) executing at guest-physical `addr` with the MMU off
 * (§9.1, §9.4 SBI_ERR_INVALID_ADDRESS): in guest RAM, the only memory the G-stage maps
 * executable, and 2-byte aligned (IALIGN = 16 with the C extension; pc bit 0 is always 0).
 */
export function isExecutableAddress(memory: GuestMemory, addr: bigint): boolean {
  return (addr & 1n) === 0n && guestRamRange(memory, addr, 0n, 2n) !== null;
}
