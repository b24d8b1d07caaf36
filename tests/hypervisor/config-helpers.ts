// Shared by the config-*.test.ts files: a pretend file system and a one-call loader.
import { parseXlCfg } from '../../src/hypervisor/config/xlcfg-parse.ts';
import { validateDomainConfig, type DomainConfigOptions, type LoadedDomainConfig } from '../../src/hypervisor/config/domain-config.ts';
import type { FileProbe } from '../../src/hypervisor/config/check-context.ts';

export const MiB = 2 ** 20;

/** A pretend file system: /cfg holds the cfg files and the images they name. */
const FILES = new Map<string, { size: number; isFile?: boolean; readonly?: boolean }>([
  ['/cfg/kernel.bin', { size: 2 * MiB }],
  ['/cfg/initrd.img', { size: 4 * MiB }],
  ['/cfg/fw.bin', { size: 1 * MiB }],
  ['/cfg/big.bin', { size: 40 * MiB }],
  ['/cfg/empty.bin', { size: 0 }],
  ['/cfg/dir', { size: 4096, isFile: false }],
  ['/cfg/disk.img', { size: 8 * MiB }],
  ['/cfg/disk2.img', { size: 8 * MiB }],
  ['/cfg/odd.img', { size: 1000 }],
  ['/cfg/ro.img', { size: 8 * MiB, readonly: true }],
  ['/k/vmlinux', { size: 8 * MiB }],
]);

export const fakeProbe: FileProbe = {
  stat: (p) => {
    const f = FILES.get(p);
    return f && { isFile: f.isFile ?? true, size: f.size };
  },
  writable: (p) => !FILES.get(p)?.readonly,
};

export function load(text: string, file = '/cfg/a.cfg', options: DomainConfigOptions = {}): LoadedDomainConfig {
  return validateDomainConfig(parseXlCfg(text, file), { probe: fakeProbe, ...options });
}
