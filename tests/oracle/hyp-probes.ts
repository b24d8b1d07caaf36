// Probe programs for hyp-probe.ts: how QEMU 7.2 implements the H extension, including where
// it departs from the privileged spec (see the module comments of src/cpu/csr-hyp.ts,
// mmu-hyp.ts and exec-hyp.ts for what we concluded). `--ours` prints our hart's log beside.
//   csrMasks, resetAndAtp  CSR write masks, reset values, satp/vsatp/hgatp WARL
//   privileges             illegal vs virtual instruction from U/VS/VU, TVM/TSR/TW, VTVM/VTSR/VTW
//   twoStage, implicit     explicit and implicit (VS-walk) guest-page faults, htval, htinst, A/D
//   ranges                 GPA width, superpage alignment, non-canonical guest addresses
//   hlv, mprv              HLV/HLVX/HSV and MPRV+MPV rules
//   irq                    hvip/hip/vsip views, delegation, priorities, WFI
import { A, D, DATA, HypProgram, R, RWX, U, W, X } from '../cpu/hyp-harness.ts';
import { enableTwoStage, standardMaps } from '../cpu/hyp-programs.ts';

const L = HypProgram.log;

function wr(csr: string, v: string): string {
  return `li t0, ${v}\n csrw ${csr}, t0\n csrr t1, ${csr}\n ${L('t1')}\n csrw ${csr}, zero\n csrr t1, ${csr}\n ${L('t1')}`;
}

export const PROBES: Record<string, () => HypProgram> = {
  csrMasks: () => {
    const p = new HypProgram();
    for (const c of ['hstatus', 'hedeleg', 'hideleg', 'hie', 'hip', 'hvip', 'hcounteren', 'hgeie', 'htval', 'htinst',
      'htimedelta', 'henvcfg', 'vsstatus', 'vsie', 'vsip', 'vstvec', 'vsscratch', 'vsepc', 'vscause', 'vstval',
      'mideleg', 'mie', 'mip', 'medeleg', 'mtval2', 'mtinst', 'hgeip']) p.m(wr(c, '-1'));
    p.m(`csrr t1, misa\n ${L('t1')}`);
    return p;
  },
};

PROBES.resetAndAtp = () => {
  const p = new HypProgram();
  p.m(`csrr t1, vsstatus\n ${L('t1')}\n csrr t1, hstatus\n ${L('t1')}\n csrr t1, mstatus\n ${L('t1')}`);
  p.m(wr('menvcfg', '-1'));
  for (const v of ['0x0fffffffffffffff', '0x8fffffffffffffff', '0x9000000000000123', '0x1000000000000123', '0x8000000000000003']) {
    p.m(`li t0, ${v}\n csrw hgatp, t0\n csrr t1, hgatp\n ${L('t1')}`);
    p.m(`li t0, ${v}\n csrw vsatp, t0\n csrr t1, vsatp\n ${L('t1')}`);
    p.m(`li t0, ${v}\n csrw satp, t0\n csrr t1, satp\n ${L('t1')}`);
  }
  p.m('csrw hgatp, zero\n csrw vsatp, zero\n csrw satp, zero');
  return p;
};

PROBES.privileges = () => {
  const p = new HypProgram();
  p.m(`li t0, -1\n csrw mcounteren, t0\n csrw scounteren, zero\n csrw hcounteren, zero\n la a1, _start`);
  p.run('U', 'csrr t1, hstatus\n csrr t1, vsstatus\n hlv.d t1,(a1)\n hfence.vvma\n hfence.gvma\n csrr t1, hgeip');
  p.m('li t0, 0x200\n csrs hstatus, t0'); // HU
  p.run('U', `hlv.d t1,(a1)\n ${L('t1')}\n hlvx.wu t1,(a1)\n ${L('t1')}\n hsv.b zero,(a1)\n hfence.vvma`);
  p.m('li t0, 0x200\n csrc hstatus, t0');
  p.run('VS', `csrr t1, hstatus\n csrr t1, vsstatus\n csrr t1, sstatus\n ${L('t1')}\n csrr t1, hgeip\n csrw hgeip, zero\n hlv.d t1,(a1)\n hsv.d zero,(a1)\n hfence.vvma\n hfence.gvma\n csrr t1, time\n csrr t1, cycle\n csrr t1, hvip\n csrr t1, mstatus`);
  p.run('VU', `csrr t1, sstatus\n csrr t1, hstatus\n csrr t1, vsstatus\n sret\n sfence.vma\n wfi\n hlv.d t1,(a1)\n hfence.vvma\n csrr t1, time\n csrr t1, satp\n mret`);
  // mstatus.TVM / TSR / TW from VS
  p.m('li t0, 0x700000\n csrs mstatus, t0\n li t0, 0xffff\n csrw hcounteren, t0');
  p.run('VS', `csrr t1, satp\n ${L('t1')}\n sfence.vma\n la t1, pv1\n csrw sepc, t1\n sret\npv1:\n csrr t1, time\n csrr t1, cycle\n wfi`);
  p.run('HS', `csrr t1, hgatp\n csrr t1, vsatp\n hfence.vvma\n hfence.gvma\n csrr t1, satp\n sfence.vma\n wfi`);
  p.m('li t0, 0x700000\n csrc mstatus, t0');
  // hstatus.VTVM/VTSR/VTW from VS; then from VU
  p.m('li t0, 0x700000\n csrs hstatus, t0');
  p.run('VS', `csrr t1, satp\n sfence.vma\n la t1, pv2\n csrw sepc, t1\n sret\npv2:\n wfi\n hfence.vvma`);
  p.run('VU', `csrr t1, satp\n sfence.vma\n sret\n wfi`);
  p.m('li t0, 0x700000\n csrc hstatus, t0');
  return p;
};


