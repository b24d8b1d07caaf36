// Instruction fetch for the interpreter (interp.ts): resolving the page that holds pc to its
// decoded-code page, and decoding one instruction slot on demand, including a 32-bit
// instruction that straddles two pages.
import { fillSlot, STRADDLE_SLOT, type DecodedPage } from './code-cache.ts';
import { ACCESS_FETCH, EXC } from './csr-defs.ts';
import { STOP_DEBUG, type Hart } from './hart.ts';
import { PAGE_CODE } from './memory-port.ts';
import { translate } from './mmu.ts';
import { raiseException } from './trap.ts';

/**
 * Resolves the page holding pc for execution; null if a fetch exception was raised. Its
 * backing-store offset is left in h.fetchCache.base. The last
 * answer is kept per hart: MMIO and CSR instructions end the inner loop and re-resolve the same
 * page, and the cache is exact because every change of translation bumps h.fetchEpoch and
 * decoded pages are cleared in place (never replaced) when their code changes.
 */
export function fetchPage(h: Hart): DecodedPage | null {
  const vpn = h.pcLo >>> 12;
  const fc = h.fetchCache;
  if (
    fc.page !== null &&
    fc.epoch === h.fetchEpoch &&
    fc.vpnLo === vpn &&
    fc.vpnHi === h.pcHi &&
    // a store to the page's code clears PAGE_CODE; code.page() must set it again, or later
    // stores would stop invalidating what is decoded there
    h.mem.pageFlags[fc.base >>> 12] & PAGE_CODE
  ) {
    return fc.page;
  }
  const pa = translate(h, h.pcLo, h.pcHi, ACCESS_FETCH);
  if (pa < 0) return null;
  const off = h.mem.ramOffset(pa, false);
  if (off < 0) {
    raiseException(h, EXC.INSN_ACCESS, h.pcLo, h.pcHi);
    return null;
  }
  const base = off - (off & 0xfff);
  const page = h.code.page(base >>> 12);
  if (h.code.breaks !== null) h.code.breaks.arm(h, page, vpn, h.pcHi);
  fc.page = page;
  fc.base = base;
  fc.epoch = h.fetchEpoch;
  fc.vpnLo = vpn;
  fc.vpnHi = h.pcHi;
  return page;
}

/** Slot a straddling instruction was decoded into (side result of decodeSlot). */
export let decodedSlot = 0;

/**
 * Decodes the instruction at `off` of the current page into `dp`. A 32-bit instruction in
 * the page's last halfword takes its upper half from the next page (translated for fetch)
 * and is decoded into the straddle slot every time, since that page's mapping may change.
 * Returns the op, or -1 if the second half's fetch raised an exception or the slot is an armed
 * debugger breakpoint (then h.stop is STOP_DEBUG and pc is at the slot).
 */
export function decodeSlot(h: Hart, dp: DecodedPage, base: number, pageLo: number, pageHi: number, off: number): number {
  if (dp.brk !== null && dp.brk[off >>> 1] === 1) {
    // an armed debugger breakpoint (exec-breaks.ts): stop right before it
    h.pcLo = pageLo | off;
    h.pcHi = pageHi;
    h.stop = STOP_DEBUG;
    return -1;
  }
  const dv = h.mem.dv;
  const lo16 = dv.getUint16(base + off, true);
  decodedSlot = off >>> 1;
  if ((lo16 & 3) !== 3) return fillSlot(dp, decodedSlot, lo16);
  if (off <= 4092) return fillSlot(dp, decodedSlot, dv.getInt32(base + off, true));
  h.pcLo = pageLo | off;
  h.pcHi = pageHi;
  const nextLo = (pageLo + 4096) | 0;
  const nextHi = nextLo === 0 ? (pageHi + 1) | 0 : pageHi;
  const pa = translate(h, nextLo, nextHi, ACCESS_FETCH);
  if (pa < 0) return -1;
  const off2 = h.mem.ramOffset(pa, false);
  if (off2 < 0) {
    raiseException(h, EXC.INSN_ACCESS, nextLo, nextHi);
    return -1;
  }
  decodedSlot = STRADDLE_SLOT;
  return fillSlot(dp, STRADDLE_SLOT, lo16 | (dv.getUint16(off2, true) << 16));
}
