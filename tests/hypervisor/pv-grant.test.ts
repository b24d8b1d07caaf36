// Grant tables v1 (docs/PV-ABI.md §7): a domain sets up its table and grants a frame; another
// maps it, reads and writes through it, unmaps it; GTF_reading/GTF_writing track the mapping;
// copies go through grants. Refused: a revoked grant, a read-only grant mapped writable, a
// grant made to someone else, an out-of-range ref, an unknown domain, a used virtual address,
// a bad handle, a copy past the page — each with its GNTST status, as a `grant` event.
import { describe, expect, test } from 'vitest';
import { GNTST } from '../../src/hypervisor/pv/abi.ts';
import { EPILOGUE, events, hc, PROLOGUE, pvDomain, readU64, readVa, runPv, shutdown, tempDir } from './pv-guest.ts';

const DELAY = (label: string, n: number) => `  li t0, ${n}\n${label}:\n  addi t0, t0, -1\n  bnez t0, ${label}\n`;

/** Unmaps the kernel VA of pfn first_free + k so the VA can take a grant (its l1 entry becomes invalid). */
const freeVa = (k: number, reg: string) => `
  ld a0, 120(s0)
  addi a0, a0, ${k}
  call pfn_to_va
  mv ${reg}, a0
  li a1, 0
  li a2, 0
${hc(14)}`;

const GRANTER = `
${PROLOGUE}
${freeVa(0, 's5')}
  la t0, frame_list
  sd s5, 0(t0)
  li a0, 2
  la a1, setup
  li a2, 1
${hc(20)}
  ld a0, 120(s0)
  addi a0, a0, 1
  mv s6, a0
  call pfn_to_mfn
  mv s7, a0                   # the granted frame: pfn F+1
  mv a0, s6
  call pfn_to_va
  mv s8, a0
  la a1, hello
  li a2, 9
  call copy
  # ref 1: to dom 2, rw; ref 2: to dom 2, read-only; ref 3: to dom 3; ref 4: to dom 2, revoked
  sw s7, 12(s5)
  li t1, 2
  sh t1, 10(s5)
  li t1, 1
  sh t1, 8(s5)
  sw s7, 20(s5)
  li t1, 2
  sh t1, 18(s5)
  li t1, 5
  sh t1, 16(s5)
  sw s7, 28(s5)
  li t1, 3
  sh t1, 26(s5)
  li t1, 1
  sh t1, 24(s5)
  sw s7, 36(s5)
  li t1, 2
  sh t1, 34(s5)
  li a0, 6
  la a1, query
  li a2, 1
${hc(20)}
${DELAY('w1', 200000)}
  lhu t1, 8(s5)
  la t0, flags_mapped
  sd t1, 0(t0)
${DELAY('w2', 400000)}
  lhu t1, 8(s5)
  la t0, flags_unmapped
  sd t1, 0(t0)
  sh zero, 8(s5)              # revoke ref 1 (not in use any more)
  ld t1, 0(s8)
  la t0, data_after
  sd t1, 0(t0)
spin:
  j spin
hello:
  .ascii "granted!\\0"
  .align 3
frame_list:
  .dword 0
setup:
  .half 0x7ff0
  .half 0
  .word 1
  .half 0
  .half 0
  .half 0
  .half 0
  .dword frame_list
query:
  .half 0x7ff0
  .space 14
flags_mapped:
  .dword 0
flags_unmapped:
  .dword 0
data_after:
  .dword 0
${EPILOGUE}`;

/** map_grant_ref of one entry: a0 host_addr, a1 flags, a2 ref, a3 dom; status -> a0, handle -> a1. */
const GMAP = `
gmap1:
  la t0, gmap
  sd a0, 0(t0)
  sw a1, 8(t0)
  sw a2, 12(t0)
  sh a3, 16(t0)
  li a0, 0
  la a1, gmap
  li a2, 1
  li a7, 20
  ecall
  la t0, gmap
  lh a0, 20(t0)
  lw a1, 24(t0)
  ret
`;

