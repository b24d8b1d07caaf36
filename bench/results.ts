// bench/out/latest.json: one flat object of dotted keys ("cpu.mips", "record.overhead", ...)
// that every benchmark adds its figures to, plus the environment they were measured on.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RESULTS_PATH = path.resolve('bench/out/latest.json');

export type Figures = Record<string, number | string>;

export function readResults(): Figures {
  try {
    return JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as Figures;
  } catch {
    return {};
  }
}

/** Merges figures into latest.json (other benchmarks' keys are kept). */
export function writeResults(figures: Figures): void {
  const merged: Figures = {
    ...readResults(),
    ...figures,
    'env.node': process.version,
    'env.cpu': os.cpus()[0]?.model ?? 'unknown',
    'env.cores': os.cpus().length,
  };
  mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
  writeFileSync(RESULTS_PATH, JSON.stringify(merged, Object.keys(merged).sort(), 2) + '\n');
}
