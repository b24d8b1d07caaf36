// Starting a PV domain (at boot, and again for on_reboot/on_crash = restart): forget its
// previous incarnation, build it, pin the initial tables through the validator (so the
// state after boot is exactly what hypercalls would have produced), write its xenstore
// nodes and backends, and put vCPU 0 at the kernel's entry point.
import type { Domain } from '../domain.ts';
import { PAGE } from './abi.ts';
import { createBackends } from './backends/xenbus.ts';
import { buildPvDomain, initialTables } from './builder.ts';
import { TypeTxn } from './frame-types.ts';
import type { PvHost } from './pv-host.ts';
import type { FrameSet } from './reducer.ts';
import { NO_FRAME } from './state.ts';
import { writeDomainNodes } from './xenstore/devices.ts';
import { updateSystemTime } from './traps.ts';

export class PvBuildError extends Error {}

/** Drops the PV state of a domain's previous incarnation and frees its grant-table frames. */
export function forgetPvDomain(pv: PvHost, d: Domain): void {
  const pd = pv.state.domains[d.id];
  if (!pd) return;
  const clear: Array<readonly [number, typeof NO_FRAME]> = [];
  for (const chunk of Object.values(pv.state.frames)) {
    for (const [k, f] of Object.entries(chunk)) {
      const mfn = Number(k);
      if (pv.hm.owner(mfn) === d.id || f.sharedWith === d.id) clear.push([mfn, NO_FRAME]);
    }
  }
  for (const m of pd.grantFrames) {
    pv.hm.zeroFrame(m);
    pv.hm.frames.release(m * PAGE, 1);
  }
  pv.plane.apply({ kind: 'domain-removed', dom: d.id, frames: clear });
}

export function startPvDomain(pv: PvHost, d: Domain): void {
  forgetPvDomain(pv, d);
  const built = buildPvDomain(pv, d);
  const boot = built.domain.boot;
  const txn = new TypeTxn(pv.state, pv.hm, d.id, { grantAt: () => undefined, readOnly: (m) => m === boot.startInfo });
  for (const m of [boot.sharedInfo, ...boot.trapFrames]) txn.set(m, { type: 'shared', count: 0 });
  const t = initialTables(built.domain, pv.hm);
  const pins: Array<[number, 'l1' | 'l2' | 'l3']> = [[t.root, 'l3'], ...t.l2.map((m) => [m, 'l2'] as [number, 'l2']), ...t.l1.map((m) => [m, 'l1'] as [number, 'l1'])];
  for (const [m, level] of pins) {
    const rc = txn.pin(m, level);
    if (rc < 0) throw new PvBuildError(`domain ${d.name}: the initial ${level} table at MFN 0x${m.toString(16)} does not validate (${rc}); this is a bug in the PV builder`);
  }
  const frames: FrameSet = txn.changes();
  pv.plane.apply({ kind: 'domain-built', domain: built.domain, frames });
  updateSystemTime(pv, d.id);
  writeDomainNodes(pv, d);
  createBackends(pv, d);
  for (const v of d.vcpus) {
    v.hart.reset(0n);
    v.hart.hvip = 0;
  }
  const v0 = d.vcpus[0];
  v0.enterPv(built.entry, (8n << 60n) | BigInt(t.root), built.startInfoVa, 0n);
  v0.hart.setX(2, built.sp);
}
