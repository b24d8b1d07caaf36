// netback (docs/PV-ABI.md §10, io/netif.h): the tx ring's packets go out to the domain's
// bridge port; frames the bridge delivers wait in the backend state until the frontend posts
// rx buffers, then are copied into them. Both directions move data through grants only.
import { ETH_HEADER_BYTES } from '../../dm/net-port.ts';
import { GNTST, PAGE } from '../abi.ts';
import { notifyFrontend } from '../evtchn.ts';
import { checkGrant, writableFrame } from '../grant-access.ts';
import type { PvHost } from '../pv-host.ts';
import type { BackendState } from '../state.ts';
import { NETIF_RX_RING, NETIF_TX_RING, pushResponses, reqProd, slotAddr } from './ring.ts';

export const NETTXF = Object.freeze({ csum_blank: 1, data_validated: 2, more_data: 4, extra_info: 8 } as const);
export const NETIF_RSP = Object.freeze({ dropped: -2, error: -1, okay: 0, null: 1 } as const);
/** Frames waiting for rx buffers; more are dropped (a frontend that never posts buffers). */
export const RX_QUEUE_MAX = 256;
const MAX_PACKET = 65535;

interface TxReq {
  gref: number;
  offset: number;
  flags: number;
  id: number;
  size: number;
}

function txReq(pv: PvHost, mfn: number, idx: number): TxReq {
  const r = new DataView(pv.hm.read(slotAddr(mfn, idx, NETIF_TX_RING), 12).buffer);
  return { gref: r.getUint32(0, true), offset: r.getUint16(4, true), flags: r.getUint16(6, true), id: r.getUint16(8, true), size: r.getUint16(10, true) };
}

function txRsp(pv: PvHost, mfn: number, idx: number, id: number, status: number): void {
  const at = slotAddr(mfn, idx, NETIF_TX_RING);
  pv.hm.setU16(at, id);
  pv.hm.setU16(at + 2, status & 0xffff);
}

