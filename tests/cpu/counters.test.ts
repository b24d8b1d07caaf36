// Counters (privileged spec 3.1.10-3.1.12, unprivileged Zicntr): mcycle and minstret follow
// virtual time as QEMU's do under -icount (ns = icount * 2^shift, the reading instruction
// included), `time` is the platform timer, writes set the value the counting continues from,
// mcountinhibit holds a counter still, mcounteren/scounteren gate S and U, and the
// hpmcounters exist as plain registers.
import { describe, expect, test } from 'vitest';
import { PRIV_M, PRIV_S, PRIV_U } from '../../src/cpu/csr-defs.ts';
import { exec, execTrap, TestHart } from './harness.ts';

/** Runs `text` from the first instruction (icount 0) with the given icount shift. */
function fromReset(text: string, icountShift: number): TestHart {
  const t = TestHart.asm(`${text}\ndone:\n j done`, { icountShift });
  t.runTo();
  return t;
}

describe('mcycle and minstret follow virtual time', () => {
  test('1 ns per instruction: the nth instruction reads n', () => {
    const t = fromReset('csrr a0, mcycle\n csrr a1, minstret\n nop\n csrr a2, cycle\n csrr a3, instret', 0);
    expect([t.x('a0'), t.x('a1'), t.x('a2'), t.x('a3')]).toEqual([1n, 2n, 4n, 5n]);
  });

  test('icount shift 3: 8 ns per instruction', () => {
    const t = fromReset('csrr a0, mcycle\n nop\n nop\n csrr a1, mcycle', 3);
    expect([t.x('a0'), t.x('a1')]).toEqual([8n, 32n]);
  });

  test('a written value counts on from the writing instruction', () => {
    const t = exec(`
      li t0, 1000
      csrw mcycle, t0
      csrr a0, mcycle
      nop
      nop
      nop
      csrr a1, mcycle
      csrw minstret, t0
      csrr a2, minstret
      csrr a3, instret
    `);
    expect([t.x('a0'), t.x('a1'), t.x('a2'), t.x('a3')]).toEqual([1001n, 1005n, 1001n, 1002n]);
  });

  test('a write near 2^64 wraps', () => {
    const t = exec('li t0, -1\n csrw mcycle, t0\n csrr a0, mcycle\n csrr a1, mcycle');
    expect([t.x('a0'), t.x('a1')]).toEqual([0n, 1n]);
  });

  test('the count carries across slice boundaries', () => {
    const t = exec(`
      csrr a0, mcycle
      li t1, 2000
loop:
      addi t1, t1, -1
      bnez t1, loop
      csrr a1, mcycle
    `);
    // li, 2000 iterations of two instructions, and the reading csrr itself
    expect(t.x('a1') - t.x('a0')).toBe(1n + 2000n * 2n + 1n);
  });
});

describe('mcountinhibit', () => {
  test('CY and IR hold mcycle and minstret still; clearing resumes from the held value', () => {
    const t = exec(`
      li t0, 100
      csrw mcycle, t0
      csrw minstret, t0
      csrwi mcountinhibit, 5
      csrr a0, mcycle
      nop
      nop
      csrr a1, mcycle
      csrr a2, minstret
      csrwi mcountinhibit, 0
      csrr a3, mcycle
    `);
    // minstret written one instruction after mcycle; both stop at the csrwi
    expect([t.x('a0'), t.x('a1'), t.x('a2')]).toEqual([102n, 102n, 101n]);
    expect(t.x('a3')).toBe(103n);
  });

  test('writing an inhibited counter sets the held value', () => {
    const t = exec('csrwi mcountinhibit, 1\n li t0, 7\n csrw mcycle, t0\n nop\n csrr a0, mcycle\n csrr a1, cycle');
    expect([t.x('a0'), t.x('a1')]).toEqual([7n, 7n]);
  });

  test('inhibiting one counter leaves the other running', () => {
    const t = exec('csrwi mcountinhibit, 1\n csrr a0, minstret\n nop\n csrr a1, minstret');
    expect(t.x('a1') - t.x('a0')).toBe(2n);
  });
});

describe('time', () => {
  test('reads the platform timer at the reading instruction (10 MHz of virtual time)', () => {
    // shift 7: 128 ns per instruction, time = floor(ns / 100)
    const t = fromReset('csrr a0, time\n csrr a1, time\n nop\n csrr a2, time', 7);
    expect([t.x('a0'), t.x('a1'), t.x('a2')]).toEqual([1n, 2n, 5n]);
  });
});

describe('counter enables', () => {
  // bit index in mcounteren/scounteren: CY 0, TM 1, IR 2, HPM3 3
  // no programmable counters are implemented (QEMU pmu-num=0, docs/ORACLE.md §4): only the fixed three
  const cases: Array<[csr: string, bit: number]> = [['cycle', 0], ['time', 1], ['instret', 2]];
  const modes: Array<[string, number, number, number, boolean]> = [
    // mode, priv, mcounteren bit, scounteren bit, allowed
    ['S, mcounteren = 0', PRIV_S, 0, 1, false],
    ['S, mcounteren = 1', PRIV_S, 1, 0, true],
    ['U, both 0', PRIV_U, 0, 0, false],
    ['U, only mcounteren', PRIV_U, 1, 0, false],
    ['U, only scounteren', PRIV_U, 0, 1, false],
    ['U, both 1', PRIV_U, 1, 1, true],
    ['M, both 0', PRIV_M, 0, 0, true],
  ];
  const table = cases.flatMap(([csr, bit]) =>
    modes.map(([name, priv, m, s, allowed]) => ({ name: `${csr} in ${name}`, csr, bit, priv, m, s, allowed })),
  );
  test.each(table)('$name', ({ csr, bit, priv, m, s, allowed }) => {
    const setup = (h: { mcounteren: number; scounteren: number }) => {
      // the other bits are set so that only this counter's bit decides
      h.mcounteren = m ? -1 : ~(1 << bit);
      h.scounteren = s ? -1 : ~(1 << bit);
    };
    if (allowed) {
      expect(exec(`csrr a0, ${csr}`, {}, { priv, setup }).hart.mcause).toBe(0n);
    } else {
      const r = execTrap(`csrr a0, ${csr}`, {}, { priv, setup });
      expect(r.cause).toBe(2n);
    }
  });
});

describe('hardware performance monitor registers', () => {
  // Like QEMU 7.2 with pmu-num=0 (the lockstep configuration, docs/ORACLE.md §4): no programmable
  // counters exist, but the event selectors do and keep what is written.
  test.each(['mhpmcounter3', 'mhpmcounter18', 'mhpmcounter31', 'hpmcounter3', 'hpmcounter31'])('%s is an illegal instruction', (csr) => {
    expect(execTrap(`csrr a0, ${csr}`).cause).toBe(2n);
  });

  test.each(['mhpmcounter3', 'mhpmcounter31'])('writing %s is an illegal instruction', (csr) => {
    expect(execTrap(`li t0, 7\n csrw ${csr}, t0`).cause).toBe(2n);
  });

  test('mhpmevent3..31 exist and keep what is written', () => {
    const t = exec('li t0, 5\n csrw mhpmevent3, t0\n csrr a0, mhpmevent3\n li t0, -1\n csrw mhpmevent31, t0\n csrr a1, mhpmevent31');
    expect([t.x('a0'), t.x('a1')]).toEqual([5n, 0xffff_ffff_ffff_ffffn]);
  });
});
