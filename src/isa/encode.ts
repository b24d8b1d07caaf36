// Encoder: Decoded-style fields -> machine word, for every op of opcodes.ts, plus the RVC
// (compressed) encodings. It is the exact inverse of decode.ts: for every 32-bit word that
// decodes to an op, encode(decode(w)) === w, and encodeCompressed finds a 16-bit form whose
// expansion is the same instruction whenever the RVC table (unprivileged spec, "RVC
// Instruction Set Listings") has one. tests/isa/encode.test.ts checks both directions.
import { OP, OP_NAMES } from './opcodes.ts';

/** The fields encode() reads; same meaning as in Decoded (imm = CSR number for CSR ops). */
export interface Fields {
  op: number;
  rd?: number;
  rs1?: number;
  rs2?: number;
  rs3?: number;
  imm?: number;
  /** FP rounding mode, AMO aq<<1|rl, FENCE pred<<4|succ. */
  rm?: number;
}

export class EncodeError extends Error {
  override name = 'EncodeError';
}

// Layouts: which fields an op takes and where they go.
type Layout =
  | 'R' // rd, rs1, rs2
  | 'I' // rd, rs1, imm[11:0]
  | 'SH6' // rd, rs1, shamt[5:0]
  | 'SH5' // rd, rs1, shamt[4:0]
  | 'S' // rs1, rs2, imm[11:0]
  | 'B' // rs1, rs2, imm[12:1]
  | 'U' // rd, imm[31:12] (imm already shifted, as decode gives it)
  | 'J' // rd, imm[20:1]
  | 'FENCE' // rd, rs1, fm from imm[11:8], pred/succ from rm
  | 'RD_RS1' // rd, rs1 (rest fixed)
  | 'CSR' // rd, rs1 (or uimm), csr in imm
  | 'AMO' // rd, rs1, rs2, aq/rl in rm
  | 'R4' // rd, rs1, rs2, rs3, rm
  | 'FRM' // rd, rs1, rs2, rm
  | 'FRM1' // rd, rs1, rm (rs2 fixed)
  | 'RS1_RS2' // rs1, rs2 (rd = 0)
  | 'FIXED'; // no operands

interface Encoding {
  layout: Layout;
  match: number;
}

const E = (layout: Layout, match: number): Encoding => ({ layout, match: match >>> 0 });
const r = (opcode: number, f3: number, f7: number) => (f7 << 25) | (f3 << 12) | opcode;
const fp = (f7: number, f3: number, rs2 = 0) => r(0x53, f3, f7) | (rs2 << 20);
const amo = (f5: number, f3: number) => (f5 << 27) | (f3 << 12) | 0x2f;

