// Random guest programs for the JIT differential test (jit-differential.test.ts): the same
// program runs on a hart with the JIT and one without, and everything is compared after
// every slice. Programs are built to reach the JIT's edge cases often:
//   - straight runs longer than a block, mixed 16/32-bit encodings, branches and jumps to
//     any item (loops, forward and backward, JALR through computed addresses);
//   - loads/stores over pages that collide in the direct-mapped TLB, page-crossing
//     accesses, accesses to nothing (access faults), MMIO reads/writes (which end slices);
//   - stores into the program itself (self-modifying code) and FENCE.I;
//   - traps (ECALL, illegal words) handled by an M-mode handler that skips the instruction;
//   - minstret/mcycle reads, which expose the retired count at that exact instruction;
//   - optionally Sv39 paging in S-mode with the code also mapped at an alias, so one
//     compiled page runs at two virtual addresses.
//
// Control flow runs mostly forward through the items and then back to the first, so the
// whole program repeats and gets hot; loops count down x27 (`blt x0,x27`, so any value
// ends them), and a few jumps go anywhere, making tighter loops of their own.
//
// Register roles: x5/x6 point at data areas A/B, x7 at the program (for self-modifying
// stores), x29 at the MMIO test device, x27 counts loops; x28/x30/x31 belong to the trap
// handler. Random instructions write only the other registers.
import { Assembler } from '../../src/isa/asm.ts';

export const RAM = 0x8000_0000;
export const RAM_BYTES = 4 << 20;
export const PROGRAM = 0x8000_1000;
/** Data areas whose pages share TLB sets (vpn & 255), so they keep evicting each other. */
export const DATA_A = 0x8010_0000;
export const DATA_B = 0x8020_0000;
export const MMIO = 0x1000_0000;
/** Sv39 alias of RAM: virtual 0x4000_0000 + x maps to physical 0x8000_0000 + x. */
export const ALIAS = 0x4000_0000;

/** Small deterministic PRNG (xorshift32), so a fast-check seed fixes the whole program. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed | 0) || 0x2545f491;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x;
    return x >>> 0;
  }
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next() % xs.length];
  }
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }
}

const GEN = [1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26].map((r) => `x${r}`);
const ANY = Array.from({ length: 32 }, (_, r) => `x${r}`);
// x0 and a few small registers often, so compressed forms and the x0 special cases show up
const SRC = [...ANY, 'x0', 'x0', 'x8', 'x9', 'x10'];

const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SH_OPS = ['slli', 'srli', 'srai'];
const SHW_OPS = ['slliw', 'srliw', 'sraiw'];
const LOADS = ['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu'];
const STORES = ['sb', 'sh', 'sw', 'sd'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];

function imm12(rng: Rng): number {
  return rng.pick([0, 1, -1, 2047, -2048, rng.int(-2048, 2047), rng.int(-16, 16)]);
}

/** A 64-bit value with interesting bits: random, or near the 32/64-bit sign and carry boundaries. */
function wideValue(rng: Rng): bigint {
  const r64 = (BigInt(rng.next()) << 32n) | BigInt(rng.next());
  const edges = [0n, 1n, -1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, -0x80000000n, (1n << 63n) - 1n, -(1n << 63n)];
  return rng.chance(0.7) ? BigInt.asIntN(64, r64) : rng.pick(edges) + BigInt(rng.int(-2, 2));
}

/** One computational instruction with random operands. */
export function aluLine(rng: Rng): string {
  const rd = rng.pick(GEN);
  // new entropy now and then: random operations soon wear register values down to 0 and -1
  if (rng.chance(0.08)) return `li ${rd},${wideValue(rng)}`;
  const k = rng.int(0, 9);
  if (k < 4) return `${rng.pick(R_OPS)} ${rd},${rng.pick(SRC)},${rng.pick(SRC)}`;
  if (k < 7) return `${rng.pick(I_OPS)} ${rd},${rng.pick(SRC)},${imm12(rng)}`;
  if (k < 8) return `${rng.pick(SH_OPS)} ${rd},${rng.pick(SRC)},${rng.pick([0, 1, 31, 32, 33, 63, rng.int(0, 63)])}`;
  if (k < 9) return `${rng.pick(SHW_OPS)} ${rd},${rng.pick(SRC)},${rng.pick([0, 1, 31, rng.int(0, 31)])}`;
  return rng.chance(0.5) ? `lui ${rd},${rng.int(0, 0xfffff)}` : `auipc ${rd},${rng.int(0, 0xfffff)}`;
}

