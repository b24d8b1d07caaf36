// CSR access rules (privileged spec 1.12 ch. 2-4; H extension CSRs live in csr-hyp.ts).
// Where the spec leaves a choice (WARL fields, optional CSRs) we follow QEMU 7.2's virt
// machine so lockstep comparison holds; each such choice says so.
import { CSR, IRQ, MS, MSH, PRIV_M, PRIV_S, PRIV_U } from './csr-defs.ts';
import type { Hart } from './hart.ts';
import { STOP_BREAK } from './hart.ts';
import { hypCsrRead, hypCsrWrite, isHypCsr } from './csr-hyp.ts';

/** Outcome of the last CSR access: 0 ok, 2 illegal instruction, 22 virtual instruction. */
export const CSR_OK = 0;
export const CSR_ILLEGAL = 2;
export const CSR_VIRTUAL = 22;

export const csrStatus = { fault: CSR_OK };

const M64 = (1n << 64n) - 1n;
const SSTATUS_MASK = MS.SIE | MS.SPIE | MS.UBE | MS.SPP | MS.VS | MS.FS | MS.XS | MS.SUM | MS.MXR;
/**
 * VS is writable although there is no V extension: the spec lets it be read-only zero or
 * not (3.1.6.6) and QEMU 7.2 keeps what is written, so SD follows it too.
 */
const MSTATUS_WMASK =
  MS.SIE | MS.MIE | MS.SPIE | MS.MPIE | MS.SPP | MS.MPP | MS.VS | MS.FS | MS.MPRV | MS.SUM | MS.MXR | MS.TVM | MS.TW | MS.TSR;
/** Bits of mstatus whose change alters data-access translation. */
const MSTATUS_XLATE = MS.MPP | MS.MPRV | MS.SUM | MS.MXR;
const S_INTERRUPTS = (1 << IRQ.SSI) | (1 << IRQ.STI) | (1 << IRQ.SEI);
const VS_INTERRUPTS = (1 << IRQ.VSSI) | (1 << IRQ.VSTI) | (1 << IRQ.VSEI);
const M_INTERRUPTS = (1 << IRQ.MSI) | (1 << IRQ.MTI) | (1 << IRQ.MEI);
/** Exceptions medeleg can delegate; QEMU 7.2 lets bit 11 be written too (it never applies). */
const DELEG_EXC = 0xbfff;
const DELEG_EXC_H = 0xf0bfff;
/** envcfg bits QEMU 7.2 implements: FIOM, CBIE, CBCFE, CBZE. */
const ENVCFG_MASK = 0xf1n;
/**
 * mip bits software may write (MSIP/MTIP/MEIP belong to the CLINT and PLIC). SEIP is writable
 * (spec 3.1.9, as QEMU 7.2): the value read is that bit ORed with the PLIC's line.
 */
const MIP_WMASK = (1 << IRQ.SSI) | (1 << IRQ.STI) | (1 << IRQ.SEI);
/**
 * Programmable counters implemented: none, as QEMU 7.2 with pmu-num=0 (the lockstep
 * configuration, docs/ORACLE.md §4): mhpmcounter3..31 and hpmcounter3..31 are illegal, while
 * mhpmevent3..31 still exist (read 0, keep what is written), exactly as QEMU behaves.
 */
const PMU_COUNTERS = 0;
/** pmpcfg registers that exist for our PMP entries: pmpcfg0 and pmpcfg2 (entries 0..15). */
const PMPCFG_REGS = 2;

/** misa for RV64IMAFDC + S + U (+ H): MXL = 2 in bits 63:62. */
export function misaValue(h: Hart): bigint {
  const ext = (c: string) => 1n << BigInt(c.charCodeAt(0) - 65);
  let v = (2n << 62n) | ext('I') | ext('M') | ext('A') | ext('F') | ext('D') | ext('C') | ext('S') | ext('U');
  if (h.hasH) v |= ext('H');
  return v;
}

