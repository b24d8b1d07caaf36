// Replays a vector file (default: the committed one) through the Fpu and prints mismatches.
// With regenerate.ts --out, it checks much larger QEMU runs than the committed file holds:
//
//   node bin/run-ts.mjs tests/fpu/oracle/regenerate.ts --count 40000 --seed 7 --out /tmp/big.bin.gz
//   node bin/run-ts.mjs tests/fpu/oracle/check.ts /tmp/big.bin.gz
import { loadVectors, opCases, replayOp, VECTORS_PATH } from '../replay-vectors.ts';

const path = process.argv[2] ?? VECTORS_PATH;
let total = 0;
let failed = 0;
for (const c of opCases(loadVectors(path))) {
  const r = replayOp(c, 5);
  total += r.total;
  failed += r.failed;
  if (r.failed) console.log(`${c.oracle.name}: ${r.failed} mismatches\n  ${r.mismatches.map((m) => m.text).join('\n  ')}`);
}
console.log(`${path}: ${total} vectors, ${total - failed} pass, ${failed} fail`);
process.exitCode = failed ? 1 : 0;
