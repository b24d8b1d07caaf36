// Materialized events: plain, deep-frozen objects. Byte payloads are frozen number arrays
// rather than Uint8Arrays because typed arrays cannot be frozen, and readers must never be
// able to change an event. Text and JSON forms are derived from the kind's field list, so
// they stay stable as long as the schema does.

import type { FieldSpec, FieldValue, Payload } from './field-types.ts';
import type { KindName, PayloadOf } from './kinds.ts';
import { defaultSchema, type Schema } from './schema.ts';

export interface TraceEvent<K extends string = string, P extends Payload = Payload> {
  /** Position in the log: dense, from 0. */
  readonly seq: number;
  /** Virtual time: instructions retired when the event happened; never decreases. */
  readonly icount: number;
  /** 0 for a bare machine. */
  readonly domain: number;
  readonly vcpu: number;
  readonly kind: K;
  readonly payload: P;
}

/** An event of a built-in kind with its payload typed. */
export type EventOf<N extends KindName> = TraceEvent<N, PayloadOf<N>>;

export function isKind<N extends KindName>(e: TraceEvent, kind: N): e is EventOf<N> & TraceEvent {
  return e.kind === kind;
}

/**
 * Builds the frozen event object; `payload` must already hold final values. Array values
 * are frozen here unless the caller (the decoder) already froze them.
 */
export function freezeEvent(seq: number, icount: number, domain: number, vcpu: number, kind: string, payload: Record<string, FieldValue>, arraysFrozen = false): TraceEvent {
  if (!arraysFrozen) {
    for (const k in payload) {
      const v = payload[k];
      if (Array.isArray(v)) Object.freeze(v);
    }
  }
  return Object.freeze({ seq, icount, domain, vcpu, kind, payload: Object.freeze(payload) });
}

/** The JSON form of an event (`inspect --json`): bigints as decimal strings, bytes as hex. */
export interface EventJson {
  seq: number;
  icount: number;
  domain: number;
  vcpu: number;
  kind: string;
  payload: Record<string, number | string | string[]>;
}

export function eventToJson(e: TraceEvent, schema: Schema = defaultSchema): EventJson {
  const spec = schema.kindByName(e.kind);
  const payload: Record<string, number | string | string[]> = {};
  for (const k of Object.keys(e.payload)) {
    payload[k] = valueToJson(e.payload[k], spec?.fields.find((f) => f.name === k)?.type);
  }
  return { seq: e.seq, icount: e.icount, domain: e.domain, vcpu: e.vcpu, kind: e.kind, payload };
}

function valueToJson(v: FieldValue, type: string | undefined): number | string | string[] {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'string') return v;
  // Without a spec (a kind this schema lacks) an empty array is taken for bytes.
  if (type === 'u64[]' || (type === undefined && v.length > 0 && typeof v[0] === 'bigint')) {
    return (v as readonly bigint[]).map((x) => x.toString());
  }
  return toHex(v as readonly number[]);
}

/** Inverse of eventToJson; the schema says which strings are bigints and which are bytes. */
export function eventFromJson(j: EventJson, schema: Schema = defaultSchema): TraceEvent {
  const spec = schema.require(j.kind);
  const payload: Record<string, FieldValue> = {};
  for (const f of spec.fields) {
    const v = j.payload[f.name];
    if (v === undefined) throw new Error(`event ${j.seq} (${j.kind}): payload lacks field "${f.name}"`);
    payload[f.name] = valueFromJson(f, v);
  }
  return freezeEvent(j.seq, j.icount, j.domain, j.vcpu, j.kind, payload);
}

function valueFromJson(f: FieldSpec, v: number | string | string[]): FieldValue {
  switch (f.type) {
    case 'u64':
    case 'i64':
      return BigInt(v as string);
    case 'u64[]':
      return (v as string[]).map((x) => BigInt(x));
    case 'bytes':
      return fromHex(v as string);
    default:
      return v as number | string;
  }
}

/**
 * One line, stable across runs and platforms:
 * `#12 @3456 d0:v1 mmio dev=1 offset=0x10 size=4 value=0x41 op=write`.
 */
export function formatEvent(e: TraceEvent, schema: Schema = defaultSchema): string {
  const spec = schema.kindByName(e.kind);
  const fields: FieldSpec[] = spec ? [...spec.fields] : Object.keys(e.payload).map((name) => ({ name, type: 'varint' }));
  let s = `#${e.seq} @${e.icount} d${e.domain}:v${e.vcpu} ${e.kind}`;
  for (const f of fields) s += ` ${f.name}=${formatValue(f, e.payload[f.name])}`;
  return s;
}

export function formatValue(f: FieldSpec, v: FieldValue | undefined): string {
  if (v === undefined) return '?';
  if (typeof v === 'string') return f.type === 'enum' ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint') return f.format === 'hex' ? hexNumber(v) : v.toString();
  if (f.type === 'u64[]') return `[${(v as readonly bigint[]).map((x) => (f.format === 'hex' ? hexNumber(x) : x.toString())).join(',')}]`;
  const bytes = v as readonly number[];
  return f.format === 'text' ? quoteBytes(bytes) : `<${toHex(bytes)}>`;
}

function hexNumber(v: number | bigint): string {
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** Bytes as a double-quoted string: printable ASCII as is, the rest escaped (\n, \xHH). */
export function quoteBytes(bytes: readonly number[]): string {
  let s = '"';
  for (const b of bytes) {
    if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x09) s += '\\t';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return s + '"';
}

export function toHex(bytes: readonly number[] | Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): number[] {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not a hex byte string: "${hex}"`);
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}
