import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, test } from 'vitest';
import { buildDomainFdt, buildDomainFdtBlob, type DomainFdtDescription } from '../../src/hypervisor/domain-fdt.ts';
import { readFdt } from '../../src/machine/fdt/reader.ts';
import { formatDts } from '../../src/machine/fdt/dts.ts';
import { findByPhandle, findNode, getProp, propCells, propStrings, type FdtNode } from '../../src/machine/fdt/tree.ts';

const MiB = 2 ** 20;

/** An HVM domain with the devices a device model would give it. */
const HVM: DomainFdtDescription = {
  memory: { base: 0x80000000n, bytes: 256 * MiB },
  vcpus: 2,
  isa: 'rv64imafdc_zicsr_zifencei',
  mmuType: 'riscv,sv39',
  timebaseHz: 10_000_000,
  bootargs: 'console=ttyS0 earlycon',
  initrd: { start: 0x88000000n, end: 0x88200000n },
  plic: { base: 0xc000000n, size: 0x600000, ndev: 95 },
  devices: [
    // Deliberately out of address order: the tree lists /soc children by address.
    { name: 'virtio_mmio', compatible: ['virtio,mmio'], base: 0x10001000n, size: 0x1000, irq: 1 },
    { name: 'serial', compatible: ['ns16550a'], base: 0x10000000n, size: 0x100, irq: 10, props: { 'clock-frequency': 3686400 } },
    {
      name: 'ethernet',
      compatible: ['chronovisor,nic'],
      base: 0x10002000n,
      size: 0x1000,
      irq: 2,
      props: { 'local-mac-address': new Uint8Array([0, 0x16, 0x3e, 1, 2, 3]), 'dma-coherent': true, label: 'net0', ids: [1, 2], 'fifo-base': 0x1_0000_0000n, names: ['a', 'b'] },
    },
  ],
  hypervisor: { type: 'hvm', domid: 3, name: 'web' },
};

/** A PV domain: no emulated devices, no PLIC. */
const PV: DomainFdtDescription = {
  memory: { base: 0x80000000n, bytes: 64 * MiB },
  vcpus: 1,
  isa: 'rv64imac_zicsr_zifencei',
  mmuType: 'riscv,sv39',
  timebaseHz: 10_000_000,
  devices: [],
  hypervisor: {
    type: 'pv',
    domid: 1,
    sharedInfo: 0x83fff000n,
    startInfo: 0x83ffe000n,
    consolePage: 0x83ffd000n,
    consoleEvtchn: 2,
    xenstorePage: 0x83ffc000n,
    xenstoreEvtchn: 1,
    grantTable: { base: 0x38000000n, size: 0x100000 },
    upcallIrq: 1,
  },
};

const node = (root: FdtNode, p: string): FdtNode => {
  const n = findNode(root, p);
  if (!n) throw new Error(`no node ${p}`);
  return n;
};
const cells = (n: FdtNode, name: string): number[] => propCells(getProp(n, name)!);
const strings = (n: FdtNode, name: string): string[] => propStrings(getProp(n, name)!);

