// Byte-level primitives of the event encoding: unsigned LEB128 varints (as numbers up to
// 2^53-1 or as bigints up to 2^64-1), zigzag for signed 64-bit values, little-endian fixed
// widths. Writers are free functions over (buffer, position) returning the new position so
// the log's hot path allocates nothing; the caller guarantees room (at most 10 bytes per
// varint). Encodings are minimal, and the reader rejects non-minimal ones, so two equal
// events always have equal bytes.

/** A malformed byte sequence inside an event stream. The trace layer adds chunk and offset. */
export class DecodeError extends Error {
  constructor(
    message: string,
    /** Offset inside the decoded buffer where the problem was found. */
    readonly at: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

const TWO_32 = 2 ** 32;
const U64_MAX = (1n << 64n) - 1n;

/** Writes a non-negative safe integer as LEB128. */
export function putUvarint(b: Uint8Array, p: number, n: number): number {
  if (n >>> 0 === n) {
    while (n > 0x7f) {
      b[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[p++] = n;
    return p;
  }
  return putUvarintWide(b, p, n);
}

function putUvarintWide(b: Uint8Array, p: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`varint value must be a non-negative safe integer, got ${n}`);
  }
  while (n > 0x7f) {
    b[p++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  b[p++] = n;
  return p;
}

/** Writes an unsigned 64-bit value (bigint, or a non-negative safe number) as LEB128. */
export function putU64(b: Uint8Array, p: number, v: bigint | number): number {
  if (typeof v === 'number') return putUvarint(b, p, v);
  if (v >= 0n && v < 0x1_0000_0000n) return putUvarint(b, p, Number(v));
  if (v < 0n || v > U64_MAX) throw new RangeError(`u64 value out of range: ${v}`);
  while (v > 0x7fn) {
    b[p++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  b[p++] = Number(v);
  return p;
}

/** Writes a signed 64-bit value zigzag-encoded (0,-1,1,-2,... -> 0,1,2,3,...) as LEB128. */
export function putI64(b: Uint8Array, p: number, v: bigint): number {
  if (v < -(1n << 63n) || v >= 1n << 63n) throw new RangeError(`i64 value out of range: ${v}`);
  return putU64(b, p, BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
}

export function putU16(b: Uint8Array, p: number, n: number): number {
  b[p] = n & 0xff;
  b[p + 1] = n >>> 8;
  return p + 2;
}

export function putU32(b: Uint8Array, p: number, n: number): number {
  b[p] = n & 0xff;
  b[p + 1] = (n >>> 8) & 0xff;
  b[p + 2] = (n >>> 16) & 0xff;
  b[p + 3] = n >>> 24;
  return p + 4;
}

/** Sequential reader over an encoded event stream; every read is bounds-checked. */
export class ByteReader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number = 0,
    readonly end: number = buf.length,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  private truncated(what: string): never {
    throw new DecodeError(`${what} runs past the end of the data`, this.pos);
  }

  u8(): number {
    if (this.pos >= this.end) this.truncated('u8');
    return this.buf[this.pos++];
  }

  u16(): number {
    if (this.pos + 2 > this.end) this.truncated('u16');
    const b = this.buf, p = this.pos;
    this.pos = p + 2;
    return b[p] | (b[p + 1] << 8);
  }

  u32(): number {
    if (this.pos + 4 > this.end) this.truncated('u32');
    const b = this.buf, p = this.pos;
    this.pos = p + 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x100_0000;
  }

  /** A LEB128 varint that must fit a safe integer. */
  uvarint(): number {
    const b = this.buf;
    let p = this.pos;
    if (p >= this.end) this.truncated('varint');
    let byte = b[p++];
    if (byte < 0x80) {
      this.pos = p;
      return byte;
    }
    let result = byte & 0x7f;
    let scale = 128;
    for (;;) {
      if (p >= this.end) {
        this.pos = p;
        this.truncated('varint');
      }
      byte = b[p++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 128;
      if (scale > 2 ** 49) throw new DecodeError('varint does not fit a safe integer', this.pos);
    }
    if (byte === 0) throw new DecodeError('non-minimal varint', this.pos);
    if (result > Number.MAX_SAFE_INTEGER) throw new DecodeError('varint does not fit a safe integer', this.pos);
    this.pos = p;
    return result;
  }

  /** A LEB128 varint of up to 64 bits. */
  u64(): bigint {
    const start = this.pos;
    const b = this.buf;
    let p = start;
    let lo = 0;
    let shift = 0;
    // Up to 4 bytes (28 bits) stay in number arithmetic: the common case.
    for (; shift < 28; shift += 7) {
      if (p >= this.end) this.truncated('varint');
      const byte = b[p++];
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        if (byte === 0 && shift > 0) throw new DecodeError('non-minimal varint', start);
        this.pos = p;
        return BigInt(lo >>> 0);
      }
    }
    let v = BigInt(lo >>> 0);
    for (let s = 28n; ; s += 7n) {
      if (p >= this.end) {
        this.pos = p;
        this.truncated('varint');
      }
      const byte = b[p++];
      v |= BigInt(byte & 0x7f) << s;
      if (byte < 0x80) {
        if (byte === 0) throw new DecodeError('non-minimal varint', start);
        break;
      }
      if (s >= 63n) throw new DecodeError('varint longer than 10 bytes', start);
    }
    if (v > U64_MAX) throw new DecodeError('varint exceeds 64 bits', start);
    this.pos = p;
    return v;
  }

  i64(): bigint {
    const z = this.u64();
    return (z >> 1n) ^ -(z & 1n);
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.end) this.truncated(`${n}-byte field`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) this.truncated(`${n}-byte field`);
    this.pos += n;
  }
}

/** Bytes a LEB128 encoding of n takes (n a non-negative safe integer). */
export function uvarintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = n < TWO_32 ? n >>> 7 : Math.floor(n / 128);
    size++;
  }
  return size;
}
