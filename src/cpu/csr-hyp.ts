// Hypervisor-extension CSRs (privileged spec 1.12 ch. 9): the HS-level h* CSRs and the
// vs* copies of the supervisor CSRs. csr.ts has already applied the privilege rules
// (illegal vs virtual instruction, spec 9.6.1) before calling here, and redirects sstatus,
// sie, sip and satp to the vs* versions when V=1.
//
// Where the spec leaves a choice we follow QEMU 7.2 (hedeleg/hideleg masks, GEILEN = 0 by
// default, htinst ignoring writes). Where QEMU 7.2 departs from the spec we follow the spec
// and say so: QEMU keeps every bit written to hstatus, vsstatus, hgatp and vsatp (even
// reserved ones and unsupported modes), reads vsip as SSIP only, and lets HS read hgatp
// with mstatus.TVM=1.
import { CSR, IRQ, MS, PRIV_S } from './csr-defs.ts';
import type { Hart } from './hart.ts';
import { STOP_BREAK } from './hart.ts';
import { csrStatus, CSR_ILLEGAL, CSR_VIRTUAL } from './csr.ts';
import { effectiveMip } from './trap.ts';

/** Whether `csr` is one of the H extension's hypervisor or VS CSRs. */
export function isHypCsr(csr: number): boolean {
  const top = csr >>> 8;
  return top === 0x2 || top === 0x6 || csr === 0xe12 || top === 0xa || (csr >= 0x680 && csr <= 0x6ff);
}

/** hstatus fields (spec 9.2.1). */
export const HSTATUS = Object.freeze({
  VSBE: 1n << 5n, GVA: 1n << 6n, SPV: 1n << 7n, SPVP: 1n << 8n, HU: 1n << 9n,
  VGEIN: 0x3fn << 12n, VTVM: 1n << 20n, VTW: 1n << 21n, VTSR: 1n << 22n, VSXL: 3n << 32n,
  VGEIN_SHIFT: 12n,
} as const);

/**
 * Writable hstatus bits. VSXL reads 2 (VS-mode is RV64 only) and VSBE reads 0 (little-endian
 * only), as QEMU reads them. VGEIN is WLRL: any 6-bit value is kept, as QEMU does; with no
 * guest external line behind it, a value above GEILEN selects nothing.
 */
const HSTATUS_WMASK = HSTATUS.GVA | HSTATUS.SPV | HSTATUS.SPVP | HSTATUS.HU | HSTATUS.VGEIN | HSTATUS.VTVM | HSTATUS.VTW | HSTATUS.VTSR;
const VSXL_64 = 2n << 32n;

/** Exceptions hedeleg can delegate to VS-mode (QEMU 7.2's vs_delegable_excps; spec 9.2.2). */
export const HEDELEG_MASK = 0xb1ff;
const VS_INTERRUPTS = (1 << IRQ.VSSI) | (1 << IRQ.VSTI) | (1 << IRQ.VSEI);
/** hie/hip: the VS-level bits and SGEI (spec 9.2.3). */
const HS_INTERRUPTS = VS_INTERRUPTS | (1 << IRQ.SGEI);

/**
 * vsstatus bits VS-mode software controls (spec 9.2.11): SIE, SPIE, SPP, FS, SUM, MXR.
 * UBE is 0 (little-endian), XS/VS are 0 (no such extensions), UXL reads 2, SD is derived.
 */
const VSSTATUS_WMASK = BigInt(MS.SIE | MS.SPIE | MS.SPP | MS.FS | MS.SUM | MS.MXR);
const UXL_64 = 2n << 32n;
const SD = 1n << 63n;
/** vsstatus bits whose change alters VS-stage translation. */
const VSSTATUS_XLATE = BigInt(MS.SUM | MS.MXR);
/** henvcfg: FIOM and the Zicbo* enables, as menvcfg in csr.ts (no Svpbmt, no Sstc). */
const HENVCFG_MASK = 0xf1n;

