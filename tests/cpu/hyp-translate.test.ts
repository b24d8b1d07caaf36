// Two-stage address translation (privileged spec 1.12 section 9.5): G-stage permissions,
// guest-page faults and their htval/stval/GVA, implicit accesses of the VS-stage walk,
// superpages and A/D bits in both stages, and MPRV with MPV.
import { describe, expect, it } from 'vitest';
import { peekTranslate } from '../../src/cpu/mmu.ts';
import { A, brief, D, DATA, HypProgram, peek, R, RAM, runOnHart, RWX, U, W } from './hyp-harness.ts';
import { enableTwoStage, gstageProgram, hx, mprvProgram, standardMaps, vsTrapProgram } from './hyp-programs.ts';

const L = HypProgram.log;
const log = (p: HypProgram) => runOnHart(p.build()).log.map(brief);

/** The guest-page faults GUEST_ACCESSES raises, as taken into `where`. */
function accessFaults(where: 'M' | 'HS', first: string): string[] {
  const tail = where === 'M' ? ' gva mpv mpp=1' : ' gva spv spvp';
  const f = (c: number, tval: string, t2: string) => `${where} c=${c} tval=${tval} t2=${t2} ti=0${tail}`;
  return [
    `VAL ${first}`, 'VAL 0x1122334499667788', 'VAL 0x1111',
    f(23, '0x10001010', '0x24000404'), // store to a G-stage read-only page; htval = GPA >> 2
    'VAL 0x2222',
    f(21, '0x10003010', '0x24000c04'), f(23, '0x10003024', '0x24000c09'), // G leaf without U
    f(21, '0x10004038', '0x2400100e'), // execute-only, MXR = 0
    f(21, '0x10005002', '0x24001400'), f(23, '0x10005006', '0x24001401'), // GPA not mapped
    f(21, '0x10005000', '0x24001400'), // lr.d
    f(21, '0x10005004', '0x24001401'), f(23, '0x10005008', '0x24001402'), // flw, fsd
    'M c=13 tval=0x10006000 t2=0 ti=0 gva mpv mpp=1', // VS-stage fault: an ordinary page fault, not delegated
    'VAL 0x3333', 'VAL 0x1111', 'VAL 0x1122334499667788', // superpages: VS 2M/G 2M, VS 4K/G 1G, VS 1G/G 1G
  ];
}

