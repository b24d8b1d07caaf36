// Xenstore (docs/PV-ABI.md §8): the ring protocol, the tree with permissions, watches and
// transactions, and the device entries written at domain creation for every disk and vif.
import { writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { XS } from '../../src/hypervisor/pv/abi.ts';
import { events, pvConfig, pvHost, startPv, tempDir } from './pv-guest.ts';
import { XsClient } from './pv-xs-client.ts';

const SPIN = `_start:\n  j _start\n`;

function twoDomains() {
  const dir = tempDir();
  writeFileSync(`${dir}/disk.img`, new Uint8Array(64 * 512));
  const a = pvConfig(dir, 'a', SPIN, `disk = ['file:${dir}/disk.img,xvda,w']\nvif = ['bridge=xenbr0,mac=00:16:3e:00:00:01']`);
  const b = pvConfig(dir, 'b', SPIN);
  const r = startPv([a, b]);
  r.hv.run(0);
  const pv = pvHost(r.hv);
  return { r, pv, a: new XsClient(pv, 1), b: new XsClient(pv, 2) };
}

describe('xenstore', () => {
  test('the toolstack entries: name, domid, and each device with its backend information', () => {
    const { a } = twoDomains();
    expect(a.read('name')).toBe('a');
    expect(a.read('/local/domain/1/domid')).toBe('1');
    const vbd = 'device/vbd/51712';
    expect(a.read(`${vbd}/backend-id`)).toBe('0');
    expect(a.read(`${vbd}/sectors`)).toBe('64');
    expect(a.read(`${vbd}/sector-size`)).toBe('512');
    expect(a.read(`${vbd}/mode`)).toBe('w');
    expect(a.read(`${vbd}/state`)).toBe('1');
    expect(a.read(`${vbd}/backend`)).toBe('/local/domain/0/backend/vbd/1/51712');
    expect(a.read('/local/domain/0/backend/vbd/1/51712/state')).toBe('2');
    expect(a.read('device/vif/0/mac')).toBe('00:16:3e:00:00:01');
    const [dir] = a.call(XS.DIRECTORY, 'device\0');
    expect(dir.text).toBe('vbd\0vif\0');
  });

  test('permissions: a domain reads and writes its own subtree only; toolstack entries are read-only to it', () => {
    const { a, b } = twoDomains();
    expect(a.write('data/x', 'hello')).toBe('OK');
    expect(a.read('data/x')).toBe('hello');
    expect(b.read('/local/domain/1/data/x')).toBe('!EACCES');
    expect(b.read('/local/domain/1/nothing')).toBe('!EACCES');
    expect(b.write('/local/domain/1/data/x', 'evil')).toBe('EACCES');
    expect(b.read('/local/domain/0/backend/vbd/1/51712/state')).toBe('!EACCES');
    expect(a.write('device/vbd/51712/sectors', '999999')).toBe('EACCES');
    expect(a.write('name', 'root')).toBe('EACCES');
    expect(a.read('nothing')).toBe('!ENOENT');
    expect(a.read('data/x')).toBe('hello');
    const [rm] = b.call(XS.RM, '/local/domain/1/data\0');
    expect(rm.text).toBe('EACCES\0');
    expect(b.call(XS.DIRECTORY, '/local/domain\0')[0].text).toBe('EACCES\0');
  });

  test('mkdir, directory, rm of a subtree; invalid paths', () => {
    const { a } = twoDomains();
    expect(a.call(XS.MKDIR, 'd/e/f\0')[0].text).toBe('OK\0');
    a.write('d/e/g', '1');
    expect(a.call(XS.DIRECTORY, 'd/e\0')[0].text).toBe('f\0g\0');
    expect(a.call(XS.RM, 'd\0')[0].text).toBe('OK\0');
    expect(a.read('d/e/g')).toBe('!ENOENT');
    expect(a.call(XS.RM, 'd\0')[0].text).toBe('ENOENT\0');
    expect(a.write('bad//path', 'x')).toBe('EINVAL');
    expect(a.write('trailing/', 'x')).toBe('EINVAL');
    expect(a.call(99, 'x\0')[0].text).toBe('EINVAL\0');
  });

  test('watches fire once when set and on every change at or below the path, also for changes by others', () => {
    const { a, pv } = twoDomains();
    const [ok, first] = a.call(XS.WATCH, 'data\0tok\0');
    expect(ok.text).toBe('OK\0');
    expect([first.type, first.text]).toEqual([XS.WATCH_EVENT, 'data\0tok\0']);
    const w = a.call(XS.WRITE, 'data/k\0v');
    expect(w.map((m) => [m.type, m.text])).toEqual([
      [XS.WRITE, 'OK\0'],
      [XS.WATCH_EVENT, 'data/k\0tok\0'],
    ]);
    // a watch on the backend's state (readable by the frontend) fires when the backend changes it
    a.call(XS.WATCH, '/local/domain/0/backend/vbd/1/51712/state\0be\0');
    expect(a.replies()).toEqual([]);
    const st = a.call(XS.WRITE, 'device/vbd/51712/state\u00003'); // Initialised, but no ring-ref: the backend refuses
    // the backend looks at the new state at the same boundary and refuses: its state node fires the watch
    expect(st.map((m) => [m.type, m.text])).toEqual([
      [XS.WRITE, 'OK\0'],
      [XS.WATCH_EVENT, '/local/domain/0/backend/vbd/1/51712/state\0be\0'],
    ]);
    pv.boundary();
    expect(a.replies()).toEqual([]);
    expect(a.read('/local/domain/0/backend/vbd/1/51712/state')).toBe('6');
    expect(a.call(XS.UNWATCH, 'data\0tok\0')[0].text).toBe('OK\0');
    expect(a.call(XS.WRITE, 'data/k\0w').map((m) => m.type)).toEqual([XS.WRITE]);
    expect(a.call(XS.UNWATCH, 'data\0tok\0')[0].text).toBe('ENOENT\0');
  });

  test('a watch on another domain is refused; a watch does not see what the watcher cannot read', () => {
    const { a, b } = twoDomains();
    expect(b.call(XS.WATCH, '/local/domain/1\0x\0')[0].text).toBe('EACCES\0');
    b.call(XS.WATCH, '/local\0spy\0');
    b.replies();
    a.write('secret', 's');
    expect(b.replies()).toEqual([]);
  });

  test('transactions: reads and writes in isolation, commit publishes, abort drops, a conflict is EAGAIN', () => {
    const { a } = twoDomains();
    a.write('t/x', '0');
    const [start] = a.call(XS.TRANSACTION_START, '\0');
    const tx = Number(start.text.replace(/\0$/, ''));
    expect(tx).toBeGreaterThan(0);
    expect(a.write('t/x', '1', tx)).toBe('OK');
    expect(a.read('t/x', tx)).toBe('1');
    expect(a.read('t/x')).toBe('0');
    expect(a.call(XS.TRANSACTION_END, 'T\0', tx)[0].text).toBe('OK\0');
    expect(a.read('t/x')).toBe('1');
    // abort
    const tx2 = Number(a.call(XS.TRANSACTION_START, '\0')[0].text.replace(/\0$/, ''));
    a.write('t/x', '2', tx2);
    expect(a.call(XS.TRANSACTION_END, 'F\0', tx2)[0].text).toBe('OK\0');
    expect(a.read('t/x')).toBe('1');
    // conflict: the node read in the transaction changed outside it
    const tx3 = Number(a.call(XS.TRANSACTION_START, '\0')[0].text.replace(/\0$/, ''));
    a.read('t/x', tx3);
    a.write('t/x', 'outside');
    a.write('t/y', 'inside', tx3);
    expect(a.call(XS.TRANSACTION_END, 'T\0', tx3)[0].text).toBe('EAGAIN\0');
    expect(a.read('t/y')).toBe('!ENOENT');
    expect(a.call(XS.TRANSACTION_END, 'T\0', tx3)[0].text).toBe('ENOENT\0');
  });

  test('the ring: messages split across kicks, wrapping around, and more replies than fit at once', () => {
    const { a } = twoDomains();
    const m = a.message(XS.WRITE, 'split\0value');
    a.rawWrite(m.subarray(0, 10));
    a.kick();
    expect(a.replies()).toEqual([]);
    a.rawWrite(m.subarray(10));
    a.kick();
    expect(a.replies()[0].text).toBe('OK\0');
    // many requests: their replies wrap the 1024-byte response ring
    for (let i = 0; i < 60; i++) expect(a.read('split')).toBe('value');
    // a value of 1500 bytes is answered across two kicks of the ring (it does not fit at once)
    a.write('big', 'x'.repeat(1500).slice(0, 1000));
    a.send(XS.READ, 'big\0');
    const got: string[] = [];
    got.push(...a.replies().map((r) => r.text));
    a.kick();
    got.push(...a.replies().map((r) => r.text));
    expect(got.join('')).toBe('x'.repeat(1000));
  });

  test('a message longer than 4096 bytes is refused with E2BIG and logged', () => {
    const { a, r } = twoDomains();
    const h = new Uint8Array(16);
    new DataView(h.buffer).setUint32(0, XS.WRITE, true);
    new DataView(h.buffer).setUint32(12, 100000, true);
    a.rawWrite(h);
    a.kick();
    expect(a.replies()[0].text).toBe('E2BIG\0');
    expect(events(r.log, 'ring', 1).some((e) => e.payload.device === 'xenstore' && e.payload.status === -7n)).toBe(true);
    expect(a.read('name')).toBe('a');
  });
});
