// Traps and callbacks (docs/PV-ABI.md §6): exceptions of the kernel bounced to its trap
// callback through the trap frame, iret back, user programs in their own address space with
// system calls and page faults, and a domain without a callback crashing.
import { describe, expect, test } from 'vitest';
import { EPILOGUE, events, hc, print, PROLOGUE, pvDomain, readU64, results, runPv, shutdown, tempDir } from './pv-guest.ts';

const SET_CALLBACKS = `  la a0, event_cb\n  la a1, trap_cb\n  li a2, 0\n${hc(4)}`;

const ILLEGAL = `
${PROLOGUE}
${SET_CALLBACKS}
  csrw sstatus, zero
${print('back', 5)}
${shutdown()}
trap_cb:
  mv s1, a0
  ld t0, 264(s1)
  la t1, seen_cause
  sd t0, 0(t1)
  ld t0, 272(s1)
  la t1, seen_tval
  sd t0, 0(t1)
  ld t0, 280(s1)
  la t1, seen_mode
  sd t0, 0(t1)
  ld t0, 256(s1)
  addi t0, t0, 4
  sd t0, 256(s1)
  mv a0, s1
${hc(23)}
event_cb:
  j event_cb
back:
  .ascii "back\\n"
  .align 3
seen_cause:
  .dword 0
seen_tval:
  .dword 0
seen_mode:
  .dword 99
${EPILOGUE}
`;

/** A kernel that builds a user address space (l3/l2/l1 at first_free_pfn..+2), runs `user` in it. */
const userKernel = (user: string, onTrap: string) => `
${PROLOGUE}
${SET_CALLBACKS}
  la a0, kstack_top
${hc(3)}
  ld s2, 120(s0)
  mv a0, s2
  call pfn_to_mfn
  mv s3, a0
  addi a0, s2, 1
  call pfn_to_mfn
  mv s4, a0
  addi a0, s2, 2
  call pfn_to_mfn
  mv s5, a0
  addi a0, s2, 3
  call pfn_to_mfn
  mv s6, a0
  addi a0, s2, 4
  call pfn_to_mfn
  mv s7, a0
  # l3[0] -> l2, l2[0] -> l1, l1[0x10] -> code (R X U), l1[0x20] -> stack (R W U)
  mv a0, s2
  call pfn_to_va
  slli t1, s4, 10
  ori t1, t1, 1
  sd t1, 0(a0)
  addi a0, s2, 1
  call pfn_to_va
  slli t1, s5, 10
  ori t1, t1, 1
  sd t1, 0(a0)
  addi a0, s2, 2
  call pfn_to_va
  slli t1, s6, 10
  ori t1, t1, 0x5b
  sd t1, 0x80(a0)
  slli t1, s7, 10
  ori t1, t1, 0xd7
  sd t1, 0x100(a0)
  addi a0, s2, 3
  call pfn_to_va
  la a1, user_code
  la a2, user_code_end
  sub a2, a2, a1
  call copy
  mv a0, s2
  call make_ro
  addi a0, s2, 1
  call make_ro
  addi a0, s2, 2
  call make_ro
  la t0, ext_ops
  sd s3, 8(t0)
  sd s3, 32(t0)
  la a0, ext_ops
  li a1, 2
  li a2, 0
  li a3, 0x7ff0
${hc(26)}
  la a0, uframe
  li t0, 0x21000
  sd t0, 16(a0)
  li t0, 0x10000
  sd t0, 256(a0)
  li t0, 1
  sd t0, 280(a0)
  sd t0, 288(a0)
${hc(23)}
trap_cb:
  mv s1, a0
  la t2, ntraps
  ld t3, 0(t2)
  addi t3, t3, 1
  sd t3, 0(t2)
  la t2, seen
  slli t4, t3, 5
  add t2, t2, t4
  ld t0, 264(s1)
  sd t0, 0(t2)
  ld t0, 272(s1)
  sd t0, 8(t2)
  ld t0, 280(s1)
  sd t0, 16(t2)
  ld t0, 80(s1)
  sd t0, 24(t2)
${onTrap}
event_cb:
  j event_cb
user_code:
${user}
user_code_end:
  .align 3
ext_ops:
  .word 2
  .word 0
  .dword 0
  .dword 0
  .word 15
  .word 0
  .dword 0
  .dword 0
ntraps:
  .dword 0
seen:
  .space 128
uframe:
  .space 296
  .align 4
kstack:
  .space 4096
kstack_top:
${EPILOGUE}
`;

