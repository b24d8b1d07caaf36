// The device tree of our virt machine, shaped like QEMU 7.2's (hw/riscv/virt.c create_fdt and
// helpers, target/riscv/pmu.c, hw/riscv/boot.c): same node names, node order, property order,
// values and phandle numbering, for every device we emulate.
//
// Why the order matters: QEMU builds its tree with libfdt, which inserts each new property
// and subnode *before* the existing ones, so the blob lists them in reverse creation order.
// Firmware walks the blob with libfdt, so offsets and loop counts (and thus registers in a
// lockstep comparison) depend on that order. We write the final order directly.
//
// Intended differences from QEMU 7.2's tree (checked in tests/machine/virt-fdt.test.ts):
// - no pci@30000000, flash@20000000 or fw-cfg@10100000 nodes: we do not emulate those
//   devices, and advertising them would make U-Boot and Linux probe MMIO that faults;
// - /chosen/rng-seed only when the caller supplies the 32 bytes (QEMU draws them from the
//   host RNG; ours must come from a recorded, deterministic source);
// - riscv,isa and mmu-type come from the config (QEMU's default rv64 CPU says
//   "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc" and "riscv,sv48").

import { TIMEBASE_HZ } from './vtime.ts';
import * as M from './memory-map.ts';
import { fdt, node, prop, PhandleAllocator, type Fdt, type FdtNode, type FdtProperty } from './fdt/tree.ts';
import { writeFdt } from './fdt/writer.ts';

/** Which optional devices the machine has; the CLINT and PLIC are always present. */
export interface VirtDevices {
  uart: boolean;
  rtc: boolean;
  /** The sifive,test finisher plus its syscon poweroff/reboot nodes. */
  test: boolean;
  /** Number of virtio-mmio transports (QEMU: always 8). */
  virtio: number;
}

export interface VirtFdtConfig {
  /** RAM size in bytes (RAM starts at 0x80000000). */
  memBytes: number;
  /** Number of harts (hartids 0..harts-1, one cluster). */
  harts: number;
  /** riscv,isa string, e.g. "rv64imafdc_zicsr_zifencei". */
  isa: string;
  /** mmu-type, e.g. "riscv,sv39". */
  mmuType: string;
  /** Kernel command line (/chosen/bootargs), omitted when empty as QEMU does. */
  bootargs?: string;
  /** Initrd placement; QEMU writes start and end as single 32-bit cells. */
  initrd?: { start: number; end: number };
  /** 32 bytes for /chosen/rng-seed from a deterministic (recorded) source; omitted if absent. */
  rngSeed?: Uint8Array;
  /** Devices present; defaults to everything QEMU's virt has that we emulate. */
  devices?: Partial<VirtDevices>;
  /** Counters advertised in the /pmu node (QEMU's pmu-num, default 16); null omits the node. */
  pmuCounters?: number | null;
  /** Emit QEMU's empty platform-bus@4000000 simple-bus (default true; it has no children). */
  platformBus?: boolean;
}

export const DEFAULT_VIRT_DEVICES: Readonly<VirtDevices> = Object.freeze({
  uart: true,
  rtc: true,
  test: true,
  virtio: M.VIRTIO_COUNT,
});

const hex = (n: number): string => n.toString(16);
const hi32 = (n: number): number => Math.floor(n / 2 ** 32) >>> 0;
const lo32 = (n: number): number => n >>> 0;
/** `reg` with #address-cells = #size-cells = 2. */
const reg2 = (base: number, size: number): FdtProperty => prop.u32('reg', hi32(base), lo32(base), hi32(size), lo32(size));

/** Builds the tree. Pure: the same config always gives the same tree. */
export function buildVirtFdt(config: VirtFdtConfig): Fdt {
  const cfg = validate(config);
  const dev: VirtDevices = { ...DEFAULT_VIRT_DEVICES, ...cfg.devices };
  const n = cfg.harts;

  // Phandles in QEMU's allocation order: harts from the last to the first (cpu, then its
  // interrupt controller), then the PLIC, then the test device.
  const ph = new PhandleAllocator();
  const cpuPh: number[] = new Array<number>(n);
  const intcPh: number[] = new Array<number>(n);
  for (let h = n - 1; h >= 0; h--) {
    cpuPh[h] = ph.next();
    intcPh[h] = ph.next();
  }
  const plicPh = ph.next();
  const testPh = dev.test ? ph.next() : 0;

  const rootChildren: FdtNode[] = [];
  if (cfg.pmuCounters !== null) rootChildren.push(pmuNode(cfg.pmuCounters ?? 16));
  rootChildren.push(chosenNode(cfg, dev));
  if (dev.test) {
    rootChildren.push(syscon('poweroff', 'syscon-poweroff', 0x5555, testPh));
    rootChildren.push(syscon('reboot', 'syscon-reboot', 0x7777, testPh));
  }
  if (cfg.platformBus !== false) {
    const pb = M.VIRT_PLATFORM_BUS;
    rootChildren.push(
      node(`platform-bus@${hex(pb.base)}`, [
        prop.u32('interrupt-parent', plicPh),
        prop.u32('ranges', 0, 0, pb.base, pb.size),
        prop.u32('#address-cells', 1),
        prop.u32('#size-cells', 1),
        prop.strs('compatible', ['qemu,platform', 'simple-bus']),
      ]),
    );
  }
  rootChildren.push(
    node(`memory@${hex(M.VIRT_DRAM_BASE)}`, [prop.str('device_type', 'memory'), reg2(M.VIRT_DRAM_BASE, cfg.memBytes)]),
  );
  rootChildren.push(cpusNode(cfg, cpuPh, intcPh));
  rootChildren.push(socNode(dev, n, intcPh, plicPh, testPh));

  const root = node(
    '',
    [
      prop.u32('#address-cells', 2),
      prop.u32('#size-cells', 2),
      prop.str('compatible', 'riscv-virtio'),
      prop.str('model', 'riscv-virtio,qemu'),
    ],
    rootChildren,
  );
  return fdt(root);
}

