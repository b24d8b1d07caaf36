// The mutation check (issue 6 acceptance): each isolation property must fail when the
// hypervisor check it relies on is removed, and pass when it is back. A mutation is chosen
// with CV_MUTATION=<name>, read only here, in test code: it monkeypatches the running test
// process (class prototypes here; module exports through vi.mock in the test files that
// need them, see pv-mutations.ts). Nothing under src/ knows about it.
//
//   p2m-extra-frame        P2m.map also maps the host frame after the range it was asked to map
//   skip-pv-validation     every PV page-table entry is accepted without validation (TypeTxn.getEntry)
//   skip-grant-permission  grant checks accept any entry: revoked, foreign, read-only (checkGrant)
//   evtchn-unbound-deliver sending on a port that is not bound to a peer still delivers an event
import { P2m } from '../src/hypervisor/p2m.ts';
import { TypeTxn } from '../src/hypervisor/pv/frame-types.ts';

export const MUTATIONS = ['p2m-extra-frame', 'skip-pv-validation', 'skip-grant-permission', 'evtchn-unbound-deliver'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export function activeMutation(): Mutation | null {
  const m = process.env.CV_MUTATION;
  if (!m) return null;
  if (!(MUTATIONS as readonly string[]).includes(m)) throw new Error(`CV_MUTATION=${m}: not one of ${MUTATIONS.join(', ')}`);
  return m as Mutation;
}

let applied = false;

/** Installs the prototype-level mutation named by CV_MUTATION, once per test process. */
export function applyMutation(): void {
  if (applied) return;
  applied = true;
  const m = activeMutation();
  if (m === 'p2m-extra-frame') {
    const map = P2m.prototype.map;
    P2m.prototype.map = function (this: P2m, gpa, hpa, bytes, rights) {
      map.call(this, gpa, hpa, bytes, rights);
      map.call(this, gpa + BigInt(bytes), hpa + bytes, 4096, rights);
    };
  }
  if (m === 'skip-pv-validation') {
    // references are still counted for leaves (so unmapping stays consistent); nothing is refused
    TypeTxn.prototype.getEntry = function () {
      return 0;
    };
  }
}
