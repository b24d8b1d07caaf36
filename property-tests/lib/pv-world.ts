// A hypervisor with PV domains whose vCPUs the test drives as the guest kernel would: a
// hypercall is an `ecall` executed by the real hart in U-mode (the exit goes through the
// core's one dispatcher into the PV platform), argument structures are written into a page
// of the kernel's own RAM first, and loads/stores are real instructions run through the
// hart's Sv39 translation and TLB. The probe kernel, linked at KERNEL_BASE:
//   +0  ecall           +4  ld t1, 0(a0)        +8  sd t1, 0(a0)
import { writeFileSync } from 'node:fs';
import { ACCESS_FETCH } from '../../src/cpu/csr-defs.ts';
import { STOP_NONE, type TrapExit } from '../../src/cpu/hart.ts';
import { peekTranslate, translate } from '../../src/cpu/mmu.ts';
import { loadDomainConfig } from '../../src/hypervisor/config/domain-config.ts';
import { handleExit } from '../../src/hypervisor/dispatch.ts';
import type { Domain } from '../../src/hypervisor/domain.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { KERNEL_BASE, PAGE } from '../../src/hypervisor/pv/abi.ts';
import type { PvHost } from '../../src/hypervisor/pv/pv-host.ts';
import { Assembler } from '../../src/isa/asm.ts';
import { elfImage } from '../../tests/hypervisor/pv-guest.ts';
import { bigintJson, type Access } from './hvm-world.ts';
import { tempPath } from './recordings.ts';

export { KERNEL_BASE, PAGE };
export const PV_ECALL = KERNEL_BASE;
export const PV_LOAD = KERNEL_BASE + 4n;
export const PV_STORE = KERNEL_BASE + 8n;
/** A kernel page the test uses for hypercall arguments (well above the image and boot pages). */
export const SCRATCH_PFN = 100;

let kernel: string | null = null;

function probeKernelFile(): string {
  if (!kernel) {
    const a = new Assembler({ base: KERNEL_BASE });
    a.asm('ecall\nld t1, 0(a0)\nsd t1, 0(a0)\nspin:\nj spin');
    kernel = tempPath('pv-probe.elf');
    writeFileSync(kernel, elfImage(a.assemble().bytes, KERNEL_BASE));
  }
  return kernel;
}

export function pvDomainConfig(name: string, memoryMiB = 16) {
  const cfg = tempPath(`${name}.cfg`);
  writeFileSync(cfg, `name = "${name}"\ntype = "pv"\nmemory = ${memoryMiB}\nvcpus = 1\nkernel = "${probeKernelFile()}"\n`);
  return loadDomainConfig(cfg).config;
}

/** A booted hypervisor with `n` PV domains (built, initial tables pinned) whose guests never ran. */
export function pvWorld(n: number): Hypervisor {
  const hv = new Hypervisor({ domains: Array.from({ length: n }, (_, i) => pvDomainConfig(`pv${i}`)) });
  hv.run(0);
  return hv;
}

export function pvHost(hv: Hypervisor): PvHost {
  return hv.pv as PvHost;
}

/** MFN behind a kernel-window pfn, from the domain's mfn_list. */
export function mfnOfPfn(hv: Hypervisor, dom: number, pfn: number): number {
  const pv = pvHost(hv);
  return Number(pv.hm.u64(pv.dom(dom).boot.mfnList * PAGE + pfn * 8));
}

export const kernelVa = (pfn: number): bigint => KERNEL_BASE + BigInt(pfn * PAGE);

/** Writes hypercall arguments into the scratch page (as the kernel's own stores would) and returns their VA. */
export function scratch(hv: Hypervisor, dom: number, bytes: Uint8Array, offset = 0): bigint {
  const pv = pvHost(hv);
  pv.hm.write(mfnOfPfn(hv, dom, SCRATCH_PFN) * PAGE + offset, bytes);
  return kernelVa(SCRATCH_PFN) + BigInt(offset);
}

export function readScratch(hv: Hypervisor, dom: number, offset: number, len: number): DataView {
  const pv = pvHost(hv);
  return new DataView(pv.hm.read(mfnOfPfn(hv, dom, SCRATCH_PFN) * PAGE + offset, len).buffer);
}

/** Little-endian structure builder for hypercall arguments. */
export class Struct {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  u16(o: number, v: number): this {
    this.dv.setUint16(o, v, true);
    return this;
  }
  u32(o: number, v: number): this {
    this.dv.setUint32(o, v >>> 0, true);
    return this;
  }
  u64(o: number, v: bigint | number): this {
    this.dv.setBigUint64(o, BigInt.asUintN(64, BigInt(v)), true);
    return this;
  }
}