const TABLE: Record<number, Encoding> = {
  [OP.LUI]: E('U', 0x37),
  [OP.AUIPC]: E('U', 0x17),
  [OP.JAL]: E('J', 0x6f),
  [OP.JALR]: E('I', 0x67),
  [OP.BEQ]: E('B', r(0x63, 0, 0)),
  [OP.BNE]: E('B', r(0x63, 1, 0)),
  [OP.BLT]: E('B', r(0x63, 4, 0)),
  [OP.BGE]: E('B', r(0x63, 5, 0)),
  [OP.BLTU]: E('B', r(0x63, 6, 0)),
  [OP.BGEU]: E('B', r(0x63, 7, 0)),
  [OP.LB]: E('I', r(0x03, 0, 0)),
  [OP.LH]: E('I', r(0x03, 1, 0)),
  [OP.LW]: E('I', r(0x03, 2, 0)),
  [OP.LD]: E('I', r(0x03, 3, 0)),
  [OP.LBU]: E('I', r(0x03, 4, 0)),
  [OP.LHU]: E('I', r(0x03, 5, 0)),
  [OP.LWU]: E('I', r(0x03, 6, 0)),
  [OP.SB]: E('S', r(0x23, 0, 0)),
  [OP.SH]: E('S', r(0x23, 1, 0)),
  [OP.SW]: E('S', r(0x23, 2, 0)),
  [OP.SD]: E('S', r(0x23, 3, 0)),
  [OP.ADDI]: E('I', r(0x13, 0, 0)),
  [OP.SLTI]: E('I', r(0x13, 2, 0)),
  [OP.SLTIU]: E('I', r(0x13, 3, 0)),
  [OP.XORI]: E('I', r(0x13, 4, 0)),
  [OP.ORI]: E('I', r(0x13, 6, 0)),
  [OP.ANDI]: E('I', r(0x13, 7, 0)),
  [OP.SLLI]: E('SH6', r(0x13, 1, 0)),
  [OP.SRLI]: E('SH6', r(0x13, 5, 0)),
  [OP.SRAI]: E('SH6', r(0x13, 5, 0x20)),
  [OP.ADD]: E('R', r(0x33, 0, 0)),
  [OP.SUB]: E('R', r(0x33, 0, 0x20)),
  [OP.SLL]: E('R', r(0x33, 1, 0)),
  [OP.SLT]: E('R', r(0x33, 2, 0)),
  [OP.SLTU]: E('R', r(0x33, 3, 0)),
  [OP.XOR]: E('R', r(0x33, 4, 0)),
  [OP.SRL]: E('R', r(0x33, 5, 0)),
  [OP.SRA]: E('R', r(0x33, 5, 0x20)),
  [OP.OR]: E('R', r(0x33, 6, 0)),
  [OP.AND]: E('R', r(0x33, 7, 0)),
  [OP.ADDIW]: E('I', r(0x1b, 0, 0)),
  [OP.SLLIW]: E('SH5', r(0x1b, 1, 0)),
  [OP.SRLIW]: E('SH5', r(0x1b, 5, 0)),
  [OP.SRAIW]: E('SH5', r(0x1b, 5, 0x20)),
  [OP.ADDW]: E('R', r(0x3b, 0, 0)),
  [OP.SUBW]: E('R', r(0x3b, 0, 0x20)),
  [OP.SLLW]: E('R', r(0x3b, 1, 0)),
  [OP.SRLW]: E('R', r(0x3b, 5, 0)),
  [OP.SRAW]: E('R', r(0x3b, 5, 0x20)),
  [OP.FENCE]: E('FENCE', 0x0f),
  [OP.FENCE_TSO]: E('RD_RS1', 0x8330000f),
  [OP.FENCE_I]: E('I', r(0x0f, 1, 0)),
  [OP.ECALL]: E('FIXED', 0x00000073),
  [OP.EBREAK]: E('FIXED', 0x00100073),
  [OP.CSRRW]: E('CSR', r(0x73, 1, 0)),
  [OP.CSRRS]: E('CSR', r(0x73, 2, 0)),
  [OP.CSRRC]: E('CSR', r(0x73, 3, 0)),
  [OP.CSRRWI]: E('CSR', r(0x73, 5, 0)),
  [OP.CSRRSI]: E('CSR', r(0x73, 6, 0)),
  [OP.CSRRCI]: E('CSR', r(0x73, 7, 0)),
  [OP.SRET]: E('FIXED', 0x10200073),
  [OP.MRET]: E('FIXED', 0x30200073),
  [OP.WFI]: E('FIXED', 0x10500073),
  [OP.SFENCE_VMA]: E('RS1_RS2', r(0x73, 0, 0x09)),
  [OP.HFENCE_VVMA]: E('RS1_RS2', r(0x73, 0, 0x11)),
  [OP.HFENCE_GVMA]: E('RS1_RS2', r(0x73, 0, 0x31)),
  [OP.FCVT_S_D]: E('FRM1', fp(0x20, 0, 1)),
  [OP.FCVT_D_S]: E('FRM1', fp(0x21, 0, 0)),
  [OP.FMV_X_W]: E('RD_RS1', fp(0x70, 0)),
  [OP.FCLASS_S]: E('RD_RS1', fp(0x70, 1)),
  [OP.FMV_W_X]: E('RD_RS1', fp(0x78, 0)),
  [OP.FMV_X_D]: E('RD_RS1', fp(0x71, 0)),
  [OP.FCLASS_D]: E('RD_RS1', fp(0x71, 1)),
  [OP.FMV_D_X]: E('RD_RS1', fp(0x79, 0)),
};

// M extension: funct7 = 1, funct3 selects the operation (unprivileged spec, "M" chapter).
[OP.MUL, OP.MULH, OP.MULHSU, OP.MULHU, OP.DIV, OP.DIVU, OP.REM, OP.REMU].forEach((op, f3) => (TABLE[op] = E('R', r(0x33, f3, 1))));
TABLE[OP.MULW] = E('R', r(0x3b, 0, 1));
[OP.DIVW, OP.DIVUW, OP.REMW, OP.REMUW].forEach((op, i) => (TABLE[op] = E('R', r(0x3b, 4 + i, 1))));

// A extension: funct5 per operation, funct3 2 (.w) or 3 (.d).
const AMO_F5: [number, number, number][] = [
  [OP.LR_W, OP.LR_D, 0x02],
  [OP.SC_W, OP.SC_D, 0x03],
  [OP.AMOSWAP_W, OP.AMOSWAP_D, 0x01],
  [OP.AMOADD_W, OP.AMOADD_D, 0x00],
  [OP.AMOXOR_W, OP.AMOXOR_D, 0x04],
  [OP.AMOAND_W, OP.AMOAND_D, 0x0c],
  [OP.AMOOR_W, OP.AMOOR_D, 0x08],
  [OP.AMOMIN_W, OP.AMOMIN_D, 0x10],
  [OP.AMOMAX_W, OP.AMOMAX_D, 0x14],
  [OP.AMOMINU_W, OP.AMOMINU_D, 0x18],
  [OP.AMOMAXU_W, OP.AMOMAXU_D, 0x1c],
];
for (const [w, d, f5] of AMO_F5) {
  TABLE[w] = E('AMO', amo(f5, 2));
  TABLE[d] = E('AMO', amo(f5, 3));
}