/** Sends the frontend's queued packets and fills its rx buffers; returns the updated state. */
export function processNetRings(pv: PvHost, dom: number, be: BackendState): BackendState {
  let notify = false;
  const tx = be.rings[0].mfn;
  let cons = be.reqCons[0];
  let rsp = be.rspProd[0];
  const prod = reqProd(pv, tx, cons, NETIF_TX_RING);
  if (prod < 0) pv.log.ring(dom, 'vif-tx', be.devid, 0, 0, 0, NETIF_RSP.error, 'tx ring indices are corrupt; ring ignored');
  while (prod >= 0 && cons !== prod) {
    // one packet: requests chained by NETTXF_more_data; an extra_info request is followed by an extra slot
    const reqs: TxReq[] = [];
    const extras: number[] = [];
    let c = cons;
    let complete = false;
    while (c !== prod) {
      const r = txReq(pv, tx, c);
      reqs.push(r);
      c = (c + 1) >>> 0;
      if (r.flags & NETTXF.extra_info && c !== prod) extras.push(c), (c = (c + 1) >>> 0);
      if (!(r.flags & NETTXF.more_data)) {
        complete = true;
        break;
      }
    }
    if (!complete) break; // the rest of the packet is not pushed yet
    cons = c;
    const { status, why, frame } = gather(pv, dom, reqs);
    if (frame) pv.netPorts.get(`${dom}/${be.devid}`)?.send(frame);
    for (const r of reqs) txRsp(pv, tx, (rsp = (rsp + 1) >>> 0) - 1, r.id, status);
    for (let i = 0; i < extras.length; i++) txRsp(pv, tx, (rsp = (rsp + 1) >>> 0) - 1, 0, NETIF_RSP.null);
    pv.log.ring(dom, 'vif-tx', be.devid, reqs[0].flags, reqs[0].id, reqs[0].size, status, why);
    notify = true;
  }
  pushResponses(pv, tx, rsp, cons);

  const rx = be.rings[1].mfn;
  let rcons = be.reqCons[1];
  let rrsp = be.rspProd[1];
  const queue = [...be.rxQueue];
  const rprod = reqProd(pv, rx, rcons, NETIF_RX_RING);
  if (rprod < 0) pv.log.ring(dom, 'vif-rx', be.devid, 0, 0, 0, NETIF_RSP.error, 'rx ring indices are corrupt; ring ignored');
  while (rprod >= 0 && queue.length > 0 && rcons !== rprod) {
    const r = new DataView(pv.hm.read(slotAddr(rx, rcons, NETIF_RX_RING), 8).buffer);
    rcons = (rcons + 1) >>> 0;
    const id = r.getUint16(0, true);
    const gref = r.getUint32(4, true);
    const frame = new Uint8Array(Buffer.from(queue.shift()!, 'base64'));
    const g = checkGrant(pv, dom, gref, 0, true);
    let status = frame.length;
    let why = '';
    if (g.status !== GNTST.okay || !writableFrame(pv, g.mfn)) (status = NETIF_RSP.error), (why = `grant ${gref} refused (GNTST ${g.status}); frame dropped`);
    else if (frame.length > PAGE) (status = NETIF_RSP.error), (why = `${frame.length}-byte frame does not fit a page; dropped`);
    else pv.hm.write(g.mfn * PAGE, frame);
    pv.log.grant(0, 0, 'copy', dom, gref, g.mfn, 2, g.status);
    const at = slotAddr(rx, rrsp, NETIF_RX_RING);
    pv.hm.setU16(at, id);
    pv.hm.setU16(at + 2, 0);
    pv.hm.setU16(at + 4, 0);
    pv.hm.setU16(at + 6, status & 0xffff);
    rrsp = (rrsp + 1) >>> 0;
    pv.log.ring(dom, 'vif-rx', be.devid, 0, id, frame.length, status, why);
    notify = true;
  }
  pushResponses(pv, rx, rrsp, rcons);
  if (notify) notifyFrontend(pv, dom, be.port);
  return { ...be, reqCons: [cons, rcons], rspProd: [rsp, rrsp], rxQueue: queue };
}

/** Copies a packet's fragments out of the frontend's grants (Xen: the first request's size is the whole packet's). */
function gather(pv: PvHost, dom: number, reqs: TxReq[]): { status: number; why: string; frame: Uint8Array | null } {
  const total = reqs[0].size;
  const rest = reqs.slice(1).reduce((n, r) => n + r.size, 0);
  const firstLen = total - rest;
  if (firstLen < 0 || total > MAX_PACKET) return { status: NETIF_RSP.error, why: `fragment sizes add up to more than the packet's ${total} bytes`, frame: null };
  if (reqs.some((r) => r.flags & NETTXF.extra_info)) return { status: NETIF_RSP.error, why: 'extra_info (GSO) is not supported', frame: null };
  if (total < ETH_HEADER_BYTES) return { status: NETIF_RSP.error, why: `${total}-byte packet is shorter than an Ethernet header`, frame: null };
  const frame = new Uint8Array(total);
  let off = 0;
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i];
    const len = i === 0 ? firstLen : r.size;
    if (r.offset + len > PAGE) return { status: NETIF_RSP.error, why: `fragment ${i} crosses its page (offset ${r.offset}, ${len} bytes)`, frame: null };
    const g = checkGrant(pv, dom, r.gref, 0, false);
    pv.log.grant(0, 0, 'copy', dom, r.gref, g.mfn, 1, g.status);
    if (g.status !== GNTST.okay) return { status: NETIF_RSP.error, why: `fragment ${i}: grant ${r.gref} refused (GNTST ${g.status})`, frame: null };
    frame.set(pv.hm.read(g.mfn * PAGE + r.offset, len), off);
    off += len;
  }
  return { status: NETIF_RSP.okay, why: '', frame };
}
