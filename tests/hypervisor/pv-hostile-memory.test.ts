// Hostile PV guests against direct paging (issue "PV guests", acceptance; docs/PV-ABI.md §4):
// mapping a foreign frame, mapping a page table writable, writing a pinned table directly and
// hypercalls with pointers outside the guest are each refused with the documented error,
// logged as a hypercall (or exit) event, and no other domain's memory changes.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { EPILOGUE, events, hc, hypercalls, KERNEL_BASE, PROLOGUE, pvConfig, pvDomain, pvHost, readU64, shutdown, startPv, tempDir } from './pv-guest.ts';

const EPERM = -1n, EFAULT = -14n, EBUSY = -16n, EINVAL = -22n;

/** Hash of every host frame owned by `dom`. */
function domainHash(hv: Hypervisor, dom: number): string {
  const h = createHash('sha256');
  const f = hv.frames;
  for (let i = 0; i < f.count; i++) {
    const hpa = f.base + i * 4096;
    if (f.ownerOf(hpa) === dom) h.update(hv.mem.peek(hpa, 4096)!);
  }
  return h.digest('hex');
}

const VICTIM = `_start:\n  j _start\n`;

/** The attacker's hypercalls, in order; each line's expected result is in EXPECTED. */
const attacker = (victimMfn: number, hvMfn: number) => `
${PROLOGUE}
  la a0, event_cb
  la a1, trap_cb
  li a2, 0
${hc(4)}
  ld s2, 120(s0)           # s2 = first free pfn
  mv a0, s2
  call l1_slot
  mv s3, a0                # s3 = machine address of the PTE mapping pfn s2
  mv a0, s2
  call pfn_to_mfn
  mv s4, a0                # s4 = mfn of pfn s2
  ld t0, 80(s0)
  li t1, 0xffffffc000000000
  sub t0, t0, t1
  srli s5, t0, 12          # s5 = root pfn
  addi a0, s5, 2
  call pfn_to_mfn
  mv s6, a0                # s6 = mfn of the first l1
  addi a0, s5, 2
  call l1_slot
  mv s7, a0                # s7 = PTE mapping the first l1 (read-only)
  # 1-4: foreign frames, RW and RO; a hypervisor frame; not RAM
  mv a0, s3
  li a1, ${(victimMfn << 10) | 0xd7}
  call mmu1
  mv a0, s3
  li a1, ${(victimMfn << 10) | 0x53}
  call mmu1
  mv a0, s3
  li a1, ${(hvMfn << 10) | 0x53}
  call mmu1
  mv a0, s3
  li a1, ${(0x10 << 10) | 0x53}
  call mmu1
  # 5: a page table mapped writable
  mv a0, s7
  slli a1, s6, 10
  ori a1, a1, 0xd7
  call mmu1
  # 6: a superpage leaf in the root
  mv s8, s5
  mv a0, s5
  call pfn_to_mfn
  slli a0, a0, 12
  addi a0, a0, 8
  slli a1, s4, 10
  ori a1, a1, 0xcf
  call mmu1
  # 7: a leaf without U
  mv a0, s3
  slli a1, s4, 10
  ori a1, a1, 0xc7
  call mmu1
  # 8: a "PTE" in a frame that is not a page table
  slli a0, s4, 12
  slli a1, s4, 10
  ori a1, a1, 0x53
  call mmu1
  # 9: a PTE in the victim's memory
  li a0, ${victimMfn * 4096}
  li a1, 0
  call mmu1
  # 10: pin a frame that is mapped writable; 11: unpin the root in use; 12: a root that is not a pinned l3
  li a0, 0
  mv a1, s4
  call ext1
  li a0, 4
  mv a0, s5
  call pfn_to_mfn
  mv a1, a0
  li a0, 4
  call ext1
  li a0, 5
  mv a1, s4
  call ext1
  # 13: mmu_update for another domain
  la a0, mmu_req
  li a1, 1
  li a2, 0
  li a3, 2
${hc(1)}
  # 14-18: pointers outside the guest: unmapped, past its memory, read-only (start_info) for a write
  li a0, 0x1000
  li a1, 1
  li a2, 0
  li a3, 0x7ff0
${hc(1)}
  li a0, 0
  li a1, 16
  li a2, ${KERNEL_BASE + 64n * 1024n * 1024n}
${hc(18)}
  li a0, 1
  mv a1, s0
${hc(17)}
  la a0, mmu_req
  li a1, 1
  mv a2, s0
  li a3, 0x7ff0
${hc(1)}
  li a0, 0
  li a1, 8
  li a2, 0xffffffffffff0000
${hc(18)}
  # 19-20: giving back a frame that is still mapped; a frame of another domain
  la t0, extent
  sd s4, 0(t0)
  li a0, 1
  la a1, reservation
${hc(12)}
  la t0, extent
  li t1, ${victimMfn}
  sd t1, 0(t0)
  li a0, 1
  la a1, reservation
${hc(12)}
  # a store to a pinned table: mapped read-only, so a page fault for the kernel
  ld t0, 80(s0)
  li t1, 0x5a5a
  sd t1, 0(t0)
  la t0, ntraps
  ld t1, 0(t0)
${shutdown()}
trap_cb:
  mv s1, a0
  la t0, ntraps
  ld t1, 0(t0)
  addi t1, t1, 1
  sd t1, 0(t0)
  ld t1, 264(s1)
  sd t1, 8(t0)
  ld t1, 272(s1)
  sd t1, 16(t0)
  ld t1, 256(s1)
  addi t1, t1, 4
  sd t1, 256(s1)
  mv a0, s1
${hc(23)}
event_cb:
  j event_cb
  .align 3
ntraps:
  .dword 0
  .dword 0
  .dword 0
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

describe('hostile PV guest: direct paging', () => {
  test('each attack is refused with its errno, logged, and the victim is untouched', () => {
    const dir = tempDir();
    // the layout is deterministic: find the victim's first frame and a hypervisor frame first
    const probe = startPv([pvConfig(dir, 'evil', VICTIM), pvConfig(dir, 'victim', VICTIM)]);
    const victimMfn = probe.hv.domains[1].memory.hostBase / 4096;
    const hvMfn = probe.hv.domains[0].p2m.root / 4096;
    const { config, sym } = pvDomain(dir, 'evil', attacker(victimMfn, hvMfn), 'on_poweroff = "preserve"');
    const r = startPv([config, pvConfig(dir, 'victim', VICTIM)]);
    r.hv.run(1000);
    const pv = pvHost(r.hv);
    const before = domainHash(r.hv, 2);
    const rootBefore = pv.hm.read(pv.vcpu(1, 0).kernelRoot * 4096, 4096);
    r.hv.run(3_000_000);
    expect(r.hv.control.state.domains[1].status).toBe('shutdown');
    const got = hypercalls(r.log, 1).map((h) => [h.nr, h.result]);
    expect(got).toEqual([
      [4, 0n],
      [1, EPERM], // foreign frame, writable
      [1, EPERM], // foreign frame, read-only
      [1, EPERM], // a hypervisor frame
      [1, EPERM], // not RAM
      [1, EINVAL], // a page table mapped writable
      [1, EINVAL], // a superpage
      [1, EINVAL], // a leaf without U
      [1, EINVAL], // not a page-table frame
      [1, EPERM], // a PTE in another domain's frame
      [26, EBUSY], // pin a writable frame
      [26, EBUSY], // unpin the root in use
      [26, EINVAL], // NEW_BASEPTR to a frame that is not a pinned l3
      [1, EPERM], // domid of another domain
      [1, EFAULT], // requests at an unmapped address
      [18, EFAULT], // console_io past the end of its memory
      [17, EFAULT], // xen_version writing into start_info (read-only)
      [1, EFAULT], // *done in read-only memory
      [18, EFAULT], // a non-canonical address
      [12, EBUSY], // decrease_reservation of a mapped frame
      [12, EPERM], // decrease_reservation of the victim's frame
      [23, 0n], // iret after the page fault on the pinned table
      [29, 0n],
    ]);
    // the store to the pinned table was a store page fault bounced to the kernel; the table is unchanged
    expect(readU64(r.hv, 1, sym.get('ntraps')!)).toBe(1n);
    expect(readU64(r.hv, 1, sym.get('ntraps')! + 8n)).toBe(15n);
    const ptBase = readU64(r.hv, 1, KERNEL_BASE + BigInt(pv.dom(1).boot.startInfoPfn * 4096) + 80n);
    expect(readU64(r.hv, 1, sym.get('ntraps')! + 16n)).toBe(ptBase);
    expect(events(r.log, 'exit', 1).some((e) => e.payload.reason === 'page-fault')).toBe(true);
    expect(pv.hm.read(pv.vcpu(1, 0).kernelRoot * 4096, 4096)).toEqual(rootBefore);
    expect(domainHash(r.hv, 2)).toBe(before);
    expect(r.hv.control.state.domains[2].status).toBe('running');
  });
});
