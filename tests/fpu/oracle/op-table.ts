// The F/D ops the golden vectors cover, how each is encoded for the QEMU oracle and how its
// result is stored. Shared by the regenerator (tests/fpu/oracle/regenerate.ts) and the vector
// test (tests/fpu/vectors.test.ts) so the two can never disagree on register assignment.
//
// Register convention of every oracle stub (and of the replay in the test):
//   FP sources f0 (a), f1 (b), f2 (c); FP result f3; integer source x5 (a); integer result x6.
import { OP } from '../../../src/isa/opcodes.ts';

/** Operand groups: which tuple set an op is evaluated on. */
export const GROUPS = ['D1', 'D2', 'D3', 'S1', 'S2', 'S3', 'X1'] as const;
export type Group = (typeof GROUPS)[number];
export const GROUP_ARITY: Record<Group, number> = { D1: 1, D2: 2, D3: 3, S1: 1, S2: 2, S3: 3, X1: 1 };

/**
 * How a result is compared and stored: f64/x64 keep all 64 bits; f32 is the low word of a
 * NaN-boxed register (upper word must be all ones); x32 is a 32-bit value sign-extended to
 * 64 bits; bool is 0/1; class is the 10-bit fclass mask.
 */
export type ResultKind = 'f64' | 'f32' | 'x64' | 'x32' | 'bool' | 'class';
export const RESULT_BYTES: Record<ResultKind, number> = { f64: 8, f32: 4, x64: 8, x32: 4, bool: 1, class: 2 };

export const REG = { fa: 0, fb: 1, fc: 2, fd: 3, xa: 5, xd: 6 } as const;

export interface OracleOp {
  /** Index in ORACLE_OPS, stable within one vector file. */
  readonly name: string;
  readonly op: number;
  readonly group: Group;
  readonly usesRm: boolean;
  readonly kind: ResultKind;
  /** rs1 = rs2 = f0 (fmv/fneg/fabs forms of fsgnj*). */
  readonly sameReg: boolean;
  /** The 32-bit instruction word for rounding mode rm (ignored when !usesRm). */
  encode(rm: number): number;
}

const fpResult = (k: ResultKind) => k === 'f64' || k === 'f32';

function opFp(f7: number, rs2: number, f3: number | 'rm', rdInt: boolean, rs1Int: boolean) {
  return (rm: number): number => {
    const rd = rdInt ? REG.xd : REG.fd;
    const rs1 = rs1Int ? REG.xa : REG.fa;
    const funct3 = f3 === 'rm' ? rm : f3;
    return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x53) >>> 0;
  };
}

function r4(opcode: number, fmt: number) {
  return (rm: number): number =>
    ((REG.fc << 27) | (fmt << 25) | (REG.fb << 20) | (REG.fa << 15) | (rm << 12) | (REG.fd << 7) | opcode) >>> 0;
}

function def(
  name: keyof typeof OP,
  group: Group,
  usesRm: boolean,
  kind: ResultKind,
  encode: (rm: number) => number,
  sameReg = false,
): OracleOp {
  return { name: sameReg ? `${name}(rs1=rs2)` : name, op: OP[name], group, usesRm, kind, sameReg, encode };
}

function buildTable(): OracleOp[] {
  const t: OracleOp[] = [];
  for (const [fmtBit, P, F] of [[0, 'S', 'f32'], [1, 'D', 'f64']] as const) {
    const g1 = `${P}1` as Group, g2 = `${P}2` as Group, g3 = `${P}3` as Group;
    const k = F as ResultKind;
    const n = (s: string) => `${s}_${P}` as keyof typeof OP;
    t.push(def(n('FMADD'), g3, true, k, r4(0x43, fmtBit)));
    t.push(def(n('FMSUB'), g3, true, k, r4(0x47, fmtBit)));
    t.push(def(n('FNMSUB'), g3, true, k, r4(0x4b, fmtBit)));
    t.push(def(n('FNMADD'), g3, true, k, r4(0x4f, fmtBit)));
    const arith: [string, number][] = [['FADD', 0x00], ['FSUB', 0x04], ['FMUL', 0x08], ['FDIV', 0x0c]];
    for (const [m, f7] of arith) {
      const enc = opFp(f7 | fmtBit, REG.fb, 'rm', false, false);
      t.push(def(n(m), g2, true, k, enc));
    }
    t.push(def(n('FSQRT'), g1, true, k, opFp(0x2c | fmtBit, 0, 'rm', false, false)));
    const sgnj = ['FSGNJ', 'FSGNJN', 'FSGNJX'];
    sgnj.forEach((m, f3) => {
      t.push(def(n(m), g2, false, k, opFp(0x10 | fmtBit, REG.fb, f3, false, false)));
      t.push(def(n(m), g1, false, k, opFp(0x10 | fmtBit, REG.fa, f3, false, false), true));
    });
    t.push(def(n('FMIN'), g2, false, k, opFp(0x14 | fmtBit, REG.fb, 0, false, false)));
    t.push(def(n('FMAX'), g2, false, k, opFp(0x14 | fmtBit, REG.fb, 1, false, false)));
    t.push(def(n('FLE'), g2, false, 'bool', opFp(0x50 | fmtBit, REG.fb, 0, true, false)));
    t.push(def(n('FLT'), g2, false, 'bool', opFp(0x50 | fmtBit, REG.fb, 1, true, false)));
    t.push(def(n('FEQ'), g2, false, 'bool', opFp(0x50 | fmtBit, REG.fb, 2, true, false)));
    t.push(def(n('FCLASS'), g1, false, 'class', opFp(0x70 | fmtBit, 0, 1, true, false)));
    const toInt: [string, ResultKind][] = [['W', 'x32'], ['WU', 'x32'], ['L', 'x64'], ['LU', 'x64']];
    toInt.forEach(([w, kind], rs2) => {
      t.push(def(`FCVT_${w}_${P}` as keyof typeof OP, g1, true, kind, opFp(0x60 | fmtBit, rs2, 'rm', true, false)));
      t.push(def(`FCVT_${P}_${w}` as keyof typeof OP, 'X1', true, k, opFp(0x68 | fmtBit, rs2, 'rm', false, true)));
    });
  }
  t.push(def('FCVT_S_D', 'D1', true, 'f32', opFp(0x20, 1, 'rm', false, false)));
  t.push(def('FCVT_D_S', 'S1', true, 'f64', opFp(0x21, 0, 'rm', false, false)));
  t.push(def('FMV_X_W', 'S1', false, 'x32', opFp(0x70, 0, 0, true, false)));
  t.push(def('FMV_X_D', 'D1', false, 'x64', opFp(0x71, 0, 0, true, false)));
  t.push(def('FMV_W_X', 'X1', false, 'f32', opFp(0x78, 0, 0, false, true)));
  t.push(def('FMV_D_X', 'X1', false, 'f64', opFp(0x79, 0, 0, false, true)));
  return t;
}

export const ORACLE_OPS: readonly OracleOp[] = Object.freeze(buildTable());

export const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm'] as const;

/** The rounding modes an op is run in: all five, or just 0 for ops without an rm field. */
export function rmsOf(o: OracleOp): number[] {
  return o.usesRm ? [0, 1, 2, 3, 4] : [0];
}

export function writesFpResult(o: OracleOp): boolean {
  return fpResult(o.kind);
}

/** Integer source ops read x5; all others read f0..f2. */
export function readsIntSource(o: OracleOp): boolean {
  return o.group === 'X1';
}