export interface ProgramOptions {
  items: number;
  /** Run the program in S-mode under Sv39, jumping between the identity and alias mappings. */
  paging: boolean;
}

/** Address formation: xT = base + ((xR & 0x7ff) << s); the access adds a 12-bit offset. */
function addressInto(rng: Rng, t: string, base: string, shift: number): string[] {
  return [`andi ${t},${rng.pick(SRC)},0x7ff`, ...(shift ? [`slli ${t},${t},${shift}`] : []), `add ${t},${t},${base}`];
}

/** The random part of a program: `items` labelled idioms L0..Ln-1 followed by a jump back to L0. */
export function programText(rng: Rng, opts: ProgramOptions): string {
  const lines: string[] = [];
  const at = (k: number) => `L${Math.min(opts.items, Math.max(0, k))}`;
  // mostly forward; now and then anywhere (which may make a tight loop)
  const jumpTarget = (k: number) => (rng.chance(0.1) ? at(rng.int(0, opts.items)) : at(k + rng.int(1, 30)));
  // branches reach +-4 KiB: 8 items, even long runs of 90 instructions, stay within it
  const near = (k: number) => (rng.chance(0.15) ? at(k - rng.int(0, 8)) : at(k + rng.int(1, 8)));
  const loopHeads: number[] = [];
  // each program has only some of the disruptive features, so that some code stays
  // compiled long enough to matter while others exercise invalidation and slice ends
  const smc = rng.chance(0.4), mmio = rng.chance(0.4), faults = rng.chance(0.5);
  for (let k = 0; k < opts.items; k++) {
    lines.push(`L${k}:`);
    const t = rng.pick(GEN);
    const roll = rng.int(0, 999);
    if (roll < 350) {
      lines.push(aluLine(rng));
    } else if (roll < 420) {
      // a long straight run: longer than a block, and budgets end inside it
      const len = rng.int(8, 90);
      for (let j = 0; j < len; j++) lines.push(aluLine(rng));
    } else if (roll < 560) {
      const base = rng.pick(['x5', 'x5', 'x6', 'x6', 'x7']);
      lines.push(...addressInto(rng, t, base, rng.int(0, 3)), `${rng.pick(LOADS)} ${rng.pick(GEN)},${imm12(rng)}(${t})`);
    } else if (roll < 670) {
      lines.push(...addressInto(rng, t, rng.pick(['x5', 'x6']), rng.int(0, 3)), `${rng.pick(STORES)} ${rng.pick(SRC)},${imm12(rng)}(${t})`);
    } else if (roll < 700 && smc) {
      // self-modifying code, now and then (instret decides, identically on both harts):
      // overwrite the start of a nearby item — often inside the loop being run, so compiled
      // code must die — with a harmless computational instruction
      const u = rng.pick(GEN.filter((r) => r !== t));
      lines.push(`csrr ${t},instret`, `andi ${t},${t},${rng.pick([1, 7, 31])}`, `bnez ${t},L${k}s`);
      lines.push(`li ${t},${selfModWord(rng)}`, `la ${u},${at(k - rng.int(0, 6))}`, `sw ${t},0(${u})`);
      if (rng.chance(0.3)) lines.push('fence.i');
      lines.push(`L${k}s:`);
    } else if (roll < 760) {
      lines.push(`${rng.pick(BRANCHES)} ${rng.pick(SRC)},${rng.pick(SRC)},${near(k)}`);
    } else if (roll < 780) {
      // a counted loop: the head sets x27, a later item counts it down and branches back
      loopHeads.push(k);
      lines.push(`li x27,${rng.int(1, 12)}`, `L${k}b:`);
    } else if (roll < 800) {
      const head = loopHeads.pop();
      if (head !== undefined && k - head <= 8) lines.push('addi x27,x27,-1', `blt x0,x27,L${head}b`);
      else lines.push(aluLine(rng));
    } else if (roll < 815) {
      lines.push(`jal ${rng.pick(['x0', 'x1', rng.pick(GEN)])},${jumpTarget(k)}`);
    } else if (roll < 830) {
      // computed jump; under paging, sometimes through the alias mapping of the same code
      lines.push(`la ${t},${jumpTarget(k)}`);
      if (opts.paging && rng.chance(0.5)) lines.push(`li x28,${ALIAS - RAM}`, `add ${t},${t},x28`);
      lines.push(`jalr ${rng.pick(['x0', 'x1', t, rng.pick(GEN)])},0(${t})`); // rd = rs1 included
    } else if (roll < 860) {
      lines.push(aluLine(rng));
    } else if (roll < 885) {
      // instret/cycle expose the retired count at exactly this instruction
      lines.push(rng.pick([`csrr ${t},instret`, `csrr ${t},cycle`, `csrw sscratch,${rng.pick(SRC)}`, `csrr ${t},sscratch`]));
    } else if (roll < 900 && mmio) {
      lines.push(`andi ${t},${rng.pick(SRC)},0x7f8`, `add ${t},${t},x29`);
      lines.push(rng.chance(0.5) ? `${rng.pick(LOADS)} ${rng.pick(GEN)},0(${t})` : `${rng.pick(STORES)} ${rng.pick(SRC)},0(${t})`);
    } else if (roll < 915) {
      // page-crossing access at the end of a data page
      lines.push(`li ${t},${DATA_A + 4096 * rng.int(1, 3) - rng.int(1, 7)}`, `${rng.pick([...LOADS, ...STORES])} ${rng.pick(GEN)},0(${t})`);
    } else if (roll < 925 && faults) {
      lines.push(`${rng.pick(LOADS)} ${rng.pick(GEN)},${rng.int(0, 2047)}(x0)`); // nothing there: access fault
    } else if (roll < 940 && faults) {
      lines.push(rng.pick(['ecall', 'ebreak', '.word 0', 'fence.i', 'fence', 'sfence.vma']));
    } else {
      lines.push(aluLine(rng), aluLine(rng));
    }
  }
  lines.push(`L${opts.items}:`, 'j L0');
  return lines.join('\n');
}

