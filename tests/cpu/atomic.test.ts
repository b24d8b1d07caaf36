// A extension (unprivileged spec ch. 14): every AMO in .w and .d form, sign extension of
// word results, LR/SC with QEMU 7.2's semantics (SC succeeds when the reservation is for
// this address and memory still holds the value LR read — a compare-and-swap, so the hart's
// own stores do not break a reservation unless they change the value), and alignment and
// access faults.
import { describe, expect, test } from 'vitest';
import { exec, hex, runBody, trapBody, u64 } from './harness.ts';

const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;

const s32 = (v: bigint) => BigInt.asIntN(32, v);
const z32 = (v: bigint) => BigInt.asUintN(32, v);
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const z64 = (v: bigint) => BigInt.asUintN(64, v);

/** New memory value for AMO `op` on width `w` (32 or 64) given old memory and rs2. */
function amo(op: string, w: 32 | 64, old: bigint, b: bigint): bigint {
  const s = w === 32 ? s32 : s64;
  const z = w === 32 ? z32 : z64;
  switch (op) {
    case 'swap': return z(b);
    case 'add': return z(old + b);
    case 'xor': return z(old ^ b);
    case 'and': return z(old & b);
    case 'or': return z(old | b);
    case 'min': return z(s(old) < s(b) ? old : b);
    case 'max': return z(s(old) > s(b) ? old : b);
    case 'minu': return z(old) < z(b) ? z(old) : z(b);
    case 'maxu': return z(old) > z(b) ? z(old) : z(b);
  }
  throw new Error(op);
}

const OPS = ['swap', 'add', 'xor', 'and', 'or', 'min', 'max', 'minu', 'maxu'];
const DATA = `
    j done
    .balign 16
mem:
    .dword 0, 0
`;

describe('AMOs', () => {
  const pairsW: Array<[bigint, bigint]> = [
    [5n, 3n],
    [0x8000_0000n, 0x7fff_ffffn],
    [0x7fff_ffffn, 0x8000_0000n],
    [0xffff_ffffn, 1n],
    [1n, 0xffff_ffffn],
    [0x8000_0000n, 0x8000_0000n],
  ];
  const casesW = OPS.flatMap((op) => pairsW.map(([m, b]) => [`amo${op}.w mem=${hex(m)} rs2=${hex(b)}`, op, m, b] as const));
  test.each(casesW)('%s', (_, op, m, b) => {
    // rs2's upper half is garbage that a .w op must ignore; the neighbouring word must not change
    const t = runBody(`la a0, mem\n sw a3, 0(a0)\n sw a4, 4(a0)\n amo${op}.w a2, a1, (a0)\n lwu a5, 0(a0)\n lwu a6, 4(a0)\n${DATA}`, {
      a1: (0xdead_beefn << 32n) | b,
      a3: m,
      a4: 0x1234_5678n,
    });
    expect(t.x('a2')).toBe(u64(s32(m)));
    expect(t.x('a5')).toBe(amo(op, 32, m, b));
    expect(t.x('a6')).toBe(0x1234_5678n);
  });

  const pairsD: Array<[bigint, bigint]> = [
    [5n, 3n],
    [MIN, MAX],
    [MAX, MIN],
    [-1n, 1n],
    [0xffff_ffffn, 1n],
    [0x1_0000_0000n, 0xffff_ffffn],
    [-0x1_0000_0000n, -0xffff_ffffn],
  ];
  const casesD = OPS.flatMap((op) => pairsD.map(([m, b]) => [`amo${op}.d mem=${hex(m)} rs2=${hex(b)}`, op, z64(m), z64(b)] as const));
  test.each(casesD)('%s', (_, op, m, b) => {
    const t = runBody(`la a0, mem\n sd a3, 0(a0)\n amo${op}.d a2, a1, (a0)\n ld a5, 0(a0)\n${DATA}`, { a1: b, a3: m });
    expect(t.x('a2')).toBe(m);
    expect(t.x('a5')).toBe(amo(op, 64, m, b));
  });

  test.each([
    ['amoswap.w.aq', 0n],
    ['amoswap.w.rl', 0n],
    ['amoswap.w.aqrl', 0n],
    ['amoadd.d.aqrl', 0n],
  ])('%s decodes and acts like the plain form', (op) => {
    const t = exec(`la a0, mem\n li a1, 9\n sd a1, 0(a0)\n li a1, 4\n ${op} a2, a1, (a0)\n ld a3, 0(a0)\n${DATA}`);
    expect(t.x('a2')).toBe(9n);
    expect(t.x('a3')).toBe(op.startsWith('amoswap') ? 4n : 13n);
  });

  test('rd = rs2 reads the old value and stores the register before it was overwritten', () => {
    const t = exec(`la a0, mem\n li a1, 11\n sd a1, 0(a0)\n li a1, 22\n amoswap.d a1, a1, (a0)\n ld a2, 0(a0)\n${DATA}`);
    expect([t.x('a1'), t.x('a2')]).toEqual([11n, 22n]);
  });

  test('rd = x0 still performs the memory operation', () => {
    const t = exec(`la a0, mem\n li a1, 5\n sd a1, 0(a0)\n li a1, 3\n amoadd.d zero, a1, (a0)\n ld a2, 0(a0)\n${DATA}`);
    expect(t.x('a2')).toBe(8n);
    expect(t.x('zero')).toBe(0n);
  });
});

