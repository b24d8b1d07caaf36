// Hart State Management (SBI v2.0 chapter 9, EID 0x48534D "HSM"): per-vCPU states, the
// state machine of figure "SBI HSM State Machine", and hart_start/stop/get_status/suspend.
// The core owns each vCPU's state (SbiHost.hartState); this file decides what a call may do
// and returns the change as an action, which the core applies with hsmTransition.
import { EID, SbiError, fail, hartIndex, isExecutableAddress, ok, u32, type SbiCall, type SbiExtension, type SbiResult } from './abi.ts';

/** §9 table "HSM Hart States": the state ids hart_get_status returns. */
export const HsmState = Object.freeze({
  STARTED: 0,
  STOPPED: 1,
  START_PENDING: 2,
  STOP_PENDING: 3,
  SUSPENDED: 4,
  SUSPEND_PENDING: 5,
  RESUME_PENDING: 6,
});
export type HsmState = (typeof HsmState)[keyof typeof HsmState];

export const HSM_STATE_NAMES: Readonly<Record<HsmState, string>> = Object.freeze({
  0: 'STARTED', 1: 'STOPPED', 2: 'START_PENDING', 3: 'STOP_PENDING', 4: 'SUSPENDED', 5: 'SUSPEND_PENDING', 6: 'RESUME_PENDING',
});

/** The arrows of §9's state machine figure, named by what causes them. */
export type HsmEvent =
  | 'start' // sbi_hart_start() called by some other hart: STOPPED → START_PENDING
  | 'started' // the implementation starts the hart: START_PENDING → STARTED
  | 'stop' // sbi_hart_stop() called by the hart itself: STARTED → STOP_PENDING
  | 'stopped' // the implementation stops the hart: STOP_PENDING → STOPPED
  | 'suspend' // sbi_hart_suspend() called by the hart itself: STARTED → SUSPEND_PENDING
  | 'suspended' // the implementation suspends the hart: SUSPEND_PENDING → SUSPENDED
  | 'wake' // an interrupt or platform event: SUSPENDED → RESUME_PENDING
  | 'resumed'; // the implementation resumes the hart: RESUME_PENDING → STARTED

const TRANSITIONS: Readonly<Record<HsmEvent, readonly [HsmState, HsmState]>> = Object.freeze({
  start: [HsmState.STOPPED, HsmState.START_PENDING],
  started: [HsmState.START_PENDING, HsmState.STARTED],
  stop: [HsmState.STARTED, HsmState.STOP_PENDING],
  stopped: [HsmState.STOP_PENDING, HsmState.STOPPED],
  suspend: [HsmState.STARTED, HsmState.SUSPEND_PENDING],
  suspended: [HsmState.SUSPEND_PENDING, HsmState.SUSPENDED],
  wake: [HsmState.SUSPENDED, HsmState.RESUME_PENDING],
  resumed: [HsmState.RESUME_PENDING, HsmState.STARTED],
});

/** The state after `event`, or null when the figure has no such arrow from `from`. */
export function hsmTransition(from: HsmState, event: HsmEvent): HsmState | null {
  const [src, dst] = TRANSITIONS[event];
  return from === src ? dst : null;
}

/** States of a freshly created or reset domain: the boot hart (vCPU 0) runs, the rest wait for hart_start. */
export function hsmBootStates(vcpuCount: number): HsmState[] {
  return Array.from({ length: vcpuCount }, (_, i) => (i === 0 ? HsmState.STARTED : HsmState.STOPPED));
}

/** §9.4 table "HSM Hart Suspend Types": the two default types; every other value is reserved or platform specific. */
export const SUSPEND_DEFAULT_RETENTIVE = 0x0000_0000;
export const SUSPEND_DEFAULT_NON_RETENTIVE = 0x8000_0000;

/** §9.1 sbi_hart_start(hartid, start_addr, opaque). */
function hartStart({ args: [hartid, startAddr, opaque], host }: SbiCall): SbiResult {
  const hart = hartIndex(hartid, host.domain.vcpuCount);
  if (hart === null) return fail(SbiError.INVALID_PARAM);
  // "already started": any state but STOPPED, pending ones included (the hart is on its way)
  if (host.hartState(hart) !== HsmState.STOPPED) return fail(SbiError.ALREADY_AVAILABLE);
  if (!isExecutableAddress(host.domain.memory, startAddr)) return fail(SbiError.INVALID_ADDRESS);
  return ok(0n, { kind: 'hart-start', hart, startAddr, opaque });
}

/** §9.2 sbi_hart_stop(): does not return on success; the caller is STARTED since it runs. */
function hartStop(): SbiResult {
  return ok(0n, { kind: 'hart-stop' });
}

/** §9.3 sbi_hart_get_status(hartid). */
function hartGetStatus({ args: [hartid], host }: SbiCall): SbiResult {
  const hart = hartIndex(hartid, host.domain.vcpuCount);
  if (hart === null) return fail(SbiError.INVALID_PARAM);
  return ok(BigInt(host.hartState(hart)));
}

/** §9.4 sbi_hart_suspend(suspend_type, resume_addr, opaque): only the two default types exist here. */
function hartSuspend({ args: [type, resumeAddr, opaque], host }: SbiCall): SbiResult {
  const suspendType = u32(type);
  if (suspendType === SUSPEND_DEFAULT_RETENTIVE) {
    // resume_addr is unused; the call returns SBI_SUCCESS once the hart is woken
    return ok(0n, { kind: 'hart-suspend', retentive: true, suspendType });
  }
  if (suspendType === SUSPEND_DEFAULT_NON_RETENTIVE) {
    if (!isExecutableAddress(host.domain.memory, resumeAddr)) return fail(SbiError.INVALID_ADDRESS);
    return ok(0n, { kind: 'hart-suspend', retentive: false, suspendType, resumeAddr, opaque });
  }
  // reserved, or platform specific and not implemented
  return fail(SbiError.INVALID_PARAM);
}

export const HSM: SbiExtension = Object.freeze({
  eid: EID.HSM,
  name: 'HSM',
  functions: [
    { name: 'sbi_hart_start', argc: 3, handle: hartStart },
    { name: 'sbi_hart_stop', argc: 0, handle: hartStop },
    { name: 'sbi_hart_get_status', argc: 1, handle: hartGetStatus },
    { name: 'sbi_hart_suspend', argc: 3, handle: hartSuspend },
  ],
});
