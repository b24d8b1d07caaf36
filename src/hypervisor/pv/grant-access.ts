// Grant entries as the hypervisor reads them (docs/PV-ABI.md §7): checking that domain A
// granted a frame to domain B, and keeping GTF_reading / GTF_writing and the frame's
// references right while mappings exist. Used by GNTTABOP_* and by the backends (dom0).
import { GNTST, GRANT_ENTRIES_PER_FRAME, GRANT_ENTRY_SIZE, GTF, PAGE } from './abi.ts';
import type { FrameSet } from './reducer.ts';
import type { PvHost } from './pv-host.ts';
import { frameInfo, type GrantActive } from './state.ts';

export interface GrantEntry {
  flags: number;
  domid: number;
  frame: number;
}

/** Machine address of entry `ref` in a domain's grant table, or -1 when out of range. */
export function entryAddr(pv: PvHost, dom: number, ref: number): number {
  const pd = pv.state.domains[dom];
  if (!pd || !Number.isInteger(ref) || ref < 0) return -1;
  const f = Math.floor(ref / GRANT_ENTRIES_PER_FRAME);
  if (f >= pd.grantFrames.length) return -1;
  return pd.grantFrames[f] * PAGE + (ref % GRANT_ENTRIES_PER_FRAME) * GRANT_ENTRY_SIZE;
}

export function readEntry(pv: PvHost, at: number): GrantEntry {
  return { flags: pv.hm.u16(at), domid: pv.hm.u16(at + 2), frame: pv.hm.u32(at + 4) };
}

/**
 * Whether `granter` lets `grantee` at entry `ref` (for writing if `write`): the frame or the
 * GNTST_* status that refuses it (§7: a revoked, foreign or read-only-for-write entry, an
 * out-of-range ref, a frame the granter does not own).
 */
export function checkGrant(pv: PvHost, granter: number, ref: number, grantee: number, write: boolean): { status: number; mfn: number; at: number } {
  if (!pv.state.domains[granter]) return { status: GNTST.bad_domain, mfn: 0, at: -1 };
  if (pv.hv.control.state.domains[granter]?.status !== 'running') return { status: GNTST.bad_domain, mfn: 0, at: -1 };
  const at = entryAddr(pv, granter, ref);
  if (at < 0) return { status: GNTST.bad_gntref, mfn: 0, at };
  const e = readEntry(pv, at);
  if (!(e.flags & GTF.permit_access) || e.domid !== grantee) return { status: GNTST.permission_denied, mfn: e.frame, at };
  if (write && e.flags & GTF.readonly) return { status: GNTST.permission_denied, mfn: e.frame, at };
  if (pv.hm.owner(e.frame) !== granter) return { status: GNTST.bad_page, mfn: e.frame, at };
  return { status: GNTST.okay, mfn: e.frame, at };
}

/** Whether the hypervisor may write into a frame on a guest's behalf (never into its page tables). */
export function writableFrame(pv: PvHost, mfn: number): boolean {
  const t = frameInfo(pv.state, mfn).type;
  return t !== 'l1' && t !== 'l2' && t !== 'l3';
}

/**
 * Takes (delta = +1) or drops (-1) a mapping of grant `ref` of `granter`: the active counts
 * that drive GTF_reading / GTF_writing in the entry, and the frame's map and writable
 * references. Returns the new active counts and frame changes, or null when a writable
 * mapping is refused (the frame is a page table).
 */
export function pinGrant(pv: PvHost, granter: number, ref: number, mfn: number, write: boolean, delta: 1 | -1): { active: GrantActive; frames: FrameSet } | null {
  const pd = pv.dom(granter);
  const cur = pd.active[ref] ?? { readers: 0, writers: 0 };
  const txn = pv.typeTxn(granter);
  if (delta > 0) {
    if (write && txn.getType(mfn, 'writable') < 0) return null;
    txn.set(mfn, { maps: txn.info(mfn).maps + 1 });
  } else {
    txn.set(mfn, { maps: Math.max(0, txn.info(mfn).maps - 1) });
    if (write) txn.putType(mfn, 'writable');
  }
  const active = { readers: Math.max(0, cur.readers + (write ? 0 : delta)), writers: Math.max(0, cur.writers + (write ? delta : 0)) };
  const at = entryAddr(pv, granter, ref);
  if (at >= 0) {
    let flags = pv.hm.u16(at) & ~(GTF.reading | GTF.writing);
    if (active.readers + active.writers > 0) flags |= GTF.reading;
    if (active.writers > 0) flags |= GTF.writing;
    pv.hm.setU16(at, flags);
  }
  return { active, frames: txn.changes() };
}
