// The PV console (docs/PV-ABI.md §9): output through the console ring and console_io, input
// from the hypervisor's input path into the ring (read back with CONSOLEIO_read), all logged.
import { describe, expect, test } from 'vitest';
import { EPILOGUE, events, hc, PROLOGUE, pvDomain, pvHost, results, shutdown, startPv, tempDir } from './pv-guest.ts';

/** s1 = VA of the console ring page (RAM is contiguous at first boot: VA from mfn_list[0]). */
const CONSOLE_VA = `
  ld t0, 72(s0)
  ld t1, 96(s0)
  ld t1, 0(t1)
  sub t0, t0, t1
  slli t0, t0, 12
  li t1, 0xffffffc000000000
  add s1, t0, t1
`;

const ECHO = `
${PROLOGUE}
${CONSOLE_VA}
  # "ring!\\n" into out[], out_prod = 6, notify console_evtchn
  li t0, 1024
  add a0, s1, t0
  la a1, msg
  li a2, 6
  call copy
  li t0, 3084
  add t0, s1, t0
  li t1, 6
  sw t1, 0(t0)
  li a0, 4
  la a1, port2
${hc(32)}
wait:
  li a0, 1
  li a1, 16
  la a2, buf
${hc(18)}
  bnez a0, got
  li a0, 0
${hc(29)}
  j wait
got:
  mv a1, a0
  li a0, 0
  la a2, buf
${hc(18)}
${shutdown()}
msg:
  .ascii "ring!\\n"
  .align 3
port2:
  .word 2
buf:
  .space 16
${EPILOGUE}`;

describe('PV console', () => {
  test('ring output, then input from the host read with CONSOLEIO_read and echoed', () => {
    const { config } = pvDomain(tempDir(), 'cons', ECHO);
    const r = startPv([config]);
    r.hv.run(200_000);
    expect(r.out.get('cons')).toBe('ring!\n');
    expect(results(r.log, 18, 1).every((x) => x === 0n)).toBe(true); // nothing to read yet
    r.hv.sendInput('hi\n', 1);
    r.hv.run(200_000);
    expect(r.out.get('cons')).toBe('ring!\nhi\n');
    expect(events(r.log, 'input', 1).map((e) => [e.payload.dev, String.fromCharCode(...(e.payload.bytes as number[]))])).toEqual([[0xfe, 'hi\n']]);
    expect(events(r.log, 'console', 1).map((e) => String.fromCharCode(...(e.payload.bytes as number[])))).toEqual(['ring!\n', 'hi\n']);
    expect(r.hv.control.state.domains[1].status).toBe('destroyed');
  });

  test('input beyond the ring waits in the hypervisor; corrupt output indices are refused and logged', () => {
    const src = `
${PROLOGUE}
${CONSOLE_VA}
  li t0, 3084
  add t0, s1, t0
  li t1, 5000
  sw t1, 0(t0)
  li a0, 4
  la a1, port2
${hc(32)}
spin:
  j spin
  .align 3
port2:
  .word 2
${EPILOGUE}`;
    const { config } = pvDomain(tempDir(), 'bad', src);
    const r = startPv([config]);
    r.hv.sendInput('x'.repeat(1500), 1);
    r.hv.run(100_000);
    const ring = events(r.log, 'ring', 1).map((e) => [e.payload.device, e.payload.status]);
    expect(ring).toEqual([['console', -22n]]);
    expect(r.out.get('bad')).toBeUndefined();
    // 1024 bytes fit the ring; the rest waits for the guest to consume
    expect(pvHost(r.hv).dom(1).consoleIn.length).toBe(1500 - 1024);
  });
});
