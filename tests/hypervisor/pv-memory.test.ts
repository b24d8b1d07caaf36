// Direct paging done right (docs/PV-ABI.md §4): a kernel builds and installs a new l1 table,
// maps frames through it with mmu_update and update_va_mapping, takes it down again, switches
// to a new root, and gives frames back and takes new ones with memory_op.
import { describe, expect, test } from 'vitest';
import { frameInfo } from '../../src/hypervisor/pv/state.ts';
import { EPILOGUE, hc, hypercalls, KERNEL_BASE, PROLOGUE, pvDomain, pvHost, readU64, shutdown, startPv, tempDir } from './pv-guest.ts';

const NEW_L1 = `
${PROLOGUE}
  ld s2, 120(s0)            # F = first free pfn
  mv a0, s2
  call pfn_to_mfn
  mv s3, a0                 # mfn(F): the new l1
  addi a0, s2, 1
  call pfn_to_mfn
  mv s4, a0                 # mfn(F+1)
  addi a0, s2, 2
  call pfn_to_mfn
  mv s5, a0                 # mfn(F+2)
  ld t0, 80(s0)
  li t1, 0xffffffc000000000
  sub t0, t0, t1
  srli t0, t0, 12
  addi a0, t0, 1
  call pfn_to_mfn
  slli s6, a0, 12
  addi s6, s6, 64           # s6 = machine address of l2 entry 8 (VA KERNEL_BASE + 16 MiB)
  mv a0, s2
  call make_ro              # 14: F read-only
  li a0, 0
  mv a1, s3
  call ext1                 # 26: pin F as l1
  mv a0, s6
  slli a1, s3, 10
  ori a1, a1, 1
  call mmu1                 # 1: l2[8] -> F
  slli a0, s3, 12
  slli a1, s4, 10
  ori a1, a1, 0xd7
  call mmu1                 # 1: F[0] -> F+1, writable
  li t0, ${KERNEL_BASE + 16n * 1024n * 1024n}
  li t1, 0x1234
  sd t1, 0(t0)              # through the new mapping
  addi a0, s2, 1
  call pfn_to_va
  ld t1, 0(a0)              # ... seen through the old one
  la t0, seen
  sd t1, 0(t0)
  li a0, ${KERNEL_BASE + 16n * 1024n * 1024n + 4096n}
  slli a1, s5, 10
  ori a1, a1, 0x53
  li a2, 2
${hc(14)}                   # 14: F[1] -> F+2 read-only (update_va_mapping)
  slli a0, s4, 12
  ori a0, a0, 1
  li a1, 12345
  call mmu1                 # 1: MMU_MACHPHYS_UPDATE
  li a0, 6
  call ext1                 # 26: TLB_FLUSH_LOCAL
  li a0, 7
  li a1, ${KERNEL_BASE}
  call ext1                 # 26: INVLPG_LOCAL
  li a0, 10
  call ext1                 # 26: TLB_FLUSH_ALL
  li a0, ${KERNEL_BASE + 16n * 1024n * 1024n}
  li a1, 0
  li a2, 1
${hc(14)}                   # 14: unmap F[0]
  mv a0, s6
  li a1, 0
  call mmu1                 # 1: l2[8] = 0
  li a0, 4
  mv a1, s3
  call ext1                 # 26: unpin F
  mv a0, s2
  call pfn_to_va
  slli a1, s3, 10
  ori a1, a1, 0xd7
  li a2, 0
${hc(14)}                   # 14: F writable again
  # memory_op: current, maximum, maximum_ram_page, memory_map
  li a0, 3
  la a1, self_id
${hc(12)}
  li a0, 4
  la a1, self_id
${hc(12)}
  li a0, 2
${hc(12)}
  li a0, 9
  la a1, mmap
${hc(12)}
  # give back F+3 (unmapped first), then take a frame
  addi a0, s2, 3
  call pfn_to_va
  li a1, 0
  li a2, 0
${hc(14)}
  addi a0, s2, 3
  call pfn_to_mfn
  la t0, extent
  sd a0, 0(t0)
  li a0, 1
  la a1, reservation
${hc(12)}
  li a0, 3
  la a1, self_id
${hc(12)}
  la t0, extent
  sd zero, 0(t0)
  li a0, 0
  la a1, reservation
${hc(12)}
  li a0, 0
  la a1, reservation
${hc(12)}
${shutdown()}
  .align 3
seen:
  .dword 0
self_id:
  .half 0x7ff0
  .half 0
  .word 0
mmap:
  .word 4
  .word 0
  .dword mmap_buf
mmap_buf:
  .space 96
extent:
  .dword 0
reservation:
  .dword extent
  .dword 1
  .word 0
  .word 0
  .half 0x7ff0
  .half 0
  .word 0
${EPILOGUE}
`;

