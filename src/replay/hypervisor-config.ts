// How a hypervisor run is described in a trace header (the validated domain configurations
// and every image they load, with their hashes), and how replay rebuilds the same hypervisor.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { imageDigest, type ImageDigest, type TraceConfig } from '../trace/header.ts';
import { readImage } from '../machine/image.ts';
import type { DomainConfig } from '../hypervisor/config/domain-config.ts';
import { Hypervisor, type HypervisorOptions } from '../hypervisor/hypervisor.ts';
import { ImageMismatchError } from './machine-config.ts';

export interface HypervisorDescription {
  kind: 'hypervisor';
  icountShift: number;
  consoleDomain?: string;
  domains: DomainConfig[];
}

/** Every file a domain reads, by role: images and disk backing files. */
function domainFiles(d: DomainConfig): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (d.firmware) out.push([`${d.name}.firmware`, d.firmware]);
  if (d.kernel) out.push([`${d.name}.kernel`, d.kernel]);
  if (d.ramdisk) out.push([`${d.name}.ramdisk`, d.ramdisk]);
  d.disks.forEach((disk, i) => out.push([`${d.name}.disk${i}`, disk.target]));
  return out;
}

export function traceConfigForHypervisor(hv: Hypervisor, consoleDomain?: string): TraceConfig {
  const domains = hv.domains.map((d) => d.config);
  const images: ImageDigest[] = [];
  for (const d of domains) for (const [role, file] of domainFiles(d)) images.push(imageDigest(role, readImage(role, file).bytes));
  const desc: HypervisorDescription = { kind: 'hypervisor', icountShift: hv.clock.shift, consoleDomain, domains: domains.map((d) => ({ ...d })) };
  return {
    machine: desc,
    domains: hv.domains.map((d) => ({ id: d.id, name: d.name, type: d.type, memoryMiB: d.config.memoryMiB, vcpus: d.config.vcpus, devices: deviceNames(d) })),
    images,
    vtime: { icountShift: hv.clock.shift },
  };
}

function deviceNames(d: Hypervisor['domains'][number]): string[] {
  const names = (d.dm?.devicesForFdt() ?? []).map((x) => x.name);
  return names;
}

/** Rebuilds the recorded hypervisor, checking every file against its recorded hash. */
export function hypervisorFromTrace(
  config: TraceConfig,
  traceFile: string,
  hooks: Pick<HypervisorOptions, 'onConsole' | 'onNote'>,
  overrides: Record<string, string> = {},
): Hypervisor {
  const desc = config.machine as HypervisorDescription;
  const domains = desc.domains.map((d) => relocate(d, config, traceFile, overrides));
  return new Hypervisor({ domains, icountShift: desc.icountShift, consoleDomain: desc.consoleDomain, ...hooks });
}

function relocate(d: DomainConfig, config: TraceConfig, traceFile: string, overrides: Record<string, string>): DomainConfig {
  const find = (role: string, file: string): string => {
    const candidates = [overrides[role], file, path.join(path.dirname(traceFile), path.basename(file))].filter((x): x is string => !!x);
    const at = candidates.find((p) => existsSync(p));
    if (!at) throw new ImageMismatchError(`the trace needs ${role} "${file}", which is not there; pass --image ${role}=PATH to point at a copy with the same contents`);
    const img = readImage(role, at);
    const want = config.images.find((x) => x.name === role);
    if (want && want.sha256 !== img.sha256) {
      throw new ImageMismatchError(
        `${role} ${at} differs from the one recorded in ${traceFile}: sha256 ${img.sha256.slice(0, 16)}… (${img.bytes.length} bytes), ` +
          `recorded ${want.sha256.slice(0, 16)}… (${want.size} bytes). Replay needs the exact same file; pass --image ${role}=PATH to use another copy of it.`,
      );
    }
    return at;
  };
  return {
    ...d,
    firmware: d.firmware ? find(`${d.name}.firmware`, d.firmware) : undefined,
    kernel: d.kernel ? find(`${d.name}.kernel`, d.kernel) : undefined,
    ramdisk: d.ramdisk ? find(`${d.name}.ramdisk`, d.ramdisk) : undefined,
    disks: d.disks.map((disk, i) => ({ ...disk, target: find(`${d.name}.disk${i}`, disk.target) })),
  };
}
