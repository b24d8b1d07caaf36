// QEMU 7.2 `virt` machine memory map and interrupt numbers (hw/riscv/virt.c `virt_memmap[]`,
// include/hw/riscv/virt.h). Firmware built for QEMU's virt (OpenSBI, U-Boot, Linux) finds its
// devices here; the device tree repeats these values, so the two must never disagree.
//
// Sizes are the windows QEMU advertises in the device tree. Some devices decode less than
// their window (see the *_DECODED constants): QEMU maps only the decoded part, so an access
// to the rest of the window is an unassigned access and the hart takes an access fault.

/** A fixed address range of the virt platform. */
export interface MemoryRange {
  readonly base: number;
  readonly size: number;
}

const range = (base: number, size: number): MemoryRange => Object.freeze({ base, size });

/** Debug module window; QEMU reserves it but models nothing there. */
export const VIRT_DEBUG = range(0x0, 0x100);
/** Mask ROM holding the reset vector and fw_dynamic_info (see boot-rom.ts). */
export const VIRT_MROM = range(0x1000, 0xf000);
/** SiFive test finisher ("sifive,test0"): poweroff, reboot and exit codes. */
export const VIRT_TEST = range(0x100000, 0x1000);
/** Goldfish real-time clock ("google,goldfish-rtc"). */
export const VIRT_RTC = range(0x101000, 0x1000);
/** CLINT = ACLINT MSWI (first 0x4000 bytes) followed by ACLINT MTIMER (0x8000 bytes). */
export const VIRT_CLINT = range(0x2000000, 0x10000);
/** ACLINT SSWI; only present with `-M virt,aclint=on`, which we do not model. */
export const VIRT_ACLINT_SSWI = range(0x2f00000, 0x4000);
/** PCIe port I/O window (not emulated). */
export const VIRT_PCIE_PIO = range(0x3000000, 0x10000);
/** Dynamic sysbus platform bus; QEMU's is empty unless devices are plugged with -device. */
export const VIRT_PLATFORM_BUS = range(0x4000000, 0x2000000);
/** SiFive PLIC; QEMU sizes it for VIRT_CPUS_MAX (512) harts x 2 contexts. */
export const VIRT_PLIC = range(0xc000000, 0x600000);
/** ns16550a UART 0 (the console). */
export const VIRT_UART0 = range(0x10000000, 0x100);
/** First virtio-mmio transport; the others follow at VIRTIO_STRIDE. */
export const VIRT_VIRTIO = range(0x10001000, 0x1000);
/** QEMU fw_cfg interface (not emulated). */
export const VIRT_FW_CFG = range(0x10100000, 0x18);
/** Two CFI parallel flash banks of 32 MiB each (not emulated). */
export const VIRT_FLASH = range(0x20000000, 0x4000000);
/** PCIe ECAM configuration space (not emulated). */
export const VIRT_PCIE_ECAM = range(0x30000000, 0x10000000);
/** PCIe 32-bit MMIO window (not emulated). */
export const VIRT_PCIE_MMIO = range(0x40000000, 0x40000000);
/** Start of RAM; its size comes from `--mem`. */
export const VIRT_DRAM_BASE = 0x80000000;

/** Number of virtio-mmio transports QEMU's virt always creates (VIRTIO_COUNT). */
export const VIRTIO_COUNT = 8;
/** Distance between consecutive virtio-mmio transports. */
export const VIRTIO_STRIDE = 0x1000;

// Decoded sizes: how much of each window QEMU actually maps (memory_region_init_io sizes).
/** serial_mm_init maps 8 << regshift bytes (regshift 0 on virt). */
export const UART_DECODED_SIZE = 8;
/** goldfish_rtc_realize maps 0x24 bytes. */
export const RTC_DECODED_SIZE = 0x24;
/** virtio_mmio_realize maps 0x200 bytes. */
export const VIRTIO_DECODED_SIZE = 0x200;
/** ACLINT MSWI (RISCV_ACLINT_SWI_SIZE) + MTIMER (RISCV_ACLINT_DEFAULT_MTIMER_SIZE). */
export const CLINT_DECODED_SIZE = 0x4000 + 0x8000;

// Platform-level interrupt numbers (PLIC sources), include/hw/riscv/virt.h.
/** virtio-mmio transport i uses source VIRTIO_IRQ + i (1..8). */
export const VIRTIO_IRQ = 1;
/** UART0 interrupt source. */
export const UART0_IRQ = 10;
/** Goldfish RTC interrupt source. */
export const RTC_IRQ = 11;
/** First of the four PCIe INTx sources (not emulated). */
export const PCIE_IRQ = 0x20;
/** First of the 32 platform-bus sources. */
export const PLATFORM_BUS_IRQ = 64;
/** PLIC sources including the reserved source 0 (VIRT_IRQCHIP_NUM_SOURCES). */
export const PLIC_NUM_SOURCES = 96;
/** Highest PLIC priority, (1 << VIRT_IRQCHIP_NUM_PRIO_BITS) - 1. */
export const PLIC_NUM_PRIORITIES = 7;

/** Input clock of the UART in the device tree ("clock-frequency"), as QEMU writes it. */
export const UART_CLOCK_FREQUENCY = 3686400;
/** Baud base QEMU gives the virt UART (serial_mm_init(..., 399193, ...)); sets char timing. */
export const UART_BAUDBASE = 399193;

/** The whole map as a table, for listings and overlap checks. */
export const VIRT_MEMORY_MAP: ReadonlyArray<{ readonly name: string } & MemoryRange> = Object.freeze([
  { name: 'debug', ...VIRT_DEBUG },
  { name: 'mrom', ...VIRT_MROM },
  { name: 'test', ...VIRT_TEST },
  { name: 'rtc', ...VIRT_RTC },
  { name: 'clint', ...VIRT_CLINT },
  { name: 'aclint-sswi', ...VIRT_ACLINT_SSWI },
  { name: 'pcie-pio', ...VIRT_PCIE_PIO },
  { name: 'platform-bus', ...VIRT_PLATFORM_BUS },
  { name: 'plic', ...VIRT_PLIC },
  { name: 'uart0', ...VIRT_UART0 },
  { name: 'virtio', base: VIRT_VIRTIO.base, size: VIRTIO_STRIDE * VIRTIO_COUNT },
  { name: 'fw-cfg', ...VIRT_FW_CFG },
  { name: 'flash', ...VIRT_FLASH },
  { name: 'pcie-ecam', ...VIRT_PCIE_ECAM },
  { name: 'pcie-mmio', ...VIRT_PCIE_MMIO },
]);

/** Base address of virtio-mmio transport `i` (0-based). */
export function virtioBase(i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= VIRTIO_COUNT) {
    throw new RangeError(`virtio-mmio transport index must be 0..${VIRTIO_COUNT - 1}, got ${i}`);
  }
  return VIRT_VIRTIO.base + i * VIRTIO_STRIDE;
}
