// Synchronous exceptions and trap returns (privileged spec 3.1.6-3.1.7, 3.1.15-3.1.16,
// 3.3.1-3.3.2, 4.1.1): cause, epc and tval for every exception the hart can raise outside
// address translation (page faults are in sv39.test.ts), the mstatus stack on entry,
// delegation to S-mode through medeleg, MRET/SRET state transitions, TSR, and ECALL's
// cause in each mode.
import { describe, expect, test } from 'vitest';
import { MS, PRIV_M, PRIV_S, PRIV_U } from '../../src/cpu/csr-defs.ts';
import type { Hart } from '../../src/cpu/hart.ts';
import { RAM, RAM_BYTES, TestHart } from './harness.ts';

interface Run {
  t: TestHart;
  h: Hart;
  /** Which marker stopped the run: mtrap, strap or done. */
  at: string;
}

/** Runs `text` from `start` in `priv`, with M and S handlers that stop the run. */
function run(text: string, opts: { priv?: number; setup?: (h: Hart) => void; compress?: boolean } = {}): Run {
  const t = TestHart.asm(
    `
    j start
    .align 2
mtrap:
    j mtrap
    .align 2
strap:
    j strap
start:
${text}
done:
    j done
`,
    { compress: opts.compress },
  );
  const h = t.hart;
  h.mtvec = t.sym('mtrap');
  h.stvec = t.sym('strap');
  h.mstatus |= MS.FS;
  opts.setup?.(h);
  h.setPc(t.sym('start'));
  h.priv = opts.priv ?? PRIV_M;
  const at = t.runTo(['mtrap', 'strap', 'done']);
  return { t, h, at };
}

const U = PRIV_U;
const S = PRIV_S;
const M = PRIV_M;