describe('domain device tree', () => {
  it('round-trips through the FDT reader unchanged', () => {
    for (const desc of [HVM, PV]) {
      const tree = buildDomainFdt(desc);
      const back = readFdt(buildDomainFdtBlob(desc));
      expect(back.root).toEqual(tree.root);
      expect(back.reservations).toEqual([]);
      expect(formatDts(back)).toBe(formatDts(tree));
    }
  });

  it('is byte-identical on every build', () => {
    expect(buildDomainFdtBlob(HVM)).toEqual(buildDomainFdtBlob({ ...HVM, devices: [...HVM.devices] }));
  });

  it('describes each vCPU with its interrupt controller', () => {
    const root = buildDomainFdt(HVM).root;
    expect(cells(node(root, '/cpus'), 'timebase-frequency')).toEqual([10_000_000]);
    expect(node(root, '/cpus').children.map((c) => c.name)).toEqual(['cpu@0', 'cpu@1', 'cpu-map']);
    for (const i of [0, 1]) {
      const cpu = node(root, `/cpus/cpu@${i}`);
      expect(strings(cpu, 'riscv,isa')).toEqual(['rv64imafdc_zicsr_zifencei']);
      expect(strings(cpu, 'mmu-type')).toEqual(['riscv,sv39']);
      expect(cells(cpu, 'reg')).toEqual([i]);
      const intc = node(root, `/cpus/cpu@${i}/interrupt-controller`);
      expect(strings(intc, 'compatible')).toEqual(['riscv,cpu-intc']);
      expect(getProp(intc, 'interrupt-controller')!.value.length).toBe(0);
      // Phandles: cpu@0, its intc, cpu@1, its intc, then the PLIC.
      expect(cells(cpu, 'phandle')).toEqual([1 + 2 * i]);
      expect(cells(intc, 'phandle')).toEqual([2 + 2 * i]);
    }
    expect(cells(node(root, '/cpus/cpu-map/cluster0/core1'), 'cpu')).toEqual([3]);
  });

  it('gives the PLIC only S-mode contexts, one per vCPU', () => {
    const root = buildDomainFdt(HVM).root;
    const plic = node(root, '/soc/plic@c000000');
    expect(cells(plic, 'phandle')).toEqual([5]);
    expect(cells(plic, 'interrupts-extended')).toEqual([2, 9, 4, 9]);
    expect(cells(plic, 'riscv,ndev')).toEqual([95]);
    expect(cells(plic, 'reg')).toEqual([0, 0xc000000, 0, 0x600000]);
    expect(strings(plic, 'compatible')).toEqual(['sifive,plic-1.0.0', 'riscv,plic0']);
    expect(findNode(root, '/soc/clint@2000000')).toBeUndefined();
  });

  it('lists devices by address, wired to the PLIC', () => {
    const root = buildDomainFdt(HVM).root;
    expect(node(root, '/soc').children.map((c) => c.name)).toEqual(['plic@c000000', 'serial@10000000', 'virtio_mmio@10001000', 'ethernet@10002000']);
    const uart = node(root, '/soc/serial@10000000');
    expect(cells(uart, 'reg')).toEqual([0, 0x10000000, 0, 0x100]);
    expect(cells(uart, 'interrupts')).toEqual([10]);
    expect(findByPhandle(root, cells(uart, 'interrupt-parent')[0]!)?.name).toBe('plic@c000000');
    expect(uart.props.map((p) => p.name)).toEqual(['compatible', 'reg', 'interrupts', 'interrupt-parent', 'clock-frequency']);
    const eth = node(root, '/soc/ethernet@10002000');
    expect(Array.from(getProp(eth, 'local-mac-address')!.value)).toEqual([0, 0x16, 0x3e, 1, 2, 3]);
    expect(getProp(eth, 'dma-coherent')!.value.length).toBe(0);
    expect(strings(eth, 'label')).toEqual(['net0']);
    expect(cells(eth, 'ids')).toEqual([1, 2]);
    expect(cells(eth, 'fifo-base')).toEqual([1, 0]);
    expect(strings(eth, 'names')).toEqual(['a', 'b']);
  });

  it('fills /chosen and /memory', () => {
    const root = buildDomainFdt(HVM).root;
    const chosen = node(root, '/chosen');
    expect(strings(chosen, 'bootargs')).toEqual(['console=ttyS0 earlycon']);
    expect(strings(chosen, 'stdout-path')).toEqual(['/soc/serial@10000000']);
    expect(cells(chosen, 'linux,initrd-start')).toEqual([0, 0x88000000]);
    expect(cells(chosen, 'linux,initrd-end')).toEqual([0, 0x88200000]);
    const mem = node(root, '/memory@80000000');
    expect(strings(mem, 'device_type')).toEqual(['memory']);
    expect(cells(mem, 'reg')).toEqual([0, 0x80000000, 0, 256 * MiB]);
    expect(strings(root, 'model')).toEqual(['Chronovisor HVM domain']);
  });

  it('takes an explicit stdout device', () => {
    const desc = { ...HVM, stdout: 'virtio_mmio@10001000' };
    expect(strings(node(buildDomainFdt(desc).root, '/chosen'), 'stdout-path')).toEqual(['/soc/virtio_mmio@10001000']);
  });

  it('describes the hypervisor, leaving out what is not given', () => {
    const hvm = node(buildDomainFdt(HVM).root, '/hypervisor');
    expect(hvm.props.map((p) => p.name)).toEqual(['compatible', 'chronovisor,domain-type', 'chronovisor,domid', 'chronovisor,domain-name']);
    expect(strings(hvm, 'compatible')).toEqual(['chronovisor,hvm', 'chronovisor,hypervisor']);
    expect(cells(hvm, 'chronovisor,domid')).toEqual([3]);

    const pv = node(buildDomainFdt(PV).root, '/hypervisor');
    expect(strings(pv, 'chronovisor,domain-type')).toEqual(['pv']);
    expect(cells(pv, 'chronovisor,shared-info')).toEqual([0, 0x83fff000]);
    expect(cells(pv, 'chronovisor,start-info')).toEqual([0, 0x83ffe000]);
    expect(cells(pv, 'chronovisor,console-page')).toEqual([0, 0x83ffd000]);
    expect(cells(pv, 'chronovisor,console-evtchn')).toEqual([2]);
    expect(cells(pv, 'chronovisor,xenstore-page')).toEqual([0, 0x83ffc000]);
    expect(cells(pv, 'chronovisor,xenstore-evtchn')).toEqual([1]);
    expect(cells(pv, 'chronovisor,grant-table')).toEqual([0, 0x38000000, 0, 0x100000]);
    expect(cells(pv, 'interrupts-extended')).toEqual([2, 1]);
  });

  it('gives a PV domain no emulated devices', () => {
    const root = buildDomainFdt(PV).root;
    expect(node(root, '/soc').children).toEqual([]);
    expect(node(root, '/chosen').props).toEqual([]);
    expect(root.children.map((c) => c.name)).toEqual(['chosen', 'hypervisor', 'cpus', 'memory@80000000', 'soc']);
    expect(findNode({ ...buildDomainFdt({ ...PV, hypervisor: undefined }).root }, '/hypervisor')).toBeUndefined();
  });

  const dev = (over: object) => ({ ...HVM, devices: [{ name: 'x', compatible: ['y'], base: 0x20000000n, size: 0x1000, ...over }] });
  test.each([
    ['no vCPUs', { ...HVM, vcpus: 0 }, 'vcpus must be 1..512, got 0'],
    ['no memory', { ...HVM, memory: { base: 0x80000000n, bytes: 0 } }, 'memory.bytes must be a positive integer, got 0'],
    ['initrd backwards', { ...HVM, initrd: { start: 2n, end: 1n } }, 'initrd.end is before initrd.start'],
    ['irq without a PLIC', { ...PV, devices: [{ name: 'x', compatible: ['y'], base: 0x1000n, size: 16, irq: 1 }] }, 'device x@1000: has irq 1 but the domain has no PLIC'],
    ['irq beyond the PLIC', dev({ irq: 96 }), "device x@20000000: irq 96 is outside the PLIC's sources 1..95"],
    ['reserved property', dev({ props: { reg: 1 } }), 'device x@20000000: property "reg" is written by the builder; do not pass it in props'],
    ['bad node name', dev({ name: 'x y' }), 'device x y@20000000: invalid node name "x y"'],
    ['no compatible', dev({ compatible: [] }), 'device x@20000000: needs at least one compatible string'],
    ['overlapping devices', { ...HVM, devices: [...HVM.devices, { name: 'x', compatible: ['y'], base: 0x10000080n, size: 16 }] }, 'x@10000080 overlaps serial@10000000'],
    ['device over the PLIC', dev({ base: 0xc000100n }), 'x@c000100 overlaps plic@c000000'],
    ['device inside RAM', dev({ base: 0x80001000n }), 'x@80001000 overlaps memory@80000000'],
    ['unknown stdout', { ...HVM, stdout: 'serial@0' }, 'stdout "serial@0" is not a device of this domain'],
  ])('refuses %s', (_what, desc, message) => {
    expect(() => buildDomainFdt(desc as DomainFdtDescription)).toThrow(new RangeError(message));
  });
});

