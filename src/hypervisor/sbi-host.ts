// The hypervisor side of SBI for one HVM-family domain (the interface sbi/host.ts defines).
// HSM states live here; run-state changes that follow from a call come back as the call's
// outcome and are applied by the dispatcher through the control plane.
import type { SbiConsole, SbiHost, RemoteFence } from './sbi/host.ts';
import { HsmState, hsmBootStates } from './sbi/hsm.ts';
import type { Vtimer } from './dm/vtimer/device.ts';
import type { Domain } from './domain.ts';

/** Device id of the SBI console in console/input events (the device model numbers its own from 0). */
export const SBI_CONSOLE_DEV = 0xff;

export class DomainSbi implements SbiHost {
  readonly machineIds = Object.freeze({ mvendorid: 0n, marchid: 0n, mimpid: 0n });
  /** HSM state per vCPU (SBI spec ch. 9). */
  hsm: HsmState[];
  readonly timer: Vtimer;
  /** Console input made visible to SBI console reads (filled at slice boundaries). */
  inputBuffer: number[] = [];
  readonly console: SbiConsole;

  constructor(
    private readonly d: Domain,
    output: (bytes: Uint8Array) => void,
  ) {
    this.hsm = hsmBootStates(d.config.vcpus);
    this.timer = d.vtimer;
    this.console = {
      write: (bytes) => {
        d.services.events.console(d.id, SBI_CONSOLE_DEV, bytes);
        output(bytes);
      },
      read: (max) => {
        const n = Math.min(max, this.inputBuffer.length);
        return Uint8Array.from(this.inputBuffer.splice(0, n));
      },
    };
  }

  get domain() {
    return this.d.services;
  }

  hartState(hart: number): HsmState {
    return this.hsm[hart] ?? HsmState.STOPPED;
  }

  setTimer(hart: number, stime: bigint): void {
    this.timer.set(hart, stime);
  }

  remoteFence(fence: RemoteFence): void {
    // our harts cache translations in their TLB only; stores already keep decoded code exact
    for (const h of fence.harts) if (fence.kind === 'sfence.vma') this.d.vcpus[h].hart.flushTlb();
  }
}