/** The flattened blob of `buildVirtFdt(config)`; byte-identical across runs. */
export function buildVirtFdtBlob(config: VirtFdtConfig): Uint8Array {
  return writeFdt(buildVirtFdt(config));
}

function validate(c: VirtFdtConfig): VirtFdtConfig {
  if (!Number.isSafeInteger(c.memBytes) || c.memBytes <= 0) {
    throw new RangeError(`memBytes must be a positive integer, got ${c.memBytes}`);
  }
  if (!Number.isInteger(c.harts) || c.harts < 1 || c.harts > 512) {
    throw new RangeError(`harts must be 1..512 (QEMU virt's VIRT_CPUS_MAX), got ${c.harts}`);
  }
  if (c.rngSeed && c.rngSeed.length !== 32) {
    throw new RangeError(`rngSeed must be 32 bytes like QEMU's, got ${c.rngSeed.length}`);
  }
  const v = c.devices?.virtio;
  if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > M.VIRTIO_COUNT)) {
    throw new RangeError(`devices.virtio must be 0..${M.VIRTIO_COUNT}, got ${v}`);
  }
  return c;
}

/**
 * OpenSBI's event-to-counter map, as target/riscv/pmu.c riscv_pmu_generate_fdt_node writes it:
 * five events in a 20-cell array whose last five cells stay zero. The programmable-counter
 * mask is MAKE_32BIT_MASK(3, n); for n = 0 that C macro shifts by 32, which x86 hosts treat
 * as a shift by 0, giving 0xfffffff8 — we reproduce that value.
 */
function pmuNode(counters: number): FdtNode {
  if (!Number.isInteger(counters) || counters < 0 || counters > 29) {
    throw new RangeError(`pmuCounters must be 0..29, got ${counters}`);
  }
  const cmask = counters === 0 ? 0xfffffff8 : (((0xffffffff >>> (32 - counters)) << 3) >>> 0);
  const map = [
    0x1, 0x1, (cmask | 1) >>> 0, // SBI_PMU_HW_CPU_CYCLES may also use mcycle
    0x2, 0x2, (cmask | 4) >>> 0, // SBI_PMU_HW_INSTRUCTIONS may also use minstret
    0x10019, 0x10019, cmask, // DTLB read miss
    0x1001b, 0x1001b, cmask, // DTLB write miss
    0x10021, 0x10021, cmask, // ITLB read miss
    0, 0, 0, 0, 0,
  ];
  return node('pmu', [prop.cells('riscv,event-to-mhpmcounters', map), prop.str('compatible', 'riscv,pmu')]);
}

function chosenNode(cfg: VirtFdtConfig, dev: VirtDevices): FdtNode {
  const props: FdtProperty[] = [];
  if (cfg.initrd) {
    // hw/riscv/virt.c virt_machine_done sets these after the tree is built, with
    // qemu_fdt_setprop_cell: 32-bit cells, end before start once reversed.
    props.push(prop.u32('linux,initrd-end', lo32(cfg.initrd.end)));
    props.push(prop.u32('linux,initrd-start', lo32(cfg.initrd.start)));
  }
  if (cfg.rngSeed) props.push(prop.bytes('rng-seed', cfg.rngSeed));
  if (cfg.bootargs) props.push(prop.str('bootargs', cfg.bootargs));
  if (dev.uart) props.push(prop.str('stdout-path', `/soc/serial@${hex(M.VIRT_UART0.base)}`));
  return node('chosen', props);
}

function syscon(name: string, compatible: string, value: number, regmap: number): FdtNode {
  return node(name, [
    prop.u32('value', value),
    prop.u32('offset', 0),
    prop.u32('regmap', regmap),
    prop.str('compatible', compatible),
  ]);
}