describe('LR/SC', () => {
  test.each([
    ['w', 0x8000_0001n, u64(s32(0x8000_0001n))],
    ['d', MIN + 1n, u64(MIN + 1n)],
  ])('lr.%s then sc.%s succeeds, writes, and lr sign-extends', (w, init, loaded) => {
    const t = exec(`
      la a0, mem
      li a1, ${init}
      s${w} a1, 0(a0)
      lr.${w} a2, (a0)
      li a3, 0x42
      sc.${w} a4, a3, (a0)
      ld a5, 0(a0)
      ${DATA}
    `);
    expect(t.x('a2')).toBe(loaded);
    expect(t.x('a4')).toBe(0n);
    expect(t.x('a5')).toBe(w === 'w' ? (z64(init) & ~0xffff_ffffn) | 0x42n : 0x42n);
  });

  const scenario = (lr: string, middle: string) => `
      la a0, mem
      li a1, 7
      sd a1, 0(a0)
      ${lr}
      ${middle}
      li a3, 0x42
      sc.d a4, a3, (a0)
      ld a5, 0(a0)
      ${DATA}
`;
  test.each([
    ['no LR before it', '', '', 1n, 7n],
    ['another SC in between (it consumed the reservation)', 'lr.d a2, (a0)', 'addi t1, a0, 8\n sc.d t0, a3, (t1)', 1n, 7n],
    ['SC to a different address than the LR', 'lr.d a2, (a0)', 'addi a0, a0, 8', 1n, 0n],
    ['a store changed the value in between', 'lr.d a2, (a0)', 'li t0, 8\n sd t0, 0(a0)', 1n, 8n],
    ['a store wrote the same value in between (QEMU compares values)', 'lr.d a2, (a0)', 'sd a1, 0(a0)', 0n, 0x42n],
    ['a store next to the reserved doubleword', 'lr.d a2, (a0)', 'sw a1, 8(a0)', 0n, 0x42n],
    ['a trap was taken in between', 'lr.d a2, (a0)', 'la t0, resume\n csrw mtvec, t0\n ecall\n .align 2\nresume:', 1n, 7n],
  ])('SC: %s', (_, lr, middle, rd, mem) => {
    const t = exec(scenario(lr, middle));
    expect(t.x('a4')).toBe(rd);
    expect(t.x('a5')).toBe(mem);
  });

  test('a store of the same value on a page not yet in the TLB does not break the reservation', () => {
    // the LR/SC slow path never fills the TLB, so the first store to the page takes the
    // store slow path; success must not depend on which path a store takes
    const t = exec(`
      la a0, far
      li a1, 7
      amoswap.d zero, a1, (a0)
      lr.d a2, (a0)
      sd a1, 0(a0)
      li a3, 0x42
      sc.d a4, a3, (a0)
      ld a5, 0(a0)
      j done
      .balign 4096
far:
      .dword 0
    `);
    expect(t.x('a4')).toBe(0n);
    expect(t.x('a5')).toBe(0x42n);
  });

  test('a failed SC does not write memory and still clears the reservation', () => {
    const t = exec(`
      la a0, mem
      li a1, 7
      sd a1, 0(a0)
      lr.d a2, (a0)
      addi t1, a0, 8
      li a3, 0x42
      sc.d a4, a3, (t1)
      sc.d a5, a3, (a0)
      ld a6, 0(a0)
      ld a7, 8(a0)
      ${DATA}
    `);
    expect([t.x('a4'), t.x('a5'), t.x('a6'), t.x('a7')]).toEqual([1n, 1n, 7n, 0n]);
  });
});

describe('alignment and access faults', () => {
  test.each([
    ['amoadd.w a2, a1, (a0)', 2n, 6n],
    ['amoswap.w a2, a1, (a0)', 1n, 6n],
    ['amoadd.d a2, a1, (a0)', 4n, 6n],
    ['amomaxu.d a2, a1, (a0)', 7n, 6n],
    ['lr.w a2, (a0)', 1n, 4n],
    ['lr.d a2, (a0)', 4n, 4n],
    // misaligned SC traps even without a reservation (spec 14.2); QEMU 7.2 fails it silently
    ['sc.w a2, a1, (a0)', 2n, 6n],
    ['sc.d a2, a1, (a0)', 4n, 6n],
  ])('%s at mem+%i: cause %i, tval = the address, memory untouched', (text, off, cause) => {
    const r = trapBody(`la a0, mem\n sd zero, 0(a0)\n sd zero, 8(a0)\n addi a0, a0, ${off}\n li a1, -1\nhere:\n ${text}\n${DATA}`);
    expect(r.cause).toBe(cause);
    expect(r.tval).toBe(r.t.sym('mem') + off);
    expect(r.epc).toBe(r.t.sym('here'));
    expect([r.t.read64(r.t.sym('mem')), r.t.read64(r.t.sym('mem') + 8n)]).toEqual([0n, 0n]);
  });

  test.each([
    ['amoor.w a2, a1, (a0)', 7n],
    ['amoswap.d a2, a1, (a0)', 7n],
    ['lr.d a2, (a0)', 5n],
    ['sc.d a2, a1, (a0)', 7n],
  ])('%s where nothing is mapped: access fault %i', (text, cause) => {
    const r = trapBody(`li a0, 0x1000\nhere:\n ${text}`);
    expect(r.cause).toBe(cause);
    expect(r.tval).toBe(0x1000n);
  });
});
