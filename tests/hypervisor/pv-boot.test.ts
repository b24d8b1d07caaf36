// PV domains boot (docs/PV-ABI.md §3): a kernel that prints through console_io and shuts down,
// the start_info it is given, the initial page tables' types and pins.
import { describe, expect, test } from 'vitest';
import { COMMON_DATA, events, hc, print, pvConfig, results, runPv, shutdown, tempDir } from './pv-guest.ts';

const HELLO = `
_start:
${print('msg', 6)}
${shutdown()}
spin:
  j spin
msg:
  .ascii "hello\\n"
${COMMON_DATA}
`;

describe('PV boot', () => {
  test('a kernel prints through console_io and powers off', () => {
    const dir = tempDir();
    const r = runPv([pvConfig(dir, 'hello', HELLO)]);
    expect(r.out.get('hello')).toBe('hello\n');
    expect(results(r.log, 18)).toEqual([6n]);
    expect(results(r.log, 29)).toEqual([0n]);
    expect(r.hv.control.state.domains[1].status).toBe('destroyed');
    expect(events(r.log, 'console', 1).map((e) => e.payload.dev)).toEqual([0xfe]);
  });
});

describe('PV boot state (§3)', () => {
  const SPIN = `_start:\n  j _start\n`;

  test('registers at entry, start_info, shared_info and the initial tables', async () => {
    const { pvHost, startPv, KERNEL_BASE } = await import('./pv-guest.ts');
    const { frameInfo } = await import('../../src/hypervisor/pv/state.ts');
    const r = startPv([pvConfig(tempDir(), 'st', SPIN, 'cmdline = "console=hvc0 quiet"')]);
    r.hv.run(0);
    const pv = pvHost(r.hv);
    const dom = pv.dom(1);
    const h = r.hv.domains[0].vcpus[0].hart;
    const nr = 4096;
    const si = dom.boot.startInfo * 4096;
    expect(h.pc).toBe(KERNEL_BASE);
    expect(h.priv).toBe(0);
    expect(h.virt).toBe(false);
    expect(h.getX(10)).toBe(KERNEL_BASE + BigInt(dom.boot.startInfoPfn * 4096));
    expect(h.getX(11)).toBe(0n);
    expect(h.getX(2)).toBe(KERNEL_BASE + BigInt(nr * 4096));
    expect(new TextDecoder().decode(pv.hm.read(si, 18))).toBe('chronovisor-pv-1.0');
    expect(pv.hm.u64(si + 32)).toBe(BigInt(nr));
    expect(pv.hm.u64(si + 40)).toBe(KERNEL_BASE + BigInt(dom.boot.sharedInfoPfn * 4096));
    expect(pv.hm.u32(si + 52)).toBe(1);
    expect(pv.hm.u64(si + 56)).toBe(BigInt(dom.boot.store));
    expect([pv.hm.u32(si + 64), pv.hm.u32(si + 68)]).toEqual([1, 2]);
    expect(pv.hm.u64(si + 72)).toBe(BigInt(dom.boot.console));
    const ptBase = pv.hm.u64(si + 80);
    const nPt = Number(pv.hm.u64(si + 88));
    expect(nPt).toBe(1 + 1 + 8); // root, one l2, eight l1s for 16 MiB
    // the image is one page: the tables follow it, then start_info, shared_info, the trap frame, mfn_list (8 pages), rings
    expect(ptBase).toBe(KERNEL_BASE + 4096n);
    expect(dom.boot.startInfoPfn).toBe(1 + nPt);
    expect(dom.boot.sharedInfoPfn).toBe(2 + nPt);
    expect(pv.hm.u64(si + 96)).toBe(KERNEL_BASE + BigInt((4 + nPt) * 4096));
    expect(pv.hm.u64(si + 120)).toBe(BigInt(4 + nPt + 8 + 2));
    expect(new TextDecoder().decode(pv.hm.read(si + 128, 18))).toBe('console=hvc0 quiet');
    // upcalls masked at entry
    expect(pv.hm.u8(dom.boot.sharedInfo * 4096 + 1)).toBe(1);
    // mfn_list maps pfn -> mfn; the root is the pinned l3 in satp
    const root = dom.vcpus[0].kernelRoot;
    expect(h.satp).toBe((8n << 60n) | BigInt(root));
    expect(frameInfo(pv.state, root)).toMatchObject({ type: 'l3', pinned: true, count: 1 });
    const l2 = Number(pv.hm.u64(root * 4096 + 256 * 8) >> 10n);
    expect(frameInfo(pv.state, l2)).toMatchObject({ type: 'l2', pinned: true, count: 2 });
    const l1 = Number(pv.hm.u64(l2 * 4096) >> 10n);
    expect(frameInfo(pv.state, l1)).toMatchObject({ type: 'l1', pinned: true, count: 2, maps: 1 });
    // every frame is mapped once; writable unless a table or start_info; shared_info is `shared`
    expect(frameInfo(pv.state, dom.boot.startInfo)).toMatchObject({ type: 'none', count: 0, maps: 1 });
    expect(frameInfo(pv.state, dom.boot.sharedInfo)).toMatchObject({ type: 'shared', maps: 1 });
    expect(frameInfo(pv.state, dom.boot.store)).toMatchObject({ type: 'writable', count: 1, maps: 1 });
    expect(pv.hm.u64(dom.boot.mfnList * 4096 + 5 * 8)).toBe(BigInt(root + 4)); // the root is pfn 1 of contiguous RAM
  });

  test('a kernel linked outside KERNEL_BASE is refused with a message that says where to link it', async () => {
    const { elfImage } = await import('./pv-guest.ts');
    const { writeFileSync } = await import('node:fs');
    const { loadDomainConfig } = await import('../../src/hypervisor/config/domain-config.ts');
    const { Hypervisor } = await import('../../src/hypervisor/hypervisor.ts');
    const dir = tempDir();
    writeFileSync(`${dir}/low.elf`, elfImage(Uint8Array.of(0x6f, 0, 0, 0), 0x80200000n));
    writeFileSync(`${dir}/low.cfg`, 'name = "low"\ntype = "pv"\nmemory = 16\nkernel = "low.elf"\n');
    const hv = new Hypervisor({ domains: [loadDomainConfig(`${dir}/low.cfg`).config] });
    expect(() => hv.run(10)).toThrow(/outside the kernel window 0xffffffc000000000.*link it at KERNEL_BASE/);
  });
});

test('hypercall numbers outside the table are -ENOSYS and logged', () => {
  const src = `_start:\n  li a0, 7\n${hc(99)}\n${hc(2)}\n${shutdown()}\n${COMMON_DATA}`;
  const r = runPv([pvConfig(tempDir(), 'nosys', src)]);
  expect(results(r.log, 99)).toEqual([-38n]);
  expect(results(r.log, 2)).toEqual([-38n]);
});
