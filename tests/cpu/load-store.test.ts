// Loads and stores (unprivileged spec 2.6, 4.3): every size with sign/zero extension, every
// byte offset (misaligned accesses are done in hardware, as QEMU does), accesses crossing a
// page and the 4 GiB line, address arithmetic that carries into the high word, MMIO through
// the bus (sizes, access faults), x0 as destination, and stores into code (self-modifying
// code must see its own stores).
import { describe, expect, test } from 'vitest';
import { DEV, DEV_SCRATCH, DEV_WORD_ONLY, exec, RAM, runBody, TestHart, trapBody, u64 } from './harness.ts';

/** 16 bytes with every sign pattern: 0x87 0x86 ... 0x80 then 0x7c 0x7d 0x7e 0x7f 0x03 0x02 0x01 0x00. */
const BYTES = [0x87, 0x86, 0x85, 0x84, 0x83, 0x82, 0x81, 0x80, 0x7c, 0x7d, 0x7e, 0x7f, 0x03, 0x02, 0x01, 0x00];
const DATA = `
    j done
    .balign 16
buf:
    .byte ${BYTES.join(', ')}
`;

const LOADS: Array<[op: string, size: number, signed: boolean]> = [
  ['lb', 1, true],
  ['lbu', 1, false],
  ['lh', 2, true],
  ['lhu', 2, false],
  ['lw', 4, true],
  ['lwu', 4, false],
  ['ld', 8, true],
];

/** The value a load of `size` bytes at `off` of BYTES must produce. */
function expected(off: number, size: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(BYTES[off + i]);
  return signed ? u64(BigInt.asIntN(size * 8, v)) : v;
}

describe('loads of every size at every offset', () => {
  const cases = LOADS.flatMap(([op, size, signed]) =>
    Array.from({ length: 9 }, (_, off) => [`${op} at buf+${off}`, op, off, size, signed] as const),
  );
  test.each(cases)('%s', (_, op, off, size, signed) => {
    const t = runBody(`la a0, buf\n ${op} a2, ${off}(a0)\n${DATA}`);
    expect(t.x('a2')).toBe(expected(off, size, signed));
  });

  test.each(cases)('%s after the page is in the TLB', (_, op, off, size, signed) => {
    // the first load fills the TLB, so the second one takes the interpreter's fast path
    const t = runBody(`la a0, buf\n ld t0, 0(a0)\n ${op} a2, ${off}(a0)\n${DATA}`);
    expect(t.x('a2')).toBe(expected(off, size, signed));
  });
});

describe('stores of every size at every offset', () => {
  const STORES: Array<[string, number]> = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]];
  const value = 0x1122_3344_5566_7788n;
  const cases = STORES.flatMap(([op, size]) => Array.from({ length: 9 }, (_, off) => [`${op} at buf+${off}`, op, size, off] as const));
  test.each(cases)('%s writes exactly its bytes', (_, op, size, off) => {
    const t = exec(`
      la a0, buf
      li t0, -1
      sd t0, 0(a0)
      sd t0, 8(a0)
      ${op} a1, ${off}(a0)
      ${DATA}
    `, { a1: value });
    const buf = t.sym('buf');
    for (let i = 0; i < 16; i++) {
      const inside = i >= off && i < off + size;
      const want = inside ? Number((value >> BigInt(8 * (i - off))) & 0xffn) : 0xff;
      expect(t.read8(buf + BigInt(i)), `byte ${i}`).toBe(want);
    }
  });

  test('a store of a register into the address it holds', () => {
    const t = exec(`la a0, buf\n sd a0, 0(a0)\n ld a1, 0(a0)\n${DATA}`);
    expect(t.x('a1')).toBe(t.sym('buf'));
  });
});

