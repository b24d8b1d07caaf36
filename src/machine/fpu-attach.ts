// Gives a hart its F/D unit. Kept apart so the CPU core does not depend on the FPU module.
import type { Hart } from '../cpu/hart.ts';
import { Fpu } from '../cpu/fpu/fpu.ts';

export function attachFpu(h: Hart): void {
  h.fpu = new Fpu(h.x);
}
