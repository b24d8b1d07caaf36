// `npm run test:property [-- --budget-minutes N] [--seed S] [--workers W] [FILTER...]`:
// the property suites in the deep profile. The budget (default 8 minutes, or
// CV_PROP_BUDGET_MINUTES) is the wall-clock time of the whole run: it is divided among the
// test files (which vitest runs W at a time) and, inside each file, among its properties by
// weight (harness/property.ts). FILTERs are passed to vitest (file name parts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

function usage(msg: string): never {
  process.stderr.write(`test:property: ${msg}\nusage: npm run test:property -- [--budget-minutes N] [--seed S] [--workers W] [FILTER...]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let budgetMin = Number(process.env.CV_PROP_BUDGET_MINUTES ?? 8);
let seed: string | undefined = process.env.CV_PROP_SEED;
let workers = Math.max(1, os.availableParallelism());
const filters: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = (): string => args[++i] ?? usage(`${a} needs a value`);
  if (a === '--budget-minutes') budgetMin = Number(value());
  else if (a.startsWith('--budget-minutes=')) budgetMin = Number(a.split('=')[1]);
  else if (a === '--seed') seed = value();
  else if (a === '--workers') workers = Number(value());
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else filters.push(a);
}
if (!(budgetMin > 0)) usage('the budget must be a positive number of minutes');
if (seed !== undefined && !/^\d+$/.test(seed)) usage(`--seed ${seed} is not a non-negative integer`);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'regressions' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const files = testFiles(here).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) usage(`no property test file matches ${filters.join(' ')}`);
workers = Math.min(workers, files.length);
// what the properties may spend: the budget minus vitest's start-up and each file's setup
const usableMs = budgetMin * 60_000 * 0.95 - 15_000;
const rounds = Math.ceil(files.length / workers);
const fileMs = Math.max(5_000, Math.floor(usableMs / rounds));
const summaryFile = path.join(os.tmpdir(), `cv-prop-summary-${process.pid}.jsonl`);

process.stdout.write(
  `property suites, deep profile: ${files.length} files, ${workers} at a time, budget ${budgetMin} min ` +
    `(${Math.round(fileMs / 1000)} s of properties per file)${seed ? `, seed ${seed}` : ''}\n`,
);
const started = Date.now();
const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', path.join(here, 'vitest.config.ts'), '--maxWorkers', String(workers), ...filters], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CV_PROP_PROFILE: 'deep', CV_PROP_FILE_MS: String(fileMs), CV_PROP_SUMMARY: summaryFile, ...(seed ? { CV_PROP_SEED: seed } : {}) },
});

if (existsSync(summaryFile)) {
  const rows = readFileSync(summaryFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { property: string; runs: number; regressions: number; ms: number; seed: number; failed: boolean; knownBug?: boolean });
  rows.sort((a, b) => a.property.localeCompare(b.property));
  const w = Math.max(...rows.map((x) => x.property.length));
  process.stdout.write(`\n${'property'.padEnd(w)}  ${'runs'.padStart(8)}  ${'regr'.padStart(4)}  ${'seconds'.padStart(7)}  seed\n`);
  for (const x of rows) {
    process.stdout.write(`${x.property.padEnd(w)}  ${String(x.runs).padStart(8)}  ${String(x.regressions).padStart(4)}  ${(x.ms / 1000).toFixed(1).padStart(7)}  ${x.seed}${x.failed ? (x.knownBug ? '  known bug reproduced' : '  FAILED') : ''}\n`);
  }
  rmSync(summaryFile, { force: true });
}
process.stdout.write(`\nwall time ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.exit(r.status ?? 1);
