// Base extension (SBI v2.0 chapter 4, EID 0x10): versions, implementation identity, probing.
// Every function must succeed (§4: "no error returns defined").
import { EID, ok, type SbiCall, type SbiExtension, type SbiResult } from './abi.ts';

/**
 * The spec version Chronovisor claims: 2.0 (§4.1 encoding: major in bits 30:24, minor in
 * 23:0). 2.0 because DBCN is a 2.0 extension and Linux only looks for DBCN when the version
 * is at least 2.0; nothing 2.0 adds is mandatory beyond BASE, and every other extension we
 * offer follows its 2.0 text.
 */
export const SBI_SPEC_VERSION = (2 << 24) | 0;

/**
 * Chronovisor's implementation ID (§4.2): 0x4348524E, ASCII "CHRN". Not in the spec's
 * registry (§4.9, sequential small numbers, 0-11 taken today); a four-character tag far above
 * them cannot collide with a future assignment. Guests may key quirks on it.
 */
export const CHRONOVISOR_SBI_IMPL_ID = 0x4348524e;

/** §4.3 implementation version, encoded major << 16 | minor: Chronovisor 0.1. */
export const CHRONOVISOR_SBI_IMPL_VERSION = (0 << 16) | 1;

/**
 * The BASE extension for a dispatcher whose extensions `implemented` reports (§4.4
 * probe_extension returns 1 for those, 0 otherwise). A factory because BASE probes the table
 * it is itself part of.
 */
export function baseExtension(implemented: (eid: bigint) => boolean): SbiExtension {
  const constant = (value: number): (() => SbiResult) => () => ok(BigInt(value));
  return Object.freeze({
    eid: EID.BASE,
    name: 'BASE',
    functions: [
      { name: 'sbi_get_spec_version', argc: 0, handle: constant(SBI_SPEC_VERSION) },
      { name: 'sbi_get_impl_id', argc: 0, handle: constant(CHRONOVISOR_SBI_IMPL_ID) },
      { name: 'sbi_get_impl_version', argc: 0, handle: constant(CHRONOVISOR_SBI_IMPL_VERSION) },
      { name: 'sbi_probe_extension', argc: 1, handle: ({ args: [eid] }: SbiCall) => ok(implemented(eid) ? 1n : 0n) },
      { name: 'sbi_get_mvendorid', argc: 0, handle: ({ host }: SbiCall) => ok(host.machineIds.mvendorid) },
      { name: 'sbi_get_marchid', argc: 0, handle: ({ host }: SbiCall) => ok(host.machineIds.marchid) },
      { name: 'sbi_get_mimpid', argc: 0, handle: ({ host }: SbiCall) => ok(host.machineIds.mimpid) },
    ],
  });
}
