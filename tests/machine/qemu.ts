// Helpers that ask the installed QEMU 7.2 for ground truth (device tree dumps, ROM words).
// Tests that use them are skipped when qemu-system-riscv64 is not on PATH.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFdtHeader } from '../../src/machine/fdt/reader.ts';

const QEMU = 'qemu-system-riscv64';

function qemuVersion(): string | null {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

const version = qemuVersion();
/** True when the QEMU on PATH is a 7.2 release, the one our machine matches. */
export const hasQemu72 = version !== null && /version 7\.2\./.test(version);

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'chronovisor-qemu-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs QEMU's virt machine with `args` and returns its device tree, cut to totalsize. */
export function dumpQemuDtb(args: string[], files: Record<string, Uint8Array> = {}): Uint8Array {
  return withTempDir((dir) => {
    const out = path.join(dir, 'dump.dtb');
    for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
    const r = spawnSync(QEMU, ['-M', `virt,dumpdtb=${out}`, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`${QEMU} ${args.join(' ')} failed: ${r.stderr}`);
    const raw = new Uint8Array(readFileSync(out));
    return raw.slice(0, readFdtHeader(raw).totalSize);
  });
}

/** Reads `count` 32-bit words of guest-physical memory at reset through QEMU's monitor. */
export function qemuReadWords(args: string[], addr: number, count: number, files: Record<string, Uint8Array> = {}): number[] {
  return withTempDir((dir) => {
    for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
    const r = spawnSync(
      QEMU,
      ['-M', 'virt', ...args, '-S', '-monitor', 'stdio', '-nographic', '-serial', 'none'],
      { cwd: dir, input: `xp /${count}wx 0x${addr.toString(16)}\nquit\n`, encoding: 'latin1', timeout: 30_000 },
    );
    const words: number[] = [];
    for (const m of r.stdout.matchAll(/^[0-9a-f]{16}: ((?:0x[0-9a-f]{8} ?)+)/gm)) {
      for (const w of m[1]!.trim().split(' ')) words.push(Number.parseInt(w, 16));
    }
    if (words.length !== count) throw new Error(`expected ${count} words from QEMU's monitor, got: ${r.stdout}`);
    return words;
  });
}
