// A domain's xl.cfg settings checked and turned into a DomainConfig: xl's keys, xl's defaults,
// and Chronovisor's limits. Every problem is reported with the file, line and column of the
// value at fault, and all of them at once (DomainConfigError). Settings xl knows but we do not
// implement, and keys nobody knows, are warnings: xl ignores unknown keys too.
// docs/DOMAINS.md is the user's description of all of this; keep the two in step.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DomainType } from '../types.ts';
import { CheckContext, nodeFileProbe, type FileProbe } from './check-context.ts';
import { checkDisks, checkVifs, type DiskSpec, type VifSpec } from './devices.ts';
import { ConfigReadError, DomainConfigError, type SourcePos, type XlCfgDiagnostic } from './diagnostics.ts';
import { describeValue, parseXlCfg, type XlCfgFile, type XlCfgString, type XlCfgValue } from './xlcfg-parse.ts';

export type { DiskSpec, VifSpec } from './devices.ts';

/** What happens when a domain powers off, reboots or crashes (the subset of xl's actions we implement). */
export type LifecycleAction = 'destroy' | 'restart' | 'preserve';

/** Every action xl accepts for on_poweroff/on_reboot/on_crash (xl.cfg(5), "Event Actions"). */
export const XL_LIFECYCLE_ACTIONS = ['destroy', 'restart', 'rename-restart', 'preserve', 'coredump-destroy', 'coredump-restart', 'soft-reset'] as const;

export interface DomainConfig {
  /** xl `name`; unique among the domains of one run. */
  readonly name: string;
  /** xl `type` (or the deprecated `builder`); default 'pv', as xl built for any non-Arm host. */
  readonly type: DomainType;
  /** xl `memory` in MiB; default 32, libxl's. */
  readonly memoryMiB: number;
  /** xl `vcpus`, 1..64; default 1. */
  readonly vcpus: number;
  /** Absolute paths, resolved against the directory of the cfg file. */
  readonly kernel?: string;
  readonly ramdisk?: string;
  /** xl `cmdline`; without it "root=ROOT EXTRA", "root=ROOT" or EXTRA from `root` and `extra`. */
  readonly cmdline?: string;
  /** HVM only: an image run before the kernel (the "BIOS" stage). */
  readonly firmware?: string;
  readonly disks: readonly DiskSpec[];
  readonly vifs: readonly VifSpec[];
  readonly onPoweroff: LifecycleAction;
  readonly onReboot: LifecycleAction;
  readonly onCrash: LifecycleAction;
  /** Absolute path of the cfg file. */
  readonly sourceFile: string;
}

export interface LoadedDomainConfig {
  readonly config: DomainConfig;
  readonly warnings: readonly XlCfgDiagnostic[];
  /** The parsed file, for later messages that point into it. */
  readonly source: XlCfgFile;
}

export interface DomainConfigOptions {
  /** How files named by the configuration are looked at; the real file system by default. */
  probe?: FileProbe;
  /** Memory all domains of a run may use together, MiB; default HOST_MEMORY_BUDGET_MIB. */
  memoryBudgetMiB?: number;
}

export const DEFAULT_MEMORY_MIB = 32;
/** Room for a kernel, its device tree and page tables; smaller guests are almost surely a typo. */
export const MIN_MEMORY_MIB = 16;
/**
 * Guest RAM of all domains together. The host backing store holds at most 0x7ffff000 bytes
 * (MAX_BACKING_BYTES in src/machine/phys-mem.ts, just under 2 GiB); 127 MiB of it stay for the
 * hypervisor's own pages (ROM, device trees, p2m tables, shared and ring pages).
 */
export const HOST_MEMORY_BUDGET_MIB = 1920;
export const MAX_VCPUS = 64;

/** Names of xl's built-in firmware, which we do not have. */
const XL_FIRMWARE_NAMES = new Set(['bios', 'uefi', 'seabios', 'rombios', 'ovmf', 'pvgrub32', 'pvgrub64']);

/** xl settings we recognise but do not implement: ignored with a warning saying so. */
const XL_UNSUPPORTED_KEYS = new Set(
  ('maxmem maxvcpus uuid pool cpus cpus_soft cpu_weight cap vnuma on_watchdog on_soft_reset bootloader bootloader_args ' +
    'device_tree seclabel init_seclabel max_grant_frames max_maptrack_frames max_event_channels nomigrate driver_domain ' +
    'acpi apic pae hap oos nestedhvm shadow_memory serial vnc vnclisten vncdisplay vncunused vncpasswd sdl opengl keymap ' +
    'boot bios device_model_version device_model_override stdvga videoram usb usbdevice localtime rtc_timeoffset ' +
    'tsc_mode timer_mode viridian pci dtdev iomem irqs vfb vkb channel vtpm p9 usbctrl usbdev gic_version vuart ' +
    'xen_platform_pci soundhw pvshim pvshim_path pvshim_cmdline pvshim_extra')
    .split(' '),
);

