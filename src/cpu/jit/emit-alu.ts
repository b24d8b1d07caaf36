// JavaScript for the integer computational instructions (RV64I/M, unprivileged spec ch. 2,
// 5, 7), written to compute exactly what interp.ts's hot switch computes. Operands that are
// known at compile time (immediates, shift amounts, x0) are folded here, so the generated
// code does only what this particular instruction needs. Every emitter reads all its sources
// into temporaries before writing rd, since rd may be one of them.
import { OP } from '../../isa/opcodes.ts';
import type { RegisterNames } from './regs.ts';

/** One instruction's operands as the decoded cache holds them (register numbers pre-doubled). */
export interface Operands {
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
}

type AluEmitter = (r: RegisterNames, o: Operands) => string;

/** rd = sign-extended 32-bit value of `expr` (an int32 expression). */
function setW(r: RegisterNames, rd: number, expr: string): string {
  const lo = r.setLo(rd);
  return `${lo} = ${expr}; ${r.setHi(rd)} = ${lo} >> 31;`;
}

/**
 * rd = (lo, hi) where `lo` reads only low halves and `hi` only high halves, so writing rd's
 * low half first cannot change what `hi` reads (rd may be a source).
 */
function set64(r: RegisterNames, rd: number, lo: string, hi: string): string {
  return `${r.setLo(rd)} = ${lo}; ${r.setHi(rd)} = ${hi};`;
}

function addImm(r: RegisterNames, { rd, rs1, imm }: Operands): string {
  if (rs1 === 0) return `${r.setLo(rd)} = ${imm | 0}; ${r.setHi(rd)} = ${imm >> 31};`;
  if (imm === 0) return set64(r, rd, r.lo(rs1), r.hi(rs1));
  // carry out of the low word: the unsigned sum is below an addend
  return (
    `{ const ta = ${r.lo(rs1)}; const tl = (ta + ${imm}) | 0; ` +
    `const th = (${r.hi(rs1)} + ${imm >> 31} + (tl >>> 0 < ta >>> 0 ? 1 : 0)) | 0; ` +
    `${r.setLo(rd)} = tl; ${r.setHi(rd)} = th; }`
  );
}

function logicImm(opr: string) {
  return (r: RegisterNames, { rd, rs1, imm }: Operands): string =>
    set64(r, rd, `${r.lo(rs1)} ${opr} ${imm | 0}`, `${r.hi(rs1)} ${opr} ${imm >> 31}`);
}

function logicReg(opr: string) {
  return (r: RegisterNames, { rd, rs1, rs2 }: Operands): string =>
    set64(r, rd, `${r.lo(rs1)} ${opr} ${r.lo(rs2)}`, `${r.hi(rs1)} ${opr} ${r.hi(rs2)}`);
}

/** 64-bit shift by a constant amount 0..63. */
function shiftConst(r: RegisterNames, rd: number, rs1: number, s: number, kind: 'l' | 'rl' | 'ra'): string {
  const lo = r.lo(rs1), hi = r.hi(rs1);
  if (s === 0) return set64(r, rd, lo, hi);
  if (kind === 'l') {
    if (s < 32) return `{ const ta = ${lo}, tb = ${hi}; ${r.setHi(rd)} = (tb << ${s}) | (ta >>> ${32 - s}); ${r.setLo(rd)} = ta << ${s}; }`;
    return `{ const ta = ${lo}; ${r.setHi(rd)} = ta << ${s - 32}; ${r.setLo(rd)} = 0; }`;
  }
  const hs = kind === 'ra' ? '>>' : '>>>';
  if (s < 32) {
    return (
      `{ const ta = ${lo}, tb = ${hi}; ${r.setLo(rd)} = (ta >>> ${s}) | (tb << ${32 - s}); ` +
      `${r.setHi(rd)} = ${kind === 'ra' ? `tb >> ${s}` : `(tb >>> ${s}) | 0`}; }`
    );
  }
  return `{ const tb = ${hi}; ${r.setLo(rd)} = (tb ${hs} ${s - 32}) | 0; ${r.setHi(rd)} = ${kind === 'ra' ? 'tb >> 31' : '0'}; }`;
}

