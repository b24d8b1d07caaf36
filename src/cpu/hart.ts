// One RV64GC(+H) hart: architectural state and the small accessors everything else uses.
// Execution lives in interp.ts (hot loop) and exec-*.ts (slow paths); CSR rules in csr.ts;
// traps in trap.ts; address translation in mmu.ts.
import { CodeCache } from './code-cache.ts';
import { PRIV_M } from './csr-defs.ts';
import type { InstructionClock, MemoryPort } from './memory-port.ts';
import { toBigIntU } from './int64.ts';
import type { TrapObserver } from './trap.ts';

/** The FP unit the hart drives (src/cpu/fpu implements it). */
export interface FpUnit {
  readonly f: Int32Array;
  fflags: number;
  frm: number;
  exec(op: number, rd: number, rs1: number, rs2: number, rs3: number, rm: number): void;
}

export const TLB_SIZE = 256;
/** A tag no virtual page number can have (VPNs are at most 20 bits in the low word). */
export const TLB_INVALID = -1;

export interface HartOptions {
  hartId: number;
  mem: MemoryPort;
  code: CodeCache;
  clock: InstructionClock;
  /** Reads the `time` CSR / CLINT counter (QEMU provides rdtime from the ACLINT mtimer). */
  readTime: () => bigint;
  /** Implements the H extension (misa.H). */
  hypervisor?: boolean;
  /** Number of implemented PMP entries (QEMU default 16). */
  pmpEntries?: number;
  /** Guest external interrupt lines (GEILEN, spec 9.2.4); QEMU's virt without AIA has 0. */
  geilen?: number;
}

/** Why a slice of execution stopped early. */
export const STOP_NONE = 0;
export const STOP_WFI = 1;
export const STOP_BREAK = 2; // an instruction asked the run loop to re-check state
export const STOP_STUCK = 3; // instruction fetch keeps faulting at the trap vector: no progress possible
export const STOP_EXIT = 4; // guest context: a trap for HS/M became an exit to the hypervisor (h.exit)
export const STOP_DEBUG = 5; // an armed debugger breakpoint is next (exec-breaks.ts): pc is at it, nothing executed

/**
 * What HS-mode software would see for a trap out of guest context (scause, stval, htval,
 * htinst, hstatus.GVA), handed to the TypeScript hypervisor instead of vectoring to stvec.
 */
export interface TrapExit {
  cause: number;
  interrupt: boolean;
  tval: bigint;
  /** Guest physical address >> 2 for guest-page faults (htval). */
  gpa: bigint;
  tinst: bigint;
  gva: boolean;
  /** Privilege and V of the guest when it trapped (hstatus.SPVP / SPV equivalents). */
  priv: number;
  virt: boolean;
}

export class Hart {
  readonly id: number;
  readonly mem: MemoryPort;
  readonly code: CodeCache;
  readonly clock: InstructionClock;
  readonly readTime: () => bigint;
  readonly hasH: boolean;
  readonly pmpEntries: number;
  readonly geilen: number;

  /** x0..x31 as lo/hi int32 pairs; pair 32 is the write sink for rd = x0. */
  readonly x = new Int32Array(66);
  fpu: FpUnit | null = null;
  pcLo = 0;
  pcHi = 0;
  /** Current privilege: 0 U, 1 S, 3 M. */
  priv = PRIV_M;
  /** Virtualization mode (H extension): true in VS/VU. */
  virt = false;

  // ---- machine-level CSRs (numbers hold <= 32-bit fields; bigint holds full XLEN values)
  mstatus = 0; // low 32 bits; UXL/SXL are fixed, SD is computed
  mstatusHi = 0; // GVA/MPV bits of the high word (H)
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Software-writable mip bits (SSIP, STIP, SEIP, VS bits via hvip). */
  mipSw = 0;
  /** Interrupt lines from devices (MSIP, MTIP, MEIP, SEIP, SGEIP). */
  mipHw = 0;
  mtvec = 0n;
  mscratch = 0n;
  mepc = 0n;
  mcause = 0n;
  mtval = 0n;
  mtval2 = 0n;
  mtinst = 0n;
  mcounteren = 0;
  mcountinhibit = 0;
  menvcfg = 0n;
  readonly pmpcfg: bigint[];
  readonly pmpaddr: bigint[];
  readonly mhpmevent = new Array<bigint>(29).fill(0n);
  readonly mhpmcounter = new Array<bigint>(29).fill(0n);
  /** mcycle/minstret = virtual-time counter minus these offsets (QEMU derives both from icount). */
  mcycleBase = 0n;
  minstretBase = 0n;
  tselect = 0n;