/** Trap handler tail: after the first trap resume the user program past its ecall; after the second, power off. */
const RESUME_ONCE = `
  li t0, 2
  beq t3, t0, done
  ld t0, 256(s1)
  addi t0, t0, 4
  sd t0, 256(s1)
  mv a0, s1
${hc(23)}
done:
${shutdown()}
`;

function seen(r: ReturnType<typeof runPv>, sym: Map<string, bigint>, i: number): bigint[] {
  const base = sym.get('seen')! + BigInt(32 * i);
  return [0, 8, 16, 24].map((o) => readU64(r.hv, 1, base + BigInt(o)));
}

describe('PV traps', () => {
  test('a privileged instruction in the kernel bounces as illegal instruction; iret resumes after it', () => {
    const { config, sym } = pvDomain(tempDir(), 'ill', ILLEGAL);
    const r = runPv([config]);
    expect(r.out.get('ill')).toBe('back\n');
    expect(readU64(r.hv, 1, sym.get('seen_cause')!)).toBe(2n);
    expect(readU64(r.hv, 1, sym.get('seen_tval')!)).toBe(0x10001073n); // csrw sstatus, zero
    expect(readU64(r.hv, 1, sym.get('seen_mode')!)).toBe(0n);
    const exits = events(r.log, 'exit', 1);
    expect(exits.map((e) => e.payload.reason)).toContain('illegal-instruction');
    expect(r.hv.control.state.domains[1].status).toBe('destroyed');
  });

  test('a user program in its own address space makes system calls; the kernel resumes it with iret', () => {
    const { config, sym } = pvDomain(tempDir(), 'user', userKernel('  li a0, 42\n  ecall\n  li a0, 43\n  ecall\nuser_spin:\n  j user_spin\n', RESUME_ONCE));
    const r = runPv([config]);
    expect(results(r.log, 26)).toEqual([0n]); // pin + new user baseptr
    expect(results(r.log, 14)).toEqual([0n, 0n, 0n]);
    expect(readU64(r.hv, 1, sym.get('ntraps')!)).toBe(2n);
    expect(seen(r, sym, 1)).toEqual([8n, 0n, 1n, 42n]);
    expect(seen(r, sym, 2)).toEqual([8n, 0n, 1n, 43n]);
    expect(r.hv.control.state.domains[1].status).toBe('destroyed');
  });

  test('a page fault in a user program bounces to the kernel with the faulting address', () => {
    const { config, sym } = pvDomain(tempDir(), 'upf', userKernel('  li t0, 0x30000\n  sd t0, 0(t0)\nuser_spin:\n  j user_spin\n', shutdown()));
    const r = runPv([config]);
    expect(seen(r, sym, 1).slice(0, 3)).toEqual([15n, 0x30000n, 1n]);
  });

  test.each(['destroy', 'preserve'] as const)('an exception without a trap callback crashes the domain (on_crash = %s)', (action) => {
    const { config } = pvDomain(tempDir(), 'nocb', `${PROLOGUE}\n  ebreak\n${EPILOGUE}`, `on_crash = "${action}"`);
    const r = runPv([config]);
    expect(r.hv.control.state.domains[1].status).toBe(action === 'destroy' ? 'destroyed' : 'crashed');
    expect(r.notes.join('\n')).toMatch(/domain nocb crashed: exception cause 3 .* no trap callback is registered/);
  });

  test('a fault at the trap callback itself crashes the domain instead of looping', () => {
    const src = `${PROLOGUE}\n  li a0, 0x1000\n  li a1, 0x1000\n  li a2, 0\n${hc(4)}\n  ebreak\n${EPILOGUE}`;
    const { config } = pvDomain(tempDir(), 'loop', src);
    const r = runPv([config], 500_000);
    expect(r.hv.control.state.domains[1].status).toBe('destroyed');
    expect(r.notes.join('\n')).toMatch(/at the trap callback 0x1000 itself/);
  });
});
