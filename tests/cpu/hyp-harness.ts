// Test programs for the H extension: an M-mode driver that enters HS/U/VS/VU fragments and
// logs every trap, plus builders for G-stage (Sv39x4) and VS-stage (Sv39) page tables. The
// same image runs on our hart (runOnHart) and on QEMU 7.2 (tests/oracle/hyp-qemu.ts), so the
// two logs can be compared word for word.
//
// Conventions inside programs: s11 is the log pointer, s10 the M-mode continuation after a
// fragment ends, t5/t6 belong to the trap handlers. Everything is assembled without RVC so
// a handler can skip a faulting instruction with epc += 4.
//
// Log format: a stream of dwords, each entry starting with a tag:
//   TAG_M  cause tval mtval2 mtinst mepc mstatus          (trap taken in M-mode)
//   TAG_HS cause tval htval  htinst sepc hstatus          (trap taken in HS-mode)
//   TAG_VS cause tval 0      0      sepc sstatus(=vsstatus) (trap taken in VS-mode)
//   TAG_VAL value                                          (a value the program logged)
// Traps with a cause in CONTINUE_CAUSES (ecalls, fetch faults) end the fragment: the M
// handler resumes the driver at s10; the HS and VS handlers ecall to get there.
import { Assembler } from '../../src/isa/asm.ts';
import { CodeCache } from '../../src/cpu/code-cache.ts';
import { Hart, STOP_STUCK } from '../../src/cpu/hart.ts';
import { runSlice } from '../../src/cpu/interp.ts';
import { enterTrap, pendingInterrupt, wfiWakes } from '../../src/cpu/trap.ts';
import { attachFpu } from '../../src/machine/fpu-attach.ts';
import { PhysicalMemory } from '../../src/machine/phys-mem.ts';
import { VirtualClock } from '../../src/machine/vtime.ts';
import { parseLog, TAG_HS, TAG_M, TAG_VAL, TAG_VS, type LogEntry } from './hyp-log.ts';

export { brief, formatEntry, parseLog, TAG_HS, TAG_M, TAG_VAL, TAG_VS, type LogEntry } from './hyp-log.ts';

export const RAM = 0x8000_0000n;
export const RAM_BYTES = 16 * 1024 * 1024;
export const LOG = 0x8008_0000n;
/** G-stage root: 16 KiB, 16 KiB-aligned (spec 9.5.1). */
export const GROOT = 0x8010_0000n;
const TABLES = 0x8010_4000n;
const TABLES_END = 0x8020_0000n;
/** Pages tests may map and touch (0x80200000..0x80400000). */
export const DATA = 0x8020_0000n;
export const IMAGE_BYTES = 0x40_0000;
/** VU fragments run at this alias of the code (VS-stage maps it with U=1, see identityVs). */
export const VU_ALIAS = 0x4000_0000n;
/** hart 0's mtimecmp in QEMU virt's CLINT. */
const CLINT_MTIMECMP = 0x200_4000n;


// PTE bits (spec 4.3.1)
export const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n;
export const RWX = R | W | X;

export type Mode = 'M' | 'HS' | 'U' | 'VS' | 'VU';

const CONTINUE_CAUSES = [1, 8, 9, 10, 11, 12, 20];

const MODE_BITS: Record<Mode, { mpp: number; mpv: number }> = {
  M: { mpp: 3, mpv: 0 },
  HS: { mpp: 1, mpv: 0 },
  U: { mpp: 0, mpv: 0 },
  VS: { mpp: 1, mpv: 1 },
  VU: { mpp: 0, mpv: 1 },
};

