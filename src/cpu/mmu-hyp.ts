// Two-stage address translation for V=1 (H extension, privileged spec 9.5): VS-stage via
// vsatp, then G-stage via hgatp (Sv39x4). Filled in by the hypervisor work (issue 4).
import type { Hart } from './hart.ts';

/** translateGuest() result when a guest-page fault was raised. */
export const TRANSLATE_GUEST_FAULT = -3;

export function translateGuest(_h: Hart, _vaLo: number, _vaHi: number, _access: number, _priv: number, _hlvx: boolean): number {
  throw new Error('two-stage translation (V=1) is not implemented yet');
}
