// A bare hart for unit tests: RAM at 0x80000000 (plus optional extra RAM regions and a small
// MMIO test device), a program assembled from objdump-style text, and a run loop that takes
// interrupts and handles WFI the way Machine.run does (interrupts are checked between slices;
// slices end after any instruction that sets h.stop).
//
// Programs stop at markers: self-loops such as `done: j done` or a trap vector `trap: j trap`.
// run() executes slices until pc sits on a marker, so the registers, CSRs and memory a test
// reads are those of the moment the marker was reached (spinning on it changes nothing but
// the instruction count).
import { Assembler } from '../../src/isa/asm.ts';
import { csrNumber } from '../../src/isa/csr-names.ts';
import { xreg } from '../../src/isa/registers.ts';
import { CodeCache } from '../../src/cpu/code-cache.ts';
import { CSR_OK, csrRead, csrStatus } from '../../src/cpu/csr.ts';
import { PRIV_M } from '../../src/cpu/csr-defs.ts';
import { Hart, STOP_STUCK } from '../../src/cpu/hart.ts';
import { runSlice } from '../../src/cpu/interp.ts';
import { enterTrap, pendingInterrupt, wfiWakes } from '../../src/cpu/trap.ts';
import type { AccessSize, MmioDevice } from '../../src/machine/device.ts';
import { attachFpu } from '../../src/machine/fpu-attach.ts';
import { PhysicalMemory, type RegionSpec } from '../../src/machine/phys-mem.ts';
import { VirtualClock } from '../../src/machine/vtime.ts';

export const RAM = 0x8000_0000n;
export const RAM_BYTES = 4 * 1024 * 1024;
/** Where the test device's window starts (nothing else is mapped there). */
export const DEV = 0x1000_0000n;

// Test device registers (offsets in its 4 KiB window)
/** Any size, reads back what was last written (8 bytes of storage). */
export const DEV_SCRATCH = 0x00;
/** Write: raise the mip lines whose bits are set. */
export const DEV_IRQ_RAISE = 0x10;
/** Write: lower the mip lines whose bits are set. */
export const DEV_IRQ_LOWER = 0x18;
/** 4-byte accesses only; any other size is an access fault. */
export const DEV_WORD_ONLY = 0x20;

/** Every MMIO access the device saw, in order. */
export interface DevAccess {
  offset: number;
  size: number;
  write: boolean;
  value: bigint;
}

/** A tiny MMIO device: a scratch register, interrupt-line control and a size-restricted register. */
export class TestDevice implements MmioDevice {
  readonly name = 'testdev';
  readonly size = 0x1000;
  readonly log: DevAccess[] = [];
  scratch = 0n;
  hart: Hart | null = null;

  read(offset: number, size: AccessSize): number {
    const v = offset >= DEV_SCRATCH && offset < DEV_SCRATCH + 8 ? (this.scratch >> BigInt(8 * (offset - DEV_SCRATCH))) : 0n;
    const out = Number(BigInt.asUintN(8 * size, v));
    this.log.push({ offset, size, write: false, value: BigInt(out) });
    return out;
  }

  write(offset: number, size: AccessSize, value: number): void {
    this.log.push({ offset, size, write: true, value: BigInt(value) });
    if (offset >= DEV_SCRATCH && offset < DEV_SCRATCH + 8) {
      const shift = BigInt(8 * (offset - DEV_SCRATCH));
      const mask = ((1n << BigInt(8 * size)) - 1n) << shift;
      this.scratch = (this.scratch & ~mask) | ((BigInt(value) << shift) & mask);
    } else if (offset === DEV_IRQ_RAISE || offset === DEV_IRQ_LOWER) {
      for (let bit = 0; bit < 32; bit++) if ((value >>> bit) & 1) this.hart?.setPending(bit, offset === DEV_IRQ_RAISE);
    }
  }

  accessRule(offset: number): { minSize: 1 | 2 | 4 | 8; maxSize: 1 | 2 | 4 | 8 } {
    return offset >= DEV_WORD_ONLY && offset < DEV_WORD_ONLY + 4 ? { minSize: 4, maxSize: 4 } : { minSize: 1, maxSize: 8 };
  }

  save(): unknown {
    return { scratch: this.scratch.toString() };
  }

  restore(state: unknown): void {
    this.scratch = BigInt((state as { scratch: string }).scratch);
  }
}

