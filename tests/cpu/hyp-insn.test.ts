// H-extension instructions and the virtual-instruction exception (privileged spec 1.12
// sections 9.3 and 9.6.1): HLV/HLVX/HSV, HFENCE.VVMA/GVMA, and SRET/WFI/SFENCE.VMA/MRET from
// VS and VU.
import { describe, expect, it } from 'vitest';
import { A, brief, D, DATA, GROOT, HypProgram, R, RWX, runOnHart, U } from './hyp-harness.ts';
import { enableTwoStage, hlvProgram, hx, standardMaps } from './hyp-programs.ts';

const L = HypProgram.log;
const log = (p: HypProgram) => runOnHart(p.build()).log.map(brief);

describe('HLV, HLVX, HSV (spec 9.3.2)', () => {
  it('load and store through VS rules from HS, M and U with HU (also cross-checked with QEMU 7.2)', () => {
    const loads = [
      'VAL 0xffffffffffffff87', 'VAL 0x87', 'VAL 0xffffffffffff8485', 'VAL 0x8485', 'VAL 0xffffffff80818283',
      'VAL 0x80818283', 'VAL 0x8081828384858687',
      'VAL 0x7654', 'VAL 0xfedcba98', // HLVX on a readable and executable page
      'VAL 0x5a5a5a5a5a5a5a5a', 'VAL 0x8070805060708', // HSV.D/W/H/B read back
    ];
    expect(log(hlvProgram())).toEqual([
      ...loads,
      'M c=9 tval=0 t2=0 ti=0 mpp=1',
      ...loads,
      'VAL 0x2222', // U-mode with HU = 1, SPVP = 0: a VU page
      'VAL 0x10001000',
      'M c=8 tval=0 t2=0 ti=0 mpp=0',
      'VAL 0x240010cf', // HSV set A and D in the VS leaf
    ]);
  });

  function faultProgram(): HypProgram {
    const p = new HypProgram();
    standardMaps(p);
    p.vsmap(0x1000_8000n, 0x9000_0000n, 0, RWX | U | A | D); // a VU page
    p.vsmap(0x1000_9000n, 0x9000_2000n, 0, R | A | D); // read-only, not executable
    // VU pages over the G-stage's unmapped, read-only and not-executable GPAs
    p.vsmap(0x1000_a000n, 0x9000_5000n, 0, RWX | U | A | D);
    p.vsmap(0x1000_b000n, 0x9000_1000n, 0, RWX | U | A | D);
    p.vsmap(0x1000_c000n, 0x9000_2000n, 0, RWX | U | A | D);
    p.m(enableTwoStage(p));
    return p;
  }

  const hsTrap = (c: number, tval: string, t2 = '0') => `M c=${c} tval=${tval} t2=${t2} ti=0 gva mpp=1`;

  it('SPVP=1 applies VS-mode rules: vsstatus.SUM, X for HLVX, vsstatus.MXR and mstatus.MXR', () => {
    const p = faultProgram();
    p.m('li t0, 0x100\n csrs hstatus, t0');
    const body = `
      li a0, 0x10008000
      hlv.d t1, (a0)
      li a0, 0x10006000
      hlv.w t1, (a0)
      hlvx.wu t1, (a0)
      ${L('t1')}
      li a0, 0x10009000
      hlvx.hu t1, (a0)
      hsv.w t1, (a0)
    `;
    p.run('HS', body);
    p.m('li t0, 0xc0000\n csrs vsstatus, t0'); // SUM and MXR
    p.run('HS', body);
    p.m('li t0, 0xc0000\n csrc vsstatus, t0\n li t0, 0x80000\n csrs mstatus, t0');
    p.run('HS', 'li a0, 0x10006000\n hlv.w t1, (a0)\n ' + L('t1'));
    expect(log(p)).toEqual([
      hsTrap(13, '0x10008000'), // a U page with SUM = 0
      hsTrap(13, '0x10006000'), // execute-only, MXR = 0
      'VAL 0x13', // HLVX needs X, not R
      hsTrap(13, '0x10009000'), // HLVX on a page without X: a load page fault
      hsTrap(15, '0x10009000'),
      'M c=9 tval=0 t2=0 ti=0 mpp=1',
      // SUM = 1 and vsstatus.MXR = 1: the VS stage lets the reads through, but vsstatus.MXR
      // does not reach the G stage, where the page is execute-only
      hsTrap(21, '0x10006000', '0x24001000'),
      'VAL 0x13',
      hsTrap(13, '0x10009000'),
      hsTrap(15, '0x10009000'),
      'M c=9 tval=0 t2=0 ti=0 mpp=1',
      'VAL 0x13', // HS-level MXR reaches the VS stage too
      'M c=9 tval=0 t2=0 ti=0 mpp=1',
    ]);
  });

  it('SPVP=0 applies VU rules; G-stage faults are guest-page faults with htval, GVA, SPV=0', () => {
    const p = faultProgram();
    p.m('li t0, 0xb0a000\n csrw medeleg, t0'); // page and guest-page faults to HS
    p.run('HS', `
      li a0, 0x10000000
      hlv.d t1, (a0)
      li a0, 0x10008000
      hlv.d t1, (a0)
      ${L('t1')}
      li a0, 0x1000a000
      hlv.d t1, (a0)
      li a0, 0x1000b000
      hsv.d a0, (a0)
      li a0, 0x1000c000
      hlvx.wu t1, (a0)
    `);
    p.m('li t0, 0x100\n csrs hstatus, t0'); // SPVP = 1 stays as it was across HS traps from V=0
    p.run('HS', 'li a0, 0x10005000\n hlv.b t1, (a0)');
    expect(log(p)).toEqual([
      'HS c=13 tval=0x10000000 t2=0 ti=0 gva', // an S page as VU
      'VAL 0x1122334455667788',
      'HS c=21 tval=0x1000a000 t2=0x24001400 ti=0 gva',
      'HS c=23 tval=0x1000b000 t2=0x24000400 ti=0 gva',
      'HS c=21 tval=0x1000c000 t2=0x24000800 ti=0 gva', // HLVX: G page without X, reported as a load
      'M c=9 tval=0 t2=0 ti=0 mpp=1',
      'HS c=21 tval=0x10005000 t2=0x24001400 ti=0 gva spvp',
      'M c=9 tval=0 t2=0 ti=0 mpp=1',
    ]);
  });

  it('is illegal from U without HU (tval = the instruction) and virtual from VS and VU', () => {
    const p = new HypProgram();
    p.run('U', 'hlv.d t1, (a0)\n hsv.b t1, (a0)\n hlvx.hu t1, (a0)');
    p.run('VS', 'hlv.d t1, (a0)\n hsv.b t1, (a0)');
    p.m('li t0, 0x200\n csrs hstatus, t0');
    p.run('VU', 'hlv.d t1, (a0)\n hfence.vvma');
    p.run('U', 'hfence.vvma\n hfence.gvma'); // HU covers loads and stores only
    expect(log(p)).toEqual([
      'M c=2 tval=0x6c054373 t2=0 ti=0 mpp=0',
      'M c=2 tval=0x62654073 t2=0 ti=0 mpp=0',
      'M c=2 tval=0x64354373 t2=0 ti=0 mpp=0',
      'M c=8 tval=0 t2=0 ti=0 mpp=0',
      'M c=22 tval=0x6c054373 t2=0 ti=0 mpv mpp=1',
      'M c=22 tval=0x62654073 t2=0 ti=0 mpv mpp=1',
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'M c=22 tval=0x6c054373 t2=0 ti=0 mpv mpp=0',
      'M c=22 tval=0x22000073 t2=0 ti=0 mpv mpp=0', // QEMU 7.2: illegal instruction
      'M c=8 tval=0 t2=0 ti=0 mpv mpp=0',
      'M c=2 tval=0x22000073 t2=0 ti=0 mpp=0',
      'M c=2 tval=0x62000073 t2=0 ti=0 mpp=0',
      'M c=8 tval=0 t2=0 ti=0 mpp=0',
    ]);
  });
});

