// The SBI call handler: an `ecall` from VS-mode (the core's 'sbi' exit) comes here. Register
// convention (SBI v2.0 §3): a7 = EID, a6 = FID, a0..a5 = arguments; the answer is a0 =
// sbiret.error, a1 = sbiret.value, every other register preserved. Legacy EIDs 0x00-0x0F
// (§5) ignore a6 and write only a0. pc always moves past the ecall (4 bytes: ECALL has no
// compressed form).
import type { VcpuContext } from '../types.ts';
import { EID, SbiError, type SbiAction, type SbiExtension, type SbiFunction, type SbiResult } from './abi.ts';
import { baseExtension } from './base.ts';
import { DBCN } from './dbcn.ts';
import type { SbiHost } from './host.ts';
import { HSM } from './hsm.ts';
import { IPI } from './ipi.ts';
import { LEGACY_EXTENSIONS } from './legacy.ts';
import { RFENCE } from './rfence.ts';
import { SRST } from './srst.ts';
import { TIME } from './time.ts';

/** What one call did: the `sbi` event's fields, and the action the core must take. */
export type SbiOutcome = SbiCallRecord & SbiAction;

export interface SbiCallRecord {
  /** a7 and a6 as logged: their low 32 bits, unsigned (EIDs and FIDs are 32-bit, §3). fid is 0 for legacy EIDs. */
  readonly ext: number;
  readonly fid: number;
  /** The argument registers the function reads (a0.. in order); none for an unsupported call. */
  readonly args: readonly bigint[];
  /** sbiret.error (for legacy EIDs: 0 or the negative code returned in a0). */
  readonly error: bigint;
  /** sbiret.value (for legacy EIDs: what a0 holds on success). */
  readonly value: bigint;
}

const REG_A0 = 10;
const REG_A1 = 11;
const REG_A6 = 16;
const REG_A7 = 17;
const ECALL_BYTES = 4;
const U64 = (1n << 64n) - 1n;
const CONTINUE: SbiAction = Object.freeze({ kind: 'continue' });
const UNSUPPORTED: SbiResult = Object.freeze({ error: SbiError.NOT_SUPPORTED, value: 0n });

const byEid = new Map<bigint, SbiExtension>();
const BASE = baseExtension((eid) => byEid.has(eid));
for (const ext of [BASE, ...LEGACY_EXTENSIONS, TIME, IPI, RFENCE, HSM, SRST, DBCN]) byEid.set(BigInt(ext.eid), ext);

/** Every extension Chronovisor implements, in EID order (docs, `inspect --stats` labels). */
export const SBI_EXTENSIONS: readonly SbiExtension[] = Object.freeze([...byEid.values()].sort((a, b) => a.eid - b.eid));

/** The extension a7 names exactly (EIDs are compared as whole registers, so stray upper bits miss). */
export function sbiExtension(a7: bigint): SbiExtension | undefined {
  return byEid.get(a7);
}

/** The function (a7, a6) names, or undefined: what handleSbiCall answers NOT_SUPPORTED for. */
export function sbiFunction(a7: bigint, a6: bigint): SbiFunction | undefined {
  const ext = byEid.get(a7);
  if (!ext) return undefined;
  if (ext.legacy) return ext.functions[0];
  return a6 < BigInt(ext.functions.length) ? ext.functions[Number(a6)] : undefined;
}

/**
 * Handles the SBI call the vCPU `ctx` made: reads a7/a6/a0..a5, runs the function, writes
 * a0 (and a1 unless legacy), advances pc by 4, and returns what happened. Register writes
 * and pc are done for every outcome; for the ones that never return to the caller
 * (hart-stop, non-retentive hart-suspend, system-reset) the core overwrites or drops them.
 */
export function handleSbiCall(ctx: VcpuContext, host: SbiHost): SbiOutcome {
  const a7 = ctx.getX(REG_A7);
  const a6 = ctx.getX(REG_A6);
  const legacy = a7 <= BigInt(EID.LEGACY_LAST);
  const fn = sbiFunction(a7, a6);
  const args: bigint[] = [];
  for (let i = 0; i < (fn?.argc ?? 0); i++) args.push(ctx.getX(REG_A0 + i));
  const result = fn ? fn.handle({ hart: ctx.vcpu, args, host }) : UNSUPPORTED;

  if (legacy) {
    ctx.setX(REG_A0, (result.error !== 0n ? result.error : result.value) & U64);
  } else {
    ctx.setX(REG_A0, result.error & U64);
    ctx.setX(REG_A1, result.value & U64);
  }
  ctx.skipInstruction(ECALL_BYTES);

  return {
    ext: Number(a7 & 0xffff_ffffn),
    fid: legacy ? 0 : Number(a6 & 0xffff_ffffn),
    args,
    error: result.error,
    value: result.value,
    ...(result.action ?? CONTINUE),
  };
}
