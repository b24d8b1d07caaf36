// H-extension instructions: HFENCE.VVMA/GVMA and the HLV/HLVX/HSV virtual-machine loads and
// stores (privileged spec 1.12 section 9.3). Each returns 1 when done (the caller advances
// pc) or 0 when an exception was raised.
//
// Spec 9.6.1: from VS or VU every one of them is a virtual-instruction exception; from U they
// are illegal, except HLV/HLVX/HSV when hstatus.HU=1. QEMU 7.2 differs in two places we do
// not copy: HFENCE from VU is an illegal instruction there, and for HLV/HSV it reports a
// stale instruction in tval.
import type { DecodedPage } from './code-cache.ts';
import { EXC, MS, PRIV_S, PRIV_U } from './csr-defs.ts';
import { HSTATUS } from './csr-hyp.ts';
import type { Hart } from './hart.ts';
import { loadSlow, storeSlow } from './mmu.ts';
import { OP } from '../isa/opcodes.ts';
import { raiseException } from './trap.ts';

const DONE = 1;
const TRAPPED = 0;

/** Access size and sign extension of each HLV/HLVX op. */
const LOADS = new Map<number, [size: number, signed: boolean, hlvx: boolean]>([
  [OP.HLV_B, [1, true, false]],
  [OP.HLV_BU, [1, false, false]],
  [OP.HLV_H, [2, true, false]],
  [OP.HLV_HU, [2, false, false]],
  [OP.HLVX_HU, [2, false, true]],
  [OP.HLV_W, [4, true, false]],
  [OP.HLVX_WU, [4, false, true]],
  [OP.HLV_WU, [4, false, false]],
  [OP.HLV_D, [8, true, false]],
]);

const STORE_SIZE = new Map<number, number>([
  [OP.HSV_B, 1],
  [OP.HSV_H, 2],
  [OP.HSV_W, 4],
  [OP.HSV_D, 8],
]);

function trap(h: Hart, cause: number, raw: number): number {
  raiseException(h, cause, raw, 0);
  return TRAPPED;
}

export function execHypervisorInsn(h: Hart, dp: DecodedPage, i: number, op: number, raw: number): number {
  if (!h.hasH) return trap(h, EXC.ILLEGAL, raw);
  if (h.virt) return trap(h, EXC.VIRTUAL_INSN, raw);
  if (op === OP.HFENCE_VVMA || op === OP.HFENCE_GVMA) {
    if (h.priv === PRIV_U) return trap(h, EXC.ILLEGAL, raw);
    // mstatus.TVM traps HFENCE.GVMA in HS-mode (spec 9.3.1)
    if (op === OP.HFENCE_GVMA && h.priv === PRIV_S && h.mstatus & MS.TVM) return trap(h, EXC.ILLEGAL, raw);
    // the TLB holds one translation context, whatever the VMID/ASID or address asked for
    h.flushTlb();
    return DONE;
  }
  if (h.priv === PRIV_U && !(h.hstatus & HSTATUS.HU)) return trap(h, EXC.ILLEGAL, raw);
  // the access is made as though V=1 at privilege hstatus.SPVP; MPRV does not apply (9.3.2)
  const priv = Number((h.hstatus & HSTATUS.SPVP) >> 8n);
  const x = h.x;
  const r1 = dp.rs1[i];
  const aLo = x[r1], aHi = x[r1 + 1];
  const load = LOADS.get(op);
  if (load) {
    const [size, signed, hlvx] = load;
    return loadSlow(h, aLo, aHi, size, signed, dp.rd[i], priv, true, hlvx) ? DONE : TRAPPED;
  }
  const size = STORE_SIZE.get(op);
  if (size === undefined) return trap(h, EXC.ILLEGAL, raw);
  const r2 = dp.rs2[i];
  return storeSlow(h, aLo, aHi, size, x[r2], x[r2 + 1], priv, true) ? DONE : TRAPPED;
}
