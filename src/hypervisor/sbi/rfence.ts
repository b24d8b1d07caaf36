// RFENCE extension (SBI v2.0 chapter 8, EID 0x52464E43 "RFNC"). Guest TLBs are the hart's
// VS-stage entries for the domain's VMID, so remote FENCE.I / SFENCE.VMA go to the host,
// which flushes the target vCPUs before they next run. The HFENCE functions (§8.4-8.7) are
// for harts with the H extension; a guest's virtual harts have none (no nested
// virtualization: misa.H reads 0 in VS-mode), so they answer SBI_ERR_NOT_SUPPORTED as
// their error tables allow ("one of the target hart doesn't support hypervisor extension").
import { ALL_ONES, EID, SbiError, fail, hartMaskTargets, ok, type SbiCall, type SbiExtension, type SbiFunction, type SbiResult } from './abi.ts';

/**
 * §8 range rule: the whole address space when start and size are both 0 or size = 2^XLEN-1;
 * null (SBI_ERR_INVALID_ADDRESS) when [start, start + size) wraps past the top of the address space.
 */
export function fenceRange(start: bigint, size: bigint): 'all' | { start: bigint; size: bigint } | null {
  if ((start === 0n && size === 0n) || size === ALL_ONES) return 'all';
  return start + size > ALL_ONES + 1n ? null : { start, size };
}

/** §8.1 sbi_remote_fence_i(hart_mask, hart_mask_base). */
function remoteFenceI({ args: [mask, base], host }: SbiCall): SbiResult {
  const harts = hartMaskTargets(mask, base, host.domain.vcpuCount);
  if (harts === null) return fail(SbiError.INVALID_PARAM);
  host.remoteFence({ kind: 'fence.i', harts });
  return ok();
}

/** §8.2 sbi_remote_sfence_vma(mask, base, start_addr, size) and §8.3 ..._asid(..., asid). */
function remoteSfenceVma(withAsid: boolean) {
  return ({ args: [mask, base, start, size, asid], host }: SbiCall): SbiResult => {
    const harts = hartMaskTargets(mask, base, host.domain.vcpuCount);
    if (harts === null) return fail(SbiError.INVALID_PARAM);
    const range = fenceRange(start, size);
    if (range === null) return fail(SbiError.INVALID_ADDRESS);
    host.remoteFence({ kind: 'sfence.vma', harts, range, asid: withAsid ? asid : null });
    return ok();
  };
}

function hfenceNotSupported(): SbiResult {
  return fail(SbiError.NOT_SUPPORTED);
}

const hfence = (name: string, argc: number): SbiFunction => ({ name, argc, handle: hfenceNotSupported });

export const RFENCE: SbiExtension = Object.freeze({
  eid: EID.RFENCE,
  name: 'RFENCE',
  functions: [
    { name: 'sbi_remote_fence_i', argc: 2, handle: remoteFenceI },
    { name: 'sbi_remote_sfence_vma', argc: 4, handle: remoteSfenceVma(false) },
    { name: 'sbi_remote_sfence_vma_asid', argc: 5, handle: remoteSfenceVma(true) },
    hfence('sbi_remote_hfence_gvma_vmid', 5),
    hfence('sbi_remote_hfence_gvma', 4),
    hfence('sbi_remote_hfence_vvma_asid', 5),
    hfence('sbi_remote_hfence_vvma', 4),
  ],
});
