// Assembler API for building guest programs in TypeScript (tests, conformance programs,
// the project's own tiny guests). Instructions are appended in order at known addresses;
// labels may be used before they are defined and are resolved by assemble(). No relaxation:
// every instruction has a fixed size when emitted, so a branch whose label ends up out of
// range is an error that says so (use `j`/`call` instead).
//
//   const a = new Assembler({ base: 0x80000000n });
//   a.li('a0', 0x1234_5678_9abc_def0n).label('loop').addi('a0', 'a0', -1).bnez('a0', 'loop').ret();
//   const { bytes, symbols } = a.assemble();
//
// Any instruction of opcodes.ts is also available by its objdump mnemonic through inst()
// (`a.inst('fadd.d', 'fa0', 'fa1', 'fa2', 'rne')`) and as text through asm() (asm-text.ts).
import { MNEMONIC, OP } from './opcodes.ts';
import { encode, encodeCompressed, EncodeError, type Fields } from './encode.ts';
import { xreg, type RegisterName } from './registers.ts';
import { csrNumber } from './csr-names.ts';
import { liSequence } from './asm-li.ts';
import { fieldsFor, opByMnemonic, type Operand } from './asm-operands.ts';
import { asm as assembleText } from './asm-text.ts';

export type { Operand } from './asm-operands.ts';
/** A register: ABI name ('a0', 'sp', 'ft0'), 'xN'/'fN', or number. */
export type Reg = RegisterName;
/** A code or data address: a label name, or an absolute address. */
export type Target = string | bigint;
/** A CSR: name as objdump prints it ('mstatus', 'satp') or number. */
export type Csr = string | number;

export interface AssemblerOptions {
  /** Address of the first byte (default 0x80000000, where QEMU virt RAM starts). */
  base?: bigint;
  /** Emit 16-bit RVC encodings where one exists (not for instructions with label operands). */
  compress?: boolean;
}

export interface Assembled {
  bytes: Uint8Array;
  /** Every label and its address. */
  symbols: Map<string, bigint>;
  base: bigint;
}

/** A program that cannot be assembled; says which instruction and why. */
export class AsmError extends Error {
  override name = 'AsmError';
}

interface Chunk {
  addr: bigint;
  size: number;
  source: string;
  /** Little-endian bytes, given label addresses. */
  build: (resolve: (t: Target) => bigint) => number[];
}

