// IPI extension (SBI v2.0 chapter 7, EID 0x735049 "sPI").
import { EID, SbiError, fail, hartMaskTargets, ok, type SbiCall, type SbiExtension, type SbiResult } from './abi.ts';

/** VSSIP, the VS-level software interrupt line (hvip bit 2): what an IPI is to a guest. */
const VSSIP = 2;

/**
 * §7.1 sbi_send_ipi(hart_mask, hart_mask_base): each target sees a supervisor software
 * interrupt. The guest clears it itself by writing sip.SSIP (an alias of hvip.VSSIP).
 * Stopped targets get it too: it stays pending until they start and enable it.
 */
function sendIpi({ args: [mask, base], host }: SbiCall): SbiResult {
  const targets = hartMaskTargets(mask, base, host.domain.vcpuCount);
  if (targets === null) return fail(SbiError.INVALID_PARAM); // §3.1 hart mask errors
  for (const hart of targets) host.domain.irqs.set(hart, VSSIP, true);
  return ok();
}

export const IPI: SbiExtension = Object.freeze({
  eid: EID.IPI,
  name: 'IPI',
  functions: [{ name: 'sbi_send_ipi', argc: 2, handle: sendIpi }],
});