const START: SourcePos = { line: 1, column: 1, offset: 0 };
const MiB = 1024 * 1024;

/** Reads, parses and checks one cfg file. Throws ConfigReadError, XlCfgError or DomainConfigError. */
export function loadDomainConfig(file: string, options: DomainConfigOptions = {}): LoadedDomainConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigReadError(file, (e as Error).message);
  }
  return validateDomainConfig(parseXlCfg(text, file), options);
}

/** Checks a parsed file. Throws DomainConfigError with every problem found. */
export function validateDomainConfig(source: XlCfgFile, options: DomainConfigOptions = {}): LoadedDomainConfig {
  const sourceFile = path.resolve(source.file);
  const ctx = new CheckContext(source, path.dirname(sourceFile), options.probe ?? nodeFileProbe);
  const budget = options.memoryBudgetMiB ?? HOST_MEMORY_BUDGET_MIB;
  const used = new Set<string>();
  const get = (key: string): XlCfgValue | undefined => {
    used.add(key);
    return source.settings.get(key)?.value;
  };
  const str = (key: string): XlCfgString | undefined => {
    const v = get(key);
    if (v && v.kind !== 'string') return void ctx.error(v.pos, `expected a string for "${key}" (${key} = "..."), found ${describeValue(v)}`);
    return v;
  };
  const int = (key: string, fallback: number, min: number, max: number, unit = ''): number => {
    const v = get(key);
    if (!v) return fallback;
    const n = v.kind === 'number' ? v.value : v.kind === 'string' ? numberFromString(v.value) : undefined;
    if (n === undefined) {
      ctx.error(v.pos, `expected a number for "${key}", found ${describeValue(v)}`);
      return fallback;
    }
    if (n < min || n > max) {
      ctx.error(v.pos, `${key} = ${n}${unit} is out of range: expected ${min} to ${max}${rangeNote(key, max, budget)}`);
      return fallback;
    }
    return n;
  };
  const anchor = (): SourcePos => source.settings.get('type')?.value.pos ?? START;

  // name
  const nameV = str('name');
  let name = '';
  if (!nameV) {
    if (!source.settings.has('name')) ctx.error(START, 'a domain needs a name: add name = "NAME"');
  } else if (!/^[A-Za-z0-9_.-]{1,64}$/.test(nameV.value)) {
    ctx.error(nameV.pos, `invalid domain name ${JSON.stringify(nameV.value)}: use 1 to 64 letters, digits, "_", "." or "-"`);
  } else if (/^[0-9]+$/.test(nameV.value)) {
    ctx.error(nameV.pos, `invalid domain name "${nameV.value}": a name must not be a number, which would read as a domain id`);
  } else {
    name = nameV.value;
  }

  const type = domainType(ctx, str('type'), str('builder'));
  const memoryMiB = int('memory', DEFAULT_MEMORY_MIB, MIN_MEMORY_MIB, budget, ' MiB');
  const vcpus = int('vcpus', 1, 1, MAX_VCPUS);

  const kernelV = str('kernel');
  const ramdiskV = str('ramdisk');
  const firmwareV = str('firmware');
  const kernel = kernelV && ctx.existingFile(kernelV.value, kernelV.pos, 'kernel');
  const ramdisk = ramdiskV && ctx.existingFile(ramdiskV.value, ramdiskV.pos, 'ramdisk');
  let firmware: { path: string; size: number } | undefined;
  if (firmwareV && XL_FIRMWARE_NAMES.has(firmwareV.value)) {
    ctx.error(firmwareV.pos, `"${firmwareV.value}" names one of xl's built-in firmware images; Chronovisor has none built in: give the path of a firmware image`);
  } else if (firmwareV) {
    firmware = ctx.existingFile(firmwareV.value, firmwareV.pos, 'firmware');
  }

  if (type !== 'hvm' && !kernelV) {
    ctx.error(anchor(), `a ${type} domain boots its kernel directly: add kernel = "PATH"`);
  }
  if (type !== 'hvm' && firmwareV) {
    ctx.error(firmwareV.pos, `firmware is for HVM domains only; a ${type} domain boots its kernel directly`);
  }
  if (type === 'hvm' && !kernelV && !firmwareV) {
    ctx.error(anchor(), 'an HVM domain needs something to boot: kernel = "PATH" (U-Boot, Linux, ...) and/or firmware = "PATH"');
  }
  if (ramdiskV && !kernelV) ctx.error(ramdiskV.pos, 'a ramdisk is loaded for a kernel: add kernel = "PATH"');

  const images = [kernel && ['kernel', kernel.size], ramdisk && ['ramdisk', ramdisk.size], firmware && ['firmware', firmware.size]]
    .filter((x): x is [string, number] => !!x);
  const imageBytes = images.reduce((n, [, size]) => n + size, 0);
  if (imageBytes > memoryMiB * MiB) {
    const parts = images.map(([what, size]) => `${what} ${(size / MiB).toFixed(1)} MiB`).join(' + ');
    ctx.error(source.settings.get('memory')?.value.pos ?? anchor(), `memory = ${memoryMiB} MiB cannot hold ${parts}`);
  }

  const cmdline = commandLine(ctx, str('cmdline'), str('root'), str('extra'));
  const onPoweroff = action(ctx, 'on_poweroff', str('on_poweroff'), 'destroy');
  const onReboot = action(ctx, 'on_reboot', str('on_reboot'), 'restart');
  const onCrash = action(ctx, 'on_crash', str('on_crash'), 'destroy');
  const disks = checkDisks(ctx, get('disk'));
  const vifs = checkVifs(ctx, get('vif'), name || 'domain', type);

  for (const s of source.settings.values()) {
    if (used.has(s.key)) continue;
    if (XL_UNSUPPORTED_KEYS.has(s.key)) ctx.warn(s.keyPos, `"${s.key}" is an xl setting Chronovisor does not implement; ignored`);
    else ctx.warn(s.keyPos, `unknown setting "${s.key}" ignored (xl ignores unknown settings too)`);
  }
  if (ctx.errors.length > 0) throw new DomainConfigError(sortByPosition(ctx.errors));

  const config: DomainConfig = {
    name,
    type,
    memoryMiB,
    vcpus,
    ...(kernel && { kernel: kernel.path }),
    ...(ramdisk && { ramdisk: ramdisk.path }),
    ...(cmdline !== undefined && { cmdline }),
    ...(firmware && { firmware: firmware.path }),
    disks,
    vifs,
    onPoweroff,
    onReboot,
    onCrash,
    sourceFile,
  };
  return { config, warnings: sortByPosition([...source.warnings, ...ctx.warnings]), source };
}

