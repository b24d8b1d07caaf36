// Which instruction did one step execute? The replay engine moves time by whole retired
// instructions, and a step can take a trap first (an interrupt due at the boundary, or an
// exception that does not retire): then the instruction that retired is the first one of the
// handler, not the one at the old pc. The hypervisor may also move a hart's pc between
// instructions (a domain's boot, a PV trap bounce). The probe snapshots every hart before a
// step, and during it watches traps and the start of every run slice (with pc at the
// instruction about to run) through the harts' observers, which never change behaviour.
// Afterwards it names the hart that ran, the pc of the instruction it retired — where its last
// slice started, or the target of a trap taken after that — and, for watchpoints, the memory
// that instruction accessed, with the address computed from the registers it saw.
//
// This runs once per instruction while continuing, so the common path stays in int32 words
// (no BigInt, no allocation); a StepFilter says whether a step may hit a stop, and only then
// is the step described in full (describe()).
import type { Hart } from '../../cpu/hart.ts';
import type { TrapObserver } from '../../cpu/trap.ts';
import type { Replayable } from '../system.ts';
import { accessOfRaw, type AccessKind, type AccessShape } from './access.ts';
import { fetchInstruction, fetchPhysical, readVirtual } from './memory.ts';

export interface MemoryAccess {
  kind: AccessKind;
  /** Guest virtual address (as the executing hart addressed it). */
  address: bigint;
  size: number;
  reads: boolean;
  writes: boolean;
}

export interface ExecutedInsn {
  domain: number;
  vcpu: number;
  hart: Hart;
  /** Instructions retired before it: the position right before it executed. */
  icount: number;
  pc: bigint;
  /** Set when a trap was taken first and this is the handler's first instruction. */
  viaTrap: { cause: number; interrupt: boolean; from: bigint } | null;
  /** Memory it accessed (only when the probe computes accesses); null when none. */
  access: MemoryAccess | null;
}

/** Cheap pre-checks on int32 words, so most steps are dismissed without building anything. */
export interface StepFilter {
  /** Could a breakpoint sit at a pc with this low word. */
  pcMayHit(pcLo: number): boolean;
  /** Could an access of `size` bytes at an address with this low word touch a watched range. */
  accessMayHit(addrLo: number, size: number): boolean;
}

interface HartSlot {
  domain: number;
  vcpu: number;
  hart: Hart;
  pcLo: number;
  pcHi: number;
  retired: number;
  /** Where the hart's last run slice of this step started (the pc before the step until one does). */
  execLo: number;
  execHi: number;
  /** Order of that slice start among the step's observations (-1: none this step). */
  sliceTick: number;
  /** Access of the instruction at exec, computed before it ran (null: none). */
  shape: AccessShape | null;
  addrLo: number;
  addrHi: number;
  /** Last fetch page resolved: valid while the hart's fetchEpoch is unchanged (as interp.ts's cache). */
  fetchEpoch: number;
  fetchVpnLo: number;
  fetchVpnHi: number;
  /** Backing-store offset of that page, or -1. */
  fetchBase: number;
}

interface TrapNote {
  /** Order among the step's observations (slice starts and traps). */
  tick: number;
  hart: Hart;
  cause: number;
  interrupt: boolean;
  from: bigint;
  /** Where the hart goes; null when the trap left guest context (the hypervisor handles it). */
  target: bigint | null;
  /** Registers at the trap: what the handler's first instruction sees (null unless computing accesses). */
  x: Int32Array | null;
}

const PRIV_S = 1;
/** VS-level interrupts, reported to VS-mode as their S-level codes (privileged spec 9.6.3). */
const VS_INTERRUPTS = (1 << 2) | (1 << 6) | (1 << 10);
const TWO32 = 4294967296;

/** xtvec's target (privileged spec 3.1.7: vectored mode only for interrupts). */
function tvecTarget(tvec: bigint, cause: number, interrupt: boolean): bigint {
  const base = tvec & ~3n;
  return interrupt && (tvec & 3n) === 1n ? base + BigInt(4 * cause) : base;
}

/**
 * Where a trap taken now goes, by the delegation rules of privileged spec 3.1.8 and 9.4.2:
 * M unless delegated from S/U; VS when also delegated through hedeleg/hideleg from V=1;
 * in guest context, anything not for VS leaves to the hypervisor (null).
 */
export function trapTarget(h: Hart, cause: number, interrupt: boolean): bigint | null {
  const bit = cause < 32 ? 1 << cause : 0;
  const deleg = cause >= 32 ? 0 : interrupt ? h.mideleg : h.medeleg;
  const vsDeleg = interrupt ? h.hideleg : h.hedeleg;
  const toS = h.priv <= PRIV_S && (deleg & bit) !== 0;
  const toVs = toS && h.virt && (vsDeleg & bit) !== 0;
  if (h.guestContext && !toVs) return null;
  if (toVs) return tvecTarget(h.vstvec, interrupt && VS_INTERRUPTS & bit ? cause - 1 : cause, interrupt);
  if (toS) return tvecTarget(h.stvec, cause, interrupt);
  return tvecTarget(h.mtvec, cause, interrupt);
}

