// Model-based test (fc.commands) of PV memory and sharing (docs/PV-ABI.md §4, §5, §7): three
// PV domains whose kernels the test plays, making real hypercalls (ecall on the hart, the
// core's exit dispatcher, the PV platform) — mmu_update of page-table entries, pinning,
// linking a table, memory_op reservations, grant entries written by guest stores, grant
// map/unmap/copy, revocation by compare-and-swap on the entry, event channels alloc/bind/
// send/close — against an abstract ownership model that predicts every result. After every
// command (pv-invariant.ts):
//   - walking each domain's real page tables from every root it has or could load, every
//     page it reaches is its own, a grant-table frame shared with it, or a foreign frame
//     through a grant mapping it holds, with at most the granted rights; no page-table frame
//     is writable; no hypervisor frame is reachable;
//   - the pages the commands touched map exactly what the model says, and the real hart's
//     loads, stores and fetches there are allowed exactly when the model says;
//   - GTF_reading/GTF_writing say whether a grant is mapped (so revocation fails while it is);
//   - event-channel bindings and the pending bits in shared_info are the model's.
import fc from 'fast-check';
import { vi } from 'vitest';
import { propertyTest } from './harness/property.ts';
import { applyMutation } from './mutations.ts';
import { pvCommands, pvSetup } from './lib/pv-model.ts';

applyMutation();
// the mutation check's module-level mutations (pv-mutations.ts); unchanged modules unless CV_MUTATION says so
vi.mock('../src/hypervisor/pv/grant-access.ts', async (importOriginal) => (await import('./pv-mutations.ts')).mutatedGrantAccess(await importOriginal()));
vi.mock('../src/hypervisor/pv/evtchn.ts', async (importOriginal) => (await import('./pv-mutations.ts')).mutatedEvtchn(await importOriginal()));

propertyTest({
  name: 'isolation.pv.memory-model',
  quickRuns: 10,
  weight: 4,
  build: ({ replayPath }) =>
    fc.property(fc.commands(pvCommands, { maxCommands: 40, size: 'medium', replayPath }), (cmds) => {
      fc.modelRun(pvSetup, cmds);
    }),
});
