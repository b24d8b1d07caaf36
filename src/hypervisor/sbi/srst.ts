// System Reset extension (SBI v2.0 chapter 10, EID 0x53525354 "SRST").
import { EID, SbiError, fail, ok, u32, type ResetReason, type ResetType, type SbiCall, type SbiExtension, type SbiResult } from './abi.ts';

/** §10.1 table "SRST System Reset Types": 3..0xEFFFFFFF reserved, 0xF0000000.. vendor (none here). */
const RESET_TYPES: readonly ResetType[] = ['shutdown', 'cold-reboot', 'warm-reboot'];
/** §10.1 table "SRST System Reset Reasons": 2..0xDFFFFFFF reserved; SBI-implementation (0xE...) and vendor (0xF...) reasons: none here. */
const RESET_REASONS: readonly ResetReason[] = ['none', 'system-failure'];

/** §10.1 sbi_system_reset(reset_type, reset_reason): does not return on success. */
function systemReset({ args: [resetType, resetReason] }: SbiCall): SbiResult {
  const type = RESET_TYPES[u32(resetType)];
  const reason = RESET_REASONS[u32(resetReason)];
  // "reserved or platform-specific and unimplemented" → SBI_ERR_INVALID_PARAM
  if (type === undefined || reason === undefined) return fail(SbiError.INVALID_PARAM);
  return ok(0n, { kind: 'system-reset', type, reason });
}

export const SRST: SbiExtension = Object.freeze({
  eid: EID.SRST,
  name: 'SRST',
  functions: [{ name: 'sbi_system_reset', argc: 2, handle: systemReset }],
});
