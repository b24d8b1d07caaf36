// Sv39 translation (privileged spec 4.3-4.4): leaf permissions R/W/X/U with SUM and MXR,
// reserved encodings, A/D updates done by the hart (as QEMU does), reserved PTE bits
// 63:54, superpages and misaligned superpages, canonical addresses, MPRV, faults on
// fetch/load/store with their tval (including accesses and instructions that cross into a
// bad page), PTEs that are not in memory, and that SFENCE.VMA and changes of satp, SUM,
// MXR and privilege take effect on the very next access (no stale TLB entries).
import { describe, expect, test } from 'vitest';
import { MS, PRIV_M, PRIV_S, PRIV_U } from '../../src/cpu/csr-defs.ts';
import type { Hart } from '../../src/cpu/hart.ts';
import { PageTables, PTE, RAM, TestHart } from './harness.ts';

const { V, R, W, X, U, A, D } = PTE;
const RWX = R | W | X;
/** Page tables are allocated from here. */
const POOL = RAM + 0x10_0000n;
/** Physical pages tests map. */
const DATA_PA = RAM + 0x20_0000n;
/** The virtual page most tests access. */
const VA = 0x1000_0000n;
/** U-mode runs the program through this alias of RAM (a U page S-mode could not execute). */
const U_ALIAS = 0x4000_0000n;
/** Encoding of `jalr zero, 0(ra)`, placed in pages that are fetched from. */
const RET = 0x0000_8067;

const OK = 'ok';

interface Vm {
  t: TestHart;
  pt: PageTables;
  h: Hart;
}

/**
 * A hart with Sv39 on: RAM identity-mapped by a gigapage (unless `identity` is false), and
 * aliased at U_ALIAS for U-mode.
 */
function vm(body: string, identity = true): Vm {
  const t = TestHart.asm(`
    j start
    .align 2
mtrap:
    j mtrap
    .align 2
strap:
    j strap
start:
${body}
    ecall
done:
    j done
`);
  const pt = new PageTables(t, POOL);
  if (identity) pt.map(RAM, RAM, 2, RWX | A | D | V);
  pt.map(U_ALIAS, RAM, 2, RWX | U | A | D | V);
  const h = t.hart;
  h.mtvec = t.sym('mtrap');
  h.stvec = t.sym('strap');
  h.satp = pt.satp();
  h.flushTlb();
  return { t, pt, h };
}

/** Runs from `start` in `priv` until the M-mode handler; ECALL (cause 8/9) means the body completed. */
function go(v: Vm, priv: number, setup?: (h: Hart) => void): string | bigint {
  const { t, h } = v;
  setup?.(h);
  h.flushTlb();
  h.priv = priv;
  h.setPc(priv === PRIV_U ? t.sym('start') - RAM + U_ALIAS : t.sym('start'));
  t.runTo('mtrap');
  return h.mcause === 8n || h.mcause === 9n ? OK : h.mcause;
}

const INSN: Record<string, string> = {
  load: 'ld a0, 0(a1)',
  store: 'sd a0, 0(a1)',
  fetch: 'jalr ra, 0(a1)',
};

function attempt(kind: string, flags: bigint, priv: number, status = 0, va = VA): { out: string | bigint; v: Vm } {
  const v = vm(`li a1, ${va}\nhere:\n ${INSN[kind]}`);
  v.pt.map(va, DATA_PA, 0, flags);
  v.t.write32(DATA_PA, RET);
  const out = go(v, priv, (h) => void (h.mstatus |= status));
  if (out !== OK) {
    // a page fault reports the virtual address; for a fetch it is also the epc
    expect(v.h.mtval).toBe(va);
    expect(v.h.mepc).toBe(kind === 'fetch' ? va : v.t.sym('here') - (priv === PRIV_U ? RAM - U_ALIAS : 0n));
  }
  return { out, v };
}

