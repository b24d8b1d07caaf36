import { describe, expect, it } from 'vitest';
import { Cvnet } from '../../src/hypervisor/dm/cvnet/device.ts';
import * as R from '../../src/hypervisor/dm/cvnet/registers.ts';
import type { NetPort } from '../../src/hypervisor/dm/net-port.ts';
import { FakeGuestMemory, RAM_BASE } from './dm-harness.ts';

class Line {
  level = false;
  set(level: boolean): void {
    this.level = level;
  }
}

/** A port that records what the NIC sends and lets the test inject frames. */
class TestPort implements NetPort {
  readonly sent: Uint8Array[] = [];
  private cb: ((f: Uint8Array) => void) | null = null;
  send(frame: Uint8Array): void {
    this.sent.push(frame);
  }
  onFrame(cb: (frame: Uint8Array) => void): void {
    this.cb = cb;
  }
  inject(frame: Uint8Array): void {
    this.cb?.(frame);
  }
}

const MAC = Uint8Array.of(0x00, 0x16, 0x3e, 0x00, 0x01, 0x02);

function frame(len: number, fill: number): Uint8Array {
  const f = new Uint8Array(len).fill(fill);
  f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0);
  return f;
}

function setup() {
  const memory = new FakeGuestMemory(64 * 1024);
  const irq = new Line();
  const port = new TestPort();
  const dev = new Cvnet({ name: 'cvnet0', port, mac: MAC, memory, irq, size: 0x1000 });
  const rd = (off: number) => dev.read(off, 4);
  const wr = (off: number, v: number) => dev.write(off, 4, v);
  const send = (gpa: bigint, len: number) => {
    wr(R.REG_TX_ADDR_LO, Number(gpa & 0xffffffffn));
    wr(R.REG_TX_ADDR_HI, Number(gpa >> 32n));
    wr(R.REG_TX_LEN, len);
    wr(R.REG_TX_COMMAND, R.CMD_SEND);
    return rd(R.REG_TX_STATUS);
  };
  const receive = (gpa: bigint, cap: number) => {
    wr(R.REG_RX_ADDR_LO, Number(gpa & 0xffffffffn));
    wr(R.REG_RX_ADDR_HI, Number(gpa >> 32n));
    wr(R.REG_RX_CAP, cap);
    wr(R.REG_RX_COMMAND, R.CMD_RECEIVE);
    return rd(R.REG_RX_STATUS);
  };
  return { memory, irq, port, dev, rd, wr, send, receive };
}

describe('cvnet identification registers', () => {
  it('magic, version, id, MAC, MTU, link', () => {
    const { rd } = setup();
    expect(String.fromCharCode(...[0, 8, 16, 24].map((s) => (rd(R.REG_MAGIC) >>> s) & 0xff))).toBe('CVNT');
    expect(rd(R.REG_VERSION)).toBe(1);
    expect(rd(R.REG_DEVICE_ID)).toBe(R.DEVICE_ID_NET);
    expect(rd(R.REG_MAC_LO)).toBe(0x003e1600);
    expect(rd(R.REG_MAC_HI)).toBe(0x0201);
    expect(rd(R.REG_MAX_FRAME)).toBe(1514);
    expect(rd(R.REG_STATUS)).toBe(R.STATUS_LINK_UP);
  });

  it('refuses a MAC that is not six bytes', () => {
    expect(
      () => new Cvnet({ name: 'cvnet0', port: new TestPort(), mac: new Uint8Array(5), memory: new FakeGuestMemory(), irq: new Line(), size: 0x1000 }),
    ).toThrow(/6 bytes, got 5/);
  });
});

describe('cvnet transmit', () => {
  it('sends the frame from guest memory to the port during the TX_COMMAND store', () => {
    const { memory, port, send, rd } = setup();
    const buf = RAM_BASE + 0x100n;
    memory.view(buf, 60).set(frame(60, 0x42));
    expect(send(buf, 60)).toBe(R.RES_OK);
    expect(port.sent).toHaveLength(1);
    expect([...port.sent[0]!]).toEqual([...frame(60, 0x42)]);
    expect(rd(R.REG_TX_PACKETS)).toBe(1);
    expect(rd(R.REG_INT_STATUS)).toBe(R.INT_TX_DONE);
  });

  it.each([
    ['too short', 13, 0n, R.RES_BAD_LENGTH],
    ['too long', 1515, 0n, R.RES_BAD_LENGTH],
    ['outside RAM', 60, 64n * 1024n - 10n, R.RES_BAD_BUFFER],
  ] as const)('%s: nothing is sent', (_n, len, off, status) => {
    const { port, send, rd } = setup();
    expect(send(RAM_BASE + off, len)).toBe(status);
    expect(port.sent).toHaveLength(0);
    expect(rd(R.REG_TX_PACKETS)).toBe(0);
  });

  it('an unknown TX command is refused', () => {
    const { wr, rd, port } = setup();
    wr(R.REG_TX_LEN, 60);
    wr(R.REG_TX_ADDR_HI, 0);
    wr(R.REG_TX_ADDR_LO, 0x80000000);
    wr(R.REG_TX_COMMAND, 7);
    expect(rd(R.REG_TX_STATUS)).toBe(R.RES_BAD_COMMAND);
    expect(port.sent).toHaveLength(0);
  });
});

