// Control transfer (unprivileged spec 2.5 and 16.5): conditional branches with signed and
// unsigned edge values, JAL/JALR links and targets, the RVC forms, and pc arithmetic where
// the interpreter keeps pc as page base + offset: page crossings (taken and sequential, and
// a 32-bit instruction straddling two pages) and the 4 GiB line, where the pc's high word
// must carry.
import { describe, expect, test } from 'vitest';
import { exec, hex, RAM, runBody, TestHart, u64 } from './harness.ts';

const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;

describe('conditional branches', () => {
  const cases: Array<[op: string, a: bigint, b: bigint, taken: boolean]> = [
    ['beq', 5n, 5n, true],
    ['beq', 5n, 6n, false],
    ['beq', 0x1_0000_0005n, 5n, false], // differ only in the high word
    ['beq', -1n, -1n, true],
    ['bne', 5n, 6n, true],
    ['bne', 5n, 5n, false],
    ['bne', 0x1_0000_0000n, 0n, true],
    ['blt', -1n, 0n, true],
    ['blt', 0n, -1n, false],
    ['blt', MIN, MAX, true],
    ['blt', MAX, MIN, false],
    ['blt', 3n, 3n, false],
    ['blt', 0x8000_0000n, 0x8000_0001n, true],
    ['blt', 0x8000_0000n, 1n, false], // low words compare unsigned when the high words match
    ['blt', -2n, -1n, true],
    ['bge', 0n, -1n, true],
    ['bge', -1n, 0n, false],
    ['bge', 3n, 3n, true],
    ['bge', MIN, MAX, false],
    ['bge', 0x8000_0000n, 1n, true],
    ['bltu', 0n, -1n, true],
    ['bltu', -1n, 0n, false],
    ['bltu', MAX, MIN, true],
    ['bltu', 1n, 0x8000_0000n, true],
    ['bltu', 0x1_0000_0000n, 0xffff_ffffn, false],
    ['bltu', 7n, 7n, false],
    ['bgeu', -1n, 0n, true],
    ['bgeu', 0n, -1n, false],
    ['bgeu', MIN, MAX, true],
    ['bgeu', 7n, 7n, true],
    ['bgeu', 0xffff_ffffn, 0x1_0000_0000n, false],
  ];
  const body = (op: string) => `
    li a2, 0
    ${op} a0, a1, taken
    li a2, 1
    j done
taken:
    li a2, 2
`;
  test.each(cases.map((c) => [`${c[0]} ${hex(c[1])}, ${hex(c[2])}`, ...c] as const))('%s', (_, op, a, b, taken) => {
    expect(runBody(body(op), { a0: a, a1: b }).x('a2')).toBe(taken ? 2n : 1n);
  });

  test('backward branches loop the right number of times', () => {
    const t = exec(`
      li a0, 1000
      li a1, 0
loop:
      addi a1, a1, 3
      addi a0, a0, -1
      bnez a0, loop
    `);
    expect(t.x('a1')).toBe(3000n);
  });

  test('a branch whose target is itself spins (no progress is still legal execution)', () => {
    const t = TestHart.asm(`
      li a0, 1
spin:
      bnez a0, spin
    `);
    expect(t.run({ until: 'none', budget: 5000 })).toEqual({ kind: 'budget' });
    expect(t.hart.pc).toBe(t.sym('spin'));
  });
});

