import { describe, expect, it } from 'vitest';
import { Cvblk } from '../../src/hypervisor/dm/cvblk/device.ts';
import * as R from '../../src/hypervisor/dm/cvblk/registers.ts';
import { MemoryBlockBackend, SECTOR_SIZE, type BlockBackend } from '../../src/hypervisor/dm/block-backend.ts';
import { FakeGuestMemory, RAM_BASE } from './dm-harness.ts';

class Line {
  level = false;
  readonly calls: boolean[] = [];
  set(level: boolean): void {
    this.level = level;
    this.calls.push(level);
  }
}

function setup(backend: BlockBackend = new MemoryBlockBackend(16)) {
  const memory = new FakeGuestMemory(64 * 1024);
  const irq = new Line();
  const dev = new Cvblk({ name: 'cvblk0', backend, memory, irq, size: 0x1000 });
  const rd = (off: number) => dev.read(off, 4);
  const wr = (off: number, v: number) => dev.write(off, 4, v);
  /** Programs and starts one request; returns STATUS. */
  const request = (cmd: number, sector: number, count: number, gpa: bigint) => {
    wr(R.REG_SECTOR_LO, sector);
    wr(R.REG_SECTOR_HI, 0);
    wr(R.REG_BUFFER_LO, Number(gpa & 0xffffffffn));
    wr(R.REG_BUFFER_HI, Number(gpa >> 32n));
    wr(R.REG_COUNT, count);
    wr(R.REG_COMMAND, cmd);
    return rd(R.REG_STATUS);
  };
  return { memory, irq, dev, rd, wr, request, backend };
}

describe('cvblk identification registers', () => {
  it('magic, version, id, capacity, sector size, limits', () => {
    const { rd } = setup(new MemoryBlockBackend(1000));
    expect(rd(R.REG_MAGIC)).toBe(0x4b425643);
    expect(String.fromCharCode(...[0, 8, 16, 24].map((s) => (rd(R.REG_MAGIC) >>> s) & 0xff))).toBe('CVBK');
    expect(rd(R.REG_VERSION)).toBe(1);
    expect(rd(R.REG_DEVICE_ID)).toBe(R.DEVICE_ID_BLOCK);
    expect(rd(R.REG_FEATURES)).toBe(R.FEATURE_FLUSH);
    expect(rd(R.REG_CAPACITY_LO)).toBe(1000);
    expect(rd(R.REG_CAPACITY_HI)).toBe(0);
    expect(rd(R.REG_SECTOR_SIZE)).toBe(512);
    expect(rd(R.REG_MAX_SECTORS)).toBe(R.MAX_SECTORS);
    expect(rd(R.REG_COMMAND)).toBe(0);
    expect(rd(0x800)).toBe(0); // unassigned offsets read 0
  });

  it('a read-only backend sets FEATURE_READ_ONLY', () => {
    const { rd } = setup(new MemoryBlockBackend(4, { readOnly: true }));
    expect(rd(R.REG_FEATURES) & R.FEATURE_READ_ONLY).toBe(R.FEATURE_READ_ONLY);
  });

  it('identification registers ignore writes; request registers read back', () => {
    const { rd, wr } = setup();
    wr(R.REG_MAGIC, 0);
    wr(R.REG_CAPACITY_LO, 5);
    expect(rd(R.REG_MAGIC)).toBe(R.CVBLK_MAGIC);
    expect(rd(R.REG_CAPACITY_LO)).toBe(16);
    wr(R.REG_BUFFER_HI, 0x12345678);
    wr(R.REG_COUNT, 7);
    expect(rd(R.REG_BUFFER_HI)).toBe(0x12345678);
    expect(rd(R.REG_COUNT)).toBe(7);
  });

  it('only 4-byte register accesses do anything (8-byte ones come split by the bus)', () => {
    const { dev } = setup();
    expect(dev.accessRule(0)).toEqual({ minSize: 4, maxSize: 8 });
    expect(dev.read(R.REG_MAGIC, 1)).toBe(0);
    expect(dev.read(R.REG_MAGIC + 2, 2)).toBe(0);
  });
});

