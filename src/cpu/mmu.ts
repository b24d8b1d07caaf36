// Address translation (privileged spec 4.3-4.4, Sv39) and the data-access slow paths.
// The interpreter's fast path only looks up the TLB; everything else comes here: walks,
// A/D updates (done by hardware, as QEMU does), page-crossing accesses and MMIO.
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, EXC, MS, PRIV_M, PRIV_S, PRIV_U } from './csr-defs.ts';
import { Hart, TLB_SIZE } from './hart.ts';
import { PAGE_CODE, PAGE_TRACK } from './memory-port.ts';
import { raiseException } from './trap.ts';
import { SINK } from './code-cache.ts';
import { peekTranslateGuest, translateGuest, TRANSLATE_GUEST_FAULT } from './mmu-hyp.ts';

const TWO32 = 4294967296;
/** Returned by translate() when it raised a fault. */
export const FAULT = -1;

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;

/** Privilege used for data accesses: MPRV makes M-mode loads/stores use MPP (spec 3.1.6.3). */
export function dataPriv(h: Hart): number {
  if (h.priv === PRIV_M && h.mstatus & MS.MPRV) return (h.mstatus >>> MS.MPP_SHIFT) & 3;
  return h.priv;
}

/** Whether data accesses use the virtual (two-stage) regime: V=1, or MPRV with MPV. */
export function dataVirt(h: Hart): boolean {
  if (h.priv === PRIV_M && h.mstatus & MS.MPRV) return (h.mstatusHi & (1 << 7)) !== 0 && ((h.mstatus >>> MS.MPP_SHIFT) & 3) !== PRIV_M;
  return h.virt;
}

function pageFaultCause(access: number): number {
  return access === ACCESS_FETCH ? EXC.INSN_PAGE : access === ACCESS_LOAD ? EXC.LOAD_PAGE : EXC.STORE_PAGE;
}

export function accessFaultCause(access: number): number {
  return access === ACCESS_FETCH ? EXC.INSN_ACCESS : access === ACCESS_LOAD ? EXC.LOAD_ACCESS : EXC.STORE_ACCESS;
}

/** Reads a 64-bit PTE at physical address pa into h.tmp; false if pa is not RAM. */
function readPte(h: Hart, pa: number): number {
  const off = h.mem.ramOffset(pa, false);
  if (off < 0) return -1;
  h.tmp[0] = h.mem.dv.getInt32(off, true);
  h.tmp[1] = h.mem.dv.getInt32(off + 4, true);
  return off;
}

/** Stores the low word of a PTE (A/D update), keeping code and dirty tracking exact. */
export function writePteLo(h: Hart, off: number, lo: number): void {
  h.mem.dv.setInt32(off, lo, true);
  const page = off >>> 12;
  if (h.mem.pageFlags[page] !== 0) noteStore(h, page);
}

export function noteStore(h: Hart, page: number): void {
  const flags = h.mem.pageFlags[page];
  if (flags & PAGE_CODE) h.code.invalidate(page);
  if (flags & PAGE_TRACK) h.mem.onPageStore(page);
}

/**
 * Sv39 walk for (vaLo, vaHi) with satp = (mode 8, ppn) at privilege `priv`.
 * Returns the physical address, or FAULT after setting h.tmp[0] to the page-fault cause.
 * `sum`/`mxr` are the status bits that apply (VS-stage passes vsstatus's).
 * `ptePhys` maps a PTE's address through G-stage when walking a guest's tables.
 * `hlvx` (HLVX, spec 9.3.2): a load that needs execute permission instead of read.
 */
