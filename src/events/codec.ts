// Table-driven payload codec. Each kind's field list is compiled once into a KindCodec (type
// codes in a typed array) so encoding and decoding are a loop over fields with no string
// dispatch. The hand-written fast appenders in log.ts must produce exactly these bytes;
// tests/events/log.test.ts checks that they do.
//
// Record layout (traces/FORMAT.md, "Event records"):
//   tag      varint   kind id << 1 | C, where C=1 means domain and vcpu follow
//   domain   varint   only if C
//   vcpu     varint   only if C
//   dIcount  varint   icount minus the previous record's icount
//   fields   per the kind's field list

import type { FieldValue, KindSpec } from './field-types.ts';
import type { Schema } from './schema.ts';
import { ByteReader, DecodeError, putI64, putU16, putU32, putU64, putUvarint } from './varint.ts';

export const T_U8 = 0, T_U16 = 1, T_U32 = 2, T_VARINT = 3, T_U64 = 4, T_I64 = 5, T_BYTES = 6, T_STRING = 7, T_U64ARR = 8, T_ENUM = 9;
const TYPE_CODES: Record<string, number> = {
  u8: T_U8, u16: T_U16, u32: T_U32, varint: T_VARINT, u64: T_U64, i64: T_I64, bytes: T_BYTES, string: T_STRING, 'u64[]': T_U64ARR, enum: T_ENUM,
};

/** Room a record header needs at most: tag (3) + domain (3) + vcpu (3) + dIcount (8). */
export const MAX_RECORD_HEADER = 17;

/** Decoder state between records: the previous record's icount and context. */
export interface DeltaState {
  readonly icount: number;
  readonly domain: number;
  readonly vcpu: number;
}

export const ZERO_STATE: DeltaState = Object.freeze({ icount: 0, domain: 0, vcpu: 0 });

export class KindCodec {
  readonly id: number;
  readonly name: string;
  /** The tag varint value without the context bit. */
  readonly tag: number;
  readonly types: Uint8Array;
  readonly names: readonly string[];
  readonly enums: readonly (readonly string[] | null)[];
  readonly maxLen: readonly number[];

  constructor(readonly spec: KindSpec) {
    this.id = spec.id;
    this.name = spec.name;
    this.tag = spec.id * 2;
    this.types = Uint8Array.from(spec.fields, (f) => TYPE_CODES[f.type]);
    this.names = spec.fields.map((f) => f.name);
    this.enums = spec.fields.map((f) => (f.type === 'enum' ? f.values : null));
    this.maxLen = spec.fields.map((f) => (f.type !== 'enum' && f.max !== undefined ? f.max : Number.MAX_SAFE_INTEGER));
  }
}

const codecCache = new WeakMap<Schema, (KindCodec | undefined)[]>();

