// Hostile grantees (issue "PV guests", acceptance; docs/PV-ABI.md §4.1, §7): a grant of a page
// table cannot become a writable mapping, a grant mapping's PTE cannot be rewritten with
// mmu_update, a granted frame cannot be mapped without the grant, a read-only grant stays
// read-only for stores and copies. Each refusal is logged and the granter's memory is unchanged.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { GNTST } from '../../src/hypervisor/pv/abi.ts';
import { EPILOGUE, events, hc, hypercalls, PROLOGUE, pvDomain, readU64, startPv, shutdown, tempDir } from './pv-guest.ts';
import { frontendSetup } from './pv-frontend.ts';

const DELAY = (label: string, n: number) => `  li t0, ${n}\n${label}:\n  addi t0, t0, -1\n  bnez t0, ${label}\n`;

function domainHash(hv: Hypervisor, dom: number): string {
  const h = createHash('sha256');
  for (let i = 0; i < hv.frames.count; i++) {
    const hpa = hv.frames.base + i * 4096;
    if (hv.frames.ownerOf(hpa) === dom) h.update(hv.mem.peek(hpa, 4096)!);
  }
  return h.digest('hex');
}

// A: its grant table at pfn F; ref 1: its first l1 table (rw), ref 2: F+1 (rw), ref 3: F+2 (read-only); all to dom 2
const GRANTER = `
${PROLOGUE}
${frontendSetup([1, 1, 1 | 4])}
  ld t0, 80(s0)
  li t1, 0xffffffc000000000
  sub t0, t0, t1
  srli a0, t0, 12
  addi a0, a0, 2
  call pfn_to_mfn
  sw a0, 12(s5)
  li t1, 2
  sh t1, 10(s5)
  sh t1, 18(s5)
  sh t1, 26(s5)
spin:
  j spin
${'' /* frontendSetup needs the frontend data */}
  .align 3
fe_frames:
  .dword 0
fe_setup:
  .half 0x7ff0
  .half 0
  .word 1
  .half 0
  .half 0
  .half 0
  .half 0
  .dword fe_frames
fe_alloc:
  .half 0x7ff0
  .half 0
fe_port:
  .word 0
${EPILOGUE}`;

const freeVa = (k: number, reg: string) => `
  ld a0, 120(s0)
  addi a0, a0, ${k}
  call pfn_to_va
  mv ${reg}, a0
  li a1, 0
  li a2, 0
${hc(14)}`;

const gmap = (va: string, flags: number, ref: number) => `
  la t0, gm
  sd ${va}, 0(t0)
  li t1, ${flags}
  sw t1, 8(t0)
  li t1, ${ref}
  sw t1, 12(t0)
  li t1, 1
  sh t1, 16(t0)
  li a0, 0
  la a1, gm
  li a2, 1
${hc(20)}`;

const GRANTEE = (victimMfn: number) => `
${PROLOGUE}
  la a0, event_cb
  la a1, trap_cb
  li a2, 0
${hc(4)}
${DELAY('w0', 100000)}
${freeVa(0, 's5')}
${freeVa(1, 's6')}
${freeVa(2, 's7')}
${freeVa(3, 's8')}
${gmap('s5', 2, 1)}
${gmap('s5', 6, 1)}
  la t0, gm
  lw a1, 24(t0)
  sd s5, 0(t0)
  sw a1, 16(t0)
  li a0, 1
  la a1, gm
  li a2, 1
${hc(20)}
${gmap('s6', 2, 2)}
  ld a0, 120(s0)
  addi a0, a0, 1
  call l1_slot
  mv s9, a0
  ld a0, 120(s0)
  call pfn_to_mfn
  slli a1, a0, 10
  ori a1, a1, 0xd7
  mv a0, s9
  call mmu1
  mv a0, s6
  li a1, 0
  li a2, 0
${hc(14)}
  ld a0, 120(s0)
  addi a0, a0, 2
  call l1_slot
  li a1, ${(victimMfn << 10) | 0xd7}
  call mmu1
${gmap('s8', 6, 3)}
  li t1, 0x41
  sb t1, 0(s8)
  ld a0, 120(s0)
  addi a0, a0, 4
  call pfn_to_mfn
  la t0, gcopy
  sd a0, 0(t0)
  li a0, 5
  la a1, gcopy
  li a2, 1
${hc(20)}
  la t0, gcopy
  li t1, 1
  sw t1, 16(t0)
  li a0, 5
  la a1, gcopy
  li a2, 1
${hc(20)}
${shutdown()}
trap_cb:
  mv s1, a0
  la t0, fault
  ld t1, 264(s1)
  sd t1, 0(t0)
  ld t1, 272(s1)
  sd t1, 8(t0)
  ld t1, 256(s1)
  addi t1, t1, 4
  sd t1, 256(s1)
  mv a0, s1
${hc(23)}
event_cb:
  j event_cb
  .align 3
fault:
  .dword 0
  .dword 0
gm:
  .space 40
gcopy:
  .dword 0
  .half 0x7ff0
  .half 0
  .word 0
  .dword 3
  .half 1
  .half 0
  .word 0
  .half 8
  .half 2
  .half 0
  .half 0
  .word 0
${EPILOGUE}`;

describe('hostile grantee', () => {
  test('grant mappings cannot be turned into writable page tables or foreign maps; the granter is untouched', () => {
    const dir = tempDir();
    const probe = startPv([pvDomain(dir, 'a', GRANTER).config, pvDomain(dir, 'b', GRANTEE(0)).config]);
    probe.hv.run(0);
    const victimMfn = probe.hv.domains[0].memory.hostBase / 4096 + 32; // a frame of A (its pfn 32)
    const a = pvDomain(dir, 'a', GRANTER);
    const b = pvDomain(dir, 'b', GRANTEE(victimMfn));
    const r = startPv([a.config, b.config]);
    r.hv.run(100_000);
    const before = domainHash(r.hv, 1);
    r.hv.run(3_000_000);
    expect(r.hv.control.state.domains[2].status).toBe('destroyed');
    const grants = events(r.log, 'grant', 2).map((e) => [e.payload.op, e.payload.ref, e.payload.status]);
    expect(grants).toEqual([
      ['map', 1, BigInt(GNTST.general_error)], // A's page table, writable: never
      ['map', 1, 0n], // read-only is fine
      ['unmap', 0, 0n],
      ['map', 2, 0n],
      ['map', 3, 0n], // read-only grant, read-only map
      ['copy', 3, BigInt(GNTST.permission_denied)], // a copy into the read-only grant
      ['copy', 1, BigInt(GNTST.general_error)], // a copy into the page table
    ]);
    const mm = hypercalls(r.log, 2).filter((h) => h.nr === 1 || h.nr === 14).map((h) => [h.nr, h.result]);
    expect(mm.slice(4)).toEqual([
      [1, -22n], // the grant mapping's PTE rewritten with mmu_update
      [14, -22n], // ... or update_va_mapping
      [1, -1n], // the granted frame mapped without the grant
    ]);
    // the store through the read-only grant mapping was a page fault for B's kernel
    expect(readU64(r.hv, 2, b.sym.get('fault')!)).toBe(15n);
    expect(domainHash(r.hv, 1)).toBe(before);
  });
});
