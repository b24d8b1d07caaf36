// memory_op (docs/PV-ABI.md §4.5): the domain's reservation of machine frames and its memory
// map. Frames come from and return to the host's FrameAllocator (lowest free first, so the
// same run always hands out the same MFNs); every frame is zeroed when it changes hands.
import { DOMID_SELF, E, E820_RAM, PAGE, XENMEM } from './abi.ts';
import type { Call, HcReturn } from './call.ts';
import type { FrameSet } from './reducer.ts';
import { frameInfo, NO_FRAME } from './state.ts';

/** xen_memory_reservation: { u64 extent_start; u64 nr_extents; u32 extent_order; u32 mem_flags; u16 domid; } */
const RES_SIZE = 26;

export function memoryOp(c: Call): HcReturn {
  const cmd = c.u32(0);
  const arg = c.a(1);
  switch (cmd) {
    case XENMEM.increase_reservation:
    case XENMEM.decrease_reservation:
      return reservation(c, arg, cmd === XENMEM.increase_reservation);
    case XENMEM.maximum_ram_page:
      return c.pv.hm.frames.base / PAGE + c.pv.hm.frames.count;
    case XENMEM.current_reservation:
    case XENMEM.maximum_reservation: {
      const r = c.va.readView(arg, 2);
      if (!r) return -E.EFAULT;
      const domid = r.getUint16(0, true);
      if (!c.isSelf(domid)) return -E.EPERM;
      return cmd === XENMEM.current_reservation ? c.dom.pages : c.dom.maxPages;
    }
    case XENMEM.memory_map: {
      const r = c.va.readView(arg, 16);
      if (!r) return -E.EFAULT;
      const capacity = r.getUint32(0, true);
      const buffer = r.getBigUint64(8, true);
      if (capacity < 1) return -E.EINVAL;
      // one e820-style entry { u64 addr; u64 size; u32 type; u32 pad; }: the domain's PFNs
      const e = new Uint8Array(24);
      const dv = new DataView(e.buffer);
      dv.setBigUint64(0, 0n, true);
      dv.setBigUint64(8, BigInt(c.dom.maxPages) * BigInt(PAGE), true);
      dv.setUint32(16, E820_RAM, true);
      const n = new Uint8Array(4);
      new DataView(n.buffer).setUint32(0, 1, true);
      if (!c.va.check(buffer, 24, true) || !c.va.check(arg, 4, true)) return -E.EFAULT;
      c.va.write(buffer, e);
      c.va.write(arg, n);
      return 0;
    }
    default:
      return -E.ENOSYS;
  }
}

function reservation(c: Call, arg: bigint, increase: boolean): HcReturn {
  const r = c.va.readView(arg, RES_SIZE);
  if (!r) return -E.EFAULT;
  const start = r.getBigUint64(0, true);
  const n64 = r.getBigUint64(8, true);
  const order = r.getUint32(16, true);
  const domid = r.getUint16(24, true);
  if (domid !== DOMID_SELF && domid !== c.id) return -E.EPERM;
  if (order !== 0) return -E.EINVAL;
  const pv = c.pv;
  const dom = c.dom;
  if (increase) {
    const room = Math.max(0, dom.maxPages - dom.pages);
    const n = Number(n64 < BigInt(room) ? n64 : BigInt(room));
    if (!c.va.check(start, n * 8, true)) return -E.EFAULT;
    const got: number[] = [];
    for (let i = 0; i < n; i++) {
      let hpa: number;
      try {
        hpa = pv.hm.frames.alloc(1, c.id, 1, `a frame for domain ${c.d.name}`);
      } catch {
        break; // host memory exhausted: report how many were added
      }
      pv.hm.zeroFrame(hpa / PAGE);
      got.push(hpa / PAGE);
    }
    const out = new Uint8Array(got.length * 8);
    const dv = new DataView(out.buffer);
    got.forEach((m, i) => dv.setBigUint64(i * 8, BigInt(m), true));
    c.va.write(start, out);
    pv.plane.apply({ kind: 'reservation', dom: c.id, pages: dom.pages + got.length, frames: [] });
    return got.length;
  }
  const n = Number(n64 > 65536n ? 65536n : n64);
  if (n64 > 65536n) return -E.EINVAL;
  const list = c.va.readView(start, n * 8);
  if (!list) return -E.EFAULT;
  const mfns: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = list.getBigUint64(i * 8, true);
    const mfn = m <= 0xfffffffffffn ? Number(m) : -1;
    if (mfn < 0 || pv.hm.owner(mfn) !== c.id || mfns.includes(mfn)) return -E.EPERM;
    const f = frameInfo(pv.state, mfn);
    if (f.type !== 'none' || f.count > 0 || f.pinned || f.maps > 0 || pv.isBootPage(c.id, mfn)) return -E.EBUSY;
    mfns.push(mfn);
  }
  const set: FrameSet = mfns.map((m) => [m, NO_FRAME] as const);
  for (const m of mfns) {
    pv.hm.zeroFrame(m);
    pv.hm.frames.release(m * PAGE, 1);
  }
  pv.plane.apply({ kind: 'reservation', dom: c.id, pages: dom.pages - mfns.length, frames: set });
  return mfns.length;
}
