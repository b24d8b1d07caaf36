// Two-stage address translation for V=1 (H extension, privileged spec 1.12 section 9.5):
// the VS-stage maps guest virtual to guest physical addresses through vsatp (Bare or Sv39,
// walked by mmu.ts's walkSv39), and the G-stage maps guest physical to host physical
// addresses through hgatp (Bare or Sv39x4, walked here). Every VS-stage PTE access is itself
// translated by the G-stage. A/D bits are set by the hart in both stages, as QEMU does.
//
// Faults (spec 9.5.1, 9.4.4): a G-stage failure is a guest-page fault (20/21/23, by the
// original access type even for the walk's implicit accesses) with htval/mtval2 = GPA >> 2;
// a VS-stage failure is an ordinary page fault. tval is always the guest virtual address and
// GVA is set. htinst/mtinst get the spec's pseudo-instruction for a fault on an implicit
// access (0x3000 read, 0x3020 write, RV64) and 0 otherwise, as QEMU 7.2 reports.
//
// Deliberate departures from QEMU 7.2 (which we otherwise follow for lockstep), each a QEMU
// bug against the spec: QEMU reports implicit-access guest-page faults as load faults (21)
// whatever the access, does not check G-stage write permission for VS-stage A/D updates,
// treats GPAs as sign-extended 41-bit values (so bit 40 set faults and all-ones GPAs pass),
// uses vsstatus.MXR for the G-stage, and turns HLV/HSV and MPRV+MPV faults into access or
// ordinary page faults depending on satp.
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, EXC, MS } from './csr-defs.ts';
import type { Hart } from './hart.ts';
import { toBigIntU } from './int64.ts';
import { accessFaultCause, FAULT, walkSv39, writePteLo } from './mmu.ts';
import { raiseException } from './trap.ts';

/** translateGuest() result when a guest-page fault was raised. */
export const TRANSLATE_GUEST_FAULT = -3;

const TWO32 = 4294967296;
/** Sv39x4 guest physical addresses have 41 bits (spec 9.5.1). */
const GPA_LIMIT = 2 ** 41;
/** Host physical addresses we can represent exactly; beyond them nothing exists. */
const PA_LIMIT = 2 ** 53;

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;

// hgatp decoded once per value: BigInt arithmetic on every G-stage walk (three or four per
// VS-stage walk) cost a fifth of the run time in a TLB-miss-heavy guest
let hgatpSeen = -1n;
/** Root table address, or -1 for Bare. */
let gRoot = -1;

function decodeHgatp(hgatp: bigint): void {
  hgatpSeen = hgatp;
  gRoot = hgatp >> 60n === 0n ? -1 : Number(hgatp & 0xfffffffffffn) * 4096;
}

// the same for vsatp (root PPN, or -1 for Bare) and vsstatus (SUM, MXR)
let vsatpSeen = -1n;
let vsRootPpn = -1;
let vsstatusSeen = -1n;
let vsSum = false;
let vsMxr = false;

function decodeVs(h: Hart): void {
  if (h.vsatp !== vsatpSeen) {
    vsatpSeen = h.vsatp;
    vsRootPpn = h.vsatp >> 60n === 0n ? -1 : Number(h.vsatp & 0xfffffffffffn);
  }
  if (h.vsstatus !== vsstatusSeen) {
    vsstatusSeen = h.vsstatus;
    vsSum = (h.vsstatus & BigInt(MS.SUM)) !== 0n;
    vsMxr = (h.vsstatus & BigInt(MS.MXR)) !== 0n;
  }
}

/** gStage() results that are not addresses. */
const G_PAGE_FAULT = -1;
const G_ACCESS_FAULT = -2;

/** Permission a G-stage access needs; HLVX reads need execute (spec 9.3.2). */
const NEED_X = 3;

/** htinst/mtinst pseudo-instructions for implicit VS-stage PTE accesses (spec 9.6.3, RV64). */
export const TINST_PTE_READ = 0x3000n;
export const TINST_PTE_WRITE = 0x3020n;

