// The domains of one run (`chronovisor run A.cfg B.cfg ...`) checked together: what no single
// file can know — unique names and MACs, read-write disk images used by one domain only, and
// guest RAM that fits the host's backing store.

import { loadDomainConfig, HOST_MEMORY_BUDGET_MIB, type DomainConfigOptions, type LoadedDomainConfig } from './domain-config.ts';
import { imageConflict } from './devices.ts';
import { DomainConfigError, makeDiagnostic, type SourcePos, type XlCfgDiagnostic } from './diagnostics.ts';
import { XlCfgError } from './xlcfg-parse.ts';

const START: SourcePos = { line: 1, column: 1, offset: 0 };

/** Throws DomainConfigError listing every conflict between the domains. */
export function checkDomainSet(domains: readonly LoadedDomainConfig[], options: DomainConfigOptions = {}): void {
  const errors: XlCfgDiagnostic[] = [];
  const at = (d: LoadedDomainConfig, pos: SourcePos) => `${d.source.file}:${pos.line}:${pos.column}`;
  const valuePos = (d: LoadedDomainConfig, key: string): SourcePos => d.source.settings.get(key)?.value.pos ?? START;

  domains.forEach((d, i) => {
    const earlier = domains.slice(0, i);
    const twin = earlier.find((o) => o.config.name === d.config.name);
    if (twin) {
      const first = at(twin, valuePos(twin, 'name'));
      const msg = `domain name "${d.config.name}" is also used by ${first}; names must be unique among the domains of a run`;
      errors.push(makeDiagnostic(d.source, valuePos(d, 'name'), msg));
    }
    for (const vif of d.config.vifs) {
      for (const o of earlier) {
        const same = o.config.vifs.find((v) => v.mac === vif.mac);
        if (!same) continue;
        const fix = vif.macGenerated && same.macGenerated ? 'the generated MACs collide; set mac= on one of them' : 'give one of them its own mac=';
        errors.push(makeDiagnostic(d.source, vif.pos, `MAC address ${vif.mac} is also used by domain "${o.config.name}" (${at(o, same.pos)}); ${fix}`));
      }
    }
    for (const disk of d.config.disks) {
      for (const o of earlier) {
        for (const od of o.config.disks) {
          const why = imageConflict(od, disk);
          if (why) errors.push(makeDiagnostic(d.source, disk.pos, `${why} (domain "${o.config.name}" uses it at ${at(o, od.pos)})`));
        }
      }
    }
  });

  const budget = options.memoryBudgetMiB ?? HOST_MEMORY_BUDGET_MIB;
  let total = 0;
  for (const d of domains) {
    total += d.config.memoryMiB;
    if (total <= budget) continue;
    const parts = domains.map((x) => `${x.config.name} ${x.config.memoryMiB}`).join(' + ');
    const all = domains.reduce((n, x) => n + x.config.memoryMiB, 0);
    const msg = `the domains need ${all} MiB of RAM together (${parts}), more than the ${budget} MiB the host backing store has for guests`;
    errors.push(makeDiagnostic(d.source, valuePos(d, 'memory'), msg));
    break;
  }
  if (errors.length > 0) throw new DomainConfigError(errors);
}

/**
 * Loads every file and checks them as one run. Syntax and validation errors of all files are
 * collected into one DomainConfigError; a file that cannot be read throws ConfigReadError.
 */
export function loadDomainConfigs(files: readonly string[], options: DomainConfigOptions = {}): LoadedDomainConfig[] {
  const loaded: LoadedDomainConfig[] = [];
  const errors: XlCfgDiagnostic[] = [];
  for (const file of files) {
    try {
      loaded.push(loadDomainConfig(file, options));
    } catch (e) {
      if (e instanceof XlCfgError) errors.push(e.diagnostic);
      else if (e instanceof DomainConfigError) errors.push(...e.diagnostics);
      else throw e;
    }
  }
  if (errors.length > 0) throw new DomainConfigError(errors);
  checkDomainSet(loaded, options);
  return loaded;
}
