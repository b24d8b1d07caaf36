// Hypervisor-extension CSRs (privileged spec ch. 9). Filled in by the hypervisor work
// (issue 4); until then a hart without H reports them as illegal.
import type { Hart } from './hart.ts';
import { csrStatus, CSR_ILLEGAL } from './csr.ts';

/** Whether `csr` is one of the H extension's hypervisor or VS CSRs. */
export function isHypCsr(csr: number): boolean {
  const top = csr >>> 8;
  return top === 0x2 || top === 0x6 || csr === 0xe12 || top === 0xa || (csr >= 0x680 && csr <= 0x6ff);
}

export function hypCsrRead(h: Hart, _csr: number): bigint {
  void h;
  csrStatus.fault = CSR_ILLEGAL;
  return 0n;
}

export function hypCsrWrite(h: Hart, _csr: number, _v: bigint): void {
  void h;
  csrStatus.fault = CSR_ILLEGAL;
}
