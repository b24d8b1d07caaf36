// VS-level interrupts (privileged spec 1.12 sections 9.2.3-9.2.4, 9.4.3): hvip injection,
// hideleg delegation, the enables that apply in each mode, guest external interrupts through
// hgeip/VGEIN/hgeie, priorities, and WFI.
import { describe, expect, it } from 'vitest';
import { brief, HypProgram, runOnHart, type RunOptions } from './hyp-harness.ts';
import { vsIrqProgram } from './hyp-programs.ts';

const L = HypProgram.log;
const log = (p: HypProgram, opts?: RunOptions) => runOnHart(p.build(), opts).log.map(brief);
const vsEcall = 'M c=10 tval=0 t2=0 ti=0 mpv mpp=1';

describe('VS interrupts injected through hvip (also cross-checked with QEMU 7.2)', () => {
  it('go to HS without hideleg, to VS with it, and respect the enables of each mode', () => {
    expect(log(vsIrqProgram())).toEqual([
      'VAL 0x4', 'VAL 0x4', 'VAL 0x4', // mip, hip, hvip
      'HS irq=2 tval=0 t2=0 ti=0 spv spvp', // not delegated: HS-level, always enabled in VS
      vsEcall,
      'VAL 0', // the HS handler cleared hie.VSSIE
      'VAL 0x20', // vsie: VSTIE shown as STIE
      'VAL 0x40', 'VAL 0x40', 'VAL 0x40',
      'VS irq=5 tval=0 spp', // delegated VSTI arrives as STI once vsstatus.SIE = 1
      vsEcall,
      'VS irq=9 tval=0', // VSEI in VU: taken with vsstatus.SIE = 0
      'M c=8 tval=0 t2=0 ti=0 mpv mpp=0',
      'VS irq=1 tval=0 spp', // VS set its own sip.SSIP (hvip.VSSIP)
      vsEcall,
      'VAL 0x4', 'VAL 0x4', 'VAL 0x4',
      'M c=9 tval=0 t2=0 ti=0 mpp=1', // HS with SIE: a delegated VS interrupt is not taken at V=0
      'HS irq=2 tval=0 t2=0 ti=0 spvp', // not delegated: taken in HS (SPV = 0, SPVP kept)
      'M c=9 tval=0 t2=0 ti=0 mpp=1',
      'VAL 0x7', // WFI returned: VSSIP pending though VS masked it
      vsEcall,
    ]);
  });

  it('are prioritised VSEI, VSSI, VSTI, after the HS-level ones (spec 9.2.3; QEMU 7.2 takes the lowest number)', () => {
    const p = new HypProgram();
    p.m('li t0, 0x222\n csrw mideleg, t0\n li t0, 0x444\n csrw hideleg, t0\n csrw hvip, t0\n li t0, 0x666\n csrw hie, t0\n csrw sie, t0\n li t0, 0x20\n csrs mip, t0\n li t0, 2\n csrs vsstatus, t0');
    p.run('VS', 'nop\n nop\n nop\n nop');
    expect(log(p).slice(0, 4)).toEqual([
      'HS irq=5 tval=0 t2=0 ti=0 spv spvp', // STIP (set by M in mip), an HS interrupt
      'VS irq=9 tval=0 spp',
      'VS irq=1 tval=0 spp',
      'VS irq=5 tval=0 spp',
    ]);
  });
});

describe('guest external interrupts (spec 9.2.4)', () => {
  const lines = (bits: number): RunOptions => ({ geilen: 4, setup: (h) => h.setGuestExternalLines(bits) });

  it('hstatus.VGEIN routes a guest external line to VSEIP', () => {
    const p = new HypProgram();
    p.m(`li t0, 0x2000\n csrs hstatus, t0\n csrr t1, hip\n ${L('t1')}\n li t0, 0x400\n csrw hideleg, t0\n csrw hie, t0\n li t0, 2\n csrs vsstatus, t0`);
    p.run('VS', 'nop\n nop');
    p.m(`csrr t1, hgeip\n ${L('t1')}`);
    expect(log(p, lines(1 << 2))).toEqual(['VAL 0x400', 'VS irq=9 tval=0 spp', vsEcall, 'VAL 0x4']);
  });

  it('an enabled pending line raises SGEIP, an HS-level interrupt (cause 12)', () => {
    const p = new HypProgram();
    p.m(`li t0, 0x8\n csrw hgeie, t0\n csrr t1, mip\n ${L('t1')}\n li t0, 0x1000\n csrw hie, t0`);
    p.run('VS', 'nop\n nop');
    expect(log(p, lines(1 << 3))).toEqual(['VAL 0x1000', 'HS irq=12 tval=0 t2=0 ti=0 spv spvp', vsEcall]);
  });

  it('a line rising while VS waits in WFI wakes it', () => {
    const p = new HypProgram();
    p.m('li t0, 0x2\n csrw hgeie, t0\n li t0, 0x1000\n csrw hie, t0');
    p.run('VS', `wfi\n li t1, 7\n ${L('t1')}`);
    const opts: RunOptions = { geilen: 1, onIdle: (h) => h.setGuestExternalLines(1 << 1) };
    expect(log(p, opts)).toEqual(['HS irq=12 tval=0 t2=0 ti=0 spv spvp', 'VAL 0x7', vsEcall]);
  });
});
