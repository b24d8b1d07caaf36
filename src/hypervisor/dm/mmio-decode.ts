// Decoding a faulting guest load/store so the device model can emulate it.
//
// An HVM guest's G-stage table (p2m) maps only its RAM, so a load or store to a device
// address takes a guest-page fault (causes 21/23, privileged spec 9.6.3). The core reads the
// instruction at the guest's pc and hands its bits here. We decode with the hart's own decoder
// (src/isa/decode.ts): the decoder expands compressed forms to their base op, so C.LW/C.LD/
// C.SW/C.SD and the stack-pointer forms arrive as LW/LD/SW/SD with len 2, and what is
// emulated can never disagree with what the hart executes.
//
// Not emulated (null): FP loads/stores (the value lives in an FP register, and a device
// register has no meaningful NaN boxing), AMOs and LR/SC (a read-modify-write on a device is
// not atomic in any useful sense; real buses answer these with an access fault), and anything
// that is not a memory access at all. The core reports these as a guest error.
//
// The bits must be the original instruction fetched from the guest, not htinst: a transformed
// instruction in htinst marks a compressed original with bits [1:0] = 01 (spec 9.6.3), which
// this decoder would take for a quadrant-1 compressed instruction.

import { decode, type Decoded } from '../../isa/decode.ts';
import { OP } from '../../isa/opcodes.ts';
import { disassemble } from '../../isa/disasm.ts';

export type MmioSize = 1 | 2 | 4 | 8;

/** What a faulting load/store asks of the device model. */
export interface MmioAccess {
  readonly write: boolean;
  readonly size: MmioSize;
  /** Loads only: sign-extend the value to 64 bits (LB, LH, LW); false for stores. */
  readonly signed: boolean;
  /** rd for loads (may be x0: the access still happens, nothing is written back), rs2 for stores. */
  readonly reg: number;
  /** Length of the instruction in bytes, to skip it once the access is emulated. */
  readonly len: 2 | 4;
}

interface Shape {
  readonly write: boolean;
  readonly size: MmioSize;
  readonly signed: boolean;
}

// One entry per emulated op; RV64 base loads/stores (unprivileged spec 2.6, 5.3).
const SHAPES = new Map<number, Shape>([
  [OP.LB, { write: false, size: 1, signed: true }],
  [OP.LH, { write: false, size: 2, signed: true }],
  [OP.LW, { write: false, size: 4, signed: true }],
  [OP.LD, { write: false, size: 8, signed: false }],
  [OP.LBU, { write: false, size: 1, signed: false }],
  [OP.LHU, { write: false, size: 2, signed: false }],
  [OP.LWU, { write: false, size: 4, signed: false }],
  [OP.SB, { write: true, size: 1, signed: false }],
  [OP.SH, { write: true, size: 2, signed: false }],
  [OP.SW, { write: true, size: 4, signed: false }],
  [OP.SD, { write: true, size: 8, signed: false }],
]);

const FP_MEMORY_OPS = new Set<number>([OP.FLW, OP.FLD, OP.FSW, OP.FSD]);

/** Decodes the instruction that took an MMIO guest-page fault; null when it cannot be emulated. */
export function decodeMmioAccess(insnBits: number): MmioAccess | null {
  const d = decode(insnBits >>> 0);
  const shape = SHAPES.get(d.op);
  if (!shape) return null;
  return { write: shape.write, size: shape.size, signed: shape.signed, reg: shape.write ? d.rs2 : d.rd, len: d.len };
}

/**
 * Why `insnBits` is not emulated, for the core's guest-error message, e.g.
 * "fsd fa0,8(a1): FP loads/stores to MMIO are not emulated".
 */
export function mmioDecodeFailure(insnBits: number): string {
  const d: Decoded = decode(insnBits >>> 0);
  const text = d.op === OP.ILLEGAL ? `instruction 0x${(insnBits >>> 0).toString(16)}` : disassemble(d, 0n);
  if (FP_MEMORY_OPS.has(d.op)) return `${text}: FP loads/stores to MMIO are not emulated`;
  if (OP.LR_W <= d.op && d.op <= OP.AMOMAXU_D) return `${text}: atomic memory operations on MMIO are not emulated`;
  if (SHAPES.has(d.op)) return `${text}: emulated`;
  return `${text}: not a load or store, so it cannot have faulted on MMIO`;
}

/** The register value a load writes back: the `size`-byte device value sign- or zero-extended. */
export function applyLoad(value: bigint, size: MmioSize, signed: boolean): bigint {
  const bits = size * 8;
  const v = BigInt.asUintN(bits, value);
  return signed ? BigInt.asUintN(64, BigInt.asIntN(bits, v)) : v;
}

/** The bytes a store sends to the device: the low `size` bytes of rs2, zero-extended. */
export function storeValue(regValue: bigint, size: MmioSize): bigint {
  return BigInt.asUintN(size * 8, regValue);
}

/**
 * The guest-physical address of a guest-page fault: htval holds it shifted right by 2, and the
 * low two bits come from the guest virtual address in stval (privileged spec 9.4.4).
 */
export function faultingGpa(htval: bigint, tval: bigint): bigint {
  return (htval << 2n) | (tval & 3n);
}
