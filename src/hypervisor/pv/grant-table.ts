// grant_table_op (docs/PV-ABI.md §7), grant tables v1: setting up the table frames, mapping
// and unmapping grants into the caller's address space, copying through grants, and the
// table's size. Each entry of a batch gets its own GNTST_* status and a `grant` event.
import { E, GNTCOPY, GNTMAP, GNTST, GNTTABOP, MAX_GRANT_FRAMES, PAGE, PTE } from './abi.ts';
import { resolveDom, type Call, type HcReturn } from './call.ts';
import { checkGrant, pinGrant, writableFrame } from './grant-access.ts';
import type { PvHost } from './pv-host.ts';
import { frameInfo } from './state.ts';

const SIZE: Record<number, number> = {
  [GNTTABOP.map_grant_ref]: 40,
  [GNTTABOP.unmap_grant_ref]: 24,
  [GNTTABOP.setup_table]: 24,
  [GNTTABOP.copy]: 40,
  [GNTTABOP.query_size]: 16,
};
/** Where each struct's i16 status is. */
const STATUS: Record<number, number> = {
  [GNTTABOP.map_grant_ref]: 20,
  [GNTTABOP.unmap_grant_ref]: 20,
  [GNTTABOP.setup_table]: 8,
  [GNTTABOP.copy]: 36,
  [GNTTABOP.query_size]: 12,
};
/** Grant mappings a domain may hold at once (its maptrack). */
export const MAPTRACK_SIZE = 1024;

export function grantTableOp(c: Call): HcReturn {
  const cmd = c.u32(0);
  const args = c.a(1);
  const count = c.u32(2);
  const size = SIZE[cmd];
  if (!size) return -E.ENOSYS;
  // every struct is read and its status written: check the whole array first (nothing changes on -EFAULT)
  if (!c.va.check(args, count * size, true)) return -E.EFAULT;
  for (let i = 0; i < count; i++) {
    const at = args + BigInt(i * size);
    const r = c.va.readView(at, size)!;
    const out = new DataView(new ArrayBuffer(size));
    new Uint8Array(out.buffer).set(new Uint8Array(r.buffer));
    const status = one(c, cmd, r, out);
    out.setInt16(STATUS[cmd], status, true);
    c.va.write(at, new Uint8Array(out.buffer));
  }
  return 0;
}

function one(c: Call, cmd: number, r: DataView, out: DataView): number {
  switch (cmd) {
    case GNTTABOP.setup_table:
      return setupTable(c, r);
    case GNTTABOP.query_size: {
      const dom = r.getUint16(0, true);
      const ok = c.isSelf(dom);
      if (ok) {
        out.setUint32(4, c.dom.grantFrames.length, true);
        out.setUint32(8, MAX_GRANT_FRAMES, true);
      }
      const st = ok ? GNTST.okay : GNTST.permission_denied;
      c.pv.log.grant(c.id, c.v.id, 'query', resolveDom(c, dom), 0, 0, 0, st);
      return st;
    }
    case GNTTABOP.map_grant_ref:
      return mapGrant(c, r, out);
    case GNTTABOP.unmap_grant_ref: {
      const handle = r.getUint32(16, true);
      const m = c.dom.maptrack[handle];
      const hostAddr = r.getBigUint64(0, true);
      let st: number = GNTST.okay;
      if (!m) st = GNTST.bad_handle;
      else if (hostAddr !== 0n && hostAddr !== m.hostAddr) st = GNTST.bad_virt_addr;
      else unmapGrant(c.pv, c.id, handle);
      c.pv.log.grant(c.id, c.v.id, 'unmap', m?.dom ?? 0, handle, m?.mfn ?? 0, 0, st);
      return st;
    }
    case GNTTABOP.copy:
      return copy(c, r);
  }
  return GNTST.general_error;
}

function setupTable(c: Call, r: DataView): number {
  const pv = c.pv;
  const dom = r.getUint16(0, true);
  const n = r.getUint32(4, true);
  const list = r.getBigUint64(16, true);
  const log = (st: number): number => {
    pv.log.grant(c.id, c.v.id, 'setup', resolveDom(c, dom), n, 0, 0, st);
    return st;
  };
  if (!c.isSelf(dom)) return log(GNTST.permission_denied);
  if (n > MAX_GRANT_FRAMES) return log(GNTST.general_error);
  const vas = c.va.readView(list, n * 8);
  if (!vas) return log(GNTST.bad_virt_addr);
  const slots: number[] = [];
  for (let i = 0; i < n; i++) {
    const va = vas.getBigUint64(i * 8, true);
    const w = c.va.l1Slot(va);
    if (va & 0xfffn || w.l1Slot < 0 || slots.includes(w.l1Slot) || pv.hm.u64(w.l1Slot) & PTE.V) return log(GNTST.bad_virt_addr);
    if (frameInfo(pv.state, w.l1Table).type !== 'l1') return log(GNTST.bad_virt_addr);
    slots.push(w.l1Slot);
  }
  const frames = [...c.dom.grantFrames];
  const fresh: Array<readonly [number, ReturnType<typeof frameInfo>]> = [];
  while (frames.length < n) {
    const m = pv.hm.frames.alloc(1, 0, 1, `the grant table of domain ${c.d.name}`) / PAGE;
    pv.hm.zeroFrame(m);
    frames.push(m);
    fresh.push([m, { type: 'shared', count: 0, pinned: false, maps: 0, sharedWith: c.id }]);
  }
  pv.plane.apply({ kind: 'grant-frames', dom: c.id, grantFrames: frames, frames: fresh });
  const txn = pv.typeTxn(c.id);
  slots.forEach((slot, i) => {
    const pte = (BigInt(frames[i]) << 10n) | PTE.V | PTE.R | PTE.W | PTE.U | PTE.A | PTE.D;
    txn.getEntry('l1', pte, slot);
    pv.hm.setU64(slot, pte);
  });
  pv.plane.apply({ kind: 'frames', set: txn.changes() });
  pv.flushDomain(c.id);
  return log(GNTST.okay);
}