describe('accesses crossing a page boundary', () => {
  const PAGE = `
    j done
    .balign 4096
page0:
    .space 4096
page1:
    .space 16
`;
  test.each([
    ['ld', 8, 0xffd],
    ['ld', 8, 0xff9],
    ['lw', 4, 0xffe],
    ['lwu', 4, 0xffd],
    ['lh', 2, 0xfff],
    ['lhu', 2, 0xfff],
  ] as const)('%s of %i bytes at page offset %i', (op, size, off) => {
    // bytes 0xf0.. around the boundary, the top one negative so sign extension shows
    const t = exec(`
      la a0, page0
      li t0, ${0xff0 - 8}
      add t1, a0, t0
      li t2, 0x8f8e8d8c8b8a8988
      sd t2, 0(t1)
      li t2, 0xf7f6f5f4f3f2f1f0
      sd t2, 8(t1)
      li t2, 0xfffefdfcfbfaf9f8
      sd t2, 16(t1)
      li t2, 0x8786858483828180
      sd t2, 24(t1)
      li t0, ${off}
      add a1, a0, t0
      ${op} a2, 0(a1)
      ${PAGE}
    `);
    const base = t.sym('page0');
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(t.read8(base + BigInt(off + i)));
    const signed = !op.endsWith('u');
    expect(t.x('a2')).toBe(signed ? u64(BigInt.asIntN(size * 8, v)) : v);
    expect(v >> BigInt(8 * size - 8)).toBe(0x80n + BigInt(off + size - 1 - 0x1000)); // the top byte came from page1
  });

  test.each([
    ['sd', 8, 0xffb],
    ['sd', 8, 0xfff],
    ['sw', 4, 0xffe],
    ['sh', 2, 0xfff],
  ] as const)('%s of %i bytes at page offset %i', (op, size, off) => {
    const t = exec(`
      la a0, page0
      li t0, ${off}
      add a1, a0, t0
      li a2, 0x0807060504030201
      ${op} a2, 0(a1)
      ${PAGE}
    `);
    const base = t.sym('page0');
    for (let i = -1; i <= size; i++) {
      const want = i >= 0 && i < size ? i + 1 : 0;
      expect(t.read8(base + BigInt(off + i)), `byte ${i}`).toBe(want);
    }
  });
});

describe('address arithmetic', () => {
  test('negative and positive 12-bit offsets', () => {
    const t = exec(`
      la a0, buf
      addi a0, a0, 2047
      ld a1, -2047(a0)
      addi a0, a0, -2047
      addi a0, a0, -2040
      lbu a2, 2047(a0)
      ${DATA}
    `);
    expect(t.x('a1')).toBe(expected(0, 8, true));
    expect(t.x('a2')).toBe(expected(7, 1, false));
  });

  test('base + offset carries out of the low word', () => {
    // 0x7ffff810 + 0x7f0 = 0x80000000: the first word of the program (`j start`)
    const t = exec('li a0, 0x7ffff810\n lwu a1, 0x7f0(a0)\n li a2, 0x80000000\n lwu a3, 0(a2)');
    expect(t.x('a1')).toBe(t.x('a3'));
    expect(t.x('a1')).not.toBe(0n);
  });

  test('base + negative offset borrows from the high word', () => {
    const HIGH = 0xffff_e000n;
    const t = new TestHart({ regions: [{ name: 'high', base: Number(HIGH), size: 0x4000 }] });
    t.loadAsm('li a0, 0x100000010\n li t0, 0x1122334455667788\n sd t0, -32(a0)\n ld a1, -32(a0)\ndone:\n j done', RAM);
    t.runTo('done');
    expect(t.read64(0xffff_fff0n)).toBe(0x1122_3344_5566_7788n);
    expect(t.x('a1')).toBe(0x1122_3344_5566_7788n);
  });
});

describe('the 4 GiB line', () => {
  const HIGH = 0xffff_e000n;
  function run(text: string): TestHart {
    const t = new TestHart({ regions: [{ name: 'high', base: Number(HIGH), size: 0x4000 }] });
    t.loadAsm(`${text}\ndone:\n  j done`, RAM);
    t.runTo('done');
    return t;
  }

  test('a doubleword store and load straddling 0x1_0000_0000', () => {
    const t = run(`
      li a0, 0xfffffffc
      li t0, 0x8877665544332211
      sd t0, 0(a0)
      ld a1, 0(a0)
      lw a2, 4(a0)
      lhu a3, 3(a0)
    `);
    expect(t.read32(0xffff_fffcn)).toBe(0x4433_2211);
    expect(t.read32(0x1_0000_0000n)).toBe(0x8877_6655);
    expect(t.x('a1')).toBe(0x8877_6655_4433_2211n);
    expect(t.x('a2')).toBe(u64(-0x7788_99abn));
    expect(t.x('a3')).toBe(0x5544n);
  });
});

