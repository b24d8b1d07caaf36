// Event channels (docs/PV-ABI.md §5): an interdomain channel between two domains with an
// upcall at the receiver, VIRQ_TIMER with set_timer_op, SCHEDOP_block / poll / yield, IPIs,
// masking, status and close; and a third domain that tries to bind a port not meant for it.
import { describe, expect, test } from 'vitest';
import { EPILOGUE, events, hc, hypercalls, PROLOGUE, pvDomain, pvHost, readU64, results, runPv, shutdown, startPv, tempDir } from './pv-guest.ts';

const EINVAL = -22n, EPERM = -1n, EEXIST = -17n;

/** Delay loop (lets the other domains run first: the quantum is 100k instructions). */
const DELAY = (label: string, n: number) => `  li t0, ${n}\n${label}:\n  addi t0, t0, -1\n  bnez t0, ${label}\n`;

const SET_CALLBACKS = `  la a0, event_cb\n  la a1, trap_cb\n  li a2, 0\n${hc(4)}`;
/** vcpu_info[0].evtchn_upcall_mask = 0 (s0 = start_info). */
const UNMASK = `  ld t0, 40(s0)\n  sb zero, 1(t0)\n`;
/** An event callback that records evtchn_pending[0], clears it, and powers off. */
const RECORD_AND_STOP = `
event_cb:
  ld t0, 40(s0)
  sb zero, 0(t0)
  li t3, 2048
  add t3, t0, t3
  ld t1, 0(t3)
  la t2, seen_pending
  sd t1, 0(t2)
  sd zero, 0(t3)
  ld t1, 0(a0)
  ld t1, 264(a0)
  sd t1, 8(t2)
  li t3, 3088
  add t3, t0, t3
  ld t1, 0(t3)
  sd t1, 16(t2)
${shutdown()}
trap_cb:
  j trap_cb
  .align 3
seen_pending:
  .dword 0
  .dword 0
  .dword 0
`;

// B allocates port 3 for A, unmasks and blocks; A binds to it and sends.
const RECEIVER = `
${PROLOGUE}
${SET_CALLBACKS}
  la a1, alloc
  li a0, 6
${hc(32)}
${UNMASK}
  li a0, 1
${hc(29)}
spin:
  j spin
${RECORD_AND_STOP}
  .align 3
alloc:
  .half 0x7ff0
  .half 1
  .word 0
${EPILOGUE}
`;

const SENDER = `
${PROLOGUE}
${DELAY('wait', 300000)}
  li a0, 0
  la a1, bind
${hc(32)}
  li a0, 5
  la a1, status
${hc(32)}
  li a0, 4
  la a1, port
${hc(32)}
${shutdown()}
  .align 3
bind:
  .half 2
  .half 0
  .word 3
  .word 0
port:
  .word 3
status:
  .half 0x7ff0
  .half 0
  .word 3
  .space 16
${EPILOGUE}
`;

// C tries B's port (allocated for A), allocates for another domain, sends on a port it lacks.
const INTRUDER = `
${PROLOGUE}
${DELAY('wait', 100000)}
  li a0, 0
  la a1, bind
${hc(32)}
  li a0, 6
  la a1, alloc_other
${hc(32)}
  li a0, 4
  la a1, port9
${hc(32)}
  li a0, 3
  la a1, port0
${hc(32)}
  li a0, 5
  la a1, status_other
${hc(32)}
${DELAY('wait2', 400000)}
  li a0, 0
  la a1, bind
${hc(32)}
${shutdown()}
  .align 3
bind:
  .half 2
  .half 0
  .word 3
  .word 0
alloc_other:
  .half 2
  .half 3
  .word 0
port9:
  .word 9
port0:
  .word 0
status_other:
  .half 2
  .half 0
  .word 3
  .space 16
${EPILOGUE}
`;

