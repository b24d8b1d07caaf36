// The regression store: every failing case a property run finds is kept as
// property-tests/regressions/<property>-<seed>.json and replayed, by {seed, path} (plus the
// commands' replayPath for model-based tests), on every later run of that property in every
// profile. A case stays until someone decides it is obsolete (e.g. the arbitrary changed so
// the path no longer means the same input) and deletes the file.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REGRESSION_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'regressions');

export interface RegressionCase {
  property: string;
  seed: number;
  path: string;
  /** fc.commands' replay hint (model-based tests only). */
  replayPath?: string;
  /** When and how it was found, and what failed (first line of the error), for the reader. */
  found?: string;
  error?: string;
  /** Why it is kept: the bug it caught and its fix, written by whoever triaged it. */
  note?: string;
  /** Set while the bug is known and unfixed: the case is expected to fail (see PropertySpec.knownBug). */
  open?: string;
}

function isCase(x: unknown): x is RegressionCase {
  const c = x as RegressionCase;
  return typeof c === 'object' && c !== null && typeof c.property === 'string' && typeof c.seed === 'number' && typeof c.path === 'string';
}

let cache: RegressionCase[] | null = null;

/** Every stored case; a malformed file is an error naming it, never silently skipped. */
export function allRegressions(): RegressionCase[] {
  if (cache) return cache;
  const out: RegressionCase[] = [];
  if (existsSync(REGRESSION_DIR)) {
    for (const f of readdirSync(REGRESSION_DIR).sort()) {
      if (!f.endsWith('.json')) continue;
      const file = path.join(REGRESSION_DIR, f);
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!isCase(parsed)) throw new Error(`${file}: not a regression case (needs property, seed, path)`);
      out.push(parsed);
    }
  }
  return (cache = out);
}

export function regressionsFor(property: string): RegressionCase[] {
  return allRegressions().filter((c) => c.property === property);
}

/** Writes a new case; returns the file written. */
export function saveRegression(c: RegressionCase): string {
  mkdirSync(REGRESSION_DIR, { recursive: true });
  const file = path.join(REGRESSION_DIR, `${c.property.replace(/[^\w.-]+/g, '_')}-${c.seed}.json`);
  writeFileSync(file, JSON.stringify(c, null, 2) + '\n');
  return file;
}
