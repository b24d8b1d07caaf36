// Disassembler whose text matches GNU objdump 2.40 (`riscv64-unknown-elf-objdump -d`):
// same mnemonics and pseudo-instructions (disasm-forms.ts), ABI register names, CSR names
// for the file's privileged-spec version, branch targets as absolute addresses with
// `<symbol+0xoff>`, and objdump's `# address` comments that resolve auipc/lui + addi/load/
// store/jalr pairs. Those comments need state across instructions (which register holds
// which upper address), so a listing uses one Disassembler for the whole file, in order.
import type { Decoded } from './decode.ts';
import { OP } from './opcodes.ts';
import { F_NAMES, X_NAMES } from './registers.ts';
import { csrText, DEFAULT_PRIV_SPEC, type PrivSpec } from './csr-names.ts';
import { formOf } from './disasm-forms.ts';
import { CHRONOVISOR_ISA, parseIsa } from './isa-string.ts';

/** Symbolic name for an address, as objdump shows it inside `<...>`: `main`, `main+0x10`. */
export type SymbolLookup = (addr: bigint) => string | undefined;

export interface DisasmOptions {
  /**
   * Names for addresses. Without it, addresses print as `0x80000010` (objdump on a file
   * with no symbols); with it, as `80000010 <main+0x10>`, or bare hex when it returns undefined.
   */
  symbols?: SymbolLookup;
  /**
   * ISA string of the code (an ELF's Tag_RISCV_arch): like objdump, instructions of
   * extensions it lacks print as `.2byte`/`.4byte`. Default 'rv64gch', all the hart runs.
   */
  isa?: string;
  /** Privileged-spec version that decides CSR names (the ELF's Tag_RISCV_priv_spec). */
  privSpec?: PrivSpec;
  /** Value of `__global_pointer$`, so gp-relative accesses get an address comment. */
  gp?: bigint;
}

const MASK64 = (1n << 64n) - 1n;
const ROUNDING = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'unknown', 'unknown', 'dyn'];
// FENCE predecessor/successor sets, bits i o r w (unprivileged spec, "Memory Ordering Instructions")
const FENCE_SET = ['unknown', 'w', 'r', 'rw', 'o', 'ow', 'or', 'orw', 'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw'];
const X_GP = 3;
const X_TP = 4;

/** Stateful objdump-compatible disassembler; feed it instructions in address order. */
export class Disassembler {
  /** Upper address a preceding lui/auipc left in each register, until a use consumes it. */
  private readonly hi: (bigint | undefined)[] = new Array<bigint | undefined>(32).fill(undefined);
  private comment: bigint | undefined;
  private readonly extensions: ReadonlySet<string>;
  private readonly privSpec: PrivSpec;

  constructor(private readonly options: DisasmOptions = {}) {
    this.extensions = parseIsa(options.isa ?? CHRONOVISOR_ISA);
    this.privSpec = options.privSpec ?? DEFAULT_PRIV_SPEC;
  }

  /** `mnemonic\toperands` (plus ` # address` when objdump adds one) for `d` at `pc`. */
  format(d: Decoded, pc: bigint): string {
    const form = formOf(d, { has: (ext) => this.extensions.has(ext) });
    if (!form) return undecodable(d);
    this.comment = undefined;
    let text = form.mnemonic;
    if (form.operands) text += '\t' + (form.literal ? form.operands : this.operands(form.operands, d, pc));
    if (this.comment !== undefined) text += ' # ' + this.address(this.comment);
    return text;
  }

  /** An address operand as objdump prints it (see DisasmOptions.symbols). */
  address(addr: bigint): string {
    const a = addr & MASK64;
    const hex = a.toString(16);
    if (!this.options.symbols) return '0x' + hex;
    const sym = this.options.symbols(a);
    return sym === undefined ? hex : `${hex} <${sym}>`;
  }

  /** Records the address a base register + offset refers to, when objdump can tell. */
  private hint(base: number, offset: number, wide: boolean): void {
    const hi = this.hi[base];
    let addr: bigint;
    if (hi !== undefined) {
      addr = (base !== 0 ? hi : 0n) + BigInt(offset);
      this.hi[base] = undefined;
    } else if (base === X_GP && this.options.gp !== undefined) {
      addr = this.options.gp + BigInt(offset);
    } else if (base === X_TP || base === 0) {
      addr = BigInt(offset);
    } else {
      return;
    }
    addr &= MASK64;
    if (wide) addr = BigInt.asUintN(64, BigInt.asIntN(32, addr));
    this.comment = addr;
  }

