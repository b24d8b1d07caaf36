// RV64GC + H decoder. Decoding is separate from execution: the hart decodes an instruction
// once into these fields and caches them; the disassembler and the encoder's round-trip
// tests use the same function, so what is shown can never disagree with what runs.
// Compressed instructions are expanded to their base op (RISC-V unprivileged spec ch. 16,
// table "RVC instruction set listings"); `len` tells the two apart.
import { OP } from './opcodes.ts';

/** One decoded instruction. `imm` holds the CSR number for CSR ops. */
export interface Decoded {
  op: number;
  rd: number;
  rs1: number;
  rs2: number;
  rs3: number;
  /** Sign-extended immediate (branch/jump offsets in bytes, U-type already shifted). */
  imm: number;
  /** FP rounding mode (funct3), AMO aq<<1|rl, or FENCE pred<<4|succ. */
  rm: number;
  /** The encoding as fetched: 16 bits for compressed, 32 bits otherwise (unsigned). */
  raw: number;
  len: 2 | 4;
}

export function emptyDecoded(): Decoded {
  return { op: OP.ILLEGAL, rd: 0, rs1: 0, rs2: 0, rs3: 0, imm: 0, rm: 0, raw: 0, len: 4 };
}

/** Decodes `raw` (a 32-bit word whose low half may be a compressed instruction) into `out`. */
export function decodeInto(raw: number, out: Decoded): Decoded {
  if ((raw & 3) !== 3) return decodeCompressed(raw & 0xffff, out);
  return decode32(raw >>> 0, out);
}

export function decode(raw: number): Decoded {
  return decodeInto(raw, emptyDecoded());
}

function set(out: Decoded, op: number, rd: number, rs1: number, rs2: number, imm: number): Decoded {
  out.op = op;
  out.rd = rd;
  out.rs1 = rs1;
  out.rs2 = rs2;
  out.imm = imm | 0;
  return out;
}

const LOAD_OPS = [OP.LB, OP.LH, OP.LW, OP.LD, OP.LBU, OP.LHU, OP.LWU, OP.ILLEGAL];
const STORE_OPS = [OP.SB, OP.SH, OP.SW, OP.SD];
const BRANCH_OPS = [OP.BEQ, OP.BNE, OP.ILLEGAL, OP.ILLEGAL, OP.BLT, OP.BGE, OP.BLTU, OP.BGEU];
const ALU_OPS = [OP.ADD, OP.SLL, OP.SLT, OP.SLTU, OP.XOR, OP.SRL, OP.OR, OP.AND];
const MUL_OPS = [OP.MUL, OP.MULH, OP.MULHSU, OP.MULHU, OP.DIV, OP.DIVU, OP.REM, OP.REMU];
const MULW_OPS = [OP.MULW, OP.ILLEGAL, OP.ILLEGAL, OP.ILLEGAL, OP.DIVW, OP.DIVUW, OP.REMW, OP.REMUW];
const CSR_OPS = [OP.ILLEGAL, OP.CSRRW, OP.CSRRS, OP.CSRRC, OP.ILLEGAL, OP.CSRRWI, OP.CSRRSI, OP.CSRRCI];
// AMO funct5 -> [word op, doubleword op]
const AMO_OPS: Record<number, readonly [number, number]> = {
  0x00: [OP.AMOADD_W, OP.AMOADD_D],
  0x01: [OP.AMOSWAP_W, OP.AMOSWAP_D],
  0x02: [OP.LR_W, OP.LR_D],
  0x03: [OP.SC_W, OP.SC_D],
  0x04: [OP.AMOXOR_W, OP.AMOXOR_D],
  0x08: [OP.AMOOR_W, OP.AMOOR_D],
  0x0c: [OP.AMOAND_W, OP.AMOAND_D],
  0x10: [OP.AMOMIN_W, OP.AMOMIN_D],
  0x14: [OP.AMOMAX_W, OP.AMOMAX_D],
  0x18: [OP.AMOMINU_W, OP.AMOMINU_D],
  0x1c: [OP.AMOMAXU_W, OP.AMOMAXU_D],
};
const FMA_OPS: Record<number, readonly [number, number]> = {
  0x43: [OP.FMADD_S, OP.FMADD_D],
  0x47: [OP.FMSUB_S, OP.FMSUB_D],
  0x4b: [OP.FNMSUB_S, OP.FNMSUB_D],
  0x4f: [OP.FNMADD_S, OP.FNMADD_D],
};
// HLV/HLVX: funct7 -> rs2 -> op (H extension, privileged spec ch. 9 "Hypervisor Virtual-Machine Load and Store")
const HLV_OPS: Record<number, Record<number, number>> = {
  0x30: { 0: OP.HLV_B, 1: OP.HLV_BU },
  0x32: { 0: OP.HLV_H, 1: OP.HLV_HU, 3: OP.HLVX_HU },
  0x34: { 0: OP.HLV_W, 1: OP.HLV_WU, 3: OP.HLVX_WU },
  0x36: { 0: OP.HLV_D },
};
const HSV_OPS: Record<number, number> = { 0x31: OP.HSV_B, 0x33: OP.HSV_H, 0x35: OP.HSV_W, 0x37: OP.HSV_D };

