// `npm run bench`: every benchmark, each printed as a ratio against a baseline measured in the
// same run, merged into bench/out/latest.json. `npm run bench -- cpu` runs one group.
import { cpuBenchmark } from './cpu.ts';
import { replayBenchmark } from './replay.ts';
import { regrepBench } from './regrep.ts';
import { writeResults, RESULTS_PATH, type Figures } from './results.ts';

const groups: Record<string, (log: (s: string) => void) => Figures | Promise<Figures>> = {
  regrep: (log) => {
    const r = regrepBench();
    log(`register representation: BigInt64Array ${r.bigint.toFixed(1)} MIPS, Int32 pairs ${r.pairs.toFixed(1)} MIPS (${(r.pairs / r.bigint).toFixed(2)}x)`);
    return { 'regrep.bigintMips': Math.round(r.bigint * 10) / 10, 'regrep.pairsMips': Math.round(r.pairs * 10) / 10 };
  },
  cpu: cpuBenchmark,
  replay: replayBenchmark,
};

const wanted = process.argv.slice(2);
const log = (s: string) => process.stdout.write(s + '\n');
for (const [name, fn] of Object.entries(groups)) {
  if (wanted.length && !wanted.includes(name)) continue;
  log(`== ${name}`);
  writeResults(await fn(log));
}
log(`results: ${RESULTS_PATH}`);
