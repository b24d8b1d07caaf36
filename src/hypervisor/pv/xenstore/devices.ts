// What the toolstack writes to xenstore when it creates a PV domain (docs/PV-ABI.md §8, §10):
// the domain's own directory, and for every disk and vif the frontend directory
// device/<type>/<devid> with backend-id and the backend's information, plus the backend's
// directory /local/domain/0/backend/<type>/<domid>/<devid>. Frontends own their directory and
// `state`; what the backend publishes is read-only to them.
import type { Domain } from '../../domain.ts';
import { XENBUS } from '../abi.ts';
import type { PvHost } from '../pv-host.ts';
import type { XsPerm } from '../state.ts';
import { fireWatches } from './protocol.ts';
import { domainPath, XsView } from './store.ts';

export function frontendPath(dom: number, kind: 'vbd' | 'vif', devid: number): string {
  return `${domainPath(dom)}/device/${kind}/${devid}`;
}

export function backendPath(dom: number, kind: 'vbd' | 'vif', devid: number): string {
  return `/local/domain/0/backend/${kind}/${dom}/${devid}`;
}

export function writeDomainNodes(pv: PvHost, d: Domain): void {
  const x = new XsView(pv, 0, 0);
  const own: XsPerm[] = [{ dom: d.id, perm: 'n' }];
  const ro: XsPerm[] = [{ dom: 0, perm: 'n' }, { dom: d.id, perm: 'r' }];
  const changed: string[] = [];
  const w = (p: string, v: string, perms: XsPerm[]): void => {
    x.write(p, v, perms);
    changed.push(p);
  };
  const dp = domainPath(d.id);
  w(dp, '', own);
  w(`${dp}/name`, d.name, ro);
  w(`${dp}/domid`, String(d.id), ro);
  const device = (kind: 'vbd' | 'vif', devid: number, info: Array<[string, string]>): void => {
    const fp = frontendPath(d.id, kind, devid);
    const bp = backendPath(d.id, kind, devid);
    w(`${dp}/device`, '', own);
    w(`${dp}/device/${kind}`, '', own);
    w(fp, '', own);
    w(`${fp}/backend-id`, '0', ro);
    w(`${fp}/backend`, bp, ro);
    for (const [k, v] of info) w(`${fp}/${k}`, v, ro);
    w(`${fp}/state`, String(XENBUS.Initialising), own);
    w(bp, '', ro);
    w(`${bp}/frontend`, fp, ro);
    w(`${bp}/frontend-id`, String(d.id), ro);
    w(`${bp}/state`, String(XENBUS.InitWait), ro);
  };
  d.config.disks.forEach((disk, i) => {
    const b = d.disks[i];
    device('vbd', disk.devid, [
      ['sectors', String(b.sectors)],
      ['sector-size', '512'],
      ['mode', b.readOnly ? 'r' : 'w'],
    ]);
  });
  for (const vif of d.config.vifs) device('vif', vif.index, [['mac', vif.mac]]);
  fireWatches(pv, changed);
}

/** Removes everything xenstore holds for a domain that stopped: its nodes, watches, transactions. */
export function removeDomainNodes(pv: PvHost, dom: number): void {
  const x = new XsView(pv, 0, 0);
  const changed: string[] = [];
  for (const p of [domainPath(dom), `/local/domain/0/backend/vbd/${dom}`, `/local/domain/0/backend/vif/${dom}`]) {
    if (pv.state.xs.nodes[p]) {
      x.rm(p);
      changed.push(p);
    }
  }
  for (const w of pv.state.xs.watches.filter((w) => w.dom === dom)) pv.plane.apply({ kind: 'xs-unwatch', dom, path: w.path, token: w.token });
  for (const [id, t] of Object.entries(pv.state.xs.tx)) if (t.dom === dom) pv.plane.apply({ kind: 'xs-tx-end', id: Number(id), commit: false });
  fireWatches(pv, changed);
}
