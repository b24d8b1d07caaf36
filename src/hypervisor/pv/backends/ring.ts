// Xen's shared ring layout (io/ring.h), backend side (docs/PV-ABI.md §10): a page starting
// with u32 req_prod, req_event, rsp_prod, rsp_event and 48 bytes of padding, then a
// power-of-two number of slots of the request/response union. The backend keeps req_cons and
// rsp_prod_pvt privately (in its BackendState).
import { PAGE } from '../abi.ts';
import type { PvHost } from '../pv-host.ts';

export interface RingSpec {
  /** __RING_SIZE: the largest power of two of union-sized slots after the 64-byte header. */
  readonly slots: number;
  readonly slotSize: number;
}

export const RING_HEADER = 64;
export const REQ_PROD = 0;
export const REQ_EVENT = 4;
export const RSP_PROD = 8;
export const RSP_EVENT = 12;

function ringSize(slotSize: number): number {
  let n = 1;
  while (n * 2 * slotSize <= PAGE - RING_HEADER) n *= 2;
  return n;
}

/** blkif: request 112 bytes (24 + 11 segments of 8), response 16 → 32 slots. */
export const BLKIF_RING: RingSpec = { slots: ringSize(112), slotSize: 112 };
/** netif tx: request 12 bytes, response 4 → 256 slots. */
export const NETIF_TX_RING: RingSpec = { slots: ringSize(12), slotSize: 12 };
/** netif rx: request 8 bytes, response 8 → 256 slots. */
export const NETIF_RX_RING: RingSpec = { slots: ringSize(8), slotSize: 8 };

export function slotAddr(mfn: number, idx: number, spec: RingSpec): number {
  return mfn * PAGE + RING_HEADER + (idx & (spec.slots - 1)) * spec.slotSize;
}

/** The frontend's req_prod, or -1 when it claims more requests than the ring holds (a broken or hostile frontend). */
export function reqProd(pv: PvHost, mfn: number, cons: number, spec: RingSpec): number {
  const prod = pv.hm.u32(mfn * PAGE + REQ_PROD);
  return ((prod - cons) >>> 0) > spec.slots ? -1 : prod;
}

/**
 * Publishes responses up to `rspProd` and asks for a notification at the next request
 * (RING_PUSH_RESPONSES + RING_FINAL_CHECK_FOR_REQUESTS).
 */
export function pushResponses(pv: PvHost, mfn: number, rspProd: number, reqCons: number): void {
  pv.hm.setU32(mfn * PAGE + RSP_PROD, rspProd >>> 0);
  pv.hm.setU32(mfn * PAGE + REQ_EVENT, (reqCons + 1) >>> 0);
}
