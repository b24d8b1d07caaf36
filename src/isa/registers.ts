// Register names. objdump prints the ABI names of the psABI (RISC-V ELF psABI, "Register
// Convention"), so the disassembler, the assembler and the debugger all use these tables.

/** ABI names of x0..x31, as objdump prints them. */
export const X_NAMES: readonly string[] = Object.freeze([
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2',
  's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7',
  's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
]);

/** ABI names of f0..f31, as objdump prints them. */
export const F_NAMES: readonly string[] = Object.freeze([
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7',
  'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7',
  'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
]);

/** A register operand as the assembler accepts it: an ABI name, `xN`/`fN`, or the number. */
export type RegisterName = string | number;

const X_INDEX = new Map<string, number>();
const F_INDEX = new Map<string, number>();
X_NAMES.forEach((n, i) => X_INDEX.set(n, i));
F_NAMES.forEach((n, i) => F_INDEX.set(n, i));
for (let i = 0; i < 32; i++) {
  X_INDEX.set(`x${i}`, i);
  F_INDEX.set(`f${i}`, i);
}
// s0 doubles as the frame pointer (psABI); gas accepts `fp` too.
X_INDEX.set('fp', 8);

export class RegisterError extends Error {
  override name = 'RegisterError';
}

function lookup(reg: RegisterName, index: Map<string, number>, kind: string): number {
  if (typeof reg === 'number') {
    if (Number.isInteger(reg) && reg >= 0 && reg < 32) return reg;
    throw new RegisterError(`${kind} register number ${reg} is out of range: use 0..31`);
  }
  const n = index.get(reg.trim().toLowerCase());
  if (n === undefined) {
    const hint = kind === 'integer' ? "an ABI name like 'a0'/'sp' or 'x0'..'x31'" : "'ft0'..'ft11', 'fs0'.., 'fa0'.. or 'f0'..'f31'";
    throw new RegisterError(`"${reg}" is not ${kind === 'integer' ? 'an' : 'a'} ${kind} register: use ${hint}`);
  }
  return n;
}

/** Number of an integer register given as an ABI name ('a0', 'sp', 'fp'), 'xN' or a number. */
export function xreg(reg: RegisterName): number {
  return lookup(reg, X_INDEX, 'integer');
}

/** Number of a floating-point register given as an ABI name ('ft0', 'fa1'), 'fN' or a number. */
export function freg(reg: RegisterName): number {
  return lookup(reg, F_INDEX, 'floating-point');
}