function handler(name: string, tag: bigint, csrs: string[], epc: string, ret: string, toDriver: string): string {
  const saves = csrs.map((c, i) => (c === '0' ? `sd zero, ${8 * (i + 1)}(s11)` : `csrr t6, ${c}\n sd t6, ${8 * (i + 1)}(s11)`));
  const isContinue = CONTINUE_CAUSES.map((c) => `li t5, ${c}\n beq t6, t5, ${name}_cont`).join('\n');
  return `
  .align 2
${name}:
  li t6, ${tag}
  sd t6, 0(s11)
  ${saves.join('\n  ')}
  addi s11, s11, ${8 * (csrs.length + 1)}
  csrr t6, ${csrs[0]}
  bltz t6, ${name}_irq
  ${isContinue}
  csrr t6, ${epc}
  addi t6, t6, 4
  csrw ${epc}, t6
  ${ret}
${name}_irq:
  // an interrupt: mask its source in the enable register, then return to the same place
  li t5, 1
  sll t5, t5, t6
  ${name === 'vstrap' ? 'csrc sie, t5' : name === 'strap' ? 'csrc sie, t5\n  csrc hie, t5' : 'csrc mie, t5'}
  ${ret}
${name}_cont:
  ${toDriver}
`;
}

/** One assembled test image and where things are in it. */
export interface BuiltProgram {
  image: Uint8Array;
  done: bigint;
  symbols: Map<string, bigint>;
}

export class HypProgram {
  readonly a = new Assembler({ base: RAM });
  private readonly patches = new Map<bigint, bigint>();
  private nextTable = TABLES;
  private vsRoot: bigint | null = null;
  private fragments = 0;
  private built: BuiltProgram | null = null;
  private readonly leaves = new Map<string, bigint>();

  constructor() {
    this.a.asm(`
_start:
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
  la t0, vstrap
  csrw vstvec, t0
  li s11, ${LOG}
  // QEMU 7.2 sets mideleg's read-only-one VS bits only when mideleg is first written
  csrw mideleg, zero
  // QEMU's CLINT raises MTIP at reset (mtimecmp = 0): push the deadline away so mip
  // compares equal (runOnHart maps a write-only stand-in at the same address)
  li t0, ${CLINT_MTIMECMP}
  li t1, -1
  sd t1, 0(t0)
  // PMP: one NAPOT entry granting everything, so S/U accesses are not refused (QEMU)
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  j main
${handler('mtrap', TAG_M, ['mcause', 'mtval', 'mtval2', 'mtinst', 'mepc', 'mstatus'], 'mepc', 'mret', `
  csrw mepc, s10
  li t5, 0x1800
  csrs mstatus, t5
  li t5, 0x8000000000
  csrc mstatus, t5
  mret`)}
${handler('strap', TAG_HS, ['scause', 'stval', 'htval', 'htinst', 'sepc', 'hstatus'], 'sepc', 'sret', 'ecall')}
${handler('vstrap', TAG_VS, ['scause', 'stval', '0', '0', 'sepc', 'sstatus'], 'sepc', 'sret', 'ecall')}
  .align 2
main:
`);
  }

  /** M-mode code. */
  m(text: string): this {
    this.a.asm(text);
    return this;
  }

  /** Appends `sd reg` to the log (tagged). Clobbers t6. */
  static log(reg: string): string {
    return `li t6, ${TAG_VAL}\n sd t6, 0(s11)\n sd ${reg}, 8(s11)\n addi s11, s11, 16`;
  }

  /**
   * Runs `text` in `mode`, entered by MRET from the driver; the fragment ends with an ECALL
   * (or any trap in CONTINUE_CAUSES) and the driver continues after it in M-mode. With
   * `alias`, the fragment runs at its VU_ALIAS address (VU code under identityVs).
   */
  run(mode: Mode, text: string, alias = false): this {
    const n = this.fragments++;
    const bits = MODE_BITS[mode];
    const frag = `frag${n}`;
    this.a.asm(`
  la s10, frag${n}_next
  la t0, ${frag}
  ${alias ? `li t1, ${RAM - VU_ALIAS}\n  sub t0, t0, t1` : ''}
  csrw mepc, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, ${bits.mpp << 11}
  csrs mstatus, t0
  li t0, 0x8000000000
  ${bits.mpv ? 'csrs' : 'csrc'} mstatus, t0
  mret
  .align 2
${frag}:
${text}
  ecall
frag${n}_next:
`);
    return this;
  }