describe('G-stage permissions and guest-page faults (also cross-checked with QEMU 7.2)', () => {
  it('reports cause, stval, htval/mtval2 and GVA, into M and delegated to HS, and sets A/D in both stages', () => {
    const fetch = (c: string) => `M ${c} t2=0 ti=0 mpv mpp=1`;
    expect(log(gstageProgram())).toEqual([
      ...accessFaults('M', '0x1122334455667788'),
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'M c=20 tval=0x10002000 t2=0x24000800 ti=0 gva mpv mpp=1', // fetch from a G page without X
      fetch('c=10 tval=0'), // G execute-only: runs (nop; ret)
      fetch('c=10 tval=0'), // VS execute-only over G execute-only: runs
      'M c=20 tval=0x10005000 t2=0x24001400 ti=0 gva mpv mpp=1',
      'M c=20 tval=0x10003000 t2=0x24000c00 ti=0 gva mpv mpp=1',
      ...accessFaults('HS', '0x1122334499667788'), // the sb above already ran
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'HS c=20 tval=0x10002000 t2=0x24000800 ti=0 gva spv spvp',
      'M c=9 tval=0 t2=0 ti=0 mpp=1',
      'VAL 0x200800df', // G leaf: A and D set by the hart
      'VAL 0x240000cf', // VS leaf: A and D set
    ]);
  });

  it('mstatus.MXR makes G-stage execute-only pages readable; vsstatus.MXR does not', () => {
    const p = new HypProgram();
    standardMaps(p);
    p.m(enableTwoStage(p));
    p.run('VS', `li a0, 0x10004000\n li t0, 0x80000\n csrs sstatus, t0\n lw t1, 0(a0)\n ${L('t1')}\n csrc sstatus, t0`);
    p.m('li t0, 0x80000\n csrs mstatus, t0');
    p.run('VS', `li a0, 0x10004000\n lw t1, 0(a0)\n ${L('t1')}\n li a0, 0x10006000\n lw t1, 0(a0)\n ${L('t1')}`);
    expect(log(p)).toEqual([
      'M c=21 tval=0x10004000 t2=0x24001000 ti=0 gva mpv mpp=1',
      'VAL 0xffffffffffffffff', // t1 untouched by the faulting load
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'VAL 0x13', // the nop at the start of the execute-only page
      'VAL 0x13', // VS execute-only too: HS-level MXR covers both stages
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
    ]);
  });

  it('checks the G-stage PTE format: reserved bits, W without R, misaligned superpages', () => {
    const p = new HypProgram();
    p.identityG().identityVs();
    p.gmap(0x9000_0000n, DATA, 0, R | W | U | A | D | (1n << 54n));
    p.gmap(0x9000_1000n, DATA, 0, W | U | A | D);
    p.gmap(0x9020_0000n, DATA + 0x1000n, 1, RWX | U | A | D); // 2M leaf on a 4K-aligned page
    for (const [va, gpa] of [[0x1000_0000n, 0x9000_0000n], [0x1000_1000n, 0x9000_1000n], [0x1000_2000n, 0x9020_0000n]]) p.vsmap(va, gpa, 0);
    p.m(enableTwoStage(p));
    p.run('VS', 'li a0, 0x10000000\n ld t1, 0(a0)\n li a0, 0x10001000\n ld t1, 0(a0)\n li a0, 0x10002000\n ld t1, 0(a0)');
    expect(log(p).filter((e) => e.includes('c=21')).map((e) => e.split(' ')[2])).toEqual([
      'tval=0x10000000', 'tval=0x10001000', 'tval=0x10002000',
    ]);
  });

  it('uses 41-bit guest physical addresses: bit 40 is valid, anything above faults', () => {
    const p = new HypProgram();
    p.identityG().identityVs();
    p.gmap(0x1ff_ffff_f000n, DATA, 0);
    p.vsmap(0x2000_2000n, 0x1ff_ffff_f000n, 0);
    p.vsmap(0x2000_3000n, 0x200_0000_0000n, 0);
    p.poke(DATA, 0xabcdn);
    p.m(enableTwoStage(p));
    p.run('VS', `li a0, 0x20002000\n ld t1, 0(a0)\n ${L('t1')}\n li a0, 0x20003000\n ld t1, 0(a0)`);
    // VS-stage Bare: the GPA is the whole virtual address
    p.m('csrw vsatp, zero');
    p.run('VS', 'li a0, 0x20000000000\n ld t1, 0(a0)\n li a0, -8\n ld t1, 0(a0)');
    expect(log(p)).toEqual([
      'VAL 0xabcd',
      'M c=21 tval=0x20003000 t2=0x8000000000 ti=0 gva mpv mpp=1',
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'M c=21 tval=0x20000000000 t2=0x8000000000 ti=0 gva mpv mpp=1',
      'M c=21 tval=0xfffffffffffffff8 t2=0x3ffffffffffffffe ti=0 gva mpv mpp=1',
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
    ]);
  });

  it('VS-stage: a non-canonical address is a page fault; Bare G-stage passes GPAs through', () => {
    const p = new HypProgram();
    p.vsmap(RAM, RAM, 1);
    p.vsmap(0x1000_0000n, DATA, 0);
    p.poke(DATA, 0x4242n);
    p.m(`csrw hgatp, zero\n li t0, ${hx(p.vsatp())}\n csrw vsatp, t0`);
    p.run('VS', `li a0, 0x10000000\n ld t1, 0(a0)\n ${L('t1')}\n li a0, 0x4000000000\n ld t1, 0(a0)`);
    expect(log(p)).toEqual(['VAL 0x4242', 'M c=13 tval=0x4000000000 t2=0 ti=0 gva mpv mpp=1', 'M c=10 tval=0 t2=0 ti=0 mpv mpp=1']);
  });
});