/**
 * G-stage walk (Sv39x4, spec 9.5.1) of guest physical address `gpa` for `access`
 * (ACCESS_* or NEED_X). Every G-stage access counts as a U-mode access, so leaves need U=1.
 * `mxr` is HS-level mstatus.MXR, which applies to explicit loads only. Returns the host
 * physical address, G_PAGE_FAULT or G_ACCESS_FAULT.
 */
function gStage(h: Hart, gpa: number, access: number, mxr: boolean): number {
  if (h.hgatp !== hgatpSeen) decodeHgatp(h.hgatp);
  if (gRoot < 0) return gpa < PA_LIMIT ? gpa : G_ACCESS_FAULT;
  if (gpa >= GPA_LIMIT) return G_PAGE_FAULT;
  const dv = h.mem.dv;
  // the root index takes GPA bits 40:30 (11 bits: four pages of root table)
  const vpn2 = Math.floor(gpa / 1073741824) & 0x7ff;
  const vpn1 = (gpa >>> 21) & 0x1ff;
  const vpn0 = (gpa >>> 12) & 0x1ff;
  let base = gRoot;
  for (let level = 2; level >= 0; level--) {
    const pteAddr = base + (level === 2 ? vpn2 : level === 1 ? vpn1 : vpn0) * 8;
    const off = h.mem.ramOffset(pteAddr, false);
    if (off < 0) return G_ACCESS_FAULT;
    const lo = dv.getInt32(off, true);
    const hi = dv.getInt32(off + 4, true);
    if (!(lo & PTE_V) || (!(lo & PTE_R) && lo & PTE_W)) return G_PAGE_FAULT;
    if (hi >>> 22 !== 0) return G_PAGE_FAULT; // bits 63:54 reserved (no Svpbmt/Svnapot)
    const ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
    if (!(lo & (PTE_R | PTE_X))) {
      if (level === 0) return G_PAGE_FAULT;
      base = ppn * 4096;
      continue;
    }
    if (!(lo & PTE_U)) return G_PAGE_FAULT;
    if (access === ACCESS_FETCH || access === NEED_X) {
      if (!(lo & PTE_X)) return G_PAGE_FAULT;
    } else if (access === ACCESS_LOAD) {
      if (!(lo & PTE_R) && !(mxr && lo & PTE_X)) return G_PAGE_FAULT;
    } else if (!(lo & PTE_W)) return G_PAGE_FAULT;
    const span = level === 2 ? 262144 : level === 1 ? 512 : 1;
    if (ppn % span !== 0) return G_PAGE_FAULT;
    let newLo = lo | PTE_A;
    if (access === ACCESS_STORE) newLo |= PTE_D;
    if (newLo !== lo) {
      const woff = h.mem.ramOffset(pteAddr, true);
      if (woff < 0) return G_ACCESS_FAULT;
      writePteLo(h, woff, newLo);
    }
    // superpages take the low GPA page-number bits
    let pagePpn = ppn;
    if (level >= 1) pagePpn += vpn0;
    if (level === 2) pagePpn += vpn1 * 512;
    return pagePpn * 4096 + (gpa % 4096);
  }
  return G_PAGE_FAULT;
}

/**
 * Small caches of successful translations, valid for one hart until its next flushTlb()
 * (fetchEpoch): instruction fetches (guest virtual page -> host page, so entering a page
 * does not walk both stages again) and the G-stage reads of VS-stage page tables (guest
 * physical page -> host page). Every context change flushes, and the spec lets stale
 * entries live until an SFENCE/HFENCE, like the data TLB.
 */
const CACHE = 64;
const fetchTagLo = new Int32Array(CACHE);
const fetchTagHi = new Int32Array(CACHE);
const fetchPage = new Float64Array(CACHE);
const pteTag = new Float64Array(CACHE);
const ptePage = new Float64Array(CACHE);
let cacheHart: Hart | null = null;
let cacheEpoch = -1;

