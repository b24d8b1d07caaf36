// Isolation between HVM domains (issue "The hypervisor", acceptance 3): a guest that touches
// guest-physical memory outside its p2m gets a guest-page-fault exit, its domain is handled
// per on_crash, and host memory outside that domain and the other domains are unchanged.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { EventLog } from '../../src/events/log.ts';
import { guestConfig, tempDir } from './guest-builder.ts';

// The victim writes a pattern over its first 64 KiB, then spins.
const VICTIM = `
  li t0, 0x80300000
  li t1, 0x5a5a5a5a5a5a5a5a
  li t2, 8192
fill:
  sd t1, 0(t0)
  addi t0, t0, 8
  addi t2, t2, -1
  bnez t2, fill
spin:
  j spin
`;

// The attacker burns some time, then stores to a guest-physical address outside its 16 MiB
// of RAM: the host address of the victim's RAM as if it were guest-physical, then more.
const attacker = (target: string) => `
  li t2, 300000
wait:
  addi t2, t2, -1
  bnez t2, wait
  li t0, ${target}
  li t1, 0xdeadbeef
  sd t1, 0(t0)
  sd t1, 8(t0)
spin:
  j spin
`;

function hashOutside(hv: Hypervisor, skip: { hpa: number; bytes: number }): string {
  const h = createHash('sha256');
  const start = hv.mem.ramOffset(skip.hpa, false);
  h.update(hv.mem.bytes.subarray(0, start));
  h.update(hv.mem.bytes.subarray(start + skip.bytes));
  return h.digest('hex');
}

describe.each([
  ['outside all RAM', '0x40000000'],
  ['just past its own RAM', '0x81000000'],
  ['the host address where the victim lives', '0x82000000'],
])('a store %s', (_what, target) => {
  test.each(['destroy', 'preserve', 'restart'] as const)('is a guest-page fault; on_crash = %s is applied; nothing else changes', (action) => {
    const dir = tempDir();
    const victim = guestConfig(dir, 'victim', VICTIM);
    const evil = guestConfig(dir, 'evil', attacker(target), `on_crash = "${action}"`);
    const notes: string[] = [];
    const hv = new Hypervisor({ domains: [victim, evil], onNote: (t) => notes.push(t) });
    const log = new EventLog();
    hv.events.log = log;
    const evilDom = hv.domains[1];
    const evilRam = { hpa: evilDom.memory.hostBase, bytes: evilDom.memory.ramBytes };

    hv.run(250_000); // the victim has written its pattern; the attacker is still waiting
    expect(hv.control.state.domains[2].status).toBe('running');
    const before = hashOutside(hv, evilRam);
    const victimPattern = new Uint8Array(16);
    hv.domains[0].memory.read(0x80300000n, victimPattern);
    expect([...victimPattern]).toEqual(Array(16).fill(0x5a));

    hv.run(2_000_000); // the attacker reaches its store (it shares the CPU with the victim)
    const exits = [...log.events()].filter((e) => e.kind === 'exit' && e.domain === 2);
    expect(exits.length).toBeGreaterThanOrEqual(1);
    expect(exits[0].payload.reason).toBe('guest-page-fault');
    expect((exits[0].payload.args as bigint[])[0]).toBe(BigInt(target));
    expect(notes.join('\n')).toMatch(new RegExp(`domain evil crashed: guest-page fault: store of guest-physical ${target}.*on_crash = ${action}`));

    const status = hv.control.state.domains[2].status;
    if (action === 'destroy') expect(status).toBe('destroyed');
    if (action === 'preserve') expect(status).toBe('crashed');
    if (action === 'restart') {
      expect(status).toBe('running');
      expect(hv.control.state.domains[2].generation).toBeGreaterThanOrEqual(1);
    }
    // the victim kept running and its memory, and all host memory outside the attacker's RAM, is as before
    expect(hv.control.state.domains[1].status).toBe('running');
    if (action !== 'restart') expect(hashOutside(hv, evilRam)).toBe(before);
    hv.domains[0].memory.read(0x80300000n, victimPattern);
    expect([...victimPattern]).toEqual(Array(16).fill(0x5a));
    // the lifecycle of the crash is in the event log
    const life = [...log.events()].filter((e) => e.kind === 'lifecycle' && e.domain === 2).map((e) => e.payload.action);
    expect(life).toContain('fail');
  });
});
