// The xenstore tree (docs/PV-ABI.md §8), played by the hypervisor in its dom0 role: nodes with
// Xen-style permissions, transactions and watches. Nodes live in the PV state as a flat map
// from absolute path to node; every change is a PvEvent. Watches are fired by the caller
// (fireWatches) after a change reaches the global tree.
import type { PvHost } from '../pv-host.ts';
import type { XsNode, XsNodes, XsPerm, XsPermBits } from '../state.ts';

/** Xenstore errors are Xen errno names sent back as XS_ERROR payloads. */
export type XsError = 'EINVAL' | 'EACCES' | 'ENOENT' | 'EEXIST' | 'E2BIG' | 'ENOSPC' | 'EAGAIN' | 'EISDIR';

export const XS_MAX_PATH = 3072;
/** Per-domain limits: nodes owned, value size, watches, open transactions. */
export const XS_QUOTA = Object.freeze({ nodes: 1000, value: 2048, watches: 128, transactions: 16 });

export class XsFail extends Error {
  constructor(readonly code: XsError) {
    super(code);
  }
}

export function domainPath(dom: number): string {
  return `/local/domain/${dom}`;
}

/** Absolute, validated form of a path as `dom` wrote it (relative to its domain path). */
export function absPath(dom: number, p: string): string {
  const abs = p.startsWith('/') ? p : `${domainPath(dom)}/${p}`;
  if (abs.length > XS_MAX_PATH || (abs !== '/' && (abs.endsWith('/') || abs.includes('//'))) || !/^[A-Za-z0-9_@\-./:]+$/.test(abs)) throw new XsFail('EINVAL');
  return abs;
}

export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function isWithin(p: string, top: string): boolean {
  return p === top || top === '/' || p.startsWith(top + '/');
}

function permOf(n: XsNode, dom: number): XsPermBits {
  if (dom === 0 || n.perms[0]?.dom === dom) return 'b';
  for (let i = 1; i < n.perms.length; i++) if (n.perms[i].dom === dom) return n.perms[i].perm;
  return n.perms[0]?.perm ?? 'n';
}

/** The node at p or its nearest existing ancestor. */
function nearest(nodes: XsNodes, p: string): XsNode {
  for (let q = p; ; q = parentOf(q)) {
    const n = nodes[q];
    if (n) return n;
    if (q === '/') throw new Error('xenstore lost its root');
  }
}

export function canRead(nodes: XsNodes, p: string, dom: number): boolean {
  const b = permOf(nearest(nodes, p), dom);
  return b === 'r' || b === 'b';
}

export function canWrite(nodes: XsNodes, p: string, dom: number): boolean {
  const b = permOf(nearest(nodes, p), dom);
  return b === 'w' || b === 'b';
}

/** Nodes a domain owns (its quota). */
function owned(nodes: XsNodes, dom: number): number {
  let n = 0;
  for (const k in nodes) if (nodes[k].perms[0]?.dom === dom) n++;
  return n;
}

/** A view of the tree for one request: the global nodes or a transaction's. */
export class XsView {
  constructor(
    readonly pv: PvHost,
    readonly dom: number,
    readonly tx: number,
  ) {
    if (tx !== 0) {
      const t = pv.state.xs.tx[tx];
      if (!t || t.dom !== dom) throw new XsFail('ENOENT');
    }
  }

  get nodes(): XsNodes {
    return this.tx === 0 ? this.pv.state.xs.nodes : this.pv.state.xs.tx[this.tx].nodes;
  }

  private touch(paths: string[]): void {
    if (this.tx !== 0) this.pv.plane.apply({ kind: 'xs-set', tx: this.tx, set: [], touched: paths });
  }

  private apply(set: Array<readonly [string, XsNode | null]>): string[] {
    this.pv.plane.apply({ kind: 'xs-set', tx: this.tx, set, touched: set.map(([p]) => p) });
    return set.map(([p]) => p);
  }

  read(p: string): string {
    const nodes = this.nodes;
    this.touch([p]);
    const n = nodes[p];
    if (!canRead(nodes, p, this.dom)) throw new XsFail('EACCES');
    if (!n) throw new XsFail('ENOENT');
    return n.value;
  }

  directory(p: string): string[] {
    const nodes = this.nodes;
    this.touch([p]);
    if (!canRead(nodes, p, this.dom)) throw new XsFail('EACCES');
    if (!nodes[p]) throw new XsFail('ENOENT');
    const prefix = p === '/' ? '/' : p + '/';
    const out: string[] = [];
    for (const k in nodes) if (k !== p && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')) out.push(k.slice(prefix.length));
    return out.sort();
  }

  /** Writes (creating missing ancestors); returns the paths changed. `perms` overrides a new node's ACL. */
  write(p: string, value: string, perms?: readonly XsPerm[]): string[] {
    const nodes = this.nodes;
    if (!canWrite(nodes, p, this.dom)) throw new XsFail('EACCES');
    if (value.length > XS_QUOTA.value && this.dom !== 0) throw new XsFail('E2BIG');
    const set: Array<readonly [string, XsNode | null]> = [];
    const missing: string[] = [];
    for (let q = p; !nodes[q]; q = parentOf(q)) missing.unshift(q);
    if (this.dom !== 0 && owned(nodes, this.dom) + missing.length > XS_QUOTA.nodes) throw new XsFail('ENOSPC');
    let parent = nodes[parentOf(missing[0] ?? p)] ?? nodes['/'];
    for (const q of missing) {
      const inherited: XsPerm[] = this.dom === 0 ? [...parent.perms] : [{ dom: this.dom, perm: parent.perms[0]?.perm ?? 'n' }, ...parent.perms.slice(1)];
      const n: XsNode = { value: q === p ? value : '', perms: q === p && perms ? perms : inherited };
      set.push([q, n]);
      parent = n;
    }
    const existing = nodes[p];
    if (existing) set.push([p, { value, perms: perms ?? existing.perms }]);
    return this.apply(set);
  }

  mkdir(p: string): string[] {
    if (this.nodes[p]) {
      this.touch([p]);
      if (!canRead(this.nodes, p, this.dom)) throw new XsFail('EACCES');
      return [];
    }
    return this.write(p, '');
  }

  rm(p: string): string[] {
    const nodes = this.nodes;
    if (!canWrite(nodes, p, this.dom)) throw new XsFail('EACCES');
    if (!nodes[p]) throw new XsFail('ENOENT');
    if (p === '/') throw new XsFail('EINVAL');
    const gone: Array<readonly [string, null]> = [];
    for (const k in nodes) if (isWithin(k, p)) gone.push([k, null]);
    return this.apply(gone);
  }
}