export function walkSv39(
  h: Hart,
  vaLo: number,
  vaHi: number,
  access: number,
  priv: number,
  rootPpn: number,
  sum: boolean,
  mxr: boolean,
  ptePhys: ((gpa: number, access: number) => number) | null,
  hlvx = false,
): number {
  const top = vaHi >> 6;
  if (top !== 0 && top !== -1) return FAULT;
  const vpn = [(vaLo >>> 12) & 0x1ff, (vaLo >>> 21) & 0x1ff, ((vaLo >>> 30) | ((vaHi & 0x7f) << 2)) & 0x1ff];
  let base = rootPpn * 4096;
  for (let level = 2; level >= 0; level--) {
    const pteGpa = base + vpn[level] * 8;
    let pteAddr = pteGpa;
    if (ptePhys) {
      pteAddr = ptePhys(pteGpa, ACCESS_LOAD);
      if (pteAddr < 0) return TRANSLATE_GUEST_FAULT;
    }
    const off = readPte(h, pteAddr);
    if (off < 0) return FAULT_ACCESS;
    const lo = h.tmp[0], hi = h.tmp[1];
    if (!(lo & PTE_V) || (!(lo & PTE_R) && lo & PTE_W)) return FAULT;
    if (hi >>> 22 !== 0) return FAULT; // bits 63:54 reserved (no Svpbmt/Svnapot)
    const ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
    if (!(lo & (PTE_R | PTE_X))) {
      if (level === 0) return FAULT;
      base = ppn * 4096;
      continue;
    }
    // leaf: permission checks
    if (access === ACCESS_FETCH || hlvx) {
      if (!(lo & PTE_X)) return FAULT;
    } else if (access === ACCESS_LOAD) {
      if (!(lo & PTE_R) && !(mxr && lo & PTE_X)) return FAULT;
    } else if (!(lo & PTE_W)) return FAULT;
    if (priv === PRIV_U) {
      if (!(lo & PTE_U)) return FAULT;
    } else if (lo & PTE_U) {
      if (access === ACCESS_FETCH || !sum) return FAULT;
    }
    // misaligned superpage
    const levelMask = level === 2 ? 0x3ffff : level === 1 ? 0x1ff : 0;
    if (ppn % (levelMask + 1) !== 0) return FAULT;
    // A/D: QEMU updates them in hardware rather than faulting
    let newLo = lo | PTE_A;
    if (access === ACCESS_STORE) newLo |= PTE_D;
    if (newLo !== lo) {
      // the A/D write is an implicit store: G-stage must allow writing the PTE's page
      if (ptePhys && ptePhys(pteGpa, ACCESS_STORE) < 0) return TRANSLATE_GUEST_FAULT;
      const woff = h.mem.ramOffset(pteAddr, true);
      if (woff < 0) return FAULT_ACCESS;
      writePteLo(h, woff, newLo);
    }
    // physical page: superpages take the low VPN bits from the virtual address
    let pagePpn = ppn;
    if (level >= 1) pagePpn += vpn[0];
    if (level === 2) pagePpn += vpn[1] * 512;
    return pagePpn * 4096 + (vaLo & 0xfff);
  }
  return FAULT;
}

/** A PTE could not be read (not RAM): access fault rather than page fault. */
export const FAULT_ACCESS = -2;

/**
 * Translates a virtual address for `access` in the hart's current context. Returns the
 * physical address (a Number below 2^53), or raises the right exception and returns FAULT.
 * `forVirt`/`forPriv` override the context (HLV/HSV, MPRV).
 */
export function translate(h: Hart, vaLo: number, vaHi: number, access: number, forPriv = -1, forVirt = false): number {
  const priv = forPriv >= 0 ? forPriv : access === ACCESS_FETCH ? h.priv : dataPriv(h);
  const virt = forPriv >= 0 ? forVirt : access === ACCESS_FETCH ? h.virt : dataVirt(h);
  if (virt) return translateGuest(h, vaLo, vaHi, access, priv, forPriv >= 0 && access === ACCESS_FETCH);
  const mode = Number(h.satp >> 60n);
  if (priv === PRIV_M || mode === 0) {
    // bare: physical addresses are at most 56 bits; beyond that (or beyond 2^53) nothing exists
    if (vaHi >>> 0 >= 0x200000) {
      raiseException(h, accessFaultCause(access), vaLo, vaHi);
      return FAULT;
    }
    return (vaHi >>> 0) * TWO32 + (vaLo >>> 0);
  }
  const rootPpn = Number(h.satp & 0xfffffffffffn);
  const r = walkSv39(h, vaLo, vaHi, access, priv, rootPpn, (h.mstatus & MS.SUM) !== 0, (h.mstatus & MS.MXR) !== 0, null);
  if (r >= 0) return r;
  raiseException(h, r === FAULT_ACCESS ? accessFaultCause(access) : pageFaultCause(access), vaLo, vaHi);
  return FAULT;
}