/** A 32-bit computational instruction whose rd is a general register (harmless to execute anywhere). */
function selfModWord(rng: Rng): number {
  const rd = rng.int(8, 27);
  const rs = rng.int(0, 31);
  const imm = rng.int(-2048, 2047) & 0xfff;
  // addi / xori / ori: opcode 0x13, funct3 0, 4, 6
  const f3 = rng.pick([0, 4, 6]);
  return ((imm << 20) | (rs << 15) | (f3 << 12) | (rd << 7) | 0x13) >>> 0;
}

/** Sv39 root page table (out of the way of code and data). */
const ROOT = 0x8030_0000;

/** Setup code at RAM base: trap handler, registers, optional paging, then the program at `entry`. */
function bootText(rng: Rng, opts: ProgramOptions, entry: bigint): string {
  const regs = GEN.map((r) => `li ${r},${rng.chance(0.2) ? rng.int(-100, 100) : wideValue(rng)}`);
  const common = [
    'la x31,handler',
    'csrw mtvec,x31',
    'li x31,-1',
    'csrw mcounteren,x31',
    `li x5,${DATA_A}`,
    `li x6,${DATA_B}`,
    `li x7,${PROGRAM}`,
    `li x29,${MMIO}`,
    ...regs,
  ];
  const enter = opts.paging
    ? [
        // root table: gigapages 0 (MMIO, low addresses), 1 (alias) and 2 (RAM), RWX, A/D set
        `li x31,${ROOT}`,
        'li x30,0xcf', // V R W X A D
        'sd x30,0(x31)',
        'li x30,0x200000cf', // PPN 0x80000 (RAM) at the alias slot
        'sd x30,8(x31)',
        'sd x30,16(x31)',
        `li x30,${(8n << 60n) | BigInt(ROOT / 4096)}`,
        'csrw satp,x30',
        'li x30,0x1800',
        'csrc mstatus,x30',
        'li x30,0x800', // MPP = S
        'csrs mstatus,x30',
        `li x30,${entry}`,
        'csrw mepc,x30',
        'mret',
      ]
    : [`li x30,${entry}`, 'jr x30'];
  return [
    ...common,
    ...enter,
    '.align 6',
    // skip the trapping instruction: read its first halfword through the trapped context's
    // translation (MPRV), 4 bytes if it is a 32-bit encoding, else 2. A fetch fault (a jump
    // into nothing, which self-modified code can cause) restarts the program instead.
    'handler:',
    'csrr x31,mcause',
    'li x30,1',
    'beq x31,x30,restart',
    'li x30,12',
    'beq x31,x30,restart',
    'csrr x31,mepc',
    'li x30,0x20000',
    'csrs mstatus,x30',
    'lhu x28,0(x31)',
    'csrc mstatus,x30',
    'andi x28,x28,3',
    'addi x31,x31,2',
    'addi x28,x28,-3',
    'bnez x28,hskip',
    'addi x31,x31,2',
    'hskip:',
    'csrw mepc,x31',
    'mret',
    'restart:',
    `li x31,${entry}`,
    'csrw mepc,x31',
    'li x30,0x1800',
    'csrc mstatus,x30',
    `li x30,${opts.paging ? 0x800 : 0x1800}`,
    'csrs mstatus,x30',
    'mret',
  ].join('\n');
}

