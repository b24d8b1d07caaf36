import { describe, expect, it } from 'vitest';
import { Bridge } from '../../src/hypervisor/dm/bridge.ts';
import type { NetPort } from '../../src/hypervisor/dm/net-port.ts';

const mac = (n: number): number[] => [0x00, 0x16, 0x3e, 0x00, 0x00, n];
const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** An Ethernet frame dst, src, EtherType 0x88b5 (local experimental), one tag byte. */
function eth(dst: number[], src: number[], tag: number): Uint8Array {
  return Uint8Array.of(...dst, ...src, 0x88, 0xb5, tag);
}

/** Ports with receivers that log (port name, tag) in arrival order. */
function setup(n = 3) {
  const bridge = new Bridge();
  const log: string[] = [];
  const ports: NetPort[] = [];
  for (let i = 0; i < n; i++) {
    const name = `vif${i + 1}.0`;
    const p = bridge.port(name);
    p.onFrame((f) => log.push(`${name}:${f[14]}`));
    ports.push(p);
  }
  return { bridge, log, ports };
}

describe('Bridge', () => {
  it('delivers nothing until deliver() is called', () => {
    const { bridge, log, ports } = setup();
    ports[0]!.send(eth(BCAST, mac(1), 1));
    expect(log).toEqual([]);
    expect(bridge.pending).toBe(1);
    expect(bridge.deliver()).toBe(2);
    expect(log).toEqual(['vif2.0:1', 'vif3.0:1']);
    expect(bridge.pending).toBe(0);
  });

  it('floods unknown unicast, learns sources, then sends known unicast to one port only', () => {
    const { bridge, log, ports } = setup();
    ports[0]!.send(eth(mac(2), mac(1), 1)); // mac 2 unknown: flood
    bridge.deliver();
    ports[1]!.send(eth(mac(1), mac(2), 2)); // mac 1 learned on port 0
    ports[0]!.send(eth(mac(2), mac(1), 3)); // mac 2 learned on port 1 by the frame before
    bridge.deliver();
    expect(log).toEqual(['vif2.0:1', 'vif3.0:1', 'vif1.0:2', 'vif2.0:3']);
    expect(bridge.learned()).toEqual([
      { mac: '00:16:3e:00:00:01', port: 'vif1.0' },
      { mac: '00:16:3e:00:00:02', port: 'vif2.0' },
    ]);
  });

  it('delivers in send order across ports, whatever order the ports were created in', () => {
    const { bridge, log, ports } = setup();
    ports[2]!.send(eth(BCAST, mac(3), 1));
    ports[0]!.send(eth(BCAST, mac(1), 2));
    ports[1]!.send(eth(BCAST, mac(2), 3));
    bridge.deliver();
    expect(log).toEqual(['vif1.0:1', 'vif2.0:1', 'vif2.0:2', 'vif3.0:2', 'vif1.0:3', 'vif3.0:3']);
  });

  it('frames sent from inside a receiver wait for the next deliver()', () => {
    const bridge = new Bridge();
    const a = bridge.port('a');
    const b = bridge.port('b');
    const got: string[] = [];
    a.onFrame((f) => got.push(`a:${f[14]}`));
    b.onFrame((f) => {
      got.push(`b:${f[14]}`);
      b.send(eth(BCAST, mac(2), f[14]! + 1)); // an echo
    });
    a.send(eth(BCAST, mac(1), 1));
    expect(bridge.deliver()).toBe(1);
    expect(got).toEqual(['b:1']);
    expect(bridge.pending).toBe(1);
    bridge.deliver();
    expect(got).toEqual(['b:1', 'a:2']);
  });

  it('copies frames: a sender reusing its buffer cannot change what is delivered', () => {
    const { bridge, ports } = setup(2);
    const got: Uint8Array[] = [];
    ports[1]!.onFrame((f) => got.push(f));
    const buf = eth(BCAST, mac(1), 7);
    ports[0]!.send(buf);
    buf[14] = 99;
    bridge.deliver();
    expect(got[0]![14]).toBe(7);
  });

  it('drops runts and unicast addressed back to its own port; never learns a group source', () => {
    const { bridge, log, ports } = setup(2);
    ports[0]!.send(Uint8Array.of(1, 2, 3));
    ports[0]!.send(eth(BCAST, mac(1), 1)); // learn mac 1 on port 0
    ports[0]!.send(eth(mac(1), mac(5), 2)); // to its own port: dropped
    ports[1]!.send(eth(BCAST, [0x01, 0, 0x5e, 0, 0, 1], 3)); // multicast source: not learned
    bridge.deliver();
    expect(log).toEqual(['vif2.0:1', 'vif1.0:3']);
    expect(bridge.getStats()).toEqual({ sent: 4, delivered: 2, dropped: 2 });
    expect(bridge.learned().map((e) => e.mac)).toEqual(['00:16:3e:00:00:01', '00:16:3e:00:00:05']);
  });

  it('relearns a station that moves to another port', () => {
    const { bridge, log, ports } = setup();
    ports[0]!.send(eth(BCAST, mac(9), 1));
    ports[2]!.send(eth(BCAST, mac(9), 2));
    ports[1]!.send(eth(mac(9), mac(4), 3));
    bridge.deliver();
    expect(log.slice(-1)).toEqual(['vif3.0:3']);
  });

  it('two identical runs deliver identically (no host timing anywhere)', () => {
    const run = () => {
      const { bridge, log, ports } = setup(4);
      for (let i = 0; i < 40; i++) {
        const from = (i * 7) % 4;
        const to = (i * 3) % 5;
        ports[from]!.send(eth(to === 4 ? BCAST : mac(to), mac(from), i));
        if (i % 5 === 4) bridge.deliver();
      }
      bridge.deliver();
      return log.join(',');
    };
    expect(run()).toBe(run());
  });

  it('save/restore round-trips the MAC table and undelivered frames', () => {
    const a = setup();
    a.ports[0]!.send(eth(BCAST, mac(1), 1));
    a.bridge.deliver();
    a.ports[1]!.send(eth(mac(1), mac(2), 2));
    const state = a.bridge.save();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);

    const b = setup();
    b.bridge.restore(state);
    expect(b.bridge.pending).toBe(1);
    b.bridge.deliver();
    expect(b.log).toEqual(['vif1.0:2']); // mac 1 known on port 0: not flooded
    expect(b.bridge.learned()).toEqual(a.bridge.learned().concat([{ mac: '00:16:3e:00:00:02', port: 'vif2.0' }]));
    expect(() => setup(1).bridge.restore(state)).toThrow(/names port 1; this bridge has 1 ports/);
  });
});
