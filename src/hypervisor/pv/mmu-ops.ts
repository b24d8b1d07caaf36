// Direct paging hypercalls (docs/PV-ABI.md §4.2-4.4): mmu_update, mmuext_op and
// update_va_mapping. Every PTE change is validated against the frame's type and ownership
// (frame-types.ts) before it is written; the TLBs of the domain's vCPUs are flushed after.
import { E, MMU_MACHPHYS_UPDATE, MMU_NORMAL_PT_UPDATE, MMUEXT, PAGE } from './abi.ts';
import type { Call, HcReturn } from './call.ts';
import { tableLevel, type TableType } from './frame-types.ts';
import { frameInfo } from './state.ts';

/** MMU_NORMAL_PT_UPDATE of the entry at machine address `addr` (shared with update_va_mapping). */
export function ptUpdate(c: Call, addr: number, val: bigint): number {
  const pv = c.pv;
  const mfn = Math.floor(addr / PAGE);
  if (!pv.hm.inRam(addr, 8) || pv.hm.owner(mfn) !== c.id) return -E.EPERM;
  const f = frameInfo(pv.state, mfn);
  const t = tableLevel(f.type);
  if (!t || f.count === 0) return -E.EINVAL;
  // a grant mapping's entry changes only through GNTTABOP_unmap_grant_ref (§7)
  if (pv.grantAt(c.id, addr)) return -E.EINVAL;
  const old = pv.hm.u64(addr);
  const txn = pv.typeTxn(c.id);
  const rc = txn.getEntry(t, val, addr);
  if (rc < 0) return rc;
  txn.putEntry(t, old, addr);
  pv.hm.setU64(addr, val);
  pv.plane.apply({ kind: 'frames', set: txn.changes() });
  return 0;
}

/** mmu_update(reqs, count, done, domid) — nr 1. */
export function mmuUpdate(c: Call): HcReturn {
  const reqs = c.a(0);
  const count = Math.min(c.num(1) < 0 ? 2 ** 31 : c.num(1), 2 ** 31);
  const done = c.a(2);
  if (!c.isSelf(c.u32(3) & 0xffff)) return -E.EPERM;
  if (!c.va.check(reqs, count * 16, false) || (done !== 0n && !c.va.check(done, 4, true))) return -E.EFAULT;
  let rc = 0;
  let i = 0;
  for (; i < count; i++) {
    const r = c.va.readView(reqs + BigInt(i * 16), 16);
    if (!r) {
      rc = -E.EFAULT;
      break;
    }
    const ptr = r.getBigUint64(0, true);
    const val = r.getBigUint64(8, true);
    const cmd = Number(ptr & 3n);
    const addr = ptr & ~7n;
    const a = addr <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(addr) : -1;
    if (cmd === MMU_NORMAL_PT_UPDATE) rc = a < 0 ? -E.EPERM : ptUpdate(c, a, val);
    else if (cmd === MMU_MACHPHYS_UPDATE) rc = machphys(c, a < 0 ? -1 : Math.floor(a / PAGE), val);
    else rc = -E.ENOSYS;
    if (rc < 0) break;
  }
  if (done !== 0n) c.va.writeU32(done, i);
  c.pv.flushDomain(c.id);
  return rc;
}

function machphys(c: Call, mfn: number, pfn: bigint): number {
  if (mfn < 0 || c.pv.hm.owner(mfn) !== c.id) return -E.EPERM;
  c.pv.plane.apply({ kind: 'm2p', dom: c.id, mfn, pfn: Number(BigInt.asUintN(52, pfn)) });
  return 0;
}

const PIN: Record<number, TableType> = { [MMUEXT.PIN_L1_TABLE]: 'l1', [MMUEXT.PIN_L2_TABLE]: 'l2', [MMUEXT.PIN_L3_TABLE]: 'l3' };

/** mmuext_op(ops, count, done, domid) — nr 26. */
export function mmuextOp(c: Call): HcReturn {
  const ops = c.a(0);
  const count = Math.min(c.num(1) < 0 ? 2 ** 31 : c.num(1), 2 ** 31);
  const done = c.a(2);
  if (!c.isSelf(c.u32(3) & 0xffff)) return -E.EPERM;
  if (!c.va.check(ops, count * 24, false) || (done !== 0n && !c.va.check(done, 4, true))) return -E.EFAULT;
  let rc = 0;
  let i = 0;
  for (; i < count; i++) {
    const r = c.va.readView(ops + BigInt(i * 24), 24);
    if (!r) {
      rc = -E.EFAULT;
      break;
    }
    rc = extOp(c, r.getUint32(0, true), r.getBigUint64(8, true));
    if (rc < 0) break;
  }
  if (done !== 0n) c.va.writeU32(done, i);
  return rc;
}

function mfnArg(x: bigint): number {
  return x <= 0xfffffffffffn ? Number(x) : -1;
}

function extOp(c: Call, cmd: number, arg1: bigint): number {
  const pv = c.pv;
  const mfn = mfnArg(arg1);
  switch (cmd) {
    case MMUEXT.PIN_L1_TABLE:
    case MMUEXT.PIN_L2_TABLE:
    case MMUEXT.PIN_L3_TABLE: {
      if (mfn < 0) return -E.EPERM;
      const txn = pv.typeTxn(c.id);
      const rc = txn.pin(mfn, PIN[cmd]);
      if (rc < 0) return rc;
      pv.plane.apply({ kind: 'frames', set: txn.changes() });
      pv.flushDomain(c.id);
      return 0;
    }
    case MMUEXT.UNPIN_TABLE: {
      if (mfn < 0) return -E.EPERM;
      if (pv.hm.owner(mfn) !== c.id) return -E.EPERM;
      if (c.dom.vcpus.some((v) => v.kernelRoot === mfn || v.userRoot === mfn)) return -E.EBUSY;
      const txn = pv.typeTxn(c.id);
      const rc = txn.unpin(mfn);
      if (rc < 0) return rc;
      pv.plane.apply({ kind: 'frames', set: txn.changes() });
      pv.flushDomain(c.id);
      return 0;
    }
    case MMUEXT.NEW_BASEPTR:
    case MMUEXT.NEW_USER_BASEPTR: {
      const user = cmd === MMUEXT.NEW_USER_BASEPTR;
      if (user && arg1 === 0n) {
        pv.setVcpu(c.id, c.v.id, { userRoot: 0 });
        return 0;
      }
      if (mfn < 0 || pv.hm.owner(mfn) !== c.id) return -E.EPERM;
      const f = frameInfo(pv.state, mfn);
      if (!f.pinned || f.type !== 'l3') return -E.EINVAL; // §4.1 rule 4
      pv.setVcpu(c.id, c.v.id, user ? { userRoot: mfn } : { kernelRoot: mfn });
      if (!user && c.vcpu.mode === 'kernel') pv.loadRoot(c.v, mfn);
      return 0;
    }
    case MMUEXT.TLB_FLUSH_LOCAL:
    case MMUEXT.INVLPG_LOCAL:
      c.v.hart.flushTlb();
      return 0;
    case MMUEXT.TLB_FLUSH_ALL:
      pv.flushDomain(c.id);
      return 0;
    default:
      return -E.ENOSYS;
  }
}

/** update_va_mapping(va, val, flags) — nr 14: the l1 entry mapping va in the current root. */
export function updateVaMapping(c: Call): HcReturn {
  const w = c.va.l1Slot(c.a(0));
  if (w.l1Slot < 0) return -E.EINVAL;
  const rc = ptUpdate(c, w.l1Slot, c.a(1));
  c.pv.flushDomain(c.id);
  return rc;
}
