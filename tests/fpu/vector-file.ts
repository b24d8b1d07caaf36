// The golden-vector file format (tests/fpu/vectors/fpu-vectors.bin.gz), written by
// tests/fpu/oracle/regenerate.ts from QEMU and read by tests/fpu/vectors.test.ts.
//
// gzip of:
//   "CVFPVEC1"  u32 seed  u32 groupCount
//   per group:  u8 groupIndex  u8 arity  u16 opCount  u32 count
//               arity operand columns, each count u64 (byte-plane transposed)
//     per op:   u16 nameLength, name (UTF-8), u8 rmCount, u8 resultBytes
//       per rm: results count x resultBytes (byte-plane transposed; for rm > 0 XORed with the
//               rm = 0 results, so the mostly-identical directed-rounding results compress away)
//               fflags count x u8
// Results are kept in their compact form (see ResultKind): the upper word of a binary32
// result is all ones and an x32 result is sign-extended; the regenerator checks both against
// QEMU's full 64-bit register before compacting.
import { gunzipSync, gzipSync } from 'node:zlib';
import { GROUPS, type Group, type ResultKind, RESULT_BYTES } from './oracle/op-table.ts';

export interface OpVectors {
  name: string;
  resultBytes: number;
  /** Index = rm (0..rmCount-1); full 64-bit expected register values and fflags. */
  perRm: { results: BigUint64Array; flags: Uint8Array }[];
}

export interface GroupVectors {
  group: Group;
  count: number;
  /** operands[k][i] = operand k of tuple i, as the raw 64-bit register pattern. */
  operands: BigUint64Array[];
  ops: OpVectors[];
}

export interface VectorFile {
  seed: number;
  groups: GroupVectors[];
}

const MAGIC = 'CVFPVEC1';

/** A plain Uint8Array view of a Buffer (this @types/node's Buffer type predates TS 5.9's generic Uint8Array). */
export function bytesOf(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export function compact(kind: ResultKind, full: bigint): bigint {
  switch (kind) {
    case 'f32':
    case 'x32':
      return full & 0xffffffffn;
    default:
      return full;
  }
}

export function expand(bytes: number, kind: ResultKind | undefined, v: bigint): bigint {
  if (bytes !== 4) return v;
  if (kind === 'f32') return (0xffffffffn << 32n) | v;
  return BigInt.asUintN(64, BigInt.asIntN(32, v));
}

/** Whether a full 64-bit register value survives compacting (the regenerator's sanity check). */
export function compactable(kind: ResultKind, full: bigint): boolean {
  if (kind === 'f32') return full >> 32n === 0xffffffffn;
  if (kind === 'x32') return BigInt.asUintN(64, BigInt.asIntN(32, full)) === full;
  return full < 1n << BigInt(8 * RESULT_BYTES[kind]);
}

class Writer {
  private chunks: Buffer[] = [];
  u8(v: number) { this.chunks.push(Buffer.from([v])); }
  u16(v: number) { const b = Buffer.alloc(2); b.writeUInt16LE(v); this.chunks.push(b); }
  u32(v: number) { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); this.chunks.push(b); }
  raw(b: Buffer) { this.chunks.push(b); }
  column(values: ArrayLike<bigint>, bytes: number) {
    const n = values.length;
    const b = Buffer.alloc(n * bytes);
    for (let i = 0; i < n; i++) {
      let v = values[i];
      for (let k = 0; k < bytes; k++, v >>= 8n) b[k * n + i] = Number(v & 0xffn);
    }
    this.chunks.push(b);
  }
  done(): Buffer { return Buffer.concat(this.chunks.map(bytesOf)); }
}

class Reader {
  private pos = 0;
  constructor(private readonly b: Buffer) {}
  u8() { return this.b[this.pos++]; }
  u16() { const v = this.b.readUInt16LE(this.pos); this.pos += 2; return v; }
  u32() { const v = this.b.readUInt32LE(this.pos); this.pos += 4; return v; }
  bytes(n: number) { const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  column(n: number, bytes: number): BigUint64Array {
    const src = this.bytes(n * bytes);
    const out = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      let lo = 0, hi = 0;
      for (let k = 0; k < Math.min(bytes, 4); k++) lo += src[k * n + i] * 2 ** (8 * k);
      for (let k = 4; k < bytes; k++) hi += src[k * n + i] * 2 ** (8 * (k - 4));
      out[i] = (BigInt(hi) << 32n) | BigInt(lo);
    }
    return out;
  }
  atEnd() { return this.pos === this.b.length; }
}

export function encodeVectors(file: VectorFile): Buffer {
  const w = new Writer();
  w.raw(Buffer.from(MAGIC, 'latin1'));
  w.u32(file.seed);
  w.u32(file.groups.length);
  for (const g of file.groups) {
    w.u8(GROUPS.indexOf(g.group));
    w.u8(g.operands.length);
    w.u16(g.ops.length);
    w.u32(g.count);
    for (const col of g.operands) w.column(col, 8);
    for (const op of g.ops) {
      const name = Buffer.from(op.name, 'utf8');
      w.u16(name.length);
      w.raw(name);
      w.u8(op.perRm.length);
      w.u8(op.resultBytes);
      const base = op.perRm[0].results;
      op.perRm.forEach(({ results, flags }, rm) => {
        const mask = (1n << BigInt(8 * op.resultBytes)) - 1n;
        const compacted = Array.from(results, (v, i) => (rm === 0 ? v : v ^ base[i]) & mask);
        w.column(compacted, op.resultBytes);
        w.raw(Buffer.from(flags));
      });
    }
  }
  return gzipSync(bytesOf(w.done()), { level: 9 });
}

/** Reads a vector file; results come back compact (use `expand` with the op's ResultKind). */
export function decodeVectors(gz: Buffer): VectorFile {
  const r = new Reader(gunzipSync(bytesOf(gz)));
  const magic = r.bytes(8).toString('latin1');
  if (magic !== MAGIC) throw new Error(`not an FPU vector file (magic ${JSON.stringify(magic)}); regenerate with tests/fpu/oracle/regenerate.ts`);
  const seed = r.u32();
  const groups: GroupVectors[] = [];
  for (let gi = r.u32(); gi > 0; gi--) {
    const group = GROUPS[r.u8()];
    const arity = r.u8();
    const opCount = r.u16();
    const count = r.u32();
    const operands = Array.from({ length: arity }, () => r.column(count, 8));
    const ops: OpVectors[] = [];
    for (let k = 0; k < opCount; k++) {
      const name = r.bytes(r.u16()).toString('utf8');
      const rmCount = r.u8();
      const resultBytes = r.u8();
      const perRm: OpVectors['perRm'] = [];
      for (let rm = 0; rm < rmCount; rm++) {
        const results = r.column(count, resultBytes);
        if (rm > 0) for (let i = 0; i < count; i++) results[i] ^= perRm[0].results[i];
        perRm.push({ results, flags: new Uint8Array(r.bytes(count)) });
      }
      ops.push({ name, resultBytes, perRm });
    }
    groups.push({ group, count, operands, ops });
  }
  if (!r.atEnd()) throw new Error('FPU vector file has trailing bytes; it is corrupt or from a newer format');
  return { seed, groups };
}