function mapGrant(c: Call, r: DataView, out: DataView): number {
  const pv = c.pv;
  const hostAddr = r.getBigUint64(0, true);
  const flags = r.getUint32(8, true);
  const ref = r.getUint32(12, true);
  const granter = resolveDom(c, r.getUint16(16, true));
  const write = !(flags & GNTMAP.readonly);
  let mfn = 0;
  const log = (st: number): number => {
    pv.log.grant(c.id, c.v.id, 'map', granter, ref, mfn, flags, st);
    return st;
  };
  if (!(flags & GNTMAP.host_map)) return log(GNTST.general_error);
  const g = checkGrant(pv, granter, ref, c.id, write);
  mfn = g.mfn;
  if (g.status !== GNTST.okay) return log(g.status);
  const w = c.va.l1Slot(hostAddr);
  if (hostAddr & 0xfffn || w.l1Slot < 0 || pv.hm.u64(w.l1Slot) & PTE.V || frameInfo(pv.state, w.l1Table).type !== 'l1') return log(GNTST.bad_virt_addr);
  const pd = c.dom;
  let handle = 0;
  while (handle < MAPTRACK_SIZE && pd.maptrack[handle]) handle++;
  if (handle >= MAPTRACK_SIZE) return log(GNTST.no_device_space);
  const pinned = pinGrant(pv, granter, ref, g.mfn, write, 1);
  if (!pinned) return log(GNTST.general_error); // a writable map of a page-table frame (§4.1 rule 1)
  pv.hm.setU64(w.l1Slot, (BigInt(g.mfn) << 10n) | PTE.V | PTE.R | PTE.U | PTE.A | (write ? PTE.W | PTE.D : 0n));
  pv.plane.apply({
    kind: 'grant-map',
    dom: c.id,
    handle,
    mapping: { dom: granter, ref, mfn: g.mfn, hostAddr, pteAddr: w.l1Slot, readonly: !write },
    granter,
    ref,
    active: pinned.active,
    frames: pinned.frames,
  });
  pv.flushDomain(c.id);
  out.setUint32(24, handle, true);
  out.setBigUint64(32, BigInt(g.mfn) * BigInt(PAGE), true);
  return log(GNTST.okay);
}

/** Removes a grant mapping (GNTTABOP_unmap_grant_ref, or forced when either domain stops). */
export function unmapGrant(pv: PvHost, dom: number, handle: number): void {
  const m = pv.dom(dom).maptrack[handle];
  if (!m) return;
  const pte = pv.hm.u64(m.pteAddr);
  if (pte & PTE.V && Number((pte >> 10n) & 0xfffffffffffn) === m.mfn) pv.hm.setU64(m.pteAddr, 0n);
  const granterAlive = !!pv.state.domains[m.dom];
  const pinned = granterAlive ? pinGrant(pv, m.dom, m.ref, m.mfn, !m.readonly, -1) : null;
  pv.plane.apply({ kind: 'grant-map', dom, handle, mapping: null, granter: m.dom, ref: m.ref, active: pinned?.active ?? null, frames: pinned?.frames ?? [] });
  pv.flushDomain(dom);
}

function copy(c: Call, r: DataView): number {
  const pv = c.pv;
  const flags = r.getUint16(34, true);
  const len = r.getUint16(32, true);
  const side = (base: number, dest: boolean): { status: number; mfn: number; dom: number; offset: number; ref: number } => {
    const u = r.getBigUint64(base, true);
    const domid = r.getUint16(base + 8, true);
    const offset = r.getUint32(base + 12, true);
    const dom = resolveDom(c, domid);
    if (flags & (dest ? GNTCOPY.dest_gref : GNTCOPY.source_gref)) {
      const ref = u < 0x100000000n ? Number(u) : -1;
      const g = checkGrant(pv, dom, ref, c.id, dest);
      return { status: g.status, mfn: g.mfn, dom, offset, ref };
    }
    if (!c.isSelf(domid)) return { status: GNTST.bad_domain, mfn: 0, dom, offset, ref: 0 };
    const mfn = u <= 0xfffffffffffn ? Number(u) : -1;
    return { status: mfn >= 0 && pv.hm.owner(mfn) === c.id ? GNTST.okay : GNTST.bad_page, mfn: Math.max(mfn, 0), dom, offset, ref: 0 };
  };
  const src = side(0, false);
  const dst = side(16, true);
  const log = (st: number): number => {
    const gref = flags & GNTCOPY.source_gref ? src : dst;
    pv.log.grant(c.id, c.v.id, 'copy', gref.dom, gref.ref, gref.mfn, flags, st);
    return st;
  };
  if (src.status !== GNTST.okay) return log(src.status);
  if (dst.status !== GNTST.okay) return log(dst.status);
  if (src.offset + len > PAGE || dst.offset + len > PAGE) return log(GNTST.bad_copy_arg);
  if (!writableFrame(pv, dst.mfn)) return log(GNTST.general_error); // never into a page table
  pv.hm.write(dst.mfn * PAGE + dst.offset, pv.hm.read(src.mfn * PAGE + src.offset, len));
  return log(GNTST.okay);
}