/** 64-bit shift by rs2 & 63, decided at run time (interp.ts shiftLeft/shiftRight). */
function shiftReg(kind: 'l' | 'rl' | 'ra') {
  return (r: RegisterNames, { rd, rs1, rs2 }: Operands): string => {
    const dl = r.setLo(rd), dh = r.setHi(rd);
    const head = `{ const ts = ${r.lo(rs2)} & 63, ta = ${r.lo(rs1)}, tb = ${r.hi(rs1)}; if (ts === 0) { ${dl} = ta; ${dh} = tb; } `;
    if (kind === 'l') {
      return (
        head +
        `else if (ts < 32) { ${dh} = (tb << ts) | (ta >>> (32 - ts)); ${dl} = ta << ts; } ` +
        `else { ${dh} = ta << (ts - 32); ${dl} = 0; } }`
      );
    }
    const arith = kind === 'ra';
    return (
      head +
      `else if (ts < 32) { ${dl} = (ta >>> ts) | (tb << (32 - ts)); ${dh} = ${arith ? 'tb >> ts' : '(tb >>> ts) | 0'}; } ` +
      `else { ${dl} = ${arith ? 'tb >> (ts - 32)' : '(tb >>> (ts - 32)) | 0'}; ${dh} = ${arith ? 'tb >> 31' : '0'}; } }`
    );
  };
}

/** Signed (or unsigned) a < b on pairs, as interp.ts compares. */
export function lessThan(al: string, ah: string, bl: string, bh: string, unsigned: boolean): string {
  if (unsigned) return `((${ah}) >>> 0 < (${bh}) >>> 0 || ((${ah}) === (${bh}) && (${al}) >>> 0 < (${bl}) >>> 0))`;
  return `((${ah}) < (${bh}) || ((${ah}) === (${bh}) && (${al}) >>> 0 < (${bl}) >>> 0))`;
}

function setLess(unsigned: boolean, withImm: boolean) {
  return (r: RegisterNames, { rd, rs1, rs2, imm }: Operands): string => {
    const bl = withImm ? String(imm | 0) : r.lo(rs2);
    const bh = withImm ? String(imm >> 31) : r.hi(rs2);
    return `{ const tc = ${lessThan(r.lo(rs1), r.hi(rs1), bl, bh, unsigned)} ? 1 : 0; ${r.setLo(rd)} = tc; ${r.setHi(rd)} = 0; }`;
  };
}

/** Calls an int64.ts helper that writes its result to a scratch pair T, then moves it to rd. */
function viaScratch(call: (a: string) => string) {
  return (r: RegisterNames, o: Operands): string => `${call(argsOf(r, o))} ${r.setLo(o.rd)} = T[0]; ${r.setHi(o.rd)} = T[1];`;
}

function argsOf(r: RegisterNames, { rs1, rs2 }: Operands): string {
  return `${r.lo(rs1)}, ${r.hi(rs1)}, ${r.lo(rs2)}, ${r.hi(rs2)}`;
}

