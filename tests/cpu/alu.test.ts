// RV64I integer computation (unprivileged spec 2.4 and 4.2): every register-register and
// register-immediate op, the 32-bit W forms, LUI/AUIPC, x0 as destination, and the RVC
// forms that expand to them.
import { describe, expect, test } from 'vitest';
import { exec, hex, runBody, u64 } from './harness.ts';

const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;
const W_MIN = -(1n << 31n);

type Case = [op: string, a: bigint, b: bigint, expected: bigint];

describe('register-register ops', () => {
  const cases: Case[] = [
    ['add', 1n, 2n, 3n],
    ['add', MAX, 1n, MIN],
    ['add', -1n, 1n, 0n],
    ['add', 0xffff_ffffn, 1n, 0x1_0000_0000n],
    ['add', 0x8000_0000n, 0x8000_0000n, 0x1_0000_0000n],
    ['add', -1n, -1n, -2n],
    ['sub', 0n, 1n, -1n],
    ['sub', 0x1_0000_0000n, 1n, 0xffff_ffffn],
    ['sub', MIN, 1n, MAX],
    ['sub', 5n, -3n, 8n],
    ['sub', 0n, MIN, MIN],
    ['and', 0x0123_4567_89ab_cdefn, 0xff00_ff00_ff00_ff00n, 0x0100_4500_8900_cd00n],
    ['or', 0x0123_4567_89ab_cdefn, 0xff00_ff00_ff00_ff00n, 0xff23_ff67_ffab_ffefn],
    ['xor', 0x0123_4567_89ab_cdefn, -1n, ~0x0123_4567_89ab_cdefn],
    ['xor', MIN, MIN, 0n],
    ['slt', -1n, 0n, 1n],
    ['slt', 0n, -1n, 0n],
    ['slt', MIN, MAX, 1n],
    ['slt', MAX, MIN, 0n],
    ['slt', -2n, -1n, 1n],
    ['slt', 5n, 5n, 0n],
    // equal high words: the low words compare unsigned
    ['slt', 0x8000_0000n, 1n, 0n],
    ['slt', 1n, 0x8000_0000n, 1n],
    ['slt', -0x8000_0000n, -1n, 1n],
    ['sltu', -1n, 0n, 0n],
    ['sltu', 0n, -1n, 1n],
    ['sltu', MIN, MAX, 0n],
    ['sltu', MAX, MIN, 1n],
    ['sltu', 0x8000_0000n, 1n, 0n],
    ['sltu', 1n, 0x8000_0000n, 1n],
    ['sltu', 0x1_0000_0000n, 0xffff_ffffn, 0n],
    ['sltu', 7n, 7n, 0n],
    ['sll', 1n, 0n, 1n],
    ['sll', 1n, 1n, 2n],
    ['sll', 1n, 31n, 0x8000_0000n],
    ['sll', 1n, 32n, 0x1_0000_0000n],
    ['sll', 1n, 33n, 0x2_0000_0000n],
    ['sll', 1n, 63n, MIN],
    ['sll', 0x8000_0001n, 1n, 0x1_0000_0002n],
    ['sll', 0xffff_ffffn, 32n, -0x1_0000_0000n],
    // only rs2[5:0] counts
    ['sll', 1n, 64n, 1n],
    ['sll', 3n, -1n, MIN],
    ['srl', MIN, 63n, 1n],
    ['srl', -1n, 0n, -1n],
    ['srl', -1n, 1n, MAX],
    ['srl', -1n, 31n, 0x1_ffff_ffffn],
    ['srl', -1n, 32n, 0xffff_ffffn],
    ['srl', -1n, 33n, 0x7fff_ffffn],
    ['srl', 0x1_0000_0000n, 1n, 0x8000_0000n],
    ['srl', -1n, 65n, MAX],
    ['sra', MIN, 63n, -1n],
    ['sra', MIN, 0n, MIN],
    ['sra', MIN, 31n, -0x1_0000_0000n],
    ['sra', MIN, 32n, -0x8000_0000n],
    ['sra', MAX, 63n, 0n],
    ['sra', MAX, 32n, 0x7fff_ffffn],
    ['sra', -2n, 1n, -1n],
    ['sra', 0x8000_0000n, 31n, 1n],
    ['sra', MIN, 127n, -1n],
    // W forms: 32-bit results sign-extended, upper source bits ignored
    ['addw', 0x7fff_ffffn, 1n, W_MIN],
    ['addw', 0xffff_ffffn, 1n, 0n],
    ['addw', 0x1_0000_0005n, 0x2_0000_0003n, 8n],
    ['addw', 0x8000_0000n, 0n, W_MIN],
    ['addw', -1n, -1n, -2n],
    ['subw', 0n, 1n, -1n],
    ['subw', W_MIN, 1n, 0x7fff_ffffn],
    ['subw', 0x5_0000_0000n, 0x3_0000_0000n, 0n],
    ['sllw', 1n, 31n, W_MIN],
    ['sllw', 1n, 32n, 1n],
    ['sllw', 0x1_0000_0001n, 0n, 1n],
    ['sllw', 0xffff_ffffn, 0n, -1n],
    ['sllw', 0x4000_0000n, 1n, W_MIN],
    ['srlw', 0x8000_0000n, 0n, W_MIN],
    ['srlw', 0x8000_0000n, 1n, 0x4000_0000n],
    ['srlw', -1n, 31n, 1n],
    ['srlw', -0x1_0000_0000n, 4n, 0n],
    ['srlw', 0x8000_0000n, 32n, W_MIN],
    ['srlw', 0x8000_0000n, 33n, 0x4000_0000n],
    ['sraw', 0x8000_0000n, 31n, -1n],
    ['sraw', 0x8000_0000n, 1n, -0x4000_0000n],
    ['sraw', 0x7fff_ffffn, 31n, 0n],
    ['sraw', 0x1_8000_0000n, 0n, W_MIN],
    ['sraw', 0x8000_0000n, 63n, -1n],
  ];
  test.each(cases.map((c) => [`${c[0]} ${hex(c[1])}, ${hex(c[2])} = ${hex(c[3])}`, ...c] as const))('%s', (_, op, a, b, expected) => {
    expect(runBody(`${op} a2, a0, a1`, { a0: a, a1: b }).x('a2')).toBe(u64(expected));
  });

  test.each(cases.filter(([op]) => !op.endsWith('w')).map((c) => [`${c[0]} ${hex(c[1])}`, c[0], c[1]] as const))('%s with rd = rs1 = rs2', (_, op, a) => {
    // reading both sources from the register being written
    const want = runBody(`${op} a2, a0, a1`, { a0: a, a1: a }).x('a2');
    expect(runBody(`${op} a0, a0, a0`, { a0: a }).x('a0')).toBe(want);
  });
});

