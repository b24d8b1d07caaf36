// H-extension instructions: HFENCE.VVMA/GVMA and the HLV/HLVX/HSV virtual-machine loads and
// stores (privileged spec 9.3). Filled in by the hypervisor work (issue 4).
import type { DecodedPage } from './code-cache.ts';
import { EXC } from './csr-defs.ts';
import type { Hart } from './hart.ts';
import { raiseException } from './trap.ts';

export function execHypervisorInsn(h: Hart, _dp: DecodedPage, _i: number, _op: number, raw: number): number {
  // without the H extension these encodings are illegal instructions
  raiseException(h, EXC.ILLEGAL, raw, 0);
  return 0;
}
