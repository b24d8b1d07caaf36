// PV events and the reducer that applies them: PvState × PvEvent → PvState, pure over an
// immer draft. The parts of the PV platform decide (validating against guest memory where
// the ABI says so) and then describe the decision as one of these events.
import { produce, type Draft } from 'immer';
import {
  FRAME_CHUNK_SHIFT,
  NO_FRAME,
  type BackendState,
  type FrameInfo,
  type FrameTable,
  type GrantActive,
  type GrantMapping,
  type PortBinding,
  type PvDomain,
  type PvState,
  type PvVcpu,
  type XsNode,
  type XsNodes,
  type XsWatch,
} from './state.ts';

/** New bookkeeping for some frames (NO_FRAME-equal values drop the entry). */
export type FrameSet = ReadonlyArray<readonly [mfn: number, info: FrameInfo]>;

export type PvEvent =
  | { kind: 'domain-built'; domain: PvDomain; frames: FrameSet }
  | { kind: 'domain-removed'; dom: number; frames: FrameSet }
  | { kind: 'frames'; set: FrameSet }
  | { kind: 'vcpu'; dom: number; vcpu: number; set: Partial<PvVcpu> }
  | { kind: 'port'; dom: number; port: number; binding: PortBinding | null }
  | { kind: 'grant-frames'; dom: number; grantFrames: readonly number[]; frames: FrameSet }
  | {
      kind: 'grant-map';
      dom: number;
      handle: number;
      mapping: GrantMapping | null;
      granter: number;
      ref: number;
      active: GrantActive | null;
      frames: FrameSet;
    }
  | { kind: 'grant-active'; granter: number; ref: number; active: GrantActive; frames: FrameSet }
  | { kind: 'm2p'; dom: number; mfn: number; pfn: number }
  | { kind: 'reservation'; dom: number; pages: number; frames: FrameSet }
  | { kind: 'xs-conn'; dom: number; xsIn?: readonly number[]; xsOut?: readonly number[]; xsKicked?: boolean }
  | { kind: 'console'; dom: number; consoleIn?: readonly number[]; consoleKicked?: boolean }
  | { kind: 'backend'; dom: number; key: string; backend: BackendState | null }
  | { kind: 'xs-set'; tx: number; set: ReadonlyArray<readonly [path: string, node: XsNode | null]>; touched: readonly string[] }
  | { kind: 'xs-watch'; watch: XsWatch }
  | { kind: 'xs-unwatch'; dom: number; path: string; token: string }
  | { kind: 'xs-tx-start'; id: number; dom: number; base: XsNodes }
  | { kind: 'xs-tx-end'; id: number; commit: boolean };

export class PvStateError extends Error {}

function dom(d: Draft<PvState>, id: number): Draft<PvDomain> {
  const x = d.domains[id];
  if (!x) throw new PvStateError(`no PV domain ${id}`);
  return x;
}

function isDefault(f: FrameInfo): boolean {
  return f.type === NO_FRAME.type && f.count === 0 && !f.pinned && f.maps === 0 && f.sharedWith === -1;
}

/**
 * The frame table with some frames changed. Done by hand rather than through a draft: it is
 * the hot path of every PTE update, and copying one 256-entry chunk beats proxying it.
 */
export function withFrames(table: FrameTable, set: FrameSet): FrameTable {
  if (set.length === 0) return table;
  const out: { [chunk: number]: { readonly [mfn: number]: FrameInfo } } = { ...table };
  const copied = new Map<number, { [mfn: number]: FrameInfo }>();
  for (const [mfn, info] of set) {
    // §4.1 rule 1 holds by construction (one type per frame); counts must stay sane
    if (info.count < 0 || info.maps < 0) throw new PvStateError(`frame 0x${mfn.toString(16)}: negative count`);
    const c = mfn >> FRAME_CHUNK_SHIFT;
    let chunk = copied.get(c);
    if (!chunk) copied.set(c, (chunk = { ...(table[c] ?? {}) }));
    if (isDefault(info)) delete chunk[mfn];
    else chunk[mfn] = Object.freeze({ ...info });
  }
  for (const [c, chunk] of copied) {
    let empty = true;
    for (const _ in chunk) {
      empty = false;
      break;
    }
    if (empty) delete out[c];
    else out[c] = Object.freeze(chunk);
  }
  return Object.freeze(out);
}

/** The frame changes an event carries, if any. */
function frameSetOf(e: PvEvent): FrameSet | null {
  switch (e.kind) {
    case 'domain-built':
    case 'domain-removed':
    case 'grant-frames':
    case 'grant-map':
    case 'grant-active':
    case 'reservation':
      return e.frames;
    case 'frames':
      return e.set;
    default:
      return null;
  }
}


