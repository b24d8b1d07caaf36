// Field-by-field comparison of two events, for the replayer's "expected vs actual" report.
// Differences are returned as data (field path plus both values in the event's text form)
// so the report, the debugger and tests can each present them their own way.

import type { FieldSpec, FieldValue } from './field-types.ts';
import { formatEvent, formatValue, type TraceEvent } from './event.ts';
import { defaultSchema, type Schema } from './schema.ts';

export interface FieldDiff {
  /** `seq`, `icount`, `domain`, `vcpu`, `kind`, or `payload.<field>`. */
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
}

export interface DiffOptions {
  schema?: Schema;
  /** Skip the seq comparison (events from two logs that started at different seqs). */
  ignoreSeq?: boolean;
}

export function valuesEqual(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Byte equality of two encoded records (EventLog.lastRecord, EventCursor.nextRecord). */
export function sameRecord(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function eventsEqual(a: TraceEvent, b: TraceEvent, opts: DiffOptions = {}): boolean {
  return diffEvents(a, b, opts).length === 0;
}

/** Every field that differs, header fields first, then payload fields in schema order. */
export function diffEvents(expected: TraceEvent, actual: TraceEvent, opts: DiffOptions = {}): FieldDiff[] {
  const schema = opts.schema ?? defaultSchema;
  const out: FieldDiff[] = [];
  const header = (field: 'seq' | 'icount' | 'domain' | 'vcpu' | 'kind'): void => {
    if (expected[field] !== actual[field]) out.push({ field, expected: String(expected[field]), actual: String(actual[field]) });
  };
  if (!opts.ignoreSeq) header('seq');
  header('icount');
  header('domain');
  header('vcpu');
  header('kind');
  if (expected.kind !== actual.kind) {
    out.push({ field: 'payload', expected: payloadText(expected, schema), actual: payloadText(actual, schema) });
    return out;
  }
  const spec = schema.kindByName(expected.kind);
  const names = new Set([...(spec?.fields.map((f) => f.name) ?? []), ...Object.keys(expected.payload), ...Object.keys(actual.payload)]);
  for (const name of names) {
    const a = expected.payload[name];
    const b = actual.payload[name];
    if (valuesEqual(a, b)) continue;
    const f: FieldSpec = spec?.fields.find((x) => x.name === name) ?? { name, type: 'varint' };
    out.push({ field: `payload.${name}`, expected: formatValue(f, a), actual: formatValue(f, b) });
  }
  return out;
}

function payloadText(e: TraceEvent, schema: Schema): string {
  return formatEvent(e, schema).split(' ').slice(4).join(' ');
}

/**
 * A readable block for divergence reports:
 *   expected: #12 @3456 d0:v0 mmio dev=1 offset=0x10 size=4 value=0x41 op=write
 *   actual:   #12 @3456 d0:v0 mmio dev=1 offset=0x10 size=4 value=0x42 op=write
 *   differs:  payload.value: 0x41 vs 0x42
 */
export function formatDiff(expected: TraceEvent, actual: TraceEvent, opts: DiffOptions = {}): string {
  const schema = opts.schema ?? defaultSchema;
  const diffs = diffEvents(expected, actual, opts);
  const lines = [`expected: ${formatEvent(expected, schema)}`, `actual:   ${formatEvent(actual, schema)}`];
  if (diffs.length === 0) lines.push('differs:  nothing');
  for (const d of diffs) lines.push(`differs:  ${d.field}: ${d.expected} vs ${d.actual}`);
  return lines.join('\n');
}