function cachesFor(h: Hart): void {
  if (h === cacheHart && h.fetchEpoch === cacheEpoch) return;
  cacheHart = h;
  cacheEpoch = h.fetchEpoch;
  fetchTagLo.fill(-1);
  pteTag.fill(-1);
}

// The VS-stage walk reports a failed G-stage translation of a PTE address here (module
// state rather than a closure, so a TLB miss allocates nothing).
let walkHart: Hart | null = null;
let pteFaultGpa = 0;
let pteFaultWrite = false;
let pteFaultAccess = false;

/** walkSv39's `ptePhys`: the G-stage translation of a VS-stage PTE's address. */
function ptePhys(gpa: number, access: number): number {
  const gpage = Math.floor(gpa / 4096);
  const slot = gpage & (CACHE - 1);
  if (access === ACCESS_LOAD && pteTag[slot] === gpage) return ptePage[slot] + (gpa % 4096);
  const pa = gStage(walkHart!, gpa, access, false);
  if (pa >= 0) {
    if (access === ACCESS_LOAD) {
      pteTag[slot] = gpage;
      ptePage[slot] = pa - (pa % 4096);
    }
    return pa;
  }
  pteFaultGpa = gpa;
  pteFaultWrite = access === ACCESS_STORE;
  pteFaultAccess = pa === G_ACCESS_FAULT;
  return pa;
}

function pageFaultCause(access: number): number {
  return access === ACCESS_FETCH ? EXC.INSN_PAGE : access === ACCESS_LOAD ? EXC.LOAD_PAGE : EXC.STORE_PAGE;
}

function guestPageFaultCause(access: number): number {
  return access === ACCESS_FETCH ? EXC.INSN_GUEST_PAGE : access === ACCESS_LOAD ? EXC.LOAD_GUEST_PAGE : EXC.STORE_GUEST_PAGE;
}

/**
 * Translates guest virtual address (vaLo, vaHi) for `access` at VS/VU privilege `priv`
 * (1 or 0). `hlvx`: the access is an HLVX read (`access` is then ACCESS_FETCH, as mmu.ts
 * passes it): it needs execute permission in both stages but faults as a load. Returns the
 * host physical address, or raises the exception and returns a negative value.
 */
export function translateGuest(h: Hart, vaLo: number, vaHi: number, access: number, priv: number, hlvx: boolean): number {
  const kind = hlvx ? ACCESS_LOAD : access; // what faults report
  cachesFor(h);
  const fetch = access === ACCESS_FETCH && !hlvx;
  const slot = (vaLo >>> 12) & (CACHE - 1);
  if (fetch && fetchTagLo[slot] === vaLo >>> 12 && fetchTagHi[slot] === vaHi) return fetchPage[slot] + (vaLo & 0xfff);
  decodeVs(h);
  if (h.hgatp !== hgatpSeen) decodeHgatp(h.hgatp);
  let gpa: number;
  if (vsRootPpn < 0) {
    // VS-stage Bare: the guest physical address is the whole 64-bit virtual address
    gpa = (vaHi >>> 0) * TWO32 + (vaLo >>> 0);
    if (vaHi >>> 0 >= 0x200 && gRoot >= 0) {
      raiseException(h, guestPageFaultCause(kind), vaLo, vaHi, toBigIntU(vaLo, vaHi) >> 2n, 0n, true);
      return TRANSLATE_GUEST_FAULT;
    }
  } else {
    // mstatus.MXR (HS level) also makes execute-only VS-stage pages readable (spec 9.3.2)
    const mxr = vsMxr || (h.mstatus & MS.MXR) !== 0;
    walkHart = h;
    const r = walkSv39(h, vaLo, vaHi, kind, priv, vsRootPpn, vsSum, mxr, ptePhys, hlvx);
    walkHart = null;
    if (r < 0) {
      if (r === TRANSLATE_GUEST_FAULT && !pteFaultAccess) {
        const tinst = pteFaultWrite ? TINST_PTE_WRITE : TINST_PTE_READ;
        raiseException(h, guestPageFaultCause(kind), vaLo, vaHi, BigInt(Math.floor(pteFaultGpa / 4)), tinst, true);
        return TRANSLATE_GUEST_FAULT;
      }
      // FAULT_ACCESS (a PTE outside RAM) and G-stage access faults are access faults
      const cause = r === FAULT ? pageFaultCause(kind) : accessFaultCause(kind);
      raiseException(h, cause, vaLo, vaHi, 0n, 0n, true);
      return FAULT;
    }
    gpa = r;
  }
  const mxrG = kind === ACCESS_LOAD && !hlvx && (h.mstatus & MS.MXR) !== 0;
  const pa = gStage(h, gpa, hlvx ? NEED_X : access, mxrG);
  if (pa >= 0) {
    if (fetch) {
      fetchTagLo[slot] = vaLo >>> 12;
      fetchTagHi[slot] = vaHi;
      fetchPage[slot] = pa - (pa % 4096);
    }
    return pa;
  }
  if (pa === G_ACCESS_FAULT) {
    raiseException(h, accessFaultCause(kind), vaLo, vaHi, 0n, 0n, true);
    return FAULT;
  }
  raiseException(h, guestPageFaultCause(kind), vaLo, vaHi, BigInt(Math.floor(gpa / 4)), 0n, true);
  return TRANSLATE_GUEST_FAULT;
}