const hasDtc = spawnSync('dtc', ['--version']).status === 0;

describe.skipIf(!hasDtc)('domain device tree and dtc', () => {
  const run = (args: string[], input: Uint8Array) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chronovisor-domfdt-'));
    try {
      const inFile = path.join(dir, 'in');
      const outFile = path.join(dir, 'out');
      writeFileSync(inFile, input);
      const r = spawnSync('dtc', [...args, '-o', outFile, inFile], { encoding: 'utf8' });
      return { status: r.status, stderr: r.stderr, out: r.status === 0 ? readFileSync(outFile) : Buffer.alloc(0) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('decompiles without a warning', () => {
    for (const desc of [HVM, PV]) {
      const r = run(['-I', 'dtb', '-O', 'dts'], buildDomainFdtBlob(desc));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const dts = r.out.toString('utf8');
      expect(dts).toContain('riscv,isa = ');
      expect(dts).toContain(desc === HVM ? 'stdout-path = "/soc/serial@10000000";' : 'chronovisor,domain-type = "pv";');
    }
  });

  it('re-flattens to the same bytes', () => {
    for (const desc of [HVM, PV]) {
      const blob = buildDomainFdtBlob(desc);
      const r = run(['-q', '-I', 'dtb', '-O', 'dtb'], blob);
      expect(new Uint8Array(r.out)).toEqual(blob);
    }
  });
});