function cpusNode(cfg: VirtFdtConfig, cpuPh: number[], intcPh: number[]): FdtNode {
  const cpus: FdtNode[] = [];
  const cores: FdtNode[] = [];
  for (let h = 0; h < cfg.harts; h++) {
    const intc = node('interrupt-controller', [
      prop.u32('#interrupt-cells', 1),
      prop.empty('interrupt-controller'),
      prop.str('compatible', 'riscv,cpu-intc'),
      prop.u32('phandle', intcPh[h]!),
    ]);
    cpus.push(
      node(
        `cpu@${h}`,
        [
          prop.u32('phandle', cpuPh[h]!),
          prop.str('device_type', 'cpu'),
          prop.u32('reg', h),
          prop.str('status', 'okay'),
          prop.str('compatible', 'riscv'),
          prop.str('riscv,isa', cfg.isa),
          prop.str('mmu-type', cfg.mmuType),
        ],
        [intc],
      ),
    );
    cores.push(node(`core${h}`, [prop.u32('cpu', cpuPh[h]!)]));
  }
  const cpuMap = node('cpu-map', [], [node('cluster0', [], cores)]);
  return node(
    'cpus',
    [prop.u32('#address-cells', 1), prop.u32('#size-cells', 0), prop.u32('timebase-frequency', TIMEBASE_HZ)],
    [...cpus, cpuMap],
  );
}

function socNode(dev: VirtDevices, harts: number, intcPh: number[], plicPh: number, testPh: number): FdtNode {
  const children: FdtNode[] = [];
  const irqProps = (irq: number): FdtProperty[] => [prop.u32('interrupts', irq), prop.u32('interrupt-parent', plicPh)];
  if (dev.rtc) {
    children.push(
      node(`rtc@${hex(M.VIRT_RTC.base)}`, [
        ...irqProps(M.RTC_IRQ),
        reg2(M.VIRT_RTC.base, M.VIRT_RTC.size),
        prop.str('compatible', 'google,goldfish-rtc'),
      ]),
    );
  }
  if (dev.uart) {
    children.push(
      node(`serial@${hex(M.VIRT_UART0.base)}`, [
        ...irqProps(M.UART0_IRQ),
        prop.u32('clock-frequency', M.UART_CLOCK_FREQUENCY),
        reg2(M.VIRT_UART0.base, M.VIRT_UART0.size),
        prop.str('compatible', 'ns16550a'),
      ]),
    );
  }
  if (dev.test) {
    children.push(
      node(`test@${hex(M.VIRT_TEST.base)}`, [
        prop.u32('phandle', testPh),
        reg2(M.VIRT_TEST.base, M.VIRT_TEST.size),
        prop.strs('compatible', ['sifive,test1', 'sifive,test0', 'syscon']),
      ]),
    );
  }
  for (let i = dev.virtio - 1; i >= 0; i--) {
    const base = M.virtioBase(i);
    children.push(
      node(`virtio_mmio@${hex(base)}`, [
        ...irqProps(M.VIRTIO_IRQ + i),
        reg2(base, M.VIRTIO_STRIDE),
        prop.str('compatible', 'virtio,mmio'),
      ]),
    );
  }
  const plicCells: number[] = [];
  const clintCells: number[] = [];
  for (let h = 0; h < harts; h++) {
    plicCells.push(intcPh[h]!, 11, intcPh[h]!, 9); // M-mode then S-mode external interrupt
    clintCells.push(intcPh[h]!, 3, intcPh[h]!, 7); // M-mode software then timer interrupt
  }
  children.push(
    node(`plic@${hex(M.VIRT_PLIC.base)}`, [
      prop.u32('phandle', plicPh),
      // QEMU 7.2 advertises VIRTIO_NDEV (96) here, one more than the last usable source.
      prop.u32('riscv,ndev', M.PLIC_NUM_SOURCES),
      reg2(M.VIRT_PLIC.base, M.VIRT_PLIC.size),
      prop.cells('interrupts-extended', plicCells),
      prop.empty('interrupt-controller'),
      prop.strs('compatible', ['sifive,plic-1.0.0', 'riscv,plic0']),
      prop.u32('#address-cells', 0),
      prop.u32('#interrupt-cells', 1),
    ]),
  );
  children.push(
    node(`clint@${hex(M.VIRT_CLINT.base)}`, [
      prop.cells('interrupts-extended', clintCells),
      reg2(M.VIRT_CLINT.base, M.VIRT_CLINT.size),
      prop.strs('compatible', ['sifive,clint0', 'riscv,clint0']),
    ]),
  );
  return node(
    'soc',
    [prop.u32('#address-cells', 2), prop.u32('#size-cells', 2), prop.str('compatible', 'simple-bus'), prop.empty('ranges')],
    children,
  );
}
