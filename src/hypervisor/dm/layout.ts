// Where an HVM domain's emulated devices live in its guest-physical space. We follow QEMU
// virt's map wherever virt has the device, so an unmodified kernel built for virt finds them
// where it expects; cvblk and cvnet take virt's virtio-mmio slots (same addresses, same PLIC
// sources), since a domain never has virtio transports of its own. The guest finds every
// device through its device tree, never by probing, so sharing the slots is safe: a virtio
// driver that looked anyway would see a magic value that is not "virt" and stop.

import * as M from '../../machine/memory-map.ts';

/** PLIC: same base and window as QEMU virt (sized there for 512 harts). */
export const DM_PLIC = M.VIRT_PLIC;
/** ns16550a console UART: virt's UART0 and its PLIC source. */
export const DM_UART = M.VIRT_UART0;
export const DM_UART_IRQ = M.UART0_IRQ;

/** Device slots for cvblk/cvnet: virt's virtio-mmio transports 0..7. */
export const DM_SLOT_BASE = M.VIRT_VIRTIO.base;
/** Each slot's window (the size in the device tree and the size the device decodes). */
export const DM_SLOT_SIZE = M.VIRTIO_STRIDE;
export const DM_SLOT_COUNT = M.VIRTIO_COUNT;
/** Slot i raises PLIC source 1 + i, as virtio-mmio transport i does on virt. */
export const DM_SLOT_FIRST_IRQ = M.VIRTIO_IRQ;

/** PLIC sources and priorities: virt's (95 usable sources, priorities 0..7). */
export const DM_PLIC_SOURCES = M.PLIC_NUM_SOURCES;
export const DM_PLIC_PRIORITIES = M.PLIC_NUM_PRIORITIES;

/** Disks take the first slots, NICs the ones after them. */
export function slotBase(slot: number): number {
  return DM_SLOT_BASE + slot * DM_SLOT_SIZE;
}

export function slotIrq(slot: number): number {
  return DM_SLOT_FIRST_IRQ + slot;
}

/** Xen's OUI (00:16:3e), which xl uses for generated vif MACs. */
export const XEN_OUI = [0x00, 0x16, 0x3e] as const;

/**
 * The MAC a NIC gets when the configuration names none: Xen's OUI, then the domain id
 * (16 bits) and the NIC's index. xl draws the low bytes at random; ours must be reproducible.
 */
export function defaultMac(domain: number, nic: number): Uint8Array {
  return Uint8Array.of(...XEN_OUI, (domain >> 8) & 0x7f, domain & 0xff, nic & 0xff);
}

/** "00:16:3e:00:01:00" */
export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Parses "00:16:3e:00:01:00" (or with '-'); null when it is not six hex bytes. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) return null;
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}