  // ---- supervisor-level CSRs
  stvec = 0n;
  sscratch = 0n;
  sepc = 0n;
  scause = 0n;
  stval = 0n;
  scounteren = 0;
  senvcfg = 0n;
  satp = 0n;

  // ---- hypervisor CSRs (H extension)
  hstatus = 0n;
  hedeleg = 0;
  hideleg = 0;
  hcounteren = 0;
  hgeie = 0;
  htval = 0n;
  htinst = 0n;
  hgatp = 0n;
  htimedelta = 0n;
  henvcfg = 0n;
  vsstatus = 0n;
  vstvec = 0n;
  vsscratch = 0n;
  vsepc = 0n;
  vscause = 0n;
  vstval = 0n;
  vsatp = 0n;

  /** hvip: VS-level interrupts injected by the hypervisor (bits 2, 6, 10). */
  hvip = 0;
  /** Guest external interrupt lines (hgeip), driven by the platform. */
  hgeip = 0;

  // ---- LR/SC reservation: physical address (or -1) and the value LR loaded
  reservation = -1;
  reservedLo = 0;
  reservedHi = 0;
  reservedSize = 0;

  // ---- data TLB: separate sets for loads and stores of the current translation context
  readonly tlbRTagLo = new Int32Array(TLB_SIZE).fill(TLB_INVALID);
  readonly tlbRTagHi = new Int32Array(TLB_SIZE);
  readonly tlbROff = new Int32Array(TLB_SIZE);
  readonly tlbWTagLo = new Int32Array(TLB_SIZE).fill(TLB_INVALID);
  readonly tlbWTagHi = new Int32Array(TLB_SIZE);
  readonly tlbWOff = new Int32Array(TLB_SIZE);
  /** Bumped whenever the fetch translation may have changed; the run loop re-resolves pc's page. */
  fetchEpoch = 0;

  /** The interpreter's last fetch-page resolution (valid while fetchEpoch is unchanged). */
  readonly fetchCache: { page: import('./code-cache.ts').DecodedPage | null; base: number; epoch: number; vpnLo: number; vpnHi: number } = {
    page: null,
    base: 0,
    epoch: -1,
    vpnLo: 0,
    vpnHi: 0,
  };
  /** Scratch pair for slow-path results. */
  readonly tmp = new Int32Array(2);
  /** Set when an instruction changed state the run loop must look at (interrupts, wfi). */
  stop = STOP_NONE;
  /** Whether the hart is waiting for an interrupt. */
  waiting = false;
  /** Instructions retired by this hart. */
  retired = 0;
  /** Global instruction count when the current slice started, and instructions retired in it so far. */
  icountBase = 0;
  sliceN = 0;
  /** Optional observer of every trap (recording, debugger); never changes behaviour. */
  observer: TrapObserver | null = null;
  /**
   * Optional observer called when a run slice starts (interp.ts), with pc at the instruction
   * about to run — after anything the run loop or the hypervisor did at the boundary (interrupt
   * entry, a domain's boot, a PV trap bounce). The debugger's step probe; never changes behaviour.
   */
  sliceHook: ((h: Hart) => void) | null = null;
  /**
   * Guest context (set by the hypervisor while a vCPU runs): traps that would enter HS or M
   * stop the hart with STOP_EXIT and land here; pc stays at the trapping instruction.
   */
  guestContext = false;
  /** The exit the hart stopped with (valid when stop === STOP_EXIT). */
  exit: TrapExit | null = null;

  constructor(opts: HartOptions) {
    this.id = opts.hartId;
    this.mem = opts.mem;
    this.code = opts.code;
    this.clock = opts.clock;
    this.readTime = opts.readTime;
    this.hasH = opts.hypervisor ?? false;
    this.pmpEntries = opts.pmpEntries ?? 16;
    this.geilen = this.hasH ? Math.min(opts.geilen ?? 0, 31) : 0;
    this.mideleg = this.midelegFixed();
    this.pmpcfg = new Array<bigint>(8).fill(0n);
    this.pmpaddr = new Array<bigint>(64).fill(0n);
  }