describe('cvnet receive', () => {
  it('queues arriving frames, raises RX_READY, hands them out oldest first', () => {
    const { memory, port, receive, rd, wr, irq } = setup();
    wr(R.REG_INT_ENABLE, R.INT_RX_READY);
    port.inject(frame(64, 1));
    port.inject(frame(100, 2));
    expect(irq.level).toBe(true);
    expect(rd(R.REG_RX_PENDING)).toBe(2);
    expect(rd(R.REG_STATUS)).toBe(R.STATUS_LINK_UP | R.STATUS_RX_AVAIL);
    // The documented driver pattern: ack first, then drain until empty.
    wr(R.REG_INT_ACK, R.INT_RX_READY);
    expect(irq.level).toBe(false);
    const buf = RAM_BASE + 0x2000n;
    expect(receive(buf, 1514)).toBe(R.RES_OK);
    expect(rd(R.REG_RX_LEN)).toBe(64);
    expect(memory.view(buf, 64)[20]).toBe(1);
    expect(receive(buf, 1514)).toBe(R.RES_OK);
    expect(rd(R.REG_RX_LEN)).toBe(100);
    expect(memory.view(buf, 100)[99]).toBe(2);
    expect(receive(buf, 1514)).toBe(R.RES_EMPTY);
    expect(rd(R.REG_RX_PACKETS)).toBe(2);
    expect(rd(R.REG_STATUS)).toBe(R.STATUS_LINK_UP);
  });

  it('a buffer too small loses the frame and says how long it was', () => {
    const { port, receive, rd, memory } = setup();
    port.inject(frame(200, 3));
    memory.bytes.fill(0);
    expect(receive(RAM_BASE, 100)).toBe(R.RES_TOO_SMALL);
    expect(rd(R.REG_RX_LEN)).toBe(200);
    expect(rd(R.REG_RX_DROPPED)).toBe(1);
    expect(rd(R.REG_RX_PENDING)).toBe(0);
    expect(memory.bytes.every((b) => b === 0)).toBe(true);
  });

  it('a buffer outside RAM keeps the frame queued', () => {
    const { port, receive, rd } = setup();
    port.inject(frame(64, 4));
    expect(receive(0x1000n, 1514)).toBe(R.RES_BAD_BUFFER);
    expect(rd(R.REG_RX_PENDING)).toBe(1);
  });

  it('drops (and counts) frames beyond the queue depth or the MTU', () => {
    const { port, rd } = setup();
    for (let i = 0; i < R.RX_QUEUE_DEPTH + 3; i++) port.inject(frame(60, i));
    port.inject(frame(1515, 0));
    expect(rd(R.REG_RX_PENDING)).toBe(R.RX_QUEUE_DEPTH);
    expect(rd(R.REG_RX_DROPPED)).toBe(4);
  });

  it('the queued frame is a copy: the network cannot change it afterwards', () => {
    const { port, receive, memory } = setup();
    const f = frame(60, 9);
    port.inject(f);
    f.fill(0);
    receive(RAM_BASE, 1514);
    expect(memory.view(RAM_BASE, 60)[30]).toBe(9);
  });
});

describe('cvnet save/restore', () => {
  it('round-trips registers and the receive queue as plain data', () => {
    const a = setup();
    a.wr(R.REG_INT_ENABLE, R.INT_ALL);
    a.port.inject(frame(70, 5));
    a.port.inject(frame(80, 6));
    a.wr(R.REG_RX_CAP, 1514);
    const state = a.dev.save();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);

    const b = setup();
    b.dev.restore(state);
    expect(b.rd(R.REG_RX_PENDING)).toBe(2);
    expect(b.rd(R.REG_INT_STATUS)).toBe(R.INT_RX_READY);
    expect(b.rd(R.REG_INT_ENABLE)).toBe(R.INT_ALL);
    expect(b.receive(RAM_BASE, 1514)).toBe(R.RES_OK);
    expect(b.rd(R.REG_RX_LEN)).toBe(70);
    // Restoring does not disturb the original.
    expect(a.rd(R.REG_RX_PENDING)).toBe(2);
  });

  it('reset empties the queue and lowers the line', () => {
    const { dev, port, wr, rd, irq } = setup();
    wr(R.REG_INT_ENABLE, R.INT_ALL);
    port.inject(frame(60, 1));
    dev.reset();
    expect(rd(R.REG_RX_PENDING)).toBe(0);
    expect(rd(R.REG_INT_ENABLE)).toBe(0);
    expect(irq.level).toBe(false);
  });
});