describe('register-immediate ops', () => {
  const cases: Case[] = [
    ['addi', 0n, -2048n, -2048n],
    ['addi', 0n, 2047n, 2047n],
    ['addi', 0xffff_ffffn, 1n, 0x1_0000_0000n],
    ['addi', 0x1_0000_0000n, -1n, 0xffff_ffffn],
    ['addi', -1n, 1n, 0n],
    ['addi', MAX, 1n, MIN],
    ['addi', MIN, -1n, MAX],
    ['slti', -1n, 0n, 1n],
    ['slti', 0n, -1n, 0n],
    ['slti', MIN, -2048n, 1n],
    ['slti', -2049n, -2048n, 1n],
    ['slti', -2048n, -2048n, 0n],
    ['slti', 0x8000_0000n, 1n, 0n],
    ['slti', MAX, 2047n, 0n],
    ['sltiu', 0n, 1n, 1n],
    ['sltiu', 5n, 1n, 0n],
    // the immediate is sign-extended, then compared unsigned
    ['sltiu', -2n, -1n, 1n],
    ['sltiu', -1n, -1n, 0n],
    ['sltiu', MAX, -2048n, 1n],
    ['sltiu', 0x8000_0000n, 2047n, 0n],
    ['sltiu', -0x800n, -0x7ffn, 1n],
    ['andi', -1n, -1n, -1n],
    ['andi', 0x1234_5678_9abc_def0n, -16n, 0x1234_5678_9abc_def0n],
    ['andi', 0x1234_5678_9abc_def7n, -16n, 0x1234_5678_9abc_def0n],
    ['andi', MIN | 0xffn, 0x0fn, 0x0fn],
    ['ori', 0n, -2048n, -2048n],
    ['ori', MIN, 1n, MIN + 1n],
    ['ori', 0x1_0000_0000n, 0x7ffn, 0x1_0000_07ffn],
    ['xori', 0x0123_4567_89ab_cdefn, -1n, ~0x0123_4567_89ab_cdefn],
    ['xori', -1n, 0x7ffn, -0x800n],
    ['slli', 1n, 0n, 1n],
    ['slli', 1n, 31n, 0x8000_0000n],
    ['slli', 1n, 32n, 0x1_0000_0000n],
    ['slli', 1n, 63n, MIN],
    ['slli', 0xffff_ffffn, 32n, -0x1_0000_0000n],
    ['slli', 0x8000_0001n, 1n, 0x1_0000_0002n],
    ['srli', MIN, 63n, 1n],
    ['srli', -1n, 0n, -1n],
    ['srli', -1n, 31n, 0x1_ffff_ffffn],
    ['srli', -1n, 32n, 0xffff_ffffn],
    ['srli', 0x1_0000_0000n, 32n, 1n],
    ['srli', 0x1_0000_0000n, 1n, 0x8000_0000n],
    ['srai', MIN, 63n, -1n],
    ['srai', MIN, 32n, -0x8000_0000n],
    ['srai', MIN, 31n, -0x1_0000_0000n],
    ['srai', MAX, 63n, 0n],
    ['srai', -1n, 0n, -1n],
    ['srai', 0x8000_0000n, 31n, 1n],
    ['addiw', 0x7fff_ffffn, 1n, W_MIN],
    ['addiw', 0xffff_ffffn, 1n, 0n],
    ['addiw', 0x1_0000_0000n, -1n, -1n],
    ['addiw', 0x1234_5678_8000_0000n, 0n, W_MIN],
    ['addiw', W_MIN, -1n, 0x7fff_ffffn],
    ['slliw', 1n, 31n, W_MIN],
    ['slliw', 0xffff_ffffn, 31n, W_MIN],
    ['slliw', 0x1_0000_0001n, 0n, 1n],
    ['slliw', 3n, 30n, -0x4000_0000n],
    ['srliw', 0x8000_0000n, 0n, W_MIN],
    ['srliw', 0x8000_0000n, 31n, 1n],
    ['srliw', -1n, 1n, 0x7fff_ffffn],
    ['srliw', -0x1_0000_0000n, 0n, 0n],
    ['sraiw', 0x8000_0000n, 31n, -1n],
    ['sraiw', 0x7fff_ffffn, 31n, 0n],
    ['sraiw', 0x1_8000_0000n, 4n, -0x800_0000n],
    ['sraiw', 0xffff_ffff_0000_0001n, 0n, 1n],
  ];
  test.each(cases.map((c) => [`${c[0]} ${hex(c[1])}, ${c[2]} = ${hex(c[3])}`, ...c] as const))('%s', (_, op, a, imm, expected) => {
    expect(runBody(`${op} a2, a0, ${imm}`, { a0: a }).x('a2')).toBe(u64(expected));
  });
});

