// Register-representation benchmark: the same pre-decoded RV64 loop (ADDI, ADD, XOR, SLLI,
// MUL, LD, SD, BNE) run by two interpreter loops that differ only in how the 64-bit integer
// registers are held: a BigInt64Array, or hi/lo halves in an Int32Array.
// The result decides the representation used by src/cpu (see docs/ARCHITECTURE.md).

const enum Op { ADDI, ADD, XOR, SLLI, MUL, LD, SD, BNE, SRLI, SLTU, ADDW, LW, BLTU }
interface Insn { op: Op; rd: number; rs1: number; rs2: number; imm: number }

// x1 = counter, x2 = acc, x3/x5..x9 = scratch, x4 = memory pointer
const program: Insn[] = [
  { op: Op.ADDI, rd: 3, rs1: 2, rs2: 0, imm: 7 },
  { op: Op.XOR, rd: 2, rs1: 3, rs2: 1, imm: 0 },
  { op: Op.SLLI, rd: 3, rs1: 2, rs2: 0, imm: 13 },
  { op: Op.ADD, rd: 2, rs1: 2, rs2: 3, imm: 0 },
  { op: Op.MUL, rd: 3, rs1: 2, rs2: 1, imm: 0 },
  { op: Op.SD, rd: 0, rs1: 4, rs2: 3, imm: 8 },
  { op: Op.LD, rd: 5, rs1: 4, rs2: 0, imm: 8 },
  { op: Op.ADD, rd: 2, rs1: 2, rs2: 5, imm: 0 },
  { op: Op.SRLI, rd: 6, rs1: 2, rs2: 0, imm: 17 },
  { op: Op.SLTU, rd: 7, rs1: 6, rs2: 2, imm: 0 },
  { op: Op.ADDW, rd: 8, rs1: 7, rs2: 3, imm: 0 },
  { op: Op.SD, rd: 0, rs1: 4, rs2: 8, imm: 16 },
  { op: Op.LW, rd: 9, rs1: 4, rs2: 0, imm: 16 },
  { op: Op.BLTU, rd: 0, rs1: 9, rs2: 0, imm: 2 },
  { op: Op.ADD, rd: 2, rs1: 2, rs2: 9, imm: 0 },
  { op: Op.ADDI, rd: 1, rs1: 1, rs2: 0, imm: -1 },
  { op: Op.BNE, rd: 0, rs1: 1, rs2: 0, imm: -17 },
];
const ops = Int32Array.from(program, (i) => i.op);
const rds = Int32Array.from(program, (i) => i.rd);
const rs1s = Int32Array.from(program, (i) => i.rs1);
const rs2s = Int32Array.from(program, (i) => i.rs2);
const imms = Int32Array.from(program, (i) => i.imm);

function runBigInt(iterations: number): bigint {
  const x = new BigInt64Array(32);
  const mem = new DataView(new ArrayBuffer(64));
  x[1] = BigInt(iterations);
  let pc = 0;
  let n = 0;
  for (;;) {
    const rd = rds[pc], r1 = rs1s[pc], r2 = rs2s[pc], imm = imms[pc];
    switch (ops[pc]) {
      case Op.ADDI: x[rd] = x[r1] + BigInt(imm); break;
      case Op.ADD: x[rd] = x[r1] + x[r2]; break;
      case Op.XOR: x[rd] = x[r1] ^ x[r2]; break;
      case Op.SLLI: x[rd] = x[r1] << BigInt(imm); break;
      case Op.MUL: x[rd] = x[r1] * x[r2]; break;
      case Op.SD: mem.setBigInt64(Number(x[r1]) + imm, x[r2], true); break;
      case Op.LD: x[rd] = mem.getBigInt64(Number(x[r1]) + imm, true); break;
      case Op.BNE: if (x[r1] !== x[r2]) { pc += imm; n++; continue; } break;
      case Op.SRLI: x[rd] = BigInt.asIntN(64, BigInt.asUintN(64, x[r1]) >> BigInt(imm)); break;
      case Op.SLTU: x[rd] = BigInt.asUintN(64, x[r1]) < BigInt.asUintN(64, x[r2]) ? 1n : 0n; break;
      case Op.ADDW: x[rd] = BigInt.asIntN(32, x[r1] + x[r2]); break;
      case Op.LW: x[rd] = BigInt(mem.getInt32(Number(x[r1]) + imm, true)); break;
      case Op.BLTU: if (BigInt.asUintN(64, x[r1]) < BigInt.asUintN(64, x[r2])) { pc += imm; n++; continue; } break;
    }
    x[0] = 0n;
    pc++;
    n++;
    if (pc === ops.length) break;
  }
  return x[2] + BigInt(n);
}

