// Options shared by `run` and `record`: machine shape, images, limits and the console script.
// Errors name the option and say what was expected.
import { parseArgs } from 'node:util';
import { unescapeText, type ScriptStep } from './console-script.ts';

export class UsageError extends Error {}

export interface RunOptions {
  bios?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
  memBytes: number;
  smp: number;
  maxInsns?: number;
  timeoutS?: number;
  timeoutInsns?: number;
  icountShift?: number;
  script: ScriptStep[];
  /** Domain configuration files (xl.cfg syntax), positional. */
  configs: string[];
  output?: string;
  console?: string;
  quiet: boolean;
}

/** Parses a memory size like QEMU's -m: plain numbers are MiB; K, M, G suffixes. */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(i?[bB])?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: expected a size like 256M or 1G, got "${text}"`);
  const n = Number(m[1]);
  const unit = m[2].toUpperCase();
  const mult = unit === 'K' ? 1024 : unit === 'G' ? 1024 ** 3 : 1024 ** 2;
  const bytes = Math.round(n * mult);
  if (bytes <= 0 || bytes % 4096 !== 0) throw new UsageError(`${what}: ${text} is not a positive whole number of 4 KiB pages`);
  return bytes;
}

function parseCount(text: string, what: string, min = 0): number {
  const clean = text.replace(/_/g, '');
  const m = /^(\d+)([kKmMgG]?)$/.exec(clean);
  if (!m) throw new UsageError(`${what}: expected a whole number (suffixes k, M, G allowed), got "${text}"`);
  const mult = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2].toUpperCase()] ?? 1;
  const v = Number(m[1]) * mult;
  if (!Number.isSafeInteger(v) || v < min) throw new UsageError(`${what}: ${text} is out of range (at least ${min})`);
  return v;
}

export function parseRunOptions(argv: string[], extra: { output?: boolean } = {}): RunOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        bios: { type: 'string' },
        kernel: { type: 'string' },
        initrd: { type: 'string' },
        append: { type: 'string' },
        mem: { type: 'string', short: 'm' },
        smp: { type: 'string' },
        'max-insns': { type: 'string' },
        'timeout-s': { type: 'string' },
        'timeout-insns': { type: 'string' },
        'icount-shift': { type: 'string' },
        expect: { type: 'string', multiple: true },
        send: { type: 'string', multiple: true },
        output: { type: 'string', short: 'o' },
        console: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const script: ScriptStep[] = [];
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || (t.name !== 'expect' && t.name !== 'send')) continue;
    const raw = t.value ?? '';
    script.push({ kind: t.name, text: unescapeText(raw, `--${t.name}`) });
  }
  if (v.output && !extra.output) throw new UsageError('-o/--output is only meaningful for `record`');
  const opts: RunOptions = {
    bios: v.bios,
    kernel: v.kernel,
    initrd: v.initrd,
    append: v.append,
    memBytes: v.mem ? parseSize(v.mem, '--mem') : 256 * 1024 * 1024,
    smp: v.smp ? parseCount(v.smp, '--smp', 1) : 1,
    maxInsns: v['max-insns'] ? parseCount(v['max-insns'], '--max-insns', 1) : undefined,
    timeoutS: v['timeout-s'] ? Number(v['timeout-s']) : undefined,
    timeoutInsns: v['timeout-insns'] ? parseCount(v['timeout-insns'], '--timeout-insns', 1) : undefined,
    icountShift: v['icount-shift'] !== undefined ? parseCount(v['icount-shift'], '--icount-shift', 0) : undefined,
    script,
    configs: parsed.positionals,
    output: v.output,
    console: v.console,
    quiet: v.quiet ?? false,
  };
  if (opts.timeoutS !== undefined && !(opts.timeoutS > 0)) throw new UsageError(`--timeout-s: expected a positive number of seconds, got "${v['timeout-s']}"`);
  if (opts.smp > 64) throw new UsageError(`--smp: at most 64 harts are supported, got ${opts.smp}`);
  if (opts.configs.length === 0 && !opts.bios && !opts.kernel) {
    throw new UsageError('nothing to run: give --bios FILE [--kernel FILE], or one or more domain .cfg files');
  }
  return opts;
}
