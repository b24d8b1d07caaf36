// GDB Remote Serial Protocol framing (gdb manual, appendix E "Overview"): `$payload#cs`,
// where cs is the modulo-256 sum of the payload bytes as two lowercase hex digits. Payloads
// are latin1 strings here so one char is one byte and no UTF-8 decoding cost is paid on
// the hot path (register dumps are plain hex anyway).

/** Sum of the payload bytes modulo 256. */
export function checksum(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum += payload.charCodeAt(i);
  return sum & 0xff;
}

/** `$payload#cs` ready to write to the socket. The payload must already be escaped. */
export function frame(payload: string): string {
  const cs = checksum(payload);
  return `$${payload}#${HEX2[cs]}`;
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Escapes a binary payload for sending ('X' packets, 'vFile'): '#', '$', '}' and '*' become
 * '}' followed by the byte XOR 0x20.
 */
export function escapeBinary(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) out += '}' + String.fromCharCode(b ^ 0x20);
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * Undoes the escaping and run-length encoding a stub may apply to a reply. RLE (`X*n`) is
 * optional for stubs and QEMU does not emit it, but a reply that used it would otherwise be
 * silently misparsed, so it is decoded rather than assumed absent.
 */
export function decodeReply(raw: string): string {
  if (raw.indexOf('}') < 0 && raw.indexOf('*') < 0) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '}') {
      out += String.fromCharCode(raw.charCodeAt(++i) ^ 0x20);
    } else if (c === '*' && out.length > 0) {
      const repeat = raw.charCodeAt(++i) - 29;
      out += out[out.length - 1]!.repeat(repeat);
    } else {
      out += c;
    }
  }
  return out;
}

/** Hex of a string's bytes, for qRcmd (monitor commands) and similar text-in-hex packets. */
export function textToHex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

export function hexToText(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8');
}

/**
 * Reads a little-endian target value of `bytes` bytes from a hex dump at char offset `at`
 * (registers in 'g'/'p' replies are in target byte order). Returns null for "xx" (unavailable).
 */
export function leHexToBigInt(hex: string, at: number, bytes: number): bigint | null {
  if (hex.charCodeAt(at) === 0x78 /* x */) return null;
  // Reassemble as big-endian text and let BigInt parse it in one go: far cheaper than
  // shifting bigints byte by byte.
  let be = '0x';
  for (let i = bytes - 1; i >= 0; i--) be += hex.substr(at + 2 * i, 2);
  return BigInt(be);
}

/** Little-endian hex of an unsigned value, `bytes` long ('P' packets, 'Z' kinds). */
export function bigIntToLeHex(value: bigint, bytes: number): string {
  let out = '';
  let v = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) {
    out += HEX2[Number(v & 0xffn)];
    v >>= 8n;
  }
  return out;
}

/**
 * Incremental parser for the byte stream coming from the stub. It yields complete packet
 * payloads (checksum verified) and reports bare acks, so the client can run in both ack
 * and no-ack mode with one code path.
 */
export class RspParser {
  private buf = '';

  constructor(
    private readonly onPacket: (payload: string) => void,
    private readonly onAck: (ok: boolean) => void,
  ) {}

  push(chunk: string): void {
    this.buf = this.buf.length === 0 ? chunk : this.buf + chunk;
    let pos = 0;
    const buf = this.buf;
    for (;;) {
      // Skip to the next packet start, handling acks on the way.
      while (pos < buf.length && buf.charCodeAt(pos) !== 0x24 /* $ */) {
        const c = buf[pos]!;
        if (c === '+') this.onAck(true);
        else if (c === '-') this.onAck(false);
        pos++;
      }
      if (pos >= buf.length) break;
      const hash = buf.indexOf('#', pos + 1);
      if (hash < 0 || hash + 2 >= buf.length) break;
      const payload = buf.slice(pos + 1, hash);
      const sent = parseInt(buf.slice(hash + 1, hash + 3), 16);
      const actual = checksum(payload);
      if (sent !== actual) {
        throw new Error(
          `gdbstub sent a packet with checksum ${sent.toString(16)} but its payload sums to ${actual.toString(16)}: ` +
            JSON.stringify(payload.slice(0, 80)),
        );
      }
      pos = hash + 3;
      this.onPacket(payload);
    }
    this.buf = pos >= buf.length ? '' : buf.slice(pos);
  }
}