function mulLoHi(al: number, ah: number, bl: number, bh: number, out: Int32Array): void {
  // 64x64 -> low 64 bits, using 16-bit limbs so every partial product is exact in a double.
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  let c0 = a0 * b0;
  let c1 = (c0 >>> 16) + a0 * b1;
  let c2 = c1 >>> 16;
  c1 = (c1 & 0xffff) + a1 * b0;
  c2 += c1 >>> 16;
  c2 += a0 * b2 + a1 * b1 + a2 * b0;
  let c3 = Math.floor(c2 / 65536);
  c3 += a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  out[0] = ((c1 & 0xffff) << 16) | (c0 & 0xffff);
  out[1] = ((c3 & 0xffff) << 16) | (c2 & 0xffff);
}

function runPairs(iterations: number): bigint {
  const x = new Int32Array(64);
  const tmp = new Int32Array(2);
  const mem = new DataView(new ArrayBuffer(64));
  x[2] = iterations;
  let pc = 0;
  let n = 0;
  for (;;) {
    const rd = rds[pc] << 1, r1 = rs1s[pc] << 1, r2 = rs2s[pc] << 1, imm = imms[pc];
    switch (ops[pc]) {
      case Op.ADDI: {
        const a = x[r1];
        const lo = (a + imm) | 0;
        x[rd + 1] = (x[r1 + 1] + (imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
        x[rd] = lo;
        break;
      }
      case Op.ADD: {
        const a = x[r1];
        const lo = (a + x[r2]) | 0;
        x[rd + 1] = (x[r1 + 1] + x[r2 + 1] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
        x[rd] = lo;
        break;
      }
      case Op.XOR: x[rd] = x[r1] ^ x[r2]; x[rd + 1] = x[r1 + 1] ^ x[r2 + 1]; break;
      case Op.SLLI: {
        const lo = x[r1];
        x[rd + 1] = (x[r1 + 1] << imm) | (lo >>> (32 - imm));
        x[rd] = lo << imm;
        break;
      }
      case Op.MUL: mulLoHi(x[r1], x[r1 + 1], x[r2], x[r2 + 1], tmp); x[rd] = tmp[0]; x[rd + 1] = tmp[1]; break;
      case Op.SD: { const a = x[r1] + imm; mem.setInt32(a, x[r2], true); mem.setInt32(a + 4, x[r2 + 1], true); break; }
      case Op.LD: { const a = x[r1] + imm; x[rd] = mem.getInt32(a, true); x[rd + 1] = mem.getInt32(a + 4, true); break; }
      case Op.BNE:
        if (x[r1] !== x[r2] || x[r1 + 1] !== x[r2 + 1]) { pc += imm; n++; continue; }
        break;
      case Op.SRLI: { const hi = x[r1 + 1]; x[rd] = (x[r1] >>> imm) | (hi << (32 - imm)); x[rd + 1] = hi >>> imm; break; }
      case Op.SLTU: {
        const ah = x[r1 + 1] >>> 0, bh = x[r2 + 1] >>> 0;
        x[rd] = ah < bh || (ah === bh && (x[r1] >>> 0) < (x[r2] >>> 0)) ? 1 : 0; x[rd + 1] = 0; break;
      }
      case Op.ADDW: { const lo = (x[r1] + x[r2]) | 0; x[rd] = lo; x[rd + 1] = lo >> 31; break; }
      case Op.LW: { const v = mem.getInt32(x[r1] + imm, true); x[rd] = v; x[rd + 1] = v >> 31; break; }
      case Op.BLTU: {
        const ah = x[r1 + 1] >>> 0, bh = x[r2 + 1] >>> 0;
        if (ah < bh || (ah === bh && (x[r1] >>> 0) < (x[r2] >>> 0))) { pc += imm; n++; continue; }
        break;
      }
    }
    x[0] = 0; x[1] = 0;
    pc++;
    n++;
    if (pc === ops.length) break;
  }
  return (BigInt(x[5]) << 32n | BigInt(x[4] >>> 0)) + BigInt(n);
}

function measure(name: string, fn: (n: number) => bigint, iterations: number): number {
  fn(10_000); // warm up so the optimizing compiler has seen the loop
  // best of three, in process CPU time: the two loops are measured back to back and a busy
  // machine must not decide which one looks faster
  let ms = Infinity;
  for (let k = 0; k < 3; k++) {
    const u0 = process.cpuUsage();
    fn(iterations);
    const u = process.cpuUsage(u0);
    ms = Math.min(ms, (u.user + u.system) / 1000);
  }
  const mips = (iterations * program.length) / ms / 1000;
  return mips;
}

export function regrepBench(iterations = 3_000_000): { bigint: number; pairs: number } {
  // Same check both ways: the representations must agree before their speed means anything.
  if (runBigInt(1000) !== runPairs(1000)) throw new Error('regrep: BigInt and Int32-pair interpreters disagree');
  const bigint = measure('BigInt64Array', runBigInt, iterations);
  const pairs = measure('Int32 pairs', runPairs, iterations);
  return { bigint, pairs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = regrepBench();
  console.log(`BigInt64Array registers : ${r.bigint.toFixed(1)} MIPS`);
  console.log(`hi/lo Int32 pairs       : ${r.pairs.toFixed(1)} MIPS  (${(r.pairs / r.bigint).toFixed(1)}x)`);
}
