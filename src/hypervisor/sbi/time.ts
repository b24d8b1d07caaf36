// Timer extension (SBI v2.0 chapter 6, EID 0x54494D45 "TIME"), shared with legacy set_timer (§5.1).
import { EID, ok, type SbiCall, type SbiExtension, type SbiResult } from './abi.ts';
import type { SbiHost } from './host.ts';

/** VSTIP, the VS-level timer interrupt line (hvip bit 6). */
const VSTIP = 6;

/**
 * Programs vCPU `hart`'s next timer event at absolute `stime` (in `time` CSR units) and clears
 * its pending timer interrupt (§6.1 "must clear the pending timer interrupt bit as well").
 * Cleared first, so a deadline already past raises it again at the next boundary.
 */
export function programTimer(host: SbiHost, hart: number, stime: bigint): void {
  host.domain.irqs.set(hart, VSTIP, false);
  host.setTimer(hart, stime);
}

/** §6.1 sbi_set_timer(stime_value): (uint64_t)-1 means no next event. */
function setTimer({ hart, args: [stime], host }: SbiCall): SbiResult {
  programTimer(host, hart, stime);
  return ok();
}

export const TIME: SbiExtension = Object.freeze({
  eid: EID.TIME,
  name: 'TIME',
  functions: [{ name: 'sbi_set_timer', argc: 1, handle: setTimer }],
});