  /** Reset state per privileged spec 3.4: M-mode, MIE = 0, MPRV = 0, pc = reset vector. */
  reset(pc: bigint): void {
    this.x.fill(0);
    this.setPc(pc);
    this.priv = PRIV_M;
    this.virt = false;
    this.mstatus = 0;
    this.mstatusHi = 0;
    this.mipSw = 0;
    this.mie = 0;
    this.medeleg = 0;
    this.mideleg = this.midelegFixed();
    this.mcause = 0n;
    this.satp = 0n;
    // H state that decides behaviour (spec 9.2 leaves the reset values open; QEMU zeroes them)
    this.hstatus = 0n;
    this.hedeleg = 0;
    this.hideleg = 0;
    this.hvip = 0;
    this.hgeie = 0;
    this.hgatp = 0n;
    this.vsatp = 0n;
    this.vsstatus = 0n;
    this.reservation = -1;
    this.waiting = false;
    this.flushTlb();
  }

  setPc(pc: bigint): void {
    this.pcLo = Number(BigInt.asIntN(32, pc));
    this.pcHi = Number(BigInt.asIntN(32, pc >> 32n));
  }

  get pc(): bigint {
    return toBigIntU(this.pcLo, this.pcHi);
  }

  getX(i: number): bigint {
    return i === 0 ? 0n : toBigIntU(this.x[2 * i], this.x[2 * i + 1]);
  }

  setX(i: number, v: bigint): void {
    if (i === 0) return;
    this.x[2 * i] = Number(BigInt.asIntN(32, v));
    this.x[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  getF(i: number): bigint {
    const f = this.fpu?.f;
    return f ? toBigIntU(f[2 * i], f[2 * i + 1]) : 0n;
  }

  /** Effective mip as software reads it (SEIP is the OR of the software bit and the line). */
  get mip(): number {
    return this.mipSw | this.mipHw;
  }

  /** Device side: raise or lower one interrupt-pending line (HartInterruptPins). */
  setPending(bit: number, level: boolean): void {
    const m = 1 << bit;
    const before = this.mipHw;
    this.mipHw = level ? before | m : before & ~m;
    if (this.mipHw !== before) {
      this.stop = STOP_BREAK;
      if (level && this.mie & m) this.waiting = false;
    }
  }

  /**
   * Brings the shared clock up to this instruction before a device access or a time read.
   * QEMU's icount charges an instruction before its I/O happens, so the current one counts.
   */
  syncClock(): void {
    this.clock.icount = this.icountBase + this.sliceN + 1;
  }

  /** After an MMIO access: device state (interrupt lines, timers) may have changed. */
  noteDeviceAccess(): void {
    this.stop = STOP_BREAK;
  }

  /**
   * mip bits the H extension contributes (spec 9.2.3-9.2.4): VS-level bits injected through
   * hvip, VSEIP from the guest external line hstatus.VGEIN selects, and SGEIP when an
   * enabled guest external line is pending.
   */
  hvipPending(): number {
    if (!this.hasH) return 0;
    let bits = this.hvip & ((1 << 2) | (1 << 6) | (1 << 10));
    const vgein = Number((this.hstatus >> 12n) & 0x3fn);
    if (vgein !== 0 && vgein <= this.geilen && (this.hgeip >>> vgein) & 1) bits |= 1 << 10;
    if (this.hgeip & this.hgeie) bits |= 1 << 12;
    return bits;
  }

  /** mideleg bits that read as one: VS-level interrupts and SGEI when H exists (spec 9.4.2). */
  midelegFixed(): number {
    return this.hasH ? (1 << 2) | (1 << 6) | (1 << 10) | (1 << 12) : 0;
  }

  /** Platform side: the levels of the guest external interrupt lines 1..GEILEN (hgeip). */
  setGuestExternalLines(bits: number): void {
    const next = bits & (((1 << this.geilen) - 1) << 1);
    if (next === this.hgeip) return;
    this.hgeip = next;
    this.stop = STOP_BREAK;
    if (this.hvipPending() & this.mie) this.waiting = false;
  }

  /** Drops every cached translation (satp/priv/MPRV/SUM/MXR changes, SFENCE.VMA). */
  flushTlb(): void {
    this.tlbRTagLo.fill(TLB_INVALID);
    this.tlbWTagLo.fill(TLB_INVALID);
    this.fetchEpoch++;
  }
}