// F and D: the same operations with fmt = 0 (S) or 1 (D) in funct7's low bits.
for (const [s, d, layout, f7, f3, rs2] of [
  [OP.FADD_S, OP.FADD_D, 'FRM', 0x00, 0, 0],
  [OP.FSUB_S, OP.FSUB_D, 'FRM', 0x04, 0, 0],
  [OP.FMUL_S, OP.FMUL_D, 'FRM', 0x08, 0, 0],
  [OP.FDIV_S, OP.FDIV_D, 'FRM', 0x0c, 0, 0],
  [OP.FSQRT_S, OP.FSQRT_D, 'FRM1', 0x2c, 0, 0],
  [OP.FSGNJ_S, OP.FSGNJ_D, 'R', 0x10, 0, 0],
  [OP.FSGNJN_S, OP.FSGNJN_D, 'R', 0x10, 1, 0],
  [OP.FSGNJX_S, OP.FSGNJX_D, 'R', 0x10, 2, 0],
  [OP.FMIN_S, OP.FMIN_D, 'R', 0x14, 0, 0],
  [OP.FMAX_S, OP.FMAX_D, 'R', 0x14, 1, 0],
  [OP.FLE_S, OP.FLE_D, 'R', 0x50, 0, 0],
  [OP.FLT_S, OP.FLT_D, 'R', 0x50, 1, 0],
  [OP.FEQ_S, OP.FEQ_D, 'R', 0x50, 2, 0],
  [OP.FCVT_W_S, OP.FCVT_W_D, 'FRM1', 0x60, 0, 0],
  [OP.FCVT_WU_S, OP.FCVT_WU_D, 'FRM1', 0x60, 0, 1],
  [OP.FCVT_L_S, OP.FCVT_L_D, 'FRM1', 0x60, 0, 2],
  [OP.FCVT_LU_S, OP.FCVT_LU_D, 'FRM1', 0x60, 0, 3],
  [OP.FCVT_S_W, OP.FCVT_D_W, 'FRM1', 0x68, 0, 0],
  [OP.FCVT_S_WU, OP.FCVT_D_WU, 'FRM1', 0x68, 0, 1],
  [OP.FCVT_S_L, OP.FCVT_D_L, 'FRM1', 0x68, 0, 2],
  [OP.FCVT_S_LU, OP.FCVT_D_LU, 'FRM1', 0x68, 0, 3],
] as const) {
  TABLE[s] = E(layout, fp(f7, f3, rs2));
  TABLE[d] = E(layout, fp(f7 | 1, f3, rs2));
}
TABLE[OP.FLW] = E('I', r(0x07, 2, 0));
TABLE[OP.FLD] = E('I', r(0x07, 3, 0));
TABLE[OP.FSW] = E('S', r(0x27, 2, 0));
TABLE[OP.FSD] = E('S', r(0x27, 3, 0));
for (const [s, d, opcode] of [
  [OP.FMADD_S, OP.FMADD_D, 0x43],
  [OP.FMSUB_S, OP.FMSUB_D, 0x47],
  [OP.FNMSUB_S, OP.FNMSUB_D, 0x4b],
  [OP.FNMADD_S, OP.FNMADD_D, 0x4f],
] as const) {
  TABLE[s] = E('R4', opcode);
  TABLE[d] = E('R4', opcode | (1 << 25));
}

// H extension loads/stores (privileged spec, "Hypervisor Virtual-Machine Load and Store").
for (const [op, f7, rs2] of [
  [OP.HLV_B, 0x30, 0],
  [OP.HLV_BU, 0x30, 1],
  [OP.HLV_H, 0x32, 0],
  [OP.HLV_HU, 0x32, 1],
  [OP.HLVX_HU, 0x32, 3],
  [OP.HLV_W, 0x34, 0],
  [OP.HLV_WU, 0x34, 1],
  [OP.HLVX_WU, 0x34, 3],
  [OP.HLV_D, 0x36, 0],
] as const) {
  TABLE[op] = E('RD_RS1', r(0x73, 4, f7) | (rs2 << 20));
}
for (const [op, f7] of [
  [OP.HSV_B, 0x31],
  [OP.HSV_H, 0x33],
  [OP.HSV_W, 0x35],
  [OP.HSV_D, 0x37],
] as const) {
  TABLE[op] = E('RS1_RS2', r(0x73, 4, f7));
}

