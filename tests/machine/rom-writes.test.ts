// The boot ROM (mask ROM at 0x1000) ignores writes, as QEMU's virt does (memory_region_init_rom
// drops them): a store or the write half of an AMO/SC there retires without a fault and
// leaves the ROM unchanged. Found by the QEMU lockstep oracle (tests/oracle/program-lockstep).
import { describe, expect, it } from 'vitest';
import { Assembler } from '../../src/isa/asm.ts';
import { imageFromBytes } from '../../src/machine/image.ts';
import { Machine } from '../../src/machine/machine.ts';

function machineRunning(text: string): Machine {
  const a = new Assembler({ base: 0x8000_0000n });
  // any trap parks at `trap` with mcause in t6
  a.asm(`la t0,trap\ncsrw mtvec,t0\n${text}\ndone:\nj done\ntrap:\ncsrr t6,mcause\nj trap`);
  const bytes = a.assemble().bytes;
  const m = new Machine({
    memBytes: 16 * 1024 * 1024,
    harts: 1,
    bios: imageFromBytes('bios', 'rom-writes.bin', bytes),
    kernel: null,
    wallClockNs: () => 0n,
  });
  m.run(500);
  return m;
}

describe('writes to the boot ROM', () => {
  it('a store retires without a fault and changes nothing', () => {
    const m = machineRunning('li a0,0x1000\nld a1,0(a0)\nli a2,-1\nsd a2,0(a0)\nsh a2,6(a0)\nld a3,0(a0)\nli t6,0x77');
    const h = m.harts[0]!;
    expect(h.getX(31)).toBe(0x77n); // no trap
    expect(h.getX(13)).toBe(h.getX(11)); // ROM unchanged
    expect(h.getX(11)).not.toBe(0n);
  });

  it('an AMO reads the old value and discards its write; LR/SC on ROM succeeds without writing', () => {
    const m = machineRunning(
      'li a0,0x1000\nld a1,0(a0)\nli a2,5\namoadd.d a3,a2,(a0)\nld a4,0(a0)\nlr.d a5,(a0)\nsc.d a6,a2,(a0)\nld a7,0(a0)\nli t6,0x77',
    );
    const h = m.harts[0]!;
    expect(h.getX(31)).toBe(0x77n);
    expect(h.getX(13)).toBe(h.getX(11)); // amoadd returned the old value
    expect(h.getX(14)).toBe(h.getX(11)); // and did not write
    expect(h.getX(16)).toBe(0n); // sc "succeeded" (QEMU compares values, then its store is dropped)
    expect(h.getX(17)).toBe(h.getX(11));
  });

  it('unmapped addresses still fault', () => {
    const m = machineRunning('li a0,0x800\nsd zero,0(a0)\nli t6,0x77');
    expect(m.harts[0]!.getX(31)).toBe(7n); // store/AMO access fault
  });
});
