import { describe, expect, it } from 'vitest';
import { DeviceModel, DeviceModelError, type DeviceModelConfig } from '../../src/hypervisor/dm/device-model.ts';
import { MemoryBlockBackend, SECTOR_SIZE } from '../../src/hypervisor/dm/block-backend.ts';
import { Bridge } from '../../src/hypervisor/dm/bridge.ts';
import { NullNetPort } from '../../src/hypervisor/dm/net-port.ts';
import * as BLK from '../../src/hypervisor/dm/cvblk/registers.ts';
import * as NET from '../../src/hypervisor/dm/cvnet/registers.ts';
import { CONTEXT_CLAIM, contextOffset, enableOffset, priorityOffset } from '../../src/machine/devices/plic/registers.ts';
import * as U from '../../src/machine/devices/ns16550a/registers.ts';
import { VirtualClock } from '../../src/machine/vtime.ts';
import { fakeDomain, RAM_BASE, type FakeDomain } from './dm-harness.ts';

const PLIC = 0x0c000000n;
const UART = 0x10000000n;
const SLOT0 = 0x10001000n;
const SLOT = (i: number) => SLOT0 + BigInt(i) * 0x1000n;

function make(config: Partial<DeviceModelConfig> = {}, dom: FakeDomain = fakeDomain({ vcpus: 2 })) {
  const out: number[] = [];
  const dm = new DeviceModel(dom, { uart: true, disks: [], nics: [], onConsole: (b) => out.push(...b), ...config });
  const rd = (gpa: bigint, size: 1 | 2 | 4 | 8 = 4) => dm.access(gpa, size, false, 0n)!.value;
  const wr = (gpa: bigint, v: bigint | number, size: 1 | 2 | 4 | 8 = 4, vcpu = 0) => {
    expect(dm.access(gpa, size, true, BigInt(v), vcpu)).toEqual({ value: 0n });
  };
  /** Routes PLIC source `src` to vCPU `vcpu`'s S-mode context (context v: hart-config "S") at priority 1. */
  const route = (src: number, vcpu: number) => {
    wr(PLIC + BigInt(priorityOffset(src)), 1);
    const ctx = vcpu;
    wr(PLIC + BigInt(enableOffset(ctx, src)), 1 << (src & 31));
  };
  const claim = (vcpu: number) => Number(rd(PLIC + BigInt(contextOffset(vcpu) + CONTEXT_CLAIM)));
  const complete = (vcpu: number, src: number) => wr(PLIC + BigInt(contextOffset(vcpu) + CONTEXT_CLAIM), src);
  return { dom, dm, out, rd, wr, route, claim, complete };
}

describe('DeviceModel layout', () => {
  it('places the PLIC, UART, disks then NICs at virt addresses with virt IRQs', () => {
    const { dm } = make({ disks: [new MemoryBlockBackend(8), new MemoryBlockBackend(4, { readOnly: true })], nics: [new NullNetPort()] });
    const info = dm.devicesForFdt();
    expect(info.map((d) => [d.index, d.name, d.nodeName, d.base, d.size, d.irq])).toEqual([
      [0, 'plic', 'plic@c000000', 0x0c000000, 0x600000, null],
      [1, 'uart0', 'serial@10000000', 0x10000000, 0x100, 10],
      [2, 'cvblk0', 'block@10001000', 0x10001000, 0x1000, 1],
      [3, 'cvblk1', 'block@10002000', 0x10002000, 0x1000, 2],
      [4, 'cvnet0', 'ethernet@10003000', 0x10003000, 0x1000, 3],
    ]);
    const plic = info[0]!;
    expect(plic.kind === 'plic' && plic.contexts).toEqual([
      { vcpu: 0, cause: 9 },
      { vcpu: 1, cause: 9 },
    ]);
    const blk1 = info[3]!;
    expect(blk1.kind === 'cvblk' && [blk1.readOnly, blk1.sectors]).toEqual([true, 4]);
    const net = info[4]!;
    expect(net.kind === 'cvnet' && [...net.mac]).toEqual([0x00, 0x16, 0x3e, 0x00, 0x01, 0x00]);
    expect(net.compatible).toEqual(['chronovisor,cvnet']);
  });

  it('describes exactly what the domain has: no UART, no slots', () => {
    const { dm } = make({ uart: false });
    expect(dm.devicesForFdt().map((d) => d.name)).toEqual(['plic']);
    expect(() => dm.consoleInput(Uint8Array.of(1))).toThrow(/has no emulated console/);
  });

  it('refuses more disks and NICs than there are slots, saying what to change', () => {
    const disks = Array.from({ length: 6 }, () => new MemoryBlockBackend(1));
    const nics = Array.from({ length: 3 }, () => new NullNetPort());
    expect(() => make({ disks, nics })).toThrow(DeviceModelError);
    expect(() => make({ disks, nics })).toThrow(/need 9 device slots; an HVM domain has 8/);
  });

  it('a configured MAC is used as given', () => {
    const mac = Uint8Array.of(0x02, 0, 0, 0, 0, 0x42);
    const { rd } = make({ nics: [{ port: new NullNetPort(), mac }] });
    expect(rd(SLOT(0) + BigInt(NET.REG_MAC_HI))).toBe(0x4200n);
  });
});