const hx = (v: bigint) => `0x${v.toString(16)}`;

/** Two-stage basics: loads/stores through both stages and the A/D bits they set. */
PROBES.twoStage = () => {
  const p = new HypProgram();
  // the layout of the kept test program (tests/cpu/hyp-programs.ts), which grew out of this probe
  standardMaps(p);
  p.m(enableTwoStage(p));
  const body = `
    li a0, 0x10000000
    ld t1, 0(a0)
    ${L('t1')}
    li t1, 0x99
    sb t1, 3(a0)
    ld t1, 0(a0)
    ${L('t1')}
    li a0, 0x10001000
    ld t1, 8(a0)
    ${L('t1')}
    sd t1, 16(a0)
    li a0, 0x10002000
    ld t1, 0(a0)
    li a0, 0x10003000
    ld t1, 0x10(a0)
    sw t1, 0x24(a0)
    li a0, 0x10004000
    lw t1, 0x38(a0)
    li a0, 0x10005000
    lhu t1, 0x2(a0)
    sh t1, 0x6(a0)
    amoadd.w t1, t1, (a0)
    lr.d t1, (a0)
    sc.d t1, t1, (a0)
    li a0, 0x10006000
    lw t1, 0(a0)
    li a0, 0x10005000
    flw f1, 4(a0)
    fsd f1, 8(a0)
    li a0, 0x10001ffe
    lw t1, 0(a0)
  `;
  p.m('li t0, 0x6000\n csrs mstatus, t0');
  p.run('VS', 'li t0, 0x6000\n csrs sstatus, t0\n' + body);
  p.run('VS', 'li a0, 0x10002000\n jalr ra, 0(a0)');
  p.run('VS', 'li a0, 0x10004000\n jalr ra, 0(a0)\n li a0, 0x10006000\n jalr ra, 0(a0)');
  p.run('VS', 'li a0, 0x10005000\n jalr ra, 0(a0)');
  p.run('VS', 'li a0, 0x10003000\n jalr ra, 0(a0)');
  // the same with guest-page faults delegated to HS
  p.m('li t0, 0xb00000\n csrw medeleg, t0');
  p.run('VS', 'li t0, 0x6000\n csrs sstatus, t0\n' + body);
  p.run('VS', 'li a0, 0x10002000\n jalr ra, 0(a0)');
  p.m('csrw medeleg, zero');
  // the PTEs afterwards (A/D in both stages)
  p.m(`li a0, ${hx(DATA)}\n ld t1, 0(a0)\n ${L('t1')}`);
  return p;
};

