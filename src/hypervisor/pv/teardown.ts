// A PV domain stops (poweroff, reboot, crash): everything that ties it to other domains goes
// at once, so no other domain keeps a mapping of its frames or a channel to it — grant
// mappings in both directions, interdomain channels, backend connections, xenstore nodes and
// watches. Its own memory and page types stay (on_crash = preserve keeps them for inspection).
import type { Domain } from '../domain.ts';
import { XENBUS } from './abi.ts';
import { disconnect } from './backends/xenbus.ts';
import { closePort } from './evtchn.ts';
import { unmapGrant } from './grant-table.ts';
import type { PvHost } from './pv-host.ts';
import { removeDomainNodes } from './xenstore/devices.ts';

export function teardownPvDomain(pv: PvHost, d: Domain): void {
  const me = pv.state.domains[d.id];
  if (!me) return;
  // other domains' mappings of our grants, then ours of theirs
  for (const key of Object.keys(pv.state.domains)) {
    const other = Number(key);
    if (other === d.id) continue;
    for (const [h, m] of Object.entries(pv.state.domains[other].maptrack)) if (m.dom === d.id) unmapGrant(pv, other, Number(h));
  }
  for (const h of Object.keys(pv.dom(d.id).maptrack)) unmapGrant(pv, d.id, Number(h));
  for (const key of Object.keys(pv.dom(d.id).backends)) disconnect(pv, d.id, key, XENBUS.Closed, false);
  for (const port of Object.keys(pv.dom(d.id).ports)) closePort(pv, d.id, Number(port));
  removeDomainNodes(pv, d.id);
  pv.plane.apply({ kind: 'xs-conn', dom: d.id, xsIn: [], xsOut: [], xsKicked: false });
  pv.plane.apply({ kind: 'console', dom: d.id, consoleIn: [], consoleKicked: false });
  pv.dom(d.id).vcpus.forEach((_, i) => pv.setVcpu(d.id, i, { up: false, poll: null, timerNs: -1 }));
}
