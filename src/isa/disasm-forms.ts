// Which mnemonic and operand layout objdump 2.40 prints for a decoded instruction.
//
// GNU objdump walks its opcode table in order and prints the first entry whose match/mask
// fits the word, so pseudo-instructions listed before the base instruction win (`li` before
// `addi`, `ret` before `jalr`). Binutils 2.40 lists the register-register spelling of the
// immediate forms ahead of the canonical name, so it prints `addi a0,a0,1` as
// `add a0,a0,1`, `slli` as `sll`, `addiw` as `addw` and so on; we reproduce that on purpose
// because objdump is our oracle (tests/isa/disasm-objdump.test.ts holds us to it).
//
// Operand layout letters are those of opcodes.ts OPERANDS, plus: U = FP rs1 printed once
// for the two-operand sign-injection aliases (fmv.s/fneg.s/fabs.s).
import { MNEMONIC, OP, OPERANDS } from './opcodes.ts';
import type { Decoded } from './decode.ts';
import { X_NAMES } from './registers.ts';

export interface Form {
  mnemonic: string;
  /** Operand layout letters, or the operand text itself when `literal` is set. */
  operands: string;
  literal?: boolean;
}

export interface FormOptions {
  /** Extensions of the file's ISA (isa-string.ts): objdump shows only instructions they include. */
  has: (ext: string) => boolean;
}

const CSR_FFLAGS = 0x001;
const CSR_FRM = 0x002;
const CSR_FCSR = 0x003;
const CSR_CYCLE = 0xc00;
const CSR_TIME = 0xc01;
const CSR_INSTRET = 0xc02;

const RM_DYN = 7;
const AMO_SUFFIX = ['', '.rl', '.aq', '.aqrl'];

function f(mnemonic: string, operands: string): Form {
  return { mnemonic, operands };
}

/** Words objdump names that the hart treats as illegal (no op id): old or debug-only returns, sfence.vm. */
function rawOnlyForm(raw: number): Form | null {
  if (raw === 0x00200073) return f('uret', ''); // N extension, dropped from priv spec 1.12
  if (raw === 0x20200073) return f('hret', ''); // priv spec 1.9 hypervisor return
  if (raw === 0x7b200073) return f('dret', ''); // Debug spec 4.1: illegal outside Debug Mode
  if ((raw & 0xfff07fff) === 0x10400073) {
    // priv spec 1.9's sfence.vm rs1
    const rs1 = (raw >>> 15) & 31;
    return rs1 === 0 ? f('sfence.vm', '') : { mnemonic: 'sfence.vm', operands: X_NAMES[rs1], literal: true };
  }
  return null;
}

/** objdump's choice for a 16-bit instruction whose expansion alone does not decide it. */
function compressedForm(d: Decoded): Form | null {
  const raw = d.raw;
  const q = raw & 3;
  const f3 = raw >>> 13;
  if (raw === 0) return f('unimp', '');
  // objdump accepts C.ADDI16SP with a zero immediate, which the spec reserves.
  if (raw === 0x6101) return { mnemonic: 'add', operands: 'sp,sp,0', literal: true };
  if (d.op === OP.ILLEGAL) return null;
  if (q === 1 && f3 === 0) {
    // C.ADDI: rd=0 is C.NOP (a hint when imm != 0)
    if (d.rd === 0) return d.imm === 0 ? f('nop', '') : f('c.nop', 'j');
    return f('add', 'd,s,j');
  }
  if (q === 1 && f3 === 2 && d.rd === 0) return f('c.li', 'd,j'); // hint
  if (q === 1 && f3 === 3 && d.rd === 0) return f('c.lui', 'd,u'); // hint
  if (q === 1 && f3 === 4 && ((raw >>> 10) & 3) < 2 && d.imm === 0) {
    return f((raw >>> 10) & 1 ? 'c.srai64' : 'c.srli64', 'd'); // RV128 shift-by-64 hints
  }
  if (q === 2 && f3 === 0) {
    if (d.imm === 0) return f('c.slli64', 'd');
    if (d.rd === 0) return f('c.slli', 'd,>');
  }
  if (q === 2 && f3 === 4 && d.rd === 0 && d.op === OP.ADD) {
    return f(((raw >>> 12) & 1) === 0 ? 'c.mv' : 'c.add', 'd,t'); // hints
  }
  return null;
}

/** The extension an op belongs to, in objdump's sense (its table's instruction classes). */
function extensionOf(op: number): string | undefined {
  if (op === OP.MUL || op === OP.MULH || op === OP.MULHSU || op === OP.MULHU || op === OP.MULW) return 'zmmul';
  if (op >= OP.MUL && op <= OP.REMUW) return 'm';
  if (op >= OP.LR_W && op <= OP.AMOMAXU_D) return 'a';
  if (op >= OP.FLW && op <= OP.FMV_W_X) return 'f';
  if (op >= OP.FLD && op <= OP.FMV_D_X) return 'd';
  if (op >= OP.CSRRW && op <= OP.CSRRCI) return 'zicsr';
  if (op === OP.FENCE_I) return 'zifencei';
  if (op >= OP.HFENCE_VVMA && op <= OP.HSV_D) return 'h';
  return undefined;
}

