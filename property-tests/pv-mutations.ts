// The two mutations of mutations.ts that replace module exports rather than class methods:
// vi.mock factories in the PV test files hand the real module to these functions, which
// return it unchanged unless CV_MUTATION names their mutation. (A vi.mock call has to sit
// in the test file itself, where vitest hoists it; the logic lives here.)
import { EVTCHNOP, GNTST } from '../src/hypervisor/pv/abi.ts';
import type * as GrantAccess from '../src/hypervisor/pv/grant-access.ts';
import type * as Evtchn from '../src/hypervisor/pv/evtchn.ts';
import type { Call } from '../src/hypervisor/pv/call.ts';
import { activeMutation } from './mutations.ts';

/** skip-grant-permission: checkGrant no longer looks at GTF_permit_access, the grantee or GTF_readonly. */
export function mutatedGrantAccess(orig: typeof GrantAccess): typeof GrantAccess {
  if (activeMutation() !== 'skip-grant-permission') return orig;
  return {
    ...orig,
    checkGrant(pv, granter, ref, grantee, write) {
      const real = orig.checkGrant(pv, granter, ref, grantee, write);
      if (real.status !== GNTST.permission_denied) return real;
      const e = orig.readEntry(pv, real.at);
      if (pv.hm.owner(e.frame) !== granter) return { status: GNTST.bad_page, mfn: e.frame, at: real.at };
      return { status: GNTST.okay, mfn: e.frame, at: real.at };
    },
  };
}

/** evtchn-unbound-deliver: a send on a port that is allocated but not bound to a peer marks it pending. */
export function mutatedEvtchn(orig: typeof Evtchn): typeof Evtchn {
  if (activeMutation() !== 'evtchn-unbound-deliver') return orig;
  return {
    ...orig,
    eventChannelOp(c: Call) {
      if (c.u32(0) === EVTCHNOP.send) {
        const r = c.va.readView(c.a(1), 4);
        const port = r ? r.getUint32(0, true) : -1;
        if (c.dom.ports[port]?.state === 'unbound') orig.markPending(c.pv, c.id, port);
      }
      return orig.eventChannelOp(c);
    },
  };
}
