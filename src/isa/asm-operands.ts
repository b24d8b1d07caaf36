// Operands of inst()/asm(): turns a mnemonic and its operands, in the order objdump prints
// them, into encoder fields, using the operand layouts of opcodes.ts (OPERANDS).
import { MNEMONIC, OP, OPERANDS } from './opcodes.ts';
import type { Fields } from './encode.ts';
import { freg, xreg, type RegisterName } from './registers.ts';
import { csrNumber } from './csr-names.ts';

/** Register name/number, immediate, CSR name, rounding mode ('rne'...), fence set ('iorw'), or label. */
export type Operand = RegisterName | number | bigint | string;

export interface Mnemonic {
  op: number;
  layout: string;
  /** AMO ordering bits from a `.aq`/`.rl`/`.aqrl` suffix. */
  rm?: number;
}

const BY_NAME = new Map<string, number>();
MNEMONIC.forEach((name, op) => op !== OP.ILLEGAL && BY_NAME.set(name, op));
const AMO_SUFFIX: Record<string, number> = { '.aq': 2, '.rl': 1, '.aqrl': 3 };
const ROUNDING = ['rne', 'rtz', 'rdn', 'rup', 'rmm', '', '', 'dyn'];
const RM_DYN = 7;

/** The op behind an objdump mnemonic (with optional AMO ordering suffix), or undefined. */
export function opByMnemonic(mnemonic: string): Mnemonic | undefined {
  const m = mnemonic.trim().toLowerCase();
  const op = BY_NAME.get(m);
  if (op !== undefined) return { op, layout: OPERANDS[op] };
  const suffix = /^(.*?)(\.aq|\.rl|\.aqrl)$/.exec(m);
  if (suffix) {
    const base = BY_NAME.get(suffix[1]);
    if (base !== undefined && base >= OP.LR_W && base <= OP.AMOMAXU_D) return { op: base, layout: OPERANDS[base], rm: AMO_SUFFIX[suffix[2]] };
  }
  return undefined;
}

export class OperandError extends Error {
  override name = 'OperandError';
}

function num(v: Operand | undefined, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^[+-]?(0x[0-9a-f]+|0b[01]+|\d+)$/i.test(v.trim())) {
    const t = v.trim();
    const neg = t.startsWith('-');
    const n = Number(BigInt(t.replace(/^[+-]/, '')));
    return neg ? -n : n;
  }
  throw new OperandError(`expected ${what}, got ${v === undefined ? 'nothing' : JSON.stringify(String(v))}`);
}

function fenceSet(v: Operand | undefined): number {
  if (typeof v === 'number') return v & 15;
  const s = String(v ?? '').toLowerCase();
  if (!/^[iorw]+$/.test(s)) throw new OperandError(`expected a fence set of i, o, r, w (like "rw"), got ${JSON.stringify(String(v))}`);
  return (s.includes('i') ? 8 : 0) | (s.includes('o') ? 4 : 0) | (s.includes('r') ? 2 : 0) | (s.includes('w') ? 1 : 0);
}

function roundingMode(v: Operand): number {
  if (typeof v === 'number') return v;
  const i = ROUNDING.indexOf(String(v).toLowerCase());
  if (i < 0 || String(v) === '') throw new OperandError(`expected a rounding mode (rne, rtz, rdn, rup, rmm, dyn), got ${JSON.stringify(String(v))}`);
  return i;
}

/**
 * Encoder fields for `m` from `operands` (in objdump's printed order; a memory operand
 * `off(base)` is two operands, `off` then `base`; `(base)` of AMOs is one). For branches and
 * jumps `target` is the byte offset from the instruction and is not among `operands`.
 */
export function fieldsFor(m: Mnemonic, operands: Operand[], target?: bigint): Fields {
  const f: Fields = { op: m.op, rd: 0, rs1: 0, rs2: 0, rs3: 0, imm: 0, rm: m.rm ?? 0 };
  if (m.op === OP.FENCE && operands.length === 0) return { ...f, rm: 0xff }; // bare `fence` is iorw,iorw
  // exact conversions carry rm = 0 (what gas emits and objdump expects); others default to dyn
  if (m.layout.endsWith(',m')) f.rm = m.op === OP.FCVT_D_W || m.op === OP.FCVT_D_WU || m.op === OP.FCVT_D_S ? 0 : RM_DYN;
  let i = 0;
  const next = (): Operand => {
    if (i >= operands.length) throw new OperandError(`missing operand ${i + 1}: ${MNEMONIC[m.op]} takes ${m.layout || 'no operands'}`);
    return operands[i++];
  };
  for (let k = 0; k < m.layout.length; k++) {
    const c = m.layout[k];
    switch (c) {
      case 'd': f.rd = xreg(next() as RegisterName); break;
      case 's': f.rs1 = xreg(next() as RegisterName); break;
      case 't': f.rs2 = xreg(next() as RegisterName); break;
      case 'D': f.rd = freg(next() as RegisterName); break;
      case 'S': f.rs1 = freg(next() as RegisterName); break;
      case 'T': f.rs2 = freg(next() as RegisterName); break;
      case 'R': f.rs3 = freg(next() as RegisterName); break;
      case 'j': case 'o': case 'q': case '>': case '<': f.imm = num(next(), 'an immediate'); break;
      case 'u': f.imm = (num(next(), 'a 20-bit upper immediate') << 12) | 0; break;
      case 'Z': f.rs1 = num(next(), 'a 5-bit immediate'); break;
      case 'E': {
        const v = next();
        const n = typeof v === 'string' ? csrNumber(v) ?? (/^\d|^0x/i.test(v) ? num(v, 'a CSR') : undefined) : num(v, 'a CSR');
        if (n === undefined) throw new OperandError(`unknown CSR ${JSON.stringify(v)}`);
        f.imm = n;
        break;
      }
      case 'm': if (i < operands.length) f.rm = roundingMode(next()); break;
      case 'P': f.rm = (fenceSet(next()) << 4) | (f.rm! & 15); break;
      case 'Q': f.rm = (f.rm! & 0xf0) | fenceSet(next()); break;
      case 'p': case 'a':
        if (target === undefined) throw new OperandError('a branch or jump needs a target label or address');
        f.imm = Number(target);
        break;
    }
  }
  if (i < operands.length) throw new OperandError(`too many operands: expected at most ${i}, got ${operands.length}`);
  return f;
}