/** mstatus as a 64-bit value: UXL = SXL = 2 (RV64), SD summarizing FS/XS/VS. */
export function readMstatus(h: Hart): bigint {
  const lo = h.mstatus;
  let hi = MSH.UXL & (2 << 0) | (MSH.SXL & (2 << 2)) | h.mstatusHi;
  if ((lo & MS.FS) === MS.FS || (lo & MS.XS) === MS.XS || (lo & MS.VS) === MS.VS) hi |= MSH.SD;
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function writeMstatus(h: Hart, v: bigint): void {
  const lo = Number(v & 0xffffffffn);
  const old = h.mstatus;
  const next = (old & ~MSTATUS_WMASK) | (lo & MSTATUS_WMASK);
  h.mstatus = next;
  let xlateChanged = ((old ^ next) & MSTATUS_XLATE) !== 0;
  if (h.hasH) {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const oldHi = h.mstatusHi;
    h.mstatusHi = (oldHi & ~(MSH.MPV | MSH.GVA)) | (hi & (MSH.MPV | MSH.GVA));
    // with MPRV, MPV picks two-stage translation for data accesses (spec 9.4.1)
    if ((oldHi ^ h.mstatusHi) & MSH.MPV) xlateChanged = true;
  }
  if (xlateChanged) h.flushTlb();
  h.stop = STOP_BREAK;
}

function writeTvec(v: bigint): bigint | null {
  // mode 0 (direct) and 1 (vectored) only; other modes leave the CSR unchanged (QEMU)
  return (v & 3n) < 2n ? v : null;
}

/** Virtual-time counter that mcycle/minstret follow (QEMU: icount_get(), virtual ns). */
function ticks(h: Hart): bigint {
  h.syncClock();
  return BigInt(h.clock.nowNs());
}

function counterAllowed(h: Hart, index: number): boolean {
  // mcounteren gates S and U, scounteren gates U (spec 3.1.11); hcounteren gates VS/VU (csr-hyp)
  if (h.priv < PRIV_M && !((h.mcounteren >>> index) & 1)) {
    csrStatus.fault = CSR_ILLEGAL;
    return false;
  }
  if (h.virt && !((h.hcounteren >>> index) & 1)) {
    csrStatus.fault = CSR_VIRTUAL;
    return false;
  }
  if (h.priv === PRIV_U && !((h.scounteren >>> index) & 1)) {
    csrStatus.fault = h.virt ? CSR_VIRTUAL : CSR_ILLEGAL;
    return false;
  }
  return true;
}

function counterRead(h: Hart, index: number): bigint {
  // an inhibited counter holds its value in its base field (spec 3.1.12, mcountinhibit)
  if (index === 0) return h.mcountinhibit & 1 ? h.mcycleBase : (ticks(h) - h.mcycleBase) & M64;
  if (index === 1) {
    h.syncClock();
    // VS/VU see the host time plus htimedelta (spec 9.2.7)
    return (h.virt ? h.readTime() + h.htimedelta : h.readTime()) & M64;
  }
  if (index === 2) return h.mcountinhibit & 4 ? h.minstretBase : (ticks(h) - h.minstretBase) & M64;
  return index - 3 < PMU_COUNTERS ? h.mhpmcounter[index - 3] : 0n;
}

function fpuAvailable(h: Hart): boolean {
  if (!h.fpu || (h.mstatus & MS.FS) === 0 || (h.virt && (h.vsstatus & BigInt(MS.FS)) === 0n)) {
    csrStatus.fault = CSR_ILLEGAL;
    return false;
  }
  return true;
}

/** Marks FP state dirty (mstatus.FS = 3, and vsstatus.FS when V = 1). */
export function markFsDirty(h: Hart): void {
  h.mstatus |= MS.FS;
  if (h.virt) h.vsstatus |= BigInt(MS.FS);
}

/**
 * Whether the current mode may access `csr` at all (spec 2.1: bits 11:10 = 3 is read-only,
 * bits 9:8 give the lowest privilege, 2 meaning HS). From VS/VU, an access HS-mode could
 * make to a hypervisor/VS CSR, or VU's access to a supervisor CSR, raises a
 * virtual-instruction exception instead of illegal-instruction (spec 9.6.1).
 */
function privilegeOk(h: Hart, csr: number, write: boolean): boolean {
  if (write && csr >>> 10 === 3) {
    csrStatus.fault = CSR_ILLEGAL;
    return false;
  }
  if (h.priv === PRIV_M) return true;
  const need = (csr >>> 8) & 3;
  let fault = CSR_OK;
  if (need === 3) fault = CSR_ILLEGAL;
  else if (!h.virt) {
    if (need === 2 ? h.priv !== PRIV_S : h.priv < need) fault = CSR_ILLEGAL;
  } else if (need === 2 || (need === PRIV_S && h.priv === PRIV_U)) {
    fault = CSR_VIRTUAL;
  }
  csrStatus.fault = fault;
  return fault === CSR_OK;
}

export function csrRead(h: Hart, csr: number): bigint {
  csrStatus.fault = CSR_OK;
  if (!privilegeOk(h, csr, false)) return 0n;
  if (isHypCsr(csr)) return hypCsrRead(h, csr);
  switch (csr) {
    case CSR.fflags: return fpuAvailable(h) ? BigInt(h.fpu!.fflags) : 0n;
    case CSR.frm: return fpuAvailable(h) ? BigInt(h.fpu!.frm) : 0n;
    case CSR.fcsr: return fpuAvailable(h) ? BigInt((h.fpu!.frm << 5) | h.fpu!.fflags) : 0n;
    case CSR.sstatus: {
      if (h.virt) return hypCsrRead(h, CSR.vsstatus);
      const v = readMstatus(h);
      return v & (BigInt(SSTATUS_MASK) | (3n << 32n) | (1n << 63n));
    }
    case CSR.sie:
      if (h.virt) return hypCsrRead(h, CSR.vsie);
      return BigInt(h.mie & h.mideleg & S_INTERRUPTS);
    case CSR.stvec: return h.virt ? h.vstvec : h.stvec;
    case CSR.scounteren: return BigInt(h.scounteren >>> 0); // 32-bit registers: zero-extended
    case CSR.senvcfg: return h.senvcfg;
    case CSR.sscratch: return h.virt ? h.vsscratch : h.sscratch;
    case CSR.sepc: return h.virt ? h.vsepc : h.sepc;
    case CSR.scause: return h.virt ? h.vscause : h.scause;
    case CSR.stval: return h.virt ? h.vstval : h.stval;
    case CSR.sip:
      if (h.virt) return hypCsrRead(h, CSR.vsip);
      return BigInt(h.mip & h.mideleg & S_INTERRUPTS);
    case CSR.satp:
      if (h.virt) return hypCsrRead(h, CSR.vsatp);
      if (h.priv === PRIV_S && h.mstatus & MS.TVM) {
        csrStatus.fault = CSR_ILLEGAL;
        return 0n;
      }
      return h.satp;
    case CSR.mvendorid: return 0n;
    case CSR.marchid: return 0n;
    case CSR.mimpid: return 0n;
    case CSR.mhartid: return BigInt(h.id);
    case CSR.mconfigptr: return 0n;
    case CSR.mstatus: return readMstatus(h);
    case CSR.misa: return misaValue(h);
    case CSR.medeleg: return BigInt(h.medeleg);
    case CSR.mideleg: return BigInt(h.mideleg);
    case CSR.mie: return BigInt(h.mie);
    case CSR.mtvec: return h.mtvec;
    case CSR.mcounteren: return BigInt(h.mcounteren >>> 0);
    case CSR.menvcfg: return h.menvcfg;
    case CSR.mcountinhibit: return BigInt(h.mcountinhibit >>> 0);
    case CSR.mscratch: return h.mscratch;
    case CSR.mepc: return h.mepc;
    case CSR.mcause: return h.mcause;
    case CSR.mtval: return h.mtval;
    case CSR.mip: return BigInt(h.mip | h.hvipPending());
    // mtval2/mtinst exist with the H extension (spec 9.4.4, 9.4.5)
    case CSR.mtval2: if (h.hasH) return h.mtval2; break;
    case CSR.mtinst: if (h.hasH) return h.mtinst; break;
    case CSR.mcycle: return counterRead(h, 0);
    case CSR.minstret: return counterRead(h, 2);
  }
  if (csr >= CSR.cycle && csr <= CSR.hpmcounter31) {
    const index = csr - CSR.cycle;
    if (index >= 3 && index - 3 >= PMU_COUNTERS) return break_illegal();
    return counterAllowed(h, index) ? counterRead(h, index) : 0n;
  }
  if (csr >= CSR.mhpmcounter3 && csr <= CSR.mhpmcounter31) {
    if (csr - CSR.mhpmcounter3 >= PMU_COUNTERS) return break_illegal();
    return counterRead(h, csr - CSR.mcycle);
  }
  if (csr >= CSR.mhpmevent3 && csr <= CSR.mhpmevent31) return h.mhpmevent[csr - CSR.mhpmevent3];
  if (csr >= CSR.pmpcfg0 && csr <= CSR.pmpcfg15) {
    // RV64 has only the even pmpcfg registers; those past our 16 entries do not exist (QEMU)
    if (csr & 1 || (csr - CSR.pmpcfg0) >> 1 >= PMPCFG_REGS) return break_illegal();
    return h.pmpcfg[(csr - CSR.pmpcfg0) >> 1];
  }
  if (csr >= CSR.pmpaddr0 && csr <= CSR.pmpaddr63) {
    if (csr - CSR.pmpaddr0 >= h.pmpEntries) return break_illegal();
    return h.pmpaddr[csr - CSR.pmpaddr0];
  }
  csrStatus.fault = CSR_ILLEGAL;
  return 0n;
}

function break_illegal(): bigint {
  csrStatus.fault = CSR_ILLEGAL;
  return 0n;
}

/**
 * The value CSRRS/CSRRC modify. For mip that is the software-writable SEIP bit alone, not
 * its OR with the PLIC's line (spec 3.1.9), so a set or clear of other bits never latches
 * an external interrupt into the software bit.
 */
export function csrRmwBase(h: Hart, csr: number, old: bigint): bigint {
  if (csr !== CSR.mip) return old;
  const sei = BigInt(1 << IRQ.SEI);
  return (old & ~sei) | (BigInt(h.mipSw) & sei);
}

export function csrWrite(h: Hart, csr: number, v: bigint): void {
  csrStatus.fault = CSR_OK;
  if (!privilegeOk(h, csr, true)) return;
  v &= M64;
  if (isHypCsr(csr)) {
    hypCsrWrite(h, csr, v);
    return;
  }
  switch (csr) {
    case CSR.fflags:
      if (fpuAvailable(h)) {
        h.fpu!.fflags = Number(v & 0x1fn);
        markFsDirty(h);
      }
      return;
    case CSR.frm:
      if (fpuAvailable(h)) {
        h.fpu!.frm = Number(v & 7n);
        markFsDirty(h);
      }
      return;
    case CSR.fcsr:
      if (fpuAvailable(h)) {
        h.fpu!.fflags = Number(v & 0x1fn);
        h.fpu!.frm = Number((v >> 5n) & 7n);
        markFsDirty(h);
      }
      return;
    case CSR.sstatus:
      if (h.virt) return hypCsrWrite(h, CSR.vsstatus, v);
      writeMstatus(h, (readMstatus(h) & ~BigInt(SSTATUS_MASK)) | (v & BigInt(SSTATUS_MASK)));
      return;
    case CSR.sie:
      if (h.virt) return hypCsrWrite(h, CSR.vsie, v);
      h.mie = (h.mie & ~(h.mideleg & S_INTERRUPTS)) | (Number(v & 0xffffn) & h.mideleg & S_INTERRUPTS);
      h.stop = STOP_BREAK;
      return;
    case CSR.stvec: {
      const t = writeTvec(v);
      if (t !== null) {
        if (h.virt) h.vstvec = t;
        else h.stvec = t;
      }
      return;
    }
    case CSR.scounteren: h.scounteren = Number(v & 0xffffffffn) | 0; return;
    case CSR.senvcfg: h.senvcfg = v & ENVCFG_MASK; return;
    case CSR.sscratch:
      if (h.virt) h.vsscratch = v;
      else h.sscratch = v;
      return;
    case CSR.sepc:
      if (h.virt) h.vsepc = v & ~1n;
      else h.sepc = v & ~1n;
      return;
    case CSR.scause:
      if (h.virt) h.vscause = v;
      else h.scause = v;
      return;
    case CSR.stval:
      if (h.virt) h.vstval = v;
      else h.stval = v;
      return;
    case CSR.sip:
      if (h.virt) return hypCsrWrite(h, CSR.vsip, v);
      h.mipSw = (h.mipSw & ~(h.mideleg & (1 << IRQ.SSI))) | (Number(v & 0xffffn) & h.mideleg & (1 << IRQ.SSI));
      h.stop = STOP_BREAK;
      return;
    case CSR.satp:
      if (h.virt) return hypCsrWrite(h, CSR.vsatp, v);
      if (h.priv === PRIV_S && h.mstatus & MS.TVM) {
        csrStatus.fault = CSR_ILLEGAL;
        return;
      }
      writeSatp(h, v);
      return;
    case CSR.mstatus: writeMstatus(h, v); return;
    case CSR.misa: return; // read-only (QEMU 7.2 default)
    case CSR.medeleg: h.medeleg = Number(v & BigInt(h.hasH ? DELEG_EXC_H : DELEG_EXC)); return;
    case CSR.mideleg: {
      const hsFixed = h.hasH ? VS_INTERRUPTS | (1 << IRQ.SGEI) : 0;
      h.mideleg = (Number(v & 0xffffn) & S_INTERRUPTS) | hsFixed;
      h.stop = STOP_BREAK;
      return;
    }
    case CSR.mie: {
      const mask = M_INTERRUPTS | S_INTERRUPTS | (h.hasH ? VS_INTERRUPTS | (1 << IRQ.SGEI) : 0);
      h.mie = Number(v & 0xffffn) & mask;
      h.stop = STOP_BREAK;
      return;
    }
    case CSR.mtvec: {
      const t = writeTvec(v);
      if (t !== null) h.mtvec = t;
      return;
    }
    case CSR.mcounteren: h.mcounteren = Number(v & 0xffffffffn) | 0; return;
    case CSR.menvcfg: h.menvcfg = v & ENVCFG_MASK; return;
    case CSR.mcountinhibit: {
      const nv = Number(v & 0xfffffffdn) | 0;
      // CY and IR: a base (counter = ticks - base) turns into the held value and back
      const flip = h.mcountinhibit ^ nv;
      if (flip & 5) {
        const now = ticks(h);
        if (flip & 1) h.mcycleBase = (now - h.mcycleBase) & M64;
        if (flip & 4) h.minstretBase = (now - h.minstretBase) & M64;
      }
      h.mcountinhibit = nv;
      return;
    }
    case CSR.mscratch: h.mscratch = v; return;
    case CSR.mepc: h.mepc = v & ~1n; return;
    case CSR.mcause: h.mcause = v; return;
    case CSR.mtval: h.mtval = v; return;
    case CSR.mtval2:
      if (!h.hasH) break;
      h.mtval2 = v;
      return;
    case CSR.mtinst:
      if (!h.hasH) break;
      h.mtinst = v;
      return;
    case CSR.mip: {
      const mask = MIP_WMASK | (h.hasH ? 1 << IRQ.VSSI : 0);
      const nv = Number(v & 0xffffn);
      h.mipSw = (h.mipSw & ~mask) | (nv & mask & ~(1 << IRQ.VSSI));
      if (h.hasH) h.hvip = (h.hvip & ~(1 << IRQ.VSSI)) | (nv & (1 << IRQ.VSSI));
      h.stop = STOP_BREAK;
      return;
    }
    case CSR.mcycle: h.mcycleBase = h.mcountinhibit & 1 ? v : (ticks(h) - v) & M64; return;
    case CSR.minstret: h.minstretBase = h.mcountinhibit & 4 ? v : (ticks(h) - v) & M64; return;
  }
  if (csr >= CSR.mhpmcounter3 && csr <= CSR.mhpmcounter31) {
    const i = csr - CSR.mhpmcounter3;
    if (i >= PMU_COUNTERS) {
      csrStatus.fault = CSR_ILLEGAL;
      return;
    }
    h.mhpmcounter[i] = v;
    return;
  }
  if (csr >= CSR.mhpmevent3 && csr <= CSR.mhpmevent31) {
    h.mhpmevent[csr - CSR.mhpmevent3] = v;
    return;
  }
  if (csr >= CSR.pmpcfg0 && csr <= CSR.pmpcfg15) {
    if (csr & 1 || (csr - CSR.pmpcfg0) >> 1 >= PMPCFG_REGS) {
      csrStatus.fault = CSR_ILLEGAL;
      return;
    }
    writePmpcfg(h, (csr - CSR.pmpcfg0) >> 1, v);
    return;
  }
  if (csr >= CSR.pmpaddr0 && csr <= CSR.pmpaddr63) {
    const i = csr - CSR.pmpaddr0;
    if (i >= h.pmpEntries) {
      csrStatus.fault = CSR_ILLEGAL;
      return;
    }
    if (pmpLocked(h, i)) return;
    // a locked TOR entry also locks the address below it (spec 3.7.1)
    if (i + 1 < h.pmpEntries && pmpLocked(h, i + 1) && ((pmpCfgByte(h, i + 1) >> 3) & 3) === 1) return;
    // QEMU 7.2 keeps all 64 bits (the spec makes bits 63:54 WARL zero); OpenSBI probes the
    // address width by writing all-ones and reading back, so this is visible in lockstep
    h.pmpaddr[i] = v;
    return;
  }
  csrStatus.fault = CSR_ILLEGAL;
}

function pmpCfgByte(h: Hart, i: number): number {
  return Number((h.pmpcfg[i >> 3] >> BigInt(8 * (i & 7))) & 0xffn);
}

function pmpLocked(h: Hart, i: number): boolean {
  return (pmpCfgByte(h, i) & 0x80) !== 0;
}

function writePmpcfg(h: Hart, reg: number, v: bigint): void {
  // each byte configures one entry; locked entries and entries beyond the implemented count keep their value
  let cur = h.pmpcfg[reg];
  for (let b = 0; b < 8; b++) {
    const entry = reg * 8 + b;
    if (entry >= h.pmpEntries || pmpLocked(h, entry)) continue;
    const shift = BigInt(8 * b);
    cur = (cur & ~(0xffn << shift)) | (((v >> shift) & 0xffn) << shift);
  }
  h.pmpcfg[reg] = cur;
}

/** satp: only Bare (0) and Sv39 (8) are implemented; other modes leave satp unchanged (WARL). */
function writeSatp(h: Hart, v: bigint): void {
  const mode = v >> 60n;
  if (mode !== 0n && mode !== 8n) return;
  // ASID (16 bits) and PPN (44 bits) fill the rest. Bare with nonzero ASID/PPN is
  // UNSPECIFIED (spec 4.1.11); QEMU 7.2 keeps what was written, and so do we.
  const nv = v;
  if (nv !== h.satp) {
    h.satp = nv;
    h.flushTlb();
  }
}

