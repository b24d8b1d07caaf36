// The p2m's own rules (src/hypervisor/p2m.ts): rights that would make a G-stage PTE a
// pointer to a table (neither R nor X) or a reserved encoding (W without R) are refused, and
// every change of a translation runs the domain's flush hook (HFENCE.GVMA).
import { describe, expect, test } from 'vitest';
import { FrameAllocator } from '../../src/hypervisor/frames.ts';
import { P2m } from '../../src/hypervisor/p2m.ts';
import { PhysicalMemory } from '../../src/machine/phys-mem.ts';

const BASE = 0x80000000;
function fresh(): P2m {
  const mem = new PhysicalMemory([{ name: 'ram', base: BASE, size: 4 << 20 }]);
  return new P2m(mem, new FrameAllocator(BASE, 1024), 1);
}

describe('p2m', () => {
  test('refuses rights without read or execute, and write without read', () => {
    const p = fresh();
    expect(() => p.map(0x80000000n, BASE + 0x200000, 0x200000, { read: false, write: true, exec: false })).toThrow(/read or execute/);
    expect(() => p.map(0x80000000n, BASE + 0x200000, 4096, { read: false, write: false, exec: false })).toThrow(/read or execute/);
    expect(() => p.map(0x80000000n, BASE + 0x200000, 4096, { read: false, write: true, exec: true })).toThrow(/write without read/);
    expect(p.lookup(0x80000000n)).toBe(-1);
    p.map(0x80000000n, BASE + 0x200000, 4096, { read: false, write: false, exec: true });
    expect(p.lookup(0x80000123n)).toBe(BASE + 0x200123);
  });

  test('map and unmap run the flush hook; an unmapped page no longer translates', () => {
    const p = fresh();
    let flushes = 0;
    p.onChange = () => flushes++;
    p.map(0x80000000n, BASE + 0x200000, 2 * 4096);
    expect(flushes).toBe(1);
    p.unmap4k(0x80001000n);
    expect(flushes).toBe(2);
    expect(p.lookup(0x80001000n)).toBe(-1);
    expect(p.lookup(0x80000000n)).toBe(BASE + 0x200000);
  });
});
