// The PV event kinds (src/events/kinds.ts: evtchn, grant, ring), appended through the
// hypervisor's event sink with the current icount (docs/PV-ABI.md §12).
import type { EVTCHN_OPS, GRANT_OPS, RING_DEVICES } from '../../events/kinds.ts';
import type { HvEventSink } from '../hv-events.ts';

export type EvtchnOp = (typeof EVTCHN_OPS)[number];
export type GrantOp = (typeof GRANT_OPS)[number];
export type RingDevice = (typeof RING_DEVICES)[number];

export class PvLog {
  constructor(private readonly ev: HvEventSink) {}

  evtchn(dom: number, vcpu: number, op: EvtchnOp, port: number, remoteDomain: number, remotePort: number, result: number): void {
    this.ev.append('evtchn', dom, vcpu, { op, port, remoteDomain, remotePort, result: BigInt(result) });
  }

  grant(dom: number, vcpu: number, op: GrantOp, other: number, ref: number, frame: number, flags: number, status: number): void {
    this.ev.append('grant', dom, vcpu, { op, dom: other, ref, frame: BigInt(frame), flags, status: BigInt(status) });
  }

  ring(dom: number, device: RingDevice, devid: number, op: number, id: bigint | number, arg: bigint | number, status: number, detail = ''): void {
    this.ev.append('ring', dom, 0, { device, devid, op, id: BigInt.asUintN(64, BigInt(id)), arg: BigInt.asUintN(64, BigInt(arg)), status: BigInt(status), detail });
  }
}
