// xenstored's side of the xenstore ring (docs/PV-ABI.md §8, io/xs_wire.h): requests are read
// from a domain's ring page at slice boundaries after it notifies, handled against the tree,
// and answered in its response ring; watch events are queued the same way. Bytes that do not
// fit yet wait in the PV state (xsIn / xsOut), so nothing depends on how the guest splits
// its writes.
import { PAGE, XS, XS_HEADER, XS_PAYLOAD_MAX, XS_RING } from '../abi.ts';
import { notifyFrontend } from '../evtchn.ts';
import type { PvHost } from '../pv-host.ts';
import { absPath, canRead, domainPath, isWithin, XS_QUOTA, XsFail, XsView, type XsError } from './store.ts';

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
const bytesOf = (s: string): number[] => Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);

/** Splits a payload into its NUL-terminated strings (a trailing part without NUL is kept). */
function strings(payload: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < payload.length; i++) {
    if (payload[i] === 0) {
      out.push(latin1(payload.subarray(start, i)));
      start = i + 1;
    }
  }
  if (start < payload.length) out.push(latin1(payload.subarray(start)));
  return out;
}

function message(type: number, reqId: number, txId: number, payload: number[]): number[] {
  const h = new Uint8Array(XS_HEADER);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, reqId, true);
  dv.setUint32(8, txId, true);
  dv.setUint32(12, payload.length, true);
  return [...h, ...payload];
}

/** Queues a message for a domain and writes what fits into its response ring. */
export function xsSend(pv: PvHost, dom: number, type: number, reqId: number, txId: number, payload: number[]): void {
  const pd = pv.state.domains[dom];
  if (!pd) return;
  pv.plane.apply({ kind: 'xs-conn', dom, xsOut: [...pd.xsOut, ...message(type, reqId, txId, payload)] });
}

/** Moves queued response bytes into the ring; notifies the domain if any moved. */
function flushOut(pv: PvHost, dom: number): void {
  const pd = pv.state.domains[dom];
  if (!pd || pd.xsOut.length === 0) return;
  const ring = pd.boot.store * PAGE;
  const cons = pv.hm.u32(ring + XS_RING.rsp_cons);
  let prod = pv.hm.u32(ring + XS_RING.rsp_prod);
  const used = (prod - cons) >>> 0;
  if (used > XS_RING.SIZE) return; // the guest corrupted its indices: nothing can be sent
  const n = Math.min(XS_RING.SIZE - used, pd.xsOut.length);
  if (n === 0) return;
  for (let i = 0; i < n; i++) pv.hm.setU8(ring + XS_RING.rsp + ((prod + i) & (XS_RING.SIZE - 1)), pd.xsOut[i]);
  prod = (prod + n) >>> 0;
  pv.hm.setU32(ring + XS_RING.rsp_prod, prod);
  pv.plane.apply({ kind: 'xs-conn', dom, xsOut: pd.xsOut.slice(n) });
  notifyFrontend(pv, dom, pv.storePort(dom));
}

/** Fires every watch at or above (or below, for removals) the changed paths (§8). */
export function fireWatches(pv: PvHost, changed: readonly string[]): void {
  if (changed.length === 0) return;
  const nodes = pv.state.xs.nodes;
  for (const w of pv.state.xs.watches) {
    const seen = new Set<string>();
    for (const p of changed) {
      let path: string;
      if (isWithin(p, w.abs)) path = p;
      else if (isWithin(w.abs, p) && !nodes[w.abs]) path = w.abs;
      else continue;
      if (seen.has(path) || !canRead(nodes, path, w.dom)) continue;
      seen.add(path);
      const shown = w.path.startsWith('/') ? path : path.slice(domainPath(w.dom).length + 1);
      xsSend(pv, w.dom, XS.WATCH_EVENT, 0, 0, [...bytesOf(shown), 0, ...bytesOf(w.token), 0]);
    }
  }
  pv.xenstoreChanged(changed);
}