export interface TestHartOptions {
  /** RAM at 0x80000000 (default RAM_BYTES). */
  ramBytes?: number;
  /** Extra RAM regions (e.g. one straddling the 4 GiB line). */
  regions?: RegionSpec[];
  /** Map the TestDevice at DEV. */
  device?: boolean;
  /** Attach the F/D unit (default true). */
  fpu?: boolean;
  /** Where the program is assembled and where the hart starts (default RAM). */
  base?: bigint;
  /** Emit RVC encodings where they exist. */
  compress?: boolean;
  /** icount shift of the virtual clock (default 0: 1 ns per instruction). */
  icountShift?: number;
  hartId?: number;
  /** Adjusts the hart after reset (state a test does not want to set up with instructions). */
  setup?: (h: Hart) => void;
}

export type RunEnd =
  | { kind: 'marker'; at: string }
  | { kind: 'budget' }
  | { kind: 'wfi' } // waiting for an interrupt that nothing will raise
  | { kind: 'stuck' };

export class TestHart {
  readonly mem: PhysicalMemory;
  readonly clock: VirtualClock;
  readonly code: CodeCache;
  readonly hart: Hart;
  readonly dev: TestDevice | null;
  symbols = new Map<string, bigint>();
  /** Instructions retired by the last run(). */
  retired = 0;
  /** How often the hart asked for `time` (the platform's timer read). */
  timeReads = 0;

  constructor(opts: TestHartOptions = {}) {
    this.clock = new VirtualClock(opts.icountShift ?? 0);
    this.mem = new PhysicalMemory([{ name: 'ram', base: Number(RAM), size: opts.ramBytes ?? RAM_BYTES }, ...(opts.regions ?? [])]);
    this.code = new CodeCache(this.mem.pageFlags);
    const clock = this.clock;
    // `time` ticks at 10 MHz of virtual time, as the CLINT's mtime does
    const readTime = () => {
      this.timeReads++;
      return BigInt(Math.floor(clock.nowNs() / 100));
    };
    this.hart = new Hart({ hartId: opts.hartId ?? 0, mem: this.mem, code: this.code, clock, readTime });
    if (opts.fpu ?? true) attachFpu(this.hart);
    this.dev = null;
    if (opts.device) {
      const d = new TestDevice();
      d.hart = this.hart;
      this.mem.bus.add(Number(DEV), d);
      this.dev = d;
    }
    this.hart.reset(opts.base ?? RAM);
    opts.setup?.(this.hart);
  }

  /** Assembles `text` at `base` (default RAM), loads it and points pc at its first byte. */
  static asm(text: string, opts: TestHartOptions = {}): TestHart {
    const t = new TestHart(opts);
    t.loadAsm(text, opts.base ?? RAM, opts.compress ?? false);
    t.hart.setPc(opts.base ?? RAM);
    return t;
  }

  /** Assembles and loads more code or data at `base`; its labels join `symbols`. */
  loadAsm(text: string, base: bigint, compress = false): Map<string, bigint> {
    const a = new Assembler({ base, compress });
    a.asm(text);
    const { bytes, symbols } = a.assemble();
    this.mem.load(Number(base), bytes, `test program at 0x${base.toString(16)}`);
    this.code.invalidateAll();
    for (const [k, v] of symbols) this.symbols.set(k, v);
    return symbols;
  }

  sym(name: string): bigint {
    const v = this.symbols.get(name);
    if (v === undefined) throw new Error(`no label "${name}" in the test program`);
    return v;
  }

  /**
   * Runs until pc is on one of the `until` labels (default 'done'), at most `budget`
   * instructions. Interrupts are taken between slices, as Machine.run does.
   */
  run(opts: { until?: string | string[]; budget?: number; slice?: number } = {}): RunEnd {
    const names = opts.until === undefined ? ['done'] : typeof opts.until === 'string' ? [opts.until] : opts.until;
    const markers = new Map<bigint, string>();
    for (const n of names) if (this.symbols.has(n)) markers.set(this.sym(n), n);
    const budget = opts.budget ?? 100_000;
    // slices grow from 8 instructions, so a short program does not spin long on its marker
    const maxSlice = opts.slice ?? 1000;
    let slice = Math.min(8, maxSlice);
    const h = this.hart;
    let n = 0;
    this.retired = 0;
    for (;;) {
      const at = markers.get(h.pc);
      if (at !== undefined && !h.waiting) return { kind: 'marker', at };
      if (n >= budget) return { kind: 'budget' };
      if (h.waiting) {
        if (!wfiWakes(h)) return { kind: 'wfi' };
        h.waiting = false;
      }
      const irq = pendingInterrupt(h);
      if (irq >= 0) enterTrap(h, irq, true, 0n);
      h.icountBase = this.clock.icount;
      const r = runSlice(h, Math.min(slice, budget - n));
      slice = Math.min(slice * 2, maxSlice);
      this.clock.icount = h.icountBase + r;
      this.retired += r;
      n += r + 1;
      if (h.stop === STOP_STUCK) return { kind: 'stuck' };
    }
  }