export interface GuestImage {
  boot: Uint8Array;
  program: Uint8Array;
  text: string;
}

/** Assembles a random program (the boot code at RAM, the program at PROGRAM). */
export function randomProgram(seed: number, opts: ProgramOptions): GuestImage {
  const rng = new Rng(seed);
  const text = programText(rng, opts);
  const prog = new Assembler({ base: BigInt(PROGRAM), compress: true });
  prog.asm(text);
  const p = prog.assemble();
  const boot = new Assembler({ base: BigInt(RAM) });
  boot.asm(bootText(rng, opts, p.symbols.get('L0')!));
  return { boot: boot.assemble().bytes, program: p.bytes, text };
}

/** A hand-written program (GNU syntax, labels allowed) with the same boot code and registers. */
export function fixedProgram(text: string, paging = false, seed = 1): GuestImage {
  const prog = new Assembler({ base: BigInt(PROGRAM), compress: true });
  prog.asm(text);
  const p = prog.assemble();
  const boot = new Assembler({ base: BigInt(RAM) });
  boot.asm(bootText(new Rng(seed), { items: 0, paging }, BigInt(PROGRAM)));
  return { boot: boot.assemble().bytes, program: p.bytes, text };
}

/**
 * Straight-line computation in a counted loop: every instruction gets compiled and runs
 * compiled many times, so this checks the emitters' arithmetic against the interpreter's
 * on many operand values (edge values included).
 */
export function aluLoopProgram(seed: number): GuestImage {
  const rng = new Rng(seed);
  const lines = ['restart:', 'li x27,40', 'loop:'];
  const len = rng.int(5, 150);
  for (let k = 0; k < len; k++) lines.push(aluLine(rng));
  lines.push('addi x27,x27,-1', 'blt x0,x27,loop');
  // fresh values from data, then around again
  for (let k = 0; k < 6; k++) lines.push(`ld ${rng.pick(GEN)},${8 * rng.int(0, 255)}(x5)`);
  lines.push(`addi x5,x5,${rng.pick([8, 16, 24])}`, 'j restart');
  return fixedProgram(lines.join('\n'), false, seed);
}
