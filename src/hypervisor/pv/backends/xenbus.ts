// The backends' side of xenbus (docs/PV-ABI.md §8, §10): each disk and vif of a PV domain has
// a BackendState. When the frontend's `state` reaches Initialised (3) the backend reads
// ring-ref(s) and event-channel, maps the rings through the frontend's grants, binds the port,
// and moves both ends to Connected (4); Closing/Closed disconnects. While connected, a
// notification on the port makes it serve the rings at the next slice boundary.
import type { Domain } from '../../domain.ts';
import { GNTST, XENBUS } from '../abi.ts';
import { checkGrant, pinGrant } from '../grant-access.ts';
import type { PvHost } from '../pv-host.ts';
import type { BackendState } from '../state.ts';
import { backendPath, frontendPath } from '../xenstore/devices.ts';
import { fireWatches } from '../xenstore/protocol.ts';
import { XsFail, XsView } from '../xenstore/store.ts';
import { processBlkRing } from './blkback.ts';
import { processNetRings, RX_QUEUE_MAX } from './netback.ts';
import { RSP_PROD } from './ring.ts';

export function createBackends(pv: PvHost, d: Domain): void {
  const make = (kind: 'vbd' | 'vif', devid: number, index: number): void => {
    const backend: BackendState = { kind, devid, index, state: XENBUS.InitWait, port: 0, rings: [], reqCons: [], rspProd: [], rxQueue: [], kicked: false };
    pv.plane.apply({ kind: 'backend', dom: d.id, key: `${kind}/${devid}`, backend });
  };
  d.config.disks.forEach((disk, i) => make('vbd', disk.devid, i));
  d.config.vifs.forEach((vif, i) => make('vif', vif.index, i));
}

const STATE_PATH = /^\/local\/domain\/(\d+)\/device\/(vbd|vif)\/(\d+)\/state$/;

/** A frontend's state node changed: its backend looks at it at the next boundary. */
export function xenstoreChanged(pv: PvHost, paths: readonly string[]): void {
  for (const p of paths) {
    const m = STATE_PATH.exec(p);
    if (m) pv.kickBackend(Number(m[1]), `${m[2]}/${m[3]}`);
  }
}

function set(pv: PvHost, dom: number, be: BackendState): void {
  pv.plane.apply({ kind: 'backend', dom, key: `${be.kind}/${be.devid}`, backend: be });
}

function xsWrite(pv: PvHost, path: string, value: string): void {
  new XsView(pv, 0, 0).write(path, value);
  fireWatches(pv, [path]);
}

function xsRead(pv: PvHost, path: string): string | null {
  try {
    return new XsView(pv, 0, 0).read(path);
  } catch (e) {
    if (e instanceof XsFail) return null;
    throw e;
  }
}

export function processBackend(pv: PvHost, dom: number, key: string): void {
  let be = pv.dom(dom).backends[key];
  if (!be) return;
  be = { ...be, kicked: false };
  set(pv, dom, be);
  const front = Number(xsRead(pv, `${frontendPath(dom, be.kind, be.devid)}/state`) ?? XENBUS.Unknown);
  if (be.state === XENBUS.Connected) {
    if (front === XENBUS.Closing || front === XENBUS.Closed || !pv.dom(dom).ports[be.port]) {
      disconnect(pv, dom, key, XENBUS.Closed);
      return;
    }
    set(pv, dom, be.kind === 'vbd' ? processBlkRing(pv, dom, be) : processNetRings(pv, dom, be));
    return;
  }
  if (front === XENBUS.Initialised) connect(pv, dom, be);
  else if (be.state === XENBUS.Closed && front === XENBUS.Initialising) {
    set(pv, dom, { ...be, state: XENBUS.InitWait });
    xsWrite(pv, `${backendPath(dom, be.kind, be.devid)}/state`, String(XENBUS.InitWait));
  }
}