describe('JAL and JALR', () => {
  test('jal links pc + 4 and jumps forward and back', () => {
    const t = exec(`
      jal ra, fwd
back:
      li a1, 2
      j done
fwd:
      li a0, 1
      jal t0, back
    `);
    expect(t.x('ra')).toBe(t.sym('back'));
    expect(t.x('t0')).toBe(t.sym('fwd') + 8n);
    expect([t.x('a0'), t.x('a1')]).toEqual([1n, 2n]);
  });

  test.each([
    ['target with bit 0 set: bit 0 is cleared', 'la a0, tgt\n addi a0, a0, 1\n jalr ra, 0(a0)', 0n],
    ['negative offset', 'la a0, tgt\n addi a0, a0, 16\n jalr ra, -16(a0)', 0n],
    ['odd negative offset', 'la a0, tgt\n addi a0, a0, 2\n jalr ra, -1(a0)', 0n],
  ])('jalr %s', (_, setup) => {
    const t = exec(`
      ${setup}
here:
      li a2, 1
      j done
      .align 2
tgt:
      li a2, 2
    `);
    expect(t.x('a2')).toBe(2n);
    expect(t.x('ra')).toBe(t.sym('here'));
  });

  test('jalr with rd = rs1 jumps to the old value and links', () => {
    const t = exec(`
      la a0, tgt
      jalr a0, 0(a0)
here:
      li a2, 1
      j done
tgt:
      li a2, 2
    `);
    expect(t.x('a2')).toBe(2n);
    expect(t.x('a0')).toBe(t.sym('here'));
  });

  test('jalr adds a sign-extended offset to a full 64-bit base', () => {
    // base - 2048 must borrow from the high word of the base
    const t = exec(`
      la a0, tgt
      li t0, 2048
      add a0, a0, t0
      jalr ra, -2048(a0)
      li a2, 1
      j done
tgt:
      li a2, 2
    `);
    expect(t.x('a2')).toBe(2n);
  });
});

describe('compressed control transfer', () => {
  // bodies are assembled with RVC; absolute targets let branches and jumps be compressed.
  // Layout: `j start` (4) + trap (4): start = RAM + 8, and `.balign 64` puts T at RAM + 0x40.
  const T = RAM + 0x40n;
  const layout = (branch: string) => `
b0:
    ${branch}
b1:
    li a2, 1
    j done
    .balign 64
T:
    li a2, 2
`;
  test.each([
    ['beqz a0 (taken)', `beqz a0, ${T}`, { a0: 0n }, true],
    ['beqz a0 (not taken)', `beqz a0, ${T}`, { a0: 0x1_0000_0000n }, false],
    ['bnez s1 (taken)', `bnez s1, ${T}`, { s1: MIN }, true],
    ['bnez s1 (not taken)', `bnez s1, ${T}`, { s1: 0n }, false],
    ['j', `j ${T}`, {}, true],
    ['jr a5', 'jr a5', { a5: T }, true],
    ['jalr a5 (links ra)', 'jalr a5', { a5: T }, true],
  ])('%s', (_, branch, regs, taken) => {
    const t = runBody(layout(branch), regs, { compress: true });
    expect(t.sym('T')).toBe(T);
    expect(t.sym('b1') - t.sym('b0')).toBe(2n);
    expect(t.x('a2')).toBe(taken ? 2n : 1n);
    if (branch.startsWith('jalr')) expect(t.x('ra')).toBe(t.sym('b1'));
  });

  test('c.beqz backwards and c.j backwards', () => {
    const t = runBody(
      `
    li a0, 5
    li a1, 0
    j ${RAM + 0x40n}
    .balign 64
loop:
    addi a1, a1, 2
    addi a0, a0, -1
    bnez a0, ${RAM + 0x40n}
l_end:
`,
      {},
      { compress: true },
    );
    expect(t.sym('l_end') - t.sym('loop')).toBe(6n);
    expect(t.x('a1')).toBe(10n);
  });
});

