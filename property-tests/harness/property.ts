// One entry point for every property of the suites: propertyTest() registers a vitest test
// that first replays the property's stored regression cases, then runs it in the current
// profile (profile.ts). A failure prints fast-check's report plus a one-line
// `{seed, path}` record, and is saved as a regression case (regressions.ts).
//
// Properties are built by a function so a model-based test can take fc.commands' replayPath.
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'vitest';
import { currentProfile, seedFromName } from './profile.ts';
import { regressionsFor, saveRegression, type RegressionCase } from './regressions.ts';

export interface ReplayHint {
  /** fc.commands' replayPath of a stored model-based case. */
  replayPath?: string;
}

export interface PropertySpec<Ts> {
  /** Unique, dotted: "<suite>.<what>"; the regression files and the summary use it. */
  name: string;
  /** Runs in the quick profile (fixed seed). Keep the whole suite well under 2 minutes. */
  quickRuns: number;
  /** Share of its file's deep-profile time (default 1). */
  weight?: number;
  /** Optional upper bound of runs in the deep profile (the budget usually ends it first). */
  deepMaxRuns?: number;
  /**
   * A known, reported bug this property exposes and nobody has fixed yet. Its failures are
   * printed as warnings instead of failing the test; its regression cases carry `open` and
   * must still fail (when one passes, the bug is fixed: remove `open` and this marker).
   */
  knownBug?: string;
  build(hint: ReplayHint): fc.IProperty<Ts>;
}

const profile = currentProfile();
/** Weights of the properties registered by this test file (vitest isolates modules per file). */
let fileWeight = 0;

function replayPathOf(counterexample: unknown): string | undefined {
  const m = /replayPath="([^"]*)"/.exec(fc.stringify(counterexample));
  return m ? m[1] : undefined;
}

function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0].slice(0, 300);
}

function summary(line: object): void {
  const file = process.env.CV_PROP_SUMMARY;
  if (file) appendFileSync(file, JSON.stringify(line) + '\n');
}

/**
 * The property, run only for the first value it is given. fast-check replays a `{seed, path}`
 * case and then, when it passes, goes on through the rest of that shrink tree (hundreds of
 * values); a regression check needs exactly the stored case.
 */
function firstValueOnly<Ts>(p: fc.IProperty<Ts>): fc.IProperty<Ts> {
  let ran = false;
  const w = Object.create(p) as fc.IProperty<Ts>;
  w.run = (v: Ts) => {
    if (ran) return null;
    ran = true;
    return p.run(v);
  };
  return w;
}

function replayRegression<Ts>(spec: PropertySpec<Ts>, c: RegressionCase): void {
  const d = fc.check(firstValueOnly(spec.build({ replayPath: c.replayPath })), { seed: c.seed, path: c.path, endOnFailure: true });
  if (c.open) {
    if (!d.failed) {
      throw new Error(`open regression case of ${spec.name} {seed: ${c.seed}, path: "${c.path}"} passes now: the bug (${c.open}) looks fixed; delete "open" from its file and the property's knownBug`);
    }
    console.warn(`${spec.name}: known bug still reproduces {seed: ${c.seed}, path: "${c.path}"}: ${c.open}\n  ${firstLine(d.errorInstance)}`);
    return;
  }
  if (d.failed) {
    throw new Error(
      `regression case of ${spec.name} {seed: ${c.seed}, path: "${c.path}"} fails again` + (c.note ? ` (${c.note})` : '') + `:\n${fc.defaultReportMessage(d) ?? ''}\nWhat failed: ${String(d.errorInstance)}`,
    );
  }
}

export function propertyTest<Ts>(spec: PropertySpec<Ts>): void {
  const weight = spec.weight ?? 1;
  fileWeight += weight;
  // read when the test runs: by then every property of the file has registered its weight
  const shareMs = (): number => (profile.fileMs === null ? 0 : (profile.fileMs * weight) / fileWeight);
  const timeout = profile.fileMs === null ? undefined : profile.fileMs + 5 * 60_000;
  test(
    spec.name,
    () => {
      const started = performance.now();
      const cases = regressionsFor(spec.name);
      for (const c of cases) replayRegression(spec, c);
      const seed = profile.name === 'quick' ? seedFromName(spec.name) : (profile.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) & 0x7fffffff);
      const params: fc.Parameters<Ts> =
        profile.name === 'quick'
          ? { seed, numRuns: spec.quickRuns }
          : {
              seed,
              numRuns: spec.deepMaxRuns ?? 1_000_000_000,
              plugins: [fc.interruptAfterTimeLimit(Math.max(1000, shareMs() - (performance.now() - started))) as fc.Plugin<Ts>],
            };
      const d: fc.RunDetails<Ts> = fc.check(spec.build({}), params);
      const ms = Math.round(performance.now() - started);
      summary({ property: spec.name, profile: profile.name, runs: d.numRuns, regressions: cases.length, ms, seed, failed: d.failed, knownBug: !!spec.knownBug });
      if (!d.failed) return;
      if (spec.knownBug) {
        console.warn(`${spec.name}: known bug (${spec.knownBug}) found again: ${JSON.stringify({ seed: d.seed, path: d.counterexamplePath })}\n  ${firstLine(d.errorInstance)}`);
        return;
      }
      const record = { seed: d.seed, path: d.counterexamplePath ?? '' };
      const replayPath = d.counterexample ? replayPathOf(d.counterexample) : undefined;
      let saved = '';
      if (profile.saveFailures && d.counterexamplePath) {
        saved = saveRegression({ property: spec.name, ...record, replayPath, found: `${new Date().toISOString()} (${profile.name} profile)`, error: firstLine(d.errorInstance) });
      }
      const line = `${spec.name} failed: ${JSON.stringify(replayPath ? { ...record, replayPath } : record)}`;
      console.error(line + (saved ? `\n  kept as regression case ${saved}` : ''));
      const cause = d.errorInstance instanceof Error ? (d.errorInstance.stack ?? d.errorInstance.message) : String(d.errorInstance);
      throw new Error(`${line}\n${fc.defaultReportMessage(d) ?? ''}\nWhat failed: ${cause}`);
    },
    timeout,
  );
}
