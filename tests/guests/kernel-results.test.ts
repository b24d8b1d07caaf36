// The guest kernel's expected result lines (guests/kernel/expected/) are checked against an
// independent host computation, so a wrong checksum cannot hide in the golden files: the
// disk image's label sector, the disk and net payload patterns, the fork buffer. And the
// three files agree with each other except where the role changes the output.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectedLines, KERNEL } from './kernel-harness.ts';

/** Bitwise CRC-32 (reflected 0xEDB88320): deliberately not the guest's table method. */
function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** user/main.c fill_pattern: xorshift32 from the seed, little-endian words. */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i += 4) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (x >>> (8 * k)) & 0xff;
  }
  return out;
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');
const demo = expectedLines('demo');
const line = (lines: string[], prefix: string): string => {
  const l = lines.find((x) => x.startsWith(prefix));
  if (!l) throw new Error(`no line starting with "${prefix}"`);
  return l;
};

describe('guest kernel expected results', () => {
  test('disk: the label sector of disk.img and the written pattern', () => {
    const img = new Uint8Array(readFileSync(path.join(KERNEL, 'disk.img')));
    expect(img.length).toBe(256 * 512);
    expect(line(demo, 'disk: 256 sectors')).toBe(`disk: 256 sectors, label "CHRONOVISOR TEST DISK 1", sector 0 crc32=${hex(crc32(img.subarray(0, 512)))}`);
    expect(img.subarray(8 * 512, 72 * 512).every((b) => b === 0)).toBe(true);
    const written = hex(crc32(pattern(64 * 512, 0xd15c0001)));
    expect(line(demo, 'disk: wrote')).toBe(`disk: wrote 64 sectors in 5 requests, crc32=${written}`);
    expect(line(demo, 'disk: read back')).toBe(`disk: read back 64 sectors, crc32=${written}, match`);
  });

  test('mem: the fork buffer the parent keeps and the child overwrites', () => {
    const parent = hex(crc32(pattern(6 * 4096, 0xf0f0f0f0)));
    const child = hex(crc32(pattern(6 * 4096, 0x0c0c0c0c)));
    expect(line(demo, 'mem: fork child')).toBe(`mem: fork child pid 2 sees crc32=${parent}, writes crc32=${child}`);
    expect(line(demo, 'mem: fork parent')).toBe(`mem: fork parent crc32=${parent} before and ${parent} after, child exit 42, isolated ok`);
  });

  test('mem: the churn checksum covers every page filled, in order', () => {
    let crc = 0;
    let mapped = 0;
    let unmapped = 0;
    for (let r = 0; r < 16; r++) {
      const n = 4 + ((r * 7) % 13);
      for (let i = 0; i < n; i++) crc = crc32(pattern(4096, r * 1000 + i + 1), crc);
      const odd = Math.floor(n / 2);
      mapped += n + odd;
      unmapped += odd + n;
    }
    expect(line(demo, 'mem: churn')).toBe(`mem: churn 16 rounds, ${mapped} pages mapped, ${unmapped} unmapped, crc32=${hex(crc)}, ok`);
  });

  test('net: both sides report the CRC of the same 16 payloads', () => {
    let crc = 0;
    let bytes = 0;
    for (let seq = 0; seq < 16; seq++) {
      const len = 32 + ((seq * 97) % 1400);
      crc = crc32(pattern(len, Math.imul(0x9e3779b9, seq + 1) >>> 0), crc);
      bytes += len;
    }
    expect(line(expectedLines('ping'), 'net:')).toBe(`net: ping: 16/16 round trips, ${bytes} payload bytes each way, crc32=${hex(crc)}, ok`);
    expect(line(expectedLines('pong'), 'net:')).toBe(`net: pong: echoed 16/16 packets, ${bytes} payload bytes, crc32=${hex(crc)}, ok`);
  });

  test('the ping and pong runs print the demo results, apart from the command line and the net line', () => {
    for (const [name, role] of [['ping', 'role=ping'], ['pong', 'role=pong']] as const) {
      const lines = expectedLines(name);
      expect(lines.length).toBe(demo.length);
      lines.forEach((l, i) => {
        if (l.startsWith('kernel: command line')) expect(l).toBe(`kernel: command line "${role}"`);
        else if (l.startsWith('net:')) expect(demo[i]).toBe('net: skipped (no role= on the command line)');
        else expect(l).toBe(demo[i]);
      });
    }
    expect(demo[demo.length - 1]).toBe('kernel: all workloads passed');
  });
});