function le(value: bigint | number, size: number): number[] {
  let v = BigInt.asUintN(size * 8, BigInt(value));
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

export function csrOperand(csr: Csr): number {
  if (typeof csr === 'number') {
    if (Number.isInteger(csr) && csr >= 0 && csr < 4096) return csr;
    throw new AsmError(`CSR number ${csr} is out of range: use 0..0xfff`);
  }
  const n = csrNumber(csr);
  if (n === undefined) throw new AsmError(`unknown CSR "${csr}": use its name as objdump prints it (e.g. mstatus, satp) or its number`);
  return n;
}

export class Assembler {
  private readonly chunks: Chunk[] = [];
  private readonly labels = new Map<string, bigint>();
  private cursor: bigint;
  readonly base: bigint;
  private readonly compress: boolean;

  constructor(options: AssemblerOptions = {}) {
    this.base = options.base ?? 0x80000000n;
    this.cursor = this.base;
    this.compress = options.compress ?? false;
  }

  /** Address the next instruction or datum will have. */
  get pc(): bigint {
    return this.cursor;
  }

  private push(size: number, source: string, build: Chunk['build']): this {
    this.chunks.push({ addr: this.cursor, size, source, build });
    this.cursor += BigInt(size);
    return this;
  }

  /** Defines `name` at the current address. */
  label(name: string): this {
    if (!/^[A-Za-z_.$][\w.$]*$/.test(name)) throw new AsmError(`"${name}" is not a valid label name (letters, digits, _ . $; not starting with a digit)`);
    if (this.labels.has(name)) throw new AsmError(`label "${name}" is defined twice (first at 0x${this.labels.get(name)!.toString(16)})`);
    this.labels.set(name, this.cursor);
    return this;
  }

  /** Appends one instruction given as encoder fields; `source` names it in errors. */
  emit(f: Fields, source = describe(f)): this {
    const c = this.compress ? encodeCompressed(f) : undefined;
    if (c !== undefined) return this.push(2, source, () => le(c, 2));
    let word: number;
    try {
      word = encode(f);
    } catch (e) {
      if (e instanceof EncodeError) throw new AsmError(`${source} at 0x${this.cursor.toString(16)}: ${e.message}`);
      throw e;
    }
    return this.push(4, source, () => le(word, 4));
  }

  /** An instruction whose fields depend on a label's address; always 4 bytes per instruction. */
  private withTarget(source: string, target: Target, count: number, build: (pc: bigint, to: bigint) => Fields[]): this {
    const pc = this.cursor;
    if (typeof target === 'bigint' && count === 1) {
      // an absolute target is known now, so the instruction may be compressed like any other
      let f: Fields;
      try {
        f = build(pc, target)[0];
        encode(f);
      } catch (e) {
        if (e instanceof EncodeError) throw new AsmError(`${source} at 0x${pc.toString(16)}: target 0x${target.toString(16)} is out of range (${e.message})`);
        throw e;
      }
      return this.emit(f, source);
    }
    return this.push(4 * count, source, (resolve) => {
      const to = resolve(target);
      const out: number[] = [];
      try {
        for (const f of build(pc, to)) out.push(...le(encode(f), 4));
      } catch (e) {
        if (e instanceof EncodeError) {
          throw new AsmError(`${source} at 0x${pc.toString(16)}: target 0x${to.toString(16)} is out of range (${e.message}); use j/call for far targets`);
        }
        throw e;
      }
      return out;
    });
  }

  /** Any instruction by its objdump mnemonic, operands in the order objdump prints them. */
  inst(mnemonic: string, ...operands: Operand[]): this {
    const found = opByMnemonic(mnemonic);
    if (!found) throw new AsmError(`unknown instruction "${mnemonic}": use an objdump mnemonic such as "fadd.d" or "amoswap.w.aq"`);
    const source = `${mnemonic} ${operands.map(String).join(',')}`;
    try {
      if (/[pa]/.test(found.layout)) {
        // branch/jump: the last operand is the target label or address
        const target = operands[operands.length - 1] as Target;
        return this.withTarget(source, target, 1, (pc, to) => [fieldsFor(found, operands.slice(0, -1), to - pc)]);
      }
      return this.emit(fieldsFor(found, operands), source);
    } catch (e) {
      // operand, register and encoding errors all surface as AsmError naming the instruction
      if (e instanceof Error && ['AsmError', 'OperandError', 'RegisterError', 'EncodeError'].includes(e.name)) {
        throw new AsmError(e.message.startsWith(source) ? e.message : `${source}: ${e.message}`);
      }
      throw e;
    }
  }

  /** Appends assembly text (labels, instructions, pseudo-instructions, directives); see asm-text.ts. */
  asm(text: string): this {
    assembleText(this, text);
    return this;
  }

  // ---- data ---------------------------------------------------------------------------

  /** Raw bytes. */
  bytes(data: ArrayLike<number>): this {
    const copy = Array.from(data, (b) => b & 0xff);
    return this.push(copy.length, '.byte', () => copy);
  }
  byte(...values: number[]): this {
    return this.bytes(values);
  }
  half(...values: number[]): this {
    for (const v of values) this.push(2, '.half', () => le(v, 2));
    return this;
  }
  /** 32-bit words: numbers, or labels (their low 32 bits). */
  word(...values: (number | bigint | string)[]): this {
    for (const v of values) this.push(4, '.word', (resolve) => le(typeof v === 'string' ? resolve(v) : v, 4));
    return this;
  }
  /** 64-bit doublewords: numbers/bigints, or label addresses. */
  dword(...values: (number | bigint | string)[]): this {
    for (const v of values) this.push(8, '.dword', (resolve) => le(typeof v === 'string' ? resolve(v) : v, 8));
    return this;
  }
  /** ASCII text without a terminator (`.ascii`); asciz() adds the NUL. */
  string(text: string): this {
    return this.bytes(Array.from(text, (c) => c.charCodeAt(0)));
  }
  asciz(text: string): this {
    return this.string(text).byte(0);
  }
  /** `n` zero bytes. */
  space(n: number): this {
    return this.bytes(new Array<number>(n).fill(0));
  }
  /** Pads with zero bytes to a multiple of `n` (a power of two) bytes. */
  align(n: number): this {
    if (n <= 0 || (n & (n - 1)) !== 0) throw new AsmError(`align(${n}): alignment must be a power of two`);
    const pad = Number((BigInt(n) - (this.cursor % BigInt(n))) % BigInt(n));
    return pad ? this.space(pad) : this;
  }

  // ---- RV64I ----------------------------------------------------------------------------

  lui(rd: Reg, imm20: number): this {
    return this.emit({ op: OP.LUI, rd: xreg(rd), imm: (imm20 << 12) | 0 }, `lui ${rd},${imm20}`);
  }
  auipc(rd: Reg, imm20: number): this {
    return this.emit({ op: OP.AUIPC, rd: xreg(rd), imm: (imm20 << 12) | 0 }, `auipc ${rd},${imm20}`);
  }
  /** jal target (rd = ra) or jal rd, target. */
  jal(rdOrTarget: Reg | Target, target?: Target): this {
    const [rd, to] = target === undefined ? [1, rdOrTarget as Target] : [xreg(rdOrTarget as Reg), target];
    return this.withTarget(`jal ${String(to)}`, to, 1, (pc, t) => [{ op: OP.JAL, rd, imm: Number(t - pc) }]);
  }
  jalr(rd: Reg, rs1: Reg, imm = 0): this {
    return this.emit({ op: OP.JALR, rd: xreg(rd), rs1: xreg(rs1), imm });
  }
  private branch(op: number, rs1: Reg, rs2: Reg, target: Target): this {
    const name = describe({ op });
    return this.withTarget(`${name} ${rs1},${rs2},${String(target)}`, target, 1, (pc, t) => [{ op, rs1: xreg(rs1), rs2: xreg(rs2), imm: Number(t - pc) }]);
  }
  beq = (rs1: Reg, rs2: Reg, t: Target) => this.branch(OP.BEQ, rs1, rs2, t);
  bne = (rs1: Reg, rs2: Reg, t: Target) => this.branch(OP.BNE, rs1, rs2, t);
  blt = (rs1: Reg, rs2: Reg, t: Target) => this.branch(OP.BLT, rs1, rs2, t);
  bge = (rs1: Reg, rs2: Reg, t: Target) => this.branch(OP.BGE, rs1, rs2, t);
  bltu = (rs1: Reg, rs2: Reg, t: Target) => this.branch(OP.BLTU, rs1, rs2, t);
  bgeu = (rs1: Reg, rs2: Reg, t: Target) => this.branch(OP.BGEU, rs1, rs2, t);

  private i(op: number, rd: Reg, rs1: Reg, imm: number): this {
    return this.emit({ op, rd: xreg(rd), rs1: xreg(rs1), imm });
  }
  private r(op: number, rd: Reg, rs1: Reg, rs2: Reg): this {
    return this.emit({ op, rd: xreg(rd), rs1: xreg(rs1), rs2: xreg(rs2) });
  }
  private s(op: number, rs2: Reg, imm: number, rs1: Reg): this {
    return this.emit({ op, rs1: xreg(rs1), rs2: xreg(rs2), imm });
  }
  // loads: `ld(rd, offset, base)` is `ld rd, offset(base)`
  lb = (rd: Reg, off: number, base: Reg) => this.i(OP.LB, rd, base, off);
  lh = (rd: Reg, off: number, base: Reg) => this.i(OP.LH, rd, base, off);
  lw = (rd: Reg, off: number, base: Reg) => this.i(OP.LW, rd, base, off);
  ld = (rd: Reg, off: number, base: Reg) => this.i(OP.LD, rd, base, off);
  lbu = (rd: Reg, off: number, base: Reg) => this.i(OP.LBU, rd, base, off);
  lhu = (rd: Reg, off: number, base: Reg) => this.i(OP.LHU, rd, base, off);
  lwu = (rd: Reg, off: number, base: Reg) => this.i(OP.LWU, rd, base, off);
  // stores: `sd(rs2, offset, base)` is `sd rs2, offset(base)`
  sb = (rs2: Reg, off: number, base: Reg) => this.s(OP.SB, rs2, off, base);
  sh = (rs2: Reg, off: number, base: Reg) => this.s(OP.SH, rs2, off, base);
  sw = (rs2: Reg, off: number, base: Reg) => this.s(OP.SW, rs2, off, base);
  sd = (rs2: Reg, off: number, base: Reg) => this.s(OP.SD, rs2, off, base);
  addi = (rd: Reg, rs1: Reg, imm: number) => this.i(OP.ADDI, rd, rs1, imm);
  slti = (rd: Reg, rs1: Reg, imm: number) => this.i(OP.SLTI, rd, rs1, imm);
  sltiu = (rd: Reg, rs1: Reg, imm: number) => this.i(OP.SLTIU, rd, rs1, imm);
  xori = (rd: Reg, rs1: Reg, imm: number) => this.i(OP.XORI, rd, rs1, imm);
  ori = (rd: Reg, rs1: Reg, imm: number) => this.i(OP.ORI, rd, rs1, imm);
  andi = (rd: Reg, rs1: Reg, imm: number) => this.i(OP.ANDI, rd, rs1, imm);
  slli = (rd: Reg, rs1: Reg, sh: number) => this.i(OP.SLLI, rd, rs1, sh);
  srli = (rd: Reg, rs1: Reg, sh: number) => this.i(OP.SRLI, rd, rs1, sh);
  srai = (rd: Reg, rs1: Reg, sh: number) => this.i(OP.SRAI, rd, rs1, sh);
  addiw = (rd: Reg, rs1: Reg, imm: number) => this.i(OP.ADDIW, rd, rs1, imm);
  slliw = (rd: Reg, rs1: Reg, sh: number) => this.i(OP.SLLIW, rd, rs1, sh);
  srliw = (rd: Reg, rs1: Reg, sh: number) => this.i(OP.SRLIW, rd, rs1, sh);
  sraiw = (rd: Reg, rs1: Reg, sh: number) => this.i(OP.SRAIW, rd, rs1, sh);
  add = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.ADD, rd, rs1, rs2);
  sub = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SUB, rd, rs1, rs2);
  sll = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SLL, rd, rs1, rs2);
  slt = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SLT, rd, rs1, rs2);
  sltu = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SLTU, rd, rs1, rs2);
  xor = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.XOR, rd, rs1, rs2);
  srl = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SRL, rd, rs1, rs2);
  sra = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SRA, rd, rs1, rs2);
  or = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.OR, rd, rs1, rs2);
  and = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.AND, rd, rs1, rs2);
  addw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.ADDW, rd, rs1, rs2);
  subw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SUBW, rd, rs1, rs2);
  sllw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SLLW, rd, rs1, rs2);
  srlw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SRLW, rd, rs1, rs2);
  sraw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.SRAW, rd, rs1, rs2);
  // M extension
  mul = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.MUL, rd, rs1, rs2);
  mulh = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.MULH, rd, rs1, rs2);
  mulhsu = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.MULHSU, rd, rs1, rs2);
  mulhu = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.MULHU, rd, rs1, rs2);
  div = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.DIV, rd, rs1, rs2);
  divu = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.DIVU, rd, rs1, rs2);
  rem = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.REM, rd, rs1, rs2);
  remu = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.REMU, rd, rs1, rs2);
  mulw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.MULW, rd, rs1, rs2);
  divw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.DIVW, rd, rs1, rs2);
  divuw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.DIVUW, rd, rs1, rs2);
  remw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.REMW, rd, rs1, rs2);
  remuw = (rd: Reg, rs1: Reg, rs2: Reg) => this.r(OP.REMUW, rd, rs1, rs2);
  // system
  /** fence pred, succ (sets of 'i','o','r','w'); fence() is `fence iorw,iorw`. */
  fence(pred = 'iorw', succ = 'iorw'): this {
    return this.inst('fence', pred, succ);
  }
  fenceI = () => this.emit({ op: OP.FENCE_I });
  fenceTso = () => this.emit({ op: OP.FENCE_TSO });
  ecall = () => this.emit({ op: OP.ECALL });
  ebreak = () => this.emit({ op: OP.EBREAK });
  sret = () => this.emit({ op: OP.SRET });
  mret = () => this.emit({ op: OP.MRET });
  wfi = () => this.emit({ op: OP.WFI });
  sfenceVma = (rs1: Reg = 0, rs2: Reg = 0) => this.emit({ op: OP.SFENCE_VMA, rs1: xreg(rs1), rs2: xreg(rs2) });
  hfenceVvma = (rs1: Reg = 0, rs2: Reg = 0) => this.emit({ op: OP.HFENCE_VVMA, rs1: xreg(rs1), rs2: xreg(rs2) });
  hfenceGvma = (rs1: Reg = 0, rs2: Reg = 0) => this.emit({ op: OP.HFENCE_GVMA, rs1: xreg(rs1), rs2: xreg(rs2) });
  private csr(op: number, rd: Reg, csr: Csr, rs1OrImm: number): this {
    return this.emit({ op, rd: xreg(rd), rs1: rs1OrImm, imm: csrOperand(csr) });
  }
  csrrw = (rd: Reg, csr: Csr, rs1: Reg) => this.csr(OP.CSRRW, rd, csr, xreg(rs1));
  csrrs = (rd: Reg, csr: Csr, rs1: Reg) => this.csr(OP.CSRRS, rd, csr, xreg(rs1));
  csrrc = (rd: Reg, csr: Csr, rs1: Reg) => this.csr(OP.CSRRC, rd, csr, xreg(rs1));
  csrrwi = (rd: Reg, csr: Csr, uimm: number) => this.csr(OP.CSRRWI, rd, csr, uimm);
  csrrsi = (rd: Reg, csr: Csr, uimm: number) => this.csr(OP.CSRRSI, rd, csr, uimm);
  csrrci = (rd: Reg, csr: Csr, uimm: number) => this.csr(OP.CSRRCI, rd, csr, uimm);

  // ---- pseudo-instructions (RISC-V assembly manual, "Pseudoinstructions") ---------------

  nop = () => this.addi(0, 0, 0);
  /** Loads any 64-bit constant (1 to 8 instructions). */
  li(rd: Reg, value: number | bigint): this {
    for (const f of liSequence(xreg(rd), BigInt(value))) this.emit(f, `li ${rd},${value}`);
    return this;
  }
  /** rd = address of `target` (auipc + addi, PC-relative, ±2 GiB). */
  la(rd: Reg, target: Target): this {
    const r = xreg(rd);
    return this.withTarget(`la ${rd},${String(target)}`, target, 2, (pc, to) => {
      const [hi, lo] = pcrel(to - pc);
      return [
        { op: OP.AUIPC, rd: r, imm: hi },
        { op: OP.ADDI, rd: r, rs1: r, imm: lo },
      ];
    });
  }
  lla = (rd: Reg, target: Target) => this.la(rd, target);
  /** call target: auipc ra + jalr ra (any target within ±2 GiB). */
  call(target: Target): this {
    return this.farJump(`call ${String(target)}`, target, 1, 1);
  }
  /** tail target: auipc t1 + jr (a call that does not return here). */
  tail(target: Target): this {
    return this.farJump(`tail ${String(target)}`, target, 6, 0);
  }
  private farJump(source: string, target: Target, tmp: number, rd: number): this {
    return this.withTarget(source, target, 2, (pc, to) => {
      const [hi, lo] = pcrel(to - pc);
      return [
        { op: OP.AUIPC, rd: tmp, imm: hi },
        { op: OP.JALR, rd, rs1: tmp, imm: lo },
      ];
    });
  }
  j = (target: Target) => this.jal(0, target);
  jr = (rs: Reg) => this.jalr(0, rs, 0);
  ret = () => this.jalr(0, 'ra', 0);
  /** mv rd, rs: addi rd, rs, 0, or add rd, zero, rs when compressing (that is what C.MV expands to). */
  mv = (rd: Reg, rs: Reg) => (this.compress && xreg(rd) !== 0 && xreg(rs) !== 0 ? this.add(rd, 0, rs) : this.addi(rd, rs, 0));
  not = (rd: Reg, rs: Reg) => this.xori(rd, rs, -1);
  neg = (rd: Reg, rs: Reg) => this.sub(rd, 0, rs);
  negw = (rd: Reg, rs: Reg) => this.subw(rd, 0, rs);
  sextW = (rd: Reg, rs: Reg) => this.addiw(rd, rs, 0);
  zextB = (rd: Reg, rs: Reg) => this.andi(rd, rs, 255);
  seqz = (rd: Reg, rs: Reg) => this.sltiu(rd, rs, 1);
  snez = (rd: Reg, rs: Reg) => this.sltu(rd, 0, rs);
  sltz = (rd: Reg, rs: Reg) => this.slt(rd, rs, 0);
  sgtz = (rd: Reg, rs: Reg) => this.slt(rd, 0, rs);
  beqz = (rs: Reg, t: Target) => this.beq(rs, 0, t);
  bnez = (rs: Reg, t: Target) => this.bne(rs, 0, t);
  blez = (rs: Reg, t: Target) => this.bge(0, rs, t);
  bgez = (rs: Reg, t: Target) => this.bge(rs, 0, t);
  bltz = (rs: Reg, t: Target) => this.blt(rs, 0, t);
  bgtz = (rs: Reg, t: Target) => this.blt(0, rs, t);
  bgt = (rs: Reg, rt: Reg, t: Target) => this.blt(rt, rs, t);
  ble = (rs: Reg, rt: Reg, t: Target) => this.bge(rt, rs, t);
  bgtu = (rs: Reg, rt: Reg, t: Target) => this.bltu(rt, rs, t);
  bleu = (rs: Reg, rt: Reg, t: Target) => this.bgeu(rt, rs, t);
  csrr = (rd: Reg, csr: Csr) => this.csrrs(rd, csr, 0);
  csrw = (csr: Csr, rs: Reg) => this.csrrw(0, csr, rs);
  csrs = (csr: Csr, rs: Reg) => this.csrrs(0, csr, rs);
  csrc = (csr: Csr, rs: Reg) => this.csrrc(0, csr, rs);
  csrwi = (csr: Csr, uimm: number) => this.csrrwi(0, csr, uimm);
  csrsi = (csr: Csr, uimm: number) => this.csrrsi(0, csr, uimm);
  csrci = (csr: Csr, uimm: number) => this.csrrci(0, csr, uimm);
  rdcycle = (rd: Reg) => this.csrr(rd, 'cycle');
  rdtime = (rd: Reg) => this.csrr(rd, 'time');
  rdinstret = (rd: Reg) => this.csrr(rd, 'instret');
  frcsr = (rd: Reg) => this.csrr(rd, 'fcsr');
  fscsr = (rs: Reg) => this.csrw('fcsr', rs);
  frrm = (rd: Reg) => this.csrr(rd, 'frm');
  fsrm = (rs: Reg) => this.csrw('frm', rs);
  frflags = (rd: Reg) => this.csrr(rd, 'fflags');
  fsflags = (rs: Reg) => this.csrw('fflags', rs);
  /** The canonical illegal instruction `unimp` (csrrw x0, cycle, x0). */
  unimp = () => this.csrrw(0, 'cycle', 0);

  /** Resolves every label and returns the image and symbol table. */
  assemble(): Assembled {
    const size = Number(this.cursor - this.base);
    const bytes = new Uint8Array(size);
    const resolve = (t: Target): bigint => {
      if (typeof t === 'bigint') return t;
      const v = this.labels.get(t);
      if (v === undefined) throw new AsmError(`label "${t}" is used but never defined`);
      return v;
    };
    for (const c of this.chunks) {
      let out: number[];
      try {
        out = c.build(resolve);
      } catch (e) {
        if (e instanceof AsmError && !e.message.includes(' at 0x')) throw new AsmError(`${c.source} at 0x${c.addr.toString(16)}: ${e.message}`);
        throw e;
      }
      bytes.set(out, Number(c.addr - this.base));
    }
    return { bytes, symbols: new Map(this.labels), base: this.base };
  }
}

/** %pcrel_hi / %pcrel_lo split of a PC-relative offset (psABI "R_RISCV_PCREL_HI20"). */
function pcrel(delta: bigint): [number, number] {
  if (delta < -(2n ** 31n) - 0x800n || delta >= 2n ** 31n - 0x800n) throw new EncodeError(`offset ${delta} is beyond ±2 GiB`);
  const hi = (delta + 0x800n) >> 12n;
  const lo = delta - (hi << 12n);
  return [Number(BigInt.asIntN(32, hi << 12n)), Number(lo)];
}

function describe(f: Fields): string {
  return MNEMONIC[f.op] ?? `op${f.op}`;
}
