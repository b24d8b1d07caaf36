// Instructions executed outside the interpreter's hot switch: system (ECALL, EBREAK, xRET,
// WFI, SFENCE.VMA, HFENCE), Zicsr, the A extension, F/D, and H's HLV/HSV. Each returns
// SLOW_TRAPPED when an exception was raised (pc is the handler, nothing retired) or
// SLOW_DONE after setting pc to the next instruction.
import { MNEMONIC, OP, OPERANDS } from '../isa/opcodes.ts';
import { ACCESS_LOAD, ACCESS_STORE, EXC, MS, PRIV_M, PRIV_S, PRIV_U } from './csr-defs.ts';
import { csrRead, csrRmwBase, csrStatus, csrWrite, CSR_OK, markFsDirty } from './csr.ts';
import { SINK, type DecodedPage } from './code-cache.ts';
import { Hart, STOP_WFI } from './hart.ts';
import { loadSlow, noteStore, storeSlow, translate } from './mmu.ts';
import { mret, raiseException, sret, wfiWakes } from './trap.ts';
import { execHypervisorInsn } from './exec-hyp.ts';

export const SLOW_TRAPPED = 0;
export const SLOW_DONE = 1;
/**
 * An exception was raised, but the instruction still counts as executed in virtual time:
 * QEMU's icount charges ecall, ebreak and instructions its decoder rejects (including FP
 * instructions while FS is off), unlike memory and CSR-permission faults (docs/ORACLE.md §1a).
 */
export const SLOW_TRAPPED_COUNTED = 2;

const USES_RM = new Uint8Array(MNEMONIC.length);
OPERANDS.forEach((f, op) => {
  USES_RM[op] = f.endsWith(',m') ? 1 : 0;
});

/** Sets pc to the next sequential instruction. */
function advance(h: Hart, len: number): void {
  const lo = (h.pcLo + len) | 0;
  if (lo >>> 0 < h.pcLo >>> 0) h.pcHi = (h.pcHi + 1) | 0;
  h.pcLo = lo;
}

export function illegal(h: Hart, raw: number): number {
  raiseException(h, EXC.ILLEGAL, raw, 0);
  return SLOW_TRAPPED;
}

function virtualInsn(h: Hart, raw: number): number {
  raiseException(h, EXC.VIRTUAL_INSN, raw, 0);
  return SLOW_TRAPPED;
}

/** U-mode may not execute this; VU gets a virtual-instruction exception. */
function denyUser(h: Hart, raw: number): number {
  return h.virt ? virtualInsn(h, raw) : illegal(h, raw);
}

export function execSlow(h: Hart, dp: DecodedPage, i: number, op: number): number {
  const raw = dp.raw[i] >>> 0;
  const len = dp.len[i];
  switch (op) {
    case OP.ECALL: {
      const cause = h.priv === PRIV_M ? EXC.ECALL_M : h.priv === PRIV_S ? (h.virt ? EXC.ECALL_VS : EXC.ECALL_S) : EXC.ECALL_U;
      raiseException(h, cause, 0, 0);
      return SLOW_TRAPPED_COUNTED;
    }
    case OP.EBREAK:
      // tval may be 0 or the pc (privileged spec 3.1.16); QEMU 7.2 writes 0
      raiseException(h, EXC.BREAKPOINT, 0, 0);
      return SLOW_TRAPPED_COUNTED;
    case OP.MRET:
      // HS-mode may not execute MRET either, so VS/VU get an illegal instruction (spec 9.6.1)
      if (h.priv !== PRIV_M) return illegal(h, raw);
      mret(h);
      return SLOW_DONE;
    case OP.SRET:
      if (h.priv === PRIV_U) return denyUser(h, raw);
      if (h.virt && h.hstatus & (1n << 22n)) return virtualInsn(h, raw); // hstatus.VTSR
      if (!h.virt && h.priv === PRIV_S && h.mstatus & MS.TSR) return illegal(h, raw);
      sret(h);
      return SLOW_DONE;
    case OP.WFI:
      return execWfi(h, raw, len);
    case OP.SFENCE_VMA:
      if (h.priv === PRIV_U) return denyUser(h, raw);
      if (h.virt && h.hstatus & (1n << 20n)) return virtualInsn(h, raw); // hstatus.VTVM
      if (!h.virt && h.priv === PRIV_S && h.mstatus & MS.TVM) return illegal(h, raw);
      h.flushTlb();
      advance(h, len);
      return SLOW_DONE;
    case OP.FENCE:
    case OP.FENCE_TSO:
    case OP.FENCE_I:
      advance(h, len);
      return SLOW_DONE;
    case OP.CSRRW:
    case OP.CSRRS:
    case OP.CSRRC:
    case OP.CSRRWI:
    case OP.CSRRSI:
    case OP.CSRRCI:
      return execCsr(h, dp, i, op, raw, len);
  }
  if (op >= OP.LR_W && op <= OP.AMOMAXU_D) return execAmo(h, dp, i, op, raw, len);
  if (op >= OP.FLW && op <= OP.FMV_D_X) return execFp(h, dp, i, op, raw, len);
  if (op >= OP.HFENCE_VVMA && op <= OP.HSV_D) {
    const r = execHypervisorInsn(h, dp, i, op, raw);
    if (r === SLOW_DONE) advance(h, len);
    return r;
  }
  return illegal(h, raw);
}