describe('DeviceModel.access', () => {
  it('returns null for unmapped addresses, disallowed sizes and misalignment, logging nothing', () => {
    const { dm, dom } = make();
    expect(dm.access(0x20000000n, 4, false, 0n)).toBeNull(); // nothing there
    expect(dm.access(UART + 8n, 1, false, 0n)).toBeNull(); // past the 8 decoded UART bytes
    expect(dm.access(PLIC + 4n, 1, false, 0n)).toBeNull(); // PLIC: 32-bit only
    expect(dm.access(PLIC + 2n, 4, false, 0n)).toBeNull(); // misaligned
    expect(dm.access(SLOT0, 4, false, 0n)).toBeNull(); // no device in slot 0
    expect(dm.access(1n << 60n, 4, false, 0n)).toBeNull();
    expect(dom.events.log).toEqual([]);
    expect(dm.deviceAt(PLIC + 4n)).toEqual({ index: 0, name: 'plic', offset: 4 });
    expect(dm.deviceAt(0x20000000n)).toBeNull();
  });

  it('logs every access as an mmio event with device index, offset, size, value, direction, vCPU', () => {
    const { dm, dom, wr } = make();
    wr(UART + BigInt(U.REG_SCR), 0x1a5, 1, 1); // only the low byte reaches the device
    expect(dm.access(UART + BigInt(U.REG_SCR), 1, false, 0n, 1)).toEqual({ value: 0xa5n });
    expect(dom.events.mmios()).toEqual([
      { kind: 'mmio', domain: 1, vcpu: 1, dev: 1, offset: 7, size: 1, value: 0xa5n, write: true },
      { kind: 'mmio', domain: 1, vcpu: 1, dev: 1, offset: 7, size: 1, value: 0xa5n, write: false },
    ]);
  });

  it('8-byte accesses reach LO/HI register pairs in one go', () => {
    const { rd, wr } = make({ disks: [new MemoryBlockBackend(4)] });
    wr(SLOT0 + BigInt(BLK.REG_BUFFER_LO), 0x0000000180002000n, 8);
    expect(rd(SLOT0 + BigInt(BLK.REG_BUFFER_HI))).toBe(1n);
    expect(rd(SLOT0 + BigInt(BLK.REG_BUFFER_LO), 8)).toBe(0x0000000180002000n);
    expect(rd(SLOT0 + BigInt(BLK.REG_CAPACITY_LO), 8)).toBe(4n);
  });
});

describe('DeviceModel console', () => {
  it('forwards UART output to the console callback and logs a console event', () => {
    const { wr, out, dom } = make();
    for (const c of 'hi') wr(UART, c.charCodeAt(0), 1);
    expect(String.fromCharCode(...out)).toBe('hi');
    const cons = dom.events.log.filter((e) => e.kind === 'console');
    expect(cons).toEqual([
      { kind: 'console', domain: 1, dev: 1, bytes: [0x68] },
      { kind: 'console', domain: 1, dev: 1, bytes: [0x69] },
    ]);
  });

  it('console input reaches the guest and interrupts the routed vCPU through VSEIP', () => {
    const { dm, dom, rd, wr, route, claim, complete } = make();
    route(10, 1);
    wr(UART + BigInt(U.REG_IER_DLM), U.IER_RDI, 1);
    dm.consoleInput(new TextEncoder().encode('ok'));
    expect(dom.irqs.level(1, 10)).toBe(true);
    expect(dom.irqs.level(0, 10)).toBe(false);
    expect(claim(1)).toBe(10);
    expect(dom.irqs.level(1, 10)).toBe(false); // claimed: nothing else pending
    expect(rd(UART, 1)).toBe(0x6fn);
    expect(rd(UART, 1)).toBe(0x6bn);
    complete(1, 10);
    expect(rd(UART + BigInt(U.REG_LSR), 1) & BigInt(U.LSR_DR)).toBe(0n);
  });

  it('a source enabled for one vCPU interrupts only that vCPU, and VSEIP is only signalled on changes', () => {
    const { dm, dom, wr } = make();
    wr(PLIC + BigInt(priorityOffset(10)), 1);
    wr(PLIC + BigInt(enableOffset(1, 10)), 1 << 10); // context 1 = vCPU 1 (hart-config "S")
    wr(UART + BigInt(U.REG_IER_DLM), U.IER_RDI, 1);
    dm.consoleInput(Uint8Array.of(0x41));
    dm.consoleInput(Uint8Array.of(0x42)); // the line is already up: no second signal
    expect(dom.irqs.calls.filter(([, irq]) => irq === 10)).toEqual([[1, 10, true]]);
  });
});