const NEW_ROOT = `
${PROLOGUE}
  ld s2, 120(s0)
  mv a0, s2
  call pfn_to_mfn
  mv s3, a0                 # the new root
  ld a1, 80(s0)             # copy the boot root into it
  mv a0, s2
  call pfn_to_va
  li a2, 4096
  call copy
  mv a0, s2
  call make_ro
  li a0, 2
  mv a1, s3
  call ext1                 # pin as l3
  li a0, 5
  mv a1, s3
  call ext1                 # NEW_BASEPTR
  ld t0, 80(s0)
  li t1, 0xffffffc000000000
  sub t0, t0, t1
  srli a0, t0, 12
  call pfn_to_mfn
  mv a1, a0
  li a0, 4
  call ext1                 # unpin the boot root: no longer in use
${shutdown()}
${EPILOGUE}
`;

describe('PV memory management', () => {
  test('a new l1 table: pin, install, map, remap, take down', () => {
    const { config, sym } = pvDomain(tempDir(), 'mm', NEW_L1, 'on_poweroff = "preserve"');
    const r = startPv([config]);
    r.hv.run(0);
    const pv = pvHost(r.hv);
    const freePfn = Number(pv.hm.u64(pv.dom(1).boot.startInfo * 4096 + 120));
    const mfnF = Number(pv.hm.u64(pv.dom(1).boot.mfnList * 4096 + freePfn * 8));
    const freed = mfnF + 3;
    r.hv.run(2_000_000);
    const got = hypercalls(r.log, 1).map((h) => [h.nr, h.result]);
    expect(got).toEqual([
      [14, 0n], [26, 0n], [1, 0n], [1, 0n], [14, 0n], [1, 0n], [26, 0n], [26, 0n], [26, 0n],
      [14, 0n], [1, 0n], [26, 0n], [14, 0n],
      [12, 4096n], [12, 4096n], [12, BigInt(r.hv.frames.base / 4096 + r.hv.frames.count)], [12, 0n],
      [14, 0n], [12, 1n], [12, 4095n], [12, 1n], [12, 0n],
      [29, 0n],
    ]);
    expect(readU64(r.hv, 1, sym.get('seen')!)).toBe(0x1234n);
    // the memory map: one RAM region of 16 MiB at 0, and one entry written
    expect(readU64(r.hv, 1, sym.get('mmap')!) & 0xffffffffn).toBe(1n);
    expect(readU64(r.hv, 1, sym.get('mmap_buf')! + 8n)).toBe(16n * 1024n * 1024n);
    // the frame given back came back (lowest free first)
    expect(readU64(r.hv, 1, sym.get('extent')!)).toBe(BigInt(freed));
    expect(pv.dom(1).pages).toBe(4096);
    expect(pv.dom(1).m2p[mfnF + 1]).toBe(12345);
    expect(frameInfo(pv.state, mfnF)).toMatchObject({ type: 'writable', count: 1, pinned: false, maps: 1 });
    expect(frameInfo(pv.state, mfnF + 1)).toMatchObject({ type: 'writable', count: 1, maps: 1 });
    expect(frameInfo(pv.state, mfnF + 2)).toMatchObject({ type: 'writable', count: 1, maps: 1 });
    expect(frameInfo(pv.state, freed)).toMatchObject({ type: 'none', count: 0, maps: 0 });
  });

  test('NEW_BASEPTR switches to another pinned root; the old one can then be unpinned', () => {
    const { config } = pvDomain(tempDir(), 'root', NEW_ROOT, 'on_poweroff = "preserve"');
    const r = startPv([config]);
    r.hv.run(0);
    const pv = pvHost(r.hv);
    const oldRoot = pv.vcpu(1, 0).kernelRoot;
    r.hv.run(2_000_000);
    expect(hypercalls(r.log, 1).map((h) => h.result)).toEqual([0n, 0n, 0n, 0n, 0n]);
    const root = pv.vcpu(1, 0).kernelRoot;
    expect(root).not.toBe(oldRoot);
    expect(frameInfo(pv.state, root)).toMatchObject({ type: 'l3', pinned: true });
    expect(frameInfo(pv.state, oldRoot)).toMatchObject({ type: 'none', pinned: false, count: 0 });
    const l2 = Number(pv.hm.u64(root * 4096 + 256 * 8) >> 10n);
    expect(frameInfo(pv.state, l2)).toMatchObject({ type: 'l2', pinned: true, count: 2 });
  });
});