/** The mnemonic and operand layout objdump prints for `d`, or null when it prints `.Nbyte`. */
export function formOf(d: Decoded, opts: FormOptions): Form | null {
  if (d.len === 2) {
    if (!opts.has('c') || ((d.op === OP.FLD || d.op === OP.FSD) && !opts.has('d'))) return null;
    const c = compressedForm(d);
    if (c) return c;
  }
  if (d.op >= OP.CSRRW && d.op <= OP.CSRRCI) return csrForm(d, opts); // some aliases need no Zicsr
  const ext = extensionOf(d.op);
  if (ext && !opts.has(ext)) return null;
  const { rd, rs1, rs2, imm } = d;
  switch (d.op) {
    case OP.ILLEGAL:
      return d.len === 4 ? rawOnlyForm(d.raw) : null;
    case OP.ADDI:
      if (rd === 0 && rs1 === 0 && imm === 0) return f('nop', '');
      if (rs1 === 0) return f('li', 'd,j');
      if (imm === 0) return f('mv', 'd,s');
      return f('add', 'd,s,j');
    case OP.ANDI:
      return imm === 255 ? f('zext.b', 'd,s') : f('and', 'd,s,j');
    case OP.ORI:
      return f('or', 'd,s,j');
    case OP.XORI:
      return imm === -1 ? f('not', 'd,s') : f('xor', 'd,s,j');
    case OP.SLTIU:
      return imm === 1 ? f('seqz', 'd,s') : f('sltiu', 'd,s,j');
    case OP.SLLI:
      return f('sll', 'd,s,>');
    case OP.SRLI:
      return f('srl', 'd,s,>');
    case OP.SRAI:
      return f('sra', 'd,s,>');
    case OP.ADDIW:
      return imm === 0 ? f('sext.w', 'd,s') : f('addw', 'd,s,j');
    case OP.SLLIW:
      return f('sllw', 'd,s,<');
    case OP.SRLIW:
      return f('srlw', 'd,s,<');
    case OP.SRAIW:
      return f('sraw', 'd,s,<');
    case OP.SUB:
      return rs1 === 0 ? f('neg', 'd,t') : f('sub', 'd,s,t');
    case OP.SUBW:
      return rs1 === 0 ? f('negw', 'd,t') : f('subw', 'd,s,t');
    case OP.SLT:
      if (rs2 === 0) return f('sltz', 'd,s');
      return rs1 === 0 ? f('sgtz', 'd,t') : f('slt', 'd,s,t');
    case OP.SLTU:
      return rs1 === 0 ? f('snez', 'd,t') : f('sltu', 'd,s,t');
    case OP.BEQ:
      return rs2 === 0 ? f('beqz', 's,p') : f('beq', 's,t,p');
    case OP.BNE:
      return rs2 === 0 ? f('bnez', 's,p') : f('bne', 's,t,p');
    case OP.BGE:
      if (rs1 === 0) return f('blez', 't,p');
      return rs2 === 0 ? f('bgez', 's,p') : f('bge', 's,t,p');
    case OP.BLT:
      if (rs2 === 0) return f('bltz', 's,p');
      return rs1 === 0 ? f('bgtz', 't,p') : f('blt', 's,t,p');
    case OP.JAL:
      if (rd === 0) return f('j', 'a');
      return rd === 1 ? f('jal', 'a') : f('jal', 'd,a');
    case OP.JALR:
      if (d.len === 2) return rd === 0 ? (rs1 === 1 ? f('ret', '') : f('jr', 's')) : f('jalr', 's');
      if (rd === 0) {
        if (rs1 === 1 && imm === 0) return f('ret', '');
        return imm === 0 ? f('jr', 's') : f('jr', 'o(s)');
      }
      if (rd === 1) return imm === 0 ? f('jalr', 's') : f('jalr', 'o(s)');
      return imm === 0 ? f('jalr', 'd,s') : f('jalr', 'd,o(s)');
    case OP.ADD:
      return d.len === 2 && rs1 === 0 ? f('mv', 'd,t') : f('add', 'd,s,t');
    case OP.FENCE:
      if (d.raw === 0x0100000f && opts.has('zihintpause')) return f('pause', '');
      return fenceForm(d.raw);
    case OP.FENCE_TSO:
      return (d.raw & 0x000fff80) === 0 ? f('fence.tso', '') : fenceForm(d.raw);
    case OP.FENCE_I:
      return d.raw === 0x0000100f ? f('fence.i', '') : null;
    case OP.SFENCE_VMA:
    case OP.HFENCE_VVMA:
    case OP.HFENCE_GVMA:
      if (rs2 !== 0) return f(mnemonicOf(d.op), 's,t');
      return rs1 === 0 ? f(mnemonicOf(d.op), '') : f(mnemonicOf(d.op), 's');
    case OP.FCVT_D_W:
    case OP.FCVT_D_WU:
    case OP.FCVT_D_S:
      // Exact conversions: objdump's table entry has no rounding mode and requires rm = 0.
      return d.rm === 0 ? f(mnemonicOf(d.op), d.op === OP.FCVT_D_S ? 'D,S' : 'D,s') : null;
    case OP.FSGNJ_S:
    case OP.FSGNJN_S:
    case OP.FSGNJX_S:
    case OP.FSGNJ_D:
    case OP.FSGNJN_D:
    case OP.FSGNJX_D:
      if (rs1 === rs2) return f(SIGN_ALIAS[d.op], 'D,U');
      return f(mnemonicOf(d.op), 'D,S,T');
  }
  if (d.op >= OP.LR_W && d.op <= OP.AMOMAXU_D) return f(mnemonicOf(d.op) + AMO_SUFFIX[d.rm], operandsOf(d.op));
  const operands = operandsOf(d.op);
  if (operands.endsWith(',m')) {
    // objdump omits the rounding mode when it is `dyn`, the default
    return d.rm === RM_DYN ? f(mnemonicOf(d.op), operands.slice(0, -2)) : f(mnemonicOf(d.op), operands);
  }
  return f(mnemonicOf(d.op), operands);
}

