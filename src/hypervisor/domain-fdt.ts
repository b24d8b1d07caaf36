// The device tree one domain boots with: exactly the vCPUs, RAM and devices that domain has,
// and nothing else (issue 4: "each domain gets a device tree describing exactly what it has").
//
// Shape (fixed order, so the same description always gives the same blob):
//
//   / { #address-cells = <2>; #size-cells = <2>; compatible = "chronovisor,domain"; model;
//     chosen { bootargs; stdout-path; linux,initrd-start; linux,initrd-end; }
//     hypervisor { ... }                          only when `hypervisor` is given, see below
//     cpus { timebase-frequency;
//       cpu@N { riscv,isa; mmu-type; interrupt-controller { riscv,cpu-intc } } ... cpu-map }
//     memory@BASE { device_type = "memory"; reg; }
//     soc { simple-bus; devices and the PLIC in address order } }
//
// Differences from a bare machine's tree (src/machine/virt-fdt.ts), because a guest runs in
// VS-mode under the hypervisor:
// - no CLINT: guests get timers and IPIs from SBI (TIME, IPI), not from M-mode hardware;
// - the PLIC lists only S-mode contexts: context i is vCPU i's supervisor external interrupt
//   (interrupts-extended = <&intc_i 9> in vCPU order); the device model must number its
//   contexts the same way;
// - no test/syscon poweroff: guests power off and reboot through SBI SRST.
//
// Phandles: cpu@0, its interrupt controller, cpu@1, its interrupt controller, ..., then the PLIC.
//
// The /hypervisor node tells a guest it runs on Chronovisor and how to reach the PV
// interfaces (docs/DOMAINS.md documents it). Xen on Arm uses compatible "xen,xen" with a
// grant-table `reg` and an event-channel PPI; ours is modelled on it but is its own ABI:
//   compatible = "chronovisor,<type>", "chronovisor,hypervisor";
//   chronovisor,domain-type = "pv" | "pvh" | "hvm";  chronovisor,domid = <id>;
//   chronovisor,domain-name (optional);
//   chronovisor,shared-info, chronovisor,start-info, chronovisor,console-page,
//   chronovisor,xenstore-page: 64-bit guest-physical addresses (each only when given);
//   chronovisor,console-evtchn, chronovisor,xenstore-evtchn: event-channel ports;
//   chronovisor,grant-table = <base size> (2 cells each): where grant frames may be mapped;
//   interrupts-extended = <&intc_i IRQ> per vCPU: the local interrupt carrying event-channel upcalls.
// The PV work fills the optional fields; until then they are left out, never written as 0.

import { fdt, node, prop, PhandleAllocator, type Fdt, type FdtNode, type FdtProperty } from '../machine/fdt/tree.ts';
import { writeFdt } from '../machine/fdt/writer.ts';
import type { DomainType } from './types.ts';

/** Values of extra device properties: string, string list, u32 cell(s), u64, raw bytes, or true for an empty property. */
export type DomainFdtPropValue = string | readonly string[] | number | readonly number[] | bigint | Uint8Array | true;

export interface DomainFdtDevice {
  /** Node name before the unit address: "serial", "virtio_mmio", "ethernet". */
  readonly name: string;
  readonly compatible: readonly string[];
  readonly base: bigint;
  readonly size: number | bigint;
  /** PLIC interrupt source; needs `plic`. */
  readonly irq?: number;
  /** Further properties, written in this order after compatible, reg and the interrupt. */
  readonly props?: Readonly<Record<string, DomainFdtPropValue>>;
}

export interface DomainFdtPlic {
  readonly base: bigint;
  readonly size: number | bigint;
  /** riscv,ndev: the highest interrupt source number the PLIC implements. */
  readonly ndev: number;
}

export interface DomainFdtHypervisor {
  readonly type: DomainType;
  readonly domid: number;
  readonly name?: string;
  readonly sharedInfo?: bigint;
  readonly startInfo?: bigint;
  readonly consolePage?: bigint;
  readonly consoleEvtchn?: number;
  readonly xenstorePage?: bigint;
  readonly xenstoreEvtchn?: number;
  readonly grantTable?: { readonly base: bigint; readonly size: number | bigint };
  /** Local interrupt number (as in the hip/hvip bits) of event-channel upcalls on every vCPU. */
  readonly upcallIrq?: number;
}

