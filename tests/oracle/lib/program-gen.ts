// fast-check arbitraries for lockstep test programs. A program is a list of snippets, each a
// few lines of assembly text (objdump syntax, src/isa/asm-text.ts) that is safe to follow by
// any other snippet: nothing writes gp (the data pointer), stores only reach the scratch area
// or addresses that fault, jumps only go forward to their own labels (or to addresses that
// fault, with the link in ra for the handler), loops are counted, and CSRs whose value the
// program needs (mtvec, delegation, satp, PMP, sstatus) are written, read back and restored.
// `@name` in a line is a label local to its snippet (program-image.ts makes it unique).
import fc from 'fast-check';
import { F_NAMES } from '../../../src/isa/registers.ts';
import { CLINT_MSIP, CLINT_MTIME, CLINT_MTIMECMP, DATA, FP_POOL_SIZE, UNMAPPED, X_POOL, X_READ, X_RVC } from './program-layout.ts';
import { fpBits, int64 } from './program-values.ts';
import { fpArith, fpControl, fpMemory, fpStatus } from './program-gen-fp.ts';
import { csrSnippet } from './program-gen-csr.ts';

/**
 * A few lines of assembly. Two directives of program-image.ts extend the text: `@rvc(a;b;..)`
 * assembles its lines with RVC compression wherever an encoding exists, and `@encode(insn)`
 * is the 32-bit encoding of an instruction, as an immediate.
 */
export interface Snippet {
  kind: string;
  lines: string[];
}

export interface Program {
  /** icount shift for both machines. */
  shift: number;
  /** Initial x1..x31 (gp's entry is ignored: it holds the data pointer). */
  xInit: bigint[];
  /** FP constant pool; f0..f31 start as its first 32 entries. */
  fpPool: bigint[];
  frm: number;
  /** Seeds the scratch memory's initial bytes. */
  scratchSeed: number;
  snippets: Snippet[];
}

const hex = (v: bigint | number) => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
export const xd = fc.constantFrom(...X_POOL);
export const xs = fc.constantFrom(...X_READ);
export const fr = fc.integer({ min: 0, max: 31 }).map((i) => F_NAMES[i]!);
const snip = (kind: string, lines: string[], compressed = false): Snippet => ({ kind, lines: compressed ? [`@rvc(${lines.join(';')})`] : lines });

// ---- integer ALU and M ----------------------------------------------------------------------
const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw'];
const M_OPS = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];

/** One ALU/M instruction writing rd (never gp). */
export function aluLine(rd: fc.Arbitrary<string> = xd): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.tuple(fc.constantFrom(...R_OPS, ...M_OPS), rd, xs, xs).map(([o, d, a, b]) => `${o} ${d},${a},${b}`), weight: 6 },
    { arbitrary: fc.tuple(fc.constantFrom(...I_OPS), rd, xs, fc.integer({ min: -2048, max: 2047 })).map(([o, d, a, i]) => `${o} ${d},${a},${i}`), weight: 3 },
    { arbitrary: fc.tuple(fc.constantFrom('slli', 'srli', 'srai'), rd, xs, fc.integer({ min: 0, max: 63 })).map(([o, d, a, i]) => `${o} ${d},${a},${i}`), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom('slliw', 'srliw', 'sraiw'), rd, xs, fc.integer({ min: 0, max: 31 })).map(([o, d, a, i]) => `${o} ${d},${a},${i}`), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom('lui', 'auipc'), rd, fc.integer({ min: 0, max: 0xfffff })).map(([o, d, i]) => `${o} ${d},${hex(i)}`), weight: 1 },
  );
}

const alu = aluLine().map((l) => snip('alu', [l]));
const li = fc.tuple(xd, int64).map(([d, v]) => snip('li', [`li ${d},${hex(v)}`]));

