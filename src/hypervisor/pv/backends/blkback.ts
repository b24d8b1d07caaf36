// blkback (docs/PV-ABI.md §10, io/blkif.h): block requests from a frontend's ring, served from
// the domain's BlockBackend (the disk image in ro, rw or cow mode). Data moves through the
// frontend's grants, checked on every segment; the backend never reaches outside the image
// (BlockBackend refuses whole requests past its end) and refuses writes to read-only disks.
import { SECTOR_SIZE, type BlockStatus } from '../../dm/block-backend.ts';
import { GNTST, PAGE } from '../abi.ts';
import { notifyFrontend } from '../evtchn.ts';
import { checkGrant, writableFrame } from '../grant-access.ts';
import type { PvHost } from '../pv-host.ts';
import type { BackendState } from '../state.ts';
import { BLKIF_RING, pushResponses, reqProd, slotAddr } from './ring.ts';

export const BLKIF_OP = Object.freeze({ read: 0, write: 1, flush: 3 } as const);
export const BLKIF_RSP = Object.freeze({ okay: 0, error: -1, eopnotsupp: -2 } as const);
export const BLKIF_MAX_SEGMENTS = 11;
const SECTORS_PER_PAGE = PAGE / SECTOR_SIZE;

interface Segment {
  mfn: number;
  first: number;
  count: number;
}

/** Serves every request the frontend has pushed; returns the updated backend state. */
export function processBlkRing(pv: PvHost, dom: number, be: BackendState): BackendState {
  const mfn = be.rings[0].mfn;
  let cons = be.reqCons[0];
  let rsp = be.rspProd[0];
  const prod = reqProd(pv, mfn, cons, BLKIF_RING);
  if (prod < 0) {
    pv.log.ring(dom, 'vbd', be.devid, 0, 0, 0, BLKIF_RSP.error, 'request ring indices are corrupt (more requests than slots); ring ignored');
    return be;
  }
  let produced = 0;
  while (cons !== prod) {
    const at = slotAddr(mfn, cons, BLKIF_RING);
    const req = new DataView(pv.hm.read(at, BLKIF_RING.slotSize).buffer);
    cons = (cons + 1) >>> 0;
    const op = req.getUint8(0);
    const id = req.getBigUint64(8, true);
    const sector = req.getBigUint64(16, true);
    const { status, why } = serve(pv, dom, be, req);
    const out = slotAddr(mfn, rsp, BLKIF_RING);
    pv.hm.setU64(out, id);
    pv.hm.setU8(out + 8, op);
    pv.hm.setU8(out + 9, 0);
    pv.hm.setU16(out + 10, status & 0xffff);
    rsp = (rsp + 1) >>> 0;
    produced++;
    pv.log.ring(dom, 'vbd', be.devid, op, id, sector, status, why);
  }
  pushResponses(pv, mfn, rsp, cons);
  if (produced > 0) notifyFrontend(pv, dom, be.port);
  return { ...be, reqCons: [cons], rspProd: [rsp] };
}

function serve(pv: PvHost, dom: number, be: BackendState, req: DataView): { status: number; why: string } {
  const op = req.getUint8(0);
  const nseg = req.getUint8(1);
  const sector64 = req.getBigUint64(16, true);
  const disk = pv.domain(dom).disks[be.index];
  if (op === BLKIF_OP.flush) return { status: BLKIF_RSP.okay, why: '' };
  if (op !== BLKIF_OP.read && op !== BLKIF_OP.write) return { status: BLKIF_RSP.eopnotsupp, why: `operation ${op} not supported` };
  if (nseg < 1 || nseg > BLKIF_MAX_SEGMENTS) return { status: BLKIF_RSP.error, why: `${nseg} segments (1..11)` };
  if (op === BLKIF_OP.write && disk.readOnly) return { status: BLKIF_RSP.error, why: 'write to a read-only disk' };
  const toGuest = op === BLKIF_OP.read;
  const segs: Segment[] = [];
  for (let i = 0; i < nseg; i++) {
    const o = 24 + i * 8;
    const gref = req.getUint32(o, true);
    const first = req.getUint8(o + 4);
    const last = req.getUint8(o + 5);
    if (first > last || last >= SECTORS_PER_PAGE) return { status: BLKIF_RSP.error, why: `segment ${i}: sectors ${first}..${last} of a page` };
    const g = checkGrant(pv, dom, gref, 0, toGuest);
    const st = g.status === GNTST.okay && toGuest && !writableFrame(pv, g.mfn) ? GNTST.general_error : g.status;
    pv.log.grant(0, 0, 'copy', dom, gref, g.mfn, toGuest ? 2 : 1, st);
    if (st !== GNTST.okay) return { status: BLKIF_RSP.error, why: `segment ${i}: grant ${gref} refused (GNTST ${st})` };
    segs.push({ mfn: g.mfn, first, count: last - first + 1 });
  }
  const total = segs.reduce((n, s) => n + s.count, 0);
  if (sector64 + BigInt(total) > BigInt(disk.sectors)) return { status: BLKIF_RSP.error, why: `sectors ${sector64}+${total} are past the end of the ${disk.sectors}-sector disk` };
  const sector = Number(sector64);
  const buf = new Uint8Array(total * SECTOR_SIZE);
  let st: BlockStatus;
  if (toGuest) {
    st = disk.read(sector, total, buf);
    if (st === 'ok') {
      let off = 0;
      for (const s of segs) {
        pv.hm.write(s.mfn * PAGE + s.first * SECTOR_SIZE, buf.subarray(off, off + s.count * SECTOR_SIZE));
        off += s.count * SECTOR_SIZE;
      }
    }
  } else {
    let off = 0;
    for (const s of segs) {
      buf.set(pv.hm.read(s.mfn * PAGE + s.first * SECTOR_SIZE, s.count * SECTOR_SIZE), off);
      off += s.count * SECTOR_SIZE;
    }
    st = disk.write(sector, buf);
  }
  return st === 'ok' ? { status: BLKIF_RSP.okay, why: '' } : { status: BLKIF_RSP.error, why: st };
}
