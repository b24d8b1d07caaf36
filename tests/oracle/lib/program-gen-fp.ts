// F/D snippets for generated lockstep programs: every arithmetic, fused, sign-injection,
// min/max, compare, classify, convert and move instruction of opcodes.ts with every rounding
// mode (static, dynamic through frm, and the reserved encodings 5 and 6, which must trap), the
// flags made visible by reading fflags/fcsr into integer registers, FP loads and stores, and
// mstatus.FS (off traps, and the dirty tracking that reads back through mstatus.SD).
import fc from 'fast-check';
import { encode } from '../../../src/isa/encode.ts';
import { MNEMONIC, OPERANDS } from '../../../src/isa/opcodes.ts';
import { F_NAMES, freg, xreg } from '../../../src/isa/registers.ts';
import { DATA, FP_POOL_SIZE, X_POOL, X_READ } from './program-layout.ts';
import type { Snippet } from './program-gen.ts';

const xd = fc.constantFrom(...X_POOL);
const xs = fc.constantFrom(...X_READ);
const fr = fc.integer({ min: 0, max: 31 }).map((i) => F_NAMES[i]!);
const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', '', '', 'dyn'];

/** Every F/D computational instruction: [op, mnemonic, operand layout]. */
const FP_OPS: Array<[number, string, string]> = MNEMONIC.flatMap((m, op) =>
  /^f/.test(m) && !/^(fence|flw|fsw|fld|fsd)/.test(m) ? [[op, m, OPERANDS[op]!] as [number, string, string]] : [],
);

/** One FP instruction; rm 5 or 6 (reserved) is emitted as a raw word, which must trap. */
const fpInsn = fc
  .tuple(fc.constantFrom(...FP_OPS), fr, fr, fr, fr, xd, xs, fc.integer({ min: 0, max: 40 }))
  .map(([[op, mn, layout], fd, f1, f2, f3, d, s, rmPick]) => {
    const rm = rmPick < 30 ? rmPick % 5 : rmPick < 38 ? 7 : 5 + (rmPick & 1);
    const operand: Record<string, string> = { D: fd, S: f1, T: f2, R: f3, d, s, m: RM_NAMES[rm]! };
    const parts = layout.split(',').filter((p) => p !== '');
    if (rm === 5 || rm === 6) {
      if (!parts.includes('m')) return `${mn} ${parts.map((p) => operand[p]).join(',')}`;
      const fields = {
        op,
        rd: parts.includes('d') ? xreg(d) : freg(fd),
        rs1: parts.includes('s') ? xreg(s) : freg(f1),
        rs2: freg(f2),
        rs3: freg(f3),
        rm,
      };
      return `.word 0x${(encode(fields) >>> 0).toString(16)}`;
    }
    return `${mn} ${parts.map((p) => operand[p]).join(',')}`;
  });

export const fpArith: fc.Arbitrary<Snippet> = fc
  .tuple(fpInsn, fc.integer({ min: 0, max: 9 }), xd)
  .map(([insn, after, rd]) => ({
    kind: 'fp',
    // reading fflags shows the exception flags this instruction raised (plus earlier ones)
    lines: [insn, ...(after < 4 ? [`frflags ${rd}`] : after < 6 ? [`csrrw ${rd},fflags,zero`] : [])],
  }));

const poolOff = fc.integer({ min: 0, max: FP_POOL_SIZE - 1 }).map((i) => DATA.fpPool + 8 * i);
const scratch = (size: number) =>
  fc.tuple(fc.integer({ min: DATA.scratchLo, max: DATA.scratchHi - 8 }), fc.integer({ min: 0, max: 5 })).map(([o, a]) => (a > 0 ? o & ~(size - 1) : o));

export const fpMemory: fc.Arbitrary<Snippet> = fc
  .oneof(
    fc.tuple(fc.constantFrom('fld', 'flw'), fr, poolOff).map(([op, f, o]) => `${op} ${f},${o}(gp)`),
    fc.tuple(fc.constantFrom<[string, number]>(['fld', 8], ['flw', 4], ['fsd', 8], ['fsw', 4]), fr).chain(([[op, size], f]) =>
      scratch(size).map((o) => `${op} ${f},${o}(gp)`),
    ),
    fc.tuple(fc.constantFrom('fmv.d.x', 'fmv.w.x'), fr, xs).map(([op, f, x]) => `${op} ${f},${x}`),
  )
  .map((line) => ({ kind: 'fp-mem', lines: [line] }));

/**
 * A set/clear of an FP CSR through a register that holds a nonzero value. With a register
 * other than x0 that holds zero, Zicsr still writes (and an FP CSR write dirties FS); QEMU 7.2
 * skips the write when the mask is zero (docs/ORACLE.md §8), so that case is left out.
 */
const fpCsrSetClear = fc
  .tuple(fc.constantFrom('csrrs', 'csrrc'), fc.constantFrom('fflags', 'frm', 'fcsr'), xd, xd, fc.bigInt({ min: 1n, max: 0xffn }))
  .map(([op, csr, d, r, v]) => [`li ${r},${v}`, `${op} ${d},${csr},${r}`]);

/** fflags/frm/fcsr accesses: the pseudo-instructions and the raw CSR forms, reads and writes. */
export const fpStatus: fc.Arbitrary<Snippet> = fc
  .oneof(
    xd.map((d) => `frflags ${d}`),
    xd.map((d) => `frcsr ${d}`),
    xd.map((d) => `frrm ${d}`),
    fc.tuple(xd, xs).map(([d, s]) => `csrrw ${d},fflags,${s}`),
    fc.tuple(xd, xs).map(([d, s]) => `csrrw ${d},fcsr,${s}`),
    fc.tuple(fc.constantFrom('csrrs', 'csrrc'), xd).map(([op, d]) => `${op} ${d},fcsr,zero`),
    fpCsrSetClear,
    // valid modes mostly; 5..7 make every dynamic-rm instruction trap until the next write
    fc.tuple(xd, fc.integer({ min: 0, max: 11 })).map(([d, k]) => `csrrwi ${d},frm,${k > 7 ? k - 8 : k}`),
    fc.tuple(xd, fc.integer({ min: 0, max: 31 })).map(([d, k]) => `csrrsi ${d},fflags,${k}`),
    fc.tuple(xd, fc.integer({ min: 0, max: 31 })).map(([d, k]) => `csrrci ${d},fcsr,${k}`),
    fc.tuple(xd, fc.integer({ min: 0, max: 4 })).map(([d, k]) => `csrrwi ${d},frm,${k}`),
  )
  .map((line) => ({ kind: 'fcsr', lines: typeof line === 'string' ? [line] : line }));

/** mstatus.FS: off makes FP instructions and FP CSRs trap; an FP write makes it Dirty (SD). */
export const fpControl: fc.Arbitrary<Snippet> = fc
  .tuple(xd, xd, fc.constantFrom(0, 0x2000, 0x4000, 0x6000), fc.oneof(fpInsn, fc.constant('frcsr a0')), fc.constantFrom(0x2000, 0x4000, 0x6000))
  .filter(([a, b]) => a !== b)
  .map(([a, b, fs, insn, restore]) => ({
    kind: 'fs',
    lines: [`li ${a},0x6000`, `csrc mstatus,${a}`, ...(fs ? [`li ${a},${fs}`, `csrs mstatus,${a}`] : []), insn, `csrr ${b},mstatus`, `li ${a},${restore}`, `csrs mstatus,${a}`, `csrr ${b},mstatus`],
  }));