  private operands(layout: string, d: Decoded, pc: bigint): string {
    let out = '';
    const full = d.len === 4;
    for (let i = 0; i < layout.length; i++) {
      const c = layout[i];
      switch (c) {
        case 'd':
          if (d.op === OP.LUI) this.hi[d.rd] = BigInt(d.imm) & MASK64;
          else if (d.op === OP.AUIPC) this.hi[d.rd] = (pc + BigInt(d.imm)) & MASK64;
          out += X_NAMES[d.rd];
          break;
        case 's':
          if (full && d.op === OP.JALR) this.hint(d.rs1, d.imm, false);
          out += X_NAMES[d.rs1];
          break;
        case 't':
          out += X_NAMES[d.rs2];
          break;
        case 'D':
          out += F_NAMES[d.rd];
          break;
        case 'S':
        case 'U':
          out += F_NAMES[d.rs1];
          break;
        case 'T':
          out += F_NAMES[d.rs2];
          break;
        case 'R':
          out += F_NAMES[d.rs3];
          break;
        case 'j':
          this.immediateHint(d);
          out += d.imm;
          break;
        case 'o':
          if (full) {
            this.hint(d.rs1, d.imm, false);
            if (d.op === OP.JALR) this.hint(d.rs1, d.imm, false);
          }
          out += d.imm;
          break;
        case 'q':
          if (full) this.hint(d.rs1, d.imm, false);
          out += d.imm;
          break;
        case 'u':
          out += '0x' + ((d.imm >>> 12) & 0xfffff).toString(16);
          break;
        case '>':
        case '<':
          out += '0x' + d.imm.toString(16);
          break;
        case 'E':
          out += csrText(d.imm, this.privSpec);
          break;
        case 'Z':
          out += d.rs1;
          break;
        case 'm':
          out += ROUNDING[d.rm];
          break;
        case 'P':
          out += FENCE_SET[d.rm >>> 4];
          break;
        case 'Q':
          out += FENCE_SET[d.rm & 15];
          break;
        case 'p':
        case 'a':
          out += this.address(pc + BigInt(d.imm));
          break;
        case '0':
          if (i === layout.length - 1) out += '0';
          break;
        default:
          out += c;
      }
    }
    return out;
  }

  /** addi/addiw after lui/auipc complete an address (c.addi/c.addiw use rd as the base). */
  private immediateHint(d: Decoded): void {
    if (d.len === 4) {
      if (d.op === OP.ADDI && d.rs1 !== 0) this.hint(d.rs1, d.imm, false);
      else if (d.op === OP.ADDIW && d.rs1 !== 0) this.hint(d.rs1, d.imm, true);
      return;
    }
    const kind = d.raw & 0xe003;
    if (kind === 0x0001 && d.rd !== 0) this.hint(d.rd, d.imm, false); // C.ADDI
    else if (kind === 0x2001 && d.rd !== 0) this.hint(d.rd, d.imm, true); // C.ADDIW
  }
}

/** objdump's text for a word it cannot decode: `.2byte 0x…` or `.4byte 0x…`. */
function undecodable(d: Decoded): string {
  return `.${d.len}byte\t0x${(d.raw >>> 0).toString(16)}`;
}

/**
 * Disassembles one instruction on its own (no auipc/lui pairing with earlier instructions),
 * e.g. for the debugger: `disassemble(decode(0x00050433), 0x80000000n)` is `add\ts0,a0,zero`.
 */
export function disassemble(d: Decoded, pc: bigint, symbols?: SymbolLookup): string {
  return new Disassembler({ symbols }).format(d, pc);
}

/**
 * Length in bytes of the instruction whose first 16 bits are `lo16` (unprivileged spec,
 * "Expanded Instruction-Length Encoding"); objdump treats reserved ≥192-bit forms as 2 bytes.
 */
export function instructionLength(lo16: number): number {
  if ((lo16 & 0x3) !== 0x3) return 2;
  if ((lo16 & 0x1f) !== 0x1f) return 4;
  if ((lo16 & 0x3f) === 0x1f) return 6;
  if ((lo16 & 0x7f) === 0x3f) return 8;
  if ((lo16 & 0x7000) !== 0x7000) return 10 + ((lo16 >>> 11) & 0xe);
  return 2;
}
