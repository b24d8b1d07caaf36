// The hart's F and D extensions: 32 FP registers, fflags/frm, and execution of every
// arithmetic, compare, convert and move op (loads/stores are the hart's).
//
// Register file: 64 int32 words, f[2*i] = low word and f[2*i+1] = high word of register i.
// The same bytes are viewed as 32 float64s (fd[i] = register i) and as float32s (fs[2*i] = the
// low word of register i), which lets the fast paths read and write numbers without any bit
// shuffling. That relies on a little-endian host (checked below; every platform Node supports
// for this project is little-endian).
//
// NaN boxing (D chapter "NaN Boxing of Narrower Values"): a binary32 value is valid only if the
// high word is all ones; every F op that reads a binary32 operand treats anything else as the
// canonical NaN, and every binary32 result is written with the high word all ones. The hart's
// FLW must write the loaded word with high word -1 (boxed); FSW stores the low word as is, and
// FLD/FSD move all 64 bits. fmv.x.w likewise ignores the boxing.
//
// NaNs never round-trip through a JS number into a register: NaN results are written as
// integer words (V8 may canonicalize NaN payloads when storing numbers).
import { OP } from '../../isa/opcodes.ts';
import { BINARY32, BINARY64 } from './formats.ts';
import { addD, divD, fmaD, mulD, sqrtD } from './f64-ops.ts';
import { addS, divS, fmaS, mulS, sqrtS } from './f32-ops.ts';
import {
  CMP_EQ, CMP_LE, CMP_LT, compareD, compareS, fclassD, fclassS, minMaxD, minMaxS, sgnjD, sgnjS,
} from './compare-ops.ts';
import {
  doubleToSingle, floatToInt, fmvDX, fmvWX, fmvXD, fmvXW, INT_L, INT_LU, INT_W, INT_WU, intToFloat, singleToDouble,
} from './convert-ops.ts';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('Chronovisor FPU: the register-file views need a little-endian host');
}

/** Ops whose destination is an FP register (including the hart's FLW/FLD). */
const WRITES_FPR = new Uint8Array(256);
for (const name of [
  'FLW', 'FLD',
  'FMADD_S', 'FMSUB_S', 'FNMSUB_S', 'FNMADD_S', 'FADD_S', 'FSUB_S', 'FMUL_S', 'FDIV_S', 'FSQRT_S',
  'FSGNJ_S', 'FSGNJN_S', 'FSGNJX_S', 'FMIN_S', 'FMAX_S', 'FCVT_S_W', 'FCVT_S_WU', 'FCVT_S_L', 'FCVT_S_LU', 'FMV_W_X',
  'FMADD_D', 'FMSUB_D', 'FNMSUB_D', 'FNMADD_D', 'FADD_D', 'FSUB_D', 'FMUL_D', 'FDIV_D', 'FSQRT_D',
  'FSGNJ_D', 'FSGNJN_D', 'FSGNJX_D', 'FMIN_D', 'FMAX_D', 'FCVT_S_D', 'FCVT_D_S',
  'FCVT_D_W', 'FCVT_D_WU', 'FCVT_D_L', 'FCVT_D_LU', 'FMV_D_X',
] as const) {
  WRITES_FPR[OP[name]] = 1;
}

export class Fpu {
  /** The 32 FP registers as 64-bit patterns in lo/hi int32 pairs: f[2*i] = low word, f[2*i+1] = high word. */
  readonly f: Int32Array;
  /** Register i as a binary64 number (same bytes as f). */
  readonly fd: Float64Array;
  /** fs[2*i]: the low word of register i as a binary32 number (same bytes as f). */
  readonly fs: Float32Array;
  /** The hart's integer registers as lo/hi pairs (33 pairs; pair 32 is the rd=x0 write sink). */
  readonly x: Int32Array;
  /** Accrued exception flags NV|DZ|OF|UF|NX (5 bits). */
  fflags = 0;
  /** Dynamic rounding mode (3 bits); the hart resolves rm=7 to this before calling exec. */
  frm = 0;

  constructor(x: Int32Array) {
    if (x.length < 66) throw new RangeError(`Fpu needs the integer register file as 33 lo/hi pairs (66 words), got ${x.length}`);
    const buf = new ArrayBuffer(32 * 8);
    this.f = new Int32Array(buf);
    this.fd = new Float64Array(buf);
    this.fs = new Float32Array(buf);
    this.x = x;
  }

