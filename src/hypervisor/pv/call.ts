// One hypercall being handled: the calling domain and vCPU, its arguments, and guest-virtual
// access to its pointer arguments through the current root (docs/PV-ABI.md §2).
import type { Domain } from '../domain.ts';
import type { ExitOutcome } from '../dispatch.ts';
import type { Vcpu } from '../vcpu.ts';
import { DOMID_SELF } from './abi.ts';
import { GuestVa } from './guest-va.ts';
import type { PvHost } from './pv-host.ts';
import type { PvDomain, PvVcpu } from './state.ts';

/** What becomes of the vCPU after a hypercall: the core's outcomes plus giving up the CPU. */
export type HcOutcome = ExitOutcome | 'yield';

/** A handler's answer: the result, or the result with what happens next. */
export type HcReturn =
  | number
  | bigint
  | {
      result: number | bigint;
      outcome?: HcOutcome;
      /** Runs after the hypercall is logged and retired (shutdown, which may rebuild the domain). */
      then?: () => HcOutcome;
      /** iret: registers and pc were replaced; a0 and pc are not touched. */
      noReturn?: boolean;
    };

export class Call {
  readonly va: GuestVa;

  constructor(
    readonly pv: PvHost,
    readonly d: Domain,
    readonly v: Vcpu,
    readonly args: readonly bigint[],
    /** Inside a multicall: blocking calls, iret and nested multicalls are refused. */
    readonly nested: boolean,
  ) {
    this.va = new GuestVa(pv.hm, Number(v.hart.satp & 0xfffffffffffn));
  }

  get id(): number {
    return this.d.id;
  }

  get dom(): PvDomain {
    return this.pv.dom(this.d.id);
  }

  get vcpu(): PvVcpu {
    return this.pv.vcpu(this.d.id, this.v.id);
  }

  a(i: number): bigint {
    return this.args[i] ?? 0n;
  }

  /** Argument i as a u32. */
  u32(i: number): number {
    return Number(this.a(i) & 0xffffffffn);
  }

  /** Argument i as a non-negative safe integer, or -1 when it is larger. */
  num(i: number): number {
    const x = this.a(i);
    return x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : -1;
  }

  /** Whether a domid argument names the caller (DOMID_SELF or its own id). */
  isSelf(domid: number): boolean {
    return domid === DOMID_SELF || domid === this.d.id;
  }
}

/** Normalises a domid argument: DOMID_SELF becomes the caller's id. */
export function resolveDom(c: Call, domid: number): number {
  return domid === DOMID_SELF ? c.d.id : domid;
}