function decode32(raw: number, out: Decoded): Decoded {
  out.raw = raw;
  out.len = 4;
  out.rs3 = 0;
  out.rm = 0;
  const opcode = raw & 0x7f;
  const rd = (raw >>> 7) & 31;
  const f3 = (raw >>> 12) & 7;
  const rs1 = (raw >>> 15) & 31;
  const rs2 = (raw >>> 20) & 31;
  const f7 = raw >>> 25;
  const immI = raw >> 20;
  switch (opcode) {
    case 0x03:
      return set(out, LOAD_OPS[f3], rd, rs1, 0, immI);
    case 0x07:
      if (f3 === 2) return set(out, OP.FLW, rd, rs1, 0, immI);
      if (f3 === 3) return set(out, OP.FLD, rd, rs1, 0, immI);
      break;
    case 0x0f:
      if (f3 === 0) {
        out.rm = (raw >>> 20) & 0xff;
        if (raw >>> 28 === 8 && out.rm === 0x33) return set(out, OP.FENCE_TSO, rd, rs1, 0, immI);
        return set(out, OP.FENCE, rd, rs1, 0, immI);
      }
      if (f3 === 1) return set(out, OP.FENCE_I, rd, rs1, 0, immI);
      break;
    case 0x13:
      switch (f3) {
        case 0: return set(out, OP.ADDI, rd, rs1, 0, immI);
        case 1: if (f7 >>> 1 === 0) return set(out, OP.SLLI, rd, rs1, 0, (raw >>> 20) & 63); break;
        case 2: return set(out, OP.SLTI, rd, rs1, 0, immI);
        case 3: return set(out, OP.SLTIU, rd, rs1, 0, immI);
        case 4: return set(out, OP.XORI, rd, rs1, 0, immI);
        case 5:
          if (f7 >>> 1 === 0) return set(out, OP.SRLI, rd, rs1, 0, (raw >>> 20) & 63);
          if (f7 >>> 1 === 0x10) return set(out, OP.SRAI, rd, rs1, 0, (raw >>> 20) & 63);
          break;
        case 6: return set(out, OP.ORI, rd, rs1, 0, immI);
        case 7: return set(out, OP.ANDI, rd, rs1, 0, immI);
      }
      break;
    case 0x17:
      return set(out, OP.AUIPC, rd, 0, 0, raw & 0xfffff000);
    case 0x1b:
      if (f3 === 0) return set(out, OP.ADDIW, rd, rs1, 0, immI);
      if (f3 === 1 && f7 === 0) return set(out, OP.SLLIW, rd, rs1, 0, rs2);
      if (f3 === 5 && f7 === 0) return set(out, OP.SRLIW, rd, rs1, 0, rs2);
      if (f3 === 5 && f7 === 0x20) return set(out, OP.SRAIW, rd, rs1, 0, rs2);
      break;
    case 0x23:
      if (f3 < 4) return set(out, STORE_OPS[f3], 0, rs1, rs2, ((raw >> 25) << 5) | rd);
      break;
    case 0x27:
      if (f3 === 2) return set(out, OP.FSW, 0, rs1, rs2, ((raw >> 25) << 5) | rd);
      if (f3 === 3) return set(out, OP.FSD, 0, rs1, rs2, ((raw >> 25) << 5) | rd);
      break;
    case 0x2f: {
      if (f3 !== 2 && f3 !== 3) break;
      const pair = AMO_OPS[raw >>> 27];
      if (!pair) break;
      const op = pair[f3 - 2];
      if ((op === OP.LR_W || op === OP.LR_D) && rs2 !== 0) break;
      out.rm = (raw >>> 25) & 3;
      return set(out, op, rd, rs1, rs2, 0);
    }
    case 0x33:
      if (f7 === 0) return set(out, ALU_OPS[f3], rd, rs1, rs2, 0);
      if (f7 === 1) return set(out, MUL_OPS[f3], rd, rs1, rs2, 0);
      if (f7 === 0x20 && f3 === 0) return set(out, OP.SUB, rd, rs1, rs2, 0);
      if (f7 === 0x20 && f3 === 5) return set(out, OP.SRA, rd, rs1, rs2, 0);
      break;
    case 0x37:
      return set(out, OP.LUI, rd, 0, 0, raw & 0xfffff000);
    case 0x3b:
      if (f7 === 0) {
        if (f3 === 0) return set(out, OP.ADDW, rd, rs1, rs2, 0);
        if (f3 === 1) return set(out, OP.SLLW, rd, rs1, rs2, 0);
        if (f3 === 5) return set(out, OP.SRLW, rd, rs1, rs2, 0);
      } else if (f7 === 0x20) {
        if (f3 === 0) return set(out, OP.SUBW, rd, rs1, rs2, 0);
        if (f3 === 5) return set(out, OP.SRAW, rd, rs1, rs2, 0);
      } else if (f7 === 1 && MULW_OPS[f3] !== OP.ILLEGAL) {
        return set(out, MULW_OPS[f3], rd, rs1, rs2, 0);
      }
      break;
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: {
      const fmt = (raw >>> 25) & 3;
      if (fmt > 1) break;
      out.rs3 = raw >>> 27;
      out.rm = f3;
      return set(out, FMA_OPS[opcode][fmt], rd, rs1, rs2, 0);
    }
    case 0x53:
      out.rm = f3;
      return decodeOpFp(raw, out, rd, f3, rs1, rs2, f7);
    case 0x63:
      if (BRANCH_OPS[f3] === OP.ILLEGAL) break;
      return set(
        out,
        BRANCH_OPS[f3],
        0,
        rs1,
        rs2,
        ((raw >> 31) << 12) | (((raw >>> 7) & 1) << 11) | (((raw >>> 25) & 0x3f) << 5) | (((raw >>> 8) & 0xf) << 1),
      );
    case 0x67:
      if (f3 === 0) return set(out, OP.JALR, rd, rs1, 0, immI);
      break;
    case 0x6f:
      return set(
        out,
        OP.JAL,
        rd,
        0,
        0,
        ((raw >> 31) << 20) | (((raw >>> 12) & 0xff) << 12) | (((raw >>> 20) & 1) << 11) | (((raw >>> 21) & 0x3ff) << 1),
      );
    case 0x73:
      return decodeSystem(raw, out, rd, f3, rs1, rs2, f7);
  }
  return set(out, OP.ILLEGAL, 0, 0, 0, 0);
}

