// The PV half of the hypervisor (issue "PV guests"): building PV domains, hypercalls and
// exceptions bounced to the guest kernel, upcalls, backends and console input. The core calls
// it through this interface; src/hypervisor/pv/pv-host.ts implements it (docs/PV-ABI.md).
import type { Domain } from './domain.ts';
import type { ExitOutcome } from './dispatch.ts';
import type { Vcpu } from './vcpu.ts';

export interface PvPlatform {
  /** Builds and starts a PV domain (start_info, initial page tables, shared pages); again on restart. */
  build(d: Domain): void;
  hypercall(d: Domain, v: Vcpu): ExitOutcome;
  /** An exception in the PV guest: bounce it to the guest kernel's handler. */
  exception(d: Domain, v: Vcpu, cause: number, tval: bigint): ExitOutcome;
  /** Before vCPU v of a PV domain runs a slice: deliver a pending upcall. */
  beforeRun(d: Domain, v: Vcpu): void;
  /** At every scheduling boundary (after bridge delivery): backends serve their kicked rings. */
  boundary(): void;
  /** Console input for a PV domain (already logged as an input event). */
  consoleInput(d: Domain, bytes: Uint8Array): void;
  /** A PV domain stopped: tear down its grant mappings, channels, backends, xenstore nodes. */
  shutdown(d: Domain): void;
  /** Checkpoint state (immutable parts by reference). */
  save(): unknown;
  restore(s: unknown): void;
}

export class PvNotAvailable extends Error {
  readonly userFacing = true;
}

/** Without PV support: PV domains are refused with a clear message. */
export class PvUnsupported implements PvPlatform {
  build(d: Domain): void {
    throw new PvNotAvailable(`domain ${d.name}: type = "pv" is not supported (${d.config.sourceFile}); use type = "hvm"`);
  }
  hypercall(d: Domain): ExitOutcome {
    throw new PvNotAvailable(`domain ${d.name} made a hypercall but PV support is not built`);
  }
  exception(d: Domain): ExitOutcome {
    throw new PvNotAvailable(`domain ${d.name}: PV exception bouncing is not built`);
  }
  beforeRun(): void {}
  boundary(): void {}
  consoleInput(): void {}
  shutdown(): void {}
  save(): unknown {
    return null;
  }
  restore(): void {}
}