export interface DomainFdtDescription {
  readonly memory: { readonly base: bigint; readonly bytes: number };
  readonly vcpus: number;
  /** riscv,isa of every vCPU, e.g. "rv64imafdc_zicsr_zifencei". */
  readonly isa: string;
  /** mmu-type, e.g. "riscv,sv39". */
  readonly mmuType: string;
  readonly timebaseHz: number;
  readonly bootargs?: string;
  readonly initrd?: { readonly start: bigint; readonly end: bigint };
  /** The emulated interrupt controller; absent for domains without emulated devices (PV, PVH). */
  readonly plic?: DomainFdtPlic;
  readonly devices: readonly DomainFdtDevice[];
  /** Node name under /soc for /chosen/stdout-path ("serial@10000000"); default: the first ns16550(a). */
  readonly stdout?: string;
  readonly hypervisor?: DomainFdtHypervisor;
  /** Root model; default "Chronovisor <type> domain" (or "Chronovisor domain"). */
  readonly model?: string;
}

/** Highest vCPU count a tree can describe; the hypervisor's own limit (MAX_VCPUS) is lower. */
const MAX_TREE_VCPUS = 512;
const RESERVED_DEVICE_PROPS = new Set(['compatible', 'reg', 'interrupts', 'interrupt-parent', 'interrupts-extended', 'phandle']);
/** Supervisor external interrupt, the line a guest's PLIC context drives. */
const IRQ_S_EXT = 9;

const hex = (n: bigint): string => n.toString(16);
const u64Cells = (v: bigint): number[] => [Number(BigInt.asUintN(64, v) >> 32n), Number(BigInt.asUintN(32, v))];
const reg = (base: bigint, size: number | bigint): FdtProperty => prop.cells('reg', [...u64Cells(base), ...u64Cells(BigInt(size))]);

/** Builds the tree. Pure: the same description always gives the same tree. Throws RangeError on a bad description. */
export function buildDomainFdt(desc: DomainFdtDescription): Fdt {
  validate(desc);
  const ph = new PhandleAllocator();
  const cpuPh: number[] = [];
  const intcPh: number[] = [];
  for (let i = 0; i < desc.vcpus; i++) {
    cpuPh.push(ph.next());
    intcPh.push(ph.next());
  }
  const plicPh = desc.plic ? ph.next() : 0;

  const soc = socNode(desc, intcPh, plicPh);
  const children: FdtNode[] = [chosenNode(desc, soc)];
  if (desc.hypervisor) children.push(hypervisorNode(desc.hypervisor, intcPh));
  children.push(cpusNode(desc, cpuPh, intcPh));
  children.push(node(`memory@${hex(desc.memory.base)}`, [prop.str('device_type', 'memory'), reg(desc.memory.base, desc.memory.bytes)]));
  children.push(soc);

  const type = desc.hypervisor?.type;
  const model = desc.model ?? (type ? `Chronovisor ${type.toUpperCase()} domain` : 'Chronovisor domain');
  return fdt(
    node(
      '',
      [prop.u32('#address-cells', 2), prop.u32('#size-cells', 2), prop.str('compatible', 'chronovisor,domain'), prop.str('model', model)],
      children,
    ),
  );
}

/** The flattened blob of `buildDomainFdt(desc)`. */
export function buildDomainFdtBlob(desc: DomainFdtDescription): Uint8Array {
  return writeFdt(buildDomainFdt(desc));
}

