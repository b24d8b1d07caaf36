// Hostile guest kernels: generated instruction streams from the encoder (and raw words no
// encoder would produce) run as an HVM kernel in VS-mode or a PV kernel in U-mode. Registers
// start out holding addresses worth attacking — other domains' host addresses, p2m roots,
// device windows, the hostile domain's own memory — and a data block of generated words
// (hypercall argument structures, page-table entries naming foreign frames) sits next to
// the code. A trap handler skips whatever faulted, so the stream keeps going until the
// budget ends or the domain does something fatal (which the hypervisor handles per on_crash).
import fc from 'fast-check';
import type { Fields } from '../../src/isa/encode.ts';
import { Assembler } from '../../src/isa/asm.ts';
import { OP } from '../../src/isa/opcodes.ts';
import { KERNEL_BASE } from '../../src/hypervisor/pv/abi.ts';

export type HostileMode = 'hvm' | 'pv';

/** Symbolic values resolved when the world is known (addresses differ per run). */
export type Value =
  | { k: 'lit'; v: bigint }
  | { k: 'victim'; off: number }
  | { k: 'own'; off: number }
  | { k: 'hvframe'; off: number }
  | { k: 'victimPte'; flags: bigint }
  | { k: 'data'; off: number };

export interface HostileSpec {
  regs: Value[];
  body: Insn[];
  data: Value[];
  /** SBI extension IDs (hvm) or hypercall numbers (pv) put in a7 before each ecall. */
  calls: number[];
}

export type Insn = { f: Fields } | { word: number } | { ecall: number };

/** What a Value resolves to in a run: addresses of the world. */
export interface HostileWorld {
  victimBase: number;
  ownBase: bigint;
  hvFrame: number;
  dataBase: bigint;
}

export function resolve(v: Value, w: HostileWorld): bigint {
  switch (v.k) {
    case 'lit':
      return BigInt.asUintN(64, v.v);
    case 'victim':
      return BigInt(w.victimBase + v.off);
    case 'own':
      return w.ownBase + BigInt(v.off);
    case 'hvframe':
      return BigInt(w.hvFrame + v.off);
    case 'victimPte':
      return (BigInt(Math.floor(w.victimBase / 4096)) << 10n) | v.flags;
    case 'data':
      return w.dataBase + BigInt(v.off);
  }
}

const LIT = [0n, -1n, 1n, 0x80000000n, 0x10000000n, 0xc000000n, 0x2000000n, 0x100000n, 0x1000n, 0x7ff0n, KERNEL_BASE, 1n << 63n, 0x1fffffff000n];

// own memory and the data block weigh more: an HVM kernel that touches an unmapped address
// is over (guest-page fault, on_crash), and most of the interesting code is after that
const valueArb: fc.Arbitrary<Value> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ k: fc.constant('lit' as const), v: fc.oneof(fc.constantFrom(...LIT), fc.bigInt(0n, (1n << 64n) - 1n)) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('victim' as const), off: fc.constantFrom(0, 8, 0x1000, 0x200000, 0xfff000) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('own' as const), off: fc.constantFrom(0, 0x1000, 0x3000, 0x10000, 0x400000) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('hvframe' as const), off: fc.constantFrom(0, 8, 0x1000) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('victimPte' as const), flags: fc.constantFrom(0xdfn, 0xd7n, 0xcfn, 0x1n) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('data' as const), off: fc.constantFrom(0, 16, 64, 256) }) },
);

/** x5..x31 except t6 (the handler's): preset registers, and the ones generated code reads and writes. */
const REGS = Array.from({ length: 26 }, (_, i) => i + 5);
const reg = fc.constantFrom(...REGS);
const anyReg = fc.nat(31);

const CSR_OPS = [OP.CSRRW, OP.CSRRS, OP.CSRRC, OP.CSRRWI, OP.CSRRSI, OP.CSRRCI];
const SYSTEM = [OP.EBREAK, OP.WFI, OP.SRET, OP.MRET, OP.SFENCE_VMA, OP.HFENCE_VVMA, OP.HFENCE_GVMA, OP.FENCE_I];
const HYP_MEM = [OP.HLV_B, OP.HLV_D, OP.HLV_W, OP.HLVX_WU, OP.HSV_B, OP.HSV_D];
const AMOS = [OP.AMOSWAP_D, OP.AMOADD_W, OP.LR_D, OP.SC_D, OP.AMOOR_D];
const MEM = [OP.LB, OP.LD, OP.LW, OP.SB, OP.SD, OP.SW, OP.FLD, OP.FSD];
const ALU = [OP.ADD, OP.SUB, OP.XOR, OP.OR, OP.AND, OP.SLL, OP.SRL, OP.MUL, OP.DIVU, OP.ADDW];

