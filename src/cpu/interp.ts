// The interpreter's hot loop. Registers are hi/lo int32 pairs (x[2r] low, x[2r+1] high;
// the decoded cache stores register numbers pre-doubled, rd = x0 redirected to a sink).
// pc is kept as (pageLo, pageHi, off): the page's virtual base and the offset in it, so a
// sequential step or a short branch never does 64-bit arithmetic. Anything rare (CSRs,
// atomics, FP, system instructions, TLB misses, MMIO) leaves through exec-slow.ts / mmu.ts.
// Hot blocks run as compiled JavaScript (jit/, entered from block heads below); they do
// exactly what this loop would, and hand anything but the fast paths back to it.
import { OP } from '../isa/opcodes.ts';
import { ILLEGAL_MARK } from './code-cache.ts';
import { decodedSlot, decodeSlot, fetchPage } from './fetch.ts';
import { Hart, STOP_NONE, STOP_STUCK } from './hart.ts';
import { div32, div64, mul64, mulh64, shiftLeft, shiftRight } from './int64.ts';
import { loadSlow, noteStore, storeSlow } from './mmu.ts';
import { execSlow, illegal, SLOW_TRAPPED } from './exec-slow.ts';
import { JIT_LAP } from './jit/config.ts';
import { EXIT_PC_REL, HANDOVER } from './jit/exits.ts';
import { jitExit } from './jit/region.ts';

/**
 * Runs up to `budget` instructions on `h`. Returns the number retired. Stops early when an
 * instruction sets `h.stop` (interrupt state may have changed, WFI), leaving pc at the next
 * instruction. Traps are taken inside; a trapping instruction does not retire.
 */
