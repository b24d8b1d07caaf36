// Reusing one built hypervisor across property runs: building three domains costs far more
// than a run's commands, so each test file builds its world once, snapshots it (the
// hypervisor's own save() — what time travel's checkpoints use — plus a copy of host
// memory), and every run starts from a restore. Decoded code and the harts' TLBs are dropped
// on restore, so nothing of the previous run survives in a cache either.
import type { Hypervisor, HypervisorState } from '../../src/hypervisor/hypervisor.ts';

export interface WorldSnapshot {
  state: HypervisorState;
  bytes: Uint8Array;
}

export function snapshotWorld(hv: Hypervisor): WorldSnapshot {
  return { state: hv.save(), bytes: hv.mem.bytes.slice() };
}

export function restoreWorld(hv: Hypervisor, s: WorldSnapshot): void {
  hv.mem.bytes.set(s.bytes);
  hv.code.invalidateAll();
  hv.restore(s.state); // restores every hart, which flushes its TLB
  for (const d of hv.domains) for (const v of d.vcpus) v.hart.flushTlb();
}