/** Handles everything the domain has written to its xenstore ring (its `send` kicked us). */
export function processXenstore(pv: PvHost, dom: number): void {
  const pd = pv.state.domains[dom];
  if (!pd) return;
  const ring = pd.boot.store * PAGE;
  const cons = pv.hm.u32(ring + XS_RING.req_cons);
  const prod = pv.hm.u32(ring + XS_RING.req_prod);
  const avail = (prod - cons) >>> 0;
  let buf = pd.xsIn;
  if (avail > XS_RING.SIZE) {
    pv.log.ring(dom, 'xenstore', 0, 0, 0, avail, -22, `request ring indices are corrupt (req_prod - req_cons = ${avail}); ignored`);
  } else if (avail > 0) {
    const got: number[] = [];
    for (let i = 0; i < avail; i++) got.push(pv.hm.u8(ring + XS_RING.req + ((cons + i) & (XS_RING.SIZE - 1))));
    pv.hm.setU32(ring + XS_RING.req_cons, prod);
    buf = [...buf, ...got];
  }
  while (buf.length >= XS_HEADER) {
    const h = new DataView(Uint8Array.from(buf.slice(0, XS_HEADER)).buffer);
    const len = h.getUint32(12, true);
    if (len > XS_PAYLOAD_MAX) {
      // no way to find the next message: drop what we have and say so
      pv.log.ring(dom, 'xenstore', 0, h.getUint32(0, true), h.getUint32(4, true), len, -7, 'message longer than 4096 bytes');
      xsSend(pv, dom, XS.ERROR, h.getUint32(4, true), h.getUint32(8, true), [...bytesOf('E2BIG'), 0]);
      buf = [];
      break;
    }
    if (buf.length < XS_HEADER + len) break;
    const payload = Uint8Array.from(buf.slice(XS_HEADER, XS_HEADER + len));
    buf = buf.slice(XS_HEADER + len);
    pv.plane.apply({ kind: 'xs-conn', dom, xsIn: buf });
    handle(pv, dom, h.getUint32(0, true), h.getUint32(4, true), h.getUint32(8, true), payload);
  }
  pv.plane.apply({ kind: 'xs-conn', dom, xsIn: buf, xsKicked: false });
  flushAll(pv);
}

/** Flushes every domain's queued replies and watch events (in domain order). */
export function flushAll(pv: PvHost): void {
  for (const id of Object.keys(pv.state.domains)) flushOut(pv, Number(id));
}

function handle(pv: PvHost, dom: number, type: number, reqId: number, txId: number, payload: Uint8Array): void {
  const args = strings(payload);
  let reply: number[] = [];
  let fire: string[] = [];
  let status = 0;
  let detail = args[0] ?? '';
  try {
    ({ reply, fire } = answer(pv, dom, type, txId, args, payload));
  } catch (e) {
    if (!(e instanceof XsFail)) throw e;
    status = -errnoOf(e.code);
    detail = `${detail}: ${e.code}`;
    xsSend(pv, dom, XS.ERROR, reqId, txId, [...bytesOf(e.code), 0]);
  }
  if (status === 0) xsSend(pv, dom, type, reqId, txId, reply);
  // the reply goes first, then the watch events the change fired (ours included)
  fireWatches(pv, fire);
  // xenstored fires a new watch once, right after acknowledging it (§8)
  if (status === 0 && type === XS.WATCH && !args[0].startsWith('@')) {
    xsSend(pv, dom, XS.WATCH_EVENT, 0, 0, [...bytesOf(args[0]), 0, ...bytesOf(args[1]), 0]);
  }
  pv.log.ring(dom, 'xenstore', 0, type, reqId, txId, status, detail);
}

const ERRNO: Record<XsError, number> = { EINVAL: 22, EACCES: 13, ENOENT: 2, EEXIST: 17, E2BIG: 7, ENOSPC: 28, EAGAIN: 11, EISDIR: 21 };
function errnoOf(e: XsError): number {
  return ERRNO[e];
}

