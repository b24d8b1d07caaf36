// Checkpoints of a whole device model, and the device-tree nodes it describes.
import { describe, expect, it } from 'vitest';
import { DeviceModel, type DeviceModelConfig } from '../../src/hypervisor/dm/device-model.ts';
import { MemoryBlockBackend, SECTOR_SIZE, type BlockBackend } from '../../src/hypervisor/dm/block-backend.ts';
import { NullNetPort, type NetPort } from '../../src/hypervisor/dm/net-port.ts';
import { dmFdtNodes } from '../../src/hypervisor/dm/fdt-info.ts';
import * as BLK from '../../src/hypervisor/dm/cvblk/registers.ts';
import * as NET from '../../src/hypervisor/dm/cvnet/registers.ts';
import { enableOffset, priorityOffset } from '../../src/machine/devices/plic/registers.ts';
import * as U from '../../src/machine/devices/ns16550a/registers.ts';
import { fdt, getProp, node, prop, propCells, propStrings } from '../../src/machine/fdt/tree.ts';
import { writeFdt } from '../../src/machine/fdt/writer.ts';
import { readFdt } from '../../src/machine/fdt/reader.ts';
import { fakeDomain, RAM_BASE } from './dm-harness.ts';

const PLIC = 0x0c000000n;
const UART = 0x10000000n;
const DISK = 0x10001000n;
const NIC = 0x10002000n;

class InjectPort implements NetPort {
  cb: ((f: Uint8Array) => void) | null = null;
  send(): void {}
  onFrame(cb: (f: Uint8Array) => void): void {
    this.cb = cb;
  }
}

function build(disk: BlockBackend, port: NetPort) {
  const dom = fakeDomain({ vcpus: 2 });
  const config: DeviceModelConfig = { uart: true, disks: [disk], nics: [port] };
  const dm = new DeviceModel(dom, config);
  const wr = (gpa: bigint, v: number, size: 1 | 4 = 4) => dm.access(gpa, size, true, BigInt(v));
  const rd = (gpa: bigint, size: 1 | 4 = 4) => dm.access(gpa, size, false, 0n)!.value;
  return { dom, dm, wr, rd };
}

/** Puts state in every device: PLIC routing, UART registers and input, a disk write, a queued frame. */
function busy(disk = new MemoryBlockBackend(8), port = new InjectPort()) {
  const b = build(disk, port);
  b.wr(PLIC + BigInt(priorityOffset(10)), 3);
  b.wr(PLIC + BigInt(enableOffset(0, 10)), 1 << 10); // context 0 = vCPU 0 (hart-config "S")
  b.wr(UART + BigInt(U.REG_SCR), 0x5a, 1);
  b.wr(UART + BigInt(U.REG_IER_DLM), U.IER_RDI, 1);
  b.dm.consoleInput(new TextEncoder().encode('xyz'));
  b.dom.memory.view(RAM_BASE, SECTOR_SIZE).fill(0xd1);
  b.wr(DISK + BigInt(BLK.REG_BUFFER_LO), 0x80000000);
  b.wr(DISK + BigInt(BLK.REG_SECTOR_LO), 6);
  b.wr(DISK + BigInt(BLK.REG_COUNT), 1);
  b.wr(DISK + BigInt(BLK.REG_COMMAND), BLK.CMD_WRITE);
  port.cb!(Uint8Array.of(...new Array(60).fill(0x3c)));
  b.dm.timer.set(0, 1234n);
  return { ...b, disk, port };
}

