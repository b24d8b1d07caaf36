// Basic blocks as the JIT sees them: a straight run of already-decoded slots of one page,
// from a head the interpreter found hot, ending after a branch/JAL/JALR, before any op the
// interpreter's hot switch does not handle (those leave through exec-slow.ts), before a slot
// not decoded yet (including a 32-bit instruction straddling the page end, which is never
// cached in its halfword slot), at the page end, or at the length cap.
//
// Only decoded slots are used, never memory: a store to the page clears every slot, so a
// block can never be built from bytes the interpreter would not have executed.
import { OP } from '../../isa/opcodes.ts';
import type { DecodedPage } from '../code-cache.ts';

export interface Block {
  /** Page offset of the first instruction. */
  head: number;
  /** Page offset of each instruction, in order. */
  offs: number[];
  /** Page offset just past the last instruction (may be 4096). */
  end: number;
}

/** Ops the interpreter runs inline (interp.ts hot switch) and the JIT can therefore compile. */
export const COMPILABLE = new Uint8Array(0x10000);
/** Ops after which a block ends because they choose the next pc. */
export const ENDS_BLOCK = new Uint8Array(0x10000);

const INLINE_OPS = [
  'LUI', 'AUIPC', 'JAL', 'JALR', 'BEQ', 'BNE', 'BLT', 'BGE', 'BLTU', 'BGEU',
  'LB', 'LH', 'LW', 'LD', 'LBU', 'LHU', 'LWU', 'SB', 'SH', 'SW', 'SD',
  'ADDI', 'SLTI', 'SLTIU', 'XORI', 'ORI', 'ANDI', 'SLLI', 'SRLI', 'SRAI',
  'ADD', 'SUB', 'SLL', 'SLT', 'SLTU', 'XOR', 'SRL', 'SRA', 'OR', 'AND',
  'ADDIW', 'SLLIW', 'SRLIW', 'SRAIW', 'ADDW', 'SUBW', 'SLLW', 'SRLW', 'SRAW',
  'FENCE', 'FENCE_TSO', 'FENCE_I',
  'MUL', 'MULH', 'MULHSU', 'MULHU', 'DIV', 'DIVU', 'REM', 'REMU', 'MULW', 'DIVW', 'DIVUW', 'REMW', 'REMUW',
] as const;
for (const name of INLINE_OPS) COMPILABLE[OP[name]] = 1;
for (const name of ['JAL', 'JALR', 'BEQ', 'BNE', 'BLT', 'BGE', 'BLTU', 'BGEU'] as const) ENDS_BLOCK[OP[name]] = 1;

/** The block starting at page offset `head`, or null if its first instruction cannot be compiled. */
export function scanBlock(dp: DecodedPage, head: number, maxInsns: number): Block | null {
  const offs: number[] = [];
  let off = head;
  while (off < 4096 && offs.length < maxInsns) {
    const i = off >>> 1;
    const op = dp.op[i];
    if (op === 0 || COMPILABLE[op] === 0) break;
    offs.push(off);
    off += dp.len[i];
    if (ENDS_BLOCK[op] === 1) break;
  }
  return offs.length === 0 ? null : { head, offs, end: off };
}

/**
 * Page offsets where execution may go after `block` and that already hold compilable decoded
 * code: branch targets and fall-throughs, JAL targets, and the instruction after a JAL/JALR
 * (where a call returns). Decoded means the interpreter executed it at least once, so
 * following these edges grows a region over code that has actually run.
 */
export function successors(dp: DecodedPage, block: Block): number[] {
  const last = block.offs[block.offs.length - 1];
  const op = dp.op[last >>> 1];
  const out: number[] = [];
  if (ENDS_BLOCK[op] === 1 && op !== OP.JALR) out.push(last + dp.imm[last >>> 1]);
  out.push(block.end);
  return out.filter((t) => t >= 0 && t < 4096 && COMPILABLE[dp.op[t >>> 1]] === 1);
}