describe('leaf permissions', () => {
  const S = PRIV_S;
  const Um = PRIV_U;
  const cases: Array<[string, bigint, number, number, string | bigint, string | bigint, string | bigint]> = [
    // name, flags, priv, status, load, store, fetch
    ['R', R, S, 0, OK, 15n, 12n],
    ['RW', R | W, S, 0, OK, OK, 12n],
    ['X', X, S, 0, 13n, 15n, OK],
    ['RX', R | X, S, 0, OK, 15n, OK],
    ['RWX', RWX, S, 0, OK, OK, OK],
    ['X with MXR', X, S, MS.MXR, OK, 15n, OK],
    ['W alone (reserved)', W, S, 0, 13n, 15n, 12n],
    ['WX (reserved)', W | X, S, 0, 13n, 15n, 12n],
    ['not valid', RWX & 0n, S, 0, 13n, 15n, 12n],
    ['U page from S, SUM = 0', U | RWX, S, 0, 13n, 15n, 12n],
    ['U page from S, SUM = 1 (never executable)', U | RWX, S, MS.SUM, OK, OK, 12n],
    ['U|X from S with SUM and MXR', U | X, S, MS.SUM | MS.MXR, OK, 15n, 12n],
    ['U|RW from U', U | R | W, Um, 0, OK, OK, 12n],
    ['U|X from U', U | X, Um, 0, 13n, 15n, OK],
    ['U|X from U with MXR', U | X, Um, MS.MXR, OK, 15n, OK],
    ['RWX without U from U', RWX, Um, 0, 13n, 15n, 12n],
    ['RWX without U from U, SUM does not apply', RWX, Um, MS.SUM, 13n, 15n, 12n],
  ];
  for (const [kind, col] of [['load', 4], ['store', 5], ['fetch', 6]] as const) {
    test.each(cases.map((c) => [c[0], c[1], c[2], c[3], c[col]] as const))(`${kind}: %s -> %s`, (_, flags, priv, status, want) => {
      const valid = flags === 0n ? 0n : V;
      expect(attempt(kind, flags | valid | A | D, priv, status).out).toBe(want);
    });
  }
});

