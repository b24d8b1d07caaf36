// H-extension CSRs (privileged spec 1.12 ch. 9): write masks, aliases, the V=0/V=1 access
// rules, and the program-level view that tests/oracle/hyp-crosscheck.ts compares with QEMU.
import { describe, expect, it } from 'vitest';
import { CSR, PRIV_M, PRIV_S, PRIV_U } from '../../src/cpu/csr-defs.ts';
import { csrRead, csrStatus, csrWrite, CSR_ILLEGAL, CSR_OK } from '../../src/cpu/csr.ts';
import type { Hart } from '../../src/cpu/hart.ts';
import { brief, newHart, runOnHart } from './hyp-harness.ts';
import { csrRuleProgram } from './hyp-programs.ts';

function at(h: Hart, priv: number, virt: boolean): Hart {
  h.priv = priv;
  h.virt = virt;
  return h;
}

function read(h: Hart, csr: number): bigint | 'illegal' | 'virtual' {
  const v = csrRead(h, csr);
  return csrStatus.fault === CSR_OK ? v : csrStatus.fault === CSR_ILLEGAL ? 'illegal' : 'virtual';
}

function write(h: Hart, csr: number, v: bigint): 'ok' | 'illegal' | 'virtual' {
  csrWrite(h, csr, v);
  return csrStatus.fault === CSR_OK ? 'ok' : csrStatus.fault === CSR_ILLEGAL ? 'illegal' : 'virtual';
}

/** Writes all ones and reads back (M-mode). */
function mask(h: Hart, csr: number): bigint {
  expect(write(h, csr, -1n)).toBe('ok');
  return csrRead(h, csr);
}

describe('H CSR write masks (spec 9.2, WARL choices as QEMU 7.2)', () => {
  it.each([
    ['hedeleg', CSR.hedeleg, 0xb1ffn], // no ecalls from S/VS/M, no guest-page faults, no virtual instruction
    ['hideleg', CSR.hideleg, 0x444n],
    ['hie', CSR.hie, 0x1444n],
    ['hip', CSR.hip, 0x4n], // only VSSIP is writable
    ['hvip', CSR.hvip, 0x444n],
    ['hgeie', CSR.hgeie, 0n], // GEILEN = 0
    ['hcounteren', CSR.hcounteren, 0xffffffffn],
    ['htval', CSR.htval, (1n << 64n) - 1n],
    ['htinst', CSR.htinst, 0n], // holds only what traps write
    ['htimedelta', CSR.htimedelta, (1n << 64n) - 1n],
    ['henvcfg', CSR.henvcfg, 0xf1n],
    ['vsscratch', CSR.vsscratch, (1n << 64n) - 1n],
    ['vsepc', CSR.vsepc, (1n << 64n) - 2n],
    ['mtval2', CSR.mtval2, (1n << 64n) - 1n],
    ['mtinst', CSR.mtinst, (1n << 64n) - 1n],
  ])('%s', (_name, csr, want) => {
    expect(mask(newHart().hart, csr)).toBe(want);
  });

  it('hstatus keeps its fields only; VSXL reads 2 and VSBE 0', () => {
    const { hart } = newHart();
    expect(read(hart, CSR.hstatus)).toBe(2n << 32n);
    // GVA SPV SPVP HU VGEIN VTVM VTW VTSR
    expect(mask(hart, CSR.hstatus)).toBe((2n << 32n) | 0x73f3c0n);
  });

  it('vsstatus: SIE SPIE SPP FS SUM MXR; UXL reads 2; SD follows FS', () => {
    const { hart } = newHart();
    expect(read(hart, CSR.vsstatus)).toBe(2n << 32n);
    expect(mask(hart, CSR.vsstatus)).toBe((1n << 63n) | (2n << 32n) | 0xc6122n);
  });

  it('hgatp: Bare or Sv39x4 only, 14-bit VMID, 16 KiB-aligned root', () => {
    const { hart } = newHart();
    expect(mask(hart, CSR.hgatp)).toBe(0n); // mode 15: ignored
    expect(write(hart, CSR.hgatp, (8n << 60n) | (0xffffn << 44n) | 0xfffffffffffn)).toBe('ok');
    expect(read(hart, CSR.hgatp)).toBe((8n << 60n) | (0x3fffn << 44n) | 0xffffffffffcn);
    write(hart, CSR.hgatp, 9n << 60n); // Sv48x4 is not implemented: unchanged
    expect(read(hart, CSR.hgatp)).toBe((8n << 60n) | (0x3fffn << 44n) | 0xffffffffffcn);
    write(hart, CSR.hgatp, 0x0123n); // Bare keeps the other fields, as satp (and QEMU)
    expect(read(hart, CSR.hgatp)).toBe(0x0123n);
  });

  it('vsatp: Bare or Sv39 with a 16-bit ASID', () => {
    const { hart } = newHart();
    write(hart, CSR.vsatp, (8n << 60n) | (0xabcdn << 44n) | 0x12345n);
    expect(read(hart, CSR.vsatp)).toBe((8n << 60n) | (0xabcdn << 44n) | 0x12345n);
    write(hart, CSR.vsatp, (1n << 60n) | 5n);
    expect(read(hart, CSR.vsatp)).toBe((8n << 60n) | (0xabcdn << 44n) | 0x12345n);
  });

  it('vstvec accepts direct and vectored modes only', () => {
    const { hart } = newHart();
    write(hart, CSR.vstvec, 0x8000_0101n);
    expect(read(hart, CSR.vstvec)).toBe(0x8000_0101n);
    write(hart, CSR.vstvec, 0x9000_0002n);
    expect(read(hart, CSR.vstvec)).toBe(0x8000_0101n);
  });

  it('misa.H is set, and mideleg reads its VS bits and SGEI as one from reset', () => {
    const { hart } = newHart();
    expect((read(hart, CSR.misa) as bigint) & (1n << 7n)).toBe(1n << 7n);
    expect(read(hart, CSR.mideleg)).toBe(0x1444n);
    write(hart, CSR.mideleg, 0n);
    expect(read(hart, CSR.mideleg)).toBe(0x1444n);
    const noH = newHart({ hypervisor: false }).hart;
    expect((read(noH, CSR.misa) as bigint) & (1n << 7n)).toBe(0n);
    expect(read(noH, CSR.hstatus)).toBe('illegal');
    expect(read(noH, CSR.mtval2)).toBe('illegal');
  });
});