describe('implicit accesses of the VS-stage walk (spec 9.5.1, 9.6.3)', () => {
  /** VS tables: VA 0x10000000's leaf table in G-read-only memory, VA 0x10203000's not mapped. */
  function implicitProgram(): HypProgram {
    const p = new HypProgram();
    p.identityG().identityVs();
    p.gmap(0x9001_0000n, DATA + 0x10000n, 0, R | U | A);
    p.gmap(0x9000_0000n, DATA, 0, RWX | U | A | D);
    const l1 = p.allocTable();
    p.poke(p.vsRootTable, ((l1 >> 12n) << 10n) | 1n);
    p.poke(l1 + 0x80n * 8n, ((0x9001_0000n >> 12n) << 10n) | 1n);
    p.poke(l1 + 0x81n * 8n, ((0x9002_0000n >> 12n) << 10n) | 1n);
    p.poke(DATA + 0x10000n, ((0x9000_0000n >> 12n) << 10n) | RWX | 1n); // A/D clear
    p.poke(DATA + 0x10008n, ((0x9000_0000n >> 12n) << 10n) | RWX | A | D | 1n);
    p.poke(DATA, 0x77n);
    p.m(enableTwoStage(p));
    return p;
  }

  it('faults for the original access type, htval = the PTE GPA >> 2, htinst = 0x3000', () => {
    const p = implicitProgram();
    p.run('VS', `li a0, 0x10001000\n ld t1, 0(a0)\n ${L('t1')}\n li a0, 0x10203000\n ld t1, 0(a0)\n sd t1, 8(a0)`);
    p.run('VS', 'li a0, 0x10203000\n jalr ra, 0(a0)');
    expect(log(p)).toEqual([
      'VAL 0x77',
      'M c=21 tval=0x10203000 t2=0x24008006 ti=0x3000 gva mpv mpp=1',
      'M c=23 tval=0x10203008 t2=0x24008006 ti=0x3000 gva mpv mpp=1',
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'M c=20 tval=0x10203000 t2=0x24008006 ti=0x3000 gva mpv mpp=1',
    ]);
  });

  it('setting A/D in a VS PTE is an implicit store: G-stage must allow writes (htinst 0x3020)', () => {
    const p = implicitProgram();
    p.run('VS', 'li a0, 0x10000000\n ld t1, 0(a0)\n sd t1, 8(a0)');
    p.m(`li a0, ${hx(DATA + 0x10000n)}\n ld t1, 0(a0)\n ${L('t1')}`);
    p.m('csrw medeleg, zero\n li t0, 0xb00000\n csrw medeleg, t0');
    p.run('VS', 'li a0, 0x10000000\n ld t1, 0(a0)');
    expect(log(p)).toEqual([
      'M c=21 tval=0x10000000 t2=0x24004000 ti=0x3020 gva mpv mpp=1',
      'M c=23 tval=0x10000008 t2=0x24004000 ti=0x3020 gva mpv mpp=1',
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'VAL 0x2400000f', // nothing was written
      'HS c=21 tval=0x10000000 t2=0x24004000 ti=0x3020 gva spv spvp',
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
    ]);
  });
});

describe('VS-stage traps delegated to VS-mode (also cross-checked with QEMU 7.2)', () => {
  it('hedeleg hands VS page and access faults and VU ecalls to VS; guest-page faults stay in HS', () => {
    expect(log(vsTrapProgram())).toEqual([
      'VAL 0xa120', // hedeleg dropped bit 21
      'VS c=13 tval=0x50000000 spp',
      'VS c=15 tval=0x50000008 spp',
      'VS c=5 tval=0x10007008 spp',
      'HS c=21 tval=0x10005000 t2=0x24001400 ti=0 gva spv spvp',
      'M c=23 tval=0x10001000 t2=0x24000400 ti=0 gva mpv mpp=1', // not in medeleg
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'VS c=8 tval=0', // ecall from VU; SPP = 0
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1', // the VS handler's ecall
    ]);
  });

  it('an illegal instruction delegated to VS keeps cause 2 (QEMU 7.2 reports 1)', () => {
    const p = new HypProgram();
    p.m('li t0, 4\n csrw medeleg, t0\n csrw hedeleg, t0');
    p.run('VS', 'csrr t1, mstatus');
    expect(log(p)).toEqual(['VS c=2 tval=0x30002373 spp', 'M c=10 tval=0 t2=0 ti=0 mpv mpp=1']);
  });
});

