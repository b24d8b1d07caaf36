// What a lockstep divergence looks like to the person who has to fix it: the step, the
// instruction that produced the differing state, every differing register with both values,
// both full register files side by side, QEMU's trap log and CSRs for that step, and the
// pcs that led there.
import type { OracleState, TrapRecord } from './oracle.ts';
import { F_NAMES, X_NAMES, hex64 } from './riscv-names.ts';

export interface RegisterDiff {
  /** "pc", "x10/a0", "f3/ft3". */
  name: string;
  ours: bigint;
  qemu: bigint;
}

export interface Divergence {
  /** Oracle step whose state differs: 0 is the reset state, n the state after n steps. */
  step: number;
  ourPc: bigint;
  qemuPc: bigint;
  diffs: RegisterDiff[];
  /** pc of the last state both agreed on: the instruction whose execution diverged. */
  prevPc: bigint | null;
  prevInsn: string;
  /** Oracle pcs of the states before this one, oldest first. */
  recentPcs: bigint[];
  qemuTraps: readonly TrapRecord[];
  qemuCsrs: ReadonlyMap<string, bigint>;
  /** Our and QEMU's x0..x31 (and f0..f31 when compared), for the side-by-side table. */
  ours: { x: bigint[]; f: bigint[] | null };
  qemu: { x: readonly bigint[]; f: readonly bigint[] | null };
  /**
   * false when fast-forward saw the mismatch at a checkpoint and could not narrow it (no
   * restartTarget): the first bad step lies in (lastGoodStep, step].
   */
  exact: boolean;
  lastGoodStep: number;
  oracleName: string;
}

/** Registers that differ between our state and QEMU's, pc first. */
export function diffStates(
  ourPc: bigint,
  ourX: readonly bigint[],
  ourF: readonly bigint[] | null,
  q: OracleState,
): RegisterDiff[] {
  const diffs: RegisterDiff[] = [];
  if (ourPc !== q.pc) diffs.push({ name: 'pc', ours: ourPc, qemu: q.pc });
  const qx = q.x();
  for (let i = 1; i < 32; i++) {
    if (ourX[i] !== qx[i]) diffs.push({ name: `x${i}/${X_NAMES[i]}`, ours: ourX[i]!, qemu: qx[i]! });
  }
  if (ourF) {
    const qf = q.f();
    if (!qf) throw new Error('FP comparison was requested but the oracle does not provide FP registers (start it with fpu: true)');
    for (let i = 0; i < 32; i++) {
      if (ourF[i] !== qf[i]) diffs.push({ name: `f${i}/${F_NAMES[i]}`, ours: ourF[i]!, qemu: qf[i]! });
    }
  }
  return diffs;
}

export function formatDivergence(d: Divergence): string {
  const lines: string[] = [];
  const where = d.exact
    ? `at step ${d.step}`
    : `between step ${d.lastGoodStep + 1} and step ${d.step} (fast-forward could not narrow it: pass restartTarget)`;
  lines.push(`Lockstep divergence ${where} against ${d.oracleName}`);
  lines.push(
    d.prevPc === null
      ? '  in the reset state (before any instruction)'
      : `  after executing 0x${d.prevPc.toString(16)}: ${d.prevInsn}`,
  );
  lines.push(`  pc: ours ${hex64(d.ourPc)}  QEMU ${hex64(d.qemuPc)}`);
  for (const r of d.diffs) {
    if (r.name === 'pc') continue;
    lines.push(`  ${r.name.padEnd(10)} ours ${hex64(r.ours)}  QEMU ${hex64(r.qemu)}  (xor ${hex64(r.ours ^ r.qemu)})`);
  }
  if (d.qemuTraps.length) {
    for (const t of d.qemuTraps) {
      lines.push(
        `  QEMU took a trap in this step: ${t.async ? 'interrupt' : 'exception'} cause=${t.cause} (${t.desc}) ` +
          `epc=0x${t.epc.toString(16)} tval=0x${t.tval.toString(16)}`,
      );
    }
  }
  const csrs = [...d.qemuCsrs].filter(([, v]) => v !== 0n);
  if (csrs.length) lines.push('  QEMU CSRs (non-zero): ' + csrs.map(([k, v]) => `${k}=0x${v.toString(16)}`).join(' '));
  lines.push(`  last ${d.recentPcs.length} pcs (oldest first): ${d.recentPcs.map((p) => p.toString(16)).join(' ')}`);
  lines.push('  full register files (ours | QEMU, * = differs):');
  for (let i = 0; i < 32; i++) {
    const a = d.ours.x[i]!;
    const b = d.qemu.x[i]!;
    lines.push(`   ${a === b ? ' ' : '*'} x${String(i).padEnd(2)} ${X_NAMES[i]!.padEnd(4)} ${hex64(a)} | ${hex64(b)}`);
  }
  if (d.ours.f && d.qemu.f) {
    for (let i = 0; i < 32; i++) {
      const a = d.ours.f[i]!;
      const b = d.qemu.f[i]!;
      lines.push(`   ${a === b ? ' ' : '*'} f${String(i).padEnd(2)} ${F_NAMES[i]!.padEnd(4)} ${hex64(a)} | ${hex64(b)}`);
    }
  }
  return lines.join('\n');
}