// ---- branches, jumps, loops -----------------------------------------------------------------
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
const skipped = fc.array(aluLine(), { maxLength: 3 });
const branch = fc.oneof(
  fc.tuple(fc.constantFrom(...BRANCHES), xs, xs, skipped).map(([b, r1, r2, body]) => snip('branch', [`${b} ${r1},${r2},@skip`, ...body, '@skip:'])),
  fc.tuple(xd, skipped).map(([rd, body]) => snip('jal', [`jal ${rd},@skip`, ...body, '@skip:'])),
  // jalr clears bit 0 of the sum: an odd base with offset 0 or an even one with offset -1 both land on @t
  fc.tuple(xd, xd, fc.boolean(), skipped).map(([ra, rd, odd, body]) =>
    snip('jalr', [`la ${ra},@t`, ...(odd ? [`addi ${ra},${ra},1`, `jalr ${rd},0(${ra})`] : [`addi ${ra},${ra},8`, `jalr ${rd},-8(${ra})`]), ...body, '@t:']),
  ),
);
const loop = fc
  .tuple(xd, fc.integer({ min: 1, max: 12 }))
  .chain(([c, n]) =>
    fc.array(aluLine(fc.constantFrom(...X_POOL.filter((r) => r !== c))), { minLength: 1, maxLength: 3 }).map((body) =>
      snip('loop', [`li ${c},${n}`, '@l:', ...body, `addi ${c},${c},-1`, `bnez ${c},@l`]),
    ),
  );

// ---- loads, stores, atomics -----------------------------------------------------------------
const LOADS: Array<[string, number]> = [['lb', 1], ['lh', 2], ['lw', 4], ['ld', 8], ['lbu', 1], ['lhu', 2], ['lwu', 4]];
const STORES: Array<[string, number]> = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]];
/** A gp-relative scratch offset for an access of `size` bytes, aligned 3 times in 4. */
export const scratchOff = (size: number) =>
  fc.tuple(fc.integer({ min: DATA.scratchLo, max: DATA.scratchHi - 8 }), fc.integer({ min: 0, max: 3 })).map(([o, a]) => (a > 0 ? o & ~(size - 1) : o));
const load = fc.constantFrom(...LOADS).chain(([op, size]) => fc.tuple(xd, scratchOff(size)).map(([d, o]) => snip('load', [`${op} ${d},${o}(gp)`])));
const store = fc.constantFrom(...STORES).chain(([op, size]) => fc.tuple(xs, scratchOff(size)).map(([s, o]) => snip('store', [`${op} ${s},${o}(gp)`])));

/**
 * Misaligned accesses that straddle the 4 KiB boundary below the data page (the other side
 * is the code page's padding): QEMU splits them, and a straddling store must land whole.
 */
const crossPage = fc
  .tuple(xd, fc.constantFrom('ld', 'lw', 'lhu', 'sd', 'sw', 'sh', 'fld', 'fsd'), xd, fr, fc.integer({ min: 1, max: 7 }))
  .filter(([a, op, r]) => a !== r || op.startsWith('s') || op.startsWith('f'))
  .map(([a, op, r, f, k]) => snip('cross-page', [`addi ${a},gp,${DATA.save}`, `${op} ${op.startsWith('f') ? f : r},${-k}(${a})`]));

const AMOS = ['amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'];
const ORDER = fc.constantFrom('', '.aq', '.rl', '.aqrl');
function twoRegsEarly() {
  return fc.tuple(xd, xd).filter(([a, b]) => a !== b);
}
const width = fc.constantFrom<['w' | 'd', number]>(['w', 4], ['d', 8]);
/**
 * An address register for an atomic: rA = gp + an aligned offset. Misaligned AMOs and SCs are
 * left out: QEMU 7.2 under icount runs AMOs as a plain load then store, so a misaligned one
 * raises *load* address-misaligned (cause 4, not the spec's 6), and its SC compares the
 * reservation before any check, so a misaligned SC fails quietly instead of trapping
 * (docs/ORACLE.md §8). Misaligned LR traps alike on both (lrMisaligned).
 */
const amoAddr = (size: number) =>
  fc.tuple(xd, fc.integer({ min: DATA.scratchLo, max: DATA.scratchHi - 16 })).map(([r, o]) => ({
    reg: r,
    line: `addi ${r},gp,${o & ~(size - 1)}`,
  }));