describe('aliases between hvip, hip, mip, vsip and hie, mie, vsie (spec 9.2.3, 9.2.12)', () => {
  it('hvip bits show in mip and hip; hip.VSSIP and mip.VSSIP write hvip.VSSIP', () => {
    const { hart } = newHart();
    write(hart, CSR.hvip, 0x440n);
    expect(read(hart, CSR.mip)).toBe(0x440n);
    expect(read(hart, CSR.hip)).toBe(0x440n);
    write(hart, CSR.hip, 0x4n);
    expect(read(hart, CSR.hvip)).toBe(0x444n);
    write(hart, CSR.mip, 0n);
    expect(read(hart, CSR.hvip)).toBe(0x440n);
  });

  it('vsip/vsie show the delegated VS bits at the S positions; only SSIP is writable in vsip', () => {
    const { hart } = newHart();
    write(hart, CSR.hvip, 0x444n);
    write(hart, CSR.hie, 0x444n);
    expect(read(hart, CSR.vsip)).toBe(0n);
    expect(read(hart, CSR.vsie)).toBe(0n);
    write(hart, CSR.hideleg, 0x404n); // VSSI and VSEI, not VSTI
    expect(read(hart, CSR.vsip)).toBe(0x202n);
    expect(read(hart, CSR.vsie)).toBe(0x202n);
    write(hart, CSR.vsip, 0n);
    expect(read(hart, CSR.hvip)).toBe(0x440n);
    write(hart, CSR.vsie, 0x222n);
    expect(read(hart, CSR.mie)).toBe(0x444n); // VSTIE untouched: not delegated
    write(hart, CSR.vsie, 0n);
    expect(read(hart, CSR.hie)).toBe(0x40n);
  });

  it('from V=1, sip/sie/sstatus/satp are the vs* registers', () => {
    const { hart } = newHart();
    write(hart, CSR.hideleg, 0x444n);
    write(hart, CSR.hvip, 0x4n);
    write(hart, CSR.vsstatus, 0x2n);
    write(hart, CSR.vsatp, (8n << 60n) | 7n);
    at(hart, PRIV_S, true);
    expect(read(hart, CSR.sip)).toBe(0x2n);
    expect(read(hart, CSR.sstatus)).toBe((2n << 32n) | 2n);
    expect(read(hart, CSR.satp)).toBe((8n << 60n) | 7n);
    expect(write(hart, CSR.sie, 0x20n)).toBe('ok');
    at(hart, PRIV_M, false);
    expect(read(hart, CSR.hie)).toBe(0x40n);
  });

  it('VGEIN selects a guest external line for VSEIP; SGEIP is any enabled line', () => {
    const { hart } = newHart({ geilen: 4 });
    expect(mask(hart, CSR.hgeie)).toBe(0x1en);
    write(hart, CSR.hgeie, 0n);
    hart.setGuestExternalLines(1 << 3);
    expect(read(hart, CSR.hgeip)).toBe(0x8n);
    expect(read(hart, CSR.hip)).toBe(0n);
    write(hart, CSR.hstatus, 3n << 12n); // VGEIN = 3
    expect(read(hart, CSR.hip)).toBe(0x400n);
    expect(read(hart, CSR.hvip)).toBe(0n); // the line is not an hvip bit
    write(hart, CSR.hgeie, 0x8n);
    expect(read(hart, CSR.mip)).toBe(0x1400n);
    expect(write(hart, CSR.hgeip, 0n)).toBe('illegal'); // read-only
  });
});

