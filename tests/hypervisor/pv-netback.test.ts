// netback (docs/PV-ABI.md §10): two PV domains with netfronts on one bridge exchange frames —
// A sends "ping" to B's MAC, B answers "pong" — through tx/rx rings, grants and event
// channels, with deterministic delivery at the core's bridge points; recorded as ring events.
import { describe, expect, test } from 'vitest';
import { events, pvDomain, readVa, runPv, tempDir } from './pv-guest.ts';
import { netfront } from './pv-frontend.ts';

describe('netback', () => {
  test('two domains on one bridge: ping and pong through netfront/netback', () => {
    const dir = tempDir();
    const a = pvDomain(dir, 'a', netfront(1, 2, 'send'), `vif = ['bridge=xenbr0,mac=00:16:3e:00:00:01']`);
    const b = pvDomain(dir, 'b', netfront(2, 1, 'receive'), `vif = ['bridge=xenbr0,mac=00:16:3e:00:00:02']`);
    const r = runPv([a.config, b.config], 5_000_000);
    const got = (dom: number, sym: Map<string, bigint>) => {
      const v = readVa(r.hv, dom, sym.get('got')!, 16);
      return [new DataView(v.buffer).getBigInt64(0, true), new TextDecoder().decode(v.subarray(8, 12))];
    };
    expect(got(2, b.sym)).toEqual([60n, 'ping']);
    expect(got(1, a.sym)).toEqual([60n, 'pong']);
    const ring = (dom: number) => events(r.log, 'ring', dom).filter((e) => e.payload.device !== 'xenstore').map((e) => [e.payload.device, e.payload.status]);
    expect(ring(1)).toEqual([['vif-tx', 0n], ['vif-rx', 60n]]);
    expect(ring(2)).toEqual([['vif-rx', 60n], ['vif-tx', 0n]]);
    expect(r.hv.bridges.get('xenbr0')!.learned()).toEqual([
      { mac: '00:16:3e:00:00:01', port: 'a.0' },
      { mac: '00:16:3e:00:00:02', port: 'b.0' },
    ]);
    for (const d of [1, 2]) expect(r.hv.control.state.domains[d].status).toBe('destroyed');
  });
});
