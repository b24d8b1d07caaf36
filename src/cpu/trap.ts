// Trap entry, interrupt selection and xRET (privileged spec 3.1.6-3.1.9, 3.3.2, 4.1.1,
// and 9.5-9.6 for the H extension's VS-level delegation).
import { IRQ, MS, PRIV_M, PRIV_S, PRIV_U } from './csr-defs.ts';
import type { Hart } from './hart.ts';
import { STOP_BREAK, STOP_EXIT } from './hart.ts';
import { toBigIntU } from './int64.ts';

const VS_INTERRUPTS = (1 << IRQ.VSSI) | (1 << IRQ.VSTI) | (1 << IRQ.VSEI);
/**
 * Exceptions whose tval is a virtual address (misaligned, access and page faults, guest-page
 * faults; EBREAK writes 0). Taken from V=1 that address is a guest virtual one, so GVA is set
 * (spec 9.4.1, 9.4.2); HLV/HSV and MPRV+MPV faults from V=0 pass gva themselves.
 */
const ADDRESS_CAUSES = 0xb0b0f3;
/** Interrupt priority, highest first (spec 3.1.9 and 9.2.3). */
const PRIORITY = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI, IRQ.SGEI, IRQ.VSEI, IRQ.VSSI, IRQ.VSTI];

/** Observers of traps (recording, debugger). Never changes behaviour. */
export interface TrapObserver {
  (h: Hart, cause: number, interrupt: boolean, tval: bigint): void;
}

function tvecTarget(tvec: bigint, cause: number, interrupt: boolean): bigint {
  const base = tvec & ~3n;
  if (interrupt && (tvec & 3n) === 1n) return base + BigInt(4 * cause);
  return base;
}

/**
 * Enters the trap handler for `cause`. `tvalLo/Hi` is the trap value (faulting address,
 * instruction bits, or 0). For guest-page faults `gpa` is the guest physical address >> 2
 * that goes into htval/mtval2, and `tinst` the transformed instruction for htinst/mtinst.
 */
export function raiseException(h: Hart, cause: number, tvalLo: number, tvalHi: number, gpa = 0n, tinst = 0n, gva = false): void {
  enterTrap(h, cause, false, toBigIntU(tvalLo, tvalHi), gpa, tinst, gva);
}

export function enterTrap(h: Hart, cause: number, interrupt: boolean, tval: bigint, gpa = 0n, tinst = 0n, gva = false): void {
  const pc = toBigIntU(h.pcLo, h.pcHi);
  const prevPriv = h.priv;
  const prevVirt = h.virt;
  const bit = cause < 32 ? 1 << cause : 0;
  const causeVal = interrupt ? (1n << 63n) | BigInt(cause) : BigInt(cause);
  let deleg = interrupt ? h.mideleg : h.medeleg;
  if (cause >= 32) deleg = 0;
  if (prevVirt && !interrupt && ADDRESS_CAUSES & bit) gva = true;
  h.observer?.(h, cause, interrupt, tval);
  h.waiting = false;
  h.reservation = -1;
  if (h.guestContext) {
    // the hypervisor is the HS/M-mode software: anything not delegated to VS is an exit
    const toVs = prevVirt && prevPriv <= PRIV_S && deleg & bit && (interrupt ? h.hideleg : h.hedeleg) & bit;
    if (!toVs) {
      h.exit = { cause, interrupt, tval, gpa, tinst, gva, priv: prevPriv, virt: prevVirt };
      h.stop = STOP_EXIT;
      return;
    }
  }
  h.stop = STOP_BREAK;

  if (prevPriv <= PRIV_S && deleg & bit) {
    const vsDeleg = interrupt ? h.hideleg : h.hedeleg;
    if (prevVirt && vsDeleg & bit) {
      // VS-mode handles it; VS interrupt causes are reported as their S equivalents
      const vsCause = interrupt && VS_INTERRUPTS & bit ? cause - 1 : cause;
      const vcause = interrupt ? (1n << 63n) | BigInt(vsCause) : BigInt(vsCause);
      let vs = h.vsstatus;
      const sie = (vs >> 1n) & 1n;
      vs = (vs & ~((1n << 5n) | (1n << 1n) | (1n << 8n))) | (sie << 5n) | (BigInt(prevPriv & 1) << 8n);
      h.vsstatus = vs;
      h.vsepc = pc;
      h.vscause = vcause;
      h.vstval = tval;
      h.priv = PRIV_S;
      h.setPc(tvecTarget(h.vstvec, vsCause, interrupt));
      h.flushTlb();
      return;
    }
    // HS-mode (or plain S-mode without H)
    let ms = h.mstatus;
    const sie = (ms & MS.SIE) !== 0;
    ms &= ~(MS.SPIE | MS.SIE | MS.SPP);
    if (sie) ms |= MS.SPIE;
    if (prevPriv === PRIV_S) ms |= MS.SPP;
    h.mstatus = ms;
    if (h.hasH) {
      // hstatus.SPV, GVA; SPVP only when coming from V=1, else it keeps its value (spec 9.2.1)
      let hs = h.hstatus & ~((1n << 7n) | (1n << 6n));
      if (prevVirt) hs = (hs & ~(1n << 8n)) | (1n << 7n) | (BigInt(prevPriv & 1) << 8n);
      if (gva) hs |= 1n << 6n;
      h.hstatus = hs;
      h.htval = gpa;
      h.htinst = tinst;
    }
    h.sepc = pc;
    h.scause = causeVal;
    h.stval = tval;
    h.priv = PRIV_S;
    h.virt = false;
    h.setPc(tvecTarget(h.stvec, cause, interrupt));
    h.flushTlb();
    return;
  }
  // M-mode
  let ms = h.mstatus;
  const mie = (ms & MS.MIE) !== 0;
  ms &= ~(MS.MPIE | MS.MIE | MS.MPP);
  if (mie) ms |= MS.MPIE;
  ms |= prevPriv << MS.MPP_SHIFT;
  h.mstatus = ms;
  if (h.hasH) {
    let hi = h.mstatusHi & ~((1 << 7) | (1 << 6));
    if (prevVirt) hi |= 1 << 7;
    if (gva) hi |= 1 << 6;
    h.mstatusHi = hi;
    h.mtval2 = gpa;
    h.mtinst = tinst;
  }
  h.mepc = pc;
  h.mcause = causeVal;
  h.mtval = tval;
  h.priv = PRIV_M;
  h.virt = false;
  h.setPc(tvecTarget(h.mtvec, cause, interrupt));
  h.flushTlb();
}