  /** Stores a dword into the image at physical address `pa` (page tables, data). */
  poke(pa: bigint, value: bigint): this {
    this.patches.set(pa, BigInt.asUintN(64, value));
    return this;
  }

  allocTable(pages = 1): bigint {
    const align = BigInt(pages) * 4096n;
    this.nextTable = (this.nextTable + align - 1n) & ~(align - 1n);
    const t = this.nextTable;
    this.nextTable += align;
    if (this.nextTable > TABLES_END) throw new Error('out of page-table space');
    return t;
  }

  /**
   * Maps `va` to `pa` with a leaf at `level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB) in the Sv39
   * (rootBits 9) or Sv39x4 (rootBits 11) table at `root`. Tables live at host physical
   * addresses equal to the addresses written into PTEs, so VS-stage tables must sit in
   * G-stage identity-mapped memory.
   */
  map(root: bigint, va: bigint, pa: bigint, level: number, flags: bigint, rootBits = 9): this {
    let table = root;
    for (let l = 2; l > level; l--) {
      const bits = l === 2 ? BigInt(rootBits) : 9n;
      const idx = (va >> BigInt(12 + 9 * l)) & ((1n << bits) - 1n);
      const addr = table + idx * 8n;
      const cur = this.patches.get(addr);
      if (cur !== undefined) {
        if (cur & RWX) throw new Error(`0x${va.toString(16)}: a leaf already covers level ${l}`);
        table = (cur >> 10n) << 12n;
      } else {
        const next = this.allocTable();
        this.poke(addr, ((next >> 12n) << 10n) | V);
        table = next;
      }
    }
    const bits = level === 2 ? BigInt(rootBits) : 9n;
    const idx = (va >> BigInt(12 + 9 * level)) & ((1n << bits) - 1n);
    this.leaves.set(`${root}:${va}`, table + idx * 8n);
    return this.poke(table + idx * 8n, ((pa >> 12n) << 10n) | flags | V);
  }

  /** Physical address of the leaf PTE map() wrote for `va` in the table at `root`. */
  leaf(root: bigint, va: bigint): bigint {
    const a = this.leaves.get(`${root}:${va}`);
    if (a === undefined) throw new Error(`no leaf for 0x${va.toString(16)}`);
    return a;
  }

  /** G-stage mapping in the Sv39x4 root at GROOT. G-stage leaves need U=1 (spec 9.5.1). */
  gmap(gpa: bigint, hpa: bigint, level: number, flags: bigint = RWX | U | A | D): this {
    return this.map(GROOT, gpa, hpa, level, flags, 11);
  }

  /** G-stage identity map of the first 2 MiB of RAM (code, log, tables). */
  identityG(): this {
    return this.gmap(RAM, RAM, 1);
  }

  /** The VS-stage root (allocated on first use). */
  get vsRootTable(): bigint {
    if (this.vsRoot === null) this.vsRoot = this.allocTable();
    return this.vsRoot;
  }

  vsmap(va: bigint, gpa: bigint, level: number, flags: bigint = RWX | A | D): this {
    return this.map(this.vsRootTable, va, gpa, level, flags);
  }

  /** VS-stage: code identity-mapped for VS-mode, and again at VU_ALIAS with U=1 for VU. */
  identityVs(): this {
    this.vsmap(RAM, RAM, 1);
    return this.vsmap(VU_ALIAS, RAM, 1, RWX | U | A | D);
  }

  /** hgatp value for Sv39x4 at GROOT with `vmid`. */
  static hgatp(vmid = 0): bigint {
    return (8n << 60n) | (BigInt(vmid) << 44n) | (GROOT >> 12n);
  }

  vsatp(asid = 0): bigint {
    return (8n << 60n) | (BigInt(asid) << 44n) | (this.vsRootTable >> 12n);
  }

