// The PV build of our guest kernel (guests/kernel/kernel-pv.elf): deprivileged in U-mode,
// direct paging through mmu_update/mmuext_op, event-channel upcalls, VIRQ_TIMER, xenstore,
// blkfront and netfront. It must print exactly the HVM build's result lines
// (guests/kernel/expected/), alone, beside an HVM domain, and across the bridge to one; and
// its runs must record and replay without divergence.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { TraceReader } from '../../src/trace/reader.ts';
import { Replayer } from '../../src/replay/replayer.ts';
import { expectedLines, resultLines, runKernelDomains, tempKernelCfg } from './kernel-harness.ts';

describe('guest kernel, PV build', () => {
  test('pv-demo.cfg runs every workload through hypercalls, prints the HVM results, records and replays', () => {
    const trace = path.join(mkdtempSync(path.join(os.tmpdir(), 'cv-kernel-')), 'pv-demo.trace');
    const run = runKernelDomains(['pv-demo.cfg'], { trace });
    const out = run.console.get('pv-demo') ?? '';
    expect(run.stop, out).toBe('finished');
    expect(resultLines(out)).toEqual(expectedLines('demo'));
    expect(out).toMatch(/^pv: U-mode kernel in domain 1, 16 MiB, PV ABI 1\.0$/m);
    expect(out).toMatch(/^pv: blkfront vbd 51712: 256 sectors, ring-ref \d+, event channel \d+$/m);
    expect(out).toMatch(/^pv: \d+ upcalls, 500 timer virqs, 11 blkif requests/m);
    expect(run.notes.join('\n')).toMatch(/domain pv-demo powered off: SCHEDOP_shutdown\(poweroff\)/);
    expect(run.hv.exitCode()).toBe(0);

    const replay = new Replayer(TraceReader.open(trace)).run();
    if (!replay.ok) throw new Error(replay.divergence.message);
    expect(replay.endChecked).toBe(true);
  });

  test('pv-ping.cfg and pv-pong.cfg exchange packets over netfront, netback and the bridge', () => {
    const run = runKernelDomains(['pv-ping.cfg', 'pv-pong.cfg']);
    const ping = run.console.get('pv-ping') ?? '';
    const pong = run.console.get('pv-pong') ?? '';
    expect(run.stop, ping + pong).toBe('finished');
    expect(resultLines(ping)).toEqual(expectedLines('ping'));
    expect(resultLines(pong)).toEqual(expectedLines('pong'));
    expect(ping).toMatch(/^pv: netfront vif 0: mac 00:16:3e:/m);
    expect(run.hv.exitCode()).toBe(0);
  });

  test('a PV and an HVM domain side by side print the same results', () => {
    const run = runKernelDomains(['pv-demo.cfg', 'hvm-demo.cfg']);
    const pv = run.console.get('pv-demo') ?? '';
    const hvm = run.console.get('hvm-demo') ?? '';
    expect(run.stop, pv + hvm).toBe('finished');
    expect(resultLines(pv)).toEqual(expectedLines('demo'));
    expect(resultLines(hvm)).toEqual(resultLines(pv));
    expect(run.hv.exitCode()).toBe(0);
  });

  test('a PV ping and an HVM pong talk across one bridge (netfront to cvnet), recorded and replayed', () => {
    const trace = path.join(mkdtempSync(path.join(os.tmpdir(), 'cv-kernel-')), 'mixed.trace');
    const ping = tempKernelCfg('pv-ping', 'pv', 'role=ping', 'xenbr-mixed');
    const pong = tempKernelCfg('hvm-pong', 'hvm', 'role=pong', 'xenbr-mixed');
    const run = runKernelDomains([ping, pong], { trace });
    const pingOut = run.console.get('pv-ping') ?? '';
    const pongOut = run.console.get('hvm-pong') ?? '';
    expect(run.stop, pingOut + pongOut).toBe('finished');
    expect(resultLines(pingOut)).toEqual(expectedLines('ping'));
    expect(resultLines(pongOut)).toEqual(expectedLines('pong'));

    const replay = new Replayer(TraceReader.open(trace)).run();
    if (!replay.ok) throw new Error(replay.divergence.message);
    expect(replay.endChecked).toBe(true);
  });
});
