// Golden vectors recorded from QEMU (see tests/fpu/README.md): every F/D op, every rounding
// mode, operands rich in edge cases. No qemu-user needed here; the vectors are committed.
import { describe, expect, test } from 'vitest';
import { GROUPS, ORACLE_OPS, rmsOf } from './oracle/op-table.ts';
import { loadVectors, opCases, replayOp } from './replay-vectors.ts';

const file = loadVectors();
const cases = opCases(file);

describe('FPU golden vectors (QEMU oracle)', () => {
  test('the file covers every op of the op table in each of its rounding modes', () => {
    expect(cases.map((c) => c.oracle.name).sort()).toEqual(ORACLE_OPS.map((o) => o.name).sort());
    for (const c of cases) expect(c.vectors.perRm.length).toBe(rmsOf(c.oracle).length);
    expect(file.groups.map((g) => g.group)).toEqual([...GROUPS]);
  });

  test.each(cases.map((c) => [c.oracle.name, c] as const))('%s', (_name, c) => {
    const { total, failed, mismatches } = replayOp(c);
    expect(total).toBe(c.group.count * c.vectors.perRm.length);
    expect(failed, mismatches.map((m) => m.text).join('\n')).toBe(0);
  });
});