/** Implicit accesses: the VS-stage walk's PTE reads and A/D writes going through G-stage. */
PROBES.implicit = () => {
  const p = new HypProgram();
  p.identityG().identityVs();
  const root = p.vsRootTable;
  // VS leaf table for VA 0x10000000 lives at GPA 0x90010000 (-> DATA+0x10000, read-only in G)
  // VA 0x10200000 region: its table at GPA 0x90020000 (not mapped in G)
  // VA 0x10400000 region: its table at GPA 0x90030000 -> DATA+0x30000 (RW in G) with leaf lacking A
  p.gmap(0x9001_0000n, DATA + 0x10000n, 0, R | U | A);
  p.gmap(0x9003_0000n, DATA + 0x30000n, 0, R | W | U | A | D);
  p.gmap(0x9000_0000n, DATA, 0, RWX | U | A | D);
  // level-1 entries in the VS root's level-1 table for VA 0x10000000 (vpn2 = 0, vpn1 = 0x80, 0x81, 0x82)
  const l1 = p.allocTable();
  p.poke(root + 0n * 8n, ((l1 >> 12n) << 10n) | 1n);
  p.poke(l1 + 0x80n * 8n, ((0x9001_0000n >> 12n) << 10n) | 1n);
  p.poke(l1 + 0x81n * 8n, ((0x9002_0000n >> 12n) << 10n) | 1n);
  p.poke(l1 + 0x82n * 8n, ((0x9003_0000n >> 12n) << 10n) | 1n);
  p.poke(DATA + 0x10000n, ((0x9000_0000n >> 12n) << 10n) | RWX | 1n); // VA 0x10000000: no A/D, table read-only
  p.poke(DATA + 0x10008n, ((0x9000_0000n >> 12n) << 10n) | RWX | A | D | 1n); // VA 0x10001000: A/D set
  p.poke(DATA + 0x30000n, ((0x9000_0000n >> 12n) << 10n) | RWX | 1n); // VA 0x10400000: no A/D, table writable
  p.m(`li t0, ${hx(HypProgram.hgatp(0))}\n csrw hgatp, t0\n li t0, ${hx(p.vsatp(0))}\n csrw vsatp, t0\n hfence.gvma`);
  const body = `
    li a0, 0x10001000
    ld t1, 0(a0)
    ${L('t1')}
    li a0, 0x10000000
    ld t1, 0(a0)
    sd t1, 8(a0)
    li a0, 0x10203000
    ld t1, 0(a0)
    sd t1, 8(a0)
    li a0, 0x10400000
    sd t1, 8(a0)
    li a0, 0x10000000
    ld t1, 0(a0)
  `;
  p.run('VS', body);
  p.m(`li a0, ${hx(DATA + 0x10000n)}\n ld t1, 0(a0)\n ${L('t1')}\n li a0, ${hx(DATA + 0x30000n)}\n ld t1, 0(a0)\n ${L('t1')}`);
  p.m('li t0, 0xb00000\n csrw medeleg, t0');
  p.run('VS', body);
  p.m('csrw medeleg, zero');
  return p;
};

/** Address-range and PTE-format rules of both stages. */
PROBES.ranges = () => {
  const p = new HypProgram();
  p.identityG().identityVs();
  // G superpage 2M at GPA 0x1_0000_0000 -> DATA (misaligned: DATA is 2M aligned? 0x80200000 yes)
  p.gmap(0x1_0000_0000n, DATA, 1);
  // G 1G superpage misaligned: GPA 0x1_4000_0000 -> 0x80200000 (not 1G aligned)
  p.gmap(0x1_4000_0000n, DATA, 2);
  // GPA at the top of the 41-bit space
  p.gmap(0x1ff_ffff_f000n, DATA, 0);
  p.vsmap(0x2000_0000n, 0x1_0000_0000n, 0);
  p.vsmap(0x2000_1000n, 0x1_4000_0000n, 0);
  p.vsmap(0x2000_2000n, 0x1ff_ffff_f000n, 0);
  p.vsmap(0x2000_3000n, 0x200_0000_0000n, 0); // GPA beyond 41 bits
  p.vsmap(0x4000_0000_00n, 0x1_0000_0000n, 0);
  p.poke(DATA, 0xabcdn);
  p.m(`li t0, ${hx(HypProgram.hgatp(0))}\n csrw hgatp, t0\n li t0, ${hx(p.vsatp(0))}\n csrw vsatp, t0\n hfence.gvma`);
  p.run('VS', `
    li a0, 0x20000000
    ld t1, 0(a0)
    ${L('t1')}
    li a0, 0x20001000
    ld t1, 0(a0)
    li a0, 0x20002000
    ld t1, 0(a0)
    ${L('t1')}
    li a0, 0x20003000
    ld t1, 0(a0)
    li a0, 0x4000000000
    ld t1, 0(a0)
    li a0, 0x0000008000000000
    ld t1, 0(a0)
  `);
  // VS-stage Bare: the GPA is the VA, still limited to 41 bits by G-stage
  p.m('csrw vsatp, zero');
  p.run('VS', `
    li a0, 0x100000000
    ld t1, 0(a0)
    ${L('t1')}
    li a0, 0x20000000000
    ld t1, 0(a0)
    li a0, -8
    ld t1, 0(a0)
  `);
  return p;
};