function decodeSystem(raw: number, out: Decoded, rd: number, f3: number, rs1: number, rs2: number, f7: number): Decoded {
  if (f3 === 0) {
    switch (raw) {
      case 0x00000073: return set(out, OP.ECALL, 0, 0, 0, 0);
      case 0x00100073: return set(out, OP.EBREAK, 0, 0, 0, 0);
      case 0x10200073: return set(out, OP.SRET, 0, 0, 0, 0);
      case 0x30200073: return set(out, OP.MRET, 0, 0, 0, 0);
      case 0x10500073: return set(out, OP.WFI, 0, 0, 0, 0);
    }
    if (rd === 0) {
      if (f7 === 0x09) return set(out, OP.SFENCE_VMA, 0, rs1, rs2, 0);
      if (f7 === 0x11) return set(out, OP.HFENCE_VVMA, 0, rs1, rs2, 0);
      if (f7 === 0x31) return set(out, OP.HFENCE_GVMA, 0, rs1, rs2, 0);
    }
    return set(out, OP.ILLEGAL, 0, 0, 0, 0);
  }
  if (f3 === 4) {
    const hlv = HLV_OPS[f7]?.[rs2];
    if (hlv !== undefined) return set(out, hlv, rd, rs1, 0, 0);
    const hsv = HSV_OPS[f7];
    if (hsv !== undefined && rd === 0) return set(out, hsv, 0, rs1, rs2, 0);
    return set(out, OP.ILLEGAL, 0, 0, 0, 0);
  }
  return set(out, CSR_OPS[f3], rd, rs1, 0, raw >>> 20);
}

