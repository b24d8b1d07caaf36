// Execution breakpoints in the decoded-code cache, for the debugger's full-speed continue.
//
// An armed slot is kept undecoded, so the interpreter reaches it through decodeSlot (fetch.ts),
// which stops the hart with STOP_DEBUG right before the instruction instead of decoding it.
// Compiled code never covers an undecoded slot (jit/block.ts), so arming a page drops its
// compiled regions once. Nothing the guest can observe changes: the instruction is neither
// executed nor skipped, the run loops just return (machine.ts, hypervisor/vcpu.ts).
//
// Breakpoints are guest-virtual pcs while the cache is physical. A page is armed when a hart
// resolves a virtual page holding breakpoints to it (fetchPage's miss path, which every change
// of translation forces, and which every hart takes once when arming starts). An armed slot
// then stops any hart that runs it, through any alias of the page: a stop is a candidate for
// the caller to confirm exactly (replay/debug/fast-continue.ts), never a verdict.
import type { DecodedPage } from './code-cache.ts';
import type { Hart } from './hart.ts';

export interface ExecBreakpoint {
  /** Guest-virtual pc (as the hart addresses it: VS/VU addresses when V=1). */
  pc: bigint;
  /** Harts known to be outside the breakpoint's scope (never armed for them); null: every hart. */
  exclude: ReadonlySet<Hart> | null;
}

interface Entry {
  slot: number;
  exclude: ReadonlySet<Hart> | null;
}

const VPN_HI_SCALE = 1 << 20;

export class ExecBreaks {
  /** Breakpoints by virtual page (high word * 2^20 + low page number). */
  private readonly byPage = new Map<number, Entry[]>();
  /** Pages with armed slots, to disarm. */
  private readonly armedPages: DecodedPage[] = [];

  constructor(breakpoints: readonly ExecBreakpoint[]) {
    for (const b of breakpoints) {
      const lo = Number(BigInt.asIntN(32, b.pc));
      const hi = Number(BigInt.asIntN(32, b.pc >> 32n));
      const key = hi * VPN_HI_SCALE + (lo >>> 12);
      const list = this.byPage.get(key) ?? [];
      list.push({ slot: (lo & 0xfff) >>> 1, exclude: b.exclude });
      this.byPage.set(key, list);
    }
  }

  /** Slots armed so far (for tests and statistics). */
  get armedCount(): number {
    let n = 0;
    for (const p of this.armedPages) for (const b of p.brk!) n += b;
    return n;
  }

  /** `h` resolved virtual page (vpnLo, vpnHi) to decoded page `dp`: arm the breakpoints it holds there. */
  arm(h: Hart, dp: DecodedPage, vpnLo: number, vpnHi: number): void {
    const list = this.byPage.get(vpnHi * VPN_HI_SCALE + vpnLo);
    if (list === undefined) return;
    for (const e of list) {
      if (e.exclude !== null && e.exclude.has(h)) continue;
      if (dp.brk === null) {
        dp.brk = new Uint8Array(2048);
        this.armedPages.push(dp);
      }
      if (dp.brk[e.slot] === 1) continue;
      dp.brk[e.slot] = 1;
      // decoded before: forget it, and the compiled code that may run through it
      dp.op[e.slot] = 0;
      if (dp.regions.length !== 0) dp.dropRegions();
    }
  }

  /** Ends arming: the slots decode normally again the next time they run. */
  disarm(): void {
    for (const p of this.armedPages) p.brk = null;
    this.armedPages.length = 0;
  }
}