  /** run() that must end on a marker; returns its name. */
  runTo(until: string | string[] = 'done', budget = 100_000): string {
    const end = this.run({ until, budget });
    if (end.kind !== 'marker') {
      const h = this.hart;
      throw new Error(`program ended with ${end.kind} at pc 0x${h.pc.toString(16)} (mcause ${h.mcause}, scause ${h.scause}, mtval 0x${h.mtval.toString(16)})`);
    }
    return end.at;
  }

  /** Integer register by ABI name or number, as an unsigned 64-bit value. */
  x(r: string | number): bigint {
    return this.hart.getX(xreg(r));
  }

  setX(r: string | number, v: bigint | number): this {
    this.hart.setX(xreg(r), BigInt.asUintN(64, BigInt(v)));
    return this;
  }

  /** Reads a CSR as M-mode would (no side effects besides the read itself). */
  csr(name: string | number): bigint {
    const n = typeof name === 'number' ? name : csrNumber(name);
    if (n === undefined) throw new Error(`unknown CSR ${name}`);
    const h = this.hart;
    const priv = h.priv, virt = h.virt;
    h.priv = PRIV_M;
    h.virt = false;
    try {
      const v = csrRead(h, n);
      if (csrStatus.fault !== CSR_OK) throw new Error(`CSR ${name} is not readable in M-mode`);
      return v;
    } finally {
      h.priv = priv;
      h.virt = virt;
    }
  }

  private off(pa: bigint, len: number): number {
    const o = this.mem.ramOffset(Number(pa), false);
    if (o < 0 || this.mem.ramOffset(Number(pa) + len - 1, false) !== o + len - 1) throw new Error(`0x${pa.toString(16)} is not RAM`);
    return o;
  }

  read64(pa: bigint): bigint {
    return this.mem.dv.getBigUint64(this.off(pa, 8), true);
  }
  read32(pa: bigint): number {
    return this.mem.dv.getUint32(this.off(pa, 4), true);
  }
  read8(pa: bigint): number {
    return this.mem.dv.getUint8(this.off(pa, 1));
  }
  /** Writes memory behind the hart's back (test setup); decoded code there is dropped. */
  write64(pa: bigint, v: bigint): this {
    this.mem.dv.setBigUint64(this.off(pa, 8), BigInt.asUintN(64, v), true);
    this.code.invalidateAll();
    return this;
  }
  zero(pa: bigint, len: number): this {
    const o = this.off(pa, len);
    this.mem.bytes.fill(0, o, o + len);
    return this;
  }
  write32(pa: bigint, v: number): this {
    this.mem.dv.setUint32(this.off(pa, 4), v >>> 0, true);
    this.code.invalidateAll();
    return this;
  }
}

/**
 * Runs `body` on a fresh hart, in M-mode unless `opts.priv` says otherwise, with the given
 * registers preset, and returns the hart once `done` is reached. Any trap goes to M-mode's
 * `trap: j trap` and fails the run.
 */
export function exec(body: string, regs: Record<string, bigint | number> = {}, opts: TestHartOptions & { priv?: number } = {}): TestHart {
  return new BodyRunner(body, { ramBytes: 256 * 1024, ...opts }).run(regs, opts.priv ?? PRIV_M);
}

/** exec() that must end in a trap taken to M-mode; returns what it recorded. */
export function execTrap(body: string, regs: Record<string, bigint | number> = {}, opts: TestHartOptions & { priv?: number } = {}) {
  return new BodyRunner(body, { ramBytes: 256 * 1024, ...opts }).trap(regs, opts.priv ?? PRIV_M);
}

