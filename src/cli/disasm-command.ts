// `chronovisor disasm FILE.elf`: prints what `riscv64-unknown-elf-objdump -d FILE.elf` prints
// (binutils 2.40), using Chronovisor's own ELF reader and disassembler — the acceptance check
// A3 compares the two line by line on Debian's OpenSBI and U-Boot.
import { readFile } from 'node:fs/promises';
import { ElfError, parseElf } from '../machine/elf.ts';
import { objdumpListing } from './objdump-listing.ts';

const USAGE = `usage: chronovisor disasm FILE.elf

Disassembles every executable section of a RISC-V ELF file, in the format of
riscv64-unknown-elf-objdump -d.
`;

export async function disasmCommand(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === '-h' || argv[0] === '--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    process.stderr.write(`chronovisor disasm: expected exactly one ELF file, got ${argv.length === 0 ? 'none' : argv.map((a) => JSON.stringify(a)).join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const file = argv[0];
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not an ELF file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    process.stderr.write(`chronovisor disasm: cannot read ${file}: ${why}\n`);
    return 1;
  }
  let text: string;
  try {
    text = objdumpListing(parseElf(bytes, file), file);
  } catch (e) {
    if (e instanceof ElfError) {
      process.stderr.write(`chronovisor disasm: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  await writeAll(text);
  return 0;
}

/** Writes to stdout, respecting back-pressure, and ends quietly if the reader goes away (`| head`). */
function writeAll(text: string): Promise<void> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') resolve();
    };
    process.stdout.once('error', onError);
    process.stdout.write(text, () => {
      process.stdout.off('error', onError);
      resolve();
    });
  });
}