function domainType(ctx: CheckContext, typeV: XlCfgString | undefined, builderV: XlCfgString | undefined): DomainType {
  let type: DomainType | undefined;
  if (typeV) {
    if (typeV.value === 'hvm' || typeV.value === 'pvh' || typeV.value === 'pv') type = typeV.value;
    else ctx.error(typeV.pos, `unknown domain type ${JSON.stringify(typeV.value)}: expected "hvm", "pvh" or "pv"`);
  }
  if (builderV) {
    const b = builderV.value === 'hvm' ? 'hvm' : builderV.value === 'generic' ? 'pv' : undefined;
    if (!b) {
      ctx.error(builderV.pos, `unknown builder ${JSON.stringify(builderV.value)}: expected "hvm" or "generic" (better: type = "hvm" or "pv")`);
    } else if (typeV && type && type !== b) {
      ctx.error(builderV.pos, `builder = "${builderV.value}" contradicts type = "${type}"; remove builder (it is deprecated)`);
    } else {
      ctx.warn(builderV.pos, `builder is deprecated since Xen 4.10; write type = "${b}"`);
      type ??= b;
    }
  }
  return type ?? 'pv';
}

/** xl's parse_cmdline: cmdline wins over root and extra; otherwise "root=ROOT EXTRA". */
function commandLine(ctx: CheckContext, cmdline?: XlCfgString, root?: XlCfgString, extra?: XlCfgString): string | undefined {
  if (cmdline) {
    for (const ignored of [root, extra]) {
      if (ignored) ctx.warn(ignored.pos, 'ignored in favour of cmdline (as xl does)');
    }
    return cmdline.value;
  }
  if (root) return extra ? `root=${root.value} ${extra.value}` : `root=${root.value}`;
  return extra?.value;
}

function action(ctx: CheckContext, key: string, v: XlCfgString | undefined, fallback: LifecycleAction): LifecycleAction {
  if (!v) return fallback;
  if (v.value === 'destroy' || v.value === 'restart' || v.value === 'preserve') return v.value;
  if ((XL_LIFECYCLE_ACTIONS as readonly string[]).includes(v.value)) {
    ctx.error(v.pos, `${key} = "${v.value}" is an xl action Chronovisor does not implement: use "destroy", "restart" or "preserve"`);
  } else {
    ctx.error(v.pos, `unknown action ${JSON.stringify(v.value)} for ${key}: expected "destroy", "restart" or "preserve"`);
  }
  return fallback;
}

/** A number written as a string ("512", "0x200"), as xl's strtol(..., 0) reads it; undefined if it is not one. */
function numberFromString(s: string): number | undefined {
  const t = s.trim();
  if (/^(0|[1-9][0-9]*)$/.test(t)) return Number(t);
  if (/^0[0-7]+$/.test(t)) return parseInt(t, 8);
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  return undefined;
}

function rangeNote(key: string, max: number, budget: number): string {
  if (key !== 'memory' || max !== budget) return '';
  return ` (the host backing store is just under 2 GiB; ${budget} MiB of it are for guest RAM, shared by all domains)`;
}

function sortByPosition(ds: XlCfgDiagnostic[]): XlCfgDiagnostic[] {
  return ds.map((d, i) => ({ d, i })).sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i).map((x) => x.d);
}
