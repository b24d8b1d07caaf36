// A virtio-mmio transport with no backend, as QEMU 7.2's virt leaves its eight transports when
// no -device is attached (hw/virtio/virtio-mmio.c, "If no backend is present"): magic, version
// and vendor read as usual, every other register reads 0 (device ID 0 = "no device", so
// U-Boot and Linux skip it) and writes are ignored.
//
// QEMU 7.2's "force-legacy" property defaults to true, so the version register reads 1 on
// virt; `legacy: false` gives the modern value 2 (QEMU's -global virtio-mmio.force-legacy=false).

import type { AccessSize, MmioDevice } from '../../device.ts';
import { VIRTIO_DECODED_SIZE } from '../../memory-map.ts';
import { DEFAULT_ACCESS, maskToSize, type AccessRule, type HasAccessRule } from '../access.ts';
import * as R from './registers.ts';

export interface VirtioMmioOptions {
  /** Device name ("virtio0" .. "virtio7"). */
  name: string;
  /** Legacy (version 1) register layout; QEMU 7.2's default is true. */
  legacy?: boolean;
}

export class VirtioMmio implements MmioDevice, HasAccessRule {
  readonly name: string;
  /** QEMU maps 0x200 bytes of each 0x1000 slot. */
  readonly size = VIRTIO_DECODED_SIZE;
  readonly legacy: boolean;

  constructor(opts: VirtioMmioOptions) {
    this.name = opts.name;
    this.legacy = opts.legacy ?? true;
  }

  /** virtio_mem_ops leaves .valid unset: 1..4 bytes, aligned. */
  accessRule(_offset: number): AccessRule {
    return DEFAULT_ACCESS;
  }

  /**
   * The handler sees the access offset and size as they are (impl 1..4), so only accesses
   * that start exactly at MAGIC, VERSION or VENDOR return non-zero, masked to the size.
   */
  read(offset: number, size: AccessSize): number {
    if (offset % size !== 0) return 0;
    switch (offset) {
      case R.VIRTIO_MMIO_MAGIC_VALUE:
        return maskToSize(R.VIRT_MAGIC, size);
      case R.VIRTIO_MMIO_VERSION:
        return maskToSize(this.legacy ? R.VIRT_VERSION_LEGACY : R.VIRT_VERSION, size);
      case R.VIRTIO_MMIO_VENDOR_ID:
        return maskToSize(R.VIRT_VENDOR, size);
      default:
        return 0;
    }
  }

  /** Without a backend every register is write-ignored. */
  write(_offset: number, _size: AccessSize, _value: number): void {}

  /** No state: nothing a guest does changes what it reads. */
  save(): Record<string, never> {
    return {};
  }

  restore(_state: unknown): void {}
}
