// SiFive test finisher ("sifive,test0"), QEMU include/hw/misc/sifive_test.h. A write to offset 0
// carries a status in bits 15:0 and, for FAIL, an exit code in bits 31:16.

export const FINISHER_REG = 0x0;
export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

/** The register value that fails with `code` (what `exit(code)` firmware writes). */
export function finisherFail(code: number): number {
  return (((code & 0xffff) << 16) | FINISHER_FAIL) >>> 0;
}