describe('exception causes, epc and tval', () => {
  test.each([
    ['ecall in U-mode', 'ecall', U, 8n],
    ['ecall in S-mode', 'ecall', S, 9n],
    ['ecall in M-mode', 'ecall', M, 11n],
  ])('%s: cause %i, tval 0', (_, text, priv, cause) => {
    const r = run(`here:\n ${text}`, { priv, setup: (h) => void (h.mtval = 0x55n) });
    expect(r.at).toBe('mtrap');
    expect(r.h.mcause).toBe(cause);
    expect(r.h.mepc).toBe(r.t.sym('here'));
    expect(r.h.mtval).toBe(0n);
  });

  test.each([
    ['ebreak', '.word 0x00100073', 4n],
    ['c.ebreak', '.half 0x9002', 2n],
  ])('%s: breakpoint, epc = its address, tval 0 (QEMU 7.2; the spec allows 0 or the pc)', (_, text) => {
    const r = run(`here:\n ${text}`, { setup: (h) => void (h.mtval = 0x55n) });
    expect(r.h.mcause).toBe(3n);
    expect(r.h.mepc).toBe(r.t.sym('here'));
    expect(r.h.mtval).toBe(0n);
  });

  test.each([
    ['a reserved 32-bit opcode (custom-0)', '.word 0x0000000b', 0x0000000bn, M],
    ['all-zero 16 bits (the defined illegal instruction)', '.half 0x0000', 0n, M],
    ['a reserved compressed encoding (c.jr x0)', '.half 0x8002', 0x8002n, M],
    ['c.lwsp with rd = x0', '.half 0x4002', 0x4002n, M],
    ['unimp (csrrw x0, cycle, x0)', 'unimp', 0xc0001073n, M],
    ['an all-ones 32-bit word', '.word 0xffffffff', 0xffff_ffffn, M],
    ['MRET in S-mode', 'mret', 0x30200073n, S],
    ['MRET in U-mode', 'mret', 0x30200073n, U],
    ['SRET in U-mode', 'sret', 0x10200073n, U],
    ['WFI in U-mode', 'wfi', 0x10500073n, U],
    ['SFENCE.VMA in U-mode', 'sfence.vma', 0x12000073n, U],
    ['a CSR above the current privilege', 'csrr a0, mstatus', 0x30002573n, S],
  ])('illegal instruction: %s; tval = its bits', (_, text, bits, priv) => {
    const r = run(`here:\n ${text}`, { priv });
    expect(r.at).toBe('mtrap');
    expect(r.h.mcause).toBe(2n);
    expect(r.h.mepc).toBe(r.t.sym('here'));
    expect(r.h.mtval).toBe(bits);
  });

  test('a compressed FP load with FS off: tval is the 16-bit encoding', () => {
    const r = run('here:\n .half 0x2108', { setup: (h) => void (h.mstatus &= ~MS.FS) });
    expect(r.h.mcause).toBe(2n);
    expect(r.h.mtval).toBe(0x2108n);
  });

  test('instruction access fault: jumping where nothing is mapped; tval = epc = the target', () => {
    const r = run('li t0, 0x1000\n jalr ra, 0(t0)');
    expect(r.h.mcause).toBe(1n);
    expect(r.h.mepc).toBe(0x1000n);
    expect(r.h.mtval).toBe(0x1000n);
  });

  test('instruction access fault on the second half of an instruction at the end of RAM', () => {
    // the last halfword of RAM holds the first half of a 32-bit instruction
    const end = RAM + BigInt(RAM_BYTES);
    const r = run(`li t0, ${end - 2n}\n li t1, 0x0513\n sh t1, 0(t0)\n jr t0`);
    expect(r.h.mcause).toBe(1n);
    expect(r.h.mepc).toBe(end - 2n);
    expect(r.h.mtval).toBe(end);
  });

  test.each([
    ['load access fault', 'ld a0, 0(t0)', 0x2000n, 5n],
    ['store access fault', 'sd a0, 0(t0)', 0x2000n, 7n],
    ['load address misaligned (LR)', 'lr.d a0, (t0)', RAM + 0x1_0004n, 4n],
    ['store/AMO address misaligned', 'amoadd.w a0, a0, (t0)', RAM + 0x1_0002n, 6n],
  ])('%s: tval = the address', (_, text, addr, cause) => {
    const r = run(`li t0, ${addr}
here:
 ${text}`);
    expect(r.h.mcause).toBe(cause);
    expect(r.h.mtval).toBe(addr);
    expect(r.h.mepc).toBe(r.t.sym('here'));
  });

  test('a trapping instruction does not retire and changes no register', () => {
    const r = run('li a0, 1\n li t0, 0x2000\nhere:\n ld a0, 0(t0)');
    expect(r.h.mepc).toBe(r.t.sym('here'));
    expect(r.t.x('a0')).toBe(1n);
  });
});

describe('trap entry to M-mode', () => {
  test.each([
    ['U-mode with MIE = 0', U, 0, 0],
    ['S-mode', S, 0, 1],
    ['M-mode with MIE = 1', M, MS.MIE, 3],
  ])('from %s: MPIE <- MIE, MIE <- 0, MPP <- the old privilege', (_, priv, mie, mpp) => {
    const r = run('ecall', { priv, setup: (h) => void (h.mstatus = (h.mstatus & ~MS.MPP) | mie | MS.MPIE * (mie ? 0 : 1)) });
    expect(r.h.priv).toBe(M);
    const ms = r.h.mstatus;
    expect((ms & MS.MPIE) !== 0).toBe(mie !== 0);
    expect(ms & MS.MIE).toBe(0);
    expect((ms >>> 11) & 3).toBe(mpp);
  });

  test('exceptions go to the mtvec base even in vectored mode', () => {
    const r = run('ecall', { setup: (h) => void (h.mtvec = h.mtvec | 1n) });
    expect(r.at).toBe('mtrap');
  });

  test('S-mode state is untouched by a trap to M-mode', () => {
    const r = run('ecall', { priv: S, setup: (h) => void ((h.mstatus |= MS.SIE), (h.sepc = 0x1234n), (h.scause = 7n)) });
    expect(r.h.mstatus & MS.SIE).toBe(MS.SIE);
    expect([r.h.sepc, r.h.scause]).toEqual([0x1234n, 7n]);
  });
});

