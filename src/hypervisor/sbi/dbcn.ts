// Debug Console extension (SBI v2.0 chapter 12, EID 0x4442434E "DBCN"). Buffers are named by
// guest-physical address (base_addr_hi:base_addr_lo, §3.2) and must lie in the domain's RAM.
import { EID, SbiError, fail, guestRamRange, ok, type SbiCall, type SbiExtension, type SbiResult } from './abi.ts';

/**
 * Most bytes one write or read moves. Both calls are non-blocking and may do partial writes
 * (§12.1) or reads (§12.2), returning the count; the bound keeps one exit (and one console
 * event) small whatever num_bytes a guest passes. Linux and other callers loop on the count.
 */
export const DBCN_MAX_BYTES = 4096;

/** §12.1 sbi_debug_console_write(num_bytes, base_addr_lo, base_addr_hi). */
function consoleWrite({ args: [numBytes, lo, hi], host }: SbiCall): SbiResult {
  const { memory } = host.domain;
  const gpa = guestRamRange(memory, lo, hi, numBytes);
  if (gpa === null) return fail(SbiError.INVALID_PARAM); // the range fails §3.2
  const bytes = new Uint8Array(Number(numBytes < DBCN_MAX_BYTES ? numBytes : DBCN_MAX_BYTES));
  if (bytes.length === 0) return ok(0n);
  if (!memory.read(gpa, bytes)) return fail(SbiError.INVALID_PARAM);
  host.console.write(bytes);
  return ok(BigInt(bytes.length));
}

/** §12.2 sbi_debug_console_read(num_bytes, base_addr_lo, base_addr_hi). */
function consoleRead({ args: [numBytes, lo, hi], host }: SbiCall): SbiResult {
  const { memory } = host.domain;
  const gpa = guestRamRange(memory, lo, hi, numBytes);
  if (gpa === null) return fail(SbiError.INVALID_PARAM);
  if (numBytes === 0n) return ok(0n);
  const bytes = host.console.read(Number(numBytes < DBCN_MAX_BYTES ? numBytes : DBCN_MAX_BYTES));
  if (bytes.length > 0 && !memory.write(gpa, bytes)) return fail(SbiError.INVALID_PARAM);
  return ok(BigInt(bytes.length));
}

/** §12.3 sbi_debug_console_write_byte(byte): uint8_t, so only the low 8 bits of a0 count. */
function consoleWriteByte({ args: [byte], host }: SbiCall): SbiResult {
  host.console.write(Uint8Array.of(Number(byte & 0xffn)));
  return ok(0n);
}

export const DBCN: SbiExtension = Object.freeze({
  eid: EID.DBCN,
  name: 'DBCN',
  functions: [
    { name: 'sbi_debug_console_write', argc: 3, handle: consoleWrite },
    { name: 'sbi_debug_console_read', argc: 3, handle: consoleRead },
    { name: 'sbi_debug_console_write_byte', argc: 1, handle: consoleWriteByte },
  ],
});
