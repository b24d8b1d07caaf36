// Rebuilds tests/fpu/vectors/fpu-vectors.bin.gz from QEMU user-mode (the oracle).
//
//   node bin/run-ts.mjs tests/fpu/oracle/regenerate.ts [--count N] [--seed S] [--out FILE]
//
// Needs qemu-riscv64 (apt-get install -y qemu-user) and riscv64-unknown-elf-gcc. Every op in
// ORACLE_OPS is run in each of its rounding modes on every operand tuple of its group.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUP_ARITY, GROUPS, type Group, ORACLE_OPS, RESULT_BYTES, rmsOf } from './op-table.ts';
import { boxSingle, F32, F64, FloatOperands, intOperand } from './operands.ts';
import { Prng } from './prng.ts';
import { buildRunner, type Job, runOnQemu, type Stub } from './qemu-oracle.ts';
import { bytesOf, compact, compactable, encodeVectors, type GroupVectors, type VectorFile } from '../vector-file.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT = path.join(HERE, '..', 'vectors', 'fpu-vectors.bin.gz');
export const DEFAULT_SEED = 0x5eed_f00d;
export const DEFAULT_COUNT = 5000;

function arg(name: string, fallback: number | string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : String(fallback);
}

/** Operand tuples per group, all from one seeded stream so the file is reproducible. */
export function makeTuples(seed: number, count: number): Map<Group, bigint[][]> {
  const rng = new Prng(seed);
  const d = new FloatOperands(rng, F64);
  const s = new FloatOperands(rng, F32);
  const box = (v: bigint) => boxSingle(rng, v);
  const gens: Record<Group, () => bigint[]> = {
    D1: () => [d.radicand()],
    D2: () => d.pair(),
    D3: () => d.triple(),
    S1: () => [box(s.radicand())],
    S2: () => s.pair().map(box),
    S3: () => s.triple().map(box),
    X1: () => [intOperand(rng)],
  };
  const out = new Map<Group, bigint[][]>();
  for (const g of GROUPS) {
    const cols: bigint[][] = Array.from({ length: GROUP_ARITY[g] }, () => []);
    for (let i = 0; i < count; i++) gens[g]().forEach((v, k) => cols[k].push(v));
    out.set(g, cols);
  }
  return out;
}

function main(): void {
  const count = Number(arg('--count', DEFAULT_COUNT));
  const seed = Number(arg('--seed', DEFAULT_SEED));
  const outFile = arg('--out', DEFAULT_OUT);
  const tuples = makeTuples(seed, count);

  const stubs: Stub[] = ORACLE_OPS.flatMap((op) => rmsOf(op).map((rm) => ({ op, rm })));
  const elf = buildRunner(stubs);
  const jobs: Job[] = [];
  stubs.forEach((st, stub) => {
    const cols = tuples.get(st.op.group)!;
    for (let i = 0; i < count; i++) jobs.push({ stub, a: cols[0][i], b: cols[1]?.[i] ?? 0n, c: cols[2]?.[i] ?? 0n });
  });
  const t0 = performance.now();
  const { result, flags } = runOnQemu(elf, jobs);
  console.log(`qemu-riscv64: ${jobs.length} instructions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const groups: GroupVectors[] = GROUPS.map((group) => ({
    group,
    count,
    operands: tuples.get(group)!.map((c) => BigUint64Array.from(c)),
    ops: [],
  }));
  let j = 0;
  for (const op of ORACLE_OPS) {
    const perRm = rmsOf(op).map(() => {
      const res = new BigUint64Array(count);
      const fl = new Uint8Array(count);
      for (let i = 0; i < count; i++, j++) {
        if (!compactable(op.kind, result[j])) {
          throw new Error(`${op.name}: QEMU result 0x${result[j].toString(16)} does not fit result kind ${op.kind}`);
        }
        res[i] = compact(op.kind, result[j]);
        fl[i] = flags[j];
      }
      return { results: res, flags: fl };
    });
    groups.find((g) => g.group === op.group)!.ops.push({ name: op.name, resultBytes: RESULT_BYTES[op.kind], perRm });
  }
  const file: VectorFile = { seed, groups };
  const bytes = encodeVectors(file);
  writeFileSync(outFile, bytesOf(bytes));
  console.log(`wrote ${outFile}: ${jobs.length} vectors, ${bytes.length} bytes (seed 0x${seed.toString(16)}, ${count} tuples per group)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