describe('upper immediates', () => {
  test.each([
    [0x80000, 0xffff_ffff_8000_0000n],
    [0xfffff, 0xffff_ffff_ffff_f000n],
    [0x7ffff, 0x7fff_f000n],
    [0x00001, 0x1000n],
    [0, 0n],
  ])('lui %i', (imm, expected) => {
    expect(runBody(`lui a2, ${imm}`, { a2: -1n }).x('a2')).toBe(expected);
  });

  test.each([
    [0, 0n],
    [1, 0x1000n],
    // the sign-extended offset wraps the pc below 2^31 across zero
    [0x80000, -0x8000_0000n],
    [0x7ffff, 0x7fff_f000n],
    [0xfffff, -0x1000n],
  ])('auipc %i adds the sign-extended offset to its own pc', (imm, offset) => {
    const t = exec(`here: auipc a2, ${imm}`);
    expect(t.x('a2')).toBe(u64(t.sym('here') + offset));
  });

  test('auipc in a program assembled at the top of RAM', () => {
    const t = exec(`
      auipc a2, 0x80000
      auipc a3, 0x7ffff
    `);
    const pc = t.sym('start');
    expect(t.x('a2')).toBe(pc - 0x8000_0000n);
    expect(t.x('a3')).toBe(pc + 4n + 0x7fff_f000n);
  });
});

