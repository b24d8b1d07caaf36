// The mutation check of issue 6: `node bin/run-ts.mjs property-tests/mutation-check.ts`.
// For each mutation (mutations.ts) it runs the isolation properties that rely on the check the
// mutation removes — quick profile, fixed seeds, nothing saved as a regression — and expects
// them to FAIL; then it runs the same properties with no mutation and expects them to PASS.
// Prints one line per run with the counterexample fast-check reported; exits non-zero when
// any expectation does not hold.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATIONS, type Mutation } from './mutations.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** Which property (test file, test name) each mutation must break. */
const TARGETS: Record<Mutation, Array<[file: string, test: string]>> = {
  'p2m-extra-frame': [['hvm-memory.test.ts', 'isolation.hvm.memory-model'], ['pv-vs-hvm.test.ts', 'isolation.pv-vs-hvm']],
  'skip-pv-validation': [['pv-memory.test.ts', 'isolation.pv.memory-model'], ['pv-vs-hvm.test.ts', 'isolation.pv-vs-hvm']],
  'skip-grant-permission': [['pv-memory.test.ts', 'isolation.pv.memory-model']],
  'evtchn-unbound-deliver': [['pv-memory.test.ts', 'isolation.pv.memory-model']],
};

function run(file: string, test: string, mutation: Mutation | null): { passed: boolean; detail: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, CV_PROP_SAVE: '0', CV_PROP_PROFILE: 'quick' };
  delete env.CV_MUTATION;
  if (mutation) env.CV_MUTATION = mutation;
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', `property-tests/${file}`, '-t', test], { cwd: root, env, encoding: 'utf8' });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const failedLine = /failed: (\{.*\})/.exec(plain)?.[1] ?? '';
  const counterexample = /Counterexample: (.*)/.exec(plain)?.[1]?.slice(0, 220) ?? '';
  const what = (/What failed: (.*(?:\n  .*){0,2})/.exec(plain)?.[1] ?? '').slice(0, 400).replace(/\n/g, '\n      ');
  return { passed: r.status === 0, detail: r.status === 0 ? '' : `${failedLine}\n      counterexample: ${counterexample}\n      ${what}` };
}

let ok = true;
const onlyArg = process.argv.slice(2);
for (const m of MUTATIONS) {
  if (onlyArg.length && !onlyArg.includes(m)) continue;
  for (const [file, test] of TARGETS[m]) {
    const mutated = run(file, test, m);
    const restored = run(file, test, null);
    const good = !mutated.passed && restored.passed;
    ok &&= good;
    process.stdout.write(`${good ? 'ok  ' : 'BAD '} ${m.padEnd(24)} ${test.padEnd(28)} mutated: ${mutated.passed ? 'PASSED (not detected)' : 'FAILED'}; restored: ${restored.passed ? 'passed' : 'FAILED'}\n`);
    if (!mutated.passed) process.stdout.write(`      ${mutated.detail}\n`);
    if (!restored.passed) process.stdout.write(`      restored run: ${restored.detail}\n`);
  }
}
process.exit(ok ? 0 : 1);