const lrMisaligned = fc
  .tuple(twoRegsEarly(), width, fc.integer({ min: DATA.scratchLo, max: DATA.scratchHi - 16 }), fc.integer({ min: 1, max: 7 }))
  .map(([[a, d], [w, size], o, m]) => snip('lr-misaligned', [`addi ${a},gp,${(o & ~(size - 1)) + (m % size || 1)}`, `lr.${w} ${d},(${a})`]));
const amo = width.chain(([w, size]) =>
  fc.tuple(fc.constantFrom(...AMOS), ORDER, amoAddr(size), xd, xs).map(([op, ord, a, rd, rs]) => snip('amo', [a.line, `${op}.${w}${ord} ${rd},${rs},(${a.reg})`])),
);
const lrsc = width.chain(([w, size]) =>
  amoAddr(size).chain((a) => {
    const notA = fc.constantFrom(...X_POOL.filter((r) => r !== a.reg));
    return fc
      .tuple(ORDER, ORDER, notA, notA, xs, fc.array(aluLine(notA), { maxLength: 2 }), fc.constantFrom('same', 'same', 'store-same', 'other', 'no-lr'))
      .map(([o1, o2, rd, rd2, rs, mid, how]) => {
        const lines = [a.line];
        if (how !== 'no-lr') lines.push(`lr.${w}${o1} ${rd},(${a.reg})`);
        lines.push(...mid);
        // a plain store of the same value: QEMU's SC compares values, so it may still succeed
        if (how === 'store-same') lines.push(`s${w} ${rd},0(${a.reg})`);
        if (how === 'other') lines.push(`addi ${a.reg},${a.reg},${size * 2}`);
        lines.push(`sc.${w}${o2} ${rd2},${rs},(${a.reg})`);
        return snip('lrsc', lines);
      });
  }),
);

// ---- faults and traps -------------------------------------------------------------------------
/** Bad addresses: unmapped, the boot ROM (readable, not writable), straddling the end of RAM. */
const badAddr = fc.oneof(
  fc.constantFrom(...UNMAPPED),
  fc.integer({ min: 0x1000, max: 0x1ff8 }).map(BigInt),
  fc.constantFrom(UNMAPPED[2]! - 4n, UNMAPPED[2]! - 8n, UNMAPPED[2]! - 1n),
);
// AMOs and SC only on the ROM, aligned: where they fault, QEMU 7.2 differs from the spec (an
// AMO raises *load* access/misaligned faults, causes 5/4, as a plain load-then-store; an SC
// without a reservation fails before any check), see docs/ORACLE.md §8.
const memFault = fc.oneof(
  fc.tuple(xd, badAddr, fc.constantFrom('lb', 'lhu', 'lw', 'ld', 'sb', 'sh', 'sw', 'sd', 'lr.d', 'lr.w', 'flw', 'fld', 'fsd', 'fsw'), xd, fr).map(([ra, addr, op, r, f]) => {
    const access = op.startsWith('lr') ? `${op} ${r},(${ra})` : op.startsWith('f') ? `${op} ${f},0(${ra})` : `${op} ${r},0(${ra})`;
    return snip('mem-fault', [`li ${ra},${hex(addr)}`, access]);
  }),
  fc
    .tuple(xd, fc.integer({ min: 0x200, max: 0x3fe }), fc.constantFrom('amoadd.w', 'amoswap.d', 'amoor.w', 'amomaxu.d'), xd, xs, fc.boolean())
    .filter(([ra, , , r]) => ra !== r)
    .map(([ra, k, op, r, v, lrsc]) =>
      snip('rom-atomic', [`li ${ra},${hex(8 * k)}`, ...(lrsc ? [`lr.d ${r},(${ra})`, `sc.d ${r},${v},(${ra})`] : [`${op} ${r},${v},(${ra})`])]),
    ),
);
// the handler resumes a failed fetch at ra, which the jump linked
const fetchFault = fc.tuple(xd, fc.constantFrom(...UNMAPPED)).map(([r, addr]) => snip('fetch-fault', [`li ${r},${hex(addr)}`, `jalr ra,0(${r})`]));
const ILLEGAL_WORDS = [
  '.word 0x0000000b', // custom-0
  '.word 0x00004073', // SYSTEM, funct3 = 4
  '.word 0x06000053', // fadd.q: no Q extension
  '.word 0x7b200073', // dret outside debug mode
  '.word 0xc0001073', // csrw cycle,zero: read-only CSR
  '.half 0x0000', // the all-zero 16-bit word
  '.half 0x4002', // c.lwsp zero: reserved
  '.half 0x6101', // c.addi16sp with immediate 0: reserved
  '.half 0x8002', // c.jr zero: reserved
  '.half 0x2001', // c.addiw zero: reserved
];
const trap = fc.oneof(
  fc.constant(snip('ecall', ['ecall'])),
  fc.constant(snip('ebreak', ['ebreak'])),
  fc.constant(snip('c.ebreak', ['ebreak'], true)),
  fc.constantFrom(...ILLEGAL_WORDS).map((w) => snip('illegal', [w])),
);