describe('A and D bits are set by the hart', () => {
  test.each([
    ['a load sets A only', 'load', R | W, R | W | A],
    ['a fetch sets A only', 'fetch', X, X | A],
    ['a store sets A and D', 'store', R | W, R | W | A | D],
    ['a store to an accessed page sets D', 'store', R | W | A, R | W | A | D],
    ['a faulting store changes nothing', 'store', R, R],
    ['a faulting load changes nothing', 'load', X, X],
  ])('%s', (_, kind, flags, after) => {
    const { v } = attempt(kind, flags | V, PRIV_S);
    expect(v.t.read64(v.pt.pteAddr(VA, 0))).toBe(((DATA_PA >> 12n) << 10n) | after | V);
  });

  test('a load then a store to the same page: the store still sets D', () => {
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)\n ld a0, 8(a1)\n sd a0, 16(a1)`);
    const pte = v.pt.map(VA, DATA_PA, 0, R | W | V);
    expect(go(v, PRIV_S)).toBe(OK);
    expect(v.t.read64(pte) & (A | D)).toBe(A | D);
  });
});

describe('reserved and malformed PTEs', () => {
  test.each([
    ['bit 54', 1n << 54n],
    ['bit 60', 1n << 60n],
    ['PBMT (bits 62:61) without Svpbmt', 1n << 61n],
    ['N (bit 63) without Svnapot', 1n << 63n],
  ])('a leaf with reserved %s set faults', (_, bits) => {
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)`);
    v.pt.setPte(VA, 0, ((DATA_PA >> 12n) << 10n) | bits | R | W | A | D | V);
    expect(go(v, PRIV_S)).toBe(13n);
    expect(v.h.mtval).toBe(VA);
  });

  test('a pointer PTE with a reserved bit set faults', () => {
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, R | W | A | D | V);
    const l1 = v.pt.pteAddr(VA, 1);
    v.t.write64(l1, v.t.read64(l1) | (1n << 55n));
    expect(go(v, PRIV_S)).toBe(13n);
  });

  test('a pointer PTE at level 0 (no leaf found) faults', () => {
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)`);
    v.pt.setPte(VA, 0, ((DATA_PA >> 12n) << 10n) | V);
    expect(go(v, PRIV_S)).toBe(13n);
  });

  test.each([
    ['load', 'ld a0, 0(a1)', 5n],
    ['store', 'sd a0, 0(a1)', 7n],
  ])('a %s whose next-level table is outside memory: access fault, not page fault (spec 4.3.2 step 2)', (_, text, cause) => {
    // QEMU 7.2 reports a page fault here; the spec asks for an access fault
    const v = vm(`li a1, ${VA}\n ${text}`);
    v.pt.setPte(VA, 2, ((0x1000n >> 12n) << 10n) | V);
    expect(go(v, PRIV_S)).toBe(cause);
    expect(v.h.mtval).toBe(VA);
  });
});

describe('superpages', () => {
  test('a 2 MiB megapage maps the offset within it', () => {
    const v = vm(`li a1, ${VA + 0x1_2348n}\n ld a0, 0(a1)`);
    v.pt.map(VA, DATA_PA, 1, R | A | D | V);
    v.t.write64(DATA_PA + 0x1_2348n, 0x1122_3344_5566_7788n);
    expect(go(v, PRIV_S)).toBe(OK);
    expect(v.t.x('a0')).toBe(0x1122_3344_5566_7788n);
  });

  test('a 1 GiB gigapage maps the offset within it', () => {
    const va = 0xc000_0000n;
    const v = vm(`li a1, ${va + 0x20_0010n}\n ld a0, 0(a1)`);
    v.pt.map(va, RAM, 2, R | A | D | V);
    v.t.write64(RAM + 0x20_0010n, 0x55n);
    expect(go(v, PRIV_S)).toBe(OK);
    expect(v.t.x('a0')).toBe(0x55n);
  });

  test.each([
    ['megapage with PPN[0] != 0', 1, DATA_PA + 0x1000n],
    ['gigapage with PPN[0] != 0', 2, RAM + 0x1000n],
    ['gigapage with PPN[1] != 0', 2, RAM + 0x20_0000n],
  ])('a misaligned %s faults', (_, level, pa) => {
    const va = level === 2 ? 0xc000_0000n : VA;
    const v = vm(`li a1, ${va}\n ld a0, 0(a1)`);
    v.pt.map(va, pa, level, R | A | D | V);
    expect(go(v, PRIV_S)).toBe(13n);
    expect(v.h.mtval).toBe(va);
  });
});

describe('canonical addresses', () => {
  test.each([
    ['bit 38 set, bits 63:39 clear', 0x40_0000_0000n],
    ['bit 63 only', 0x8000_0000_1000_0000n],
    ['bits 63:39 set, bit 38 clear', 0xffff_ff80_1000_0000n],
  ])('%s: page fault with the full address in tval', (_, va) => {
    for (const [kind, cause] of [['load', 13n], ['store', 15n], ['fetch', 12n]] as const) {
      const { out } = attempt(kind, RWX | A | D | V, PRIV_S, 0, va);
      expect(out, kind).toBe(cause);
    }
  });

  test('the top half of the address space (bits 63:38 all set) translates', () => {
    const va = 0xffff_ffc0_0000_3000n;
    const { out, v } = attempt('load', R | A | D | V, PRIV_S, 0, va);
    expect(out).toBe(OK);
    expect(v.pt.pteAddr(va, 2)).toBe(POOL + 0x100n * 8n);
  });
});

describe('faults of accesses and instructions crossing into a bad page', () => {
  test('a load crossing into an unmapped page: tval = the start of that page', () => {
    const v = vm(`li a1, ${VA + 0xffcn}\nhere:\n ld a0, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, R | W | A | D | V);
    expect(go(v, PRIV_S)).toBe(13n);
    expect(v.h.mtval).toBe(VA + 0x1000n);
    expect(v.h.mepc).toBe(v.t.sym('here'));
  });

  test('a store crossing into a read-only page: tval = the start of that page, nothing written', () => {
    const v = vm(`li a1, ${VA + 0xffcn}\n li a0, -1\nhere:\n sd a0, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, R | W | A | D | V);
    v.pt.map(VA + 0x1000n, DATA_PA + 0x1000n, 0, R | A | D | V);
    expect(go(v, PRIV_S)).toBe(15n);
    expect(v.h.mtval).toBe(VA + 0x1000n);
    expect(v.t.read64(DATA_PA + 0xff8n)).toBe(0n);
    expect(v.t.read64(DATA_PA + 0x1000n)).toBe(0n);
  });

  test('a store crossing from an unmapped page: tval = its own address', () => {
    const v = vm(`li a1, ${VA - 4n}\n sd a0, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, R | W | A | D | V);
    expect(go(v, PRIV_S)).toBe(15n);
    expect(v.h.mtval).toBe(VA - 4n);
  });

  test('a store crossing two writable pages writes both halves and sets D on both', () => {
    const v = vm(`li a1, ${VA + 0xffdn}\n li a0, 0x0807060504030201\n sd a0, 0(a1)`);
    const p0 = v.pt.map(VA, DATA_PA, 0, R | W | V);
    const p1 = v.pt.map(VA + 0x1000n, DATA_PA + 0x3000n, 0, R | W | V);
    expect(go(v, PRIV_S)).toBe(OK);
    expect([v.t.read8(DATA_PA + 0xffdn), v.t.read8(DATA_PA + 0xfffn), v.t.read8(DATA_PA + 0x3000n), v.t.read8(DATA_PA + 0x3004n)]).toEqual([1, 3, 4, 8]);
    expect([v.t.read64(p0) & (A | D), v.t.read64(p1) & (A | D)]).toEqual([A | D, A | D]);
  });

  test('fetching an unmapped page: tval = epc = the target', () => {
    const v = vm(`li a1, ${VA}\n jalr ra, 0(a1)`);
    expect(go(v, PRIV_S)).toBe(12n);
    expect(v.h.mtval).toBe(VA);
    expect(v.h.mepc).toBe(VA);
  });

  test('a 32-bit instruction straddling into an unmapped page: tval = that page, epc = the instruction', () => {
    const v = vm(`li a1, ${VA + 0xffen}\n jalr ra, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, X | A | D | V);
    v.t.write32(DATA_PA + 0xffcn, 0x0513_0001); // c.nop, then the low half of `addi a0, zero, 0`
    expect(go(v, PRIV_S)).toBe(12n);
    expect(v.h.mtval).toBe(VA + 0x1000n);
    expect(v.h.mepc).toBe(VA + 0xffen);
  });
});

describe('MPRV: M-mode loads and stores with the privilege in MPP', () => {
  const mprv = (mpp: number, more = 0) => (h: Hart) => void (h.mstatus = (h.mstatus & ~MS.MPP) | MS.MPRV | (mpp << 11) | more);

  test('MPP = S: data accesses are translated, instruction fetches are not', () => {
    // no mapping covers the code: M-mode fetches ignore satp even with MPRV
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)\n sd a0, 8(a1)`, false);
    v.pt.map(VA, DATA_PA, 0, R | W | A | D | V);
    v.t.write64(DATA_PA, 0x77n);
    expect(go(v, PRIV_M, mprv(PRIV_S))).toBe(11n); // the closing ecall, from M-mode
    expect(v.t.x('a0')).toBe(0x77n);
    expect(v.t.read64(DATA_PA + 8n)).toBe(0x77n);
  });

  test('MPP = S: an unmapped address is a page fault taken in M-mode', () => {
    const v = vm(`li a1, ${VA}\nhere:\n ld a0, 0(a1)`);
    expect(go(v, PRIV_M, mprv(PRIV_S))).toBe(13n);
    expect(v.h.mepc).toBe(v.t.sym('here'));
    expect(v.h.mtval).toBe(VA);
  });

  test.each([
    ['MPP = U may use a U page', PRIV_U, U | R | W, 0, 11n],
    ['MPP = U may not use a supervisor page', PRIV_U, R | W, 0, 13n],
    ['MPP = S may not use a U page without SUM', PRIV_S, U | R | W, 0, 13n],
    ['MPP = S may use a U page with SUM', PRIV_S, U | R | W, MS.SUM, 11n],
    ['MPP = S with MXR may read an execute-only page', PRIV_S, X, MS.MXR, 11n],
  ])('%s', (_, mpp, flags, more, want) => {
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, flags | A | D | V);
    expect(go(v, PRIV_M, mprv(mpp, more))).toBe(want);
  });

  test('MPP = M: no translation', () => {
    const v = vm(`li a1, ${DATA_PA}\n ld a0, 0(a1)`);
    v.t.write64(DATA_PA, 0x99n);
    expect(go(v, PRIV_M, mprv(PRIV_M))).toBe(11n);
    expect(v.t.x('a0')).toBe(0x99n);
  });

  test('clearing MPRV takes effect on the next access', () => {
    const v = vm(`li a1, ${DATA_PA}\n li t0, 0x20000\n csrc mstatus, t0\n ld a0, 0(a1)`);
    v.t.write64(DATA_PA, 0x99n);
    expect(go(v, PRIV_M, mprv(PRIV_S))).toBe(11n);
    expect(v.t.x('a0')).toBe(0x99n);
  });

  test('setting MPRV takes effect on the next access (no stale translation)', () => {
    // one address, two meanings: physically it holds 1, translated it reaches a page holding 2
    const addr = RAM + 0x30_0000n;
    const v = vm(`li a1, ${addr}\n ld a0, 0(a1)\n li t0, 0x20000\n csrs mstatus, t0\n ld a2, 0(a1)\n csrc mstatus, t0\n ld a3, 0(a1)`, false);
    v.pt.map(addr, DATA_PA, 0, R | A | D | V);
    v.t.write64(addr, 1n).write64(DATA_PA, 2n);
    expect(go(v, PRIV_M, (h) => void (h.mstatus |= 1 << 11))).toBe(11n);
    expect([v.t.x('a0'), v.t.x('a2'), v.t.x('a3')]).toEqual([1n, 2n, 1n]);
  });
});