/** HLV/HLVX/HSV from HS and M: SPVP, vsstatus.SUM/MXR, mstatus.MXR, faults. */
PROBES.hlv = () => {
  const p = new HypProgram();
  p.identityG();
  p.gmap(0x9000_0000n, DATA, 1);
  p.vsmap(0x1000_0000n, 0x9000_0000n, 0, RWX | A | D); // S page
  p.vsmap(0x1000_1000n, 0x9000_1000n, 0, RWX | U | A | D); // U page
  p.vsmap(0x1000_2000n, 0x9000_2000n, 0, X | A | D); // S execute-only
  p.vsmap(0x1000_3000n, 0x9000_3000n, 0, R | A | D); // S read-only, not executable
  p.vsmap(0x1000_4000n, 0x9000_4000n, 0, R | W | X); // S, A/D clear
  p.poke(DATA, 0x1111n).poke(DATA + 0x1000n, 0x2222n).poke(DATA + 0x2000n, 0x3333n).poke(DATA + 0x3000n, 0x4444n);
  p.m(`li t0, ${hx(HypProgram.hgatp(0))}\n csrw hgatp, t0\n li t0, ${hx(p.vsatp(0))}\n csrw vsatp, t0\n hfence.gvma`);
  const seq = `
    li a0, 0x10000000
    hlv.d t1, (a0)
    ${L('t1')}
    li a0, 0x10001000
    hlv.d t1, (a0)
    ${L('t1')}
    li a0, 0x10002000
    hlv.d t1, (a0)
    ${L('t1')}
    hlvx.wu t1, (a0)
    ${L('t1')}
    li a0, 0x10003000
    hlvx.hu t1, (a0)
    ${L('t1')}
    li a0, 0x10004000
    hsv.w a0, (a0)
    li a0, 0x10005000
    hlv.b t1, (a0)
    li a0, 0x10003000
    hsv.d a0, (a0)
    li a0, 0x10000ffe
    hlv.w t1, (a0)
    ${L('t1')}
  `;
  // HS with SPVP=1, then SPVP=0; vsstatus SUM/MXR; mstatus.MXR
  p.m('li t0, 0x100\n csrs hstatus, t0');
  p.run('HS', seq);
  p.m('li t0, 0x40000\n csrs vsstatus, t0');
  p.run('HS', seq);
  p.m('li t0, 0x40000\n csrc vsstatus, t0\n li t0, 0x80000\n csrs vsstatus, t0');
  p.run('HS', seq);
  p.m('li t0, 0x80000\n csrc vsstatus, t0\n csrs mstatus, t0');
  p.run('HS', seq);
  p.m('li t0, 0x80000\n csrc mstatus, t0\n li t0, 0x100\n csrc hstatus, t0');
  p.run('HS', seq);
  // M-mode HLV, and faults delegated to HS
  p.m(seq);
  p.m('li t0, 0xb0a000\n csrw medeleg, t0');
  p.run('HS', seq);
  p.m('csrw medeleg, zero');
  p.m(`li a0, ${hx(p.vsRootTable)}\n ld t1, 32(a0)\n ${L('t1')}`);
  return p;
};