function pcOf(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export class StepProbe {
  private slots: HartSlot[] = [];
  private traps: TrapNote[] = [];
  private tick = 0;
  private readonly wrapped = new Map<Hart, { observer: TrapObserver | null; sliceHook: Hart['sliceHook'] }>();
  /** seq when the hart list was last read: harts come and go only with lifecycle events. */
  private hartsAtSeq = -1;

  // what after() found
  private ran: HartSlot | null = null;
  /** The last trap into the guest in the step (reported as viaTrap; it may precede the slice). */
  private via: TrapNote | null = null;
  private execPcLo = 0;
  private execPcHi = 0;
  private shape: AccessShape | null = null;
  private readonly addr = { addrLo: 0, addrHi: 0 };

  /** With `accesses`, each step also computes the memory its instruction touched. */
  constructor(
    private readonly system: Replayable,
    private readonly accesses: boolean,
  ) {}

  /** Puts the observers back; call when the scan ends. */
  detach(): void {
    for (const [h, orig] of this.wrapped) {
      h.observer = orig.observer;
      h.sliceHook = orig.sliceHook;
    }
    this.wrapped.clear();
    this.slots = [];
    this.hartsAtSeq = -1;
  }

  /** After a seek the machine's objects may be new: read the hart list again. */
  invalidate(): void {
    this.hartsAtSeq = -1;
  }

  private watchTraps(h: Hart): void {
    if (this.wrapped.has(h)) return;
    const orig = { observer: h.observer, sliceHook: h.sliceHook };
    this.wrapped.set(h, orig);
    h.observer = (hart, cause, interrupt, tval) => {
      orig.observer?.(hart, cause, interrupt, tval);
      this.traps.push({ tick: this.tick++, hart, cause, interrupt, from: hart.pc, target: trapTarget(hart, cause, interrupt), x: this.accesses ? hart.x.slice() : null });
    };
    h.sliceHook = (hart) => {
      orig.sliceHook?.(hart);
      const s = this.slots.find((c) => c.hart === hart);
      if (!s) return;
      this.atInstruction(s, this.system.mem);
      s.sliceTick = this.tick++;
    };
  }

  /** The hart is about to run the instruction at its pc: note where, and what it will access. */
  private atInstruction(s: HartSlot, mem: Replayable['mem']): void {
    const h = s.hart;
    s.execLo = h.pcLo;
    s.execHi = h.pcHi;
    if (!this.accesses) return;
    const raw = this.fetchAtPc(s, mem);
    const shape = raw < 0 ? null : accessOfRaw(raw);
    s.shape = shape;
    if (shape) this.address(s, h.x, shape);
  }

  private readHarts(): void {
    const harts = this.system.allHarts();
    const slots: HartSlot[] = [];
    for (const { domain, vcpu, hart } of harts) {
      const old = this.slots.find((s) => s.hart === hart);
      slots.push(old ?? { domain, vcpu, hart, pcLo: 0, pcHi: 0, retired: 0, execLo: 0, execHi: 0, sliceTick: -1, shape: null, addrLo: 0, addrHi: 0, fetchEpoch: -1, fetchVpnLo: 0, fetchVpnHi: 0, fetchBase: -1 });
      this.watchTraps(hart);
    }
    this.slots = slots;
  }

  /** Snapshot before a step; `seq` is the timeline's event position (harts change only with events). */
  before(seq: number): void {
    if (seq !== this.hartsAtSeq) {
      this.readHarts();
      this.hartsAtSeq = seq;
    }
    if (this.traps.length) this.traps = [];
    this.tick = 0;
    for (const s of this.slots) {
      const h = s.hart;
      s.pcLo = h.pcLo;
      s.pcHi = h.pcHi;
      s.retired = h.retired;
      // what the hart runs is noted when its slice starts (sliceHook); until then, nothing
      s.sliceTick = -1;
      s.execLo = h.pcLo;
      s.execHi = h.pcHi;
      s.shape = null;
    }
  }

  /**
   * The instruction bits at the hart's pc. A page walk per step (two-stage for V=1) would cost
   * more than the step, so the page is kept while the hart's fetchEpoch — bumped by every
   * change of translation — stays the same, which is what makes the interpreter's own fetch
   * cache exact.
   */
  private fetchAtPc(s: HartSlot, mem: Replayable['mem']): number {
    const h = s.hart;
    const vpn = h.pcLo >>> 12;
    if (s.fetchEpoch !== h.fetchEpoch || s.fetchVpnLo !== vpn || s.fetchVpnHi !== h.pcHi) {
      const pa = fetchPhysical(h, pcOf(h.pcLo, h.pcHi));
      const off = pa < 0 ? -1 : mem.ramOffset(pa, false);
      s.fetchBase = off < 0 ? -1 : off - (off & 0xfff);
      s.fetchEpoch = h.fetchEpoch;
      s.fetchVpnLo = vpn;
      s.fetchVpnHi = h.pcHi;
    }
    const inPage = h.pcLo & 0xfff;
    // page crossings and unmapped pages take the slow path
    if (s.fetchBase < 0 || inPage > 0xffc) return fetchInstruction(mem, h, pcOf(h.pcLo, h.pcHi));
    const lo = mem.dv.getUint16(s.fetchBase + inPage, true);
    if ((lo & 3) !== 3) return lo;
    return (lo | (mem.dv.getUint16(s.fetchBase + inPage + 2, true) << 16)) >>> 0;
  }

  /** x[base] + offset as low/high words into s.addrLo/addrHi. */
  private address(s: { addrLo: number; addrHi: number }, x: Int32Array, shape: AccessShape): void {
    const b = shape.base;
    const lo = b === 0 ? 0 : x[2 * b] >>> 0;
    const hi = b === 0 ? 0 : x[2 * b + 1];
    const sum = lo + shape.offset;
    const carry = Math.floor(sum / TWO32);
    s.addrLo = sum | 0;
    s.addrHi = (hi + carry) | 0;
  }

  /**
   * After a step of exactly one instruction: finds what ran. Returns false when no hart can
   * be named; else whether `filter` says the step may hit a stop (then call describe()).
   */
  after(filter: StepFilter): boolean {
    const slots = this.slots;
    let s: HartSlot | null = null;
    for (const c of slots) if (c.hart.retired !== c.retired) s = c;
    const traps = this.traps;
    // instructions the hypervisor completes (SBI ecall, emulated MMIO) retire no hart instruction
    if (!s && traps.length) s = slots.find((c) => c.hart === traps[traps.length - 1].hart) ?? null;
    if (!s) s = slots.find((c) => c.hart.pcLo !== c.pcLo || c.hart.pcHi !== c.pcHi) ?? null;
    this.ran = s;
    if (!s) return false;
    let redirect: TrapNote | null = null;
    let via: TrapNote | null = null;
    for (const t of traps) {
      if (t.hart !== s.hart || t.target === null) continue;
      via = t;
      if (t.tick > s.sliceTick) redirect = t;
    }
    this.via = via;
    this.shape = null;
    if (redirect) {
      const target = redirect.target!;
      this.execPcLo = Number(BigInt.asIntN(32, target));
      this.execPcHi = Number(BigInt.asIntN(32, target >> 32n));
      if (this.accesses) {
        // trap entry changes no x register: the handler's first instruction saw the trap's registers
        const raw = fetchInstruction(this.system.mem, s.hart, target);
        const shape = raw < 0 ? null : accessOfRaw(raw);
        if (shape) {
          this.shape = shape;
          this.address(this.addr, redirect.x ?? s.hart.x, shape);
        }
      }
    } else {
      this.execPcLo = s.execLo;
      this.execPcHi = s.execHi;
      // an access left to the hypervisor (emulated MMIO) happened too: it completes the instruction
      if (s.shape) {
        this.shape = s.shape;
        this.addr.addrLo = s.addrLo;
        this.addr.addrHi = s.addrHi;
      }
    }
    // a failed SC writes nothing (unprivileged spec 8.2: rd = nonzero on failure)
    if (this.shape?.kind === 'sc' && this.shape.rd !== 0 && s.hart.getX(this.shape.rd) !== 0n) this.shape = null;
    return filter.pcMayHit(this.execPcLo) || (this.shape !== null && filter.accessMayHit(this.addr.addrLo, this.shape.size));
  }

  /** The instruction after() found, in full; `icount` is the position before it. */
  describe(icount: number): ExecutedInsn {
    const s = this.ran!;
    const r = this.via;
    const sh = this.shape;
    return {
      domain: s.domain,
      vcpu: s.vcpu,
      hart: s.hart,
      icount,
      pc: pcOf(this.execPcLo, this.execPcHi),
      viaTrap: r ? { cause: r.cause, interrupt: r.interrupt, from: r.from } : null,
      access: sh ? { kind: sh.kind, address: pcOf(this.addr.addrLo, this.addr.addrHi), size: sh.size, reads: sh.reads, writes: sh.writes } : null,
    };
  }

  /** Bytes at an access's address now, for hit reports (null where unmapped). */
  readAccess(e: ExecutedInsn): Uint8Array | null {
    if (!e.access) return null;
    const m = readVirtual(this.system.mem, e.hart, e.access.address, e.access.size);
    return m.valid.every(Boolean) ? m.bytes : null;
  }
}
