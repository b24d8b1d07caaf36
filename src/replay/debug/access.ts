// Which memory a decoded instruction touches: loads, stores, AMOs, LR/SC, FP loads/stores and
// the H extension's HLV/HSV (compressed forms decode to the same base ops). Watchpoints use
// this to compute an instruction's effective address from the registers, above the hart,
// without touching the interpreter.
import { decode } from '../../isa/decode.ts';
import { OP } from '../../isa/opcodes.ts';

export type AccessKind = 'load' | 'store' | 'amo' | 'lr' | 'sc';

export interface AccessShape {
  kind: AccessKind;
  /** Bytes accessed. */
  size: number;
  /** Base register; the address is x[base] + offset. */
  base: number;
  offset: number;
  /** Destination register (SC reports success in it). */
  rd: number;
  /** Does the access read / write memory (SC writes only when it succeeds). */
  reads: boolean;
  writes: boolean;
}

type Kind = Omit<AccessShape, 'base' | 'offset' | 'rd'>;

const LOADS: Record<number, number> = {
  [OP.LB]: 1, [OP.LBU]: 1, [OP.LH]: 2, [OP.LHU]: 2, [OP.LW]: 4, [OP.LWU]: 4, [OP.LD]: 8,
  [OP.FLW]: 4, [OP.FLD]: 8,
  [OP.HLV_B]: 1, [OP.HLV_BU]: 1, [OP.HLV_H]: 2, [OP.HLV_HU]: 2, [OP.HLVX_HU]: 2,
  [OP.HLV_W]: 4, [OP.HLV_WU]: 4, [OP.HLVX_WU]: 4, [OP.HLV_D]: 8,
};
const STORES: Record<number, number> = {
  [OP.SB]: 1, [OP.SH]: 2, [OP.SW]: 4, [OP.SD]: 8, [OP.FSW]: 4, [OP.FSD]: 8,
  [OP.HSV_B]: 1, [OP.HSV_H]: 2, [OP.HSV_W]: 4, [OP.HSV_D]: 8,
};
const AMO_W = [OP.AMOSWAP_W, OP.AMOADD_W, OP.AMOXOR_W, OP.AMOAND_W, OP.AMOOR_W, OP.AMOMIN_W, OP.AMOMAX_W, OP.AMOMINU_W, OP.AMOMAXU_W];
const AMO_D = [OP.AMOSWAP_D, OP.AMOADD_D, OP.AMOXOR_D, OP.AMOAND_D, OP.AMOOR_D, OP.AMOMIN_D, OP.AMOMAX_D, OP.AMOMINU_D, OP.AMOMAXU_D];

/** By op id: the kind of access, without registers (undefined: not a memory instruction). */
const KINDS: Array<Kind | undefined> = [];
for (const [op, size] of Object.entries(LOADS)) KINDS[Number(op)] = { kind: 'load', size, reads: true, writes: false };
for (const [op, size] of Object.entries(STORES)) KINDS[Number(op)] = { kind: 'store', size, reads: false, writes: true };
for (const op of AMO_W) KINDS[op] = { kind: 'amo', size: 4, reads: true, writes: true };
for (const op of AMO_D) KINDS[op] = { kind: 'amo', size: 8, reads: true, writes: true };
KINDS[OP.LR_W] = { kind: 'lr', size: 4, reads: true, writes: false };
KINDS[OP.LR_D] = { kind: 'lr', size: 8, reads: true, writes: false };
KINDS[OP.SC_W] = { kind: 'sc', size: 4, reads: false, writes: true };
KINDS[OP.SC_D] = { kind: 'sc', size: 8, reads: false, writes: true };

/** HLV/HSV and the A extension address memory with rs1 alone (no offset). */
const NO_OFFSET = new Set<number>([...AMO_W, ...AMO_D, OP.LR_W, OP.LR_D, OP.SC_W, OP.SC_D,
  OP.HLV_B, OP.HLV_BU, OP.HLV_H, OP.HLV_HU, OP.HLVX_HU, OP.HLV_W, OP.HLV_WU, OP.HLVX_WU, OP.HLV_D,
  OP.HSV_B, OP.HSV_H, OP.HSV_W, OP.HSV_D]);

/** Shapes by instruction bits: decoding is pure, and a step loop sees the same few encodings. */
const cache = new Map<number, AccessShape | null>();

/** The memory access the instruction `raw` makes, or null when it makes none. */
export function accessOfRaw(raw: number): AccessShape | null {
  let s = cache.get(raw);
  if (s !== undefined) return s;
  const d = decode(raw);
  const k = KINDS[d.op];
  s = k ? { ...k, base: d.rs1, offset: NO_OFFSET.has(d.op) ? 0 : d.imm, rd: d.rd } : null;
  if (cache.size > 1 << 16) cache.clear();
  cache.set(raw, s);
  return s;
}