function reg(v: number | undefined, what: string, op: number): number {
  const x = v ?? 0;
  if (!Number.isInteger(x) || x < 0 || x > 31) throw new EncodeError(`${OP_NAMES[op]}: ${what} ${x} is not a register number 0..31`);
  return x;
}

function signed(v: number, bits: number, what: string, op: number, align = 1): number {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) throw new EncodeError(`${OP_NAMES[op]}: ${what} ${v} does not fit ${bits} signed bits (${lo}..${hi})`);
  if (v % align !== 0) throw new EncodeError(`${OP_NAMES[op]}: ${what} ${v} is not a multiple of ${align}`);
  return v;
}

function unsigned(v: number, bits: number, what: string, op: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new EncodeError(`${OP_NAMES[op]}: ${what} ${v} does not fit ${bits} unsigned bits`);
  return v;
}

/** The 32-bit machine word for `f`. Throws EncodeError naming the op and field when a value does not fit. */
export function encode(f: Fields): number {
  const op = f.op;
  const e = TABLE[op];
  if (!e) throw new EncodeError(`op ${op} (${OP_NAMES[op] ?? 'unknown'}) has no encoding`);
  const rd = reg(f.rd, 'rd', op) << 7;
  const rs1 = reg(f.rs1, 'rs1', op) << 15;
  const rs2 = reg(f.rs2, 'rs2', op) << 20;
  const imm = f.imm ?? 0;
  const rm = f.rm ?? 0;
  let w: number;
  switch (e.layout) {
    case 'R':
      w = rd | rs1 | rs2;
      break;
    case 'I':
      w = rd | rs1 | ((signed(imm, 12, 'immediate', op) & 0xfff) << 20);
      break;
    case 'SH6':
      w = rd | rs1 | (unsigned(imm, 6, 'shift amount', op) << 20);
      break;
    case 'SH5':
      w = rd | rs1 | (unsigned(imm, 5, 'shift amount', op) << 20);
      break;
    case 'S': {
      const v = signed(imm, 12, 'offset', op) & 0xfff;
      w = rs1 | rs2 | ((v & 31) << 7) | ((v >>> 5) << 25);
      break;
    }
    case 'B': {
      const v = signed(imm, 13, 'branch offset', op, 2);
      w = rs1 | rs2 | (((v >>> 12) & 1) << 31) | (((v >>> 5) & 0x3f) << 25) | (((v >>> 1) & 0xf) << 8) | (((v >>> 11) & 1) << 7);
      break;
    }
    case 'U':
      if ((imm & 0xfff) !== 0) throw new EncodeError(`${OP_NAMES[op]}: immediate 0x${(imm >>> 0).toString(16)} must have its low 12 bits clear (pass the value already shifted left by 12)`);
      signed(imm, 32, 'immediate', op);
      w = rd | (imm & 0xfffff000);
      break;
    case 'J': {
      const v = signed(imm, 21, 'jump offset', op, 2);
      w = rd | (((v >>> 20) & 1) << 31) | (((v >>> 1) & 0x3ff) << 21) | (((v >>> 11) & 1) << 20) | (((v >>> 12) & 0xff) << 12);
      break;
    }
    case 'FENCE':
      w = rd | rs1 | (((imm >>> 8) & 0xf) << 28) | (unsigned(rm, 8, 'pred/succ', op) << 20);
      break;
    case 'RD_RS1':
      w = rd | rs1;
      break;
    case 'CSR':
      w = rd | rs1 | (unsigned(imm, 12, 'CSR number', op) << 20);
      break;
    case 'AMO':
      if ((op === OP.LR_W || op === OP.LR_D) && rs2 !== 0) throw new EncodeError(`${OP_NAMES[op]}: rs2 must be 0 (LR has no source register)`);
      w = rd | rs1 | rs2 | (unsigned(rm, 2, 'aq/rl', op) << 25);
      break;
    case 'R4':
      w = rd | rs1 | rs2 | (reg(f.rs3, 'rs3', op) << 27) | (unsigned(rm, 3, 'rounding mode', op) << 12);
      break;
    case 'FRM':
      w = rd | rs1 | rs2 | (unsigned(rm, 3, 'rounding mode', op) << 12);
      break;
    case 'FRM1':
      w = rd | rs1 | (unsigned(rm, 3, 'rounding mode', op) << 12);
      break;
    case 'RS1_RS2':
      w = rs1 | rs2;
      break;
    case 'FIXED':
      w = 0;
      break;
  }
  return (w | e.match) >>> 0;
}

export { encodeCompressed } from './encode-compressed.ts';
