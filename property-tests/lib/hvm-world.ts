// A hypervisor with HVM domains whose vCPUs are used as probes: the test plays the guest
// kernel, putting a vCPU at a one-instruction probe (a load or a store at a guest-physical
// address, VS-stage translation off) and running exactly that instruction on the real hart,
// so every check goes through the hart's G-stage translation and its TLB. The probe kernel:
//   0x80200000  ld t1, 0(a0)
//   0x80200004  sd t1, 0(a0)
// Instruction fetch permission is asked of the same translation function the interpreter
// uses for fetches (mmu.ts translate with ACCESS_FETCH), without executing what is there.
import { ACCESS_FETCH } from '../../src/cpu/csr-defs.ts';
import { STOP_NONE, type TrapExit } from '../../src/cpu/hart.ts';
import { translate } from '../../src/cpu/mmu.ts';
import { peekTranslate } from '../../src/cpu/mmu.ts';
import type { Domain } from '../../src/hypervisor/domain.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { Assembler } from '../../src/isa/asm.ts';
import { hvmDomain } from './recordings.ts';

export const PROBE_LOAD = 0x80200000n;
export const PROBE_STORE = 0x80200004n;
export const PAGE = 4096;

let probeKernel: Uint8Array | null = null;

export function hvmProbeKernel(): Uint8Array {
  if (!probeKernel) {
    const a = new Assembler({ base: PROBE_LOAD });
    a.asm('ld t1, 0(a0)\nsd t1, 0(a0)\nspin:\nj spin');
    probeKernel = a.assemble().bytes;
  }
  return probeKernel;
}

/** A booted hypervisor (domains created, vCPU 0 of each at its entry) whose guests never ran. */
export function hvmWorld(domains: number): Hypervisor {
  const hv = new Hypervisor({ domains: Array.from({ length: domains }, (_, i) => hvmDomain(`hvm${i}`, hvmProbeKernel())) });
  hv.run(0);
  return hv;
}

export type Access = 'read' | 'write' | 'exec';

export interface ProbeResult {
  allowed: boolean;
  /** The host physical address the hart translated to (peekTranslate), or -1. */
  hpa: number;
}

/**
 * One real guest access of `gpa` by vCPU 0 of `d`. Loads and stores run the probe
 * instruction (a store writes back the value the load saw, or 0 when the load faulted, so a
 * correct hypervisor leaves memory unchanged). Anything but "retired" or "guest-page fault
 * on this address" is an error: the probe must not be confused with other behaviour.
 */
export function hvmAccess(d: Domain, gpa: bigint, access: Access, storeValue = 0n): boolean {
  const v = d.vcpus[0];
  const h = v.hart;
  if (access === 'exec') {
    h.guestContext = true;
    h.exit = null;
    const pa = translate(h, Number(BigInt.asIntN(32, gpa)), Number(BigInt.asIntN(32, gpa >> 32n)), ACCESS_FETCH);
    const faulted = pa < 0;
    const exit = h.exit as TrapExit | null; // set by translate() on a fault
    if (faulted && (!exit || ![20, 1].includes(exit.cause))) throw new Error(`fetch probe of 0x${gpa.toString(16)}: unexpected trap ${JSON.stringify(exit, bigintJson)}`);
    h.exit = null;
    h.stop = STOP_NONE;
    return !faulted;
  }
  h.setPc(access === 'read' ? PROBE_LOAD : PROBE_STORE);
  h.setX(10, gpa);
  h.setX(6, storeValue);
  const r = v.run(1);
  if (r.retired === 1) return true;
  const e = r.exit;
  const want = access === 'read' ? 'load' : 'store';
  if (e.kind === 'guest-page-fault' && e.access === want && e.gpa === gpa) return false;
  throw new Error(`${access} probe of 0x${gpa.toString(16)} in domain ${d.name}: unexpected exit ${JSON.stringify(e, bigintJson)}`);
}

/** The hart's own view of where gpa goes (no permission check), or -1. */
export function hvmTranslate(d: Domain, gpa: bigint): number {
  return peekTranslate(d.vcpus[0].hart, gpa);
}

/** Reads back what the load probe loaded (t1). */
export function probeValue(d: Domain): bigint {
  return d.vcpus[0].hart.getX(6);
}

export function bigintJson(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `0x${v.toString(16)}` : v;
}

/** A leaf of a real G-stage table: `pages` 4 KiB pages from gpa to hpa with its rights. */
export interface GLeaf {
  gpa: number;
  hpa: number;
  pages: number;
  /** Effective rights as the hart grants them: a leaf needs U (spec 9.5.1), W needs R, superpages alignment. */
  r: boolean;
  w: boolean;
  x: boolean;
}

/**
 * Walks a p2m's Sv39x4 tables as they are in host memory (privileged spec 9.5.1: a 16 KiB
 * root indexed by GPA bits 40:30, then two 9-bit levels). Returns every valid leaf and the
 * table frames visited. Read straight from memory, independently of the P2m class, so it
 * sees exactly what the hart would walk.
 */
export function walkGStage(hv: Hypervisor, root: number): { leaves: GLeaf[]; tables: number[] } {
  const dv = hv.mem.dv;
  const leaves: GLeaf[] = [];
  const tables: number[] = [];
  const visit = (table: number, level: number, gpaBase: number, entries: number): void => {
    for (let p = 0; p < entries * 8; p += 4096) tables.push(table + p);
    for (let i = 0; i < entries; i++) {
      const off = hv.mem.ramOffset(table + i * 8, false);
      const lo = dv.getUint32(off, true);
      const hi = dv.getUint32(off + 4, true);
      if (!(lo & 1)) continue;
      const ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
      const span = 4096 * 512 ** level;
      const gpa = gpaBase + i * span;
      const rwx = lo & 0xe;
      if (rwx === 0) {
        if (level === 0) continue; // a pointer at the last level is invalid: the hart faults
        visit(ppn * 4096, level - 1, gpa, 512);
        continue;
      }
      const ok = !!(lo & 16) && !((lo & 4) && !(lo & 2)) && ppn % 512 ** level === 0 && hi >>> 22 === 0;
      leaves.push({ gpa, hpa: ppn * 4096, pages: 512 ** level, r: ok && !!(lo & 2), w: ok && !!(lo & 2) && !!(lo & 4), x: ok && !!(lo & 8) });
    }
  };
  visit(root, 2, 0, 2048);
  return { leaves, tables };
}