/** Hex text of a value as a 64-bit pattern, for test names. */
export function hex(v: bigint | number): string {
  return `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
}

/**
 * One program, many runs: `body` is assembled once; each run() presets registers, starts at
 * `start` in M-mode and returns the hart at `done`. For tables of register-only cases.
 */
export class BodyRunner {
  readonly t: TestHart;
  constructor(body: string, opts: TestHartOptions = {}) {
    this.t = TestHart.asm(
      `
  j start
  .align 2
trap:
  j trap
start:
${body}
done:
  j done
`,
      opts,
    );
    this.t.hart.mtvec = this.t.sym('trap');
  }

  private go(regs: Record<string, bigint | number>, priv: number): string {
    const t = this.t;
    const h = t.hart;
    h.priv = priv;
    h.setPc(t.sym('start'));
    for (const [r, v] of Object.entries(regs)) t.setX(r, v);
    return t.runTo(['done', 'trap']);
  }

  /** Runs from `start` at privilege `priv` (0 U, 1 S, 3 M; set directly, as if by an xRET). */
  run(regs: Record<string, bigint | number> = {}, priv = PRIV_M): TestHart {
    const h = this.t.hart;
    if (this.go(regs, priv) === 'trap') throw new Error(`unexpected trap: mcause ${h.mcause}, mtval 0x${h.mtval.toString(16)}, mepc 0x${h.mepc.toString(16)}`);
    return this.t;
  }

  /** Runs expecting an exception taken in M-mode; returns what the trap recorded. */
  trap(regs: Record<string, bigint | number> = {}, priv = PRIV_M): { cause: bigint; tval: bigint; epc: bigint; t: TestHart } {
    if (this.go(regs, priv) !== 'trap') throw new Error('expected a trap, but the program reached done');
    const h = this.t.hart;
    return { cause: h.mcause, tval: h.mtval, epc: h.mepc, t: this.t };
  }
}

const runners = new Map<string, BodyRunner>();

function cachedRunner(body: string, compress: boolean): BodyRunner {
  const key = `${compress ? 'c' : ''}|${body}`;
  let r = runners.get(key);
  if (!r) {
    r = new BodyRunner(body, { ramBytes: 64 * 1024, compress });
    runners.set(key, r);
  }
  return r;
}

export interface BodyOptions {
  compress?: boolean;
  /** Privilege the body starts in (default M). */
  priv?: number;
}

/** BodyRunner.run() with the runner for `body` cached (64 KiB of RAM each). */
export function runBody(body: string, regs: Record<string, bigint | number> = {}, opts: BodyOptions = {}): TestHart {
  return cachedRunner(body, opts.compress ?? false).run(regs, opts.priv ?? PRIV_M);
}

/** BodyRunner.trap() with the runner for `body` cached. */
export function trapBody(body: string, regs: Record<string, bigint | number> = {}, opts: BodyOptions = {}) {
  return cachedRunner(body, opts.compress ?? false).trap(regs, opts.priv ?? PRIV_M);
}

/** Unsigned 64-bit view of a (possibly negative) value, for expectations. */
export const u64 = (v: bigint | number): bigint => BigInt.asUintN(64, BigInt(v));

// Sv39 PTE bits (privileged spec 4.3.1 / 4.4.1)
export const PTE = Object.freeze({ V: 1n, R: 2n, W: 4n, X: 8n, U: 16n, G: 32n, A: 64n, D: 128n });

/**
 * Builds Sv39 page tables in the test hart's RAM, allocating table pages from `pool` upward.
 * `map(va, pa, level, flags)` makes a leaf at level 0 (4 KiB), 1 (2 MiB) or 2 (1 GiB).
 */
export class PageTables {
  readonly root: bigint;
  private next: bigint;
  constructor(
    private readonly t: TestHart,
    pool: bigint,
  ) {
    this.root = pool;
    this.next = pool + 4096n;
  }

  /** satp value selecting these tables with `asid`. */
  satp(asid = 0): bigint {
    return (8n << 60n) | (BigInt(asid) << 44n) | (this.root >> 12n);
  }

  private alloc(): bigint {
    const p = this.next;
    this.next += 4096n;
    this.t.zero(p, 4096);
    return p;
  }

  /** Address of the PTE for `va` at `level`, creating intermediate tables. */
  pteAddr(va: bigint, level: number): bigint {
    let table = this.root;
    for (let l = 2; l > level; l--) {
      const addr = table + ((va >> BigInt(12 + 9 * l)) & 0x1ffn) * 8n;
      const cur = this.t.read64(addr);
      if (cur & PTE.V) {
        if (cur & (PTE.R | PTE.X)) throw new Error(`0x${va.toString(16)}: a leaf already covers level ${l}`);
        table = (cur >> 10n) << 12n;
      } else {
        const nt = this.alloc();
        this.t.write64(addr, ((nt >> 12n) << 10n) | PTE.V);
        table = nt;
      }
    }
    return table + ((va >> BigInt(12 + 9 * level)) & 0x1ffn) * 8n;
  }

  map(va: bigint, pa: bigint, level: number, flags: bigint): bigint {
    const addr = this.pteAddr(va, level);
    this.t.write64(addr, ((pa >> 12n) << 10n) | flags);
    return addr;
  }

  /** Writes a raw PTE value. */
  setPte(va: bigint, level: number, pte: bigint): bigint {
    const addr = this.pteAddr(va, level);
    this.t.write64(addr, pte);
    return addr;
  }
}