/**
 * Makes hypercall `nr` from vCPU 0 of domain `dom`: a0..a5 = args, a7 = nr, pc at the ecall;
 * the hart runs it, the exit is handled by the core's dispatcher. Returns a0 as a signed value.
 */
export function hypercall(hv: Hypervisor, dom: number, nr: number, args: readonly (bigint | number)[]): bigint {
  const d = hv.domain(dom);
  const v = d.vcpus[0];
  const h = v.hart;
  h.setPc(PV_ECALL);
  for (let i = 0; i < 6; i++) h.setX(10 + i, BigInt.asUintN(64, BigInt(args[i] ?? 0)));
  h.setX(17, BigInt(nr));
  const r = v.run(1);
  if (r.exit.kind !== 'hypercall') throw new Error(`domain ${dom}: an ecall at the hypercall gate gave exit ${JSON.stringify(r.exit, bigintJson)}`);
  const outcome = handleExit(hv, d, v, r.exit);
  if (outcome !== 'continue' && outcome !== 'yield') throw new Error(`domain ${dom}: hypercall ${nr} led to ${outcome}`);
  return BigInt.asIntN(64, h.getX(10));
}

/** One real access of `va` by vCPU 0 of `d` in U-mode through its current root (like hvmAccess). */
export function pvAccess(d: Domain, va: bigint, access: Access, storeValue = 0n): boolean {
  const v = d.vcpus[0];
  const h = v.hart;
  if (access === 'exec') {
    h.guestContext = true;
    h.exit = null;
    const pa = translate(h, Number(BigInt.asIntN(32, va)), Number(BigInt.asIntN(32, va >> 32n)), ACCESS_FETCH);
    const faulted = pa < 0;
    const exit = h.exit as TrapExit | null; // set by translate() on a fault
    if (faulted && (!exit || ![12, 1].includes(exit.cause))) throw new Error(`fetch probe of 0x${va.toString(16)}: unexpected trap ${JSON.stringify(exit, bigintJson)}`);
    h.exit = null;
    h.stop = STOP_NONE;
    return !faulted;
  }
  h.setPc(access === 'read' ? PV_LOAD : PV_STORE);
  h.setX(10, va);
  h.setX(6, storeValue);
  const r = v.run(1);
  if (r.retired === 1) return true;
  const e = r.exit;
  const cause = access === 'read' ? [13, 5] : [15, 7];
  if (e.kind === 'exception' && cause.includes(e.cause) && e.tval === va) return false;
  throw new Error(`${access} probe of 0x${va.toString(16)} in domain ${d.name}: unexpected exit ${JSON.stringify(e, bigintJson)}`);
}

export function pvTranslate(d: Domain, va: bigint): number {
  return peekTranslate(d.vcpus[0].hart, va);
}

/** A leaf of a real Sv39 table: machine address of its PTE, the page it maps and the rights a U-mode access gets. */
export interface SvLeaf {
  va: bigint;
  slot: number;
  mfn: number;
  level: number;
  r: boolean;
  w: boolean;
  x: boolean;
}

/**
 * Walks Sv39 tables from `rootMfn` as the hart would for U-mode accesses (privileged spec
 * 4.3.2): every valid leaf reachable, superpages included, with effective rights (U required,
 * W only with R, superpage alignment).
 */
export function walkSv39(hv: Hypervisor, rootMfn: number): SvLeaf[] {
  const dv = hv.mem.dv;
  const out: SvLeaf[] = [];
  const visit = (mfn: number, level: number, vaBase: bigint): void => {
    const base = mfn * PAGE;
    const off = hv.mem.ramOffset(base, false);
    if (off < 0) return;
    for (let i = 0; i < 512; i++) {
      const lo = dv.getUint32(off + i * 8, true);
      const hi = dv.getUint32(off + i * 8 + 4, true);
      if (!(lo & 1) || ((lo & 4) && !(lo & 2))) continue;
      if (hi >>> 22 !== 0) continue;
      const ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
      let va = vaBase + (BigInt(i) << BigInt(12 + 9 * level));
      if (level === 2 && i >= 256) va |= 0xffffff8000000000n; // sign-extend bit 38
      if (!(lo & 0xe)) {
        if (level > 0) visit(ppn, level - 1, va);
        continue;
      }
      const ok = !!(lo & 16) && ppn % 512 ** level === 0;
      out.push({ va, slot: base + i * 8, mfn: ppn, level, r: ok && !!(lo & 2), w: ok && !!(lo & 2) && !!(lo & 4), x: ok && !!(lo & 8) });
    }
  };
  visit(rootMfn, 2, 0n);
  return out;
}
