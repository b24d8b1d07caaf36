// GNU binutils as the oracle for the disassembler tests: runs riscv64-unknown-elf-objdump (and
// as/ld from the same Debian package to build ELF inputs). Missing tools fail the tests with
// the command that installs them; nothing is skipped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'riscv64-unknown-elf-';
const INSTALL = 'install it with: apt-get install binutils-riscv64-unknown-elf';

function tool(name: string, args: string[], input?: string): string {
  try {
    return execFileSync(PREFIX + name, args, { maxBuffer: 1 << 30, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error(`${PREFIX}${name} is not installed; the disassembler is checked against GNU binutils 2.40 — ${INSTALL}`);
    throw new Error(`${PREFIX}${name} ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

/** Fails (does not skip) when objdump is missing or not binutils 2.40. */
export function requireObjdump(): void {
  const version = tool('objdump', ['--version']).split('\n')[0];
  if (!/ 2\.40\b/.test(version)) throw new Error(`expected GNU objdump 2.40 (Debian bookworm), found "${version}"; the expected text is 2.40's — ${INSTALL}`);
}

const scratch: string[] = [];

/** Removes every scratchDir(); call from afterAll. */
export function removeScratchDirs(): void {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A temporary directory, removed by removeScratchDirs(). */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chronovisor-isa-'));
  scratch.push(dir);
  return dir;
}

/** `objdump -D -b binary -m riscv:rv64` of raw bytes: address -> "mnemonic\toperands". */
export function objdumpRaw(bytes: Uint8Array, vma: bigint): Map<bigint, string> {
  const file = join(scratchDir(), 'code.bin');
  writeFileSync(file, bytes);
  const out = tool('objdump', ['-D', '-b', 'binary', '-m', 'riscv:rv64', `--adjust-vma=0x${vma.toString(16)}`, file]);
  const lines = new Map<bigint, string>();
  for (const line of out.split('\n')) {
    const m = /^ *([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(line);
    if (m) lines.set(BigInt('0x' + m[1]), m[2]);
  }
  return lines;
}

/** Full `objdump -d FILE` text. */
export function objdumpFile(file: string): string {
  return tool('objdump', ['-d', file]);
}

/** Assembles and links `source` (gas syntax) at `textAddress`; returns the ELF's path. */
export function buildElf(source: string, options: { textAddress?: string; relocatable?: boolean } = {}): string {
  const dir = scratchDir();
  writeFileSync(join(dir, 'prog.s'), source);
  tool('as', ['-march=rv64gch', join(dir, 'prog.s'), '-o', join(dir, 'prog.o')]);
  if (options.relocatable) return join(dir, 'prog.o');
  tool('ld', [`-Ttext=${options.textAddress ?? '0x80000000'}`, '--no-warn-rwx-segments', join(dir, 'prog.o'), '-o', join(dir, 'prog.elf')]);
  return join(dir, 'prog.elf');
}