describe('access rules (spec 9.6.1)', () => {
  it('HS and M reach the H CSRs; U gets illegal; VS and VU get virtual instruction', () => {
    const { hart } = newHart();
    for (const csr of [CSR.hstatus, CSR.vsstatus, CSR.hgeip, CSR.hvip, CSR.vsatp]) {
      expect(read(at(hart, PRIV_S, false), csr)).not.toBeTypeOf('string');
      expect(read(at(hart, PRIV_U, false), csr)).toBe('illegal');
      expect(read(at(hart, PRIV_S, true), csr)).toBe('virtual');
      expect(read(at(hart, PRIV_U, true), csr)).toBe('virtual');
    }
  });

  it('VU-mode gets virtual instruction for supervisor CSRs, illegal for machine ones', () => {
    const { hart } = newHart();
    at(hart, PRIV_U, true);
    expect(read(hart, CSR.sstatus)).toBe('virtual');
    expect(read(hart, CSR.satp)).toBe('virtual');
    expect(read(hart, CSR.mstatus)).toBe('illegal');
    at(hart, PRIV_S, true);
    expect(read(hart, CSR.mstatus)).toBe('illegal');
  });

  it('mstatus.TVM makes hgatp illegal in HS but leaves vsatp alone', () => {
    const { hart } = newHart();
    write(hart, CSR.mstatus, 1n << 20n);
    at(hart, PRIV_S, false);
    expect(read(hart, CSR.hgatp)).toBe('illegal');
    expect(write(hart, CSR.hgatp, 0n)).toBe('illegal');
    expect(read(hart, CSR.vsatp)).toBe(0n);
    expect(read(hart, CSR.satp)).toBe('illegal');
    // TVM does not reach into VS-mode (spec 9.4.1): satp there is vsatp
    expect(read(at(hart, PRIV_S, true), CSR.satp)).toBe(0n);
  });

  it('hstatus.VTVM makes satp a virtual instruction in VS-mode', () => {
    const { hart } = newHart();
    write(hart, CSR.hstatus, 1n << 20n);
    at(hart, PRIV_S, true);
    expect(read(hart, CSR.satp)).toBe('virtual');
    expect(write(hart, CSR.satp, 0n)).toBe('virtual');
    expect(read(hart, CSR.sstatus)).not.toBeTypeOf('string');
  });

  it('hcounteren gates VS/VU counters after mcounteren; scounteren then gates VU', () => {
    const { hart } = newHart();
    write(hart, CSR.mcounteren, 0x7n);
    write(hart, CSR.hcounteren, 0x2n); // time only
    at(hart, PRIV_S, true);
    expect(read(hart, CSR.cycle)).toBe('virtual');
    expect(read(hart, CSR.time)).not.toBeTypeOf('string');
    at(hart, PRIV_U, true);
    expect(read(hart, CSR.time)).toBe('virtual'); // scounteren = 0
    at(hart, PRIV_M, false);
    write(hart, CSR.scounteren, 0x2n);
    write(hart, CSR.mcounteren, 0n);
    expect(read(at(hart, PRIV_U, true), CSR.time)).toBe('illegal'); // mcounteren first
  });

  it('time reads time + htimedelta at V=1 only', () => {
    const { hart, clock } = newHart();
    clock.icount = 1000;
    write(hart, CSR.mcounteren, 0x2n);
    write(hart, CSR.hcounteren, 0x2n);
    write(hart, CSR.htimedelta, -100n);
    hart.icountBase = 1000;
    hart.sliceN = -1; // syncClock charges the current instruction: icount stays 1000
    const host = read(at(hart, PRIV_S, false), CSR.time) as bigint;
    expect(read(at(hart, PRIV_S, true), CSR.time)).toBe(host - 100n);
    expect(read(at(hart, PRIV_U, false), CSR.time)).toBe('illegal');
  });
});