  /** Assembles the program (once; later calls return the same image). */
  build(): BuiltProgram {
    if (this.built) return this.built;
    this.a.asm(`
done:
  j done
`);
    const { bytes, symbols } = this.a.assemble();
    if (bytes.length > Number(LOG - RAM)) throw new Error('program overlaps the log area');
    const image = new Uint8Array(IMAGE_BYTES);
    image.set(bytes);
    const dv = new DataView(image.buffer);
    for (const [pa, v] of this.patches) dv.setBigUint64(Number(pa - RAM), v, true);
    this.built = { image, done: symbols.get('done')!, symbols };
    return this.built;
  }
}

export interface HartRun {
  hart: Hart;
  mem: PhysicalMemory;
  log: LogEntry[];
  words: bigint[];
}

export interface RunOptions {
  maxInsns?: number;
  /** GEILEN of the hart (QEMU's virt has 0). */
  geilen?: number;
  /** Called after reset, before the first instruction (e.g. to drive hgeip). */
  setup?: (h: Hart) => void;
  /** Called when the hart waits in WFI with nothing to wake it (the platform's turn). */
  onIdle?: (h: Hart) => void;
}

/** A fresh hart with the H extension over RAM at 0x80000000 (and a stand-in mtimecmp). */
export function newHart(opts: { geilen?: number; hypervisor?: boolean } = {}): { hart: Hart; mem: PhysicalMemory; clock: VirtualClock } {
  const clock = new VirtualClock(0);
  const mem = new PhysicalMemory([{ name: 'ram', base: Number(RAM), size: RAM_BYTES }]);
  mem.bus.add(Number(CLINT_MTIMECMP), {
    name: 'mtimecmp-sink',
    size: 8,
    read: () => 0,
    write: () => undefined,
    save: () => null,
    restore: () => undefined,
  });
  const code = new CodeCache(mem.pageFlags);
  const hart = new Hart({ hartId: 0, mem, code, clock, readTime: () => BigInt(clock.icount), hypervisor: opts.hypervisor ?? true, geilen: opts.geilen });
  attachFpu(hart);
  hart.reset(RAM);
  return { hart, mem, clock };
}

/** Runs a built program on a fresh hart (with H) until it reaches `done`. */
export function runOnHart(p: BuiltProgram, opts: RunOptions = {}): HartRun {
  const maxInsns = opts.maxInsns ?? 2_000_000;
  const { hart, mem, clock } = newHart({ geilen: opts.geilen });
  mem.load(Number(RAM), p.image, 'test image');
  hart.reset(RAM);
  opts.setup?.(hart);
  let n = 0;
  while (hart.pc !== p.done) {
    if (n > maxInsns) throw new Error(`program did not reach done within ${maxInsns} instructions (pc 0x${hart.pc.toString(16)})`);
    const irq = pendingInterrupt(hart);
    if (irq >= 0) enterTrap(hart, irq, true, 0n);
    hart.icountBase = clock.icount;
    const r = runSlice(hart, 1000);
    clock.icount += r;
    n += r + 1;
    if (hart.stop === STOP_STUCK) throw new Error(`hart stuck at 0x${hart.pc.toString(16)}`);
    if (hart.waiting && !wfiWakes(hart)) opts.onIdle?.(hart);
    if (hart.waiting && !wfiWakes(hart)) throw new Error(`WFI with nothing to wake it at 0x${hart.pc.toString(16)}`);
    hart.waiting = false;
  }
  const end = hart.getX(27);
  const words: bigint[] = [];
  const base = mem.ramOffset(Number(LOG), false);
  for (let a = LOG; a < end; a += 8n) words.push(mem.dv.getBigUint64(base + Number(a - LOG), true));
  return { hart, mem, log: parseLog(words), words };
}


/** Reads a dword of physical memory after a run. */
export function peek(run: HartRun, pa: bigint): bigint {
  return run.mem.dv.getBigUint64(run.mem.ramOffset(Number(pa), false), true);
}