describe('DeviceModel disks and NICs through the PLIC', () => {
  it('a cvblk read fills guest memory and interrupts through VSEIP', () => {
    const disk = new MemoryBlockBackend(8);
    const sector = new Uint8Array(SECTOR_SIZE).fill(0x77);
    disk.write(5, sector);
    const { dom, wr, rd, route, claim, complete } = make({ disks: [disk] });
    route(1, 0);
    const base = SLOT0;
    wr(base + BigInt(BLK.REG_INT_ENABLE), BLK.INT_DONE);
    wr(base + BigInt(BLK.REG_SECTOR_LO), 5);
    wr(base + BigInt(BLK.REG_BUFFER_LO), 0x80010000);
    wr(base + BigInt(BLK.REG_COUNT), 1);
    wr(base + BigInt(BLK.REG_COMMAND), BLK.CMD_READ);
    expect(rd(base + BigInt(BLK.REG_STATUS))).toBe(0n);
    expect(dom.memory.view(RAM_BASE + 0x10000n, SECTOR_SIZE).every((b) => b === 0x77)).toBe(true);
    expect(dom.irqs.level(0, 10)).toBe(true);
    expect(claim(0)).toBe(1);
    wr(base + BigInt(BLK.REG_INT_ACK), BLK.INT_DONE);
    complete(0, 1);
    expect(dom.irqs.level(0, 10)).toBe(false);
  });

  it('two domains exchange a frame over a bridge; the receiver is interrupted', () => {
    const clock = new VirtualClock(0);
    const bridge = new Bridge();
    const d1 = make({ nics: [bridge.port('vif1.0')] }, fakeDomain({ id: 1, clock }));
    const d2 = make({ nics: [bridge.port('vif2.0')] }, fakeDomain({ id: 2, clock }));
    d2.route(1, 0);
    d2.wr(SLOT0 + BigInt(NET.REG_INT_ENABLE), NET.INT_RX_READY);
    const frame = Uint8Array.of(0, 0x16, 0x3e, 0, 2, 0, 0, 0x16, 0x3e, 0, 1, 0, 0x88, 0xb5, 0xab);
    d1.dom.memory.write(RAM_BASE + 0x400n, frame);
    d1.wr(SLOT0 + BigInt(NET.REG_TX_ADDR_LO), 0x80000400);
    d1.wr(SLOT0 + BigInt(NET.REG_TX_LEN), frame.length);
    d1.wr(SLOT0 + BigInt(NET.REG_TX_COMMAND), NET.CMD_SEND);
    expect(d2.dom.irqs.level(0, 10)).toBe(false); // nothing moves before deliver()
    bridge.deliver();
    expect(d2.dom.irqs.level(0, 10)).toBe(true);
    d2.wr(SLOT0 + BigInt(NET.REG_RX_ADDR_LO), 0x80000800);
    d2.wr(SLOT0 + BigInt(NET.REG_RX_CAP), 1514);
    d2.wr(SLOT0 + BigInt(NET.REG_RX_COMMAND), NET.CMD_RECEIVE);
    expect(d2.rd(SLOT0 + BigInt(NET.REG_RX_LEN))).toBe(BigInt(frame.length));
    expect([...d2.dom.memory.view(RAM_BASE + 0x800n, frame.length)]).toEqual([...frame]);
  });
});

describe('DeviceModel timer', () => {
  it('raises VSTIP when guest time reaches the compare value; a new value lowers it', () => {
    const dom = fakeDomain({ vcpus: 2 });
    const { dm } = make({}, dom);
    dom.advanceTo(1000); // 10 ticks
    expect(dm.timer.readTime()).toBe(10n);
    dm.timer.set(1, 15n);
    expect(dom.irqs.level(1, 6)).toBe(false);
    dom.advanceTo(1499);
    expect(dom.irqs.level(1, 6)).toBe(false);
    dom.advanceTo(1500);
    expect(dom.irqs.level(1, 6)).toBe(true);
    dm.timer.set(1, (1n << 64n) - 1n); // "no timer"
    expect(dom.irqs.level(1, 6)).toBe(false);
    dm.timer.set(0, 3n); // already past: at the next boundary, not inside the call
    expect(dom.irqs.level(0, 6)).toBe(false);
    dom.advanceTo(1500);
    expect(dom.irqs.level(0, 6)).toBe(true);
    expect(() => dm.timer.set(2, 0n)).toThrow(/vCPU 2 does not exist/);
  });

  it('fires even when the SBI code cleared VSTIP itself before re-arming', () => {
    const dom = fakeDomain();
    const { dm } = make({}, dom);
    dm.timer.set(0, 1n);
    dom.advanceTo(100);
    expect(dom.irqs.level(0, 6)).toBe(true);
    dom.irqs.set(0, 6, false); // sbi/time.ts programTimer does this first
    dm.timer.set(0, 3n);
    dom.advanceTo(300);
    expect(dom.irqs.level(0, 6)).toBe(true);
  });

  it('honours htimedelta', () => {
    const dom = fakeDomain();
    const { dm } = make({ timeDeltaTicks: 1000n }, dom);
    expect(dm.timer.readTime()).toBe(1000n);
    dm.timer.set(0, 1002n);
    dom.advanceTo(200);
    expect(dom.irqs.level(0, 6)).toBe(true);
  });
});