const M64 = (1n << 64n) - 1n;
const PPN44 = (1n << 44n) - 1n;

export function readVsstatus(h: Hart): bigint {
  let v = (h.vsstatus & VSSTATUS_WMASK) | UXL_64;
  if ((v & BigInt(MS.FS)) === BigInt(MS.FS)) v |= SD;
  return v;
}

function writeVsstatus(h: Hart, v: bigint): void {
  const old = h.vsstatus;
  h.vsstatus = (old & ~VSSTATUS_WMASK) | (v & VSSTATUS_WMASK);
  if ((old ^ h.vsstatus) & VSSTATUS_XLATE) h.flushTlb();
}

/** Guest external interrupt lines that exist: hgeie/hgeip bits 1..GEILEN (spec 9.2.4). */
function geMask(h: Hart): number {
  return ((1 << h.geilen) - 1) << 1;
}

/** mstatus.TVM traps HS-mode accesses to hgatp (spec 3.1.6.5, 9.2.10). */
function hgatpTrapped(h: Hart): boolean {
  if (h.priv === PRIV_S && !h.virt && h.mstatus & MS.TVM) {
    csrStatus.fault = CSR_ILLEGAL;
    return true;
  }
  return false;
}

/** hstatus.VTVM traps VS-mode accesses to satp, i.e. vsatp (spec 9.2.1). */
function vsatpTrapped(h: Hart): boolean {
  if (h.virt && h.hstatus & HSTATUS.VTVM) {
    csrStatus.fault = CSR_VIRTUAL;
    return true;
  }
  return false;
}

export function hypCsrRead(h: Hart, csr: number): bigint {
  if (!h.hasH) {
    csrStatus.fault = CSR_ILLEGAL;
    return 0n;
  }
  switch (csr) {
    case CSR.hstatus: return (h.hstatus & HSTATUS_WMASK) | VSXL_64;
    case CSR.hedeleg: return BigInt(h.hedeleg);
    case CSR.hideleg: return BigInt(h.hideleg);
    case CSR.hie: return BigInt(h.mie & HS_INTERRUPTS);
    case CSR.hip: return BigInt(effectiveMip(h) & HS_INTERRUPTS);
    // hvip holds only what the hypervisor injected; VGEIN's line shows in hip/mip (QEMU)
    case CSR.hvip: return BigInt(h.hvip & VS_INTERRUPTS);
    case CSR.hgeip: return BigInt(h.hgeip & geMask(h));
    case CSR.hgeie: return BigInt(h.hgeie);
    case CSR.hcounteren: return BigInt(h.hcounteren >>> 0);
    case CSR.htval: return h.htval;
    case CSR.htinst: return h.htinst;
    case CSR.htimedelta: return h.htimedelta;
    case CSR.henvcfg: return h.henvcfg;
    case CSR.hgatp: return hgatpTrapped(h) ? 0n : h.hgatp;
    case CSR.vsstatus: return readVsstatus(h);
    // spec 9.2.12: vsie/vsip show the VS bits hideleg delegates, shifted to the S positions
    case CSR.vsie: return BigInt((h.mie & h.hideleg & VS_INTERRUPTS) >>> 1);
    case CSR.vsip: return BigInt((effectiveMip(h) & h.hideleg & VS_INTERRUPTS) >>> 1);
    case CSR.vstvec: return h.vstvec;
    case CSR.vsscratch: return h.vsscratch;
    case CSR.vsepc: return h.vsepc;
    case CSR.vscause: return h.vscause;
    case CSR.vstval: return h.vstval;
    case CSR.vsatp: return vsatpTrapped(h) ? 0n : h.vsatp;
  }
  csrStatus.fault = CSR_ILLEGAL;
  return 0n;
}

