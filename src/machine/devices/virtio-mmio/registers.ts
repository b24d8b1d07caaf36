// virtio-mmio transport registers (Virtual I/O Device spec v1.1, section 4.2.2; legacy layout
// in 4.2.4) and QEMU's identification values (include/hw/virtio/virtio-mmio.h).

export const VIRTIO_MMIO_MAGIC_VALUE = 0x000;
export const VIRTIO_MMIO_VERSION = 0x004;
export const VIRTIO_MMIO_DEVICE_ID = 0x008;
export const VIRTIO_MMIO_VENDOR_ID = 0x00c;
export const VIRTIO_MMIO_CONFIG = 0x100;

/** "virt" in little-endian ASCII. */
export const VIRT_MAGIC = 0x74726976;
/** Register layout versions: 1 = legacy, 2 = virtio 1.0+ ("modern"). */
export const VIRT_VERSION = 2;
export const VIRT_VERSION_LEGACY = 1;
/** "QEMU" in little-endian ASCII. */
export const VIRT_VENDOR = 0x554d4551;
