// How a region leaves. Every exit site only assigns constants (or already computed locals)
// to the exit locals and breaks out of the dispatch loop; one shared epilogue, without
// branches, hands them to the interpreter, writes registers back and returns. This matters
// to V8: optimized code deoptimizes the first time it reaches an operation that never ran
// before (it has no type feedback) — unless the operation needs none, like assigning a
// constant to a local. Exits are mostly cold; the epilogue runs on every call (JIT_LAP keeps
// calls short), so it has feedback by the time V8 optimizes.
//
// The locals: xo = where execution goes (a page offset for the interpreter, HANDOVER + offset,
// or an EXIT_PC_* code, whose pc arithmetic the interpreter does); xk = instructions counted
// at the block's entry that did not retire; xp/xi = the pc operands of EXIT_PC_*.

/** Added to a page offset: "the interpreter executes the instruction at this offset next". */
export const HANDOVER = 8192;
/** Exit code: h.pc = (pageLo | J[1]) + J[2] as a 64-bit add (a branch, JAL or fall-through leaving the page). */
export const EXIT_PC_REL = -1;
/** Exit code: h.pc = (J[1], J[2]) as (low word, high word) (a JALR leaving the page). */
export const EXIT_PC_ABS = -2;

export const EXIT_LOCALS = 'let xo = 0, xk = 0, xp = 0, xi = 0;';

/** Leaves to page offset (or HANDOVER + offset) `to`, `back` of the block's instructions not retired. */
export function exitCode(to: number, back = 0): string {
  return `${back !== 0 ? `xk = ${back}; ` : ''}xo = ${to}; break R;`;
}

/** Leaves to pc = (page | off) + imm (interp.ts jumpRel / nextPc). */
export function exitRel(off: number, imm: number): string {
  return `xo = ${EXIT_PC_REL}; xp = ${off}; xi = ${imm | 0}; break R;`;
}

/** Leaves to the pc held in locals `lo`/`hi`. */
export function exitAbs(lo: string, hi: string): string {
  return `xo = ${EXIT_PC_ABS}; xp = ${lo}; xi = ${hi}; break R;`;
}

/** The shared epilogue: J[0..2] get the exit (xo, xp, xi), the function returns n. */
export function epilogue(writeback: string): string {
  return ['n -= xk;', 'J[0] = xo; J[1] = xp; J[2] = xi;', writeback, 'return n;'].join('\n');
}