const OK = [...bytesOf('OK'), 0];

/** Paths changed, without those that are ancestors of another (a transaction's created parents). */
function deepest(paths: readonly string[]): string[] {
  return paths.filter((p) => !paths.some((q) => q !== p && isWithin(q, p)));
}

function answer(pv: PvHost, dom: number, type: number, txId: number, args: string[], payload: Uint8Array): { reply: number[]; fire: string[] } {
  const done = (reply: number[], fire: string[] = []) => ({ reply, fire });
  switch (type) {
    case XS.READ:
      return done(bytesOf(new XsView(pv, dom, txId).read(absPath(dom, need(args, 1)[0]))));
    case XS.DIRECTORY:
      return done(new XsView(pv, dom, txId).directory(absPath(dom, need(args, 1)[0])).flatMap((n) => [...bytesOf(n), 0]));
    case XS.WRITE: {
      const nul = payload.indexOf(0);
      if (nul < 0) throw new XsFail('EINVAL');
      const p = absPath(dom, latin1(payload.subarray(0, nul)));
      new XsView(pv, dom, txId).write(p, latin1(payload.subarray(nul + 1)));
      return done(OK, txId === 0 ? [p] : []);
    }
    case XS.MKDIR:
    case XS.RM: {
      const v = new XsView(pv, dom, txId);
      const p = absPath(dom, need(args, 1)[0]);
      const changed = type === XS.MKDIR ? v.mkdir(p) : v.rm(p);
      return done(OK, txId === 0 && changed.length > 0 ? [p] : []);
    }
    case XS.WATCH: {
      const [path, token] = need(args, 2);
      const abs = path.startsWith('@') ? path : absPath(dom, path);
      const mine = pv.state.xs.watches.filter((w) => w.dom === dom);
      if (mine.some((w) => w.path === path && w.token === token)) throw new XsFail('EEXIST');
      if (mine.length >= XS_QUOTA.watches) throw new XsFail('ENOSPC');
      if (!abs.startsWith('@') && !canRead(pv.state.xs.nodes, abs, dom)) throw new XsFail('EACCES');
      pv.plane.apply({ kind: 'xs-watch', watch: { dom, path, abs, token } });
      return done(OK);
    }
    case XS.UNWATCH: {
      const [path, token] = need(args, 2);
      if (!pv.state.xs.watches.some((w) => w.dom === dom && w.path === path && w.token === token)) throw new XsFail('ENOENT');
      pv.plane.apply({ kind: 'xs-unwatch', dom, path, token });
      return done(OK);
    }
    case XS.TRANSACTION_START: {
      if (txId !== 0) throw new XsFail('EINVAL');
      const open = Object.values(pv.state.xs.tx).filter((t) => t.dom === dom).length;
      if (open >= XS_QUOTA.transactions) throw new XsFail('ENOSPC');
      const id = pv.state.xs.nextTx;
      pv.plane.apply({ kind: 'xs-tx-start', id, dom, base: pv.state.xs.nodes });
      return done([...bytesOf(String(id)), 0]);
    }
    case XS.TRANSACTION_END: {
      const t = pv.state.xs.tx[txId];
      if (!t || t.dom !== dom) throw new XsFail('ENOENT');
      const commit = (args[0] ?? '') === 'T';
      if (!commit && (args[0] ?? '') !== 'F') throw new XsFail('EINVAL');
      const nodes = pv.state.xs.nodes;
      const conflict = commit && t.touched.some((p) => nodes[p] !== t.base[p]);
      pv.plane.apply({ kind: 'xs-tx-end', id: txId, commit: commit && !conflict });
      if (conflict) throw new XsFail('EAGAIN');
      return done(OK, commit ? deepest(t.changed) : []);
    }
    default:
      throw new XsFail('EINVAL');
  }
}

function need(args: string[], n: number): string[] {
  if (args.length < n) throw new XsFail('EINVAL');
  return args;
}