describe('PV event channels', () => {
  test('an interdomain channel: bind, send, upcall at the receiver; a third domain cannot bind it', () => {
    const dir = tempDir();
    const a = pvDomain(dir, 'a', SENDER);
    const b = pvDomain(dir, 'b', RECEIVER);
    const c = pvDomain(dir, 'c', INTRUDER);
    const r = runPv([a.config, b.config, c.config], 5_000_000);
    expect(hypercalls(r.log, 2).map((h) => [h.nr, h.result])).toEqual([[4, 0n], [32, 0n], [29, 0n], [29, 0n]]);
    expect(hypercalls(r.log, 1).map((h) => [h.nr, h.result])).toEqual([[32, 0n], [32, 0n], [32, 0n], [29, 0n]]);
    expect(hypercalls(r.log, 3).map((h) => [h.nr, h.result])).toEqual([[32, EINVAL], [32, EPERM], [32, EINVAL], [32, EINVAL], [32, EPERM], [32, EINVAL], [29, 0n]]);
    // B saw port 3 pending in an upcall
    expect(readU64(r.hv, 2, b.sym.get('seen_pending')!)).toBe(1n << 3n);
    expect(readU64(r.hv, 2, b.sym.get('seen_pending')! + 8n)).toBe(0x8000000000000010n);
    // A's status query: interdomain (2), vcpu 0, remote dom 2, port 3
    const st = a.sym.get('status')! + 8n;
    expect(readU64(r.hv, 1, st)).toBe(2n);
    expect(readU64(r.hv, 1, st + 8n)).toBe(2n | (3n << 32n));
    const ev = events(r.log, 'evtchn').map((e) => [e.domain, e.payload.op, e.payload.port, e.payload.remoteDomain, e.payload.remotePort, e.payload.result]);
    expect(ev).toContainEqual([2, 'alloc-unbound', 3, 1, 0, 0n]);
    expect(ev).toContainEqual([1, 'bind-interdomain', 3, 2, 3, 0n]);
    expect(ev).toContainEqual([1, 'send', 3, 2, 3, 0n]);
    expect(ev).toContainEqual([2, 'upcall', 0, 2, 0, 0n]);
    expect(ev).toContainEqual([3, 'bind-interdomain', 0, 2, 3, EINVAL]);
    // the receiver blocked, then woke for the upcall
    const sched = events(r.log, 'sched').map((e) => [e.payload.toDomain, e.payload.reason]);
    expect(sched).toContainEqual([2, 'wake']);
    for (const d of [1, 2, 3]) expect(r.hv.control.state.domains[d].status).toBe('destroyed');
  });

  test('VIRQ_TIMER: set_timer_op, block, upcall when the deadline passes', () => {
    const src = `
${PROLOGUE}
${SET_CALLBACKS}
  li a0, 1
  la a1, virq
${hc(32)}
  li a0, 1
  la a1, virq
${hc(32)}
${UNMASK}
  rdtime t0
  li t1, 100
  mul t0, t0, t1
  li t1, 5000000
  add a0, t0, t1
  la t2, deadline
  sd a0, 0(t2)
${hc(15)}
  li a0, 1
${hc(29)}
spin:
  j spin
${RECORD_AND_STOP}
  .align 3
deadline:
  .dword 0
virq:
  .word 0
  .word 0
  .word 0
${EPILOGUE}`;
    const { config, sym } = pvDomain(tempDir(), 'timer', src);
    const r = runPv([config], 3_000_000);
    expect(hypercalls(r.log, 1).map((h) => [h.nr, h.result])).toEqual([[4, 0n], [32, 0n], [32, EEXIST], [15, 0n], [29, 0n], [29, 0n]]);
    expect(readU64(r.hv, 1, sym.get('seen_pending')!)).toBe(1n << 3n);
    const deadline = readU64(r.hv, 1, sym.get('deadline')!);
    expect(readU64(r.hv, 1, sym.get('seen_pending')! + 16n)).toBeGreaterThanOrEqual(deadline);
    const ops = events(r.log, 'evtchn', 1).map((e) => e.payload.op);
    expect(ops).toEqual(['bind-virq', 'bind-virq', 'virq', 'upcall']);
    // the domain slept: virtual time jumped to the deadline while no vCPU could run
    expect(events(r.log, 'sched', 0).map((e) => e.payload.reason)).toContain('wake');
  });

  test('SCHEDOP_poll returns at a pending port or after its timeout; block with upcalls masked returns at once; yield', () => {
    const src = `
${PROLOGUE}
  li a0, 7
  la a1, ipi
${hc(32)}
  li a0, 1
${hc(29)}
  li a0, 0
${hc(29)}
  li a0, 4
  la a1, ipi_port
${hc(32)}
  li a0, 3
  la a1, poll
${hc(29)}
  rdtime t0
  li t1, 100
  mul t0, t0, t1
  li t1, 2000000
  add t0, t0, t1
  la t2, poll2
  sd t0, 16(t2)
  la t2, deadline
  sd t0, 0(t2)
  li a0, 3
  la a1, poll2
${hc(29)}
  rdtime t0
  li t1, 100
  mul t0, t0, t1
  la t2, woke
  sd t0, 0(t2)
  li a0, 3
  la a1, poll_bad
${hc(29)}
${shutdown()}
  .align 3
ipi:
  .word 0
ipi_port:
  .word 0
deadline:
  .dword 0
woke:
  .dword 0
ports:
  .word 3
  .word 0
poll:
  .dword ports
  .word 1
  .word 0
  .dword 0
poll2:
  .dword ports2
  .word 1
  .word 0
  .dword 0
ports2:
  .word 1
ports_bad:
  .word 77
poll_bad:
  .dword ports_bad
  .word 1
  .word 0
  .dword 0
${EPILOGUE}`;
    const { config, sym } = pvDomain(tempDir(), 'poll', src);
    const r = runPv([config, pvDomain(tempDir(), 'other', `_start:\n  j _start\n`).config], 6_000_000);
    // bind_ipi -> port 3; block (masked: returns); yield; send to self; poll finds it pending; poll times out; bad port
    expect(results(r.log, 32, 1)).toEqual([0n, 0n]);
    expect(results(r.log, 29, 1)).toEqual([0n, 0n, 0n, 0n, EINVAL, 0n]);
    expect(readU64(r.hv, 1, sym.get('ipi_port')!) & 0xffffffffn).toBe(3n);
    expect(readU64(r.hv, 1, sym.get('woke')!)).toBeGreaterThanOrEqual(readU64(r.hv, 1, sym.get('deadline')!) - 100n);
    expect(events(r.log, 'sched').map((e) => e.payload.reason)).toContain('yield');
  });

  test('a masked port stays quiet until EVTCHNOP_unmask; close frees the port', () => {
    const src = `
${PROLOGUE}
${SET_CALLBACKS}
  li a0, 7
  la a1, ipi
${hc(32)}
  ld t0, 40(s0)
  li t3, 2560
  add t3, t0, t3
  li t1, 8
  sd t1, 0(t3)
${UNMASK}
  li a0, 4
  la a1, ipi_port
${hc(32)}
  la t0, sent
  li t1, 1
  sd t1, 0(t0)
  li a0, 0
${hc(17)}
  li a0, 9
  la a1, ipi_port
${hc(32)}
spin:
  j spin
${RECORD_AND_STOP}
  .align 3
sent:
  .dword 0
ipi:
  .word 0
ipi_port:
  .word 0
${EPILOGUE}`;
    const { config, sym } = pvDomain(tempDir(), 'mask', src);
    const r = runPv([config], 2_000_000);
    expect(hypercalls(r.log, 1).map((h) => [h.nr, h.result])).toEqual([[4, 0n], [32, 0n], [32, 0n], [17, 0x10000n], [32, 0n], [29, 0n]]);
    // the upcall came only after the unmask (the last hypercall before it)
    const all = [...r.log.events()].filter((e) => e.domain === 1 && (e.kind === 'hypercall' || (e.kind === 'evtchn' && e.payload.op === 'upcall')));
    const i = all.findIndex((e) => e.kind === 'evtchn');
    expect(all[i - 1].payload.nr).toBe(32);
    expect(readU64(r.hv, 1, sym.get('seen_pending')!)).toBe(8n);
  });

  test('close: the peer port goes back to unbound for the closer', () => {
    const src = `
${PROLOGUE}
  li a0, 6
  la a1, alloc
${hc(32)}
  li a0, 0
  la a1, bind
${hc(32)}
  li a0, 3
  la a1, port4
${hc(32)}
  li a0, 3
  la a1, port4
${hc(32)}
  li a0, 0
  la a1, bind
${hc(32)}
done:
  j done
  .align 3
alloc:
  .half 0x7ff0
  .half 0x7ff0
  .word 0
bind:
  .half 0x7ff0
  .half 0
  .word 3
  .word 0
port4:
  .word 4
${EPILOGUE}`;
    const { config } = pvDomain(tempDir(), 'close', src);
    const r = startPv([config]);
    r.hv.run(1_000_000);
    // loopback: alloc 3 for self, bind 4 to it, close 4 (3 unbound again), close 4 again (EINVAL), bind again
    expect(results(r.log, 32, 1)).toEqual([0n, 0n, 0n, EINVAL, 0n]);
    const ports = pvHost(r.hv).dom(1).ports;
    expect(ports[3]).toMatchObject({ state: 'interdomain', remoteDom: 1, remotePort: 4 });
    expect(ports[4]).toMatchObject({ state: 'interdomain', remoteDom: 1, remotePort: 3 });
  });
});
