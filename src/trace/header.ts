// The file header: magic, version and one JSON configuration block carrying everything
// replay needs besides the events: the machine and domain configuration, the SHA-256 of
// every loaded image, the virtual-time rule, and the event schema the file was written with.
// The JSON is canonical (sorted keys, no spaces) so the same run always gives the same bytes.

import { createHash } from 'node:crypto';
import { Schema } from '../events/schema.ts';
import { crc32 } from './crc32.ts';
import { TraceError } from './errors.ts';
import { FILE_HEADER_FIXED, FILE_MAGIC, hex, MAX_CONFIG_BYTES, VERSION_MAJOR, VERSION_MINOR, view } from './format.ts';

export interface ImageDigest {
  /** How the image was named on the command line or in the domain config (e.g. "fw_jump.bin"). */
  readonly name: string;
  readonly size: number;
  /** Lower-case hex. */
  readonly sha256: string;
}

/** docs/ARCHITECTURE.md "Virtual time": nowNs = icount * 2^icountShift + idleNs. */
export interface VirtualTimeRule {
  readonly icountShift: number;
  readonly [extra: string]: unknown;
}

export interface TraceConfig {
  /** Machine configuration as the recorder used it (JSON data). */
  readonly machine: unknown;
  /** Per-domain configuration, when the hypervisor ran domains. */
  readonly domains?: readonly unknown[];
  readonly images: readonly ImageDigest[];
  readonly vtime: VirtualTimeRule;
  /** Anything else the recorder needs back at replay time (JSON data). */
  readonly [extra: string]: unknown;
}

export interface FileHeader {
  readonly major: number;
  readonly minor: number;
  readonly config: TraceConfig;
  readonly schema: Schema;
  /** Offset of the first chunk. */
  readonly size: number;
}

export const FORMAT_NAME = 'chronovisor-trace';

