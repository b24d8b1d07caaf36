// IEEE 754-2008 binary32/binary64 parameters, RISC-V rounding-mode encodings and fflags bits
// (RISC-V unprivileged spec, F chapter: "Floating-Point Control and Status Register").

/** frm / instruction rm encodings (table "Rounding mode encoding"); 5, 6 reserved, 7 = dynamic. */
export const RNE = 0;
export const RTZ = 1;
export const RDN = 2;
export const RUP = 3;
export const RMM = 4;

/** fflags bits (table "Accrued exception flag encoding"). */
export const NV = 0x10;
export const DZ = 0x08;
export const OF = 0x04;
export const UF = 0x02;
export const NX = 0x01;

export interface FpFormat {
  readonly width: 32 | 64;
  /** Significand precision including the hidden bit (IEEE 754-2008 table 3.2 "p"). */
  readonly p: number;
  readonly bias: number;
  readonly emin: number;
  readonly emax: number;
  /** Biased exponent of infinities and NaNs. */
  readonly expAllOnes: number;
  readonly signBit: bigint;
  readonly fracMask: bigint;
  readonly quietBit: bigint;
  /** The canonical NaN (F chapter "NaN Generation and Propagation"): positive, quiet, zero payload. */
  readonly canonicalNaN: bigint;
  readonly inf: bigint;
  readonly maxFinite: bigint;
}

function format(width: 32 | 64, p: number, expBits: number): FpFormat {
  const bias = (1 << (expBits - 1)) - 1;
  const fb = BigInt(p - 1);
  const expAllOnes = (1 << expBits) - 1;
  const inf = BigInt(expAllOnes) << fb;
  return {
    width,
    p,
    bias,
    emin: 1 - bias,
    emax: bias,
    expAllOnes,
    signBit: 1n << BigInt(width - 1),
    fracMask: (1n << fb) - 1n,
    quietBit: 1n << (fb - 1n),
    canonicalNaN: inf | (1n << (fb - 1n)),
    inf,
    maxFinite: inf - 1n,
  };
}

export const BINARY32: FpFormat = format(32, 24, 8);
export const BINARY64: FpFormat = format(64, 53, 11);

export const CANONICAL_NAN_32 = 0x7fc00000;
/** High word of the binary64 canonical NaN 0x7ff8000000000000 (low word 0). */
export const CANONICAL_NAN_64_HI = 0x7ff80000;

/** Result of an exactly rounded operation on bit patterns. */
export interface Rounded {
  bits: bigint;
  flags: number;
}