export function hypCsrWrite(h: Hart, csr: number, v: bigint): void {
  if (!h.hasH) {
    csrStatus.fault = CSR_ILLEGAL;
    return;
  }
  v &= M64;
  // most of these change pending/enabled interrupts or the translation context
  h.stop = STOP_BREAK;
  switch (csr) {
    case CSR.hstatus: h.hstatus = v & HSTATUS_WMASK; return;
    case CSR.hedeleg: h.hedeleg = Number(v & BigInt(HEDELEG_MASK)); return;
    case CSR.hideleg: h.hideleg = Number(v & BigInt(VS_INTERRUPTS)); return;
    case CSR.hie: h.mie = (h.mie & ~HS_INTERRUPTS) | (Number(v & 0xffffn) & HS_INTERRUPTS); return;
    // hip.VSSIP is the only writable bit: an alias of hvip.VSSIP (spec 9.2.3)
    case CSR.hip: h.hvip = (h.hvip & ~(1 << IRQ.VSSI)) | (Number(v & 0xffffn) & (1 << IRQ.VSSI)); return;
    case CSR.hvip: h.hvip = Number(v & 0xffffn) & VS_INTERRUPTS; return;
    case CSR.hgeie: h.hgeie = Number(v & 0xffffffffn) & geMask(h); return;
    case CSR.hcounteren: h.hcounteren = Number(v & 0xffffffffn) | 0; return;
    case CSR.htval: h.htval = v; return;
    // WARL holding only what traps write (spec 9.2.8); QEMU 7.2 ignores writes too
    case CSR.htinst: return;
    case CSR.htimedelta: h.htimedelta = v; return;
    case CSR.henvcfg: h.henvcfg = v & HENVCFG_MASK; return;
    case CSR.hgatp:
      if (!hgatpTrapped(h)) writeHgatp(h, v);
      return;
    case CSR.vsstatus: writeVsstatus(h, v); return;
    case CSR.vsie: {
      const m = h.hideleg & VS_INTERRUPTS;
      h.mie = (h.mie & ~m) | ((Number(v & 0xffffn) << 1) & m);
      return;
    }
    case CSR.vsip: {
      // only SSIP is writable, and only when hideleg delegates VSSI (spec 9.2.12)
      const m = h.hideleg & (1 << IRQ.VSSI);
      h.hvip = (h.hvip & ~m) | ((Number(v & 0xffffn) << 1) & m);
      return;
    }
    case CSR.vstvec:
      // modes 0 (direct) and 1 (vectored) only; others leave the CSR unchanged, as stvec
      if ((v & 3n) < 2n) h.vstvec = v;
      return;
    case CSR.vsscratch: h.vsscratch = v; return;
    case CSR.vsepc: h.vsepc = v & ~1n; return;
    case CSR.vscause: h.vscause = v; return;
    case CSR.vstval: h.vstval = v; return;
    case CSR.vsatp:
      if (!vsatpTrapped(h)) writeVsatp(h, v);
      return;
  }
  csrStatus.fault = CSR_ILLEGAL;
}

/**
 * hgatp (spec 9.2.10): Bare (0) and Sv39x4 (8) only; other modes leave it unchanged, as satp
 * does. For Sv39x4, VMIDLEN is 14 and the PPN's two low bits read 0 because the root is
 * 16 KiB-aligned (QEMU 7.2 keeps all bits). Bare keeps what was written, as satp and QEMU do.
 */
function writeHgatp(h: Hart, v: bigint): void {
  const mode = v >> 60n;
  if (mode !== 0n && mode !== 8n) return;
  const nv = mode === 0n ? v : (8n << 60n) | (v & (0x3fffn << 44n)) | (v & PPN44 & ~3n);
  if (nv !== h.hgatp) {
    h.hgatp = nv;
    h.flushTlb();
  }
}

/** vsatp (spec 9.2.18): the same modes and fields as satp (Bare/Sv39, 16-bit ASID). */
function writeVsatp(h: Hart, v: bigint): void {
  const mode = v >> 60n;
  if (mode !== 0n && mode !== 8n) return;
  const nv = v;
  if (nv !== h.vsatp) {
    h.vsatp = nv;
    h.flushTlb();
  }
}