function execWfi(h: Hart, raw: number, len: number): number {
  // spec 3.1.6.5: TW traps WFI in every mode below M, and takes precedence over the virtual
  // instruction that VU-mode, or VS-mode with hstatus.VTW (bit 21), gets otherwise (9.6.1)
  if (h.priv !== PRIV_M && h.mstatus & MS.TW) return illegal(h, raw);
  if (h.priv === PRIV_U) return denyUser(h, raw);
  if (h.virt && h.hstatus & (1n << 21n)) return virtualInsn(h, raw);
  advance(h, len);
  if (!wfiWakes(h)) {
    h.waiting = true;
    h.stop = STOP_WFI;
  }
  return SLOW_DONE;
}

function execCsr(h: Hart, dp: DecodedPage, i: number, op: number, raw: number, len: number): number {
  const csr = dp.imm[i] & 0xfff;
  const rd = dp.rd[i];
  const rs1 = dp.rs1[i];
  const x = h.x;
  const immForm = op >= OP.CSRRWI;
  const src = immForm ? BigInt(rs1 >> 1) : (BigInt(x[rs1 + 1] >>> 0) << 32n) | BigInt(x[rs1] >>> 0);
  const kind = immForm ? op - OP.CSRRWI : op - OP.CSRRW; // 0 write, 1 set, 2 clear
  const writes = kind === 0 || rs1 !== 0;
  const reads = kind !== 0 || rd !== SINK;
  h.syncClock();
  // writing a read-only CSR is illegal even where reading it would be a virtual instruction
  if (writes && csr >>> 10 === 3) return illegal(h, raw);
  let old = 0n;
  if (reads) {
    // CSRRW with rd = x0 must not read the CSR nor cause a read's side effects (Zicsr, CSRRW)
    old = csrRead(h, csr);
    if (csrStatus.fault !== CSR_OK) return raiseCsrFault(h, raw);
  }
  if (writes) {
    const base = kind === 0 ? old : csrRmwBase(h, csr, old);
    const nv = kind === 0 ? src : kind === 1 ? base | src : base & ~src;
    csrWrite(h, csr, nv);
    if (csrStatus.fault !== CSR_OK) return raiseCsrFault(h, raw);
  }
  x[rd] = Number(BigInt.asIntN(32, old));
  x[rd + 1] = Number(BigInt.asIntN(32, old >> 32n));
  advance(h, len);
  return SLOW_DONE;
}

function raiseCsrFault(h: Hart, raw: number): number {
  raiseException(h, csrStatus.fault, raw, 0);
  return SLOW_TRAPPED;
}

