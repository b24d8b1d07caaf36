// Redirecting a trap into a guest, as HS-mode software does when it forwards an exception to
// VS-mode: VS CSRs take what the guest's own trap handler expects (privileged spec 9.6.2).
import { PRIV_S } from '../cpu/csr-defs.ts';
import type { Hart } from '../cpu/hart.ts';

export function injectIntoGuest(h: Hart, cause: number, tval: bigint): void {
  let vs = h.vsstatus;
  const sie = (vs >> 1n) & 1n;
  // SPIE <- SIE, SIE <- 0, SPP <- the guest's privilege
  vs = (vs & ~((1n << 5n) | (1n << 1n) | (1n << 8n))) | (sie << 5n) | (BigInt(h.priv & 1) << 8n);
  h.vsstatus = vs;
  h.vsepc = h.pc;
  h.vscause = BigInt(cause);
  h.vstval = tval;
  h.priv = PRIV_S;
  h.setPc(h.vstvec & ~3n);
  h.flushTlb();
}
