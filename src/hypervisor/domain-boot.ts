// Booting a domain: load its images into guest RAM where QEMU's virt machine would put them
// (firmware at the RAM base, a raw kernel 2 MiB above it so S-mode images linked for QEMU
// run unchanged, the initrd above that, the device tree near the top of RAM) and describe
// exactly what the domain has in its device tree.
import { readImage, placeImage, type GuestImage } from '../machine/image.ts';
import { fdtLoadAddress, initrdStartAddress, kernelStartAddress } from '../machine/boot-rom.ts';
import { TIMEBASE_HZ } from '../machine/vtime.ts';
import { buildDomainFdtBlob, type DomainFdtDevice } from './domain-fdt.ts';
import type { Domain } from './domain.ts';
import { GUEST_RAM_BASE } from './domain.ts';

/** What HVM-family guests are told they run on (no H extension inside a guest). */
export const GUEST_ISA = 'rv64imafdc_zicsr_zifencei';

export interface BootLayout {
  entry: bigint;
  fdtGpa: bigint;
  images: GuestImage[];
  fdt: Uint8Array;
}

export class DomainBootError extends Error {
  readonly userFacing = true;
}

function load(d: Domain, img: GuestImage, rawAddress: bigint): { start: bigint; end: bigint; entry: bigint } {
  const base = Number(GUEST_RAM_BASE);
  const p = placeImage(img, Number(rawAddress));
  for (const piece of p.pieces) {
    const gpa = BigInt(piece.address);
    if (!d.memory.write(gpa, piece.data) || (piece.zeroFill > 0 && !d.memory.write(gpa + BigInt(piece.data.length), new Uint8Array(piece.zeroFill)))) {
      throw new DomainBootError(
        `domain ${d.name}: ${img.role} image ${img.path} (${img.bytes.length} bytes at 0x${piece.address.toString(16)}) ` +
          `does not fit in its ${d.config.memoryMiB} MiB of RAM at 0x${base.toString(16)}; raise memory = in ${d.config.sourceFile}`,
      );
    }
  }
  return { start: BigInt(p.start), end: BigInt(p.end), entry: BigInt(p.entry) };
}

export function loadDomainImages(d: Domain): BootLayout {
  const cfg = d.config;
  const images: GuestImage[] = [];
  const ramEnd = GUEST_RAM_BASE + BigInt(d.memory.ramBytes);
  let entry: bigint;
  let kernelEntry = 0n;
  let firmwareEnd = GUEST_RAM_BASE;
  if (cfg.firmware) {
    const fw = readImage('firmware', cfg.firmware);
    images.push(fw);
    const placed = load(d, fw, GUEST_RAM_BASE);
    firmwareEnd = placed.end;
    entry = placed.entry;
  }
  if (cfg.kernel) {
    const k = readImage('kernel', cfg.kernel);
    images.push(k);
    // after firmware: its end rounded up to 2 MiB (QEMU); without: RAM base + 2 MiB, where
    // S-mode images built for QEMU + OpenSBI (U-Boot, Linux) expect to run
    const raw = cfg.firmware ? BigInt(kernelStartAddress(Number(firmwareEnd))) : GUEST_RAM_BASE + 0x200000n;
    const placed = load(d, k, raw);
    kernelEntry = k.elf ? placed.start : placed.entry;
    entry ??= placed.entry;
  }
  entry ??= (() => {
    throw new DomainBootError(`domain ${d.name}: nothing to boot: give kernel = or firmware = in ${cfg.sourceFile}`);
  })();
  let initrd: { start: bigint; end: bigint } | undefined;
  if (cfg.ramdisk) {
    const rd = { ...readImage('ramdisk', cfg.ramdisk), elf: null };
    images.push(rd);
    const at = BigInt(initrdStartAddress(Number(kernelEntry || entry), d.memory.ramBytes));
    const placed = load(d, rd, at);
    initrd = { start: placed.start, end: placed.end };
  }

  const devices: DomainFdtDevice[] = [];
  let plic;
  for (const dev of d.dm?.devicesForFdt() ?? []) {
    if (dev.kind === 'plic') {
      plic = { base: BigInt(dev.base), size: dev.size, ndev: dev.ndev - 1 };
      continue;
    }
    const props: Record<string, string | number | Uint8Array | true> = {};
    if (dev.kind === 'uart') props['clock-frequency'] = dev.clockFrequency;
    if (dev.kind === 'cvblk') {
      props['sectors'] = dev.sectors;
      if (dev.readOnly) props['read-only'] = true;
    }
    if (dev.kind === 'cvnet') props['local-mac-address'] = dev.mac;
    devices.push({ name: dev.nodeName.split('@')[0], compatible: dev.compatible, base: BigInt(dev.base), size: dev.size, irq: dev.irq, props });
  }
  const fdt = buildDomainFdtBlob({
    memory: { base: GUEST_RAM_BASE, bytes: d.memory.ramBytes },
    vcpus: cfg.vcpus,
    isa: GUEST_ISA,
    mmuType: 'riscv,sv39',
    timebaseHz: TIMEBASE_HZ,
    bootargs: cfg.cmdline,
    initrd,
    plic,
    devices,
    hypervisor: { type: cfg.type, domid: d.id, name: cfg.name },
  });
  const fdtGpa = BigInt(fdtLoadAddress(d.memory.ramBytes, Math.max(fdt.length, 0x10000), Number(GUEST_RAM_BASE)));
  if (fdtGpa + BigInt(fdt.length) > ramEnd || !d.memory.write(fdtGpa, fdt)) {
    throw new DomainBootError(`domain ${d.name}: no room for its ${fdt.length}-byte device tree; raise memory = in ${cfg.sourceFile}`);
  }
  return { entry, fdtGpa, images, fdt };
}
