// RVC encoder: finds a 16-bit instruction whose expansion is exactly the given base
// instruction (unprivileged spec, "RVC Instruction Set Listings"), or undefined. HINT
// encodings (rd = x0 forms) are produced too, since they decode to the same fields.
import { OP } from './opcodes.ts';
import type { Fields } from './encode.ts';

const isC = (r: number) => r >= 8 && r <= 15; // x8..x15 / f8..f15, the 3-bit register fields
const fitsS = (v: number, bits: number) => v >= -(2 ** (bits - 1)) && v < 2 ** (bits - 1);

/** CI-format 6-bit immediate: imm[5] at bit 12, imm[4:0] at bits 6:2. */
function ci(f3: number, rd: number, imm6: number, quadrant: number): number {
  return (f3 << 13) | (((imm6 >>> 5) & 1) << 12) | (rd << 7) | ((imm6 & 31) << 2) | quadrant;
}

/** CA-format register-register: rd'/rs1' and rs2' with funct6/funct2. */
function ca(funct6: number, rdp: number, funct2: number, rs2p: number): number {
  return (funct6 << 10) | ((rdp - 8) << 7) | (funct2 << 5) | ((rs2p - 8) << 2) | 1;
}

/** Loads/stores with a doubleword-scaled offset: uimm[5:3] at 12:10, uimm[7:6] at 6:5. */
function clD(f3: number, rs1p: number, rdp: number, uimm: number): number {
  return (f3 << 13) | (((uimm >>> 3) & 7) << 10) | ((rs1p - 8) << 7) | (((uimm >>> 6) & 3) << 5) | ((rdp - 8) << 2);
}

/** Word-scaled: uimm[5:3] at 12:10, uimm[2] at 6, uimm[6] at 5. */
function clW(f3: number, rs1p: number, rdp: number, uimm: number): number {
  return (f3 << 13) | (((uimm >>> 3) & 7) << 10) | ((rs1p - 8) << 7) | (((uimm >>> 2) & 1) << 6) | (((uimm >>> 6) & 1) << 5) | ((rdp - 8) << 2);
}

function cj(imm: number): number {
  const b = (bit: number) => (imm >>> bit) & 1;
  return (
    (5 << 13) |
    (b(11) << 12) |
    (b(4) << 11) |
    (((imm >>> 8) & 3) << 9) |
    (b(10) << 8) |
    (b(6) << 7) |
    (b(7) << 6) |
    (((imm >>> 1) & 7) << 3) |
    (b(5) << 2) |
    1
  );
}

function cb(f3: number, rs1p: number, imm: number): number {
  const b = (bit: number) => (imm >>> bit) & 1;
  return (
    (f3 << 13) |
    (b(8) << 12) |
    (((imm >>> 3) & 3) << 10) |
    ((rs1p - 8) << 7) |
    (((imm >>> 6) & 3) << 5) |
    (((imm >>> 1) & 3) << 3) |
    (b(5) << 2) |
    1
  );
}

/** Stack-pointer-relative doubleword load (C.LDSP/C.FLDSP): uimm[5] at 12, uimm[4:3|8:6] at 6:2. */
function lspD(f3: number, rd: number, uimm: number): number {
  return (f3 << 13) | (((uimm >>> 5) & 1) << 12) | (rd << 7) | (((uimm >>> 3) & 3) << 5) | (((uimm >>> 6) & 7) << 2) | 2;
}

/** Stack-pointer-relative doubleword store (C.SDSP/C.FSDSP): uimm[5:3|8:6] at 12:7. */
function sspD(f3: number, rs2: number, uimm: number): number {
  return (f3 << 13) | (((uimm >>> 3) & 7) << 10) | (((uimm >>> 6) & 7) << 7) | (rs2 << 2) | 2;
}

/**
 * A 16-bit encoding that decodes to `f` (same op and fields), or undefined if none exists.
 * Preference follows what an assembler emits: the most specific form first.
 */