  /**
   * Executes one F/D arithmetic, compare, convert or move op. rm is the resolved rounding mode
   * 0..4 (ignored by ops without one). FP register numbers are 0..31; rd of an op with an
   * integer result may be 32, the hart's x0 sink.
   */
  exec(op: number, rd: number, rs1: number, rs2: number, rs3: number, rm: number): void {
    switch (op) {
      case OP.FADD_D: return addD(this, rd, rs1, rs2, rm, false);
      case OP.FSUB_D: return addD(this, rd, rs1, rs2, rm, true);
      case OP.FMUL_D: return mulD(this, rd, rs1, rs2, rm);
      case OP.FDIV_D: return divD(this, rd, rs1, rs2, rm);
      case OP.FSQRT_D: return sqrtD(this, rd, rs1, rm);
      case OP.FMADD_D: return fmaD(this, rd, rs1, rs2, rs3, rm, false, false);
      case OP.FMSUB_D: return fmaD(this, rd, rs1, rs2, rs3, rm, false, true);
      case OP.FNMSUB_D: return fmaD(this, rd, rs1, rs2, rs3, rm, true, false);
      case OP.FNMADD_D: return fmaD(this, rd, rs1, rs2, rs3, rm, true, true);
      case OP.FADD_S: return addS(this, rd, rs1, rs2, rm, false);
      case OP.FSUB_S: return addS(this, rd, rs1, rs2, rm, true);
      case OP.FMUL_S: return mulS(this, rd, rs1, rs2, rm);
      case OP.FDIV_S: return divS(this, rd, rs1, rs2, rm);
      case OP.FSQRT_S: return sqrtS(this, rd, rs1, rm);
      case OP.FMADD_S: return fmaS(this, rd, rs1, rs2, rs3, rm, false, false);
      case OP.FMSUB_S: return fmaS(this, rd, rs1, rs2, rs3, rm, false, true);
      case OP.FNMSUB_S: return fmaS(this, rd, rs1, rs2, rs3, rm, true, false);
      case OP.FNMADD_S: return fmaS(this, rd, rs1, rs2, rs3, rm, true, true);
      case OP.FSGNJ_D: return sgnjD(this, rd, rs1, rs2, 0);
      case OP.FSGNJN_D: return sgnjD(this, rd, rs1, rs2, 1);
      case OP.FSGNJX_D: return sgnjD(this, rd, rs1, rs2, 2);
      case OP.FSGNJ_S: return sgnjS(this, rd, rs1, rs2, 0);
      case OP.FSGNJN_S: return sgnjS(this, rd, rs1, rs2, 1);
      case OP.FSGNJX_S: return sgnjS(this, rd, rs1, rs2, 2);
      case OP.FMIN_D: return minMaxD(this, rd, rs1, rs2, false);
      case OP.FMAX_D: return minMaxD(this, rd, rs1, rs2, true);
      case OP.FMIN_S: return minMaxS(this, rd, rs1, rs2, false);
      case OP.FMAX_S: return minMaxS(this, rd, rs1, rs2, true);
      case OP.FEQ_D: return compareD(this, rd, rs1, rs2, CMP_EQ);
      case OP.FLT_D: return compareD(this, rd, rs1, rs2, CMP_LT);
      case OP.FLE_D: return compareD(this, rd, rs1, rs2, CMP_LE);
      case OP.FEQ_S: return compareS(this, rd, rs1, rs2, CMP_EQ);
      case OP.FLT_S: return compareS(this, rd, rs1, rs2, CMP_LT);
      case OP.FLE_S: return compareS(this, rd, rs1, rs2, CMP_LE);
      case OP.FCLASS_D: return fclassD(this, rd, rs1);
      case OP.FCLASS_S: return fclassS(this, rd, rs1);
      case OP.FCVT_W_D: return floatToInt(this, rd, this.fd[rs1], rm, INT_W);
      case OP.FCVT_WU_D: return floatToInt(this, rd, this.fd[rs1], rm, INT_WU);
      case OP.FCVT_L_D: return floatToInt(this, rd, this.fd[rs1], rm, INT_L);
      case OP.FCVT_LU_D: return floatToInt(this, rd, this.fd[rs1], rm, INT_LU);
      case OP.FCVT_W_S: return floatToInt(this, rd, this.single(rs1), rm, INT_W);
      case OP.FCVT_WU_S: return floatToInt(this, rd, this.single(rs1), rm, INT_WU);
      case OP.FCVT_L_S: return floatToInt(this, rd, this.single(rs1), rm, INT_L);
      case OP.FCVT_LU_S: return floatToInt(this, rd, this.single(rs1), rm, INT_LU);
      case OP.FCVT_D_W: return intToFloat(this, BINARY64, rd, rs1, rm, INT_W);
      case OP.FCVT_D_WU: return intToFloat(this, BINARY64, rd, rs1, rm, INT_WU);
      case OP.FCVT_D_L: return intToFloat(this, BINARY64, rd, rs1, rm, INT_L);
      case OP.FCVT_D_LU: return intToFloat(this, BINARY64, rd, rs1, rm, INT_LU);
      case OP.FCVT_S_W: return intToFloat(this, BINARY32, rd, rs1, rm, INT_W);
      case OP.FCVT_S_WU: return intToFloat(this, BINARY32, rd, rs1, rm, INT_WU);
      case OP.FCVT_S_L: return intToFloat(this, BINARY32, rd, rs1, rm, INT_L);
      case OP.FCVT_S_LU: return intToFloat(this, BINARY32, rd, rs1, rm, INT_LU);
      case OP.FCVT_S_D: return doubleToSingle(this, rd, rs1, rm);
      case OP.FCVT_D_S: return singleToDouble(this, rd, rs1, rm);
      case OP.FMV_X_W: return fmvXW(this, rd, rs1);
      case OP.FMV_X_D: return fmvXD(this, rd, rs1);
      case OP.FMV_W_X: return fmvWX(this, rd, rs1);
      case OP.FMV_D_X: return fmvDX(this, rd, rs1);
    }
    throw new RangeError(`Fpu.exec: op ${op} is not an F/D arithmetic, compare, convert or move op (FLW/FSW/FLD/FSD belong to the hart)`);
  }

  /** The binary32 operand in register r as a number (NaN when not NaN-boxed). */
  private single(r: number): number {
    return this.f[2 * r + 1] === -1 ? this.fs[2 * r] : NaN;
  }

  /** Whether op writes an FP register (FLW/FLD included), for setting mstatus.FS dirty. */
  static writesFpr(op: number): boolean {
    return WRITES_FPR[op] === 1;
  }
}