const EMITTERS: Partial<Record<number, AluEmitter>> = {
  [OP.ADDI]: addImm,
  [OP.ADD]: (r, { rd, rs1, rs2 }) =>
    `{ const ta = ${r.lo(rs1)}; const tl = (ta + ${r.lo(rs2)}) | 0; ` +
    `const th = (${r.hi(rs1)} + ${r.hi(rs2)} + (tl >>> 0 < ta >>> 0 ? 1 : 0)) | 0; ${r.setLo(rd)} = tl; ${r.setHi(rd)} = th; }`,
  [OP.SUB]: (r, { rd, rs1, rs2 }) =>
    `{ const ta = ${r.lo(rs1)}, tb = ${r.lo(rs2)}; ` +
    `const th = (${r.hi(rs1)} - ${r.hi(rs2)} - (ta >>> 0 < tb >>> 0 ? 1 : 0)) | 0; ${r.setLo(rd)} = (ta - tb) | 0; ${r.setHi(rd)} = th; }`,
  [OP.LUI]: (r, { rd, imm }) => `${r.setLo(rd)} = ${imm | 0}; ${r.setHi(rd)} = ${imm >> 31};`,
  [OP.ADDIW]: (r, { rd, rs1, imm }) => setW(r, rd, `(${r.lo(rs1)} + ${imm | 0}) | 0`),
  [OP.ADDW]: (r, { rd, rs1, rs2 }) => setW(r, rd, `(${r.lo(rs1)} + ${r.lo(rs2)}) | 0`),
  [OP.SUBW]: (r, { rd, rs1, rs2 }) => setW(r, rd, `(${r.lo(rs1)} - ${r.lo(rs2)}) | 0`),
  [OP.ANDI]: logicImm('&'),
  [OP.ORI]: logicImm('|'),
  [OP.XORI]: logicImm('^'),
  [OP.AND]: logicReg('&'),
  [OP.OR]: logicReg('|'),
  [OP.XOR]: logicReg('^'),
  [OP.SLLI]: (r, { rd, rs1, imm }) => shiftConst(r, rd, rs1, imm, 'l'),
  [OP.SRLI]: (r, { rd, rs1, imm }) => shiftConst(r, rd, rs1, imm, 'rl'),
  [OP.SRAI]: (r, { rd, rs1, imm }) => shiftConst(r, rd, rs1, imm, 'ra'),
  [OP.SLL]: shiftReg('l'),
  [OP.SRL]: shiftReg('rl'),
  [OP.SRA]: shiftReg('ra'),
  [OP.SLLIW]: (r, { rd, rs1, imm }) => setW(r, rd, `${r.lo(rs1)} << ${imm}`),
  [OP.SRLIW]: (r, { rd, rs1, imm }) => setW(r, rd, `(${r.lo(rs1)} >>> ${imm}) | 0`),
  [OP.SRAIW]: (r, { rd, rs1, imm }) => setW(r, rd, `${r.lo(rs1)} >> ${imm}`),
  [OP.SLLW]: (r, { rd, rs1, rs2 }) => setW(r, rd, `${r.lo(rs1)} << (${r.lo(rs2)} & 31)`),
  [OP.SRLW]: (r, { rd, rs1, rs2 }) => setW(r, rd, `(${r.lo(rs1)} >>> (${r.lo(rs2)} & 31)) | 0`),
  [OP.SRAW]: (r, { rd, rs1, rs2 }) => setW(r, rd, `${r.lo(rs1)} >> (${r.lo(rs2)} & 31)`),
  [OP.SLT]: setLess(false, false),
  [OP.SLTU]: setLess(true, false),
  [OP.SLTI]: setLess(false, true),
  [OP.SLTIU]: setLess(true, true),
  [OP.MUL]: viaScratch((a) => `mul64(T, 0, ${a});`),
  [OP.MULW]: (r, { rd, rs1, rs2 }) => setW(r, rd, `Math.imul(${r.lo(rs1)}, ${r.lo(rs2)})`),
  [OP.MULH]: viaScratch((a) => `mulh64(T, 0, ${a}, 0);`),
  [OP.MULHSU]: viaScratch((a) => `mulh64(T, 0, ${a}, 1);`),
  [OP.MULHU]: viaScratch((a) => `mulh64(T, 0, ${a}, 2);`),
  [OP.DIV]: viaScratch((a) => `div64(T, 0, ${a}, true, false);`),
  [OP.DIVU]: viaScratch((a) => `div64(T, 0, ${a}, false, false);`),
  [OP.REM]: viaScratch((a) => `div64(T, 0, ${a}, true, true);`),
  [OP.REMU]: viaScratch((a) => `div64(T, 0, ${a}, false, true);`),
  [OP.DIVW]: (r, o) => `div32(T, 0, ${r.lo(o.rs1)}, ${r.lo(o.rs2)}, true, false); ${r.setLo(o.rd)} = T[0]; ${r.setHi(o.rd)} = T[1];`,
  [OP.DIVUW]: (r, o) => `div32(T, 0, ${r.lo(o.rs1)}, ${r.lo(o.rs2)}, false, false); ${r.setLo(o.rd)} = T[0]; ${r.setHi(o.rd)} = T[1];`,
  [OP.REMW]: (r, o) => `div32(T, 0, ${r.lo(o.rs1)}, ${r.lo(o.rs2)}, true, true); ${r.setLo(o.rd)} = T[0]; ${r.setHi(o.rd)} = T[1];`,
  [OP.REMUW]: (r, o) => `div32(T, 0, ${r.lo(o.rs1)}, ${r.lo(o.rs2)}, false, true); ${r.setLo(o.rd)} = T[0]; ${r.setHi(o.rd)} = T[1];`,
  // FENCE*: a single hart with one coherent store sees nothing to order (interp.ts: no-op)
  [OP.FENCE]: () => '',
  [OP.FENCE_TSO]: () => '',
  [OP.FENCE_I]: () => '',
};

/**
 * Code for a computational instruction, or null if `op` is not one. Writes to x0 still go to
 * the sink pair, as in the interpreter, so h.x ends up identical word for word.
 */
export function emitAlu(r: RegisterNames, op: number, o: Operands): string | null {
  const emit = EMITTERS[op];
  return emit === undefined ? null : emit(r, o);
}