export function encodeCompressed(f: Fields): number | undefined {
  const rd = f.rd ?? 0;
  const rs1 = f.rs1 ?? 0;
  const rs2 = f.rs2 ?? 0;
  const imm = f.imm ?? 0;
  switch (f.op) {
    case OP.ADDI:
      if (rd === 2 && rs1 === 2 && imm !== 0 && imm % 16 === 0 && fitsS(imm, 10)) {
        // C.ADDI16SP: nzimm[9] at 12, nzimm[4|6|8:7|5] at 6:2
        const b = (bit: number) => (imm >>> bit) & 1;
        return (3 << 13) | (b(9) << 12) | (2 << 7) | (b(4) << 6) | (b(6) << 5) | (((imm >>> 7) & 3) << 3) | (b(5) << 2) | 1;
      }
      if (rs1 === 2 && isC(rd) && imm > 0 && imm < 1024 && imm % 4 === 0) {
        // C.ADDI4SPN: nzuimm[5:4|9:6|2|3] at 12:5
        const b = (bit: number) => (imm >>> bit) & 1;
        return (((imm >>> 4) & 3) << 11) | (((imm >>> 6) & 15) << 7) | (b(2) << 6) | (b(3) << 5) | ((rd - 8) << 2);
      }
      if (rd === rs1 && fitsS(imm, 6)) return ci(0, rd, imm, 1); // C.ADDI (C.NOP when rd = 0)
      if (rs1 === 0 && fitsS(imm, 6)) return ci(2, rd, imm, 1); // C.LI
      return undefined;
    case OP.ADDIW:
      return rd !== 0 && rd === rs1 && fitsS(imm, 6) ? ci(1, rd, imm, 1) : undefined;
    case OP.LUI: {
      const hi = imm >> 12;
      return rd !== 2 && hi !== 0 && fitsS(hi, 6) && (imm & 0xfff) === 0 ? ci(3, rd, hi, 1) : undefined;
    }
    case OP.SLLI:
      return rd === rs1 && imm >= 0 && imm < 64 ? ci(0, rd, imm, 2) : undefined;
    case OP.SRLI:
    case OP.SRAI:
      if (rd !== rs1 || !isC(rd) || imm < 0 || imm >= 64) return undefined;
      return (4 << 13) | (((imm >>> 5) & 1) << 12) | ((f.op === OP.SRAI ? 1 : 0) << 10) | ((rd - 8) << 7) | ((imm & 31) << 2) | 1;
    case OP.ANDI:
      if (rd !== rs1 || !isC(rd) || !fitsS(imm, 6)) return undefined;
      return (4 << 13) | (((imm >>> 5) & 1) << 12) | (2 << 10) | ((rd - 8) << 7) | ((imm & 31) << 2) | 1;
    case OP.SUB:
    case OP.XOR:
    case OP.OR:
    case OP.AND:
    case OP.SUBW:
    case OP.ADDW: {
      if (rd !== rs1 || !isC(rd) || !isC(rs2)) return undefined;
      const word = f.op === OP.SUBW || f.op === OP.ADDW;
      const funct2 = { [OP.SUB]: 0, [OP.XOR]: 1, [OP.OR]: 2, [OP.AND]: 3, [OP.SUBW]: 0, [OP.ADDW]: 1 }[f.op]!;
      return ca(word ? 0x27 : 0x23, rd, funct2, rs2);
    }
    case OP.ADD:
      if (rs2 === 0) return undefined;
      if (rs1 === 0) return (4 << 13) | (rd << 7) | (rs2 << 2) | 2; // C.MV
      if (rd === rs1) return (4 << 13) | (1 << 12) | (rd << 7) | (rs2 << 2) | 2; // C.ADD
      return undefined;
    case OP.JAL:
      return rd === 0 && imm % 2 === 0 && fitsS(imm, 12) ? cj(imm) : undefined;
    case OP.JALR:
      if (imm !== 0 || rs1 === 0 || rd > 1) return undefined;
      return (4 << 13) | (rd << 12) | (rs1 << 7) | 2; // C.JR / C.JALR
    case OP.BEQ:
    case OP.BNE:
      if (rs2 !== 0 || !isC(rs1) || imm % 2 !== 0 || !fitsS(imm, 9)) return undefined;
      return cb(f.op === OP.BEQ ? 6 : 7, rs1, imm);
    case OP.EBREAK:
      return 0x9002;
    case OP.LW:
      if (rs1 === 2 && rd !== 0 && imm >= 0 && imm < 256 && imm % 4 === 0) {
        return (2 << 13) | (((imm >>> 5) & 1) << 12) | (rd << 7) | (((imm >>> 2) & 7) << 4) | (((imm >>> 6) & 3) << 2) | 2;
      }
      return isC(rd) && isC(rs1) && imm >= 0 && imm < 128 && imm % 4 === 0 ? clW(2, rs1, rd, imm) : undefined;
    case OP.SW:
      if (rs1 === 2 && imm >= 0 && imm < 256 && imm % 4 === 0) {
        return (6 << 13) | (((imm >>> 2) & 15) << 9) | (((imm >>> 6) & 3) << 7) | (rs2 << 2) | 2;
      }
      return isC(rs2) && isC(rs1) && imm >= 0 && imm < 128 && imm % 4 === 0 ? clW(6, rs1, rs2, imm) : undefined;
    case OP.LD:
    case OP.FLD: {
      const f3 = f.op === OP.LD ? 3 : 1;
      if (rs1 === 2 && (rd !== 0 || f.op === OP.FLD) && imm >= 0 && imm < 512 && imm % 8 === 0) return lspD(f3, rd, imm);
      return isC(rd) && isC(rs1) && imm >= 0 && imm < 256 && imm % 8 === 0 ? clD(f3, rs1, rd, imm) : undefined;
    }
    case OP.SD:
    case OP.FSD: {
      const f3 = f.op === OP.SD ? 7 : 5;
      if (rs1 === 2 && imm >= 0 && imm < 512 && imm % 8 === 0) return sspD(f3, rs2, imm);
      return isC(rs2) && isC(rs1) && imm >= 0 && imm < 256 && imm % 8 === 0 ? clD(f3, rs1, rs2, imm) : undefined;
    }
  }
  return undefined;
}