describe('HFENCE (spec 9.3.1)', () => {
  /**
   * M-mode with MPRV=1, MPV=1, MPP=S fills the TLB with guest translations and, through the
   * identity maps, can rewrite the page tables without leaving that context.
   */
  function fenceProgram(fence: string, pteVa: bigint, newPte: bigint): HypProgram {
    const p = new HypProgram();
    standardMaps(p);
    p.m(enableTwoStage(p));
    p.m(`
      li t0, 0x8000000000
      csrs mstatus, t0
      li t0, 0x20800
      csrs mstatus, t0
      li a0, 0x10001000
      ld t1, 8(a0)
      ${L('t1')}
      li a1, ${hx(pteVa)}
      li t2, ${hx(newPte)}
      sd t2, 0(a1)
      ld t1, 8(a0)
      ${L('t1')}
      ${fence}
      ld t1, 8(a0)
      ${L('t1')}
      li t0, 0x20000
      csrc mstatus, t0
    `);
    return p;
  }

  it('HFENCE.GVMA drops cached G-stage translations', () => {
    // the tables are laid out the same every time, so a first build tells where the PTE is
    const pte = fenceProgram('hfence.gvma', 0n, 0n).leaf(GROOT, 0x9000_1000n);
    const prog = fenceProgram('hfence.gvma', pte, ((DATA >> 12n) << 10n) | RWX | U | A | D | 1n);
    expect(log(prog)).toEqual(['VAL 0x1111', 'VAL 0x1111', 'VAL 0x3333']);
  });

  it('HFENCE.VVMA drops cached VS-stage translations', () => {
    const probe = fenceProgram('hfence.vvma', 0n, 0n);
    const pte = probe.leaf(probe.vsRootTable, 0x1000_1000n);
    const prog = fenceProgram('hfence.vvma', pte, ((0x9000_0000n >> 12n) << 10n) | RWX | A | D | 1n);
    expect(log(prog)).toEqual(['VAL 0x1111', 'VAL 0x1111', 'VAL 0x3333']);
  });

  it('mstatus.TVM makes HFENCE.GVMA (only) illegal in HS-mode', () => {
    const p = new HypProgram();
    p.m('li t0, 0x100000\n csrs mstatus, t0');
    p.run('HS', 'hfence.vvma\n hfence.gvma');
    p.m('hfence.gvma'); // M-mode is never trapped
    expect(log(p)).toEqual(['M c=2 tval=0x62000073 t2=0 ti=0 mpp=1', 'M c=9 tval=0 t2=0 ti=0 mpp=1']);
  });
});