function decodeOpFp(raw: number, out: Decoded, rd: number, f3: number, rs1: number, rs2: number, f7: number): Decoded {
  const ill = () => set(out, OP.ILLEGAL, 0, 0, 0, 0);
  switch (f7) {
    case 0x00: return set(out, OP.FADD_S, rd, rs1, rs2, 0);
    case 0x01: return set(out, OP.FADD_D, rd, rs1, rs2, 0);
    case 0x04: return set(out, OP.FSUB_S, rd, rs1, rs2, 0);
    case 0x05: return set(out, OP.FSUB_D, rd, rs1, rs2, 0);
    case 0x08: return set(out, OP.FMUL_S, rd, rs1, rs2, 0);
    case 0x09: return set(out, OP.FMUL_D, rd, rs1, rs2, 0);
    case 0x0c: return set(out, OP.FDIV_S, rd, rs1, rs2, 0);
    case 0x0d: return set(out, OP.FDIV_D, rd, rs1, rs2, 0);
    case 0x2c: return rs2 === 0 ? set(out, OP.FSQRT_S, rd, rs1, 0, 0) : ill();
    case 0x2d: return rs2 === 0 ? set(out, OP.FSQRT_D, rd, rs1, 0, 0) : ill();
    case 0x10: return f3 < 3 ? set(out, [OP.FSGNJ_S, OP.FSGNJN_S, OP.FSGNJX_S][f3], rd, rs1, rs2, 0) : ill();
    case 0x11: return f3 < 3 ? set(out, [OP.FSGNJ_D, OP.FSGNJN_D, OP.FSGNJX_D][f3], rd, rs1, rs2, 0) : ill();
    case 0x14: return f3 < 2 ? set(out, f3 ? OP.FMAX_S : OP.FMIN_S, rd, rs1, rs2, 0) : ill();
    case 0x15: return f3 < 2 ? set(out, f3 ? OP.FMAX_D : OP.FMIN_D, rd, rs1, rs2, 0) : ill();
    case 0x20: return rs2 === 1 ? set(out, OP.FCVT_S_D, rd, rs1, 0, 0) : ill();
    case 0x21: return rs2 === 0 ? set(out, OP.FCVT_D_S, rd, rs1, 0, 0) : ill();
    case 0x50: return f3 < 3 ? set(out, [OP.FLE_S, OP.FLT_S, OP.FEQ_S][f3], rd, rs1, rs2, 0) : ill();
    case 0x51: return f3 < 3 ? set(out, [OP.FLE_D, OP.FLT_D, OP.FEQ_D][f3], rd, rs1, rs2, 0) : ill();
    case 0x60: return rs2 < 4 ? set(out, [OP.FCVT_W_S, OP.FCVT_WU_S, OP.FCVT_L_S, OP.FCVT_LU_S][rs2], rd, rs1, 0, 0) : ill();
    case 0x61: return rs2 < 4 ? set(out, [OP.FCVT_W_D, OP.FCVT_WU_D, OP.FCVT_L_D, OP.FCVT_LU_D][rs2], rd, rs1, 0, 0) : ill();
    case 0x68: return rs2 < 4 ? set(out, [OP.FCVT_S_W, OP.FCVT_S_WU, OP.FCVT_S_L, OP.FCVT_S_LU][rs2], rd, rs1, 0, 0) : ill();
    case 0x69: return rs2 < 4 ? set(out, [OP.FCVT_D_W, OP.FCVT_D_WU, OP.FCVT_D_L, OP.FCVT_D_LU][rs2], rd, rs1, 0, 0) : ill();
    case 0x70:
      if (rs2 !== 0) return ill();
      return f3 === 0 ? set(out, OP.FMV_X_W, rd, rs1, 0, 0) : f3 === 1 ? set(out, OP.FCLASS_S, rd, rs1, 0, 0) : ill();
    case 0x71:
      if (rs2 !== 0) return ill();
      return f3 === 0 ? set(out, OP.FMV_X_D, rd, rs1, 0, 0) : f3 === 1 ? set(out, OP.FCLASS_D, rd, rs1, 0, 0) : ill();
    case 0x78: return rs2 === 0 && f3 === 0 ? set(out, OP.FMV_W_X, rd, rs1, 0, 0) : ill();
    case 0x79: return rs2 === 0 && f3 === 0 ? set(out, OP.FMV_D_X, rd, rs1, 0, 0) : ill();
  }
  return ill();
}

