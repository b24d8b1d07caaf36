import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildVirtFdt, buildVirtFdtBlob, type VirtFdtConfig } from '../../src/machine/virt-fdt.ts';
import { readFdt } from '../../src/machine/fdt/reader.ts';
import { writeFdt } from '../../src/machine/fdt/writer.ts';
import { formatDts } from '../../src/machine/fdt/dts.ts';
import {
  cloneNode,
  findByPhandle,
  findNode,
  getProp,
  propCells,
  propStrings,
  type Fdt,
  type FdtNode,
} from '../../src/machine/fdt/tree.ts';
import { dumpQemuDtb, hasQemu72 } from './qemu.ts';

const MiB = 2 ** 20;
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** The ISA and MMU our hart implements (DESIGN.md section 2). */
const OUR_CPU = { isa: 'rv64imafdc_zicsr_zifencei', mmuType: 'riscv,sv39' };

/**
 * Every intended difference between QEMU 7.2's virt tree and ours, applied to a copy of
 * QEMU's tree. Keep this list in step with the header comment of src/machine/virt-fdt.ts.
 */
function applyIntendedDifferences(qemu: Fdt, cpu?: { isa: string; mmuType: string }, dropRngSeed = false): Fdt {
  const root = cloneNode(qemu.root);
  const drop = (parent: FdtNode, pred: (n: FdtNode) => boolean) =>
    parent.children.splice(0, parent.children.length, ...parent.children.filter((c) => !pred(c)));
  // 1. Devices we do not emulate: flash, fw_cfg, PCIe host.
  drop(root, (n) => n.name.startsWith('flash@') || n.name.startsWith('fw-cfg@'));
  drop(findNode(root, '/soc')!, (n) => n.name.startsWith('pci@'));
  // 2. rng-seed only when the caller supplies deterministic bytes.
  const chosen = findNode(root, '/chosen')!;
  if (dropRngSeed) chosen.props.splice(chosen.props.findIndex((p) => p.name === 'rng-seed'), 1);
  // 3. The CPU description is our hart's, not QEMU's default rv64 CPU.
  if (cpu) {
    for (const c of findNode(root, '/cpus')!.children.filter((n) => n.name.startsWith('cpu@'))) {
      const isa = c.props.findIndex((p) => p.name === 'riscv,isa');
      const mmu = c.props.findIndex((p) => p.name === 'mmu-type');
      c.props[isa] = { name: 'riscv,isa', value: new TextEncoder().encode(`${cpu.isa}\0`) };
      c.props[mmu] = { name: 'mmu-type', value: new TextEncoder().encode(`${cpu.mmuType}\0`) };
    }
  }
  return { ...qemu, root };
}

/** Reads the machine parameters back out of a QEMU tree, so both sides describe one machine. */
function configOf(t: Fdt): VirtFdtConfig {
  const mem = propCells(getProp(findNode(t.root, '/memory@80000000')!, 'reg')!);
  const cpus = findNode(t.root, '/cpus')!.children.filter((n) => n.name.startsWith('cpu@'));
  const chosen = findNode(t.root, '/chosen')!;
  const str = (n: FdtNode, p: string) => propStrings(getProp(n, p)!)[0]!;
  const cell = (n: FdtNode, p: string) => propCells(getProp(n, p)!)[0]!;
  const cfg: VirtFdtConfig = {
    memBytes: mem[2]! * 2 ** 32 + mem[3]!,
    harts: cpus.length,
    isa: str(cpus[0]!, 'riscv,isa'),
    mmuType: str(cpus[0]!, 'mmu-type'),
    rngSeed: getProp(chosen, 'rng-seed')!.value,
  };
  if (getProp(chosen, 'bootargs')) cfg.bootargs = str(chosen, 'bootargs');
  if (getProp(chosen, 'linux,initrd-start')) {
    cfg.initrd = { start: cell(chosen, 'linux,initrd-start'), end: cell(chosen, 'linux,initrd-end') };
  }
  return cfg;
}

function expectSameTree(ours: Fdt, expected: Fdt): void {
  // Compare the text first for a readable diff, then the exact bytes.
  expect(formatDts(ours)).toBe(formatDts(expected));
  expect(writeFdt(ours)).toEqual(writeFdt(expected));
}

describe('virt device tree vs QEMU 7.2 dumps (fixtures)', () => {
  it.each(['qemu-7.2-virt-256M-smp1.dtb', 'qemu-7.2-virt-256M-smp2-initrd.dtb', 'qemu-7.2-virt-1G-smp4.dtb'])(
    '%s: identical once the intended differences are applied',
    (name) => {
      const qemu = readFdt(fixture(name));
      expectSameTree(buildVirtFdt(configOf(qemu)), applyIntendedDifferences(qemu));
    },
  );

  it('our own machine (rv64imafdc, Sv39, no seed) differs only as documented', () => {
    const qemu = readFdt(fixture('qemu-7.2-virt-256M-smp2-initrd.dtb'));
    const { rngSeed: _seed, ...cfg } = configOf(qemu);
    const ours = buildVirtFdt({ ...cfg, ...OUR_CPU });
    expectSameTree(ours, applyIntendedDifferences(qemu, OUR_CPU, true));
  });
});