describe('DeviceModel save/restore', () => {
  it('round-trips every device, the disk overlay, the timer and the VSEIP levels as plain data', () => {
    const a = busy();
    const state = a.dm.save();
    const json = JSON.parse(JSON.stringify(state, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    expect(json).toEqual(state);
    expect(state.names).toEqual(['plic', 'uart0', 'cvblk0', 'cvnet0']);
    expect(state.vseip).toEqual([true, false]);

    const b = build(new MemoryBlockBackend(8), new InjectPort());
    b.dm.restore(json);
    expect(b.dm.save()).toEqual(state);
    // And behaves the same: the UART hands out the queued input, the disk holds the write.
    expect([b.rd(UART, 1), b.rd(UART, 1)]).toEqual([0x78n, 0x79n]);
    expect(b.rd(UART + BigInt(U.REG_SCR), 1)).toBe(0x5an);
    expect(b.rd(NIC + BigInt(NET.REG_RX_PENDING))).toBe(1n);
    const sector = new Uint8Array(SECTOR_SIZE);
    expect(b.dm.disks[0]!.backend.read(6, 1, sector)).toBe('ok');
    expect(sector.every((x) => x === 0xd1)).toBe(true);
    expect(b.dm.timer.save()).toEqual(a.dm.timer.save());
  });

  it('restoring rolls back changes made after the checkpoint', () => {
    const a = busy();
    const state = a.dm.save();
    a.wr(UART + BigInt(U.REG_SCR), 0x11, 1);
    a.dom.memory.view(RAM_BASE, SECTOR_SIZE).fill(0xee);
    a.wr(DISK + BigInt(BLK.REG_COMMAND), BLK.CMD_WRITE);
    a.dm.restore(state);
    expect(a.dm.save()).toEqual(state);
    const sector = new Uint8Array(SECTOR_SIZE);
    a.dm.disks[0]!.backend.read(6, 1, sector);
    expect(sector[0]).toBe(0xd1);
  });

  it('does not drive interrupt lines or log events while restoring', () => {
    const state = busy().dm.save();
    const b = build(new MemoryBlockBackend(8), new InjectPort());
    const calls = b.dom.irqs.calls.length;
    const events = b.dom.events.log.length;
    b.dm.restore(state);
    expect(b.dom.irqs.calls.length).toBe(calls);
    expect(b.dom.events.log.length).toBe(events);
  });

  it('refuses a checkpoint of a differently configured domain', () => {
    const state = busy().dm.save();
    const dom = fakeDomain({ vcpus: 2 });
    const other = new DeviceModel(dom, { uart: true, disks: [], nics: [new NullNetPort()] });
    expect(() => other.restore(state)).toThrow(/has devices \[plic, uart0, cvblk0, cvnet0\] and 2 vCPUs; this domain has \[plic, uart0, cvnet0\] and 2/);
  });

  it('reports whether every disk can be rolled back', () => {
    const rw: BlockBackend = { sectors: 1, readOnly: false, read: () => 'ok', write: () => 'ok' };
    expect(busy().dm.checkpointable).toBe(true);
    expect(build(rw, new NullNetPort()).dm.checkpointable).toBe(false);
    expect(build(rw, new NullNetPort()).dm.save().disks).toEqual([null]);
  });

  it('reset returns devices to power-on state and keeps disk contents', () => {
    const a = busy();
    a.dm.reset();
    expect(a.rd(UART + BigInt(U.REG_IER_DLM), 1)).toBe(0n);
    expect(a.rd(NIC + BigInt(NET.REG_RX_PENDING))).toBe(0n);
    expect(a.rd(PLIC + BigInt(priorityOffset(10)))).toBe(0n);
    expect(a.dom.irqs.level(0, 10)).toBe(false);
    expect(a.dom.irqs.level(0, 6)).toBe(false);
    const sector = new Uint8Array(SECTOR_SIZE);
    a.dm.disks[0]!.backend.read(6, 1, sector);
    expect(sector[0]).toBe(0xd1);
  });
});

describe('dmFdtNodes', () => {
  it('builds virt-shaped /soc nodes for exactly the devices present, plus stdout-path', () => {
    const dom = fakeDomain({ vcpus: 2 });
    const dm = new DeviceModel(dom, {
      uart: true,
      disks: [new MemoryBlockBackend(8, { readOnly: true })],
      nics: [{ port: new NullNetPort(), mac: Uint8Array.of(2, 0, 0, 0, 0, 7) }],
    });
    const { nodes, stdoutPath } = dmFdtNodes(dm.devicesForFdt(), { plic: 9, cpuIntc: [2, 4] });
    expect(nodes.map((n) => n.name)).toEqual(['serial@10000000', 'block@10001000', 'ethernet@10002000', 'plic@c000000']);
    expect(stdoutPath).toBe('/soc/serial@10000000');
    const [serial, blk, eth, plic] = nodes as [typeof nodes[0], typeof nodes[0], typeof nodes[0], typeof nodes[0]];
    expect(propCells(getProp(serial, 'interrupts')!)).toEqual([10]);
    expect(propCells(getProp(serial, 'interrupt-parent')!)).toEqual([9]);
    expect(propCells(getProp(serial, 'reg')!)).toEqual([0, 0x10000000, 0, 0x100]);
    expect(propStrings(getProp(blk, 'compatible')!)).toEqual(['chronovisor,cvblk']);
    expect(getProp(blk, 'read-only')).toBeDefined();
    expect(propCells(getProp(blk, 'interrupts')!)).toEqual([1]);
    expect([...getProp(eth, 'local-mac-address')!.value]).toEqual([2, 0, 0, 0, 0, 7]);
    expect(propCells(getProp(eth, 'interrupts')!)).toEqual([2]);
    expect(propCells(getProp(plic, 'interrupts-extended')!)).toEqual([2, 9, 4, 9]);
    expect(propCells(getProp(plic, 'riscv,ndev')!)).toEqual([96]);
    expect(propCells(getProp(plic, 'phandle')!)).toEqual([9]);
    // The nodes flatten into a valid blob.
    const blob = writeFdt(fdt(node('', [prop.str('model', 'test')], [node('soc', [], nodes)])));
    expect(readFdt(blob).root.children[0]!.children.map((n) => n.name)).toEqual(nodes.map((n) => n.name));
  });

  it('no UART: no stdout-path', () => {
    const dm = new DeviceModel(fakeDomain(), { uart: false, disks: [], nics: [] });
    const { nodes, stdoutPath } = dmFdtNodes(dm.devicesForFdt(), { plic: 3, cpuIntc: [1] });
    expect(nodes.map((n) => n.name)).toEqual(['plic@c000000']);
    expect(stdoutPath).toBeNull();
    expect(() => dmFdtNodes(dm.devicesForFdt(), { plic: 3, cpuIntc: [] })).toThrow(/no cpu-intc phandle for vCPU 0/);
  });
});
