// JavaScript for loads and stores inside a compiled region: only the interpreter's TLB fast
// path. Whatever else can happen — a TLB miss (page walk, fault, MMIO, a page-crossing
// access) or a store to a page with flags (code to invalidate, dirty tracking) — is left to
// the interpreter: the region stops *before* the instruction and hands it over (exit
// HANDOVER + offset), and interp.ts executes it exactly as it always does, with its own
// pc, retired count and slow paths. Regions therefore never call into mmu.ts, never see a
// trap, and never run on after their own page was cleared.
//
// Names the generated code relies on (region.ts defines them): register locals, dv, flags,
// the TLB arrays rTagLo/rTagHi/rOff/wTagLo/wTagHi/wOff, and the exit protocol (exitCode).
import { OP } from '../../isa/opcodes.ts';
import type { Operands } from './emit-alu.ts';
import type { RegisterNames } from './regs.ts';
import { exitCode, HANDOVER } from './exits.ts';

/** Leaves the region before the instruction at `off`, the `k`-th (0-based) of a block of `count`. */
function handOver(off: number, k: number, count: number): string {
  return `{ ${exitCode(HANDOVER + off, count - k)} }`;
}

/**
 * The effective address rs1 + imm: `ta` (low word) and its TLB set `tt`, and the condition
 * for the TLB check failing — tag, high word (with the carry out of the low word), and a
 * page offset above 4088 for every access size, exactly as interp.ts: whether the fast path
 * is taken is visible (the slow path walks the page table again), so it must be the same.
 */
function addressMisses(r: RegisterNames, rs1: number, imm: number, tag: string, hiTag: string): { setup: string; misses: string } {
  const lo = r.lo(rs1), hi = r.hi(rs1);
  const carry = imm === 0 ? '' : ` + ${imm >> 31} + (ta >>> 0 < ${lo} >>> 0 ? 1 : 0)`;
  return {
    setup: `const ta = (${lo} + ${imm | 0}) | 0, tt = (ta >>> 12) & 255; `,
    misses: `${tag}[tt] !== ta >>> 12 || ${hiTag}[tt] !== ((${hi}${carry}) | 0) || (ta & 4095) > 4088`,
  };
}

const LOADS: Partial<Record<number, (r: RegisterNames, rd: number) => string>> = {
  [OP.LD]: (r, rd) => `${r.setLo(rd)} = dv.getInt32(tq, true); ${r.setHi(rd)} = dv.getInt32(tq + 4, true);`,
  [OP.LW]: (r, rd) => signed(r, rd, 'dv.getInt32(tq, true)'),
  [OP.LWU]: (r, rd) => `${r.setLo(rd)} = dv.getInt32(tq, true); ${r.setHi(rd)} = 0;`,
  [OP.LH]: (r, rd) => signed(r, rd, 'dv.getInt16(tq, true)'),
  [OP.LHU]: (r, rd) => `${r.setLo(rd)} = dv.getUint16(tq, true); ${r.setHi(rd)} = 0;`,
  [OP.LB]: (r, rd) => signed(r, rd, 'dv.getInt8(tq)'),
  [OP.LBU]: (r, rd) => `${r.setLo(rd)} = dv.getUint8(tq); ${r.setHi(rd)} = 0;`,
};

function signed(r: RegisterNames, rd: number, value: string): string {
  const lo = r.setLo(rd);
  return `${lo} = ${value}; ${r.setHi(rd)} = ${lo} >> 31;`;
}

const STORES: Partial<Record<number, (lo: string, hi: string) => string>> = {
  [OP.SD]: (lo, hi) => `dv.setInt32(tq, ${lo}, true); dv.setInt32(tq + 4, ${hi}, true);`,
  [OP.SW]: (lo) => `dv.setInt32(tq, ${lo}, true);`,
  [OP.SH]: (lo) => `dv.setInt16(tq, ${lo}, true);`,
  [OP.SB]: (lo) => `dv.setInt8(tq, ${lo});`,
};

/** Code for a load or store at page offset `off`, the `k`-th of its block of `count`; null if `op` is neither. */
export function emitMem(r: RegisterNames, op: number, o: Operands, off: number, k: number, count: number): string | null {
  // the address is complete before rd is written (rd may be rs1)
  const load = LOADS[op];
  if (load !== undefined) {
    const a = addressMisses(r, o.rs1, o.imm, 'rTagLo', 'rTagHi');
    return `{ ${a.setup}if (${a.misses}) ${handOver(off, k, count)} const tq = rOff[tt] + (ta & 4095); ${load(r, o.rd)} }`;
  }
  const store = STORES[op];
  if (store === undefined) return null;
  const a = addressMisses(r, o.rs1, o.imm, 'wTagLo', 'wTagHi');
  return (
    `{ ${a.setup}if (${a.misses}) ${handOver(off, k, count)} const tq = wOff[tt] + (ta & 4095); ` +
    // a page with flags holds code (maybe this very region) or is tracked: hand over, and the
    // interpreter stores and then invalidates or reports the page
    `if (flags[tq >>> 12] !== 0) ${handOver(off, k, count)} ${store(r.lo(o.rs2), r.hi(o.rs2))} }`
  );
}