function execAmo(h: Hart, dp: DecodedPage, i: number, op: number, raw: number, len: number): number {
  void raw;
  const x = h.x;
  const r1 = dp.rs1[i];
  const rd = dp.rd[i];
  const r2 = dp.rs2[i];
  const isD = op >= OP.LR_D;
  const size = isD ? 8 : 4;
  const aLo = x[r1], aHi = x[r1 + 1];
  const isLr = op === OP.LR_W || op === OP.LR_D;
  if (aLo & (size - 1)) {
    raiseException(h, isLr ? EXC.LOAD_MISALIGNED : EXC.STORE_MISALIGNED, aLo, aHi);
    return SLOW_TRAPPED;
  }
  const pa = translate(h, aLo, aHi, isLr ? ACCESS_LOAD : ACCESS_STORE);
  if (pa < 0) return SLOW_TRAPPED;
  const off = h.mem.ramOffset(pa, false);
  if (off < 0) {
    raiseException(h, isLr ? EXC.LOAD_ACCESS : EXC.STORE_ACCESS, aLo, aHi);
    return SLOW_TRAPPED;
  }
  // read-only memory (the boot ROM) reads normally and discards the write half, as plain
  // stores there do (machine/phys-mem.ts, QEMU's ROM regions)
  const writable = isLr || h.mem.ramOffset(pa, true) >= 0;
  const dv = h.mem.dv;
  const oldLo = dv.getInt32(off, true);
  const oldHi = isD ? dv.getInt32(off + 4, true) : oldLo >> 31;
  if (isLr) {
    h.reservation = pa;
    h.reservedLo = oldLo;
    h.reservedHi = isD ? oldHi : 0;
    h.reservedSize = size;
    x[rd] = oldLo;
    x[rd + 1] = oldHi;
    advance(h, len);
    return SLOW_DONE;
  }
  if (op === OP.SC_W || op === OP.SC_D) {
    // QEMU semantics: succeed iff the reservation is for this address and memory still
    // holds the value LR saw (a compare-and-exchange)
    const ok =
      h.reservation === pa && h.reservedSize === size && h.reservedLo === oldLo && (!isD || h.reservedHi === oldHi);
    h.reservation = -1;
    if (ok && writable) {
      dv.setInt32(off, x[r2], true);
      if (isD) dv.setInt32(off + 4, x[r2 + 1], true);
      const page = off >>> 12;
      if (h.mem.pageFlags[page] !== 0) noteStore(h, page);
    }
    x[rd] = ok ? 0 : 1;
    x[rd + 1] = 0;
    advance(h, len);
    return SLOW_DONE;
  }
  const bLo = x[r2], bHi = isD ? x[r2 + 1] : x[r2] >> 31;
  let nLo = 0, nHi = 0;
  switch (isD ? op - (OP.AMOSWAP_D - OP.AMOSWAP_W) : op) {
    case OP.AMOSWAP_W: nLo = bLo; nHi = bHi; break;
    case OP.AMOADD_W: {
      nLo = (oldLo + bLo) | 0;
      nHi = (oldHi + bHi + (nLo >>> 0 < oldLo >>> 0 ? 1 : 0)) | 0;
      break;
    }
    case OP.AMOXOR_W: nLo = oldLo ^ bLo; nHi = oldHi ^ bHi; break;
    case OP.AMOAND_W: nLo = oldLo & bLo; nHi = oldHi & bHi; break;
    case OP.AMOOR_W: nLo = oldLo | bLo; nHi = oldHi | bHi; break;
    case OP.AMOMIN_W:
    case OP.AMOMAX_W:
    case OP.AMOMINU_W:
    case OP.AMOMAXU_W: {
      const base = isD ? op - (OP.AMOSWAP_D - OP.AMOSWAP_W) : op;
      const unsigned = base === OP.AMOMINU_W || base === OP.AMOMAXU_W;
      const wantMin = base === OP.AMOMIN_W || base === OP.AMOMINU_W;
      const less = unsigned
        ? oldHi >>> 0 < bHi >>> 0 || (oldHi === bHi && oldLo >>> 0 < bLo >>> 0)
        : oldHi < bHi || (oldHi === bHi && oldLo >>> 0 < bLo >>> 0);
      const takeOld = wantMin ? less : !less;
      nLo = takeOld ? oldLo : bLo;
      nHi = takeOld ? oldHi : bHi;
      break;
    }
  }
  if (writable) {
    dv.setInt32(off, nLo, true);
    if (isD) dv.setInt32(off + 4, nHi, true);
    const page = off >>> 12;
    if (h.mem.pageFlags[page] !== 0) noteStore(h, page);
  }
  x[rd] = oldLo;
  x[rd + 1] = oldHi;
  advance(h, len);
  return SLOW_DONE;
}

