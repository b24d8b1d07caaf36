// The benchmark's golden console output (guests/bench/bench.expected) is what
// any machine running the image must print. Check it two ways: its checksums
// against an independent host computation, and (when QEMU is installed)
// against a fresh QEMU run of the committed image.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_BIN, BENCH_EXPECTED_OUTPUT, BENCH_PASS_LINE, parseMinstret } from '../../guests/bench/image.ts';

// Mirrors guests/bench/prng.h and main.c: 64 KiB of xorshift32 output, little-endian.
const DATA_BYTES = 64 * 1024;
const PRNG_SEED = 0x2545f491;

function benchData(): Uint8Array {
  const data = new Uint8Array(DATA_BYTES);
  const view = new DataView(data.buffer);
  let x = PRNG_SEED;
  for (let i = 0; i < DATA_BYTES; i += 4) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    view.setUint32(i, x, true);
  }
  return data;
}

/** Bitwise CRC-32 (reflected 0xEDB88320): deliberately not the guest's table method. */
function crc32(crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function field(output: string, phase: string, name: string): string {
  const line = output.split('\n').find((l) => l.startsWith(`${phase}: `));
  const match = line && new RegExp(`\\b${name}=(\\S+)`).exec(line);
  if (!match) throw new Error(`no ${phase} ${name}= in bench.expected`);
  return match[1]!;
}

const expected = readFileSync(BENCH_EXPECTED_OUTPUT, 'latin1');

describe('guests/bench golden output', () => {
  it('reports a passing run with an instruction count', () => {
    expect(expected).toContain('selfcheck: ok\n');
    expect(expected.endsWith(`${BENCH_PASS_LINE}\n`)).toBe(true);
    expect(expected).not.toContain('\r');
    const minstret = parseMinstret(expected);
    expect(minstret).toBeGreaterThan(300_000_000);
    expect(minstret).toBeLessThan(500_000_000);
  });

  it('has the sieve answer pi(10^6) = 78498', () => {
    expect(field(expected, 'sieve', 'primes')).toBe('78498');
    expect(field(expected, 'sieve', 'sum')).toBe('37550402023');
  });

  it('has the CRC-32 of the data repeated `bytes / 64 KiB` times', () => {
    const data = benchData();
    const passes = Number(field(expected, 'crc32', 'bytes')) / DATA_BYTES;
    // CRC of a repeated buffer: chain one pass at a time, as the guest does.
    let crc = 0;
    for (let pass = 0; pass < passes; pass++) crc = crc32(crc, data);
    expect(field(expected, 'crc32', 'crc')).toBe(crc.toString(16).padStart(8, '0'));
  });

  it('has the SHA-256 of the data repeated `bytes / 64 KiB` times', () => {
    const data = benchData();
    const passes = Number(field(expected, 'sha256', 'bytes')) / DATA_BYTES;
    const hash = createHash('sha256');
    for (let pass = 0; pass < passes; pass++) hash.update(data);
    expect(field(expected, 'sha256', 'digest')).toBe(hash.digest('hex'));
  });

  const qemu = spawnSync('qemu-system-riscv64', ['--version'], { encoding: 'utf8' });
  it.runIf(qemu.status === 0)('is what QEMU prints for the committed image', () => {
    const run = spawnSync(
      'qemu-system-riscv64',
      // -smp 1 matters: QEMU's icount is shared by all harts, so parked harts would shift minstret.
      ['-M', 'virt', '-smp', '1', '-m', '256M', '-nographic', '-bios', BENCH_BIN, '-icount', 'shift=0,sleep=off'],
      { encoding: 'latin1', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(expected);
  });
});
