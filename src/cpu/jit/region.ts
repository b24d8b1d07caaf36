// A region is one JavaScript function holding compiled hot blocks of one decoded page:
//
//   function region(h, x, dv, flags, off, n, budget, pageLo, pageHi) {
//     <TLB arrays; guest registers loaded into locals; exit locals>
//     let b = MAP[off >>> 1] - 1;                    // block index for the entry offset
//     R: for (;;) switch (b) {
//       case 0: { n += LEN; if (n > budget) { xk = LEN; xo = HEAD; break R; }  // must fit
//                 ...block 0's instructions...; b = 3; continue R; }
//       case 1: { for (;;) { ...a block that branches to itself...; continue; } }
//       ...
//     }
//     <epilogue: J[0..2] = exit, registers written back to h.x>; return n;
//   }
//
// It returns the new retired count and leaves in J[0] where execution goes next: a page
// offset (a block head the interpreter goes on from), HANDOVER + offset (an instruction the
// interpreter must execute itself, see emit-mem.ts), or an EXIT_PC_* code for another page,
// whose pc the interpreter computes from J[1], J[2] (exits.ts). Blocks reach each other
// inside the function, so a loop over several blocks of one page runs without returning
// (until JIT_LAP or the budget). The code depends only on the decoded slots — pageLo/pageHi
// come in per call — so one region serves every virtual mapping of the page and every hart.
import { OP } from '../../isa/opcodes.ts';
import type { DecodedPage } from '../code-cache.ts';
import type { Hart } from '../hart.ts';
import { div32, div64, mul64, mulh64 } from '../int64.ts';
import type { Block } from './block.ts';
import { emitAlu, type Operands } from './emit-alu.ts';
import { emitControl, goTo, loopsToItself } from './emit-control.ts';
import { emitMem } from './emit-mem.ts';
import { epilogue, EXIT_LOCALS } from './exits.ts';
import { RegisterNames } from './regs.ts';

export type RegionFn = (
  h: Hart,
  x: Int32Array,
  dv: DataView,
  flags: Uint8Array,
  off: number,
  n: number,
  budget: number,
  pageLo: number,
  pageHi: number,
) => number;

/** Where a region says execution goes next: code and operands (see above and exits.ts). */
export const jitExit = new Int32Array(3);
/** Scratch pair for the int64.ts helpers (they write results into an array). */
const scratch = new Int32Array(2);

/** Generated source of a region (exported for tests and for reading what the JIT makes). */
export function regionSource(dp: DecodedPage, blocks: readonly Block[], cacheRegisters: boolean): string {
  const r = new RegisterNames(cacheRegisters);
  const index = new Map<number, number>();
  blocks.forEach((b, k) => index.set(b.head, k));
  const heads = { indexOf: (off: number) => index.get(off) ?? -1, current: -1 };
  const cases: string[] = [];
  let usesLoads = false, usesStores = false;
  blocks.forEach((block, k) => {
    heads.current = k;
    const count = block.offs.length;
    const last = block.offs[count - 1] >>> 1;
    // a block that branches to itself (most hot loops) gets a loop of its own, so its
    // iterations do not go through the region's switch
    const selfLoop = loopsToItself(dp.op[last], block.offs[count - 1], dp.imm[last], block.head);
    // the block's count is taken up front: one add where it is always warm (see exits.ts)
    const body: string[] = [
      `case ${k}: {${selfLoop ? ' for (;;) {' : ''} n += ${count}; if (n > budget) { xk = ${count}; xo = ${block.head}; break R; }`,
    ];
    let ended = false;
    block.offs.forEach((off, j) => {
      const i = off >>> 1;
      const op = dp.op[i];
      const o: Operands = { rd: dp.rd[i], rs1: dp.rs1[i], rs2: dp.rs2[i], imm: dp.imm[i] };
      const code = emitAlu(r, op, o) ?? emitMem(r, op, o, off, j, count) ?? emitControl(r, heads, op, o, off, off + dp.len[i]);
      if (code === null) throw new Error(`jit: op ${op} at page offset ${off} has no emitter`);
      if (op >= OP.LB && op <= OP.LWU) usesLoads = true;
      if (op >= OP.SB && op <= OP.SD) usesStores = true;
      body.push(code);
      if (op >= OP.JAL && op <= OP.BGEU) ended = true;
    });
    if (!ended) body.push(goTo(heads, block.end));
    body.push(selfLoop ? '} }' : '}');
    cases.push(body.join('\n'));
  });
  const tlb: string[] = [];
  if (usesLoads) tlb.push('const rTagLo = h.tlbRTagLo, rTagHi = h.tlbRTagHi, rOff = h.tlbROff;');
  if (usesStores) tlb.push('const wTagLo = h.tlbWTagLo, wTagHi = h.tlbWTagHi, wOff = h.tlbWOff;');
  return [
    '"use strict";',
    // parenthesized: V8 compiles it right away instead of pre-parsing now and parsing again on the first call
    'return (function region(h, x, dv, flags, off, n, budget, pageLo, pageHi) {',
    ...tlb,
    r.prologue(),
    EXIT_LOCALS,
    'let b = MAP[off >>> 1] - 1;',
    'R: for (;;) {',
    'switch (b) {',
    ...cases,
    "default: throw new Error('jit: no compiled block at page offset ' + off);",
    '}',
    '}',
    epilogue(r.writeback()),
    '});',
  ].join('\n');
}

/**
 * Compiles `blocks` of `dp` into a region function. `name` becomes its sourceURL, so V8's
 * stack traces, profiles and --trace-deopt say which region they mean.
 */
export function compileRegion(
  dp: DecodedPage,
  blocks: readonly Block[],
  cacheRegisters: boolean,
  name: string,
): { fn: RegionFn; source: string } {
  const source = `${regionSource(dp, blocks, cacheRegisters)}\n//# sourceURL=${name}`;
  const map = new Uint8Array(2048);
  blocks.forEach((b, k) => {
    map[b.head >>> 1] = k + 1;
  });
  const factory = new Function('J', 'T', 'MAP', 'mul64', 'mulh64', 'div64', 'div32', source);
  const fn = factory(jitExit, scratch, map, mul64, mulh64, div64, div32) as RegionFn;
  return { fn, source };
}
