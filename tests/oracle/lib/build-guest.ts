// Builds a bare-metal test program (assembly or C) with Debian's riscv64-unknown-elf-gcc
// into a raw image QEMU can load with -bios (it is copied to 0x80000000, where QEMU's
// reset vector jumps). Outputs are cached by content hash, so repeated test runs do not
// re-invoke the toolchain.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RAM_BASE = 0x8000_0000n;

export interface BuiltGuest {
  elf: string;
  bin: string;
  /** Symbol addresses from the ELF (labels of the assembly), for breakpoints and memory reads. */
  symbols: Map<string, bigint>;
}

const CACHE = path.join(os.tmpdir(), 'chronovisor-oracle-build');

/**
 * Assembles/compiles `source` (a path to a .S or .c file) linked at `base`.
 * `defines` become -D options, so one source can produce variants.
 */
export function buildGuest(source: string, defines: Record<string, string | number> = {}, base = RAM_BASE): BuiltGuest {
  const text = readFileSync(source, 'utf8');
  const flags = [
    '-march=rv64gc',
    '-mabi=lp64d',
    '-mcmodel=medany',
    '-nostdlib',
    '-nostartfiles',
    '-static',
    `-Wl,-Ttext=0x${base.toString(16)}`,
    '-Wl,--no-relax',
    ...Object.entries(defines).map(([k, v]) => `-D${k}=${v}`),
  ];
  const key = createHash('sha256').update(text).update(flags.join(' ')).digest('hex').slice(0, 16);
  const dir = path.join(CACHE, `${path.basename(source)}-${key}`);
  const elf = path.join(dir, 'guest.elf');
  const bin = path.join(dir, 'guest.bin');
  const syms = path.join(dir, 'symbols.txt');
  if (!existsSync(syms)) {
    mkdirSync(dir, { recursive: true });
    run('riscv64-unknown-elf-gcc', [...flags, '-o', elf, source]);
    run('riscv64-unknown-elf-objcopy', ['-O', 'binary', elf, bin]);
    writeFileSync(syms, run('riscv64-unknown-elf-nm', [elf]));
  }
  const symbols = new Map<string, bigint>();
  for (const line of readFileSync(syms, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) \w (\S+)$/.exec(line);
    if (m) symbols.set(m[2]!, BigInt(`0x${m[1]}`));
  }
  return { elf, bin, symbols };
}

/** A symbol's address, with an error naming the file when a label is missing. */
export function symbol(g: BuiltGuest, name: string): bigint {
  const a = g.symbols.get(name);
  if (a === undefined) throw new Error(`${g.elf} has no symbol "${name}"`);
  return a;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} failed (is Debian's gcc-riscv64-unknown-elf installed?):\n${err.stderr ?? err.message}`);
  }
}
