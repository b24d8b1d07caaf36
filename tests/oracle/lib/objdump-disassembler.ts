// A stand-in disassembler for lockstep reports until src/isa/disasm.ts exists: objdump over
// the raw images loaded into the machine (each at its load address). Instructions are
// looked up by address, so code that was copied elsewhere at run time (U-Boot relocates
// itself to the top of RAM) is not covered; pass `src/isa`'s disassembler over the target's
// memory for that.
import { execFileSync } from 'node:child_process';
import type { Disassembler } from './lockstep.ts';

export interface LoadedImage {
  /** A raw binary (as given to -bios / -kernel). */
  path: string;
  base: bigint;
}

export function objdumpDisassembler(images: LoadedImage[]): Disassembler {
  let table: Map<bigint, string> | null = null;
  return (pc) => {
    if (!table) {
      table = new Map();
      for (const img of images) {
        const out = execFileSync(
          'riscv64-unknown-elf-objdump',
          ['-D', '-b', 'binary', '-m', 'riscv:rv64', `--adjust-vma=0x${img.base.toString(16)}`, img.path],
          { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
        );
        for (const line of out.split('\n')) {
          const m = /^\s*([0-9a-f]+):\t(.*)$/.exec(line);
          if (m) table.set(BigInt('0x' + m[1]), m[2]!.replace(/\t/g, ' ').trim());
        }
      }
    }
    return table.get(pc) ?? `(no instruction at 0x${pc.toString(16)} in ${images.map((i) => i.path).join(', ')})`;
  };
}