// ---- interrupts and wfi -----------------------------------------------------------------------
/** Arms the CLINT timer `delta` ticks from now (<= 0: already due). */
const armTimer = (a: string, b: string, delta: number) => [`li ${a},${hex(CLINT_MTIME)}`, `ld ${b},0(${a})`, `addi ${b},${b},${delta}`, `li ${a},${hex(CLINT_MTIMECMP)}`, `sd ${b},0(${a})`];
const twoRegs = fc.tuple(xd, xd).filter(([a, b]) => a !== b);
const irq = fc.oneof(
  // timer: fires later, in whatever code follows, as an interrupt step of its own
  fc.tuple(twoRegs, fc.integer({ min: -3, max: 60 })).map(([[a, b], d]) => snip('timer-irq', [...armTimer(a, b, d), `li ${a},0x80`, `csrs mie,${a}`, 'csrsi mstatus,8'])),
  // software interrupt through the CLINT (msip stays set: the handler masks it in mie)
  fc.tuple(twoRegs, fc.boolean()).map(([[a, b], set]) =>
    snip('msip-irq', [`li ${a},${hex(CLINT_MSIP)}`, `li ${b},${set ? 1 : 0}`, `sw ${b},0(${a})`, `li ${b},8`, `csrs mie,${b}`, 'csrsi mstatus,8']),
  ),
  // S-level pending bits written in mip, taken in M (nothing is delegated)
  fc.tuple(xd, fc.constantFrom(2, 0x20, 0x22)).map(([a, bits]) => snip('mip-irq', [`li ${a},${bits}`, `csrs mip,${a}`, `csrs mie,${a}`, 'csrsi mstatus,8', `csrc mip,${a}`])),
  // wfi with only mie.MTIE set: sleeps until the timer (virtual time jumps) or returns at once.
  // With MIE set the timer must still be in the future at the wfi (from the mtime read to the
  // wfi at most 8 instructions = 512 ns at shift 6, about 6 ticks), or the interrupt would be
  // taken and masked before it and the wfi would sleep forever.
  fc.tuple(twoRegs, fc.integer({ min: -2, max: 40 })).map(([[a, b], d]) =>
    snip('wfi', ['csrci mstatus,8', ...armTimer(a, b, d), `li ${a},0x80`, `csrs mie,${a}`, 'wfi', 'csrw mie,zero']),
  ),
  fc.tuple(twoRegs, fc.integer({ min: 10, max: 40 })).map(([[a, b], d]) =>
    snip('wfi-irq', ['csrsi mstatus,8', ...armTimer(a, b, d), `li ${a},0x80`, `csrs mie,${a}`, 'wfi', 'csrw mie,zero']),
  ),
);

