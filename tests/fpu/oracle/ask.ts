// Asks the QEMU oracle and the Fpu about single cases, side by side:
//
//   node bin/run-ts.mjs tests/fpu/oracle/ask.ts FADD_D rup 0x3ff0000000000000 0x3ca0000000000000
//
// Operands are raw 64-bit register patterns (binary32 operands must include the NaN-box,
// e.g. 0xffffffff3f800000); the rounding mode is rne/rtz/rdn/rup/rmm or "all".
import { Fpu } from '../../../src/cpu/fpu/fpu.ts';
import { ORACLE_OPS, readsIntSource, REG, RM_NAMES, writesFpResult } from './op-table.ts';
import { buildRunner, runOnQemu } from './qemu-oracle.ts';

const [name, rmArg = 'rne', ...vals] = process.argv.slice(2);
const op = ORACLE_OPS.find((o) => o.name === name);
if (!op) {
  console.error(`unknown op ${name}; one of: ${ORACLE_OPS.map((o) => o.name).join(' ')}`);
  process.exit(2);
}
const rms = rmArg === 'all' ? [0, 1, 2, 3, 4] : [RM_NAMES.indexOf(rmArg as (typeof RM_NAMES)[number])];
if (rms.some((r) => r < 0)) throw new Error(`rounding mode ${rmArg} is not rne/rtz/rdn/rup/rmm/all`);
const operands = vals.map((v) => BigInt(v));
while (operands.length < 3) operands.push(0n);
const stubs = rms.map((rm) => ({ op, rm: op.usesRm ? rm : 0 }));
const elf = buildRunner(stubs);
const q = runOnQemu(elf, stubs.map((_, stub) => ({ stub, a: operands[0], b: operands[1], c: operands[2] })));
const hex = (v: bigint) => '0x' + v.toString(16).padStart(16, '0');
stubs.forEach((s, i) => {
  const x = new Int32Array(66);
  const fpu = new Fpu(x);
  const set = (w: Int32Array, r: number, v: bigint) => {
    w[2 * r] = Number(v & 0xffffffffn) | 0;
    w[2 * r + 1] = Number(v >> 32n) | 0;
  };
  if (readsIntSource(op)) set(x, REG.xa, operands[0]);
  else operands.forEach((v, k) => set(fpu.f, k, v));
  const fp = writesFpResult(op);
  const rd = fp ? REG.fd : REG.xd;
  fpu.exec(op.op, rd, readsIntSource(op) ? REG.xa : REG.fa, op.sameReg ? REG.fa : REG.fb, REG.fc, s.rm);
  const w = fp ? fpu.f : x;
  const got = (BigInt(w[2 * rd + 1] >>> 0) << 32n) | BigInt(w[2 * rd] >>> 0);
  const same = got === q.result[i] && fpu.fflags === q.flags[i] ? 'agree' : 'DIFFER';
  console.log(`${op.name} ${RM_NAMES[s.rm]}: qemu ${hex(q.result[i])} flags 0x${q.flags[i].toString(16)} | fpu ${hex(got)} flags 0x${fpu.fflags.toString(16)}  ${same}`);
});