describe('delegation to S-mode (medeleg)', () => {
  const deleg = (bits: number, more?: (h: Hart) => void) => (h: Hart) => {
    h.medeleg = bits;
    more?.(h);
  };

  test.each([
    ['ecall from U', 'ecall', U, 1 << 8, 8n],
    ['ecall from S', 'ecall', S, 1 << 9, 9n],
    ['illegal instruction from U', '.word 0x0000000b', U, 1 << 2, 2n],
    ['breakpoint from S', 'ebreak', S, 1 << 3, 3n],
    ['load access fault from U', 'li t0, 0x2000\n ld a0, 0(t0)', U, 1 << 5, 5n],
  ])('%s goes to stvec with scause/sepc/stval set', (_, text, priv, bits, cause) => {
    const r = run(`${text.includes('\n') ? text.replace(/\n([^\n]*)$/, '\nhere:\n$1') : `here:\n ${text}`}`, {
      priv,
      setup: deleg(bits, (h) => void (h.mcause = 0x77n)),
    });
    expect(r.at).toBe('strap');
    expect(r.h.priv).toBe(S);
    expect(r.h.scause).toBe(cause);
    expect(r.h.sepc).toBe(r.t.sym('here'));
    expect(r.h.stval).toBe(cause === 2n ? 0xbn : cause === 5n ? 0x2000n : 0n);
    expect(r.h.mcause).toBe(0x77n); // M-mode state untouched
  });

  test.each([
    ['U-mode with SIE = 1', U, true],
    ['S-mode with SIE = 0', S, false],
  ])('entry from %s: SPIE <- SIE, SIE <- 0, SPP <- the old privilege', (_, priv, sie) => {
    const r = run('ecall', {
      priv,
      setup: deleg((1 << 8) | (1 << 9), (h) => void (h.mstatus = sie ? h.mstatus | MS.SIE : (h.mstatus & ~MS.SIE) | MS.SPIE | MS.SPP)),
    });
    expect(r.at).toBe('strap');
    const ms = r.h.mstatus;
    expect((ms & MS.SPIE) !== 0).toBe(sie);
    expect(ms & MS.SIE).toBe(0);
    expect((ms & MS.SPP) !== 0).toBe(priv === S);
  });

  test('traps taken in M-mode are never delegated', () => {
    const r = run('ecall', { setup: deleg(0xbfff) });
    expect(r.at).toBe('mtrap');
    expect(r.h.mcause).toBe(11n);
  });

  test('an exception that is not delegated goes to M-mode even from U-mode', () => {
    const r = run('ecall', { priv: U, setup: deleg(1 << 9) });
    expect(r.at).toBe('mtrap');
    expect((r.h.mstatus >>> 11) & 3).toBe(U);
  });

  test('exceptions use the stvec base in vectored mode', () => {
    const r = run('ecall', { priv: U, setup: deleg(1 << 8, (h) => void (h.stvec |= 1n)) });
    expect(r.at).toBe('strap');
  });
});

