// `li rd, constant` for any 64-bit constant: the instruction sequence that builds it.
// Same recursive scheme as the RISC-V assembly manual's `li` expansion (and LLVM's
// RISCVMatInt): a 32-bit value is lui + addiw; a wider one is the sequence for its upper part,
// shifted left past its trailing zeros, plus a final addi of the low 12 bits.
import { OP } from './opcodes.ts';
import type { Fields } from './encode.ts';

/** Sign-extends the low 12 bits. */
function lo12(v: bigint): bigint {
  return BigInt.asIntN(12, v);
}

function trailingZeros(v: bigint): number {
  let n = 0;
  while ((v & 1n) === 0n && n < 64) {
    v >>= 1n;
    n++;
  }
  return n;
}

/** Instructions (as encoder fields) that load the 64-bit `value` into `rd`; never empty. */
export function liSequence(rd: number, value: bigint): Fields[] {
  const v = BigInt.asIntN(64, value);
  if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    const lo = lo12(v);
    const hi = BigInt.asIntN(32, ((v + 0x800n) >> 12n) << 12n);
    if (hi === 0n) return [{ op: OP.ADDI, rd, rs1: 0, imm: Number(lo) }];
    const seq: Fields[] = [{ op: OP.LUI, rd, imm: Number(hi) }];
    // addiw, not addi: lui 0x80000 + addiw -1 must give 0x7fffffff, not 0xffffffff7fffffff
    if (lo !== 0n) seq.push({ op: OP.ADDIW, rd, rs1: rd, imm: Number(lo) });
    return seq;
  }
  const lo = lo12(v);
  let hi = (v - lo) >> 12n;
  const shift = trailingZeros(hi);
  hi = BigInt.asIntN(64, hi >> BigInt(shift));
  const seq = liSequence(rd, hi);
  seq.push({ op: OP.SLLI, rd, rs1: rd, imm: shift + 12 });
  if (lo !== 0n) seq.push({ op: OP.ADDI, rd, rs1: rd, imm: Number(lo) });
  return seq;
}
