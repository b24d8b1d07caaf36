// CSR snippets for generated lockstep programs. Reads may name any CSR number: whether it
// exists, and what it reads, must match QEMU's `-cpu` (docs/ORACLE.md §4), and a missing or
// privileged one traps. Writes go to CSRs whose WARL masks matter; those the program itself
// depends on (trap vector, delegation, translation, PMP, sstatus) are written, read back and
// restored within the snippet, so the rest of the program keeps working.
import fc from 'fast-check';
import type { Snippet } from './program-gen.ts';
import { X_POOL, X_READ } from './program-layout.ts';
import { int64 } from './program-values.ts';

const xd = fc.constantFrom(...X_POOL);
const xs = fc.constantFrom(...X_READ);
const hex = (v: bigint | number) => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

/** CSR numbers worth probing: the defined ones, their neighbours, and the RV32-only halves. */
const INTERESTING = [
  ...range(0x001, 0x003), ...range(0x008, 0x00f), 0x015, // FP, vector, seed
  0x100, 0x104, 0x105, 0x106, 0x10a, ...range(0x140, 0x144), 0x14d, 0x180, 0x5a8, // S
  ...range(0x200, 0x202), 0x204, 0x205, ...range(0x240, 0x244), 0x280, // VS
  ...range(0x600, 0x607), 0x60a, 0x643, 0x644, 0x645, 0x64a, 0x680, 0x6c0, 0xe12, // H
  ...range(0x300, 0x306), 0x30a, 0x310, 0x31a, 0x320, 0x321, 0x323, 0x33f, ...range(0x340, 0x344), 0x34a, 0x34b, // M
  ...range(0x3a0, 0x3a3), 0x3af, 0x3b0, 0x3bf, 0x3c0, 0x3ef, 0x747, 0x757, // PMP, mseccfg
  ...range(0x7a0, 0x7a5), 0x7a8, ...range(0x7b0, 0x7b3), // debug/trigger
  0xb00, 0xb02, 0xb03, 0xb1f, 0xb80, 0xb82, 0xc00, 0xc01, 0xc02, 0xc03, 0xc1f, 0xc80, 0xc81, 0xc82,
  0xda0, ...range(0xf11, 0xf15),
];
const csrNumber = fc.oneof({ arbitrary: fc.constantFrom(...INTERESTING), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 0xfff }), weight: 1 });
const csrText = (n: number) => hex(n);

/** Reads that do not write (rs1 = x0 / uimm = 0), so they are legal on read-only CSRs. */
const csrRead = fc
  .tuple(fc.constantFrom('csrrs', 'csrrc', 'csrrsi', 'csrrci'), xd, csrNumber)
  .map(([op, d, n]): Snippet => ({ kind: 'csr-read', lines: [`${op} ${d},${csrText(n)},${op.endsWith('i') ? 0 : 'zero'}`] }));

/**
 * Writes to the read-only space (0xc00..0xfff): always illegal, existing or not. A set/clear
 * through a register holding zero is a write too (Zicsr), but QEMU 7.2 treats it as a read and
 * does not trap (docs/ORACLE.md §8), so the register is loaded with a nonzero value first.
 */
const readOnlyWrite = fc
  .tuple(fc.constantFrom('csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrci'), xd, fc.integer({ min: 0xc00, max: 0xfff }), xd, fc.integer({ min: 1, max: 31 }))
  .map(([op, d, n, s, k]): Snippet => ({
    kind: 'csr-ro-write',
    lines: op.endsWith('i') ? [`${op} ${d},${csrText(n)},${k}`] : [`li ${s},${k}`, `${op} ${d},${csrText(n)},${s}`],
  }));

/** Values for CSR writes: arbitrary, all ones, zero, and single bits. */
const csrValue = fc.oneof(int64, fc.constant(-1n), fc.constant(0n), fc.integer({ min: 0, max: 63 }).map((b) => 1n << BigInt(b)));

// satp: bare and Sv39 only. QEMU 7.2's rv64 also accepts Sv48/Sv57 (modes 9, 10) whatever the
// device tree says, and there is no -cpu property to stop it; our hart is Sv39-only.
const satpValue = fc.tuple(fc.constantFrom(0n, 8n, 1n, 7n, 11n, 15n), fc.bigInt({ min: 0n, max: (1n << 60n) - 1n })).map(([m, rest]) => (m << 60n) | rest);
// pmpcfg: never the L bit, which would also bind M-mode and cannot be undone
const pmpcfgValue = csrValue.map((v) => v & 0x7f7f_7f7f_7f7f_7f7fn);

// Interrupt bits that QEMU 7.2 lets M-mode write although the spec makes them read-only zero
// without the H extension and Sscofpmf: VSSIP/VSTIP/VSEIP/SGEIP (2, 6, 10, 12) in mip, mie
// and mideleg, LCOFIP (13) in mideleg. Our hart keeps them zero (docs/ORACLE.md §8); values
// written to those CSRs leave the bits out.
const NON_H_INTERRUPTS = (1n << 2n) | (1n << 6n) | (1n << 10n) | (1n << 12n) | (1n << 13n);
const irqValue = csrValue.map((v) => v & ~NON_H_INTERRUPTS);
// Likewise medeleg's guest-page-fault bits (20..23): QEMU 7.2 keeps them writable without H,
// our hart does not (tests/cpu/csr-trap-setup.test.ts); both are legal WARL choices.
const medelegValue = csrValue.map((v) => v & ~0xf0_0000n);