/** Whether `priv` may use S-mode translation at all (used by sfence/satp rules). */
export function translationActive(h: Hart): boolean {
  return h.priv !== PRIV_M && (h.satp >> 60n) !== 0n && h.priv <= PRIV_S;
}

/** Inserts a page into the load or store TLB (only whole RAM pages are cached). */
function tlbInsert(h: Hart, vaLo: number, vaHi: number, pa: number, write: boolean): void {
  const pageOff = h.mem.ramOffset(pa - (pa % 4096), write);
  if (pageOff < 0) return;
  // a RAM region that ends mid-page must not be cached as a whole page
  if (h.mem.ramOffset(pa - (pa % 4096) + 4095, write) !== pageOff + 4095) return;
  const vpn = vaLo >>> 12;
  const i = vpn & (TLB_SIZE - 1);
  if (write) {
    h.tlbWTagLo[i] = vpn;
    h.tlbWTagHi[i] = vaHi;
    h.tlbWOff[i] = pageOff;
  } else {
    h.tlbRTagLo[i] = vpn;
    h.tlbRTagHi[i] = vaHi;
    h.tlbROff[i] = pageOff;
  }
}

/** Adds a 64-bit value and a sign-extended 32-bit offset; result in h.tmp. */
export function addOffset(h: Hart, lo: number, hi: number, off: number): void {
  const r = (lo + off) | 0;
  h.tmp[0] = r;
  h.tmp[1] = (hi + (off >> 31) + (r >>> 0 < lo >>> 0 ? 1 : 0)) | 0;
}

/**
 * Load slow path: `size` bytes at (aLo, aHi) into x[rd2] (sign- or zero-extended).
 * Returns false if an exception was raised (pc already points at the handler).
 */
export function loadSlow(h: Hart, aLo: number, aHi: number, size: number, signed: boolean, rd2: number, forPriv = -1, forVirt = false, exec = false): boolean {
  const x = h.x;
  const inPage = aLo & 0xfff;
  if (inPage + size > 4096) {
    // crosses a page: byte by byte, each translated (QEMU splits such accesses too)
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) {
      addOffset(h, aLo, aHi, i);
      const bLo = h.tmp[0], bHi = h.tmp[1];
      // bytes go through the write sink: a fault on a later byte must leave rd unchanged
      if (!loadSlow(h, bLo, bHi, 1, false, SINK, forPriv, forVirt, exec)) return false;
      const b = x[SINK] & 0xff;
      if (i < 4) lo |= b << (8 * i);
      else hi |= b << (8 * (i - 4));
    }
    setLoaded(x, rd2, lo, hi, size, signed);
    return true;
  }
  const pa = translate(h, aLo, aHi, exec ? ACCESS_FETCH : ACCESS_LOAD, forPriv, forVirt);
  if (pa < 0) return false;
  const off = h.mem.ramOffset(pa, false);
  if (off >= 0) {
    const dv = h.mem.dv;
    let lo: number, hi = 0;
    if (size === 1) lo = dv.getUint8(off);
    else if (size === 2) lo = dv.getUint16(off, true);
    else if (size === 4) lo = dv.getInt32(off, true);
    else {
      lo = dv.getInt32(off, true);
      hi = dv.getInt32(off + 4, true);
    }
    setLoaded(x, rd2, lo, hi, size, signed);
    if (forPriv < 0 && !exec) tlbInsert(h, aLo, aHi, pa, false);
    return true;
  }
  h.syncClock();
  if (!h.mem.mmioRead(pa, size as 1 | 2 | 4 | 8, h.tmp)) {
    raiseException(h, EXC.LOAD_ACCESS, aLo, aHi);
    return false;
  }
  setLoaded(x, rd2, h.tmp[0], h.tmp[1], size, signed);
  h.noteDeviceAccess();
  return true;
}

function setLoaded(x: Int32Array, rd2: number, lo: number, hi: number, size: number, signed: boolean): void {
  if (size === 8) {
    x[rd2] = lo;
    x[rd2 + 1] = hi;
    return;
  }
  if (size === 1) lo = signed ? (lo << 24) >> 24 : lo & 0xff;
  else if (size === 2) lo = signed ? (lo << 16) >> 16 : lo & 0xffff;
  x[rd2] = lo | 0;
  x[rd2 + 1] = signed || size === 4 ? (signed ? lo >> 31 : 0) : 0;
}

