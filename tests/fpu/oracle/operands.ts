// Operand tuples for the golden vectors, rich in the cases where FP units go wrong: signed
// zeros, subnormals, extreme normals, infinities, quiet/signaling NaNs with payloads, values at
// and next to rounding ties, integer-conversion limits, tininess-after-rounding boundaries,
// exact and catastrophic cancellations, and (for binary32) improperly NaN-boxed registers.
// Everything is drawn from a seeded Prng, so the same seed reproduces the same tuples.
import type { Prng } from './prng.ts';
import { type Fmt, F32, F64, exponentOf, fromNumber, pack, stepBits, toNumber, U64 } from './float-bits.ts';

export class FloatOperands {
  private readonly emin: number;
  private readonly emax: number;
  readonly specials: bigint[];

  constructor(private readonly rng: Prng, readonly fmt: Fmt) {
    this.emin = 1 - fmt.bias;
    this.emax = fmt.bias;
    const maxE = (1 << fmt.expBits) - 1;
    const fracAll = (1n << BigInt(fmt.p - 1)) - 1n;
    const quiet = 1n << BigInt(fmt.p - 2);
    const base = [
      pack(fmt, 0, 0, 0n), pack(fmt, 0, 0, 1n), pack(fmt, 0, 0, fracAll), pack(fmt, 0, 1, 0n),
      pack(fmt, 0, maxE - 1, fracAll), pack(fmt, 0, maxE, 0n), pack(fmt, 0, fmt.bias, 0n),
      pack(fmt, 0, maxE, quiet), pack(fmt, 0, maxE, quiet | 0x5an), pack(fmt, 0, maxE, 1n),
      pack(fmt, 0, maxE, quiet - 1n), pack(fmt, 0, 0, quiet), pack(fmt, 0, 1, fracAll),
    ];
    const numbers = [0.5, 1.5, 2.5, 3, 0.25, 2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64, 0.49999999999999994];
    for (const x of numbers) base.push(fromNumber(fmt, x));
    this.specials = base.flatMap((b) => [b, b | (1n << BigInt(fmt.width - 1))]);
  }

  private sign(): number {
    return this.rng.below(2);
  }

  private frac(): bigint {
    return this.rng.bits(this.fmt.p - 1);
  }

  /** A random normal with unbiased exponent e. */
  normal(e: number, sign = this.sign()): bigint {
    const be = Math.max(1, Math.min((1 << this.fmt.expBits) - 2, e + this.fmt.bias));
    return pack(this.fmt, sign, be, this.frac());
  }

  /** A value with a short significand (k significant bits) scaled by 2^e. */
  short(k: number, e: number): bigint {
    const m = this.rng.bits(k) | 1n | (1n << BigInt(k - 1));
    return fromNumber(this.fmt, (this.sign() ? -1 : 1) * Number(m) * 2 ** (e - k + 1));
  }

  private nice(): bigint {
    const span = this.fmt.width === 64 ? 60 : 20;
    return this.normal(this.rng.range(-span, span));
  }

  private intNeighbourhood(): bigint {
    const anchors = [0, 1, 2 ** 24, 2 ** 30, 2 ** 31, 2 ** 32, 2 ** 52, 2 ** 53, 2 ** 62, 2 ** 63, 2 ** 64];
    const a = this.rng.pick(anchors) * (this.sign() ? -1 : 1);
    const r = this.rng.below(3);
    if (r === 0) return stepBits(this.fmt, fromNumber(this.fmt, a), this.rng.range(-3, 3));
    if (r === 1) return fromNumber(this.fmt, a + this.rng.pick([-1.5, -1, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1, 1.5]));
    // exact halves and near-halves: ties for round-to-integer
    const k = this.rng.range(0, 2 ** this.rng.range(1, 30));
    return fromNumber(this.fmt, (this.sign() ? -1 : 1) * (k + this.rng.pick([0.5, 0.5, 0.4999, 0.5001, 0.25, 0.75])));
  }

  private nan(): bigint {
    const maxE = (1 << this.fmt.expBits) - 1;
    let f = this.frac();
    if (f === 0n) f = 1n;
    return pack(this.fmt, this.sign(), maxE, f);
  }