function fpEnabled(h: Hart): boolean {
  return h.fpu !== null && (h.mstatus & MS.FS) !== 0 && (!h.virt || (h.vsstatus & BigInt(MS.FS)) !== 0n);
}

function execFp(h: Hart, dp: DecodedPage, i: number, op: number, raw: number, len: number): number {
  if (!fpEnabled(h)) {
    // QEMU rejects FP instructions with FS = off while translating: they count (like ecall)
    illegal(h, raw);
    return SLOW_TRAPPED_COUNTED;
  }
  const fpu = h.fpu!;
  const x = h.x;
  const f = fpu.f;
  const rd = dp.rd[i];
  const r1 = dp.rs1[i];
  const r2 = dp.rs2[i];
  if (op === OP.FLW || op === OP.FLD) {
    const imm = dp.imm[i];
    const aLo = (x[r1] + imm) | 0;
    const aHi = (x[r1 + 1] + (imm >> 31) + (aLo >>> 0 < x[r1] >>> 0 ? 1 : 0)) | 0;
    const size = op === OP.FLW ? 4 : 8;
    if (!loadSlow(h, aLo, aHi, size, false, SINK)) return SLOW_TRAPPED;
    f[2 * rd] = x[SINK];
    f[2 * rd + 1] = size === 4 ? -1 : x[SINK + 1]; // NaN-box singles (spec 12.2)
    markFsDirty(h);
    advance(h, len);
    return SLOW_DONE;
  }
  if (op === OP.FSW || op === OP.FSD) {
    const imm = dp.imm[i];
    const aLo = (x[r1] + imm) | 0;
    const aHi = (x[r1 + 1] + (imm >> 31) + (aLo >>> 0 < x[r1] >>> 0 ? 1 : 0)) | 0;
    const size = op === OP.FSW ? 4 : 8;
    if (!storeSlow(h, aLo, aHi, size, f[2 * r2], f[2 * r2 + 1])) return SLOW_TRAPPED;
    advance(h, len);
    return SLOW_DONE;
  }
  let rm = 0;
  if (USES_RM[op]) {
    rm = (dp.aux[i] >> 8) & 7;
    if (rm === 7) rm = fpu.frm;
    if (rm > 4) return illegal(h, raw);
  }
  const aux = dp.aux[i];
  // integer operands are stored pre-doubled; the FPU takes plain register numbers
  const intRd = rd >= 64 || isIntRd(op);
  const intRs1 = isIntRs1(op);
  fpu.exec(op, intRd ? rd >> 1 : rd, intRs1 ? r1 >> 1 : r1, r2, aux & 0xff, rm);
  // QEMU 7.2 marks FS dirty only when an FP register is written, not for flag-only changes
  if (!intRd) markFsDirty(h);
  advance(h, len);
  return SLOW_DONE;
}

function isIntRd(op: number): boolean {
  return (
    (op >= OP.FCVT_W_S && op <= OP.FCLASS_S) ||
    (op >= OP.FEQ_D && op <= OP.FCVT_LU_D) ||
    op === OP.FMV_X_D
  ) && op !== OP.FMV_W_X;
}

function isIntRs1(op: number): boolean {
  return (op >= OP.FCVT_S_W && op <= OP.FMV_W_X) || (op >= OP.FCVT_D_W && op <= OP.FCVT_D_LU) || op === OP.FMV_D_X;
}