const SIGN_ALIAS: Record<number, string> = {
  [OP.FSGNJ_S]: 'fmv.s',
  [OP.FSGNJN_S]: 'fneg.s',
  [OP.FSGNJX_S]: 'fabs.s',
  [OP.FSGNJ_D]: 'fmv.d',
  [OP.FSGNJN_D]: 'fneg.d',
  [OP.FSGNJX_D]: 'fabs.d',
};

function fenceForm(raw: number): Form | null {
  // objdump matches FENCE only with rd = rs1 = 0 and fm = 0.
  if ((raw & 0xf00f8f80) !== 0) return null;
  return ((raw >>> 20) & 0xff) === 0xff ? f('fence', '') : f('fence', 'P,Q');
}

function csrForm(d: Decoded, opts: FormOptions): Form | null {
  const { op, rd, rs1 } = d;
  const csr = d.imm;
  // rdcycle/rdtime/rdinstret and unimp are base-ISA entries in objdump's table; the FP CSR
  // aliases belong to F; everything else needs Zicsr.
  const fp = opts.has('f');
  if (op === OP.CSRRS && rs1 === 0) {
    if (csr === CSR_CYCLE) return f('rdcycle', 'd');
    if (csr === CSR_TIME) return f('rdtime', 'd');
    if (csr === CSR_INSTRET) return f('rdinstret', 'd');
  }
  if (op === OP.CSRRW && rd === 0 && rs1 === 0 && csr === CSR_CYCLE) return f('unimp', '');
  if (fp && op === OP.CSRRS && rs1 === 0) {
    if (csr === CSR_FCSR) return f('frcsr', 'd');
    if (csr === CSR_FRM) return f('frrm', 'd');
    if (csr === CSR_FFLAGS) return f('frflags', 'd');
  }
  if (fp && op === OP.CSRRW) {
    if (csr === CSR_FCSR) return rd === 0 ? f('fscsr', 's') : f('fscsr', 'd,s');
    if (csr === CSR_FRM) return rd === 0 ? f('fsrm', 's') : f('fsrm', 'd,s');
    if (csr === CSR_FFLAGS) return rd === 0 ? f('fsflags', 's') : f('fsflags', 'd,s');
  }
  if (fp && op === OP.CSRRWI) {
    // 2.40 has only the two-operand spellings of these, so rd = zero is printed too.
    if (csr === CSR_FRM) return f('fsrmi', 'd,Z');
    if (csr === CSR_FFLAGS) return f('fsflagsi', 'd,Z');
  }
  if (!opts.has('zicsr')) return null;
  switch (op) {
    case OP.CSRRS:
      if (rs1 === 0) return f('csrr', 'd,E');
      return rd === 0 ? f('csrs', 'E,s') : f('csrrs', 'd,E,s');
    case OP.CSRRW:
      return rd === 0 ? f('csrw', 'E,s') : f('csrrw', 'd,E,s');
    case OP.CSRRC:
      return rd === 0 ? f('csrc', 'E,s') : f('csrrc', 'd,E,s');
    case OP.CSRRWI:
      return rd === 0 ? f('csrw', 'E,Z') : f('csrrw', 'd,E,Z');
    case OP.CSRRSI:
      return rd === 0 ? f('csrs', 'E,Z') : f('csrrs', 'd,E,Z');
    default:
      return rd === 0 ? f('csrc', 'E,Z') : f('csrrc', 'd,E,Z');
  }
}


function mnemonicOf(op: number): string {
  return MNEMONIC[op];
}

function operandsOf(op: number): string {
  return OPERANDS[op];
}