function validate(d: DomainFdtDescription): void {
  if (!Number.isInteger(d.vcpus) || d.vcpus < 1 || d.vcpus > MAX_TREE_VCPUS) {
    throw new RangeError(`vcpus must be 1..${MAX_TREE_VCPUS}, got ${d.vcpus}`);
  }
  if (!Number.isSafeInteger(d.memory.bytes) || d.memory.bytes <= 0) throw new RangeError(`memory.bytes must be a positive integer, got ${d.memory.bytes}`);
  if (!Number.isInteger(d.timebaseHz) || d.timebaseHz <= 0 || d.timebaseHz > 0xffffffff) {
    throw new RangeError(`timebaseHz must be a positive 32-bit integer, got ${d.timebaseHz}`);
  }
  if (d.initrd && d.initrd.end < d.initrd.start) throw new RangeError('initrd.end is before initrd.start');
  if (d.plic && (!Number.isInteger(d.plic.ndev) || d.plic.ndev < 1 || d.plic.ndev > 1023)) {
    throw new RangeError(`plic.ndev must be 1..1023 (PLIC sources), got ${d.plic.ndev}`);
  }
  for (const dev of d.devices) {
    const where = `device ${dev.name}@${hex(dev.base)}`;
    if (!/^[A-Za-z0-9,._+-]+$/.test(dev.name)) throw new RangeError(`${where}: invalid node name "${dev.name}"`);
    if (BigInt(dev.size) <= 0n) throw new RangeError(`${where}: size must be positive`);
    if (dev.compatible.length === 0) throw new RangeError(`${where}: needs at least one compatible string`);
    if (dev.irq !== undefined) {
      if (!d.plic) throw new RangeError(`${where}: has irq ${dev.irq} but the domain has no PLIC`);
      if (!Number.isInteger(dev.irq) || dev.irq < 1 || dev.irq > d.plic.ndev) {
        throw new RangeError(`${where}: irq ${dev.irq} is outside the PLIC's sources 1..${d.plic.ndev}`);
      }
    }
    for (const key of Object.keys(dev.props ?? {})) {
      if (RESERVED_DEVICE_PROPS.has(key)) throw new RangeError(`${where}: property "${key}" is written by the builder; do not pass it in props`);
    }
  }
  const ranges = d.devices.map((x) => ({ what: `${x.name}@${hex(x.base)}`, base: x.base, size: BigInt(x.size) }));
  if (d.plic) ranges.push({ what: `plic@${hex(d.plic.base)}`, base: d.plic.base, size: BigInt(d.plic.size) });
  ranges.push({ what: `memory@${hex(d.memory.base)}`, base: d.memory.base, size: BigInt(d.memory.bytes) });
  ranges.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]!;
    if (prev.base + prev.size > ranges[i]!.base) throw new RangeError(`${ranges[i]!.what} overlaps ${prev.what}`);
  }
}

function chosenNode(d: DomainFdtDescription, soc: FdtNode): FdtNode {
  const props: FdtProperty[] = [];
  if (d.bootargs) props.push(prop.str('bootargs', d.bootargs));
  const stdout = d.stdout ?? soc.children.find((n) => d.devices.some((x) => nodeName(x) === n.name && isUart(x)))?.name;
  if (stdout !== undefined) {
    if (!soc.children.some((n) => n.name === stdout)) throw new RangeError(`stdout "${stdout}" is not a device of this domain`);
    props.push(prop.str('stdout-path', `/soc/${stdout}`));
  }
  if (d.initrd) {
    props.push(prop.u64('linux,initrd-start', d.initrd.start));
    props.push(prop.u64('linux,initrd-end', d.initrd.end));
  }
  return node('chosen', props);
}

function hypervisorNode(h: DomainFdtHypervisor, intcPh: number[]): FdtNode {
  const props: FdtProperty[] = [
    prop.strs('compatible', [`chronovisor,${h.type}`, 'chronovisor,hypervisor']),
    prop.str('chronovisor,domain-type', h.type),
    prop.u32('chronovisor,domid', h.domid),
  ];
  if (h.name !== undefined) props.push(prop.str('chronovisor,domain-name', h.name));
  if (h.sharedInfo !== undefined) props.push(prop.u64('chronovisor,shared-info', h.sharedInfo));
  if (h.startInfo !== undefined) props.push(prop.u64('chronovisor,start-info', h.startInfo));
  if (h.consolePage !== undefined) props.push(prop.u64('chronovisor,console-page', h.consolePage));
  if (h.consoleEvtchn !== undefined) props.push(prop.u32('chronovisor,console-evtchn', h.consoleEvtchn));
  if (h.xenstorePage !== undefined) props.push(prop.u64('chronovisor,xenstore-page', h.xenstorePage));
  if (h.xenstoreEvtchn !== undefined) props.push(prop.u32('chronovisor,xenstore-evtchn', h.xenstoreEvtchn));
  if (h.grantTable) props.push(prop.cells('chronovisor,grant-table', [...u64Cells(h.grantTable.base), ...u64Cells(BigInt(h.grantTable.size))]));
  if (h.upcallIrq !== undefined) props.push(prop.cells('interrupts-extended', intcPh.flatMap((p) => [p, h.upcallIrq!])));
  return node('hypervisor', props);
}

