import { describe, expect, it } from 'vitest';
import {
  RspParser,
  bigIntToLeHex,
  checksum,
  decodeReply,
  escapeBinary,
  frame,
  leHexToBigInt,
} from './lib/rsp-packet.ts';
import { parseCore, parseStop } from './lib/gdb-remote.ts';

describe('RSP framing', () => {
  it.each([
    ['g', '$g#67'],
    ['s', '$s#73'],
    ['qSupported', '$qSupported#37'],
    ['', '$#00'],
  ])('frames %j as %s', (payload, wire) => {
    expect(frame(payload)).toBe(wire);
  });

  it('sums bytes modulo 256', () => {
    expect(checksum('\xff\x02')).toBe(1);
  });

  it('escapes the four special bytes', () => {
    expect(escapeBinary(Uint8Array.from([0x23, 0x24, 0x7d, 0x2a, 0x41]))).toBe('}\x03}\x04}\x5d}\x0aA');
  });

  it('decodes escapes and run-length encoding in replies', () => {
    expect(decodeReply('a}\x03b')).toBe('a#b');
    // "0* " is '0' repeated (' ' - 29 = 3) more times.
    expect(decodeReply('0* ')).toBe('0000');
    expect(decodeReply('plain')).toBe('plain');
  });

  it('converts little-endian register hex', () => {
    expect(leHexToBigInt('0010000000000000', 0, 8)).toBe(0x1000n);
    expect(leHexToBigInt('xxxxxxxxxxxxxxxx', 0, 8)).toBeNull();
    expect(bigIntToLeHex(0x1122334455667788n, 8)).toBe('8877665544332211');
    expect(bigIntToLeHex(-1n, 4)).toBe('ffffffff');
  });
});

describe('RspParser', () => {
  it('reassembles packets split across chunks and reports acks', () => {
    const packets: string[] = [];
    const acks: boolean[] = [];
    const p = new RspParser((x) => packets.push(x), (ok) => acks.push(ok));
    const wire = '+' + frame('OK') + '+' + frame('T05thread:p01.01;');
    for (const ch of wire) p.push(ch);
    expect(packets).toEqual(['OK', 'T05thread:p01.01;']);
    expect(acks).toEqual([true, true]);
  });

  it('rejects a corrupted checksum', () => {
    const p = new RspParser(() => {}, () => {});
    expect(() => p.push('$OK#00')).toThrow(/checksum/);
  });
});

describe('reply parsing', () => {
  it('parses T stop replies', () => {
    const s = parseStop('T05thread:p01.01;watch:0000000010000000;');
    expect(s.kind).toBe('T');
    expect(s.code).toBe(5);
    expect(s.info.get('watch')).toBe('0000000010000000');
  });

  it('parses a g reply into x0..x31 and pc', () => {
    const regs = Array.from({ length: 33 }, (_, i) => bigIntToLeHex(BigInt(i) * 0x0101n, 8)).join('');
    const core = parseCore(regs);
    expect(core.x[31]).toBe(31n * 0x101n);
    expect(core.pc).toBe(32n * 0x101n);
  });
});
