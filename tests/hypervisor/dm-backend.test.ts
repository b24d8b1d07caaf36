import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryBlockBackend, SECTOR_SIZE } from '../../src/hypervisor/dm/block-backend.ts';
import { DiskImageError, FileBlockBackend } from '../../src/hypervisor/dm/file-backend.ts';

/** Sector i is filled with byte (i + 1). */
function image(sectors: number, extra = 0): Uint8Array {
  const b = new Uint8Array(sectors * SECTOR_SIZE + extra);
  for (let i = 0; i < sectors; i++) b.fill(i + 1, i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE);
  b.fill(0xee, sectors * SECTOR_SIZE);
  return b;
}
const sectorOf = (v: number, n = 1): Uint8Array => new Uint8Array(n * SECTOR_SIZE).fill(v);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-dm-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function imageFile(sectors: number, extra = 0): string {
  const p = path.join(dir, 'disk.img');
  fs.writeFileSync(p, image(sectors, extra));
  return p;
}

describe('MemoryBlockBackend', () => {
  it('reads sectors and refuses anything reaching past the end, transferring nothing', () => {
    const d = new MemoryBlockBackend(image(4));
    expect(d.sectors).toBe(4);
    const out = new Uint8Array(2 * SECTOR_SIZE).fill(0x55);
    expect(d.read(2, 2, out)).toBe('ok');
    expect(out[0]).toBe(3);
    expect(out[SECTOR_SIZE]).toBe(4);
    out.fill(0x55);
    expect(d.read(3, 2, out)).toBe('out-of-range');
    expect(out.every((b) => b === 0x55)).toBe(true);
    expect(d.read(-1, 1, out)).toBe('out-of-range');
    expect(d.read(0, 3, out)).toBe('out-of-range'); // buffer too small for 3 sectors
    expect(d.write(4, sectorOf(9))).toBe('out-of-range');
    expect(d.write(0, new Uint8Array(100))).toBe('out-of-range'); // not whole sectors
  });

  it('keeps writes in its overlay; the caller image is never modified', () => {
    const img = image(4);
    const d = new MemoryBlockBackend(img);
    expect(d.write(1, sectorOf(0xaa, 2))).toBe('ok');
    const out = new Uint8Array(4 * SECTOR_SIZE);
    d.read(0, 4, out);
    expect([out[0], out[SECTOR_SIZE], out[2 * SECTOR_SIZE], out[3 * SECTOR_SIZE]]).toEqual([1, 0xaa, 0xaa, 4]);
    expect(img[SECTOR_SIZE]).toBe(2);
  });

  it('read-only refuses writes', () => {
    const d = new MemoryBlockBackend(image(2), { readOnly: true });
    expect(d.readOnly).toBe(true);
    expect(d.write(0, sectorOf(1))).toBe('read-only');
  });

  it('save/restore round-trips the overlay as plain data', () => {
    const d = new MemoryBlockBackend(8);
    d.write(5, sectorOf(5));
    d.write(2, sectorOf(2));
    const s = d.save();
    expect(s.sectors.map(([k]) => k)).toEqual([2, 5]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    d.write(2, sectorOf(0x22));
    d.write(7, sectorOf(7));
    d.restore(s);
    const out = new Uint8Array(8 * SECTOR_SIZE);
    d.read(0, 8, out);
    expect([2, 5, 7].map((i) => out[i * SECTOR_SIZE])).toEqual([2, 5, 0]);
  });
});

describe('FileBlockBackend', () => {
  it('ignores a trailing partial sector: no request reaches past the image', () => {
    const d = FileBlockBackend.open(imageFile(3, 100), 'ro');
    expect(d.sectors).toBe(3);
    const out = new Uint8Array(SECTOR_SIZE);
    expect(d.read(2, 1, out)).toBe('ok');
    expect(out[0]).toBe(3);
    expect(d.read(3, 1, out)).toBe('out-of-range');
    d.close();
  });

  it("'ro' refuses writes and leaves the file alone", () => {
    const p = imageFile(4);
    const d = FileBlockBackend.open(p, 'ro');
    expect(d.readOnly).toBe(true);
    expect(d.write(0, sectorOf(9))).toBe('read-only');
    expect(d.save?.()).toEqual({ sectors: [] });
    d.close();
    expect(fs.readFileSync(p)).toEqual(Buffer.from(image(4)));
  });

  it("'cow' accepts writes, reads them back, and never touches the image file", () => {
    const p = imageFile(4);
    const before = fs.statSync(p);
    const d = FileBlockBackend.open(p, 'cow');
    expect(d.readOnly).toBe(false);
    expect(d.write(1, sectorOf(0xab))).toBe('ok');
    expect(d.write(3, sectorOf(0xcd))).toBe('ok');
    const out = new Uint8Array(4 * SECTOR_SIZE);
    expect(d.read(0, 4, out)).toBe('ok');
    expect([0, 1, 2, 3].map((i) => out[i * SECTOR_SIZE])).toEqual([1, 0xab, 3, 0xcd]);
    expect(d.overlaySectors).toBe(2);
    expect(d.write(4, sectorOf(1))).toBe('out-of-range');
    d.close();
    expect(fs.readFileSync(p)).toEqual(Buffer.from(image(4)));
    expect(fs.statSync(p).mtimeMs).toBe(before.mtimeMs);
  });

  it("'cow' checkpoints roll the overlay back", () => {
    const d = FileBlockBackend.open(imageFile(4), 'cow');
    d.write(0, sectorOf(0x10));
    const s = d.save!();
    d.write(0, sectorOf(0x20));
    d.write(1, sectorOf(0x21));
    d.restore!(s);
    const out = new Uint8Array(2 * SECTOR_SIZE);
    d.read(0, 2, out);
    expect([out[0], out[SECTOR_SIZE]]).toEqual([0x10, 2]);
    d.close();
  });

  it("'rw' writes through to the file and offers no checkpointing", () => {
    const p = imageFile(4);
    const d = FileBlockBackend.open(p, 'rw');
    expect(d.save).toBeUndefined();
    expect(d.restore).toBeUndefined();
    expect(d.write(2, sectorOf(0x77))).toBe('ok');
    expect(d.write(3, sectorOf(0x77, 2))).toBe('out-of-range');
    d.close();
    const bytes = fs.readFileSync(p);
    expect(bytes.length).toBe(4 * SECTOR_SIZE);
    expect(bytes[2 * SECTOR_SIZE]).toBe(0x77);
    expect(bytes[3 * SECTOR_SIZE]).toBe(4);
  });

  it('a closed backend reports io-error instead of throwing', () => {
    const d = FileBlockBackend.open(imageFile(1), 'ro');
    d.close();
    expect(d.read(0, 1, new Uint8Array(SECTOR_SIZE))).toBe('io-error');
  });

  it('opening errors name the file and the reason', () => {
    expect(() => FileBlockBackend.open(path.join(dir, 'missing.img'), 'cow')).toThrow(DiskImageError);
    expect(() => FileBlockBackend.open(path.join(dir, 'missing.img'), 'cow')).toThrow(/missing\.img: no such file/);
    fs.writeFileSync(path.join(dir, 'tiny.img'), new Uint8Array(10));
    expect(() => FileBlockBackend.open(path.join(dir, 'tiny.img'), 'ro')).toThrow(/10 bytes; a disk needs at least one 512-byte sector/);
    expect(() => FileBlockBackend.open(dir, 'ro')).toThrow(/not a regular file/);
  });
});
