// Register access as bit patterns, for the slow paths. The register file is an Int32Array of
// lo/hi word pairs; a binary32 value lives in the low word of a NaN-boxed register whose high
// word is all ones. Unboxed reads treat an improperly boxed register as the canonical NaN
// (D chapter "NaN Boxing of Narrower Values"); FLW and FMV.W.X box, FSW and FMV.X.W do not check.
import { BINARY32, type FpFormat } from './formats.ts';

export interface FpRegs {
  readonly f: Int32Array;
}

export function readBits64(f: Int32Array, r: number): bigint {
  return (BigInt(f[2 * r + 1] >>> 0) << 32n) | BigInt(f[2 * r] >>> 0);
}

/** The binary32 operand in register r (canonical NaN if the register is not NaN-boxed). */
export function readBits32(f: Int32Array, r: number): bigint {
  return f[2 * r + 1] === -1 ? BigInt(f[2 * r] >>> 0) : BINARY32.canonicalNaN;
}

export function writeBits64(f: Int32Array, r: number, bits: bigint): void {
  f[2 * r] = Number(bits & 0xffffffffn) | 0;
  f[2 * r + 1] = Number(bits >> 32n) | 0;
}

/** Writes a binary32 result NaN-boxed. */
export function writeBits32(f: Int32Array, r: number, bits: bigint): void {
  f[2 * r] = Number(bits) | 0;
  f[2 * r + 1] = -1;
}

export function readBits(fmt: FpFormat, f: Int32Array, r: number): bigint {
  return fmt.width === 64 ? readBits64(f, r) : readBits32(f, r);
}

export function writeBits(fmt: FpFormat, f: Int32Array, r: number, bits: bigint): void {
  if (fmt.width === 64) writeBits64(f, r, bits);
  else writeBits32(f, r, bits);
}
