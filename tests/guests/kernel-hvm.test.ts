// The HVM build of our guest kernel (guests/kernel/kernel-hvm.bin) on Chronovisor: an
// ordinary S-mode kernel with Sv39, SBI, the PLIC, cvblk and cvnet. Its result lines must be
// exactly the committed ones (guests/kernel/expected/), which the PV build must print too.
import { describe, expect, test } from 'vitest';
import { expectedLines, resultLines, runKernelDomains, tempKernelCfg } from './kernel-harness.ts';

describe('guest kernel, HVM build', () => {
  test('hvm-demo.cfg runs every workload, prints the expected results and powers off', () => {
    const run = runKernelDomains(['hvm-demo.cfg']);
    const out = run.console.get('hvm-demo') ?? '';
    expect(run.stop, out).toBe('finished');
    expect(resultLines(out)).toEqual(expectedLines('demo'));
    expect(out).toMatch(/^hvm: S-mode kernel on hart 0, 16 MiB of RAM/m);
    expect(out).toMatch(/^hvm: cvblk at 0x10001000: 256 sectors$/m);
    expect(run.notes.join('\n')).toMatch(/domain hvm-demo powered off: SBI system reset \(shutdown, none\)/);
    expect(run.hv.exitCode()).toBe(0);
  });

  test('hvm-ping.cfg and hvm-pong.cfg exchange packets over cvnet and the bridge', () => {
    const run = runKernelDomains(['hvm-ping.cfg', 'hvm-pong.cfg']);
    const ping = run.console.get('hvm-ping') ?? '';
    const pong = run.console.get('hvm-pong') ?? '';
    expect(run.stop, ping + pong).toBe('finished');
    expect(resultLines(ping)).toEqual(expectedLines('ping'));
    expect(resultLines(pong)).toEqual(expectedLines('pong'));
    expect(ping).toMatch(/^hvm: cvnet at 0x10002000, irq 2, mac 00:16:3e:/m);
    expect(run.hv.exitCode()).toBe(0);
  });

  test('a ping with no peer retransmits, gives up, and the kernel reports the failure as a crash', () => {
    const run = runKernelDomains([tempKernelCfg('lonely-ping', 'hvm', 'role=ping', 'xenbr-lonely')]);
    const out = run.console.get('lonely-ping') ?? '';
    expect(run.stop, out).toBe('finished');
    const lines = resultLines(out);
    expect(lines).toContain('net: ping: FAILED, no echo for packet 0');
    expect(lines).toContain('user: 1 workload failed');
    expect(lines[lines.length - 1]).toBe('kernel: workloads FAILED');
    // everything but the net workload still passed
    expect(lines.filter((l) => /FAILED|WRONG|ERRORS|NOT /.test(l))).toEqual(['net: ping: FAILED, no echo for packet 0', 'kernel: workloads FAILED']);
    expect(run.notes.join('\n')).toMatch(/domain lonely-ping crashed: SBI system reset \(shutdown, system-failure\)/);
    expect(run.hv.exitCode()).toBe(1);
  });
});