/** Codecs of a schema, indexed by kind id. */
export function codecsOf(schema: Schema): (KindCodec | undefined)[] {
  let table = codecCache.get(schema);
  if (!table) {
    table = [];
    for (const k of schema.kinds) table[k.id] = new KindCodec(k);
    codecCache.set(schema, table);
  }
  return table;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A payload checked against its kind and converted to encodable values, with a size bound. */
export interface PreparedPayload {
  readonly values: unknown[];
  readonly maxBytes: number;
}

/** Validates a payload object; every error names the kind and the field. */
export function preparePayload(codec: KindCodec, payload: Readonly<Record<string, unknown>>): PreparedPayload {
  if (payload === null || typeof payload !== 'object') throw new TypeError(`${codec.name} payload must be an object`);
  const n = codec.names.length;
  let given = 0;
  for (const k in payload) if (payload[k] !== undefined) given++;
  const values: unknown[] = new Array(n);
  let maxBytes = 0;
  // No closures in this loop: tsx (esbuild keepNames) wraps each one it creates in a
  // naming helper that costs about a microsecond.
  for (let i = 0; i < n; i++) {
    const name = codec.names[i];
    const v = payload[name];
    if (v === undefined) throw new TypeError(`${codec.name} payload lacks field "${name}"`);
    given--;
    switch (codec.types[i]) {
      case T_U8: if (!isUint(v, 0xff)) fieldError(codec, i, v, 'an integer in 0..255'); maxBytes += 1; values[i] = v; break;
      case T_U16: if (!isUint(v, 0xffff)) fieldError(codec, i, v, 'an integer in 0..65535'); maxBytes += 2; values[i] = v; break;
      case T_U32: if (!isUint(v, 0xffff_ffff)) fieldError(codec, i, v, 'an integer in 0..2^32-1'); maxBytes += 4; values[i] = v; break;
      case T_VARINT: if (!isUint(v, Number.MAX_SAFE_INTEGER)) fieldError(codec, i, v, 'a non-negative safe integer'); maxBytes += 8; values[i] = v; break;
      case T_U64: if (!isU64(v)) fieldError(codec, i, v, 'a u64 (bigint, or a non-negative safe integer)'); maxBytes += 10; values[i] = v; break;
      case T_I64: if (!isI64(v)) fieldError(codec, i, v, 'an i64 (bigint)'); maxBytes += 10; values[i] = BigInt(v as bigint); break;
      case T_BYTES: {
        if (!isByteArray(v)) fieldError(codec, i, v, 'a Uint8Array or an array of bytes');
        const len = (v as ArrayLike<number>).length;
        if (len > codec.maxLen[i]) fieldError(codec, i, v, `at most ${codec.maxLen[i]} bytes`);
        maxBytes += 8 + len;
        values[i] = v;
        break;
      }
      case T_STRING: {
        // A lone surrogate would come back as U+FFFD and make replay see a different event.
        if (typeof v !== 'string' || !(v as string & { isWellFormed(): boolean }).isWellFormed()) fieldError(codec, i, v, 'a well-formed string (no lone surrogates)');
        const bytes = utf8.encode(v as string);
        maxBytes += 8 + bytes.length;
        values[i] = bytes;
        break;
      }
      case T_U64ARR: {
        if (!Array.isArray(v) || !v.every(isU64)) fieldError(codec, i, v, 'an array of u64 values');
        const arr = v as unknown[];
        if (arr.length > codec.maxLen[i]) fieldError(codec, i, v, `at most ${codec.maxLen[i]} values`);
        maxBytes += 8 + 10 * arr.length;
        values[i] = arr;
        break;
      }
      default: {
        const idx = codec.enums[i]!.indexOf(v as string);
        if (idx < 0) fieldError(codec, i, v, `one of ${codec.enums[i]!.join('|')}`);
        maxBytes += 2;
        values[i] = idx;
      }
    }
  }
  if (given !== 0) {
    const extra = Object.keys(payload).filter((k) => payload[k] !== undefined && !codec.names.includes(k));
    throw new TypeError(`${codec.name} payload has unknown field(s) ${extra.map((k) => `"${k}"`).join(', ')}; fields are ${codec.names.join(', ')}`);
  }
  return { values, maxBytes };
}

/** Writes prepared values; the caller has ensured `maxBytes` of room. */
export function writePayload(b: Uint8Array, p: number, codec: KindCodec, values: readonly unknown[]): number {
  const types = codec.types;
  for (let i = 0; i < types.length; i++) {
    const v = values[i];
    switch (types[i]) {
      case T_U8: b[p++] = v as number; break;
      case T_U16: p = putU16(b, p, v as number); break;
      case T_U32: p = putU32(b, p, v as number); break;
      case T_VARINT: case T_ENUM: p = putUvarint(b, p, v as number); break;
      case T_U64: p = putU64(b, p, v as bigint | number); break;
      case T_I64: p = putI64(b, p, v as bigint); break;
      case T_BYTES: case T_STRING: {
        const bytes = v as ArrayLike<number>;
        p = putUvarint(b, p, bytes.length);
        if (bytes instanceof Uint8Array) b.set(bytes, p);
        else for (let j = 0; j < bytes.length; j++) b[p + j] = bytes[j];
        p += bytes.length;
        break;
      }
      default: {
        const arr = v as readonly (bigint | number)[];
        p = putUvarint(b, p, arr.length);
        for (const x of arr) p = putU64(b, p, x);
      }
    }
  }
  return p;
}

/** Decodes one payload into a fresh object; arrays come out frozen, the object is frozen by freezeEvent. */
export function readPayload(r: ByteReader, codec: KindCodec): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  const types = codec.types;
  for (let i = 0; i < types.length; i++) {
    const name = codec.names[i];
    switch (types[i]) {
      case T_U8: out[name] = r.u8(); break;
      case T_U16: out[name] = r.u16(); break;
      case T_U32: out[name] = r.u32(); break;
      case T_VARINT: out[name] = r.uvarint(); break;
      case T_U64: out[name] = r.u64(); break;
      case T_I64: out[name] = r.i64(); break;
      case T_BYTES: out[name] = Object.freeze(Array.from(r.bytes(r.uvarint()))); break;
      case T_STRING: {
        const at = r.pos;
        try {
          out[name] = utf8Strict.decode(r.bytes(r.uvarint()));
        } catch (e) {
          if (e instanceof DecodeError) throw e;
          throw new DecodeError(`${codec.name}.${name} is not valid UTF-8`, at);
        }
        break;
      }
      case T_U64ARR: {
        const n = r.uvarint();
        if (n > codec.maxLen[i]) throw new DecodeError(`${codec.name}.${name} has ${n} values, more than its max ${codec.maxLen[i]}`, r.pos);
        const arr: bigint[] = new Array(n);
        for (let j = 0; j < n; j++) arr[j] = r.u64();
        out[name] = Object.freeze(arr);
        break;
      }
      default: {
        const at = r.pos;
        const idx = r.uvarint();
        const vals = codec.enums[i]!;
        if (idx >= vals.length) throw new DecodeError(`${codec.name}.${name}: enum index ${idx} out of range (${vals.length} values)`, at);
        out[name] = vals[idx];
      }
    }
  }
  return out;
}

/** Advances past one payload without building values (seeking inside a span). */
export function skipPayload(r: ByteReader, codec: KindCodec): void {
  const types = codec.types;
  for (let i = 0; i < types.length; i++) {
    switch (types[i]) {
      case T_U8: r.skip(1); break;
      case T_U16: r.skip(2); break;
      case T_U32: r.skip(4); break;
      case T_VARINT: case T_ENUM: r.uvarint(); break;
      case T_U64: case T_I64: r.u64(); break;
      case T_BYTES: case T_STRING: r.skip(r.uvarint()); break;
      default: {
        const n = r.uvarint();
        for (let j = 0; j < n; j++) r.u64();
      }
    }
  }
}

function fieldError(codec: KindCodec, i: number, v: unknown, want: string): never {
  throw new RangeError(`${codec.name}.${codec.names[i]} must be ${want}, got ${describe(v)}`);
}

function describe(v: unknown): string {
  const text = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isUint(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

function isU64(v: unknown): boolean {
  if (typeof v === 'bigint') return v >= 0n && v < 1n << 64n;
  return isUint(v, Number.MAX_SAFE_INTEGER);
}

function isI64(v: unknown): boolean {
  if (typeof v === 'bigint') return v >= -(1n << 63n) && v < 1n << 63n;
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function isByteArray(v: unknown): boolean {
  if (v instanceof Uint8Array) return true;
  return Array.isArray(v) && v.every((x) => isUint(x, 0xff));
}