const GRANTEE = `
${PROLOGUE}
${DELAY('w0', 50000)}
${freeVa(0, 's5')}
${freeVa(1, 's6')}
  mv a0, s5
  li a1, 2
  li a2, 1
  li a3, 1
  call gmap1                  # ref 1 rw: okay, handle 0
  mv s7, a1
  ld t1, 0(s5)
  la t0, seen
  sd t1, 0(t0)
  li t1, 0x65726568202c4942   # "BI, here"
  sd t1, 0(s5)
  mv a0, s6
  li a1, 2
  li a2, 2
  li a3, 1
  call gmap1                  # ref 2 (read-only) mapped writable: permission denied
  mv a0, s6
  li a1, 6
  li a2, 2
  li a3, 1
  call gmap1                  # ref 2 read-only: okay, handle 1
  mv s8, a1
  ld a0, 120(s0)
  addi a0, a0, 2
  call pfn_to_va
  mv s9, a0
  mv a0, s9
  li a1, 2
  li a2, 3
  li a3, 1
  call gmap1                  # ref 3 (for dom 3): permission denied (and the VA is in use)
  ld a0, 120(s0)
  addi a0, a0, 3
  call pfn_to_va
  li a1, 0
  li a2, 0
  li a7, 14
  ecall
  ld a0, 120(s0)
  addi a0, a0, 3
  call pfn_to_va
  mv s9, a0
  mv a0, s9
  li a1, 2
  li a2, 4
  li a3, 1
  call gmap1                  # ref 4 (revoked): permission denied
  mv a0, s9
  li a1, 2
  li a2, 9999
  li a3, 1
  call gmap1                  # out of range: bad gntref
  mv a0, s9
  li a1, 2
  li a2, 1
  li a3, 7
  call gmap1                  # no domain 7: bad domain
  ld a0, 120(s0)
  addi a0, a0, 4
  call pfn_to_va
  li a1, 2
  li a2, 1
  li a3, 1
  call gmap1                  # a VA that is mapped: bad virt addr
  # copy 8 bytes from ref 1 into our frame F+5; then a copy that runs past the page
  ld a0, 120(s0)
  addi a0, a0, 5
  call pfn_to_mfn
  la t0, gcopy
  sd a0, 16(t0)
  li a0, 5
  la a1, gcopy
  li a2, 1
${hc(20)}
  la t0, gcopy
  li t1, 4000
  sw t1, 12(t0)
  li t1, 200
  sh t1, 32(t0)
  li a0, 5
  la a1, gcopy
  li a2, 1
${hc(20)}
${DELAY('w1', 400000)}
  la t0, gunmap
  sd s5, 0(t0)
  sw s7, 16(t0)
  li a0, 1
  la a1, gunmap
  li a2, 1
${hc(20)}                      # unmap handle 0
  la t0, gunmap
  sw s8, 16(t0)
  sd s6, 0(t0)
  li a0, 1
  la a1, gunmap
  li a2, 1
${hc(20)}                      # unmap handle 1
  li a0, 1
  la a1, gunmap
  li a2, 1
${hc(20)}                      # again: bad handle
${DELAY('w2', 400000)}
  mv a0, s5
  li a1, 2
  li a2, 1
  li a3, 1
  call gmap1                  # ref 1 after revocation: permission denied
  ld a0, 120(s0)
  addi a0, a0, 5
  call pfn_to_va
  ld t1, 0(a0)
  la t0, copied
  sd t1, 0(t0)
${shutdown()}
${GMAP}
  .align 3
seen:
  .dword 0
copied:
  .dword 0
gmap:
  .space 40
gunmap:
  .space 24
gcopy:
  .dword 1
  .half 1
  .half 0
  .word 0
  .dword 0
  .half 0x7ff0
  .half 0
  .word 0
  .half 8
  .half 1
  .half 0
  .half 0
  .word 0
${EPILOGUE}`;

describe('PV grant tables', () => {
  test('grant, map, read and write, copy, unmap, revoke; every refusal has its status', () => {
    const dir = tempDir();
    const a = pvDomain(dir, 'granter', GRANTER);
    const b = pvDomain(dir, 'grantee', GRANTEE);
    const r = runPv([a.config, b.config], 6_000_000);
    const g = (dom: number) => events(r.log, 'grant', dom).map((e) => [e.payload.op, e.payload.status]);
    expect(g(1)).toEqual([
      ['setup', 0n],
      ['query', 0n],
    ]);
    expect(g(2)).toEqual([
      ['map', BigInt(GNTST.okay)],
      ['map', BigInt(GNTST.permission_denied)], // read-only grant, writable map
      ['map', BigInt(GNTST.okay)],
      ['map', BigInt(GNTST.permission_denied)], // granted to domain 3
      ['map', BigInt(GNTST.permission_denied)], // revoked
      ['map', BigInt(GNTST.bad_gntref)],
      ['map', BigInt(GNTST.bad_domain)],
      ['map', BigInt(GNTST.bad_virt_addr)],
      ['copy', BigInt(GNTST.okay)],
      ['copy', BigInt(GNTST.bad_copy_arg)],
      ['unmap', BigInt(GNTST.okay)],
      ['unmap', BigInt(GNTST.okay)],
      ['unmap', BigInt(GNTST.bad_handle)],
      ['map', BigInt(GNTST.permission_denied)], // revoked after use
    ]);
    const text = (dom: number, sym: bigint) => new TextDecoder().decode(readVa(r.hv, dom, sym, 8));
    expect(text(2, b.sym.get('seen')!)).toBe('granted!');
    expect(text(2, b.sym.get('copied')!)).toBe('BI, here');
    expect(text(1, a.sym.get('data_after')!)).toBe('BI, here');
    // while mapped (one rw mapping): reading | writing | permit; after the unmap: permit only
    expect(readU64(r.hv, 1, a.sym.get('flags_mapped')!)).toBe(1n | 8n | 16n);
    expect(readU64(r.hv, 1, a.sym.get('flags_unmapped')!)).toBe(1n);
    // query_size: 1 frame of at most 4
    expect(readU64(r.hv, 1, a.sym.get('query')! + 4n) & 0xffffffffffffffffn).toBe(1n | (4n << 32n));
  });
});
