// Local micro-benchmark of Fpu.exec on the common path (RNE, normal operands). Not a test:
//
//   node bin/run-ts.mjs tests/fpu/bench.ts [name-prefix ...]
//
// Each op reads 16 source registers holding varied normal values (results go to 16 others) so the
// results are data-dependent, as in real code; prints millions of ops per second, best of
// five runs after a warm-up (the numbers are noisy on a shared machine).
import { performance } from 'node:perf_hooks';
import { Fpu } from '../../src/cpu/fpu/fpu.ts';
import { OP } from '../../src/isa/opcodes.ts';

const fpu = new Fpu(new Int32Array(66));

function seedRegisters(single: boolean): void {
  let s = 12345;
  for (let r = 0; r < 32; r++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const v = (1 + s / 2 ** 32) * 2 ** ((r % 16) - 8);
    if (single) {
      fpu.fs[2 * r] = Math.fround(v);
      fpu.f[2 * r + 1] = -1;
    } else {
      fpu.fd[r] = v;
    }
  }
}

const only = process.argv.slice(2);

function bench(name: string, op: number, single: boolean, rm = 0): void {
  if (only.length > 0 && !only.some((o) => name.startsWith(o))) return;
  const N = 5_000_000;
  const run = () => {
    seedRegisters(single);
    for (let i = 0; i < N; i++) {
      // rd cycles through 16..31, sources through 0..15: operands stay in a normal range
      fpu.exec(op, 16 + (i & 15), i & 15, (i >> 4) & 15, (i >> 8) & 15, rm);
    }
  };
  run(); // warm up (JIT)
  let best = Infinity;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  console.log(`${name.padEnd(24)} ${(N / best / 1e6).toFixed(1)} M ops/s (best of 5)`);
}

bench('fadd.d rne', OP.FADD_D, false);
bench('fmul.d rne', OP.FMUL_D, false);
bench('fdiv.s rne', OP.FDIV_S, true);
bench('fdiv.d rne', OP.FDIV_D, false);
bench('fadd.s rne', OP.FADD_S, true);
bench('fmul.s rne', OP.FMUL_S, true);
bench('fsqrt.d rne', OP.FSQRT_D, false);
bench('fmadd.d rne', OP.FMADD_D, false);
bench('fmadd.s rne', OP.FMADD_S, true);
bench('fcvt.w.d rtz', OP.FCVT_W_D, false, 1);
bench('feq.d', OP.FEQ_D, false);
bench('fadd.d rdn (exact path)', OP.FADD_D, false, 2);
