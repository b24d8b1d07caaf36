// Opening a trace for a command: clear errors (which chunk, which byte offset, what to do).
import { TraceReader } from '../trace/reader.ts';
import { TraceError } from '../trace/errors.ts';
import { registerExpectedError } from './errors.ts';

registerExpectedError(TraceError);

export function openTrace(path: string, salvage: boolean): TraceReader {
  return TraceReader.open(path, { salvage });
}

/** --image ROLE=PATH options into an override map. */
export function parseImageOverrides(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0) throw Object.assign(new Error(`--image expects ROLE=PATH (e.g. bios=fw_dynamic.bin), got "${v}"`), { userFacing: true });
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}