// mstatus/sstatus.UXL (32..33) and mstatus.GVA/MPV (38..39): QEMU 7.2 writes UXL whenever
// the written value has a UXL bit set (any of 0..3, as it supports 32-bit U-mode) and keeps
// GVA/MPV writable without H; our UXL is fixed at 64 and GVA/MPV read zero (docs/ORACLE.md §8).
const statusValue = csrValue.map((v) => v & ~((3n << 32n) | (3n << 38n)));

/** [CSR, values, whether the 5-bit immediate forms may write it] */
const RESTORED: Array<[string, fc.Arbitrary<bigint>, boolean]> = [
  ['mstatus', statusValue, true], ['sstatus', statusValue, true], ['mie', irqValue, false], ['sie', irqValue, false],
  ['mip', irqValue, false], ['sip', irqValue, false], ['mtvec', csrValue, true], ['medeleg', medelegValue, false],
  ['mideleg', irqValue, false], ['satp', satpValue, false], ['misa', csrValue, true], ['pmpcfg0', pmpcfgValue, true],
  ['pmpcfg2', pmpcfgValue, true], ...range(0, 15).map((i): [string, fc.Arbitrary<bigint>, boolean] => [`pmpaddr${i}`, csrValue, true]),
];
/**
 * write (rw/rs/rc, register or immediate), read back, restore the old value. M-mode
 * interrupts are masked first when the trap vector is the CSR in question: an interrupt
 * taken inside the window would jump to the random vector.
 */
const restoredWrite = fc
  .tuple(fc.constantFrom(...RESTORED), fc.constantFrom('csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'), xd, xd, xd, fc.integer({ min: 0, max: 31 }))
  .filter(([, , v, old, now]) => old !== now && v !== now)
  .chain(([[csr, value, imm], op0, v, old, now, k]) => {
    const op = imm ? op0 : op0.replace(/i$/, '');
    return value.map((val): Snippet => ({
      kind: 'csr-restored',
      lines: [
        ...(csr === 'mtvec' ? ['csrci mstatus,8'] : []),
        ...(op.endsWith('i') ? [`${op} ${old},${csr},${k}`] : [`li ${v},${hex(val)}`, `${op} ${old},${csr},${v}`]),
        `csrr ${now},${csr}`,
        `csrw ${csr},${old}`,
      ],
    }));
  });

/** CSRs the program does not depend on: written freely, the value stays. */
const FREE = [
  'mscratch', 'sscratch', 'mepc', 'sepc', 'mcause', 'scause', 'mtval', 'stval', 'stvec', 'mcounteren', 'scounteren',
  'mcountinhibit', 'menvcfg', 'senvcfg', 'mcycle', 'minstret', 'mhpmevent3', 'mhpmevent17', 'mhpmevent31',
];
// mcounteren, scounteren and mcountinhibit are 32-bit registers (spec 3.1.11-3.1.13), and
// mcountinhibit.TM is read-only zero; QEMU 7.2 keeps all 64 bits of what was written. And
// QEMU reads an inhibited mcycle/minstret (mcountinhibit.CY/IR) as the value last written to
// it (0 if never) instead of holding the count. Our hart follows the spec (docs/ORACLE.md §8),
// so writes stay within the bits both agree on.
const COUNTER_CTL: Record<string, bigint> = { mcounteren: 0xffff_ffffn, scounteren: 0xffff_ffffn, mcountinhibit: 0xffff_fff8n };
// mepc/sepc bit 0 is always zero (spec 3.1.14); QEMU 7.2 stores and reads back whatever was
// written (docs/ORACLE.md §8), so only even values are written
const EVEN: Record<string, bigint> = { mepc: ~1n, sepc: ~1n };
const csrFree = (csr: string, v: bigint, k: number) => {
  const mask = COUNTER_CTL[csr] ?? EVEN[csr];
  return mask === undefined ? ([v, k] as const) : ([BigInt.asUintN(64, v & mask), k & Number(mask & 31n)] as const);
};
const freeWrite = fc
  .tuple(fc.constantFrom(...FREE), fc.constantFrom('csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrci'), xd, xd, csrValue, fc.integer({ min: 0, max: 31 }))
  .map(([csr, op, d, v, val0, k0]): Snippet => {
    const [val, k] = csrFree(csr, val0, k0);
    return { kind: 'csr-write', lines: op.endsWith('i') ? [`${op} ${d},${csr},${k}`] : [`li ${v},${hex(val)}`, `${op} ${d},${csr},${v}`] };
  });

/** Single mstatus fields: interrupt enables, previous-privilege bits, MPRV, SUM, MXR, TVM, TW, TSR. */
const MSTATUS_BITS = [0x2, 0x8, 0x20, 0x80, 0x100, 0x800, 0x1000, 0x1800, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000];
const mstatusBits = fc
  .tuple(fc.constantFrom('csrs', 'csrc'), fc.constantFrom(...MSTATUS_BITS), xd, xd)
  .map(([op, bits, r, d]): Snippet => ({ kind: 'mstatus', lines: [`li ${r},${hex(bits)}`, `${op} mstatus,${r}`, `csrr ${d},mstatus`] }));

export const csrSnippet: fc.Arbitrary<Snippet> = fc.oneof(
  { arbitrary: csrRead, weight: 4 },
  { arbitrary: readOnlyWrite, weight: 1 },
  { arbitrary: restoredWrite, weight: 3 },
  { arbitrary: freeWrite, weight: 2 },
  { arbitrary: mstatusBits, weight: 2 },
  { arbitrary: xs.map((s): Snippet => ({ kind: 'csr-read', lines: [`csrrs zero,mscratch,${s}`] })), weight: 1 },
);
