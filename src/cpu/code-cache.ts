// Decode once, execute many: decoded instructions cached per 4 KiB physical page of the
// backing store, shared by every hart. A store to a page holding decoded code clears the
// page in place (so a hart currently executing from it re-decodes the next instruction),
// which makes self-modifying code and FENCE.I behave as on QEMU.
import { decodeInto, emptyDecoded, type Decoded } from '../isa/decode.ts';
import { OP } from '../isa/opcodes.ts';
import { PAGE_CODE } from './memory-port.ts';
import type { JitOptions } from './jit/config.ts';
import { createJit, type Jit, type RegionFn } from './jit/jit.ts';
import type { ExecBreaks } from './exec-breaks.ts';

/** Slot 2048 holds an instruction that straddles the end of the page (decoded per execution). */
export const STRADDLE_SLOT = 2048;
const SLOTS = 2049;

/** Index of the integer write sink: rd = x0 is redirected here so x0 always reads zero. */
export const SINK = 64;

/** Ops whose rd is an integer register (so rd = 0 must go to the sink). */
const INT_RD = new Uint8Array(256);
/** Ops whose rs1 / rs2 are integer registers (stored pre-doubled). Others keep plain FP numbers. */
const FP_RS1 = new Uint8Array(256);
const FP_RS2 = new Uint8Array(256);
const FP_RD = new Uint8Array(256);
(() => {
  for (const [name, id] of Object.entries(OP)) {
    const isFp = name.startsWith('F') && !name.startsWith('FENCE');
    if (!isFp) {
      INT_RD[id] = 1;
      continue;
    }
    // FP ops: which operands are FP registers (unprivileged spec, F/D chapters)
    const toInt = /^(FCVT_(W|WU|L|LU)_[SD]|FMV_X_[WD]|FEQ|FLT|FLE|FCLASS)/.test(name);
    const fromInt = /^(FCVT_[SD]_(W|WU|L|LU)$|FMV_[WD]_X)/.test(name);
    const mem = /^(FLW|FLD|FSW|FSD)$/.test(name);
    INT_RD[id] = toInt ? 1 : 0;
    FP_RD[id] = toInt || name === 'FSW' || name === 'FSD' ? 0 : 1;
    FP_RS1[id] = fromInt || mem ? 0 : 1;
    FP_RS2[id] = mem ? (name === 'FSW' || name === 'FSD' ? 1 : 0) : 1;
  }
})();

export class DecodedPage {
  readonly op = new Uint16Array(SLOTS);
  /** Destination: integer rd pre-doubled (x0 -> SINK), or the plain FP register number. */
  readonly rd = new Uint8Array(SLOTS);
  /** Integer sources pre-doubled; FP sources plain. */
  readonly rs1 = new Uint8Array(SLOTS);
  readonly rs2 = new Uint8Array(SLOTS);
  readonly imm = new Int32Array(SLOTS);
  /** rs3 | rm << 8 (FP), AMO aq/rl in rm. */
  readonly aux = new Uint16Array(SLOTS);
  readonly len = new Uint8Array(SLOTS);
  readonly raw = new Int32Array(SLOTS);
  /** Number of decoded slots, so clearing an untouched page costs nothing. */
  used = 0;
  /** Slots armed as debugger breakpoints (exec-breaks.ts), kept undecoded; null when none. Survives clear(). */
  brk: Uint8Array | null = null;

  // ---- compiled code (src/cpu/jit): dies with the decoded slots it was made from
  /** Executions of each block head seen by the interpreter (hotness, deterministic). */
  readonly heat = new Uint16Array(SLOTS - 1);
  /** Instruction count of the compiled block starting at each slot (0 = none). */
  readonly entry = new Uint8Array(SLOTS - 1);
  /** Which of `regions` runs the block starting at each slot (valid where entry is not 0). */
  readonly regionOf = new Uint8Array(SLOTS - 1);
  /** Compiled regions of this page (jit/region.ts), oldest first. */
  regions: RegionFn[] = [];
  /** Heat a head needs before it is compiled; grows each time compiled code is thrown away. */
  hot = 0xffff;
  /** Factor `hot` grows by (jit/config.ts invalidationBackoff). */
  backoff = 2;