function cpusNode(d: DomainFdtDescription, cpuPh: number[], intcPh: number[]): FdtNode {
  const cpus: FdtNode[] = [];
  const cores: FdtNode[] = [];
  for (let i = 0; i < d.vcpus; i++) {
    const intc = node('interrupt-controller', [
      prop.str('compatible', 'riscv,cpu-intc'),
      prop.u32('#interrupt-cells', 1),
      // dtc wants every interrupt provider to say its interrupt specifiers carry no address.
      prop.u32('#address-cells', 0),
      prop.empty('interrupt-controller'),
      prop.u32('phandle', intcPh[i]!),
    ]);
    const cpuProps = [
      prop.str('device_type', 'cpu'),
      prop.u32('reg', i),
      prop.str('status', 'okay'),
      prop.str('compatible', 'riscv'),
      prop.str('riscv,isa', d.isa),
      prop.str('mmu-type', d.mmuType),
      prop.u32('phandle', cpuPh[i]!),
    ];
    cpus.push(node(`cpu@${i.toString(16)}`, cpuProps, [intc]));
    cores.push(node(`core${i}`, [prop.u32('cpu', cpuPh[i]!)]));
  }
  return node(
    'cpus',
    [prop.u32('#address-cells', 1), prop.u32('#size-cells', 0), prop.u32('timebase-frequency', d.timebaseHz)],
    [...cpus, node('cpu-map', [], [node('cluster0', [], cores)])],
  );
}

function socNode(d: DomainFdtDescription, intcPh: number[], plicPh: number): FdtNode {
  const entries: Array<{ base: bigint; node: FdtNode }> = d.devices.map((dev) => ({ base: dev.base, node: deviceNode(dev, plicPh) }));
  if (d.plic) {
    const p = d.plic;
    entries.push({
      base: p.base,
      node: node(`plic@${hex(p.base)}`, [
        prop.strs('compatible', ['sifive,plic-1.0.0', 'riscv,plic0']),
        reg(p.base, p.size),
        prop.cells('interrupts-extended', intcPh.flatMap((ph) => [ph, IRQ_S_EXT])),
        prop.empty('interrupt-controller'),
        prop.u32('#interrupt-cells', 1),
        prop.u32('#address-cells', 0),
        prop.u32('riscv,ndev', p.ndev),
        prop.u32('phandle', plicPh),
      ]),
    });
  }
  entries.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  return node(
    'soc',
    [prop.u32('#address-cells', 2), prop.u32('#size-cells', 2), prop.str('compatible', 'simple-bus'), prop.empty('ranges')],
    entries.map((e) => e.node),
  );
}

function deviceNode(dev: DomainFdtDevice, plicPh: number): FdtNode {
  const props: FdtProperty[] = [prop.strs('compatible', dev.compatible), reg(dev.base, dev.size)];
  if (dev.irq !== undefined) props.push(prop.u32('interrupts', dev.irq), prop.u32('interrupt-parent', plicPh));
  for (const [key, value] of Object.entries(dev.props ?? {})) props.push(encode(key, value));
  return node(nodeName(dev), props);
}

function encode(name: string, v: DomainFdtPropValue): FdtProperty {
  if (v === true) return prop.empty(name);
  if (typeof v === 'string') return prop.str(name, v);
  if (typeof v === 'number') return prop.u32(name, v);
  if (typeof v === 'bigint') return prop.u64(name, v);
  if (v instanceof Uint8Array) return prop.bytes(name, v);
  if (v.length > 0 && v.every((x): x is string => typeof x === 'string')) return prop.strs(name, v as readonly string[]);
  return prop.cells(name, v as readonly number[]);
}

const nodeName = (dev: DomainFdtDevice): string => `${dev.name}@${hex(dev.base)}`;
const isUart = (dev: DomainFdtDevice): boolean => dev.compatible.some((c) => c === 'ns16550a' || c === 'ns16550');
