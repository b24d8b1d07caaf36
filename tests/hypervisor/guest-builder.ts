// Tiny HVM guests for hypervisor tests: assembled with the project's assembler, written to a
// temp dir with an xl.cfg next to them, and loaded through the real config loader.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Assembler } from '../../src/isa/asm.ts';
import { loadDomainConfig, type DomainConfig } from '../../src/hypervisor/config/domain-config.ts';

/** Where a raw HVM kernel is loaded and entered (RAM base + 2 MiB). */
export const KERNEL_BASE = 0x80200000n;

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'cv-hv-'));
}

/** Assembles `source` (objdump-style text, one instruction per line) at the kernel base. */
export function assembleGuest(source: string): Uint8Array {
  const a = new Assembler({ base: KERNEL_BASE });
  a.asm(source);
  return a.assemble().bytes;
}

/** Writes the image and a cfg (`extra` lines appended) and loads it as a DomainConfig. */
export function guestConfig(dir: string, name: string, source: string, extra = '', memory = 16): DomainConfig {
  const img = path.join(dir, `${name}.bin`);
  writeFileSync(img, assembleGuest(source));
  const cfg = path.join(dir, `${name}.cfg`);
  writeFileSync(cfg, `name = "${name}"\ntype = "hvm"\nmemory = ${memory}\nvcpus = 1\nkernel = "${name}.bin"\n${extra}\n`);
  return loadDomainConfig(cfg).config;
}