describe('virt device tree structure', () => {
  const cfg: VirtFdtConfig = { memBytes: 512 * MiB, harts: 4, ...OUR_CPU };

  it('is byte-identical across runs and has no rng-seed unless given one', () => {
    const a = buildVirtFdtBlob(cfg);
    expect(buildVirtFdtBlob(cfg)).toEqual(a);
    expect(getProp(findNode(readFdt(a).root, '/chosen')!, 'rng-seed')).toBeUndefined();
    const seed = new Uint8Array(32).map((_, i) => i);
    const seeded = readFdt(buildVirtFdtBlob({ ...cfg, rngSeed: seed }));
    expect(getProp(findNode(seeded.root, '/chosen')!, 'rng-seed')!.value).toEqual(seed);
  });

  it('every phandle reference resolves to the right node', () => {
    const t = buildVirtFdt(cfg);
    const plic = findNode(t.root, '/soc/plic@c000000')!;
    const plicPh = propCells(getProp(plic, 'phandle')!)[0]!;
    for (const dev of ['/soc/serial@10000000', '/soc/rtc@101000', '/soc/virtio_mmio@10008000', '/platform-bus@4000000']) {
      expect(propCells(getProp(findNode(t.root, dev)!, 'interrupt-parent')!)).toEqual([plicPh]);
    }
    const ext = propCells(getProp(plic, 'interrupts-extended')!);
    const clint = propCells(getProp(findNode(t.root, '/soc/clint@2000000')!, 'interrupts-extended')!);
    for (let h = 0; h < 4; h++) {
      const intc = findNode(t.root, `/cpus/cpu@${h}/interrupt-controller`)!;
      const ph = propCells(getProp(intc, 'phandle')!)[0]!;
      expect(ext.slice(h * 4, h * 4 + 4)).toEqual([ph, 11, ph, 9]);
      expect(clint.slice(h * 4, h * 4 + 4)).toEqual([ph, 3, ph, 7]);
      const core = findNode(t.root, `/cpus/cpu-map/cluster0/core${h}`)!;
      expect(findByPhandle(t.root, propCells(getProp(core, 'cpu')!)[0]!)?.name).toBe(`cpu@${h}`);
    }
    const test = findByPhandle(t.root, propCells(getProp(findNode(t.root, '/poweroff')!, 'regmap')!)[0]!);
    expect(test?.name).toBe('test@100000');
  });

  it('leaves out devices that are not present', () => {
    const t = buildVirtFdt({ ...cfg, devices: { rtc: false, test: false, virtio: 2 }, pmuCounters: null, platformBus: false });
    const names = t.root.children.map((c) => c.name);
    expect(names).toEqual(['chosen', 'memory@80000000', 'cpus', 'soc']);
    expect(findNode(t.root, '/soc')!.children.map((c) => c.name)).toEqual([
      'serial@10000000',
      'virtio_mmio@10002000',
      'virtio_mmio@10001000',
      'plic@c000000',
      'clint@2000000',
    ]);
  });

  it('encodes memory above 4 GiB and the PMU counter mask like QEMU', () => {
    const t = buildVirtFdt({ ...cfg, memBytes: 6 * 1024 * MiB, pmuCounters: 29 });
    expect(propCells(getProp(findNode(t.root, '/memory@80000000')!, 'reg')!)).toEqual([0, 0x80000000, 1, 0x80000000]);
    const map = propCells(getProp(findNode(t.root, '/pmu')!, 'riscv,event-to-mhpmcounters')!);
    expect(map.slice(0, 3)).toEqual([1, 1, 0xfffffff9]);
    const zero = buildVirtFdt({ ...cfg, pmuCounters: 0 });
    expect(propCells(getProp(findNode(zero.root, '/pmu')!, 'riscv,event-to-mhpmcounters')!)[8]).toBe(0xfffffff8);
  });

  it('rejects impossible configurations with a clear message', () => {
    expect(() => buildVirtFdt({ ...cfg, harts: 0 })).toThrow(/harts must be 1\.\.512/);
    expect(() => buildVirtFdt({ ...cfg, rngSeed: new Uint8Array(8) })).toThrow(/32 bytes/);
    expect(() => buildVirtFdt({ ...cfg, devices: { virtio: 9 } })).toThrow(/virtio must be 0\.\.8/);
  });
});

describe.skipIf(!hasQemu72)('virt device tree vs the installed QEMU 7.2', () => {
  it.each([
    [['-m', '128M'], 'smp 1, 128 MiB'],
    [['-m', '3G', '-smp', '3'], 'smp 3, 3 GiB'],
    [['-m', '256M', '-smp', '8'], 'smp 8'],
  ])('%j (%s)', (args) => {
    const qemu = readFdt(dumpQemuDtb(args));
    expectSameTree(buildVirtFdt(configOf(qemu)), applyIntendedDifferences(qemu));
  });

  it('with -kernel, -initrd and -append', () => {
    const files = { 'k.bin': new Uint8Array(4096), 'i.bin': new Uint8Array(12345) };
    const qemu = readFdt(dumpQemuDtb(['-m', '512M', '-kernel', 'k.bin', '-initrd', 'i.bin', '-append', 'root=/dev/vda ro'], files));
    expectSameTree(buildVirtFdt(configOf(qemu)), applyIntendedDifferences(qemu));
  });

  it('QEMU accepts our blob with -dtb and keeps its layout; only the rng-seed bytes change', () => {
    // This is how the lockstep oracle gives both machines the same tree: QEMU re-seeds
    // /chosen/rng-seed in place, so every offset firmware computes stays the same.
    const marker = new Uint8Array(32).fill(0xa5);
    const ours = buildVirtFdtBlob({ memBytes: 256 * MiB, harts: 2, ...OUR_CPU, rngSeed: marker, bootargs: 'x' });
    const seedAt = ours.findIndex((_, k) => ours.subarray(k, k + 32).every((b) => b === 0xa5));
    const back = dumpQemuDtb(['-m', '256M', '-smp', '2', '-dtb', 'ours.dtb'], { 'ours.dtb': ours });
    expect(back.length).toBe(ours.length);
    const outsideSeed = (_: number, i: number) => i < seedAt || i >= seedAt + 32;
    expect(back.filter(outsideSeed)).toEqual(ours.filter(outsideSeed));
  });
});