  /** `overwritten`: the guest stored to the page (rather than a reset or restore replacing it). */
  clear(overwritten = true): void {
    if (this.used === 0) return;
    this.op.fill(0);
    this.used = 0;
    this.heat.fill(0);
    if (this.regions.length !== 0) {
      this.dropRegions();
      // code that keeps being overwritten (data next to code, loaders) is not worth compiling
      if (overwritten) this.hot = Math.min(this.hot * this.backoff, 0xffff);
    }
  }

  /** Forgets the compiled code (the decoded slots stay). */
  dropRegions(): void {
    this.regions = [];
    this.entry.fill(0);
  }
}

const scratch: Decoded = emptyDecoded();

/** Decodes `word` into slot `i` of `page`. Returns the op id (ILLEGAL = 0 is stored as 0xffff). */
export function fillSlot(page: DecodedPage, i: number, word: number): number {
  const d = decodeInto(word, scratch);
  const op = d.op;
  page.rd[i] = INT_RD[op] ? (d.rd === 0 ? SINK : d.rd << 1) : d.rd;
  page.rs1[i] = FP_RS1[op] ? d.rs1 : d.rs1 << 1;
  page.rs2[i] = FP_RS2[op] ? d.rs2 : d.rs2 << 1;
  page.imm[i] = d.imm;
  page.aux[i] = d.rs3 | (d.rm << 8);
  page.len[i] = d.len;
  page.raw[i] = d.raw | 0;
  // 0 means "not decoded", so the illegal op gets a distinct marker
  const stored = op === OP.ILLEGAL ? ILLEGAL_MARK : op;
  page.op[i] = stored;
  page.used++;
  return stored;
}

/** Op id stored for undecodable words (0 is reserved for "not yet decoded"). */
export const ILLEGAL_MARK = 0xffff;

export class CodeCache {
  private readonly pages: (DecodedPage | undefined)[] = [];
  /** Compiler for hot blocks; null runs everything in the interpreter (CHRONOVISOR_JIT=0). */
  readonly jit: Jit | null;
  /** Debugger breakpoints being armed while the debugger runs at full speed (exec-breaks.ts); null otherwise. */
  breaks: ExecBreaks | null = null;

  /** `jit`: true/false (or options) forces the compiler on/off; omitted, the environment decides (jit/config.ts). */
  constructor(
    private readonly pageFlags: Uint8Array,
    jit?: boolean | Partial<JitOptions>,
  ) {
    this.jit = createJit(jit);
  }

  /** The decoded page for backing-store page `page`, created on first use. */
  page(page: number): DecodedPage {
    let p = this.pages[page];
    if (!p) {
      p = new DecodedPage();
      if (this.jit !== null) {
        p.hot = this.jit.options.threshold;
        p.backoff = this.jit.options.invalidationBackoff;
      }
      this.pages[page] = p;
    }
    this.pageFlags[page] |= PAGE_CODE;
    return p;
  }

  /**
   * A store hit a page with decoded code. `overwritten` false: the page was replaced as a
   * whole (reset, checkpoint restore), which must not make its code look self-modifying.
   */
  invalidate(page: number, overwritten = true): void {
    this.pages[page]?.clear(overwritten);
    this.pageFlags[page] &= ~PAGE_CODE;
  }

  /** Drops every decoded instruction (FENCE.I is a no-op because stores already invalidate; restore uses this). */
  invalidateAll(): void {
    for (let i = 0; i < this.pages.length; i++) {
      if (this.pages[i]) this.invalidate(i, false);
    }
  }
}

/** Whether an op's rd field names an FP register (exported for the FP glue). */
export function opWritesFpRd(op: number): boolean {
  return FP_RD[op] === 1;
}
