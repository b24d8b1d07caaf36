// One call for the core's guest-page-fault handler: decode the faulting instruction, perform
// the access on the domain's device model, write a load's result back, and step the vCPU
// past the instruction. Failures are typed values whose text is the message for the user;
// on failure nothing has changed (no register, no pc, no device, no event), so the core can
// apply the domain's on_crash policy to an untouched vCPU.

import type { VcpuContext } from '../types.ts';
import type { DeviceModel } from './device-model.ts';
import { applyLoad, decodeMmioAccess, mmioDecodeFailure, storeValue, type MmioAccess } from './mmio-decode.ts';

export type MmioOutcome =
  | { readonly kind: 'done'; readonly access: MmioAccess; readonly value: bigint }
  /** The instruction is not an emulated load/store (FP, AMO, ...). */
  | { readonly kind: 'undecodable'; readonly message: string }
  /** No device accepts the access (unmapped, disallowed size, misaligned). */
  | { readonly kind: 'unmapped'; readonly access: MmioAccess; readonly message: string };

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/**
 * Emulates the MMIO access of the instruction `insnBits` that faulted at guest-physical
 * `gpa`. `value` in the result is what was stored, or the device value a load read (before
 * extension into the register).
 */
export function emulateMmio(ctx: VcpuContext, dm: DeviceModel, gpa: bigint, insnBits: number): MmioOutcome {
  const a = decodeMmioAccess(insnBits);
  if (!a) {
    return { kind: 'undecodable', message: `vCPU ${ctx.vcpu} at pc ${hex(ctx.pc)}, guest-physical ${hex(gpa)}: ${mmioDecodeFailure(insnBits)}` };
  }
  const value = a.write ? storeValue(ctx.getX(a.reg), a.size) : 0n;
  const r = dm.access(gpa, a.size, a.write, value, ctx.vcpu);
  if (!r) return { kind: 'unmapped', access: a, message: refusal(ctx, dm, gpa, a) };
  if (!a.write && a.reg !== 0) ctx.setX(a.reg, applyLoad(r.value, a.size, a.signed));
  ctx.skipInstruction(a.len);
  return { kind: 'done', access: a, value: a.write ? value : r.value };
}

function refusal(ctx: VcpuContext, dm: DeviceModel, gpa: bigint, a: MmioAccess): string {
  const what = `${a.size}-byte ${a.write ? 'store' : 'load'} at guest-physical ${hex(gpa)} (vCPU ${ctx.vcpu}, pc ${hex(ctx.pc)})`;
  const d = dm.deviceAt(gpa);
  if (!d) return `${what}: no device and no RAM at that address`;
  const why = gpa % BigInt(a.size) !== 0n ? 'misaligned' : 'an access size it does not support';
  return `${what}: ${d.name} refuses it at offset ${hex(d.offset)} (${why})`;
}
