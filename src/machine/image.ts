// Guest images (firmware, kernel, initrd): read once, hashed (the trace header records every
// image's SHA-256 so replay can refuse a different file), and placed in memory either by
// their ELF program headers or as raw bytes at an address chosen by QEMU's rules.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseElf, PT_LOAD, type ElfFile } from './elf.ts';

export interface GuestImage {
  /** Role in the machine: bios, kernel, initrd, disk... */
  role: string;
  /** Where it came from (path as given), for messages. */
  path: string;
  bytes: Uint8Array;
  sha256: string;
  /** Parsed headers when the file is an ELF. */
  elf: ElfFile | null;
}

export class ImageError extends Error {}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function imageFromBytes(role: string, path: string, bytes: Uint8Array): GuestImage {
  const isElf = bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
  return { role, path, bytes, sha256: sha256Hex(bytes), elf: isElf ? parseElf(bytes, path) : null };
}

export function readImage(role: string, path: string): GuestImage {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ImageError(
      `cannot read ${role} image "${path}": ${err.code === 'ENOENT' ? 'no such file' : err.message}` +
        (role === 'bios' || role === 'kernel' ? ' (`npm run firmware` locates Debian\'s OpenSBI and U-Boot)' : ''),
    );
  }
  if (bytes.length === 0) throw new ImageError(`${role} image "${path}" is empty`);
  return imageFromBytes(role, path, bytes);
}

/** One contiguous piece of an image to copy into guest-physical memory. */
export interface Placement {
  address: number;
  data: Uint8Array;
  /** Bytes to zero after `data` (ELF .bss). */
  zeroFill: number;
}

export interface PlacedImage {
  pieces: Placement[];
  /** Lowest and one-past-highest address written. */
  start: number;
  end: number;
  /** Where execution of this image starts (ELF entry, or the raw load address). */
  entry: number;
}

/** Places an image: ELF by its PT_LOAD physical addresses, raw at `rawAddress`. */
export function placeImage(img: GuestImage, rawAddress: number): PlacedImage {
  if (!img.elf) {
    return {
      pieces: [{ address: rawAddress, data: img.bytes, zeroFill: 0 }],
      start: rawAddress,
      end: rawAddress + img.bytes.length,
      entry: rawAddress,
    };
  }
  const pieces: Placement[] = [];
  let start = Infinity;
  let end = 0;
  for (const seg of img.elf.segments) {
    if (seg.type !== PT_LOAD || seg.memsz === 0n) continue;
    const address = Number(seg.paddr);
    const memsz = Number(seg.memsz);
    pieces.push({ address, data: seg.data, zeroFill: memsz - seg.data.length });
    start = Math.min(start, address);
    end = Math.max(end, address + memsz);
  }
  if (pieces.length === 0) throw new ImageError(`${img.role} image "${img.path}" is an ELF with no loadable segments`);
  return { pieces, start, end, entry: Number(img.elf.entry) };
}

export function describeImage(img: GuestImage): string {
  return `${img.role} ${basename(img.path)} (${img.bytes.length} bytes, sha256 ${img.sha256.slice(0, 12)}…)`;
}
