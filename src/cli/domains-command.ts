// `run`/`record` with domain configuration files (xl.cfg): the hypervisor's entry point.
import type { RunOptions } from './run-options.ts';
import { UsageError } from './run-options.ts';

export async function runDomainsCommand(o: RunOptions, _output: string | null): Promise<number> {
  throw new UsageError(`domain configuration files are not supported yet (${o.configs.join(', ')}); use --bios/--kernel`);
}