// ---- counters and time --------------------------------------------------------------------------
const counters = fc.tuple(xd, fc.constantFrom('cycle', 'time', 'instret', 'mcycle', 'minstret', 'mhartid', 'mtime')).map(([d, c]) =>
  snip('counter', c === 'mtime' ? [`li ${d},${hex(CLINT_MTIME)}`, `ld ${d},0(${d})`] : [`csrr ${d},${c}`]),
);

// ---- self-modifying code --------------------------------------------------------------------------
const smc = fc
  .tuple(twoRegs, aluLine(), fc.boolean())
  .map(([[a, b], insn, fence]) => snip('smc', [`la ${a},@slot`, `li ${b},@encode(${insn})`, `sw ${b},0(${a})`, ...(fence ? ['fence.i'] : []), '@slot:', 'nop']));

// ---- RVC ------------------------------------------------------------------------------------------
const rvcReg = fc.constantFrom(...X_RVC);
const rvcLine = fc.oneof(
  fc.tuple(xd, fc.integer({ min: -32, max: 31 })).map(([d, i]) => `addi ${d},${d},${i || 1}`),
  fc.tuple(xd, fc.integer({ min: -32, max: 31 })).map(([d, i]) => `li ${d},${i}`),
  fc.tuple(xd, fc.integer({ min: -32, max: 31 })).map(([d, i]) => `addiw ${d},${d},${i}`),
  fc.tuple(xd.filter((d) => d !== 'sp'), fc.integer({ min: 1, max: 31 })).map(([d, i]) => `lui ${d},${hex(i)}`),
  fc.tuple(xd, fc.integer({ min: 1, max: 63 })).map(([d, s]) => `slli ${d},${d},${s}`),
  fc.tuple(fc.constantFrom('srli', 'srai'), rvcReg, fc.integer({ min: 1, max: 63 })).map(([o, d, s]) => `${o} ${d},${d},${s}`),
  fc.tuple(rvcReg, fc.integer({ min: -32, max: 31 })).map(([d, i]) => `andi ${d},${d},${i}`),
  fc.tuple(xd, xd).map(([d, s]) => `mv ${d},${s}`),
  fc.tuple(xd, xd).map(([d, s]) => `add ${d},${d},${s}`),
  fc.tuple(fc.constantFrom('sub', 'xor', 'or', 'and', 'addw', 'subw'), rvcReg, rvcReg).map(([o, d, s]) => `${o} ${d},${d},${s}`),
);
/** Memory through c.ld/c.sd/c.lw/c.sw/c.fld/c.fsd (base x8..x15) and the sp-relative forms. */
const rvcMem = fc
  .tuple(rvcReg, fc.constantFrom('ld', 'sd', 'lw', 'sw', 'fld', 'fsd'), rvcReg, fr, fc.integer({ min: 0, max: 31 }), fc.boolean())
  .map(([base, op, r, f, k, viaSp]) => {
    const size = op.endsWith('w') ? 4 : 8;
    const b = viaSp ? 'sp' : base;
    const reg = op.startsWith('f') ? f : r;
    return [`mv ${b},gp`, `${op} ${reg},${k * size}(${b})`];
  });
const rvc = fc
  .array(fc.oneof({ arbitrary: rvcLine.map((l) => [l]), weight: 4 }, { arbitrary: rvcMem, weight: 2 }, { arbitrary: fc.constant(['nop']), weight: 1 }), { minLength: 1, maxLength: 8 })
  .chain((groups) =>
    // c.jalr links pc + 2
    fc.tuple(xd.filter((r) => r !== 'ra'), fc.boolean()).map(([r, jump]) =>
      snip('rvc', [...groups.flat(), ...(jump ? [`la ${r},@t`, `jalr ${r}`, 'nop', '@t:'] : [])], true),
    ),
  );