describe('translation changes take effect at once', () => {
  test('SFENCE.VMA after changing a PTE: the new mapping is used', () => {
    const v = vm(`
      li a1, ${VA}
      ld a0, 0(a1)
      li t0, ${v2pte(DATA_PA + 0x1000n, R | W | A | D | V)}
      sd t0, 0(a2)
      sfence.vma
      ld a3, 0(a1)
`);
    const pte = v.pt.map(VA, DATA_PA, 0, R | W | A | D | V);
    v.t.setX('a2', pte);
    v.t.write64(DATA_PA, 1n).write64(DATA_PA + 0x1000n, 2n);
    expect(go(v, PRIV_S)).toBe(OK);
    expect([v.t.x('a0'), v.t.x('a3')]).toEqual([1n, 2n]);
  });

  test('SFENCE.VMA with an address operand', () => {
    const v = vm(`
      li a1, ${VA}
      ld a0, 0(a1)
      li t0, 0
      sd t0, 0(a2)
      sfence.vma a1, zero
here:
      ld a3, 0(a1)
`);
    const pte = v.pt.map(VA, DATA_PA, 0, R | W | A | D | V);
    v.t.setX('a2', pte);
    expect(go(v, PRIV_S)).toBe(13n);
    expect(v.h.mepc).toBe(v.t.sym('here'));
  });

  test('writing satp switches to the new tables for the next access', () => {
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)\n csrw satp, a4\n ld a3, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, R | A | D | V);
    const pt2 = new PageTables(v.t, POOL + 0x8_0000n);
    pt2.map(RAM, RAM, 2, RWX | A | D | V);
    pt2.map(VA, DATA_PA + 0x1000n, 0, R | A | D | V);
    v.t.setX('a4', pt2.satp());
    v.t.write64(DATA_PA, 1n).write64(DATA_PA + 0x1000n, 2n);
    expect(go(v, PRIV_S)).toBe(OK);
    expect([v.t.x('a0'), v.t.x('a3')]).toEqual([1n, 2n]);
  });

  test('clearing SUM makes the next access to a U page fault', () => {
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)\n li t0, 0x40000\n csrc sstatus, t0\nhere:\n ld a0, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, U | R | W | A | D | V);
    expect(go(v, PRIV_S, (h) => void (h.mstatus |= MS.SUM))).toBe(13n);
    expect(v.h.mepc).toBe(v.t.sym('here'));
  });

  test('clearing MXR makes the next load from an execute-only page fault', () => {
    const v = vm(`li a1, ${VA}\n ld a0, 0(a1)\n li t0, 0x80000\n csrc sstatus, t0\nhere:\n ld a0, 0(a1)`);
    v.pt.map(VA, DATA_PA, 0, X | A | D | V);
    expect(go(v, PRIV_S, (h) => void (h.mstatus |= MS.MXR))).toBe(13n);
    expect(v.h.mepc).toBe(v.t.sym('here'));
  });

  test('after SRET to U-mode a supervisor page used a moment ago faults', () => {
    const v = vm(`
      li a1, ${VA}
      sd a0, 0(a1)
      la t0, user
      li t1, ${RAM - U_ALIAS}
      sub t0, t0, t1
      csrw sepc, t0
      sret
user:
here:
      sd a0, 0(a1)
`);
    v.pt.map(VA, DATA_PA, 0, R | W | A | D | V);
    expect(go(v, PRIV_S)).toBe(15n);
    expect(v.h.mepc).toBe(v.t.sym('here') - RAM + U_ALIAS);
  });

  test('satp is ignored in M-mode', () => {
    const v = vm(`li a1, ${DATA_PA}\n ld a0, 0(a1)`);
    v.t.write64(DATA_PA, 0x42n);
    expect(go(v, PRIV_M)).toBe(11n);
    expect(v.t.x('a0')).toBe(0x42n);
  });
});

function v2pte(pa: bigint, flags: bigint): bigint {
  return ((pa >> 12n) << 10n) | flags;
}