/** Store slow path: `size` bytes of (lo, hi) at (aLo, aHi). False if an exception was raised. */
export function storeSlow(h: Hart, aLo: number, aHi: number, size: number, lo: number, hi: number, forPriv = -1, forVirt = false): boolean {
  const inPage = aLo & 0xfff;
  if (inPage + size > 4096) {
    // translate both pages before writing anything, so a fault leaves memory untouched; a
    // fault on the second page reports that page's first byte (QEMU 7.2's store_helper_unaligned)
    addOffset(h, aLo & ~0xfff, aHi, 4096);
    const nextLo = h.tmp[0], nextHi = h.tmp[1];
    if (translate(h, aLo, aHi, ACCESS_STORE, forPriv, forVirt) < 0) return false;
    if (translate(h, nextLo, nextHi, ACCESS_STORE, forPriv, forVirt) < 0) return false;
    for (let i = 0; i < size; i++) {
      addOffset(h, aLo, aHi, i);
      const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
      if (!storeSlow(h, h.tmp[0], h.tmp[1], 1, b, 0, forPriv, forVirt)) return false;
    }
    return true;
  }
  const pa = translate(h, aLo, aHi, ACCESS_STORE, forPriv, forVirt);
  if (pa < 0) return false;
  const off = h.mem.ramOffset(pa, true);
  if (off >= 0) {
    const dv = h.mem.dv;
    if (size === 1) dv.setUint8(off, lo);
    else if (size === 2) dv.setUint16(off, lo, true);
    else if (size === 4) dv.setInt32(off, lo, true);
    else {
      dv.setInt32(off, lo, true);
      dv.setInt32(off + 4, hi, true);
    }
    const page = off >>> 12;
    if (h.mem.pageFlags[page] !== 0) noteStore(h, page);
    // the hart's own stores leave an LR reservation alone: SC compares values (QEMU 7.2), and
    // the fast path never sees reservations, so clearing here made SC depend on the TLB
    if (forPriv < 0) tlbInsert(h, aLo, aHi, pa, true);
    return true;
  }
  h.syncClock();
  if (!h.mem.mmioWrite(pa, size as 1 | 2 | 4 | 8, lo, hi)) {
    raiseException(h, EXC.STORE_ACCESS, aLo, aHi);
    return false;
  }
  h.noteDeviceAccess();
  return true;
}

/** Side-effect-free translation for debuggers: physical address or -1 (no A/D updates, no traps). */
export function peekTranslate(h: Hart, va: bigint): number {
  const lo = Number(BigInt.asIntN(32, va));
  const hi = Number(BigInt.asIntN(32, va >> 32n));
  if (dataVirt(h)) return peekTranslateGuest(h, va);
  const mode = Number(h.satp >> 60n);
  const priv = dataPriv(h);
  if (priv === PRIV_M || mode === 0) return (hi >>> 0) * TWO32 + (lo >>> 0);
  const saved = h.tmp.slice();
  // walk without A/D side effects: use a read-only walk on a copy of the decision logic
  const top = hi >> 6;
  if (top !== 0 && top !== -1) return -1;
  const vpn = [(lo >>> 12) & 0x1ff, (lo >>> 21) & 0x1ff, ((lo >>> 30) | ((hi & 0x7f) << 2)) & 0x1ff];
  let base = Number(h.satp & 0xfffffffffffn) * 4096;
  for (let level = 2; level >= 0; level--) {
    const off = readPte(h, base + vpn[level] * 8);
    if (off < 0) break;
    const plo = h.tmp[0], phi = h.tmp[1];
    if (!(plo & PTE_V)) break;
    const ppn = (phi & 0x3fffff) * 4194304 + (plo >>> 10);
    if (!(plo & (PTE_R | PTE_X))) {
      base = ppn * 4096;
      continue;
    }
    let pagePpn = ppn;
    if (level >= 1) pagePpn += vpn[0];
    if (level === 2) pagePpn += vpn[1] * 512;
    h.tmp.set(saved);
    return pagePpn * 4096 + (lo & 0xfff);
  }
  h.tmp.set(saved);
  return -1;
}