describe('MRET', () => {
  test.each([
    ['U', U],
    ['S', S],
    ['M', M],
  ])('returns to MPP = %s at mepc, MIE <- MPIE, MPIE <- 1, MPP <- U', (_, mpp) => {
    const r = run(
      `
      la t0, target
      csrw mepc, t0
      mret
      j done
target:
      ecall
`,
      { setup: (h) => void (h.mstatus = (h.mstatus & ~(MS.MPP | MS.MIE)) | (mpp << 11) | MS.MPIE) },
    );
    expect(r.h.mcause).toBe([8n, 9n, 0n, 11n][mpp]);
    // the ecall's trap stacked the state MRET produced: MPP is the privilege MRET entered and
    // MPIE holds the MIE that MRET restored
    expect((r.h.mstatus >>> 11) & 3).toBe(mpp);
    expect(r.h.mstatus & MS.MPIE).toBe(MS.MPIE);
  });

  test('MPRV is cleared when returning below M, kept when returning to M', () => {
    const toS = run('la t0, d\n csrw mepc, t0\n mret\nd:\n j done', { setup: (h) => void (h.mstatus |= MS.MPRV | (1 << 11)) });
    expect(toS.h.priv).toBe(S);
    expect(toS.h.mstatus & MS.MPRV).toBe(0);
    const toM = run('la t0, d\n csrw mepc, t0\n mret\nd:\n j done', { setup: (h) => void (h.mstatus |= MS.MPRV | (3 << 11)) });
    expect(toM.h.priv).toBe(M);
    expect(toM.h.mstatus & MS.MPRV).toBe(MS.MPRV);
  });

  test('after MRET, MPP is U and MPIE is 1', () => {
    const r = run('la t0, d\n csrw mepc, t0\n mret\nd:\n j done', { setup: (h) => void (h.mstatus |= 3 << 11) });
    expect((r.h.mstatus >>> 11) & 3).toBe(U);
    expect(r.h.mstatus & MS.MPIE).toBe(MS.MPIE);
    expect(r.h.mstatus & MS.MIE).toBe(0);
  });
});

describe('SRET', () => {
  test.each([
    ['U', 0, U],
    ['S', MS.SPP, S],
  ])('returns to SPP = %s at sepc, SIE <- SPIE, SPIE <- 1, SPP <- U', (_, spp, want) => {
    const r = run('la t0, d\n csrw sepc, t0\n sret\n j done\nd:\n j done', {
      priv: S,
      setup: (h) => void (h.mstatus = (h.mstatus & ~(MS.SPP | MS.SIE)) | spp | MS.SPIE),
    });
    expect(r.at).toBe('done');
    expect(r.h.priv).toBe(want);
    expect(r.h.mstatus & MS.SIE).toBe(MS.SIE);
    expect(r.h.mstatus & MS.SPIE).toBe(MS.SPIE);
    expect(r.h.mstatus & MS.SPP).toBe(0);
  });

  test('SRET from M-mode is allowed and clears MPRV', () => {
    const r = run('la t0, d\n csrw sepc, t0\n sret\nd:\n j done', { setup: (h) => void (h.mstatus |= MS.MPRV | MS.SPP) });
    expect(r.h.priv).toBe(S);
    expect(r.h.mstatus & MS.MPRV).toBe(0);
  });

  test('TSR makes SRET illegal in S-mode but not in M-mode', () => {
    const TSR = (h: Hart) => void (h.mstatus |= MS.TSR);
    const inS = run('here:\n sret', { priv: S, setup: TSR });
    expect(inS.h.mcause).toBe(2n);
    expect(inS.h.mtval).toBe(0x10200073n);
    const inM = run('la t0, d\n csrw sepc, t0\n sret\nd:\n j done', { setup: TSR });
    expect(inM.at).toBe('done');
  });

  test('TSR does not affect MRET', () => {
    const r = run('la t0, d\n csrw mepc, t0\n mret\nd:\n j done', { setup: (h) => void (h.mstatus |= MS.TSR | (3 << 11)) });
    expect(r.at).toBe('done');
  });
});

test('a trap inside a trap handler overwrites the first trap state', () => {
  const r = run(`
    la t0, second
    csrw mtvec, t0
    ecall
    .align 2
second:
    la t0, mtrap
    csrw mtvec, t0
here:
    .word 0x0000000b
`);
  expect(r.h.mcause).toBe(2n);
  expect(r.h.mepc).toBe(r.t.sym('here'));
});
