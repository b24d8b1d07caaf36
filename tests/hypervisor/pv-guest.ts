// Tiny PV guest kernels for tests: assembled with the project's assembler at KERNEL_BASE and
// wrapped in a minimal ELF (one PT_LOAD segment), as docs/PV-ABI.md §3 requires, with an
// xl.cfg next to them loaded through the real config loader. Helpers run them on the
// hypervisor and pull out the hypercall events.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Assembler } from '../../src/isa/asm.ts';
import { loadDomainConfig, type DomainConfig } from '../../src/hypervisor/config/domain-config.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { EventLog } from '../../src/events/log.ts';
import type { TraceEvent } from '../../src/events/event.ts';
import { KERNEL_BASE } from '../../src/hypervisor/pv/abi.ts';
import type { PvHost } from '../../src/hypervisor/pv/pv-host.ts';
import { GuestVa } from '../../src/hypervisor/pv/guest-va.ts';

export { KERNEL_BASE };
export { tempDir } from './guest-builder.ts';

/** Wraps code linked at `base` in an ELF64 RISC-V executable with one RWX PT_LOAD segment. */
export function elfImage(code: Uint8Array, base: bigint, entry = base, bss = 0): Uint8Array {
  const off = 0x1000;
  const out = new Uint8Array(off + code.length);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 243, true); // EM_RISCV
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, entry, true);
  dv.setBigUint64(32, 64n, true); // e_phoff
  dv.setUint16(52, 64, true); // e_ehsize
  dv.setUint16(54, 56, true); // e_phentsize
  dv.setUint16(56, 1, true); // e_phnum
  dv.setUint32(64, 1, true); // PT_LOAD
  dv.setUint32(68, 7, true); // RWX
  dv.setBigUint64(72, BigInt(off), true);
  dv.setBigUint64(80, base, true);
  dv.setBigUint64(88, base, true);
  dv.setBigUint64(96, BigInt(code.length), true);
  dv.setBigUint64(104, BigInt(code.length + bss), true);
  dv.setBigUint64(112, 0x1000n, true);
  out.set(code, off);
  return out;
}

/** Assembles a PV kernel (labels resolve at KERNEL_BASE) into an ELF image and its symbols. */
export function pvKernel(source: string): { elf: Uint8Array; sym: Map<string, bigint> } {
  const a = new Assembler({ base: KERNEL_BASE });
  a.asm(source);
  const { bytes, symbols } = a.assemble();
  return { elf: elfImage(bytes, KERNEL_BASE), sym: symbols };
}

/** Writes the kernel and a `type = "pv"` cfg (`extra` lines appended), and loads it. */
export function pvDomain(dir: string, name: string, source: string, extra = '', memory = 16, vcpus = 1): { config: DomainConfig; sym: Map<string, bigint> } {
  const k = pvKernel(source);
  writeFileSync(path.join(dir, `${name}.elf`), k.elf);
  const cfg = path.join(dir, `${name}.cfg`);
  writeFileSync(cfg, `name = "${name}"\ntype = "pv"\nmemory = ${memory}\nvcpus = ${vcpus}\nkernel = "${name}.elf"\n${extra}\n`);
  return { config: loadDomainConfig(cfg).config, sym: k.sym };
}

export function pvConfig(dir: string, name: string, source: string, extra = '', memory = 16, vcpus = 1): DomainConfig {
  return pvDomain(dir, name, source, extra, memory, vcpus).config;
}

/** The hypervisor's PV platform (for looking at PV state in tests). */
export function pvHost(hv: Hypervisor): PvHost {
  return hv.pv as PvHost;
}

/** Reads guest memory at a kernel virtual address of domain `dom` (through its kernel root). */
export function readVa(hv: Hypervisor, dom: number, va: bigint, len: number): Uint8Array {
  const pv = pvHost(hv);
  const b = new GuestVa(pv.hm, pv.vcpu(dom, 0).kernelRoot).read(va, len);
  if (!b) throw new Error(`0x${va.toString(16)} is not mapped in domain ${dom}`);
  return b;
}

export function readU64(hv: Hypervisor, dom: number, va: bigint): bigint {
  return new DataView(readVa(hv, dom, va, 8).buffer).getBigUint64(0, true);
}

/**
 * Routines every test kernel may call (s0 must hold the start_info VA):
 *   pfn_to_mfn  a0 = pfn -> a0 = mfn (from mfn_list)
 *   pfn_to_va   a0 = pfn -> a0 = KERNEL_BASE + pfn * 4096
 *   make_ro     a0 = pfn: remaps its kernel VA read-only (update_va_mapping); result in a0
 *   l1_slot     a0 = pfn -> a0 = machine address of the kernel root's PTE for its VA (memory <= 1 GiB)
 *   mmu1        mmu_update of one request { ptr = a0, val = a1 } for DOMID_SELF; result in a0
 *   ext1        mmuext_op of one op { cmd = a0, arg1 = a1 } for DOMID_SELF; result in a0
 *   copy        a0 = dst, a1 = src, a2 = bytes
 */