describe('cvblk requests (DMA through guest memory)', () => {
  it('CMD_WRITE copies guest memory to the disk; CMD_READ copies it back', () => {
    const { memory, request, backend, rd } = setup();
    const buf = RAM_BASE + 0x1000n;
    memory.view(buf, 2 * SECTOR_SIZE).fill(0x5a);
    memory.view(buf + 512n, 1)[0] = 0x99;
    expect(request(R.CMD_WRITE, 3, 2, buf)).toBe(R.STATUS_OK);
    const disk = new Uint8Array(2 * SECTOR_SIZE);
    backend.read(3, 2, disk);
    expect(disk[0]).toBe(0x5a);
    expect(disk[512]).toBe(0x99);

    const dst = RAM_BASE + 0x8000n;
    expect(request(R.CMD_READ, 3, 2, dst)).toBe(R.STATUS_OK);
    expect([...memory.view(dst, 1), ...memory.view(dst + 512n, 2)]).toEqual([0x5a, 0x99, 0x5a]);
    expect(rd(R.REG_COMPLETED)).toBe(2);
  });

  it.each([
    ['count 0', R.CMD_READ, 0, 0, 0n, R.STATUS_BAD_COUNT],
    ['count above MAX_SECTORS', R.CMD_READ, 0, R.MAX_SECTORS + 1, 0n, R.STATUS_BAD_COUNT],
    ['past the end', R.CMD_READ, 15, 2, 0n, R.STATUS_OUT_OF_RANGE],
    ['buffer below RAM', R.CMD_READ, 0, 1, -0x1000n, R.STATUS_BAD_BUFFER],
    ['buffer running off the end of RAM', R.CMD_WRITE, 0, 2, 64n * 1024n - 512n, R.STATUS_BAD_BUFFER],
    ['unknown command', 9, 0, 1, 0n, R.STATUS_BAD_COMMAND],
  ] as const)('%s fails with its status and transfers nothing', (_name, cmd, sector, count, off, status) => {
    const { memory, request, backend, rd } = setup();
    memory.bytes.fill(0x33);
    expect(request(cmd, sector, count, RAM_BASE + off)).toBe(status);
    expect(memory.bytes.every((b) => b === 0x33)).toBe(true);
    const disk = new Uint8Array(16 * SECTOR_SIZE);
    backend.read(0, 16, disk);
    expect(disk.every((b) => b === 0)).toBe(true);
    // A failed request still completes: INT_DONE is raised so an interrupt-driven driver wakes.
    expect(rd(R.REG_INT_STATUS)).toBe(R.INT_DONE);
  });

  it('a write to a read-only disk fails with STATUS_READ_ONLY', () => {
    const { request } = setup(new MemoryBlockBackend(4, { readOnly: true }));
    expect(request(R.CMD_WRITE, 0, 1, RAM_BASE)).toBe(R.STATUS_READ_ONLY);
    expect(request(R.CMD_READ, 0, 1, RAM_BASE)).toBe(R.STATUS_OK);
  });

  it('CMD_FLUSH succeeds without a buffer', () => {
    const { wr, rd } = setup();
    wr(R.REG_COMMAND, R.CMD_FLUSH);
    expect(rd(R.REG_STATUS)).toBe(R.STATUS_OK);
  });

  it('a backend failure surfaces as STATUS_IO_ERROR', () => {
    const failing: BlockBackend = { sectors: 4, readOnly: false, read: () => 'io-error', write: () => 'io-error' };
    const { request } = setup(failing);
    expect(request(R.CMD_READ, 0, 1, RAM_BASE)).toBe(R.STATUS_IO_ERROR);
    expect(request(R.CMD_WRITE, 0, 1, RAM_BASE)).toBe(R.STATUS_IO_ERROR);
  });
});

describe('cvblk interrupt', () => {
  it('completion sets INT_DONE; the line follows INT_STATUS & INT_ENABLE; INT_ACK clears', () => {
    const { irq, request, rd, wr } = setup();
    request(R.CMD_READ, 0, 1, RAM_BASE);
    expect(rd(R.REG_INT_STATUS)).toBe(R.INT_DONE);
    expect(irq.level).toBe(false); // not enabled yet: polling drivers see no interrupt
    wr(R.REG_INT_ENABLE, 0xffffffff);
    expect(rd(R.REG_INT_ENABLE)).toBe(R.INT_DONE);
    expect(irq.level).toBe(true);
    wr(R.REG_INT_ACK, R.INT_DONE);
    expect(rd(R.REG_INT_STATUS)).toBe(0);
    expect(irq.level).toBe(false);
    request(R.CMD_READ, 0, 1, RAM_BASE);
    expect(irq.level).toBe(true);
  });

  it('save/restore round-trips registers; reset clears them and lowers the line', () => {
    const a = setup();
    a.wr(R.REG_INT_ENABLE, 1);
    a.request(R.CMD_READ, 4, 1, RAM_BASE + 0x200n);
    const state = a.dev.save();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const b = setup();
    b.dev.restore(state);
    for (const off of [R.REG_SECTOR_LO, R.REG_BUFFER_LO, R.REG_COUNT, R.REG_STATUS, R.REG_INT_STATUS, R.REG_INT_ENABLE, R.REG_COMPLETED]) {
      expect(b.rd(off)).toBe(a.rd(off));
    }
    a.dev.reset();
    expect(a.rd(R.REG_INT_STATUS)).toBe(0);
    expect(a.rd(R.REG_COMPLETED)).toBe(0);
    expect(a.irq.level).toBe(false);
  });
});
