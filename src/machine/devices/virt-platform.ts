// The devices of QEMU 7.2's virt machine, created and wired the way hw/riscv/virt.c does it:
// UART0 on PLIC source 10, the RTC on 11, virtio-mmio transport i on 1 + i, the CLINT and
// PLIC on every hart's interrupt pins. The caller maps `mappings` on its bus and calls
// `reset()` on a system reset (QEMU resets every device then; RAM and the ROM are untouched).

import type { HartInterruptPins, MmioDevice } from '../device.ts';
import type { VirtualClock } from '../vtime.ts';
import * as M from '../memory-map.ts';
import { Clint } from './clint/device.ts';
import { Plic } from './plic/device.ts';
import { Ns16550a } from './ns16550a/device.ts';
import { GoldfishRtc } from './goldfish-rtc/device.ts';
import { SifiveTest, type FinishEvent } from './sifive-test/device.ts';
import { VirtioMmio } from './virtio-mmio/device.ts';

export interface VirtPlatformOptions {
  clock: VirtualClock;
  /** One entry per hart, hart i = hartid i. */
  harts: readonly HartInterruptPins[];
  /** Console output, one byte per call. */
  onTransmit: (byte: number) => void;
  /** Test-finisher writes: poweroff, reset, fail with code. */
  onFinish: (ev: FinishEvent) => void;
  /** Wall-clock ns for the RTC; an external input the recorder logs. */
  wallClockNs: () => bigint;
  /** Which optional devices exist (defaults: all, 8 virtio transports). */
  devices?: { uart?: boolean; rtc?: boolean; test?: boolean; virtio?: number };
  /** virtio-mmio version 1 (QEMU 7.2 default) or 2. */
  virtioLegacy?: boolean;
}

export interface VirtPlatform {
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Ns16550a | null;
  readonly rtc: GoldfishRtc | null;
  readonly test: SifiveTest | null;
  readonly virtio: readonly VirtioMmio[];
  /** Every device with its guest-physical base, in ascending address order. */
  readonly mappings: ReadonlyArray<{ readonly base: number; readonly device: MmioDevice }>;
  /** System reset of every device (QEMU qemu_devices_reset). */
  reset(): void;
}

export function createVirtPlatform(o: VirtPlatformOptions): VirtPlatform {
  const dev = { uart: true, rtc: true, test: true, virtio: M.VIRTIO_COUNT, ...o.devices };
  const clint = new Clint({ clock: o.clock, harts: o.harts });
  const plic = new Plic({ harts: o.harts });
  const uart = dev.uart
    ? new Ns16550a({ irq: plic.irqLine(M.UART0_IRQ), clock: o.clock, onTransmit: o.onTransmit })
    : null;
  const rtc = dev.rtc
    ? new GoldfishRtc({ irq: plic.irqLine(M.RTC_IRQ), clock: o.clock, wallClockNs: o.wallClockNs })
    : null;
  const test = dev.test ? new SifiveTest({ onFinish: o.onFinish }) : null;
  const legacy = o.virtioLegacy ?? true;
  const virtio = Array.from({ length: dev.virtio }, (_, i) => new VirtioMmio({ name: `virtio${i}`, legacy }));

  const mappings: Array<{ base: number; device: MmioDevice }> = [];
  if (test) mappings.push({ base: M.VIRT_TEST.base, device: test });
  if (rtc) mappings.push({ base: M.VIRT_RTC.base, device: rtc });
  mappings.push({ base: M.VIRT_CLINT.base, device: clint });
  mappings.push({ base: M.VIRT_PLIC.base, device: plic });
  if (uart) mappings.push({ base: M.VIRT_UART0.base, device: uart });
  virtio.forEach((v, i) => mappings.push({ base: M.virtioBase(i), device: v }));

  return {
    clint,
    plic,
    uart,
    rtc,
    test,
    virtio,
    mappings,
    reset() {
      // The PLIC first: the other devices' resets may drive their lines afterwards.
      plic.reset();
      clint.reset();
      uart?.reset();
      rtc?.reset();
    },
  };
}
