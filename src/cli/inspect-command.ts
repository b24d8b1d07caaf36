// `chronovisor inspect FILE.trace [--stats] [--json] [--kind K] [--from SEQ] [--to SEQ] [--events] [--salvage]`
// Without filters: the header and a summary. --stats adds breakdowns (exits, SBI, MMIO by
// device...). --kind/--from/--to/--events list events. --json prints machine-readable output
// that depends only on the trace's contents (no paths, no timing).
import { parseArgs } from 'node:util';
import { eventToJson, formatEvent } from '../events/event.ts';
import { traceStats, type TraceStats } from '../replay/trace-stats.ts';
import type { TraceReader } from '../trace/reader.ts';
import { reportError } from './errors.ts';
import { Progress } from './progress.ts';
import { UsageError } from './run-options.ts';
import { openTrace } from './trace-open.ts';

export async function inspectCommand(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        stats: { type: 'boolean' },
        salvage: { type: 'boolean' },
        events: { type: 'boolean' },
        kind: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('usage: chronovisor inspect FILE.trace [--stats] [--json] [--kind K] [--from SEQ] [--to SEQ] [--events] [--salvage]');
    const reader = openTrace(positionals[0], values.salvage ?? false);
    const progress = new Progress('inspect');
    const stats = traceStats(reader, (d, t) => progress.update(d, t));
    progress.done();
    const kinds = (values.kind ?? []).flatMap((k) => k.split(',')).filter(Boolean);
    const listing = values.events || kinds.length > 0 || values.from !== undefined || values.to !== undefined;
    const from = values.from !== undefined ? seqArg(values.from, '--from') : reader.firstSeq;
    const to = values.to !== undefined ? seqArg(values.to, '--to') + 1 : reader.nextSeq;
    const unknown = kinds.filter((k) => !reader.schema.kindByName(k));
    if (unknown.length) throw new UsageError(`--kind: no event kind ${unknown.map((k) => `"${k}"`).join(', ')} in this trace (kinds: ${Object.keys(stats.byKind).join(', ')})`);
    const selected = listing ? selectEvents(reader, Math.max(from, reader.firstSeq), Math.min(to, reader.nextSeq), kinds) : [];

    if (values.json) {
      const out: Record<string, unknown> = { ...summaryJson(reader, stats, values.stats ?? false) };
      if (reader.damage) out.damage = { chunk: reader.damage.chunk, offset: reader.damage.offset, message: reader.damage.message };
      if (listing) out.events = selected.map((e) => eventToJson(e, reader.schema));
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return 0;
    }
    if (reader.damage) process.stdout.write(`DAMAGED: ${reader.damage.message}\n(showing everything before the damage)\n\n`);
    process.stdout.write(formatSummary(positionals[0], reader, stats, values.stats ?? false));
    if (listing) {
      process.stdout.write(`\nevents ${from}..${to - 1}${kinds.length ? ` of kind ${kinds.join(', ')}` : ''}: ${selected.length}\n`);
      for (const e of selected) process.stdout.write(formatEvent(e, reader.schema) + '\n');
    }
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

function seqArg(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${what}: expected an event sequence number, got "${v}"`);
  return n;
}

function selectEvents(reader: TraceReader, from: number, to: number, kinds: string[]) {
  const out = [];
  for (const e of reader.events(from, to)) if (kinds.length === 0 || kinds.includes(e.kind)) out.push(e);
  return out;
}

function summaryJson(reader: TraceReader, s: TraceStats, withBreakdown: boolean): Record<string, unknown> {
  const { breakdown, ...rest } = s;
  return {
    ...rest,
    machine: stripPaths(reader.config.machine),
    domains: reader.config.domains ?? [],
    images: reader.config.images,
    vtime: reader.config.vtime,
    checkpoints: reader.checkpoints.length,
    ...(withBreakdown ? { breakdown } : {}),
  };
}

/** The machine description without host paths, so equal runs give equal JSON. */
function stripPaths(machine: unknown): unknown {
  if (!machine || typeof machine !== 'object') return machine;
  const m = { ...(machine as Record<string, unknown>) };
  if (m.images && typeof m.images === 'object') {
    m.images = Object.fromEntries(Object.entries(m.images as Record<string, { path?: string } | null>).map(([k, v]) => [k, v ? v.path : null]));
  }
  return m;
}

function formatSummary(path: string, reader: TraceReader, s: TraceStats, withBreakdown: boolean): string {
  const m = reader.config.machine as Record<string, unknown>;
  const lines = [
    `trace:        ${path} (${s.fileBytes} bytes, ${s.format}, ${reader.complete ? 'complete' : 'interrupted: no index/footer'})`,
    `machine:      ${m?.kind ?? '?'}${m?.memBytes ? `, ${Number(m.memBytes) / 2 ** 20} MiB` : ''}${m?.harts ? `, ${String(m.harts)} hart(s)` : ''}, icount shift ${reader.config.vtime.icountShift}`,
    ...reader.config.images.map((i) => `image:        ${i.name} ${i.size} bytes sha256 ${i.sha256}`),
    `events:       ${s.events} (seq ${s.firstSeq}..${s.firstSeq + s.events - 1})`,
    `icount:       ${s.firstIcount} .. ${s.lastIcount}`,
    `size:         ${s.bytesPerEvent} bytes/event, ${s.bytesPerMInsn} bytes per million instructions`,
    `checkpoints:  ${reader.checkpoints.length}`,
    `by kind:      ${Object.entries(s.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `by domain:    ${Object.entries(s.byDomain).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  if (withBreakdown) {
    for (const [group, counts] of Object.entries(s.breakdown)) {
      lines.push(`${group}:`);
      for (const [k, v] of Object.entries(counts)) lines.push(`  ${String(v).padStart(9)}  ${k}`);
    }
  }
  return lines.join('\n') + '\n';
}