/** The digest a config records for an image; replay compares it before running. */
export function imageDigest(name: string, bytes: Uint8Array): ImageDigest {
  return { name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Throws a TypeError naming the first problem; used by the writer before anything is written. */
export function checkConfig(config: TraceConfig): void {
  if (!config || typeof config !== 'object') throw new TypeError('trace config must be an object');
  if (!Array.isArray(config.images)) throw new TypeError('trace config needs an images array (name, size, sha256 of every loaded image)');
  config.images.forEach((im, i) => {
    if (typeof im?.name !== 'string' || !Number.isSafeInteger(im.size) || im.size < 0 || typeof im.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(im.sha256)) {
      throw new TypeError(`trace config images[${i}] must be {name, size, sha256 (64 lower-case hex digits)}; use imageDigest()`);
    }
  });
  const shift = config.vtime?.icountShift;
  if (!Number.isInteger(shift) || shift < 0 || shift > 20) throw new TypeError(`trace config vtime.icountShift must be an integer in 0..20, got ${shift}`);
  if (!('machine' in config)) throw new TypeError('trace config needs a machine entry');
}

export function encodeFileHeader(config: TraceConfig, schema: Schema): Uint8Array {
  checkConfig(config);
  const json = canonicalJson({ format: FORMAT_NAME, config, schema: schema.toJSON() }, 'trace config');
  const body = new TextEncoder().encode(json);
  if (body.length > MAX_CONFIG_BYTES) throw new RangeError(`trace config is ${body.length} bytes; the limit is ${MAX_CONFIG_BYTES}`);
  const out = new Uint8Array(FILE_HEADER_FIXED + body.length + 4);
  const v = view(out);
  out.set(FILE_MAGIC, 0);
  v.setUint16(8, VERSION_MAJOR, true);
  v.setUint16(10, VERSION_MINOR, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, body.length, true);
  out.set(body, FILE_HEADER_FIXED);
  v.setUint32(FILE_HEADER_FIXED + body.length, crc32(out.subarray(0, FILE_HEADER_FIXED + body.length)), true);
  return out;
}

/**
 * Reads and checks the file header. Header damage is never salvageable: without the schema
 * the events cannot be decoded and without the image digests they cannot be replayed.
 */
export function decodeFileHeader(path: string, fileSize: number, read: (offset: number, length: number) => Uint8Array): FileHeader {
  const fail = (code: 'not-a-trace' | 'truncated' | 'header' | 'version', reason: string): never => {
    throw new TraceError(path, code, `${path}: file header at byte offset 0: ${reason}`, { offset: 0, chunk: null });
  };
  if (fileSize < FILE_MAGIC.length) fail('truncated', `file is ${fileSize} bytes, too short for a trace`);
  const fixed = read(0, Math.min(FILE_HEADER_FIXED, fileSize));
  if (!FILE_MAGIC.every((x, i) => fixed[i] === x)) fail('not-a-trace', 'not a Chronovisor trace (bad magic)');
  if (fileSize < FILE_HEADER_FIXED) fail('truncated', `file ends at byte ${fileSize}, inside the ${FILE_HEADER_FIXED}-byte fixed header`);
  const v = view(fixed);
  const length = v.getUint32(16, true);
  if (length > MAX_CONFIG_BYTES) fail('header', `configuration length ${length} exceeds the ${MAX_CONFIG_BYTES}-byte limit (corrupt length field)`);
  const size = FILE_HEADER_FIXED + length + 4;
  if (size > fileSize) fail('truncated', `header needs ${size} bytes (configuration block of ${length}) but the file has ${fileSize}`);
  const all = read(0, size);
  const stored = view(all).getUint32(size - 4, true);
  const computed = crc32(all.subarray(0, size - 4));
  if (stored !== computed) fail('header', `header CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)}); the configuration block is damaged`);
  const cached = lastHeader;
  if (cached && cached.bytes.length === size && Buffer.compare(cached.bytes, all) === 0) return cached.header;
  const major = v.getUint16(8, true);
  const minor = v.getUint16(10, true);
  if (major !== VERSION_MAJOR) fail('version', `format version ${major}.${minor} is not readable by this Chronovisor (reads ${VERSION_MAJOR}.x)`);
  const flags = v.getUint32(12, true);
  if (flags !== 0) fail('header', `unknown header flags 0x${flags.toString(16)}`);
  let doc: { format?: unknown; config?: TraceConfig; schema?: unknown };
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(all.subarray(FILE_HEADER_FIXED, size - 4)));
  } catch (e) {
    return fail('header', `configuration block is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (doc?.format !== FORMAT_NAME || !doc.config) fail('header', `configuration block is not a ${FORMAT_NAME} header`);
  let schema: Schema;
  try {
    checkConfig(doc.config!);
    schema = Schema.fromJSON(doc.schema);
  } catch (e) {
    return fail('header', `invalid configuration: ${(e as Error).message}`);
  }
  const header: FileHeader = Object.freeze({ major, minor, config: deepFreeze(doc.config!), schema, size });
  lastHeader = { bytes: all.slice(), header };
  return header;
}

/**
 * The last header decoded. Reopening the same trace (the debugger, tests) then skips the
 * JSON parse and schema build; the header is immutable, so sharing it is safe.
 */
let lastHeader: { bytes: Uint8Array; header: FileHeader } | null = null;

/** JSON with object keys sorted at every level; refuses values JSON cannot carry exactly. */
export function canonicalJson(value: unknown, what: string): string {
  const walk = (v: unknown, path: string): string => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new TypeError(`${what}: ${path} is ${v}, which JSON cannot hold`);
      return JSON.stringify(v);
    }
    if (Array.isArray(v)) return `[${v.map((x, i) => walk(x, `${path}[${i}]`)).join(',')}]`;
    if (typeof v === 'object' && !ArrayBuffer.isView(v)) {
      const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${walk((v as Record<string, unknown>)[k], `${path}.${k}`)}`).join(',')}}`;
    }
    throw new TypeError(`${what}: ${path} is a ${typeof v}${ArrayBuffer.isView(v) ? ' view' : ''}; only JSON data (convert bigints to strings) can go in a trace header`);
  };
  return walk(value, '$');
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