const insnArb: fc.Arbitrary<Insn> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom(...ALU), rd: reg, rs1: anyReg, rs2: anyReg }).map((f) => ({ f })) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant(OP.ADDI), rd: reg, rs1: anyReg, imm: fc.integer({ min: -2048, max: 2047 }) }).map((f) => ({ f })) },
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...MEM), reg, anyReg, fc.integer({ min: -2048, max: 2047 })).map(([op, a, b, imm]) => ({ f: op === OP.SB || op === OP.SD || op === OP.SW || op === OP.FSD ? { op, rs1: a, rs2: b, imm } : { op, rd: op === OP.FLD ? a & 31 : a, rs1: b, imm } })) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom(...AMOS), rd: reg, rs1: reg, rs2: anyReg, rm: fc.nat(3) }).map(({ op, rd, rs1, rs2, rm }) => ({ f: { op, rd, rs1, rs2: op === OP.LR_D ? 0 : rs2, rm } })) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom(...CSR_OPS), rd: reg, rs1: anyReg, imm: fc.oneof(fc.nat(0xfff), fc.constantFrom(0x180, 0x600, 0x680, 0x300, 0x305, 0x105, 0x280, 0x100, 0x141, 0xc01)) }).map((f) => ({ f })) },
  { weight: 2, arbitrary: fc.constantFrom(...SYSTEM).map((op) => ({ f: { op, rs1: 0, rs2: 0 } })) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom(...HYP_MEM), rd: reg, rs1: reg, rs2: anyReg }).map(({ op, rd, rs1, rs2 }) => ({ f: op >= OP.HSV_B ? { op, rs1, rs2 } : { op, rd, rs1 } })) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant(OP.JALR), rd: fc.constant(0), rs1: reg, imm: fc.constant(0) }).map((f) => ({ f })) },
  { weight: 3, arbitrary: fc.nat(7).map((i) => ({ ecall: i })) },
  { weight: 2, arbitrary: fc.nat(0xffffffff).map((word) => ({ word })) },
);

const SBI_EIDS = [0x10, 0x54494d45, 0x735049, 0x52464e43, 0x48534d, 0x53525354, 0x4442434e, 0, 1, 2, 8, 0x504d55];
const HYPERCALLS = [1, 3, 4, 12, 13, 14, 15, 17, 18, 20, 23, 24, 26, 29, 30, 32, 99];

export function hostileSpecArb(mode: HostileMode): fc.Arbitrary<HostileSpec> {
  return fc.record({
    regs: fc.array(valueArb, { minLength: 26, maxLength: 26 }),
    body: fc.array(insnArb, { minLength: 1, maxLength: 60 }),
    data: fc.array(valueArb, { minLength: 0, maxLength: 32 }),
    calls: fc.array(fc.constantFrom(...(mode === 'hvm' ? SBI_EIDS : HYPERCALLS)), { minLength: 8, maxLength: 8 }),
  });
}

/** Where each mode's kernel is linked. */
export const HOSTILE_BASE: Record<HostileMode, bigint> = { hvm: 0x80200000n, pv: KERNEL_BASE };

/**
 * The kernel: install the trap handler, load the registers, run the body in a loop. The
 * handler skips the instruction that trapped (HVM: sepc += 4; PV: the trap frame's pc += 4,
 * then iret). `data` words follow the code at a fixed offset so their address is known.
 */
export function assembleHostile(spec: HostileSpec, mode: HostileMode, world: Omit<HostileWorld, 'dataBase'>): Uint8Array {
  const base = HOSTILE_BASE[mode];
  const dataBase = base + 0x1000n;
  const w: HostileWorld = { ...world, dataBase };
  const a = new Assembler({ base });
  if (mode === 'hvm') a.asm('la t6, handler\ncsrw stvec, t6');
  else a.asm('la a0, handler\nla a1, handler\nli a2, 0\nli a7, 4\necall'); // set_callbacks(event, trap, 0)
  spec.regs.forEach((v, i) => a.li(`x${REGS[i]}`, resolve(v, w)));
  a.label('body');
  for (const x of spec.body) {
    if ('f' in x) a.emit(x.f);
    else if ('word' in x) a.word(x.word);
    else a.li('a7', BigInt(spec.calls[x.ecall % spec.calls.length])).asm('ecall');
  }
  a.asm('j body');
  a.label('handler');
  if (mode === 'hvm') a.asm('csrr t6, sepc\naddi t6, t6, 4\ncsrw sepc, t6\nsret');
  else a.asm('ld t6, 256(a0)\naddi t6, t6, 4\nsd t6, 256(a0)\nli a7, 23\necall');
  const code = a.assemble().bytes;
  if (code.length > 0x1000) throw new Error(`hostile code is ${code.length} bytes; the data block starts at +0x1000`);
  const out = new Uint8Array(0x2000);
  out.set(code);
  const dv = new DataView(out.buffer);
  spec.data.forEach((v, i) => dv.setBigUint64(0x1000 + i * 8, resolve(v, w), true));
  return out;
}
