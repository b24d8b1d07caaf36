// fast-check generators for events, derived from the kind registry itself, so a kind added
// to src/events/kinds.ts is covered by every round-trip property without touching the tests.
import fc from 'fast-check';
import type { FieldSpec, FieldValue, KindSpec } from '../../src/events/field-types.ts';
import { defaultSchema, type Schema } from '../../src/events/schema.ts';
import type { EventLog } from '../../src/events/log.ts';

const U64_MAX = (1n << 64n) - 1n;

/** Small values most of the time (the common case), extremes sometimes. */
const natural = fc.oneof({ arbitrary: fc.nat(300), weight: 4 }, { arbitrary: fc.maxSafeNat(), weight: 1 });
const u64 = fc.oneof({ arbitrary: fc.bigInt(0n, 0xffffn), weight: 3 }, { arbitrary: fc.bigInt(0n, U64_MAX), weight: 2 }, fc.constantFrom(0n, U64_MAX, 1n << 63n));
const i64 = fc.oneof(fc.bigInt(-1000n, 1000n), fc.bigInt(-(1n << 63n), (1n << 63n) - 1n), fc.constantFrom(-(1n << 63n), (1n << 63n) - 1n));

export function fieldArb(f: FieldSpec): fc.Arbitrary<FieldValue> {
  switch (f.type) {
    case 'u8': return fc.nat(0xff);
    case 'u16': return fc.nat(0xffff);
    case 'u32': return fc.oneof(fc.nat(300), fc.nat(0xffff_ffff));
    case 'varint': return natural;
    case 'u64': return u64;
    case 'i64': return i64;
    case 'bytes': return fc.array(fc.nat(0xff), { maxLength: Math.min(f.max ?? 48, 48) });
    case 'string': return fc.string({ unit: 'binary', maxLength: 24 });
    case 'u64[]': return fc.array(u64, { maxLength: Math.min(f.max ?? 8, 8) });
    case 'enum': return fc.constantFrom(...f.values);
  }
}

export function payloadArb(k: KindSpec): fc.Arbitrary<Record<string, FieldValue>> {
  const rec: Record<string, fc.Arbitrary<FieldValue>> = {};
  for (const f of k.fields) rec[f.name] = fieldArb(f);
  return fc.record(rec);
}

/** An event as the tests hold it before appending: no seq (the log assigns it). */
export interface EventInit {
  dIcount: number;
  domain: number;
  vcpu: number;
  kind: string;
  payload: Record<string, FieldValue>;
}

export function eventInitArb(schema: Schema = defaultSchema): fc.Arbitrary<EventInit> {
  return fc.oneof(...schema.kinds.map((k) =>
    fc.record({
      // Mostly tiny steps, as in a real run; sometimes a long idle warp.
      dIcount: fc.oneof({ arbitrary: fc.nat(50), weight: 5 }, { arbitrary: fc.nat(2 ** 40), weight: 1 }),
      domain: fc.oneof({ arbitrary: fc.nat(2), weight: 5 }, { arbitrary: fc.nat(0xffff), weight: 1 }),
      vcpu: fc.oneof({ arbitrary: fc.nat(1), weight: 5 }, { arbitrary: fc.nat(0xffff), weight: 1 }),
      kind: fc.constant(k.name),
      payload: payloadArb(k),
    }),
  ));
}

/** What the log should return for an init appended at `seq` with absolute `icount`. */
export function expected(init: EventInit, seq: number, icount: number) {
  return { seq, icount, domain: init.domain, vcpu: init.vcpu, kind: init.kind, payload: init.payload };
}

/** Appends inits; bytes go in as Uint8Array every other time to cover both input forms. */
export function appendAll(log: EventLog, inits: readonly EventInit[], startIcount = log.lastIcount) {
  let icount = startIcount;
  const out = [];
  for (const [i, e] of inits.entries()) {
    icount += e.dIcount;
    const payload: Record<string, unknown> = { ...e.payload };
    if (i % 2 === 1) for (const k of Object.keys(payload)) if (isByteField(log.schema, e.kind, k)) payload[k] = Uint8Array.from(payload[k] as number[]);
    const seq = log.appendAny(e.kind, icount, e.domain, e.vcpu, payload);
    out.push(expected(e, seq, icount));
  }
  return out;
}

function isByteField(schema: Schema, kind: string, field: string): boolean {
  return schema.require(kind).fields.some((f) => f.name === field && f.type === 'bytes');
}