/** Sign-extends the low `bits` bits of v. */
function sx(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}

function decodeCompressed(raw: number, out: Decoded): Decoded {
  out.raw = raw;
  out.len = 2;
  out.rs3 = 0;
  out.rm = 0;
  const f3 = raw >>> 13;
  const rdp = 8 + ((raw >>> 2) & 7); // rd'/rs2' field
  const rs1p = 8 + ((raw >>> 7) & 7); // rs1'/rd' field
  const rd = (raw >>> 7) & 31;
  const rs2 = (raw >>> 2) & 31;
  const b12 = (raw >>> 12) & 1;
  const imm6 = sx((b12 << 5) | rs2, 6);
  const ill = () => set(out, OP.ILLEGAL, 0, 0, 0, 0);
  switch (raw & 3) {
    case 0: {
      // offsets for C.LD/C.SD/C.FLD/C.FSD: uimm[5:3] = [12:10], uimm[7:6] = [6:5]
      const uimmD = (((raw >>> 10) & 7) << 3) | (((raw >>> 5) & 3) << 6);
      // C.LW/C.SW: uimm[5:3] = [12:10], uimm[2] = [6], uimm[6] = [5]
      const uimmW = (((raw >>> 10) & 7) << 3) | (((raw >>> 6) & 1) << 2) | (((raw >>> 5) & 1) << 6);
      switch (f3) {
        case 0: {
          // C.ADDI4SPN: nzuimm[5:4|9:6|2|3] = [12:11|10:7|6|5]
          const nz =
            (((raw >>> 11) & 3) << 4) | (((raw >>> 7) & 0xf) << 6) | (((raw >>> 6) & 1) << 2) | (((raw >>> 5) & 1) << 3);
          return nz === 0 ? ill() : set(out, OP.ADDI, rdp, 2, 0, nz);
        }
        case 1: return set(out, OP.FLD, rdp, rs1p, 0, uimmD);
        case 2: return set(out, OP.LW, rdp, rs1p, 0, uimmW);
        case 3: return set(out, OP.LD, rdp, rs1p, 0, uimmD);
        case 5: return set(out, OP.FSD, 0, rs1p, rdp, uimmD);
        case 6: return set(out, OP.SW, 0, rs1p, rdp, uimmW);
        case 7: return set(out, OP.SD, 0, rs1p, rdp, uimmD);
      }
      return ill();
    }
    case 1:
      switch (f3) {
        case 0: return set(out, OP.ADDI, rd, rd, 0, imm6);
        case 1: return rd === 0 ? ill() : set(out, OP.ADDIW, rd, rd, 0, imm6);
        case 2: return set(out, OP.ADDI, rd, 0, 0, imm6);
        case 3:
          if (rd === 2) {
            // C.ADDI16SP: nzimm[9] = [12], nzimm[4|6|8:7|5] = [6|5|4:3|2]
            const nz = sx(
              (b12 << 9) | (((raw >>> 6) & 1) << 4) | (((raw >>> 5) & 1) << 6) | (((raw >>> 3) & 3) << 7) | (((raw >>> 2) & 1) << 5),
              10,
            );
            return nz === 0 ? ill() : set(out, OP.ADDI, 2, 2, 0, nz);
          }
          return imm6 === 0 ? ill() : set(out, OP.LUI, rd, 0, 0, imm6 << 12);
        case 4: {
          const f2 = (raw >>> 10) & 3;
          const shamt = (b12 << 5) | rs2;
          if (f2 === 0) return set(out, OP.SRLI, rs1p, rs1p, 0, shamt);
          if (f2 === 1) return set(out, OP.SRAI, rs1p, rs1p, 0, shamt);
          if (f2 === 2) return set(out, OP.ANDI, rs1p, rs1p, 0, imm6);
          const sel = (raw >>> 5) & 3;
          if (b12 === 0) return set(out, [OP.SUB, OP.XOR, OP.OR, OP.AND][sel], rs1p, rs1p, rdp, 0);
          if (sel < 2) return set(out, sel ? OP.ADDW : OP.SUBW, rs1p, rs1p, rdp, 0);
          return ill();
        }
        case 5: {
          // C.J: offset[11|4|9:8|10|6|7|3:1|5] = [12|11|10:9|8|7|6|5:3|2]
          const off =
            (b12 << 11) |
            (((raw >>> 11) & 1) << 4) |
            (((raw >>> 9) & 3) << 8) |
            (((raw >>> 8) & 1) << 10) |
            (((raw >>> 7) & 1) << 6) |
            (((raw >>> 6) & 1) << 7) |
            (((raw >>> 3) & 7) << 1) |
            (((raw >>> 2) & 1) << 5);
          return set(out, OP.JAL, 0, 0, 0, sx(off, 12));
        }
        case 6:
        case 7: {
          // C.BEQZ/C.BNEZ: offset[8|4:3] = [12|11:10], offset[7:6|2:1|5] = [6:5|4:3|2]
          const off =
            (b12 << 8) |
            (((raw >>> 10) & 3) << 3) |
            (((raw >>> 5) & 3) << 6) |
            (((raw >>> 3) & 3) << 1) |
            (((raw >>> 2) & 1) << 5);
          return set(out, f3 === 6 ? OP.BEQ : OP.BNE, 0, rs1p, 0, sx(off, 9));
        }
      }
      return ill();
    case 2:
      switch (f3) {
        case 0: return set(out, OP.SLLI, rd, rd, 0, (b12 << 5) | rs2);
        case 1: // C.FLDSP: uimm[5] = [12], uimm[4:3|8:6] = [6:5|4:2]
          return set(out, OP.FLD, rd, 2, 0, (b12 << 5) | (((raw >>> 5) & 3) << 3) | (((raw >>> 2) & 7) << 6));
        case 2: // C.LWSP: uimm[5] = [12], uimm[4:2|7:6] = [6:4|3:2]
          return rd === 0 ? ill() : set(out, OP.LW, rd, 2, 0, (b12 << 5) | (((raw >>> 4) & 7) << 2) | (((raw >>> 2) & 3) << 6));
        case 3:
          return rd === 0 ? ill() : set(out, OP.LD, rd, 2, 0, (b12 << 5) | (((raw >>> 5) & 3) << 3) | (((raw >>> 2) & 7) << 6));
        case 4:
          if (b12 === 0) {
            if (rs2 === 0) return rd === 0 ? ill() : set(out, OP.JALR, 0, rd, 0, 0);
            return set(out, OP.ADD, rd, 0, rs2, 0);
          }
          if (rs2 === 0) return rd === 0 ? set(out, OP.EBREAK, 0, 0, 0, 0) : set(out, OP.JALR, 1, rd, 0, 0);
          return set(out, OP.ADD, rd, rd, rs2, 0);
        case 5: // C.FSDSP: uimm[5:3|8:6] = [12:10|9:7]
          return set(out, OP.FSD, 0, 2, rs2, (((raw >>> 10) & 7) << 3) | (((raw >>> 7) & 7) << 6));
        case 6: // C.SWSP: uimm[5:2|7:6] = [12:9|8:7]
          return set(out, OP.SW, 0, 2, rs2, (((raw >>> 9) & 0xf) << 2) | (((raw >>> 7) & 3) << 6));
        case 7:
          return set(out, OP.SD, 0, 2, rs2, (((raw >>> 10) & 7) << 3) | (((raw >>> 7) & 7) << 6));
      }
  }
  return ill();
}