/** mip bits as the hart sees them, including VS-level bits derived from hvip and hgeip. */
export function effectiveMip(h: Hart): number {
  return h.mipSw | h.mipHw | h.hvipPending();
}

/**
 * The interrupt the hart should take now, or -1 (spec 3.1.9 "Machine Interrupt Registers"
 * and 9.2.3). Does not look at WFI; pending-and-enabled decides.
 */
export function pendingInterrupt(h: Hart): number {
  const pend = effectiveMip(h) & h.mie;
  if (pend === 0) return -1;
  const priv = h.priv;
  const virt = h.virt;
  const mLevel = pend & ~h.mideleg;
  const mEnabled = priv < PRIV_M || virt || (h.mstatus & MS.MIE) !== 0;
  if (mLevel && mEnabled) return highest(mLevel);
  const sLevel = pend & h.mideleg & ~h.hideleg;
  const sEnabled = virt || priv < PRIV_S || (priv === PRIV_S && (h.mstatus & MS.SIE) !== 0);
  if (sLevel && sEnabled) return highest(sLevel);
  if (virt) {
    const vsLevel = pend & h.mideleg & h.hideleg;
    const vsEnabled = priv === PRIV_U || (h.vsstatus & 2n) !== 0n;
    if (vsLevel && vsEnabled) return highest(vsLevel);
  }
  return -1;
}

function highest(bits: number): number {
  for (const irq of PRIORITY) if (bits & (1 << irq)) return irq;
  return -1;
}

/** Whether WFI should wake: any locally enabled interrupt pending, ignoring global enables. */
export function wfiWakes(h: Hart): boolean {
  return (effectiveMip(h) & h.mie) !== 0;
}

/** MRET (spec 3.3.2). */
export function mret(h: Hart): void {
  let ms = h.mstatus;
  const mpp = (ms >>> MS.MPP_SHIFT) & 3;
  const mpie = (ms & MS.MPIE) !== 0;
  ms &= ~(MS.MIE | MS.MPP);
  if (mpie) ms |= MS.MIE;
  ms |= MS.MPIE;
  if (mpp !== PRIV_M) ms &= ~MS.MPRV;
  h.mstatus = ms;
  let virt = false;
  if (h.hasH) {
    virt = mpp !== PRIV_M && (h.mstatusHi & (1 << 7)) !== 0;
    h.mstatusHi &= ~(1 << 7);
  }
  h.priv = mpp;
  h.virt = virt;
  h.setPc(h.mepc);
  h.flushTlb();
  h.stop = STOP_BREAK;
}

/** SRET from HS/S-mode (spec 3.3.2, 9.6.2) or from VS-mode (uses vsstatus/vsepc). */
export function sret(h: Hart): void {
  if (h.virt) {
    let vs = h.vsstatus;
    const spp = Number((vs >> 8n) & 1n);
    const spie = (vs >> 5n) & 1n;
    vs = (vs & ~((1n << 1n) | (1n << 8n))) | (spie << 1n) | (1n << 5n);
    h.vsstatus = vs;
    h.priv = spp ? PRIV_S : PRIV_U;
    h.setPc(h.vsepc);
    h.flushTlb();
    h.stop = STOP_BREAK;
    return;
  }
  let ms = h.mstatus;
  const spp = (ms & MS.SPP) !== 0;
  const spie = (ms & MS.SPIE) !== 0;
  ms &= ~(MS.SIE | MS.SPP);
  if (spie) ms |= MS.SIE;
  ms |= MS.SPIE;
  ms &= ~MS.MPRV;
  h.mstatus = ms;
  if (h.hasH) {
    const spv = (h.hstatus >> 7n) & 1n;
    h.virt = spv === 1n;
    h.hstatus &= ~(1n << 7n);
  }
  h.priv = spp ? PRIV_S : PRIV_U;
  h.setPc(h.sepc);
  h.flushTlb();
  h.stop = STOP_BREAK;
}