/**
 * Side-effect-free two-stage translation for debuggers (no A/D updates, no traps): the host
 * physical address of guest virtual address `va` as the hart's current data accesses would
 * see it, or -1.
 */
export function peekTranslateGuest(h: Hart, va: bigint): number {
  let gpa: number;
  if (h.vsatp >> 60n === 0n) gpa = Number(BigInt.asUintN(64, va));
  else {
    const r = peekWalk(h, Number(h.vsatp & 0xfffffffffffn) * 4096, BigInt.asUintN(64, va), 9, true);
    if (r < 0) return -1;
    gpa = r;
  }
  if (h.hgatp >> 60n === 0n) return gpa < PA_LIMIT ? gpa : -1;
  if (gpa >= GPA_LIMIT) return -1;
  return peekWalk(h, Number(h.hgatp & 0xfffffffffffn) * 4096, BigInt(gpa), 11, false);
}

/** A read-only three-level walk; `viaG` sends each PTE address through the G-stage. */
function peekWalk(h: Hart, root: number, addr: bigint, rootBits: number, viaG: boolean): number {
  const dv = h.mem.dv;
  let base = root;
  for (let level = 2; level >= 0; level--) {
    const bits = level === 2 ? rootBits : 9;
    const idx = Number((addr >> BigInt(12 + 9 * level)) & ((1n << BigInt(bits)) - 1n));
    let pteAddr = base + idx * 8;
    if (viaG) {
      pteAddr = peekTranslateGuestPhys(h, pteAddr);
      if (pteAddr < 0) return -1;
    }
    const off = h.mem.ramOffset(pteAddr, false);
    if (off < 0) return -1;
    const lo = dv.getInt32(off, true);
    const hi = dv.getInt32(off + 4, true);
    if (!(lo & PTE_V)) return -1;
    const ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
    if (!(lo & (PTE_R | PTE_X))) {
      base = ppn * 4096;
      continue;
    }
    const span = 2 ** (9 * level);
    return (ppn + (Number((addr >> 12n) & BigInt(span - 1)))) * 4096 + Number(addr & 0xfffn);
  }
  return -1;
}

function peekTranslateGuestPhys(h: Hart, gpa: number): number {
  if (h.hgatp >> 60n === 0n) return gpa;
  if (gpa >= GPA_LIMIT) return -1;
  return peekWalk(h, Number(h.hgatp & 0xfffffffffffn) * 4096, BigInt(gpa), 11, false);
}
