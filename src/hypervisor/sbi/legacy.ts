// Legacy extensions (SBI v2.0 chapter 5, EIDs 0x00-0x0F): one extension per EID, FID ignored,
// only a0 returned (a0 = the error when non-zero, else the value; a1 is preserved).
// Implemented: set_timer, console_putchar, console_getchar, shutdown. Not implemented, so
// probe_extension says 0 and a call answers SBI_ERR_NOT_SUPPORTED in a0: clear_ipi (0x03,
// deprecated: the guest clears sip.SSIP itself), send_ipi and the remote fences (0x04-0x07,
// whose hart_mask is a *virtual* address of the caller: use IPI and RFENCE instead) and the
// reserved 0x09-0x0F. Linux and U-Boot use the v0.2+ replacements whenever the spec version
// is 0.2 or later, as ours is.
import { EID, ok, type SbiCall, type SbiExtension, type SbiFunction, type SbiResult } from './abi.ts';
import { programTimer } from './time.ts';

/** §5.1 sbi_set_timer(stime_value): as TIME's (§6.1); returns 0. */
function setTimer({ hart, args: [stime], host }: SbiCall): SbiResult {
  programTimer(host, hart, stime);
  return ok();
}

/** §5.2 sbi_console_putchar(int ch): the console never refuses, so it never blocks; returns 0. */
function consolePutchar({ args: [ch], host }: SbiCall): SbiResult {
  host.console.write(Uint8Array.of(Number(ch & 0xffn)));
  return ok();
}

/** §5.3 sbi_console_getchar(): the byte, or -1 when no input is waiting. */
function consoleGetchar({ host }: SbiCall): SbiResult {
  const bytes = host.console.read(1);
  return bytes.length > 0 ? ok(BigInt(bytes[0])) : { error: -1n, value: 0n };
}

/** §5.9 sbi_shutdown(): all harts stop; never returns. The same as SRST shutdown, no reason. */
function shutdown(): SbiResult {
  return ok(0n, { kind: 'system-reset', type: 'shutdown', reason: 'none' });
}

function legacy(eid: number, fn: SbiFunction): SbiExtension {
  return Object.freeze({ eid, name: fn.name, legacy: true, functions: [fn] });
}

export const LEGACY_EXTENSIONS: readonly SbiExtension[] = Object.freeze([
  legacy(EID.LEGACY_SET_TIMER, { name: 'sbi_set_timer', argc: 1, handle: setTimer }),
  legacy(EID.LEGACY_CONSOLE_PUTCHAR, { name: 'sbi_console_putchar', argc: 1, handle: consolePutchar }),
  legacy(EID.LEGACY_CONSOLE_GETCHAR, { name: 'sbi_console_getchar', argc: 0, handle: consoleGetchar }),
  legacy(EID.LEGACY_SHUTDOWN, { name: 'sbi_shutdown', argc: 0, handle: shutdown }),
]);