describe('TLB', () => {
  it('a VS PTE change is seen after SFENCE.VMA in VS, not before (the TLB kept the old page)', () => {
    const p = new HypProgram();
    standardMaps(p);
    p.m(enableTwoStage(p));
    const pte = p.leaf(p.vsRootTable, 0x1000_0000n);
    p.run('VS', `
      li a0, 0x10000000
      ld t1, 8(a0)
      ${L('t1')}
      li a1, ${hx(pte)}
      li t2, ${hx(((0x9000_1000n >> 12n) << 10n) | RWX | A | D | 1n)}
      sd t2, 0(a1)
      ld t1, 8(a0)
      ${L('t1')}
      sfence.vma
      ld t1, 8(a0)
      ${L('t1')}
    `);
    expect(log(p)).toEqual(['VAL 0x3333', 'VAL 0x3333', 'VAL 0x1111', 'M c=10 tval=0 t2=0 ti=0 mpv mpp=1']);
  });
});

describe('peekTranslate (debugger view) at V=1', () => {
  it('walks both stages without setting A/D or trapping', () => {
    const p = new HypProgram();
    standardMaps(p);
    p.m(enableTwoStage(p));
    const run = runOnHart(p.build());
    const h = run.hart;
    h.priv = 1;
    h.virt = true;
    const leaf = p.leaf(p.vsRootTable, 0x1000_0000n);
    const before = peek(run, leaf);
    expect(peekTranslate(h, 0x1000_0008n)).toBe(Number(DATA) + 8);
    expect(peekTranslate(h, 0x10_0020_0010n)).toBe(Number(DATA) + 0x10); // VS 1G over G 1G
    expect(peekTranslate(h, 0x3000_0008n)).toBe(Number(DATA) + 0x1008); // VS 4K over G 1G
    expect(peekTranslate(h, 0x1000_5000n)).toBe(-1); // GPA not mapped
    expect(peek(run, leaf)).toBe(before);
    expect(h.pc).toBe(p.build().done);
  });
});

describe('MPRV with MPV (spec 9.4.1; also cross-checked with QEMU 7.2)', () => {
  it('M-mode data accesses use two-stage translation at privilege MPP', () => {
    expect(log(mprvProgram())).toEqual(['VAL 0x5151', 'VAL 0x77', 'VAL 0x6161']);
  });

  it('faults are guest-page faults with GVA; vsstatus.SUM applies', () => {
    const p = mprvProgram();
    p.gmap(0x9040_0000n, DATA, 0, R | U | A);
    p.vsmap(0x1000_2000n, 0x9040_0000n, 0);
    const mprv = (mpp: number, insn: string) =>
      `li t0, 0x1800\n csrc mstatus, t0\n li t0, ${(mpp << 11) | 0x20000}\n csrs mstatus, t0\n li t0, 0x8000000000\n csrs mstatus, t0\n ${insn}\n li t0, 0x20000\n csrc mstatus, t0`;
    p.m(mprv(1, 'li a0, 0x10002000\n sd a0, 0(a0)'));
    p.m(mprv(1, 'li a0, 0x10001000\n ld a0, 0(a0)'));
    expect(log(p).slice(3)).toEqual([
      // taken from M-mode itself: MPP = M and MPV = 0, but GVA says tval is a guest address
      'M c=23 tval=0x10002000 t2=0x24100000 ti=0 gva mpp=3',
      'M c=13 tval=0x10001000 t2=0 ti=0 gva mpp=3',
    ]);
  });
});
