// Hostile guests against event channels and grants (issue "PV guests", acceptance): binding a
// port another domain allocated for someone else, sending on or asking about ports it does not
// have, mapping or copying a grant made to someone else, a revoked grant, a read-only grant for
// writing. Each is refused with its documented error, logged, and the victim's memory — its own
// frames and its grant table — is unchanged.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { GNTST } from '../../src/hypervisor/pv/abi.ts';
import { EPILOGUE, events, hc, hypercalls, PROLOGUE, pvDomain, pvHost, startPv, shutdown, tempDir } from './pv-guest.ts';
import { FRONTEND_LIB, frontendSetup } from './pv-frontend.ts';

const DELAY = (label: string, n: number) => `  li t0, ${n}\n${label}:\n  addi t0, t0, -1\n  bnez t0, ${label}\n`;

function victimHash(hv: Hypervisor): string {
  const h = createHash('sha256');
  for (let i = 0; i < hv.frames.count; i++) {
    const hpa = hv.frames.base + i * 4096;
    if (hv.frames.ownerOf(hpa) === 1) h.update(hv.mem.peek(hpa, 4096)!);
  }
  for (const m of pvHost(hv).dom(1).grantFrames) h.update(hv.mem.peek(m * 4096, 4096)!);
  return h.digest('hex');
}

// ref 1: to domain 3; ref 2: to domain 2 but revoked; ref 3: to domain 2, read-only. Port 4: for domain 3.
const VICTIM = `
${PROLOGUE}
${frontendSetup([1, 0, 1 | 4])}
  li t1, 3
  sh t1, 10(s5)
  li t1, 2
  sh t1, 18(s5)
  sh t1, 26(s5)
  li a0, 6
  la a1, alloc3
${hc(32)}
spin:
  j spin
  .align 3
alloc3:
  .half 0x7ff0
  .half 3
  .word 0
${FRONTEND_LIB}
${EPILOGUE}`;

const map = (ref: number, flags: number) => `
  la t0, gm
  sd s5, 0(t0)
  li t1, ${flags}
  sw t1, 8(t0)
  li t1, ${ref}
  sw t1, 12(t0)
  li t1, 1
  sh t1, 16(t0)
  li a0, 0
  la a1, gm
  li a2, 1
${hc(20)}`;

const copy = (ref: number, flags: number) => `
  la t0, gc
  li t1, ${ref}
  sd t1, ${flags === 1 ? 0 : 16}(t0)
  li t1, 1
  sh t1, ${flags === 1 ? 8 : 24}(t0)
  sd s6, ${flags === 1 ? 16 : 0}(t0)
  li t1, 0x7ff0
  sh t1, ${flags === 1 ? 24 : 8}(t0)
  li t1, 8
  sh t1, 32(t0)
  li t1, ${flags}
  sh t1, 34(t0)
  li a0, 5
  la a1, gc
  li a2, 1
${hc(20)}`;

const INTRUDER = `
${PROLOGUE}
${DELAY('w', 200000)}
  ld a0, 120(s0)
  call pfn_to_va
  mv s5, a0
  li a1, 0
  li a2, 0
${hc(14)}
  ld a0, 120(s0)
  addi a0, a0, 1
  call pfn_to_mfn
  mv s6, a0
  li a0, 0
  la a1, bind
${hc(32)}
  li a0, 4
  la a1, port3
${hc(32)}
  li a0, 5
  la a1, status1
${hc(32)}
  li a0, 6
  la a1, alloc_for_1
${hc(32)}
${map(1, 2)}
${map(1, 6)}
${map(2, 6)}
${map(3, 2)}
${copy(1, 1)}
${copy(3, 2)}
${shutdown()}
  .align 3
bind:
  .half 1
  .half 0
  .word 4
  .word 0
port3:
  .word 4
status1:
  .half 1
  .half 0
  .word 4
  .space 16
alloc_for_1:
  .half 1
  .half 2
  .word 0
gm:
  .space 40
gc:
  .space 40
${EPILOGUE}`;

describe('hostile PV guest: channels and grants', () => {
  test("another domain's ports and grants are refused; the victim is untouched", () => {
    const dir = tempDir();
    const r = startPv([pvDomain(dir, 'victim', VICTIM).config, pvDomain(dir, 'evil', INTRUDER).config, pvDomain(dir, 'bystander', `_start:\n  j _start\n`).config]);
    r.hv.run(150_000);
    expect(hypercalls(r.log, 1).map((h) => h.result)).toEqual([0n, 0n, 0n, 0n]); // unmap, setup_table, two alloc_unbound
    const before = victimHash(r.hv);
    r.hv.run(3_000_000);
    expect(r.hv.control.state.domains[2].status).toBe('destroyed');
    const ev = hypercalls(r.log, 2).filter((h) => h.nr === 32).map((h) => h.result);
    expect(ev).toEqual([-22n, -22n, -1n, -1n]); // bind a port meant for dom 3, send on a port it lacks, status / alloc for dom 1
    const g = events(r.log, 'grant', 2).map((e) => [e.payload.op, e.payload.ref, e.payload.status]);
    expect(g).toEqual([
      ['map', 1, BigInt(GNTST.permission_denied)], // granted to domain 3
      ['map', 1, BigInt(GNTST.permission_denied)], // ... also read-only
      ['map', 2, BigInt(GNTST.permission_denied)], // revoked
      ['map', 3, BigInt(GNTST.permission_denied)], // read-only grant, writable map
      ['copy', 1, BigInt(GNTST.permission_denied)], // copy out of a grant to domain 3
      ['copy', 3, BigInt(GNTST.permission_denied)], // copy into a read-only grant
    ]);
    expect(events(r.log, 'evtchn', 2).map((e) => [e.payload.op, e.payload.result])).toEqual([
      ['bind-interdomain', -22n],
      ['send', -22n],
      ['alloc-unbound', -1n],
    ]);
    expect(victimHash(r.hv)).toBe(before);
    expect(pvHost(r.hv).dom(1).ports[4]).toMatchObject({ state: 'unbound', remoteDom: 3 });
    expect(pvHost(r.hv).dom(1).active).toEqual({});
  });
});
