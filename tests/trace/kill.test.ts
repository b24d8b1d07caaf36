import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { TraceReader } from '../../src/trace/reader.ts';
import { TraceError } from '../../src/trace/errors.ts';
import { tmpPath } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs the endless recorder until it reports `target` flushed events, then SIGKILLs it. */
function recordAndKill(file: string, target: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.mjs'), path.join(ROOT, 'tests/trace/fixtures/record-child.ts'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let flushed = 0;
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) flushed = Number(l.split(' ')[1]);
      if (flushed >= target) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(flushed) : reject(new Error(`recorder exited on its own: ${err}`))));
  });
}

test('a recording killed with SIGKILL reads up to its last flushed event', async () => {
  const file = tmpPath('killed');
  const flushed = await recordAndKill(file, 6_000);
  let r: TraceReader;
  try {
    r = TraceReader.open(file, { verify: true });
  } catch (e) {
    // Only if the kill landed inside a write: the tail chunk is cut, and salvage keeps the rest.
    expect((e as TraceError).code).toBe('truncated');
    r = TraceReader.open(file, { salvage: true });
  }
  expect(r.complete).toBe(false);
  expect(r.eventCount).toBeGreaterThanOrEqual(flushed);
  let seq = 0;
  for (const e of r.events()) {
    expect(e.seq).toBe(seq);
    expect(e.payload.value).toBe(BigInt(seq));
    seq++;
  }
  expect(r.checkpoints.length).toBeGreaterThanOrEqual(Math.floor(flushed / 5000) - 1);
  r.close();
}, 60_000);