describe('page crossings', () => {
  // code laid out at the end of a page: `pad` fills to the given page offset
  const atOffset = (off: number, text: string) => `
    j cross_entry
    .balign 4096
    .space ${off}
cross_entry:
${text}
`;

  test('sequential execution from the last word of a page into the next', () => {
    const t = exec(atOffset(0xff8, `
      addi a0, zero, 1
      addi a0, a0, 2
      addi a0, a0, 4
page2:
    `));
    expect(t.x('a0')).toBe(7n);
    expect(t.sym('page2') & 0xfffn).toBe(4n);
  });

  test('a 32-bit instruction straddling two pages executes, and execution continues after it', () => {
    const t = exec(atOffset(0xffc, `
      .half 0x0001
straddle:
      addi a0, zero, 0x123
      addi a0, a0, 1
    `));
    expect(t.sym('straddle') & 0xfffn).toBe(0xffen);
    expect(t.x('a0')).toBe(0x124n);
  });

  test('a straddling instruction re-decodes each time, so a store to its second half is seen', () => {
    // the loop stores a new upper half over the instruction's second page and runs it again
    const t = exec(atOffset(0xff4, `
      li a1, 0
      j straddle
      .half 0x0001
straddle:
      addi a0, zero, 0x123
      bnez a1, out
      la t0, straddle
      lhu t1, 2(t0)
      li t2, 0x0010
      add t1, t1, t2
      sh t1, 2(t0)
      fence.i
      li a1, 1
      j straddle
out:
    `));
    expect(t.x('a0')).toBe(0x124n);
  });

  test('taken branches and jal across a page boundary, forwards and back', () => {
    const t = exec(atOffset(0xff0, `
      li a0, 0
      beq zero, zero, fwd
back:
      addi a0, a0, 10
      j done
      .space 64
fwd:
      addi a0, a0, 1
      jal ra, back
    `));
    expect(t.x('a0')).toBe(11n);
    const page = (label: string) => t.sym(label) >> 12n;
    expect(page('back')).toBe(page('cross_entry'));
    expect(page('fwd')).toBe(page('back') + 1n);
  });

  test('jal in the last word of a page links the first address of the next page', () => {
    const t = exec(atOffset(0xffc, `
      jal ra, tgt
next_page:
      j done
tgt:
      li a0, 1
      jr ra
    `));
    expect(t.x('ra')).toBe(t.sym('next_page'));
    expect(t.x('ra') & 0xfffn).toBe(0n);
  });
});

describe('the 4 GiB line', () => {
  // RAM straddling 0x1_0000_0000 so bare M-mode code can run across it
  const HIGH = 0xffff_e000n;
  const machine = () => new TestHart({ regions: [{ name: 'high', base: Number(HIGH), size: 0x4000 }] });

  function runAt(base: bigint, text: string, regs: Record<string, bigint> = {}): TestHart {
    const t = machine();
    t.loadAsm(`${text}\ndone:\n  j done\n`, base);
    t.hart.setPc(base);
    for (const [r, v] of Object.entries(regs)) t.setX(r, v);
    t.runTo('done');
    return t;
  }

  test('sequential execution carries into the pc high word', () => {
    const t = runAt(0xffff_fff8n, `
      addi a0, zero, 1
      addi a0, a0, 2
above:
      addi a0, a0, 4
      auipc a1, 0
    `);
    expect(t.sym('above')).toBe(0x1_0000_0000n);
    expect(t.x('a0')).toBe(7n);
    expect(t.x('a1')).toBe(0x1_0000_0004n);
  });

  test('a 32-bit instruction straddling 4 GiB', () => {
    const t = runAt(0xffff_fffcn, `
      .half 0x0001
      addi a0, zero, 5
      auipc a1, 0
    `);
    expect(t.x('a0')).toBe(5n);
    expect(t.x('a1')).toBe(0x1_0000_0002n);
  });

  test('jal below 4 GiB links an address above it', () => {
    const t = runAt(0xffff_fffcn, `
      jal ra, tgt
after:
      j done
tgt:
      jr ra
    `);
    expect(t.x('ra')).toBe(0x1_0000_0000n);
  });

  test('a branch above 4 GiB jumps back below it, and jalr forward across it', () => {
    const t = runAt(
      0xffff_fff0n,
      `
      j up
low:
      addi a0, a0, 1
      jalr ra, 0(t0)
after_jalr:
      .half 0x0001
      .half 0x0001
up:
      beqz a0, low
      j done
      .space 8
target:
      addi a0, a0, 100
    `,
      { a0: 0n, t0: 0x1_0000_0010n },
    );
    expect(t.sym('up')).toBe(0x1_0000_0000n);
    expect(t.sym('target')).toBe(0x1_0000_0010n);
    expect(t.x('a0')).toBe(101n);
    expect(t.x('ra')).toBe(t.sym('after_jalr'));
  });

  test('auipc near the top of the 32-bit range produces a 64-bit address', () => {
    const t = runAt(0x1_0000_0000n, 'auipc a0, 0x7ffff\n auipc a1, 0x80000');
    expect(t.x('a0')).toBe(0x1_0000_0000n + 0x7fff_f000n);
    expect(t.x('a1')).toBe(u64(0x1_0000_0004n - 0x8000_0000n));
  });
});