  /** Doubles next to binary32 rounding ties, the binary32 overflow edge and its tininess edge. */
  private f32Edges(): bigint {
    const v = toNumber(F32, BigInt(this.rng.u32() & 0x7f7fffff)) * (this.sign() ? -1 : 1);
    const ulp32 = 2 ** (Math.max(exponentOf(v === 0 ? 1 : v), -126) - 23);
    const r = this.rng.below(4);
    if (r === 0) return fromNumber(F64, v + ulp32 / 2);
    if (r === 1) return stepBits(F64, fromNumber(F64, v + ulp32 / 2), this.rng.range(-2, 2));
    const anchor = r === 2 ? 2 ** -126 : 3.4028234663852886e38 + 2 ** 103;
    const near = stepBits(F64, fromNumber(F64, anchor), this.rng.range(-(2 ** 30), 2 ** 30) * this.rng.pick([1, 64, 1 << 20]));
    return near | (BigInt(this.sign()) << 63n);
  }

  one(): bigint {
    const rng = this.rng;
    const fmt = this.fmt;
    const r = rng.below(100);
    if (r < 10) return rng.pick(this.specials);
    if (r < 24) return rng.bits(fmt.width);
    if (r < 48) return this.nice();
    if (r < 56) return this.short(rng.range(1, fmt.p), rng.range(-30, 30));
    if (r < 62) return pack(fmt, this.sign(), 0, rng.chance(0.5) ? this.frac() : rng.bits(rng.range(1, 8)));
    if (r < 68) return this.normal(rng.chance(0.5) ? rng.range(this.emin, this.emin + 3) : rng.range(this.emax - 3, this.emax));
    if (r < 80) return this.intNeighbourhood();
    if (r < 85) return this.nan();
    if (r < 92 && fmt.width === 64) return this.f32Edges();
    return stepBits(fmt, pack(fmt, this.sign(), 1, 0n), rng.range(-40, 40)); // around the smallest normal
  }

  /** Pairs for the two-operand ops: independent draws plus pairs aimed at rounding hazards. */
  pair(): [bigint, bigint] {
    const rng = this.rng;
    const fmt = this.fmt;
    const r = rng.below(100);
    const a = r < 30 ? this.one() : this.nice();
    const x = toNumber(fmt, a);
    const ea = Number.isFinite(x) && x !== 0 ? exponentOf(x) : 0;
    const signBit = 1n << BigInt(fmt.width - 1);
    if (r < 30) return [a, this.one()];
    if (r < 35) return [a, a];
    if (r < 40) return [a, a ^ signBit];
    if (r < 46) return [a, stepBits(fmt, a, rng.range(-3, 3)) ^ (rng.chance(0.5) ? signBit : 0n)];
    if (r < 62) {
      // addend around half an ulp of a, or a few bits below it: ties and sticky bits for add
      const eb = ea - fmt.p + 1 - rng.range(-3, fmt.p + 4);
      const b = rng.chance(0.4) ? this.short(rng.range(1, 3), eb) : this.normal(eb);
      return rng.chance(0.5) ? [a, b] : [b, a];
    }
    if (r < 72) {
      // products of short odd significands land exactly on or next to ties
      const k = rng.range(Math.floor(fmt.p / 2) - 2, Math.floor(fmt.p / 2) + 3);
      return [this.short(k, rng.range(-20, 20)), this.short(fmt.p + 2 - k, rng.range(-20, 20))];
    }
    if (r < 82) {
      // results near the underflow threshold, the subnormal floor and overflow
      const targets = [2 ** this.emin, 2 ** (this.emin - fmt.p + 1), 2 ** (this.emin - 1), 2 ** this.emax * 1.9];
      const t = rng.pick(targets);
      const b = fromNumber(fmt, rng.chance(0.5) ? t / x : x / t);
      return [a, stepBits(fmt, b, rng.range(-2, 2))];
    }
    if (r < 90) {
      // exact quotients and products: b and q short, a = b*q
      const b = toNumber(fmt, this.short(rng.range(1, fmt.p >> 1), rng.range(-10, 10)));
      const q = toNumber(fmt, this.short(rng.range(1, fmt.p >> 1), rng.range(-10, 10)));
      return [fromNumber(fmt, b * q), fromNumber(fmt, b)];
    }
    if (r < 95) return [this.short(rng.range(1, fmt.p), rng.range(-5, 5)), this.short(rng.range(1, fmt.p), rng.range(-5, 5))];
    return [rng.pick(this.specials), this.nice()];
  }