export function runSlice(h: Hart, budget: number): number {
  const x = h.x;
  const dv = h.mem.dv;
  const flags = h.mem.pageFlags;
  const rTagLo = h.tlbRTagLo, rTagHi = h.tlbRTagHi, rOff = h.tlbROff;
  const wTagLo = h.tlbWTagLo, wTagHi = h.tlbWTagHi, wOff = h.tlbWOff;
  const jit = h.code.jit;
  let n = 0;
  let faultsWithoutProgress = 0;
  h.stop = STOP_NONE;
  if (h.sliceHook !== null) h.sliceHook(h);

  outer: while (n < budget && h.stop === STOP_NONE) {
    h.sliceN = n;
    const dp = fetchPage(h);
    if (dp === null) {
      // a trap vector that itself cannot be fetched would spin forever without retiring
      if (++faultsWithoutProgress > 1000) h.stop = STOP_STUCK;
      continue;
    }
    faultsWithoutProgress = 0;
    const base = h.fetchCache.base;
    const pageLo = h.pcLo & ~0xfff;
    const pageHi = h.pcHi;
    let off = h.pcLo & 0xfff;

    // Block heads (page entry, branch and jump targets, fall-through after a branch, region
    // exits) come through here: run the page's compiled region if this head has a block that
    // fits the remaining budget, otherwise count the head's heat (jit/jit.ts).
    head: for (;;) {
      if (jit !== null) {
        const i = off >>> 1;
        const len = dp.entry[i];
        if (len !== 0) {
          if (n + len <= budget) {
            // at most JIT_LAP instructions per call: short calls keep V8's code for regions
            // good (jit/config.ts)
            const lap = n + JIT_LAP < budget ? n + JIT_LAP : budget;
            n = dp.regions[dp.regionOf[i]](h, x, dv, flags, off, n, lap, pageLo, pageHi);
            off = jitExit[0];
            if (off < 0) {
              // another page: the region left the pc's parts (jit/exits.ts)
              if (off === EXIT_PC_REL) jumpRel(h, pageLo | jitExit[1], pageHi, jitExit[2]);
              else {
                h.pcLo = jitExit[1];
                h.pcHi = jitExit[2];
              }
              continue outer;
            }
            // HANDOVER: an access the region leaves to us (TLB miss, store to a flagged page)
            if (off < HANDOVER) continue head;
            off -= HANDOVER;
          }
        } else if (++dp.heat[i] >= dp.hot) {
          jit.hot(dp, i);
        }
      }
      for (;;) {
        if (n >= budget) {
          h.pcLo = pageLo | off;
          h.pcHi = pageHi;
          break outer;
        }
        let i = off >>> 1;
        let op = dp.op[i];
        if (op === 0) {
          h.sliceN = n;
          op = decodeSlot(h, dp, base, pageLo, pageHi, off);
          if (op < 0) continue outer;
          i = decodedSlot;
        }
        const rd = dp.rd[i];
        const r1 = dp.rs1[i];
        const r2 = dp.rs2[i];
        const imm = dp.imm[i];
        switch (op) {
          case OP.ADDI: {
            const a = x[r1];
            const lo = (a + imm) | 0;
            x[rd + 1] = (x[r1 + 1] + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
            x[rd] = lo;
            break;
          }
          case OP.ADD: {
            const a = x[r1];
            const lo = (a + x[r2]) | 0;
            x[rd + 1] = (x[r1 + 1] + x[r2 + 1] + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
            x[rd] = lo;
            break;
          }
          case OP.SUB: {
            const a = x[r1], b = x[r2];
            x[rd + 1] = (x[r1 + 1] - x[r2 + 1] - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
            x[rd] = (a - b) | 0;
            break;
          }
          case OP.LUI:
            x[rd] = imm;
            x[rd + 1] = imm >> 31;
            break;
          case OP.AUIPC: {
            const pc = pageLo | off;
            const lo = (pc + imm) | 0;
            x[rd + 1] = (pageHi + (imm >> 31) + (lo >>> 0 < pc >>> 0 ? 1 : 0)) | 0;
            x[rd] = lo;
            break;
          }
          case OP.ADDIW: {
            const v = (x[r1] + imm) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.ADDW: {
            const v = (x[r1] + x[r2]) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.SUBW: {
            const v = (x[r1] - x[r2]) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.ANDI:
            x[rd] = x[r1] & imm;
            x[rd + 1] = x[r1 + 1] & (imm >> 31);
            break;
          case OP.ORI:
            x[rd] = x[r1] | imm;
            x[rd + 1] = x[r1 + 1] | (imm >> 31);
            break;
          case OP.XORI:
            x[rd] = x[r1] ^ imm;
            x[rd + 1] = x[r1 + 1] ^ (imm >> 31);
            break;
          case OP.AND:
            x[rd] = x[r1] & x[r2];
            x[rd + 1] = x[r1 + 1] & x[r2 + 1];
            break;
          case OP.OR:
            x[rd] = x[r1] | x[r2];
            x[rd + 1] = x[r1 + 1] | x[r2 + 1];
            break;
          case OP.XOR:
            x[rd] = x[r1] ^ x[r2];
            x[rd + 1] = x[r1 + 1] ^ x[r2 + 1];
            break;
          case OP.SLLI:
            shiftLeft(x, rd, x[r1], x[r1 + 1], imm);
            break;
          case OP.SRLI:
            shiftRight(x, rd, x[r1], x[r1 + 1], imm, false);
            break;
          case OP.SRAI:
            shiftRight(x, rd, x[r1], x[r1 + 1], imm, true);
            break;
          case OP.SLL:
            shiftLeft(x, rd, x[r1], x[r1 + 1], x[r2] & 63);
            break;
          case OP.SRL:
            shiftRight(x, rd, x[r1], x[r1 + 1], x[r2] & 63, false);
            break;
          case OP.SRA:
            shiftRight(x, rd, x[r1], x[r1 + 1], x[r2] & 63, true);
            break;
          case OP.SLLIW: {
            const v = x[r1] << imm;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.SRLIW: {
            const v = (x[r1] >>> imm) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.SRAIW: {
            const v = x[r1] >> imm;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.SLLW: {
            const v = x[r1] << (x[r2] & 31);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.SRLW: {
            const v = (x[r1] >>> (x[r2] & 31)) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.SRAW: {
            const v = x[r1] >> (x[r2] & 31);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.SLT: {
            const ah = x[r1 + 1], bh = x[r2 + 1];
            x[rd] = ah < bh || (ah === bh && x[r1] >>> 0 < x[r2] >>> 0) ? 1 : 0;
            x[rd + 1] = 0;
            break;
          }
          case OP.SLTU: {
            const ah = x[r1 + 1] >>> 0, bh = x[r2 + 1] >>> 0;
            x[rd] = ah < bh || (ah === bh && x[r1] >>> 0 < x[r2] >>> 0) ? 1 : 0;
            x[rd + 1] = 0;
            break;
          }
          case OP.SLTI: {
            const ah = x[r1 + 1], bh = imm >> 31;
            x[rd] = ah < bh || (ah === bh && x[r1] >>> 0 < imm >>> 0) ? 1 : 0;
            x[rd + 1] = 0;
            break;
          }
          case OP.SLTIU: {
            const ah = x[r1 + 1] >>> 0, bh = (imm >> 31) >>> 0;
            x[rd] = ah < bh || (ah === bh && x[r1] >>> 0 < imm >>> 0) ? 1 : 0;
            x[rd + 1] = 0;
            break;
          }
          case OP.MUL:
            mul64(x, rd, x[r1], x[r1 + 1], x[r2], x[r2 + 1]);
            break;
          case OP.MULW: {
            const v = Math.imul(x[r1], x[r2]);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case OP.MULH:
            mulh64(x, rd, x[r1], x[r1 + 1], x[r2], x[r2 + 1], 0);
            break;
          case OP.MULHSU:
            mulh64(x, rd, x[r1], x[r1 + 1], x[r2], x[r2 + 1], 1);
            break;
          case OP.MULHU:
            mulh64(x, rd, x[r1], x[r1 + 1], x[r2], x[r2 + 1], 2);
            break;
          case OP.DIV:
          case OP.DIVU:
          case OP.REM:
          case OP.REMU:
            div64(x, rd, x[r1], x[r1 + 1], x[r2], x[r2 + 1], op === OP.DIV || op === OP.REM, op === OP.REM || op === OP.REMU);
            break;
          case OP.DIVW:
          case OP.DIVUW:
          case OP.REMW:
          case OP.REMUW:
            div32(x, rd, x[r1], x[r2], op === OP.DIVW || op === OP.REMW, op === OP.REMW || op === OP.REMUW);
            break;

          // ---- control transfer: pc moves by itself, so these `continue` past the tail
          case OP.JAL: {
            const pc = pageLo | off;
            const link = (pc + dp.len[i]) | 0;
            x[rd] = link;
            x[rd + 1] = link >>> 0 < pc >>> 0 ? (pageHi + 1) | 0 : pageHi;
            n++;
            const t = off + imm;
            if (t >= 0 && t < 4096) {
              off = t;
              continue head;
            }
            jumpRel(h, pc, pageHi, imm);
            continue outer;
          }
          case OP.JALR: {
            const b = x[r1], bh = x[r1 + 1];
            const pc = pageLo | off;
            const link = (pc + dp.len[i]) | 0;
            x[rd] = link;
            x[rd + 1] = link >>> 0 < pc >>> 0 ? (pageHi + 1) | 0 : pageHi;
            n++;
            const lo = (b + imm) | 0;
            const hi = (bh + (imm >> 31) + (lo >>> 0 < b >>> 0 ? 1 : 0)) | 0;
            const target = lo & ~1;
            if (hi === pageHi && (target & ~0xfff) === pageLo) {
              off = target & 0xfff;
              continue head;
            }
            h.pcLo = target;
            h.pcHi = hi;
            continue outer;
          }
          case OP.BEQ:
            if (x[r1] === x[r2] && x[r1 + 1] === x[r2 + 1]) {
              n++;
              const t = off + imm;
              if (t >= 0 && t < 4096) { off = t; continue head; }
              jumpRel(h, pageLo | off, pageHi, imm);
              continue outer;
            }
            // not taken: the fall-through is a block head too
            n++;
            off += dp.len[i];
            if (off < 4096) continue head;
            nextPc(h, pageLo, pageHi, off);
            continue outer;
          case OP.BNE:
            if (x[r1] !== x[r2] || x[r1 + 1] !== x[r2 + 1]) {
              n++;
              const t = off + imm;
              if (t >= 0 && t < 4096) { off = t; continue head; }
              jumpRel(h, pageLo | off, pageHi, imm);
              continue outer;
            }
            // not taken: the fall-through is a block head too
            n++;
            off += dp.len[i];
            if (off < 4096) continue head;
            nextPc(h, pageLo, pageHi, off);
            continue outer;
          case OP.BLT: {
            const ah = x[r1 + 1], bh = x[r2 + 1];
            if (ah < bh || (ah === bh && x[r1] >>> 0 < x[r2] >>> 0)) {
              n++;
              const t = off + imm;
              if (t >= 0 && t < 4096) { off = t; continue head; }
              jumpRel(h, pageLo | off, pageHi, imm);
              continue outer;
            }
            // not taken: the fall-through is a block head too
            n++;
            off += dp.len[i];
            if (off < 4096) continue head;
            nextPc(h, pageLo, pageHi, off);
            continue outer;
          }
          case OP.BGE: {
            const ah = x[r1 + 1], bh = x[r2 + 1];
            if (!(ah < bh || (ah === bh && x[r1] >>> 0 < x[r2] >>> 0))) {
              n++;
              const t = off + imm;
              if (t >= 0 && t < 4096) { off = t; continue head; }
              jumpRel(h, pageLo | off, pageHi, imm);
              continue outer;
            }
            // not taken: the fall-through is a block head too
            n++;
            off += dp.len[i];
            if (off < 4096) continue head;
            nextPc(h, pageLo, pageHi, off);
            continue outer;
          }
          case OP.BLTU: {
            const ah = x[r1 + 1] >>> 0, bh = x[r2 + 1] >>> 0;
            if (ah < bh || (ah === bh && x[r1] >>> 0 < x[r2] >>> 0)) {
              n++;
              const t = off + imm;
              if (t >= 0 && t < 4096) { off = t; continue head; }
              jumpRel(h, pageLo | off, pageHi, imm);
              continue outer;
            }
            // not taken: the fall-through is a block head too
            n++;
            off += dp.len[i];
            if (off < 4096) continue head;
            nextPc(h, pageLo, pageHi, off);
            continue outer;
          }
          case OP.BGEU: {
            const ah = x[r1 + 1] >>> 0, bh = x[r2 + 1] >>> 0;
            if (!(ah < bh || (ah === bh && x[r1] >>> 0 < x[r2] >>> 0))) {
              n++;
              const t = off + imm;
              if (t >= 0 && t < 4096) { off = t; continue head; }
              jumpRel(h, pageLo | off, pageHi, imm);
              continue outer;
            }
            // not taken: the fall-through is a block head too
            n++;
            off += dp.len[i];
            if (off < 4096) continue head;
            nextPc(h, pageLo, pageHi, off);
            continue outer;
          }

          // ---- loads: TLB hit within the page is the fast path
          case OP.LD:
          case OP.LW:
          case OP.LWU:
          case OP.LH:
          case OP.LHU:
          case OP.LB:
          case OP.LBU: {
            const b = x[r1];
            const aLo = (b + imm) | 0;
            const aHi = (x[r1 + 1] + (imm >> 31) + (aLo >>> 0 < b >>> 0 ? 1 : 0)) | 0;
            const vpn = aLo >>> 12;
            const t = vpn & 255;
            const po = aLo & 0xfff;
            if (rTagLo[t] === vpn && rTagHi[t] === aHi && po <= 4088) {
              const p = rOff[t] + po;
              switch (op) {
                case OP.LD: x[rd] = dv.getInt32(p, true); x[rd + 1] = dv.getInt32(p + 4, true); break;
                case OP.LW: { const v = dv.getInt32(p, true); x[rd] = v; x[rd + 1] = v >> 31; break; }
                case OP.LWU: x[rd] = dv.getInt32(p, true); x[rd + 1] = 0; break;
                case OP.LH: { const v = dv.getInt16(p, true); x[rd] = v; x[rd + 1] = v >> 31; break; }
                case OP.LHU: x[rd] = dv.getUint16(p, true); x[rd + 1] = 0; break;
                case OP.LB: { const v = dv.getInt8(p); x[rd] = v; x[rd + 1] = v >> 31; break; }
                default: x[rd] = dv.getUint8(p); x[rd + 1] = 0; break;
              }
              break;
            }
            h.pcLo = pageLo | off;
            h.pcHi = pageHi;
            h.sliceN = n;
            const size = op === OP.LD ? 8 : op === OP.LW || op === OP.LWU ? 4 : op === OP.LH || op === OP.LHU ? 2 : 1;
            if (!loadSlow(h, aLo, aHi, size, op === OP.LW || op === OP.LH || op === OP.LB, rd)) continue outer;
            if (h.stop !== STOP_NONE) {
              n++;
              nextPc(h, pageLo, pageHi, off + dp.len[i]);
              break outer;
            }
            break;
          }

          // ---- stores: TLB hit within the page; pages with flags (code, dirty tracking) take a hook
          case OP.SD:
          case OP.SW:
          case OP.SH:
          case OP.SB: {
            const b = x[r1];
            const aLo = (b + imm) | 0;
            const aHi = (x[r1 + 1] + (imm >> 31) + (aLo >>> 0 < b >>> 0 ? 1 : 0)) | 0;
            const vpn = aLo >>> 12;
            const t = vpn & 255;
            const po = aLo & 0xfff;
            if (wTagLo[t] === vpn && wTagHi[t] === aHi && po <= 4088) {
              const p = wOff[t] + po;
              switch (op) {
                case OP.SD: dv.setInt32(p, x[r2], true); dv.setInt32(p + 4, x[r2 + 1], true); break;
                case OP.SW: dv.setInt32(p, x[r2], true); break;
                case OP.SH: dv.setInt16(p, x[r2], true); break;
                default: dv.setInt8(p, x[r2]); break;
              }
              const page = p >>> 12;
              if (flags[page] !== 0) {
                noteStore(h, page);
                // the store may have invalidated the page being executed: re-resolve
                n++;
                nextPc(h, pageLo, pageHi, off + dp.len[i]);
                continue outer;
              }
              break;
            }
            h.pcLo = pageLo | off;
            h.pcHi = pageHi;
            h.sliceN = n;
            const size = op === OP.SD ? 8 : op === OP.SW ? 4 : op === OP.SH ? 2 : 1;
            if (!storeSlow(h, aLo, aHi, size, x[r2], x[r2 + 1])) continue outer;
            n++;
            nextPc(h, pageLo, pageHi, off + dp.len[i]);
            continue outer;
          }

          case OP.FENCE:
          case OP.FENCE_TSO:
          case OP.FENCE_I:
            break;

          case ILLEGAL_MARK:
            // an encoding the decoder rejects still counts in virtual time (as in QEMU's icount)
            h.pcLo = pageLo | off;
            h.pcHi = pageHi;
            illegal(h, dp.raw[i] >>> 0);
            n++;
            continue outer;

          default: {
            h.pcLo = pageLo | off;
            h.pcHi = pageHi;
            h.sliceN = n;
            if (execSlow(h, dp, i, op) !== SLOW_TRAPPED) n++;
            continue outer;
          }
        }
        // sequential tail
        n++;
        off += dp.len[i];
        if (off >= 4096) {
          nextPc(h, pageLo, pageHi, off);
          continue outer;
        }
      }
    }
  }
  h.retired += n;
  return n;
}

/** Sets h.pc = page base + off, carrying into the high word when off runs past the page. */
function nextPc(h: Hart, pageLo: number, pageHi: number, off: number): void {
  const lo = (pageLo + off) | 0;
  h.pcLo = lo;
  h.pcHi = lo >>> 0 < pageLo >>> 0 ? (pageHi + 1) | 0 : pageHi;
}

/** h.pc = (pcLo, pcHi) + imm (imm a sign-extended 32-bit offset). */
function jumpRel(h: Hart, pcLo: number, pcHi: number, imm: number): void {
  const lo = (pcLo + imm) | 0;
  h.pcLo = lo;
  h.pcHi = (pcHi + (imm >> 31) + (lo >>> 0 < pcLo >>> 0 ? 1 : 0)) | 0;
}
