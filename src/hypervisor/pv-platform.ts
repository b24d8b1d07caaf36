// The PV half of the hypervisor (issue "PV guests"): building PV domains, hypercalls and
// exceptions bounced to the guest kernel. The core calls it through this interface.
import type { Domain } from './domain.ts';
import type { ExitOutcome } from './dispatch.ts';
import type { Vcpu } from './vcpu.ts';

export interface PvPlatform {
  /** Builds and starts a PV domain (start_info, initial page tables, shared pages). */
  build(d: Domain): void;
  hypercall(d: Domain, v: Vcpu): ExitOutcome;
  /** An exception in the PV guest: bounce it to the guest kernel's handler. */
  exception(d: Domain, v: Vcpu, cause: number, tval: bigint): ExitOutcome;
}

export class PvNotAvailable extends Error {
  readonly userFacing = true;
}

/** Until PV support is built: PV domains are refused with a clear message. */
export class PvUnsupported implements PvPlatform {
  build(d: Domain): void {
    throw new PvNotAvailable(`domain ${d.name}: type = "pv" is not supported yet (${d.config.sourceFile}); use type = "hvm"`);
  }
  hypercall(d: Domain): ExitOutcome {
    throw new PvNotAvailable(`domain ${d.name} made a hypercall but PV support is not built`);
  }
  exception(d: Domain): ExitOutcome {
    throw new PvNotAvailable(`domain ${d.name}: PV exception bouncing is not built`);
  }
}