export const LIB = `
pfn_to_mfn:
  ld t0, 96(s0)
  slli a0, a0, 3
  add t0, t0, a0
  ld a0, 0(t0)
  ret
pfn_to_va:
  slli a0, a0, 12
  li t0, 0xffffffc000000000
  add a0, a0, t0
  ret
make_ro:
  ld t0, 96(s0)
  slli t1, a0, 3
  add t0, t0, t1
  ld t2, 0(t0)
  slli t2, t2, 10
  ori a1, t2, 0x53
  slli a0, a0, 12
  li t3, 0xffffffc000000000
  add a0, a0, t3
  li a2, 0
  li a7, 14
  ecall
  ret
l1_slot:
  mv t5, a0
  ld t0, 80(s0)
  li t1, 0xffffffc000000000
  sub t0, t0, t1
  srli t0, t0, 12
  addi t0, t0, 2
  srli t2, t5, 9
  add t0, t0, t2
  ld t3, 96(s0)
  slli t0, t0, 3
  add t3, t3, t0
  ld t0, 0(t3)
  slli t0, t0, 12
  andi t5, t5, 511
  slli t5, t5, 3
  add a0, t0, t5
  ret
mmu1:
  la t0, mmu_req
  sd a0, 0(t0)
  sd a1, 8(t0)
  la a0, mmu_req
  li a1, 1
  li a2, 0
  li a3, 0x7ff0
  li a7, 1
  ecall
  ret
ext1:
  la t0, ext_req
  sw a0, 0(t0)
  sd a1, 8(t0)
  la a0, ext_req
  li a1, 1
  li a2, 0
  li a3, 0x7ff0
  li a7, 26
  ecall
  ret
copy:
  beqz a2, copy_done
  lb t0, 0(a1)
  sb t0, 0(a0)
  addi a0, a0, 1
  addi a1, a1, 1
  addi a2, a2, -1
  j copy
copy_done:
  ret
`;

/** Start of every test kernel: s0 = start_info, a stack. */
export const PROLOGUE = `
_start:
  mv s0, a0
  la sp, stack_top
`;

/** Stack and common data; put at the end of every test kernel. */
export const EPILOGUE = `
${LIB}
  .align 3
poweroff_reason:
  .word 0
crash_reason:
  .word 3
reboot_reason:
  .word 1
  .align 3
mmu_req:
  .dword 0
  .dword 0
ext_req:
  .space 24
  .align 4
stack:
  .space 4096
stack_top:
`;

/** A hypercall: `li a7, nr; ecall` (arguments already in a0..a5). */
export const hc = (nr: number): string => `  li a7, ${nr}\n  ecall\n`;

/** console_io(CONSOLEIO_write, len, label). */
export const print = (label: string, len: number): string => `  li a0, 0\n  li a1, ${len}\n  la a2, ${label}\n${hc(18)}`;

/** sched_op(SCHEDOP_shutdown, &{reason}) with the reason word at `label`. */
export const shutdown = (label = 'poweroff_reason'): string => `  li a0, 2\n  la a1, ${label}\n${hc(29)}`;

/** Data every test kernel can use. */
export const COMMON_DATA = `
  .align 3
poweroff_reason:
  .word 0
crash_reason:
  .word 3
`;

export interface PvRun {
  hv: Hypervisor;
  log: EventLog;
  out: Map<string, string>;
  notes: string[];
}

export function startPv(domains: DomainConfig[], opts: { onNote?: (t: string) => void } = {}): PvRun {
  const out = new Map<string, string>();
  const notes: string[] = [];
  const hv = new Hypervisor({
    domains,
    onConsole: (d, b) => out.set(d.name, (out.get(d.name) ?? '') + new TextDecoder().decode(b)),
    onNote: (t) => {
      notes.push(t);
      opts.onNote?.(t);
    },
  });
  const log = new EventLog();
  hv.events.log = log;
  return { hv, log, out, notes };
}

export function runPv(domains: DomainConfig[], budget = 2_000_000): PvRun {
  const r = startPv(domains);
  r.hv.run(budget);
  return r;
}

export interface HypercallRecord {
  nr: number;
  args: readonly bigint[];
  result: bigint;
}

export function events(log: EventLog, kind: string, domain?: number): TraceEvent[] {
  return [...log.events()].filter((e) => e.kind === kind && (domain === undefined || e.domain === domain));
}

export function hypercalls(log: EventLog, domain?: number): HypercallRecord[] {
  return events(log, 'hypercall', domain).map((e) => ({ nr: Number(e.payload.nr), args: e.payload.args as bigint[], result: e.payload.result as bigint }));
}

/** Results of the hypercalls with number `nr`, in order. */
export function results(log: EventLog, nr: number, domain?: number): bigint[] {
  return hypercalls(log, domain)
    .filter((h) => h.nr === nr)
    .map((h) => h.result);
}