  /** Triples (a, b, c) for the fused multiply-adds. */
  triple(): [bigint, bigint, bigint] {
    const rng = this.rng;
    const fmt = this.fmt;
    const r = rng.below(100);
    if (r < 25) return [this.one(), this.one(), this.one()];
    const [a, b] = r < 60 ? this.pair() : [this.nice(), this.nice()];
    const p = toNumber(fmt, a) * toNumber(fmt, b);
    const signBit = 1n << BigInt(fmt.width - 1);
    if (r < 45) {
      // c cancels the (rounded) product: the result is the product's rounding error
      return [a, b, stepBits(fmt, fromNumber(fmt, -p), rng.range(-2, 2))];
    }
    if (r < 60) {
      const ep = Number.isFinite(p) && p !== 0 ? exponentOf(p) : 0;
      const ec = ep - fmt.p + 1 - rng.range(-2, fmt.p + 4);
      return [a, b, rng.chance(0.4) ? this.short(rng.range(1, 3), ec) : this.normal(ec)];
    }
    if (r < 70) {
      const zero = pack(fmt, rng.below(2), 0, 0n);
      const inf = pack(fmt, rng.below(2), (1 << fmt.expBits) - 1, 0n);
      const c = rng.pick([...this.specials.slice(0, 30), this.nice()]);
      return rng.chance(0.5) ? [inf, zero, c] : [zero, inf, c];
    }
    if (r < 80) {
      const zero = pack(fmt, rng.below(2), 0, 0n);
      const pick = () => (rng.chance(0.5) ? zero : this.nice());
      return [pick(), pick(), rng.chance(0.6) ? zero | (rng.chance(0.5) ? signBit : 0n) : this.one()];
    }
    return [a, b, this.one()];
  }

  /** Radicands: the general mix plus exact squares and their neighbours. */
  radicand(): bigint {
    if (this.rng.chance(0.7)) return this.one();
    const s = toNumber(this.fmt, this.short(this.rng.range(1, this.fmt.p >> 1), this.rng.range(-40, 40)));
    return stepBits(this.fmt, fromNumber(this.fmt, s * s), this.rng.chance(0.5) ? 0 : this.rng.range(-2, 2));
  }
}

/** Places a binary32 pattern in a 64-bit register, usually correctly NaN-boxed. */
export function boxSingle(rng: Prng, bits32: bigint): bigint {
  if (rng.chance(0.95)) return (0xffffffffn << 32n) | bits32;
  const upper = rng.pick([0n, 0xfffffffen, 0x7fffffffn, 0x80000000n, BigInt(rng.u32())]);
  return (upper << 32n) | bits32;
}

/** 64-bit integer sources for fcvt.{s,d}.{w,wu,l,lu} and fmv.{w,d}.x. */
export function intOperand(rng: Prng): bigint {
  const r = rng.below(100);
  const neg = (v: bigint) => (rng.chance(0.5) ? BigInt.asUintN(64, -v) : v);
  if (r < 10) return neg(BigInt(rng.range(0, 1000)));
  if (r < 30) return BigInt.asUintN(64, (1n << BigInt(rng.range(0, 63))) * (rng.chance(0.5) ? -1n : 1n) + BigInt(rng.range(-3, 3)));
  if (r < 40) {
    const lims = [0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 63n) - 1n, 1n << 63n, U64];
    return BigInt.asUintN(64, rng.pick(lims) + BigInt(rng.range(-2, 2)));
  }
  if (r < 55) return rng.bits(64);
  if (r < 65) return (rng.bits(32) << 32n) | BigInt(rng.u32()); // garbage above a 32-bit value
  if (r < 75) return BigInt.asUintN(64, BigInt.asIntN(32, rng.bits(32)));
  // odd significands one or two bits wider than binary32/binary64: rounding ties and sticky bits
  const width = rng.pick([25, 26, 54, 55]);
  const m = rng.bits(width) | (1n << BigInt(width - 1)) | 1n;
  const shift = BigInt(rng.range(0, 64 - width - 1));
  return neg(rng.chance(0.5) ? m << shift : (m | (1n << BigInt(width - 2))) << shift);
}

export { F32, F64 };