function connect(pv: PvHost, dom: number, be: BackendState): void {
  const fp = frontendPath(dom, be.kind, be.devid);
  const keys = be.kind === 'vbd' ? ['ring-ref'] : ['tx-ring-ref', 'rx-ring-ref'];
  const device = be.kind === 'vbd' ? 'vbd' : 'vif-tx';
  const fail = (why: string): void => {
    pv.log.ring(dom, device, be.devid, 0, 0, 0, -1, `cannot connect: ${why}`);
    set(pv, dom, { ...be, state: XENBUS.Closed });
    xsWrite(pv, `${backendPath(dom, be.kind, be.devid)}/state`, String(XENBUS.Closed));
  };
  const refs: number[] = [];
  for (const k of keys) {
    const v = xsRead(pv, `${fp}/${k}`);
    if (v === null || !/^\d+$/.test(v)) return fail(`${fp}/${k} is missing or not a number`);
    refs.push(Number(v));
  }
  const pv_ = xsRead(pv, `${fp}/event-channel`);
  const port = pv_ !== null && /^\d+$/.test(pv_) ? Number(pv_) : -1;
  const b = pv.dom(dom).ports[port];
  if (!b || b.state !== 'unbound' || b.remoteDom !== 0) return fail(`event-channel ${pv_} is not a port allocated for domain 0 (alloc_unbound remote_dom = 0)`);
  const rings: Array<{ ref: number; mfn: number }> = [];
  for (const ref of refs) {
    const g = checkGrant(pv, dom, ref, 0, true);
    const pinned = g.status === GNTST.okay ? pinGrant(pv, dom, ref, g.mfn, true, 1) : null;
    pv.log.grant(0, 0, 'map', dom, ref, g.mfn, 0, pinned ? GNTST.okay : g.status === GNTST.okay ? GNTST.general_error : g.status);
    if (!pinned) {
      for (const r of rings) unpinRing(pv, dom, r);
      return fail(`ring grant ${ref} refused (GNTST ${g.status === GNTST.okay ? GNTST.general_error : g.status})`);
    }
    pv.plane.apply({ kind: 'grant-active', granter: dom, ref, active: pinned.active, frames: pinned.frames });
    rings.push({ ref, mfn: g.mfn });
  }
  pv.plane.apply({ kind: 'port', dom, port, binding: { ...b, state: 'interdomain', remoteDom: 0, remotePort: 0, backend: `${be.kind}/${be.devid}` } });
  pv.log.evtchn(0, 0, 'bind-interdomain', 0, dom, port, 0);
  const start = rings.map((r) => pv.hm.u32(r.mfn * 4096 + RSP_PROD));
  set(pv, dom, { ...be, state: XENBUS.Connected, port, rings, reqCons: start, rspProd: start, rxQueue: [], kicked: false });
  xsWrite(pv, `${backendPath(dom, be.kind, be.devid)}/state`, String(XENBUS.Connected));
  xsWrite(pv, `${fp}/state`, String(XENBUS.Connected));
  // requests posted before connecting are served now
  const now = pv.dom(dom).backends[`${be.kind}/${be.devid}`];
  set(pv, dom, now.kind === 'vbd' ? processBlkRing(pv, dom, now) : processNetRings(pv, dom, now));
}

function unpinRing(pv: PvHost, dom: number, r: { ref: number; mfn: number }): void {
  const un = pinGrant(pv, dom, r.ref, r.mfn, true, -1);
  if (un) pv.plane.apply({ kind: 'grant-active', granter: dom, ref: r.ref, active: un.active, frames: un.frames });
  pv.log.grant(0, 0, 'unmap', dom, r.ref, r.mfn, 0, GNTST.okay);
}

/** Unmaps the rings, unbinds the port, and moves the backend to `state`. */
export function disconnect(pv: PvHost, dom: number, key: string, state: number, writeStore = true): void {
  const be = pv.state.domains[dom]?.backends[key];
  if (!be || be.state !== XENBUS.Connected) return;
  for (const r of be.rings) unpinRing(pv, dom, r);
  const b = pv.dom(dom).ports[be.port];
  if (b && b.state === 'interdomain' && b.remoteDom === 0 && b.backend === key) {
    pv.plane.apply({ kind: 'port', dom, port: be.port, binding: { ...b, state: 'unbound', remoteDom: 0, remotePort: 0, backend: '' } });
  }
  set(pv, dom, { ...be, state, port: 0, rings: [], reqCons: [], rspProd: [], rxQueue: [], kicked: false });
  if (writeStore) xsWrite(pv, `${backendPath(dom, be.kind, be.devid)}/state`, String(state));
}

/** The frontend closed the port its backend was bound to. */
export function backendPortClosed(pv: PvHost, dom: number, key: string): void {
  if (key === 'xenstore' || key === 'console') return;
  const be = pv.state.domains[dom]?.backends[key];
  if (be && be.state === XENBUS.Connected) set(pv, dom, { ...be, port: -1 });
  // the binding is gone already; disconnect at the next boundary (it notices the missing port)
  if (be) pv.kickBackend(dom, key);
}

/** A frame from the bridge for a vif: queued until the frontend has rx buffers. */
export function backendFrame(pv: PvHost, dom: number, key: string, frame: Uint8Array): void {
  const be = pv.state.domains[dom]?.backends[key];
  if (!be || be.state !== XENBUS.Connected) return;
  if (be.rxQueue.length >= RX_QUEUE_MAX) {
    pv.log.ring(dom, 'vif-rx', be.devid, 0, 0, frame.length, -2, 'no rx buffers posted and the queue is full; frame dropped');
    return;
  }
  set(pv, dom, { ...be, rxQueue: [...be.rxQueue, Buffer.from(frame).toString('base64')], kicked: true });
}
