// JavaScript for the instructions that use their own pc (AUIPC, and branch/JAL/JALR, which
// end a block) and for the move to the next block. A target that is a block of the same
// region is entered directly (after its budget check); any other target leaves the region:
// in-page targets by page offset (the interpreter goes on with the same decoded page, as it
// would have), others with the new pc, making the interpreter resolve the page again —
// exactly where interp.ts re-resolves, since a fresh translation is observable.
//
// Names the generated code relies on (region.ts): pageLo, pageHi, MAP, b, the loop label R
// and the exit locals (exits.ts).
import { OP } from '../../isa/opcodes.ts';
import { lessThan, type Operands } from './emit-alu.ts';
import type { RegisterNames } from './regs.ts';
import { exitAbs, exitCode, exitRel } from './exits.ts';

/** Which page offsets start a block of the region being compiled (and its index). */
export interface RegionHeads {
  indexOf(off: number): number; // -1 if not a head of the region
  /** Index of the block being emitted: it loops on itself without going through the switch. */
  readonly current: number;
}

/** Moves to page offset `to` (0..4096) once the block has retired (its count is already in n). */
export function goTo(heads: RegionHeads, to: number): string {
  if (to >= 4096) return exitRel(0, to);
  const idx = heads.indexOf(to);
  if (idx === heads.current) return 'continue;'; // region.ts wraps such a block in its own loop
  if (idx >= 0) return `b = ${idx}; continue R;`;
  return exitCode(to);
}

/** Whether the block ending with `op` (at `off`) can branch or jump to its own head. */
export function loopsToItself(op: number, off: number, imm: number, head: number): boolean {
  return (op === OP.JAL || (op >= OP.BEQ && op <= OP.BGEU)) && off + imm === head;
}

/** Moves to pc + imm for a branch or JAL at page offset `off`. */
function goRel(heads: RegionHeads, off: number, imm: number): string {
  const t = off + imm;
  return t >= 0 && t < 4096 ? goTo(heads, t) : exitRel(off, imm);
}

/** rd = the link address (pc of the next instruction), 64-bit. */
function link(r: RegisterNames, rd: number, next: number): string {
  if (next < 4096) return `${r.setLo(rd)} = pageLo | ${next}; ${r.setHi(rd)} = pageHi;`;
  return (
    `{ const tk = (pageLo + ${next}) | 0; ${r.setLo(rd)} = tk; ` +
    `${r.setHi(rd)} = tk >>> 0 < pageLo >>> 0 ? (pageHi + 1) | 0 : pageHi; }`
  );
}

/** The branch condition, simplified when a source is x0. */
function condition(r: RegisterNames, op: number, rs1: number, rs2: number): string {
  const al = r.lo(rs1), ah = r.hi(rs1), bl = r.lo(rs2), bh = r.hi(rs2);
  switch (op) {
    case OP.BEQ:
      return rs2 === 0 ? `(${al} | ${ah}) === 0` : `${al} === ${bl} && ${ah} === ${bh}`;
    case OP.BNE:
      return rs2 === 0 ? `(${al} | ${ah}) !== 0` : `${al} !== ${bl} || ${ah} !== ${bh}`;
    case OP.BLT:
      return rs2 === 0 ? `${ah} < 0` : lessThan(al, ah, bl, bh, false);
    case OP.BGE:
      return rs2 === 0 ? `${ah} >= 0` : `!${lessThan(al, ah, bl, bh, false)}`;
    case OP.BLTU:
      return lessThan(al, ah, bl, bh, true);
    default:
      return `!${lessThan(al, ah, bl, bh, true)}`;
  }
}

/**
 * Code for an instruction that needs its own pc: AUIPC, or the block-ending `op` at page
 * offset `off` (length ending at `next`). Null for others.
 */
export function emitControl(r: RegisterNames, heads: RegionHeads, op: number, o: Operands, off: number, next: number): string | null {
  switch (op) {
    case OP.AUIPC:
      return (
        `{ const tp = pageLo | ${off}; const tl = (tp + ${o.imm | 0}) | 0; ` +
        `const th = (pageHi + ${o.imm >> 31} + (tl >>> 0 < tp >>> 0 ? 1 : 0)) | 0; ${r.setLo(o.rd)} = tl; ${r.setHi(o.rd)} = th; }`
      );
    case OP.JAL:
      return `${link(r, o.rd, next)} ${goRel(heads, off, o.imm)}`;
    case OP.JALR:
      // the base is read before rd is written (rd may be rs1)
      return (
        `{ const tb = ${r.lo(o.rs1)}, tbh = ${r.hi(o.rs1)}; ${link(r, o.rd, next)} ` +
        `const tl = (tb + ${o.imm | 0}) | 0; const th = (tbh + ${o.imm >> 31} + (tl >>> 0 < tb >>> 0 ? 1 : 0)) | 0; const tg = tl & ~1; ` +
        `if (th === pageHi && (tg & ~0xfff) === pageLo) { const to = tg & 0xfff; const tx = MAP[to >>> 1]; ` +
        `if (tx !== 0) { b = tx - 1; continue R; } xo = to; break R; } ` +
        `${exitAbs('tg', 'th')} }`
      );
    case OP.BEQ:
    case OP.BNE:
    case OP.BLT:
    case OP.BGE:
    case OP.BLTU:
    case OP.BGEU:
      return `if (${condition(r, op, o.rs1, o.rs2)}) { ${goRel(heads, off, o.imm)} } ${goTo(heads, next)}`;
    default:
      return null;
  }
}
