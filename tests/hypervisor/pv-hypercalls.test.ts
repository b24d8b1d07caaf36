// The remaining hypercalls (docs/PV-ABI.md §6.1, §11): multicall, vcpu_op bringing up a second
// vCPU, xen_version, callback_op and stack_switch.
import { describe, expect, test } from 'vitest';
import { EPILOGUE, events, hc, hypercalls, PROLOGUE, pvDomain, pvHost, readU64, readVa, results, runPv, shutdown, tempDir } from './pv-guest.ts';

const EINVAL = -22n, EEXIST = -17n, ENOENT = -2n, ENOSYS = -38n;

describe('PV hypercalls', () => {
  test('multicall runs each call as if made directly; iret, block and nested multicalls are refused inside', () => {
    const entry = (op: number, args: Array<number | string>) => `  .dword ${op}\n  .dword 0x5555\n${[0, 1, 2, 3, 4, 5].map((i) => `  .dword ${args[i] ?? 0}`).join('\n')}\n`;
    const src = `
${PROLOGUE}
  la a0, calls
  li a1, 6
${hc(13)}
${shutdown()}
msg:
  .ascii "mc\\n"
  .align 3
calls:
${entry(17, [0])}
${entry(18, [0, 3, 'msg'])}
${entry(29, [0])}
${entry(23, [0])}
${entry(13, ['calls', 1])}
${entry(29, [1])}
${EPILOGUE}`;
    const { config, sym } = pvDomain(tempDir(), 'mc', src);
    const r = runPv([config]);
    expect(r.out.get('mc')).toBe('mc\n');
    // each call is logged, then the multicall itself
    expect(hypercalls(r.log, 1).map((h) => [h.nr, h.result])).toEqual([
      [17, 0x10000n], [18, 3n], [29, 0n], [23, EINVAL], [13, EINVAL], [29, EINVAL], [13, 0n], [29, 0n],
    ]);
    const res = [0, 1, 2, 3, 4, 5].map((i) => BigInt.asIntN(64, readU64(r.hv, 1, sym.get('calls')! + BigInt(64 * i + 8))));
    expect(res).toEqual([0x10000n, 3n, 0n, EINVAL, EINVAL, EINVAL]);
  });

  test('vcpu_op: initialise and bring up vCPU 1, which runs, then takes itself down', () => {
    const src = `
${PROLOGUE}
  la a0, event_cb
  la a1, trap_cb
  li a2, 0
${hc(4)}
  ld t0, 80(s0)
  li t1, 0xffffffc000000000
  sub t0, t0, t1
  srli a0, t0, 12
  call pfn_to_mfn
  la t0, ctx
  sd a0, 24(t0)
  li a0, 0
  li a1, 1
  la a2, ctx
${hc(24)}
  li a0, 0
  li a1, 1
  la a2, ctx
${hc(24)}
  li a0, 3
  li a1, 1
${hc(24)}
  li a0, 1
  li a1, 1
${hc(24)}
  li a0, 3
  li a1, 1
${hc(24)}
wait:
  la t0, ap_flag
  ld t1, 0(t0)
  bnez t1, seen
  li a0, 0
${hc(29)}
  j wait
seen:
  li a0, 0
${hc(29)}
  li a0, 3
  li a1, 1
${hc(24)}
  li a0, 1
  li a1, 9
${hc(24)}
  li a0, 77
  li a1, 0
${hc(24)}
${shutdown()}
ap_entry:
  la t0, ap_regs
  sd a0, 0(t0)
  sd a1, 8(t0)
  sd sp, 16(t0)
  la t0, ap_flag
  li t1, 1
  sd t1, 0(t0)
  li a0, 2
  li a1, 1
${hc(24)}
ap_spin:
  j ap_spin
trap_cb:
  j trap_cb
event_cb:
  j event_cb
  .align 3
ctx:
  .dword ap_entry
  .dword ap_stack_top
  .dword 0x77
  .dword 0
ap_flag:
  .dword 0
ap_regs:
  .space 24
ap_stack:
  .space 256
ap_stack_top:
${EPILOGUE}`;
    const { config, sym } = pvDomain(tempDir(), 'smp', src, '', 16, 2);
    const r = runPv([config], 3_000_000);
    const got = hypercalls(r.log).map((h) => [h.nr, h.result]);
    expect(got).toEqual([
      [4, 0n], [24, 0n], [24, EEXIST], [24, 0n], [24, 0n], [24, 1n],
      ...got.slice(6, got.length - 5), // vCPU 0 yields while vCPU 1 runs (and downs itself: 24 -> 0)
      [29, 0n], [24, 0n], [24, ENOENT], [24, ENOSYS], [29, 0n],
    ]);
    // zero results: initialise, is_up before up, up, vCPU 1's own down, is_up after it
    expect(got.filter(([nr, res]) => nr === 24 && res === 0n).length).toBe(5);
    expect(readU64(r.hv, 1, sym.get('ap_regs')!)).toBe(0x77n);
    expect(readU64(r.hv, 1, sym.get('ap_regs')! + 8n)).toBe(1n);
    expect(readU64(r.hv, 1, sym.get('ap_regs')! + 16n)).toBe(sym.get('ap_stack_top')!);
    const v1 = events(r.log, 'hypercall').filter((e) => e.vcpu === 1).map((e) => e.payload.nr);
    expect(v1).toEqual([24]);
  });

  test('xen_version extraversion, callback_op, stack_switch', () => {
    const src = `
${PROLOGUE}
  li a0, 1
  la a1, extra
${hc(17)}
  li a0, 9
${hc(17)}
  li a0, 0
  la a1, cb_event
${hc(30)}
  li a0, 0
  la a1, cb_trap
${hc(30)}
  li a0, 0
  la a1, cb_bad
${hc(30)}
  li a0, 1
  la a1, cb_event
${hc(30)}
  li a0, 0x12340
${hc(3)}
  li a0, 0
${hc(17)}
  nop
spin:
  j spin
trap_cb:
  j trap_cb
event_cb:
  j event_cb
  .align 3
extra:
  .space 16
cb_event:
  .word 0
  .word 0
  .dword event_cb
cb_trap:
  .word 1
  .word 0
  .dword trap_cb
cb_bad:
  .word 7
  .word 0
  .dword 0
${EPILOGUE}`;
    const { config, sym } = pvDomain(tempDir(), 'ver', src);
    const r = runPv([config], 200_000);
    expect(results(r.log, 17)).toEqual([0n, ENOSYS, 0x10000n]);
    expect(results(r.log, 30)).toEqual([0n, 0n, EINVAL, ENOSYS]);
    expect(results(r.log, 3)).toEqual([0n]);
    expect(new TextDecoder().decode(readVa(r.hv, 1, sym.get('extra')!, 16))).toBe('-chronovisor\0\0\0\0');
    const v = pvHost(r.hv).vcpu(1, 0);
    expect([v.eventCallback, v.trapCallback, v.kernelSp]).toEqual([sym.get('event_cb')!, sym.get('trap_cb')!, 0x12340n]);
  });
});
