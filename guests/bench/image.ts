// What the rest of Chronovisor needs to know to run the benchmark guest:
// where the committed image is, where it goes, and what it prints.
//
// The guest is an M-mode `-bios` image: load bench.bin at RAM base (or the
// ELF's PT_LOAD segments, same bytes), enter at 0x80000000 through QEMU virt's
// reset vector (a0 = hartid, a1 = FDT), and it powers off through the test
// finisher: 0x5555 on success, (1 << 16) | 0x3333 on a failed self-check,
// (2 << 16) | 0x3333 on an unexpected trap (see guests/common/finisher.h).
import { fileURLToPath } from 'node:url';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export const BENCH_BIN = here('./bench.bin');
export const BENCH_ELF = here('./bench.elf');
/** Console output of the committed image on QEMU 7.2 `-icount shift=0`, byte for byte (LF line ends). */
export const BENCH_EXPECTED_OUTPUT = here('./bench.expected');

/** Load address and entry point: the start of RAM on QEMU virt. */
export const BENCH_LOAD_ADDRESS = 0x8000_0000;

/** The last line of a successful run; a failure prints `FAIL` or `unexpected trap` instead. */
export const BENCH_PASS_LINE = 'bench: pass';

/**
 * Instructions retired as the guest reports them (`minstret=N`), so a runner
 * can compute MIPS from the guest's own count rather than its own bookkeeping.
 */
export function parseMinstret(consoleOutput: string): number | undefined {
  const match = /^minstret=(\d+)$/m.exec(consoleOutput);
  return match ? Number(match[1]) : undefined;
}
