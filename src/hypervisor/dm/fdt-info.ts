// What a domain's device tree must say about its emulated devices, derived from the device
// model's own bus so the tree can never describe a device the domain does not have (or miss
// one it has). `describeDevices` gives plain facts for the core's tree builder; `dmFdtNodes`
// turns them into /soc nodes shaped like QEMU virt's (same node names and properties), which
// a builder may use as they are.

import type { BusMapping } from '../../machine/bus.ts';
import { Plic } from '../../machine/devices/plic/device.ts';
import { Ns16550a } from '../../machine/devices/ns16550a/device.ts';
import { UART_CLOCK_FREQUENCY } from '../../machine/memory-map.ts';
import { node, prop, type FdtNode, type FdtProperty } from '../../machine/fdt/tree.ts';
import { Cvblk } from './cvblk/device.ts';
import { Cvnet } from './cvnet/device.ts';
import * as L from './layout.ts';

interface DeviceCommon {
  /** The `dev` number of this device's mmio events. */
  readonly index: number;
  readonly name: string;
  /** Node name with unit address, e.g. "serial@10000000". */
  readonly nodeName: string;
  readonly base: number;
  /** Size of the `reg` window. */
  readonly size: number;
  readonly compatible: readonly string[];
}

/** One PLIC context: its number is the position of this entry in `contexts`. */
export interface PlicContext {
  readonly vcpu: number;
  /** Local interrupt of the vCPU's cpu-intc: 11 = M-mode external (unused), 9 = S-mode external. */
  readonly cause: 9 | 11;
}

export type DmDeviceInfo =
  | (DeviceCommon & { readonly kind: 'plic'; readonly irq: null; readonly ndev: number; readonly contexts: readonly PlicContext[] })
  | (DeviceCommon & { readonly kind: 'uart'; readonly irq: number; readonly clockFrequency: number })
  | (DeviceCommon & { readonly kind: 'cvblk'; readonly irq: number; readonly readOnly: boolean; readonly sectors: number })
  | (DeviceCommon & { readonly kind: 'cvnet'; readonly irq: number; readonly mac: Uint8Array });

const hex = (n: number): string => n.toString(16);

export function describeDevices(mappings: readonly BusMapping[], vcpus: number): DmDeviceInfo[] {
  return mappings.map((m): DmDeviceInfo => {
    const d = m.device;
    const common = { index: m.index, name: d.name, base: m.base };
    if (d instanceof Plic) {
      const contexts: PlicContext[] = [];
      for (let v = 0; v < vcpus; v++) contexts.push({ vcpu: v, cause: 9 });
      return {
        ...common, kind: 'plic', nodeName: `plic@${hex(m.base)}`, size: L.DM_PLIC.size, irq: null,
        compatible: ['sifive,plic-1.0.0', 'riscv,plic0'],
        // QEMU virt advertises the source count including source 0; we match it.
        ndev: d.numSources, contexts,
      };
    }
    if (d instanceof Ns16550a) {
      return {
        ...common, kind: 'uart', nodeName: `serial@${hex(m.base)}`, size: L.DM_UART.size, irq: L.DM_UART_IRQ,
        compatible: ['ns16550a'], clockFrequency: UART_CLOCK_FREQUENCY,
      };
    }
    const slot = (m.base - L.DM_SLOT_BASE) / L.DM_SLOT_SIZE;
    if (d instanceof Cvblk) {
      return {
        ...common, kind: 'cvblk', nodeName: `block@${hex(m.base)}`, size: L.DM_SLOT_SIZE, irq: L.slotIrq(slot),
        compatible: ['chronovisor,cvblk'], readOnly: d.backend.readOnly, sectors: d.backend.sectors,
      };
    }
    if (d instanceof Cvnet) {
      return {
        ...common, kind: 'cvnet', nodeName: `ethernet@${hex(m.base)}`, size: L.DM_SLOT_SIZE, irq: L.slotIrq(slot),
        compatible: ['chronovisor,cvnet'], mac: d.mac.slice(),
      };
    }
    throw new Error(`device model bug: no device-tree description for ${d.name}`);
  });
}

export interface DmFdtPhandles {
  /** Phandle the builder gives the PLIC node. */
  plic: number;
  /** Phandle of each vCPU's `interrupt-controller` (riscv,cpu-intc) node, by vCPU. */
  cpuIntc: readonly number[];
}

/** `reg` with #address-cells = #size-cells = 2, as under virt's /soc. */
const reg2 = (base: number, size: number): FdtProperty =>
  prop.u32('reg', Math.floor(base / 2 ** 32) >>> 0, base >>> 0, Math.floor(size / 2 ** 32) >>> 0, size >>> 0);

/**
 * /soc children for the devices (QEMU virt's node shapes, device nodes first in address
 * order, the PLIC last as virt lists it), and the stdout-path for /chosen (null: no console).
 */
export function dmFdtNodes(devices: readonly DmDeviceInfo[], ph: DmFdtPhandles): { nodes: FdtNode[]; stdoutPath: string | null } {
  const nodes: FdtNode[] = [];
  let plicNode: FdtNode | null = null;
  let stdoutPath: string | null = null;
  const irqProps = (irq: number): FdtProperty[] => [prop.u32('interrupts', irq), prop.u32('interrupt-parent', ph.plic)];
  for (const d of devices) {
    switch (d.kind) {
      case 'plic': {
        const cells = d.contexts.flatMap((c) => {
          const intc = ph.cpuIntc[c.vcpu];
          if (intc === undefined) throw new RangeError(`no cpu-intc phandle for vCPU ${c.vcpu}`);
          return [intc, c.cause];
        });
        plicNode = node(d.nodeName, [
          prop.u32('phandle', ph.plic),
          prop.u32('riscv,ndev', d.ndev),
          reg2(d.base, d.size),
          prop.cells('interrupts-extended', cells),
          prop.empty('interrupt-controller'),
          prop.strs('compatible', d.compatible),
          prop.u32('#address-cells', 0),
          prop.u32('#interrupt-cells', 1),
        ]);
        break;
      }
      case 'uart':
        stdoutPath = `/soc/${d.nodeName}`;
        nodes.push(node(d.nodeName, [...irqProps(d.irq), prop.u32('clock-frequency', d.clockFrequency), reg2(d.base, d.size), prop.strs('compatible', d.compatible)]));
        break;
      case 'cvblk':
        nodes.push(
          node(d.nodeName, [
            ...irqProps(d.irq),
            reg2(d.base, d.size),
            ...(d.readOnly ? [prop.empty('read-only')] : []),
            prop.strs('compatible', d.compatible),
          ]),
        );
        break;
      case 'cvnet':
        nodes.push(node(d.nodeName, [...irqProps(d.irq), reg2(d.base, d.size), prop.bytes('local-mac-address', d.mac), prop.strs('compatible', d.compatible)]));
        break;
    }
  }
  if (plicNode) nodes.push(plicNode);
  return { nodes, stdoutPath };
}