describe('x0 as destination', () => {
  test.each([
    'add zero, a0, a1',
    'addi zero, a0, 5',
    'lui zero, 0x12345',
    'auipc zero, 1',
    'slli zero, a0, 3',
    'addw zero, a0, a1',
    'sltu zero, zero, a0',
    'mul zero, a0, a1',
    'ld zero, 0(sp)',
    'csrr zero, mscratch',
    'jal zero, next\nnext:',
  ])('%s leaves x0 zero and every other register as it was', (text) => {
    const t = exec(`
      la sp, buf
      li a0, 0x1234
      li a1, 0x5678
      mv a2, zero
      li t0, 0x1111
      li t1, 0x2222
      csrw mscratch, a0
      ${text}
      add a3, zero, zero
      addi a4, zero, 7
      j over
      .align 3
buf:
      .dword 0x0102030405060708
over:
    `);
    expect(t.x('zero')).toBe(0n);
    expect(t.x('a3')).toBe(0n);
    expect(t.x('a4')).toBe(7n);
    expect([t.x('a0'), t.x('a1'), t.x('a2'), t.x('t0'), t.x('t1')]).toEqual([0x1234n, 0x5678n, 0n, 0x1111n, 0x2222n]);
  });
});

describe('compressed integer ops (RVC) behave like their expansions', () => {
  // [assembly, inputs, result register, expected]; every line must assemble to 2 bytes
  const cases: Array<[string, Record<string, bigint>, string, bigint]> = [
    ['addi a0, a0, -32', { a0: 0n }, 'a0', -32n],
    ['addi a0, a0, 31', { a0: 0xffff_ffffn }, 'a0', 0x1_0000_001en],
    ['addi a0, zero, -1', {}, 'a0', -1n],
    ['lui a0, 0xfffff', {}, 'a0', -0x1000n],
    ['lui a0, 0x1f', {}, 'a0', 0x1_f000n],
    ['addiw a0, a0, 1', { a0: 0x7fff_ffffn }, 'a0', W_MIN],
    ['addiw a0, a0, 0', { a0: 0x1_8000_0000n }, 'a0', W_MIN],
    ['slli a0, a0, 63', { a0: 1n }, 'a0', MIN],
    ['slli a0, a0, 32', { a0: 0xffff_ffffn }, 'a0', -0x1_0000_0000n],
    ['srli s0, s0, 63', { s0: MIN }, 's0', 1n],
    ['srli s0, s0, 32', { s0: -1n }, 's0', 0xffff_ffffn],
    ['srai s1, s1, 63', { s1: MIN }, 's1', -1n],
    ['srai s1, s1, 1', { s1: -2n }, 's1', -1n],
    ['andi a5, a5, -1', { a5: MIN + 5n }, 'a5', MIN + 5n],
    ['andi a5, a5, 0x1f', { a5: -1n }, 'a5', 0x1fn],
    ['add a0, zero, a1', { a1: MIN }, 'a0', MIN],
    ['add a0, a0, a1', { a0: MAX, a1: 1n }, 'a0', MIN],
    ['sub a0, a0, a1', { a0: 0n, a1: 1n }, 'a0', -1n],
    ['xor a0, a0, a1', { a0: -1n, a1: 0xffn }, 'a0', -0x100n],
    ['or a0, a0, a1', { a0: MIN, a1: 1n }, 'a0', MIN + 1n],
    ['and a0, a0, a1', { a0: -1n, a1: 0x8000_0000n }, 'a0', 0x8000_0000n],
    ['subw a0, a0, a1', { a0: W_MIN, a1: 1n }, 'a0', 0x7fff_ffffn],
    ['addw a0, a0, a1', { a0: 0x7fff_ffffn, a1: 1n }, 'a0', W_MIN],
  ];
  test.each(cases)('%s', (text, regs, rd, expected) => {
    const t = runBody(`c_begin:\n${text}\nc_end:`, regs, { compress: true });
    expect(t.sym('c_end') - t.sym('c_begin')).toBe(2n);
    expect(t.x(rd)).toBe(u64(expected));
  });
});
