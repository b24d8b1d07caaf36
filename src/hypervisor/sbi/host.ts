// What Chronovisor's SBI implementation needs from the hypervisor core, for one HVM-family
// domain. The core implements SbiHost; the SBI code never touches a hart, the scheduler or
// the event log itself. Two kinds of effect are split on purpose:
//
// - effects on *other* parts of the system that complete inside the call (arm a timer, flush
//   TLBs, write console bytes, raise an interrupt line) go through this interface;
// - changes to a vCPU's run state (start, stop, suspend, reset the domain) are returned as the
//   SbiOutcome's action (dispatch.ts), so the core applies them through its own reducers.
//
// hartid = vCPU index: a domain with n vCPUs has hartids 0..n-1 (domain.vcpuCount).
import type { DomainServices } from '../types.ts';
import type { HsmState } from './hsm.ts';

export interface SbiHost {
  /**
   * The calling vCPU's domain. Used: `vcpuCount` (valid hartids), `memory` (DBCN buffers,
   * start/resume addresses, §3.2) and `irqs` (IPI raises VSSIP = 2 on each target, §7.1;
   * set_timer clears VSTIP = 6 on the caller, §6.1). `irqs.set(v, irq, true)` must wake a
   * vCPU blocked in WFI or in a retentive suspend if the guest enabled that interrupt.
   */
  readonly domain: DomainServices;

  /** What BASE get_mvendorid/get_marchid/get_mimpid return (§4.5-4.7): the values the domain's
   *  harts report in those CSRs (0, a legal value, for our hart). */
  readonly machineIds: { readonly mvendorid: bigint; readonly marchid: bigint; readonly mimpid: bigint };

  /**
   * §9 HSM state of vCPU `hart` (0 <= hart < vcpuCount), as the core tracks it:
   * halted by HSM stop or not yet started → STOPPED; started by hart_start but not yet run →
   * START_PENDING (or STARTED: the spec lets start complete at any time); blocked by
   * hart_suspend → SUSPENDED; running, runnable, blocked in WFI → STARTED; paused → the state
   * it had before the pause. hsm.ts `hsmTransition` is the state machine to apply.
   */
  hartState(hart: number): HsmState;

  /**
   * §6.1: arm vCPU `hart`'s supervisor timer to fire when the `time` CSR *as the guest reads
   * it* (host time + htimedelta) reaches `stime`; the firing raises VSTIP (irq 6). Replaces any
   * earlier deadline. `stime` = 2^64-1 means never. The SBI code has already cleared VSTIP.
   * A deadline in the past must fire at the next instruction boundary, not synchronously.
   */
  setTimer(hart: number, stime: bigint): void;

  /**
   * §8.1-8.3: make the listed vCPUs (already validated, ascending) execute FENCE.I or
   * SFENCE.VMA (VS-stage, the domain's VMID) before they next run guest code. The call
   * completes synchronously (the spec's "IPI was sent" is already true on return).
   */
  remoteFence(fence: RemoteFence): void;

  /** The domain's SBI console: DBCN (§12) and legacy putchar/getchar (§5.2, §5.3). */
  readonly console: SbiConsole;
}

/** A remote fence request (§8). `range` 'all' is the spec's whole address space case. */
export type RemoteFence =
  | { readonly kind: 'fence.i'; readonly harts: readonly number[] }
  | {
      readonly kind: 'sfence.vma';
      readonly harts: readonly number[];
      readonly range: 'all' | { readonly start: bigint; readonly size: bigint };
      /** null: every ASID (§8.2); a number: only that ASID (§8.3). */
      readonly asid: bigint | null;
    };

export interface SbiConsole {
  /** Takes the bytes for the domain's console output (the core logs a `console` event). Never refuses. */
  write(bytes: Uint8Array): void;
  /**
   * Consumes and returns up to `max` (>= 1) bytes of console input, or an empty array when
   * none is queued. Never blocks. Input is an external input: the core logs it when recording
   * and feeds it from the log when replaying.
   */
  read(max: number): Uint8Array;
}
