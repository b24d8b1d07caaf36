// PV domain lifecycle: on_reboot = restart rebuilds the domain without leaking frames, and a
// domain that stops takes its links to others with it — the other domain's grant mappings of
// its frames are removed and its interdomain channels go back to unbound.
import { describe, expect, test } from 'vitest';
import { EventLog } from '../../src/events/log.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { EPILOGUE, events, hc, PROLOGUE, print, pvDomain, pvHost, readU64, shutdown, startPv, tempDir } from './pv-guest.ts';
import { FRONTEND_LIB, frontendSetup } from './pv-frontend.ts';

const DELAY = (label: string, n: number) => `  li t0, ${n}\n${label}:\n  addi t0, t0, -1\n  bnez t0, ${label}\n`;

const REBOOTER = `
${PROLOGUE}
${frontendSetup([1])}
${print('msg', 5)}
${shutdown('reboot_reason')}
msg:
  .ascii "boot\\n"
${FRONTEND_LIB}
${EPILOGUE}`;

describe('PV lifecycle', () => {
  test('on_reboot = restart builds the domain again; frames do not leak', () => {
    const { config } = pvDomain(tempDir(), 'rb', REBOOTER);
    const free: number[] = [];
    const hv = new Hypervisor({ domains: [config], onConsole: () => free.push(hv.frames.free) });
    const log = new EventLog();
    hv.events.log = log;
    let guard = 0;
    while (free.length < 5 && guard++ < 1000) hv.run(2000);
    // the same number of free frames at every boot's print (after its grant table is set up)
    expect(free.slice(0, 5)).toEqual(Array(5).fill(free[0]));
    expect(pvHost(hv).dom(1).pages).toBe(4096);
    expect(events(log, 'lifecycle', 1).filter((e) => e.payload.action === 'reset').length).toBeGreaterThanOrEqual(4);
    // each boot got port 3 again for its alloc_unbound
    expect(new Set(events(log, 'evtchn', 1).filter((e) => e.payload.op === 'alloc-unbound').map((e) => e.payload.port))).toEqual(new Set([3]));
  });

  test('a crashed granter: the grantee loses its mapping and its channel goes back to unbound', () => {
    const granter = `
${PROLOGUE}
${frontendSetup([1])}
  li t1, 2
  sh t1, 10(s5)
  li a0, 6
  la a1, alloc2
${hc(32)}
${DELAY('w', 300000)}
${shutdown('crash_reason')}
  .align 3
alloc2:
  .half 0x7ff0
  .half 2
  .word 0
${FRONTEND_LIB}
${EPILOGUE}`;
    const grantee = `
${PROLOGUE}
  la a0, event_cb
  la a1, trap_cb
  li a2, 0
${hc(4)}
${DELAY('w0', 100000)}
  ld a0, 120(s0)
  call pfn_to_va
  mv s5, a0
  li a1, 0
  li a2, 0
${hc(14)}
  la t0, gm
  sd s5, 0(t0)
  li a0, 0
  la a1, gm
  li a2, 1
${hc(20)}
  li a0, 0
  la a1, bind
${hc(32)}
  ld t1, 0(s5)
${DELAY('w1', 600000)}
  li a0, 4
  la a1, port
${hc(32)}
  ld t1, 0(s5)
${shutdown()}
trap_cb:
  la t0, fault
  ld t1, 264(a0)
  sd t1, 0(t0)
  ld t1, 272(a0)
  sd t1, 8(t0)
${shutdown()}
event_cb:
  j event_cb
  .align 3
fault:
  .dword 0
  .dword 0
gm:
  .dword 0
  .word 2
  .word 1
  .half 1
  .space 22
bind:
  .half 1
  .half 0
  .word 4
  .word 0
port:
  .word 3
${EPILOGUE}`;
    const dir = tempDir();
    const a = pvDomain(dir, 'a', granter);
    const b = pvDomain(dir, 'b', grantee, 'on_poweroff = "preserve"');
    const r = startPv([a.config, b.config]);
    r.hv.run(4_000_000);
    expect(r.hv.control.state.domains[1].status).toBe('destroyed');
    expect(events(r.log, 'grant', 2).map((e) => [e.payload.op, e.payload.status])).toEqual([['map', 0n]]);
    // after the granter crashed, B's access to the old mapping is a load page fault at that address
    const fault = [readU64(r.hv, 2, b.sym.get('fault')!), readU64(r.hv, 2, b.sym.get('fault')! + 8n)];
    const freeVa = 0xffffffc000000000n + BigInt(Number(pvHost(r.hv).hm.u64(pvHost(r.hv).dom(2).boot.startInfo * 4096 + 120)) * 4096);
    expect(fault).toEqual([13n, freeVa]);
    // the send on the channel whose peer is gone is accepted and goes nowhere
    const ev = events(r.log, 'evtchn', 2).map((e) => [e.payload.op, e.payload.result]);
    expect(ev).toEqual([['bind-interdomain', 0n], ['send', 0n]]);
  });
});
