// Runs our guest kernel's example domains (guests/*.cfg) on the hypervisor, the way
// `chronovisor run` does, and splits each domain's console into result lines (which must be
// identical between the HVM and PV builds) and platform lines (`hvm:`, `pv:`, `info:`).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDomainConfigs } from '../../src/hypervisor/config/domain-set.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { Recording } from '../../src/replay/recorder.ts';
import { traceConfigForHypervisor } from '../../src/replay/hypervisor-config.ts';
import { HypervisorSystem } from '../../src/replay/system.ts';

export const GUESTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../guests');
export const KERNEL = path.join(GUESTS, 'kernel');

/** Line prefixes that carry results; everything else is about the platform. */
const RESULT_PREFIXES = ['kernel:', 'user:', 'disk:', 'mem:', 'timer:', 'net:'];

export interface KernelRun {
  /** Console text per domain name. */
  console: Map<string, string>;
  /** Hypervisor notes (shutdowns, crashes). */
  notes: string[];
  stop: string;
  icount: number;
  hv: Hypervisor;
}

/**
 * Runs the domains of the given .cfg files (relative to guests/, or absolute) until all have
 * stopped or the budget is spent; with `trace`, records the run there as `chronovisor record` does.
 */
export function runKernelDomains(cfgs: readonly string[], opts: { budget?: number; trace?: string } = {}): KernelRun {
  const budget = opts.budget ?? 2_000_000_000;
  const loaded = loadDomainConfigs(cfgs.map((c) => path.resolve(GUESTS, c)));
  const consoles = new Map<string, string>();
  const notes: string[] = [];
  const decoder = new TextDecoder('latin1');
  const hv = new Hypervisor({
    domains: loaded.map((l) => l.config),
    onConsole: (d, bytes) => consoles.set(d.name, (consoles.get(d.name) ?? '') + decoder.decode(bytes)),
    onNote: (t) => notes.push(t),
  });
  const rec = opts.trace ? new Recording(new HypervisorSystem(hv), opts.trace, traceConfigForHypervisor(hv, loaded[0].config.name)) : null;
  let stop = 'budget';
  const end = hv.icount + budget;
  while (hv.icount < end) {
    const chunk = Math.min(50_000_000, end - hv.icount);
    const r = rec ? rec.run(chunk) : hv.run(chunk);
    if (r.kind !== 'budget') {
      stop = r.kind;
      break;
    }
  }
  rec?.close();
  return { console: consoles, notes, stop, icount: hv.icount, hv };
}

export function resultLines(consoleText: string): string[] {
  return consoleText.split('\n').filter((l) => RESULT_PREFIXES.some((p) => l.startsWith(p)));
}

/** The committed expected result lines (guests/kernel/expected/NAME.txt). */
export function expectedLines(name: string): string[] {
  return readFileSync(path.join(KERNEL, 'expected', `${name}.txt`), 'latin1').split('\n').filter((l) => l !== '');
}

/**
 * Writes a domain configuration to a temporary directory, with the kernel's images named by
 * absolute path (for pairings the committed guests/*.cfg files do not make).
 */
export function tempKernelCfg(name: string, type: 'pv' | 'hvm', extra: string, bridge: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cv-kernel-'));
  const file = path.join(dir, `${name}.cfg`);
  const kernel = path.join(KERNEL, type === 'pv' ? 'kernel-pv.elf' : 'kernel-hvm.bin');
  writeFileSync(
    file,
    `name = "${name}"\ntype = "${type}"\nmemory = 16\nkernel = "${kernel}"\nextra = "${extra}"\n` +
      `disk = [ 'file:${path.join(KERNEL, 'disk.img')},xvda,cow' ]\nvif = [ 'bridge=${bridge}' ]\n`,
  );
  return file;
}