/** VS-level interrupts: hvip injection, hideleg, hie/hip/vsie/vsip/mip views. */
PROBES.irq = () => {
  const p = new HypProgram();
  const views = `csrr t1, mip\n ${L('t1')}\n csrr t1, hip\n ${L('t1')}\n csrr t1, hvip\n ${L('t1')}\n csrr t1, vsip\n ${L('t1')}\n csrr t1, vsie\n ${L('t1')}`;
  // hideleg = 0: VS interrupts are HS-level interrupts
  p.m(`li t0, 0x444\n csrw hvip, t0\n ${views}\n li t0, 0x444\n csrw hie, t0\n csrr t1, mie\n ${L('t1')}\n ${views}`);
  p.run('VS', 'nop\n nop');
  p.m(`csrr t1, mie\n ${L('t1')}`);
  // now delegate to VS: hideleg, then VS enables SIE/SEIE...
  p.m(`li t0, 0x444\n csrw hideleg, t0\n csrw hie, t0\n ${views}`);
  p.run('VS', `csrr t1, sip\n ${L('t1')}\n csrr t1, sie\n ${L('t1')}\n li t0, 2\n csrs sstatus, t0\n nop\n nop\n csrr t1, sie\n ${L('t1')}`);
  p.m(`csrr t1, hie\n ${L('t1')}\n ${views}`);
  // VS writes sip.SSIP (alias of hvip.VSSIP)
  p.m('li t0, 0x444\n csrw hie, t0\n csrw hvip, zero\n li t0, 2\n csrc vsstatus, t0');
  p.run('VS', `li t0, 0x222\n csrs sip, t0\n csrr t1, sip\n ${L('t1')}\n li t0, 2\n csrs sstatus, t0\n nop`);
  p.m(`${views}\n csrw hvip, zero`);
  // HS-mode (V=0) with a VS interrupt pending and hideleg set: not taken; with hideleg clear: taken in HS when SIE
  p.m('li t0, 0x4\n csrw hvip, t0\n li t0, 0x444\n csrw hie, t0');
  p.run('HS', 'li t0, 2\n csrs sstatus, t0\n nop\n nop\n csrc sstatus, t0');
  p.m('csrw hideleg, zero');
  p.run('HS', 'li t0, 2\n csrs sstatus, t0\n nop\n nop\n csrc sstatus, t0');
  // VU with delegation: taken even with vsstatus.SIE = 0
  p.m('li t0, 0x444\n csrw hideleg, t0\n csrw hie, t0\n li t0, 2\n csrc vsstatus, t0');
  p.run('VU', 'nop\n nop');
  // priorities: VSEI > VSSI > VSTI, and mideleg'd S interrupts before VS ones
  p.m('li t0, 0x444\n csrw hie, t0\n csrw hvip, t0\n li t0, 2\n csrs vsstatus, t0');
  p.run('VS', 'nop\n nop\n nop\n nop');
  p.m('csrw hvip, zero\n csrw hie, zero\n csrw hideleg, zero');
  // WFI in VS wakes on a pending VS interrupt even when masked
  p.m('li t0, 0x4\n csrw hvip, t0\n li t0, 0x4\n csrw hie, t0\n li t0, 0x4\n csrw hideleg, t0\n li t0, 2\n csrc vsstatus, t0');
  p.run('VS', `wfi\n li t1, 7\n ${L('t1')}`);
  p.m('csrw hvip, zero\n csrw hie, zero\n csrw hideleg, zero');
  return p;
};

/** M-mode loads/stores with MPRV=1 and MPV=1 (two-stage, privilege MPP). */
PROBES.mprv = () => {
  const p = new HypProgram();
  p.identityG();
  p.gmap(0x9000_0000n, DATA, 0);
  p.gmap(0x9000_1000n, DATA + 0x1000n, 0, R | U | A);
  p.vsmap(0x1000_0000n, 0x9000_0000n, 0, RWX | A | D);
  p.vsmap(0x1000_1000n, 0x9000_1000n, 0, RWX | U | A | D);
  p.vsmap(0x1000_2000n, 0x9000_2000n, 0, RWX | A | D);
  p.poke(DATA, 0x5151n).poke(DATA + 0x1000n, 0x6161n);
  p.m(`li t0, ${hx(HypProgram.hgatp(0))}\n csrw hgatp, t0\n li t0, ${hx(p.vsatp(0))}\n csrw vsatp, t0\n hfence.gvma`);
  const one = (mpp: number, mpv: number, insn: string) => `
    li t0, 0x1800
    csrc mstatus, t0
    li t0, ${mpp << 11}
    csrs mstatus, t0
    li t0, 0x8000000000
    ${mpv ? 'csrs' : 'csrc'} mstatus, t0
    li t1, 0
    li t0, 0x20000
    csrs mstatus, t0
    ${insn}
    li t0, 0x20000
    csrc mstatus, t0
    ${L('t1')}
  `;
  // the M handler rewrites MPP/MPV on every trap, so each access sets them up again
  for (const [mpp, mpv] of [[1, 1], [0, 1], [1, 0]]) {
    for (const insn of ['li a0, 0x10000000\n ld t1, 0(a0)', 'li a0, 0x10001000\n ld t1, 0(a0)', 'li a0, 0x10001000\n sd a0, 0(a0)',
      'li a0, 0x10002000\n ld t1, 0(a0)', 'li a0, 0x10003000\n ld t1, 0(a0)']) p.m(one(mpp, mpv, insn));
  }
  p.m('li t0, 0x40000\n csrs vsstatus, t0');
  p.m(one(1, 1, 'li a0, 0x10001000\n ld t1, 0(a0)'));
  p.m('li t0, 0x40000\n csrc vsstatus, t0');
  return p;
};