// ---- privilege round trips --------------------------------------------------------------------------
// M-mode interrupts stay off until mret: an interrupt between `csrw mepc` and `mret` would
// leave mepc pointing at the mret itself, which would then return to itself forever.
/** Code that is safe to run in U- or S-mode: any trap returns to M at the next instruction. */
const lowerPrivItem = (mode: 'U' | 'S') =>
  fc.oneof(
    { arbitrary: alu, weight: 4 },
    { arbitrary: load, weight: 2 },
    { arbitrary: store, weight: 2 },
    { arbitrary: fpArith, weight: 2 },
    { arbitrary: counters, weight: 2 },
    { arbitrary: csrSnippet.filter((s) => s.kind === 'csr-read'), weight: 2 },
    // not ecall: that is what ends the round trip (the handler returns to M-mode)
    { arbitrary: trap.filter((s) => s.kind !== 'ecall'), weight: 1 },
    // wfi is illegal in U-mode; in S-mode it would sleep with nothing armed to wake it
    ...(mode === 'U' ? [{ arbitrary: fc.constant(snip('wfi-u', ['wfi'])), weight: 1 }] : []),
    { arbitrary: fc.constant(snip('sfence', ['sfence.vma'])), weight: 1 },
  );
const privRoundTrip = fc.constantFrom<'U' | 'S'>('U', 'S').chain((mode) =>
  fc.tuple(xd, fc.array(lowerPrivItem(mode), { minLength: 1, maxLength: 8 })).map(([r, body]) =>
    snip(`${mode}-mode`, [
      'csrci mstatus,8',
      // MPP and MPRV: QEMU 7.2 does not clear MPRV on an mret to a lower mode (spec 1.12
      // does; ours does), so it must already be clear (docs/ORACLE.md §8)
      `li ${r},0x21800`,
      `csrc mstatus,${r}`,
      ...(mode === 'S' ? [`li ${r},0x800`, `csrs mstatus,${r}`] : []),
      `la ${r},@lower`,
      `csrw mepc,${r}`,
      'mret',
      '@lower:',
      ...body.flatMap((s) => s.lines),
      'ecall',
    ]),
  ),
);

export const snippet: fc.Arbitrary<Snippet> = fc.oneof(
  { arbitrary: alu, weight: 12 },
  { arbitrary: li, weight: 3 },
  { arbitrary: branch, weight: 4 },
  { arbitrary: loop, weight: 1 },
  { arbitrary: load, weight: 4 },
  { arbitrary: store, weight: 4 },
  { arbitrary: crossPage, weight: 1 },
  { arbitrary: amo, weight: 3 },
  { arbitrary: lrsc, weight: 2 },
  { arbitrary: lrMisaligned, weight: 1 },
  { arbitrary: fpArith, weight: 12 },
  { arbitrary: fpMemory, weight: 3 },
  { arbitrary: fpStatus, weight: 4 },
  { arbitrary: fpControl, weight: 1 },
  { arbitrary: csrSnippet, weight: 6 },
  { arbitrary: counters, weight: 2 },
  { arbitrary: memFault, weight: 2 },
  { arbitrary: fetchFault, weight: 1 },
  { arbitrary: trap, weight: 2 },
  { arbitrary: irq, weight: 2 },
  { arbitrary: smc, weight: 1 },
  { arbitrary: rvc, weight: 2 },
  { arbitrary: privRoundTrip, weight: 2 },
);

export function programArb(opts: { minSnippets: number; maxSnippets: number }): fc.Arbitrary<Program> {
  return fc
    .record({
      shift: fc.constantFrom(0, 2, 4, 6),
      xInit: fc.array(int64, { minLength: 32, maxLength: 32 }),
      fpPool: fc.array(fpBits, { minLength: FP_POOL_SIZE, maxLength: FP_POOL_SIZE }),
      frm: fc.integer({ min: 0, max: 4 }),
      scratchSeed: fc.integer({ min: 1, max: 0x7fffffff }),
      snippets: fc.array(snippet, { minLength: opts.minSnippets, maxLength: opts.maxSnippets }),
    })
    .map((p) =>
      // counterexamples print as a summary; the failing test writes the full listing to a file
      Object.assign(p, { [fc.toStringMethod]: () => `Program(shift ${p.shift}, ${p.snippets.length} snippets)` }),
    );
}