describe('MMIO through the bus', () => {
  const opts = { device: true };
  test('every size reads back what was stored, with sign or zero extension', () => {
    const t = exec(`
      li a0, ${DEV + BigInt(DEV_SCRATCH)}
      li t0, 0x8081828384858687
      sd t0, 0(a0)
      ld a1, 0(a0)
      lw a2, 4(a0)
      lwu a3, 4(a0)
      lh a4, 6(a0)
      lhu a5, 6(a0)
      lb a6, 7(a0)
      lbu a7, 7(a0)
    `, {}, opts);
    expect(t.x('a1')).toBe(0x8081_8283_8485_8687n);
    expect(t.x('a2')).toBe(0xffff_ffff_8081_8283n);
    expect(t.x('a3')).toBe(0x8081_8283n);
    expect(t.x('a4')).toBe(0xffff_ffff_ffff_8081n);
    expect(t.x('a5')).toBe(0x8081n);
    expect(t.x('a6')).toBe(0xffff_ffff_ffff_ff80n);
    expect(t.x('a7')).toBe(0x80n);
  });

  test('the device sees each access with its size and offset, in program order', () => {
    const t = exec(`
      li a0, ${DEV}
      li t0, 0x5a
      sb t0, 3(a0)
      lhu a1, 2(a0)
      sw t0, 0(a0)
    `, {}, opts);
    expect(t.dev!.log).toEqual([
      { offset: 3, size: 1, write: true, value: 0x5an },
      { offset: 2, size: 2, write: false, value: 0x5a00n },
      { offset: 0, size: 4, write: true, value: 0x5an },
    ]);
  });

  test.each([
    ['lh a1, 0(a0)', 5n],
    ['lb a1, 0(a0)', 5n],
    ['ld a1, 0(a0)', 5n],
    ['sh a1, 0(a0)', 7n],
    ['sb a1, 0(a0)', 7n],
  ])('%s on a word-only register is an access fault with tval = the address', (text, cause) => {
    const t = new TestHart({ device: true });
    t.loadAsm(`li a0, ${DEV + BigInt(DEV_WORD_ONLY)}\nhere:\n ${text}\ndone:\n j done\n .align 2\ntrap:\n j trap`, RAM);
    t.hart.mtvec = t.sym('trap');
    expect(t.runTo(['done', 'trap'])).toBe('trap');
    expect(t.hart.mcause).toBe(cause);
    expect(t.hart.mtval).toBe(DEV + BigInt(DEV_WORD_ONLY));
    expect(t.hart.mepc).toBe(t.sym('here'));
    expect(t.dev!.log).toEqual([]);
  });

  test.each([
    ['lw a1, 0(a0)', 5n, 0n],
    ['sw a1, 0(a0)', 7n, 0n],
    ['ld a1, 8(a0)', 5n, 0x0c00_0008n],
    ['sd a1, -8(a0)', 7n, 0x0bff_fff8n],
    ['lw zero, 0(a0)', 5n, 0n],
  ])('%s where nothing is mapped is an access fault', (text, cause, addr) => {
    const base = addr === 0n ? 0n : 0x0c00_0000n;
    const r = trapBody(`here:\n ${text}`, { a0: base });
    expect(r.cause).toBe(cause);
    expect(r.tval).toBe(addr);
    expect(r.epc).toBe(r.t.sym('here'));
  });
});

describe('stores into code', () => {
  test('a store replacing the very next instruction is executed in its new form', () => {
    const t = exec(`
      la t0, patched
      li t1, 0x00200593   # addi a1, zero, 2
      sw t1, 0(t0)
patched:
      addi a1, zero, 1
    `);
    expect(t.x('a1')).toBe(2n);
  });

  test('a loop body rewritten between iterations runs the new code (fence.i)', () => {
    const t = exec(`
      li a2, 0
      li s0, 3
loop:
      la t0, op
op:
      addi a2, a2, 1
      lw t1, 0(t0)
      li t2, 0x00100000   # +1 in the immediate field
      add t1, t1, t2
      sw t1, 0(t0)
      fence.i
      addi s0, s0, -1
      bnez s0, loop
    `);
    expect(t.x('a2')).toBe(1n + 2n + 3n);
  });

  test('a misaligned store spanning two instructions changes both', () => {
    // halves: first = 0x0010_0593 (addi a1, zero, 1), second = 0x0010_0613 (addi a2, zero, 1);
    // a word at first+2 replaces first's upper half (imm 1 -> 5) and second's lower half (rd a2 -> a3)
    const t = exec(`
      li a2, 0
      li a3, 0
      la t0, first
      li t1, 0x06930050
      sw t1, 2(t0)
first:
      addi a1, zero, 1
      addi a2, zero, 1
    `);
    expect([t.x('a1'), t.x('a2'), t.x('a3')]).toEqual([5n, 0n, 1n]);
  });
});
