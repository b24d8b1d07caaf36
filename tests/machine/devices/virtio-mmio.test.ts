import { describe, expect, it } from 'vitest';
import { VirtioMmio } from '../../../src/machine/devices/virtio-mmio/device.ts';
import * as R from '../../../src/machine/devices/virtio-mmio/registers.ts';

describe('virtio-mmio transport without a backend (QEMU 7.2 virtio-mmio.c)', () => {
  it('identifies as a legacy QEMU transport with device ID 0 by default', () => {
    const v = new VirtioMmio({ name: 'virtio0' });
    expect(v.read(R.VIRTIO_MMIO_MAGIC_VALUE, 4)).toBe(0x74726976); // "virt"
    expect(v.read(R.VIRTIO_MMIO_VERSION, 4)).toBe(1); // force-legacy=true in QEMU 7.2
    expect(v.read(R.VIRTIO_MMIO_DEVICE_ID, 4)).toBe(0);
    expect(v.read(R.VIRTIO_MMIO_VENDOR_ID, 4)).toBe(0x554d4551); // "QEMU"
  });

  it('reports version 2 with legacy: false', () => {
    expect(new VirtioMmio({ name: 'v', legacy: false }).read(R.VIRTIO_MMIO_VERSION, 4)).toBe(2);
  });

  it('reads every other register as 0 and ignores writes', () => {
    const v = new VirtioMmio({ name: 'virtio0' });
    v.write(0x070, 4, 0xf); // STATUS
    v.write(0x000, 4, 0);
    for (let off = 0x10; off < 0x200; off += 4) expect(v.read(off, 4)).toBe(0);
    expect(v.read(R.VIRTIO_MMIO_MAGIC_VALUE, 4)).toBe(R.VIRT_MAGIC);
  });

  it('narrow reads see only the bytes at the exact register offset, as QEMU delivers them', () => {
    const v = new VirtioMmio({ name: 'virtio0' });
    expect(v.read(0, 1)).toBe(0x76);
    expect(v.read(0, 2)).toBe(0x6976);
    expect(v.read(1, 1)).toBe(0);
    expect(v.read(2, 2)).toBe(0);
    expect(v.read(0xc, 1)).toBe(0x51);
  });

  it('decodes 0x200 bytes and follows QEMU default access sizes', () => {
    const v = new VirtioMmio({ name: 'virtio0' });
    expect(v.size).toBe(0x200);
    expect(v.accessRule(0)).toEqual({ minSize: 1, maxSize: 4 });
    expect(v.save()).toEqual({});
  });
});