describe('virtual-instruction exceptions for system instructions (spec 9.6.1)', () => {
  it('VU: SRET, SFENCE.VMA and WFI are virtual; TW=1 makes WFI illegal; MRET is illegal in VS and VU', () => {
    const p = new HypProgram();
    p.run('VU', 'sret\n sfence.vma\n wfi\n mret');
    p.run('VS', 'mret');
    p.m('li t0, 0x200000\n csrs mstatus, t0');
    p.run('VU', 'wfi');
    p.m('li t0, 0x200000\n csrs hstatus, t0'); // VTW as well: TW still wins
    p.run('VS', 'wfi');
    expect(log(p).filter((e) => !/c=(8|10) /.test(e))).toEqual([
      'M c=22 tval=0x10200073 t2=0 ti=0 mpv mpp=0',
      'M c=22 tval=0x12000073 t2=0 ti=0 mpv mpp=0',
      'M c=22 tval=0x10500073 t2=0 ti=0 mpv mpp=0',
      'M c=2 tval=0x30200073 t2=0 ti=0 mpv mpp=0',
      'M c=2 tval=0x30200073 t2=0 ti=0 mpv mpp=1',
      'M c=2 tval=0x10500073 t2=0 ti=0 mpv mpp=0',
      'M c=2 tval=0x10500073 t2=0 ti=0 mpv mpp=1',
    ]);
  });

  it('mstatus.TSR and TVM do not reach VS-mode; hstatus.VTSR and VTVM do', () => {
    const p = new HypProgram();
    p.m('li t0, 0x500000\n csrs mstatus, t0'); // TSR, TVM
    p.run('VS', `csrr t1, satp\n sfence.vma\n la t1, ins_after\n csrw sepc, t1\n li t1, 0x100\n csrs sstatus, t1\n sret\nins_after:\n li t1, 5\n ${L('t1')}`);
    p.m('li t0, 0x500000\n csrc mstatus, t0\n li t0, 0x500000\n csrs hstatus, t0'); // VTSR, VTVM
    p.run('VS', 'csrr t1, satp\n sfence.vma\n sret');
    expect(log(p)).toEqual([
      'VAL 0x5',
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'M c=22 tval=0x18002373 t2=0 ti=0 mpv mpp=1',
      'M c=22 tval=0x12000073 t2=0 ti=0 mpv mpp=1',
      'M c=22 tval=0x10200073 t2=0 ti=0 mpv mpp=1',
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
    ]);
  });

  it('SRET from HS enters VS or VU per hstatus.SPV and SPP, clearing SPV', () => {
    const p = new HypProgram();
    p.run('HS', `
      li t0, 0x80
      csrs hstatus, t0
      li t0, 0x100
      csrs sstatus, t0
      la t1, sret_to
      csrw sepc, t1
      sret
    sret_to:
      csrr t1, hstatus
    `);
    p.m(`csrr t1, hstatus\n ${L('t1')}`);
    expect(log(p)).toEqual([
      'M c=22 tval=0x60002373 t2=0 ti=0 mpv mpp=1', // now in VS: hstatus is out of reach
      'M c=10 tval=0 t2=0 ti=0 mpv mpp=1',
      'VAL 0x200000000',
    ]);
  });
});