export function reduce(d: Draft<PvState>, e: PvEvent): void {
  switch (e.kind) {
    case 'domain-built':
      d.domains[e.domain.id] = e.domain as Draft<PvDomain>;
      return;
    case 'domain-removed':
      delete d.domains[e.dom];
      return;
    case 'frames':
      return; // applied outside the draft (withFrames)
    case 'vcpu': {
      const v = dom(d, e.dom).vcpus[e.vcpu];
      if (!v) throw new PvStateError(`PV domain ${e.dom} has no vCPU ${e.vcpu}`);
      Object.assign(v, e.set);
      return;
    }
    case 'port': {
      const x = dom(d, e.dom);
      if (e.binding) x.ports[e.port] = { ...e.binding };
      else delete x.ports[e.port];
      return;
    }
    case 'grant-frames':
      dom(d, e.dom).grantFrames = [...e.grantFrames];
      return;
    case 'grant-map': {
      const x = dom(d, e.dom);
      if (e.mapping) {
        x.maptrack[e.handle] = { ...e.mapping };
        if (e.handle >= x.nextHandle) x.nextHandle = e.handle + 1;
      } else delete x.maptrack[e.handle];
      const g = d.domains[e.granter];
      if (g) {
        if (e.active && (e.active.readers > 0 || e.active.writers > 0)) g.active[e.ref] = { ...e.active };
        else delete g.active[e.ref];
      }
      return;
    }
    case 'grant-active': {
      const g = dom(d, e.granter);
      if (e.active.readers > 0 || e.active.writers > 0) g.active[e.ref] = { ...e.active };
      else delete g.active[e.ref];
      return;
    }
    case 'm2p':
      dom(d, e.dom).m2p[e.mfn] = e.pfn;
      return;
    case 'reservation':
      dom(d, e.dom).pages = e.pages;
      return;
    case 'xs-conn': {
      const x = dom(d, e.dom);
      if (e.xsIn) x.xsIn = [...e.xsIn];
      if (e.xsOut) x.xsOut = [...e.xsOut];
      if (e.xsKicked !== undefined) x.xsKicked = e.xsKicked;
      return;
    }
    case 'console': {
      const x = dom(d, e.dom);
      if (e.consoleIn) x.consoleIn = [...e.consoleIn];
      if (e.consoleKicked !== undefined) x.consoleKicked = e.consoleKicked;
      return;
    }
    case 'backend': {
      const x = dom(d, e.dom);
      if (e.backend) x.backends[e.key] = e.backend as Draft<BackendState>;
      else delete x.backends[e.key];
      return;
    }
    case 'xs-set': {
      if (e.tx === 0) {
        for (const [p, n] of e.set) {
          if (n) d.xs.nodes[p] = n as Draft<XsNode>;
          else delete d.xs.nodes[p];
        }
        return;
      }
      const t = d.xs.tx[e.tx];
      if (!t) throw new PvStateError(`no xenstore transaction ${e.tx}`);
      for (const [p, n] of e.set) {
        if (n) t.nodes[p] = n as Draft<XsNode>;
        else delete t.nodes[p];
        if (!t.changed.includes(p)) t.changed.push(p);
      }
      for (const p of e.touched) if (!t.touched.includes(p)) t.touched.push(p);
      return;
    }
    case 'xs-watch':
      d.xs.watches.push({ ...e.watch });
      return;
    case 'xs-unwatch': {
      const i = d.xs.watches.findIndex((w) => w.dom === e.dom && w.path === e.path && w.token === e.token);
      if (i >= 0) d.xs.watches.splice(i, 1);
      return;
    }
    case 'xs-tx-start':
      d.xs.tx[e.id] = { dom: e.dom, base: e.base, nodes: e.base, touched: [], changed: [] } as unknown as Draft<PvState['xs']['tx'][number]>;
      d.xs.nextTx = Math.max(d.xs.nextTx, e.id + 1);
      return;
    case 'xs-tx-end': {
      const t = d.xs.tx[e.id];
      if (!t) throw new PvStateError(`no xenstore transaction ${e.id}`);
      if (e.commit) {
        for (const p of t.changed) {
          const n = t.nodes[p];
          if (n) d.xs.nodes[p] = n;
          else delete d.xs.nodes[p];
        }
      }
      delete d.xs.tx[e.id];
      return;
    }
  }
}

export function applyPvEvent(s: PvState, e: PvEvent): PvState {
  const set = frameSetOf(e);
  const next = e.kind === 'frames' ? s : produce(s, (d) => reduce(d, e));
  if (!set || set.length === 0) return next;
  return Object.freeze({ ...next, frames: withFrames(next.frames, set) });
}