describe('the CSR rules program (also cross-checked with QEMU 7.2)', () => {
  it('gives the spec outcome for every access', () => {
    const log = runOnHart(csrRuleProgram().build()).log.map(brief);
    expect(log.slice(0, 22)).toEqual([
      'VAL 0xb1ff', 'VAL 0x444', 'VAL 0x1444', 'VAL 0x4', 'VAL 0x444', 'VAL 0', 'VAL 0xffffffffffffffff', 'VAL 0',
      'VAL 0xffffffffffffffff', 'VAL 0xffffffffffffffff', 'VAL 0xffffffffffffffff', 'VAL 0xffffffffffffffff',
      'VAL 0xf0bfff', 'VAL 0xffffffffffffffff', 'VAL 0xffffffffffffffff', 'VAL 0x8000000000012344',
      'VAL 0x800abcd000012345', 'VAL 0x222', 'VAL 0x222', 'VAL 0', 'VAL 0x80000000001411ad', 'VAL 0x1444',
    ]);
    const traps = log.slice(22).map((e) => e.replace(/ t2=0 ti=0/, ''));
    expect(traps).toEqual([
      // U: hstatus, vsstatus, hfence.vvma, hfence.gvma, hgeip
      ...Array(5).fill('').map((_, i) => `M c=2 tval=${['0x60002373', '0x20002373', '0x22000073', '0x62000073', '0xe1202373'][i]} mpp=0`),
      'M c=8 tval=0 mpp=0',
      // VS: hstatus vsstatus hgeip hfence.vvma hfence.gvma time cycle hvip -> virtual; mstatus illegal; vsatp virtual
      'M c=22 tval=0x60002373 mpv mpp=1', 'M c=22 tval=0x20002373 mpv mpp=1', 'M c=22 tval=0xe1202373 mpv mpp=1',
      'M c=22 tval=0x22000073 mpv mpp=1', 'M c=22 tval=0x62000073 mpv mpp=1', 'M c=22 tval=0xc0102373 mpv mpp=1',
      'M c=22 tval=0xc0002373 mpv mpp=1', 'M c=22 tval=0x64502373 mpv mpp=1', 'M c=2 tval=0x30002373 mpv mpp=1',
      'M c=22 tval=0x28002373 mpv mpp=1', 'M c=10 tval=0 mpv mpp=1',
      // VU: hstatus vsstatus wfi time
      'M c=22 tval=0x60002373 mpv mpp=0', 'M c=22 tval=0x20002373 mpv mpp=0', 'M c=22 tval=0x10500073 mpv mpp=0',
      'M c=22 tval=0xc0102373 mpv mpp=0', 'M c=8 tval=0 mpv mpp=0',
      // VS with VTSR/VTW: sret, wfi
      'M c=22 tval=0x10200073 mpv mpp=1', 'M c=22 tval=0x10500073 mpv mpp=1', 'M c=10 tval=0 mpv mpp=1',
      // HS with TVM/TW: hfence.gvma, satp, sfence.vma, wfi
      'M c=2 tval=0x62000073 mpp=1', 'M c=2 tval=0x18002373 mpp=1', 'M c=2 tval=0x12000073 mpp=1', 'M c=2 tval=0x10500073 mpp=1',
      'M c=9 tval=0 mpp=1',
    ]);
  });
});
