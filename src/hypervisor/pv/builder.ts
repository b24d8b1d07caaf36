// The PV domain builder (docs/PV-ABI.md §3): loads the kernel ELF into the domain's frames,
// builds the kernel root that maps all of its memory at KERNEL_BASE, allocates the boot pages
// (start_info, shared_info, trap frames, mfn_list, xenstore and console rings), pins the
// initial tables through the same validator the hypercalls use, and enters vCPU 0 in U-mode.
import { readImage } from '../../machine/image.ts';
import { PT_LOAD } from '../../machine/elf.ts';
import { DomainBootError } from '../domain-boot.ts';
import type { Domain } from '../domain.ts';
import { KERNEL_BASE, PAGE, PTE, SH, SI, START_INFO_MAGIC } from './abi.ts';
import type { PvHost } from './pv-host.ts';
import { newVcpu, type BootPages, type PvDomain, type PvVcpu } from './state.ts';

export interface BuiltDomain {
  domain: PvDomain;
  entry: bigint;
  startInfoVa: bigint;
  sp: bigint;
}

const RWX = PTE.V | PTE.R | PTE.W | PTE.X | PTE.U | PTE.A | PTE.D;
const RO = PTE.V | PTE.R | PTE.U | PTE.A;
const NEXT = PTE.V;

/** The machine frames the domain owns, lowest first, topped up (or trimmed) to nrPages. */
function domainFrames(pv: PvHost, d: Domain, nrPages: number): number[] {
  const frames = pv.hm.frames;
  const owned: number[] = [];
  const first = frames.base / PAGE;
  for (let f = 0; f < frames.count; f++) if (frames.ownerOf((first + f) * PAGE) === d.id) owned.push(first + f);
  while (owned.length > nrPages) {
    const m = owned.pop()!;
    pv.hm.zeroFrame(m);
    frames.release(m * PAGE, 1);
  }
  while (owned.length < nrPages) owned.push(frames.alloc(1, d.id, 1, `the RAM of domain ${d.name}`) / PAGE);
  return owned;
}

function fail(d: Domain, why: string): never {
  throw new DomainBootError(`domain ${d.name}: ${why} (${d.config.sourceFile})`);
}

export function buildPvDomain(pv: PvHost, d: Domain): BuiltDomain {
  const cfg = d.config;
  const nrPages = (cfg.memoryMiB * 2 ** 20) / PAGE;
  const p2m = domainFrames(pv, d, nrPages);
  for (const m of p2m) pv.hm.zeroFrame(m);
  const windowEnd = KERNEL_BASE + BigInt(nrPages * PAGE);

  // --- the kernel image, by its PT_LOAD virtual addresses (§3.1)
  if (!cfg.kernel) fail(d, 'a PV domain needs kernel = "PATH"');
  const img = readImage('kernel', cfg.kernel);
  if (!img.elf) fail(d, `PV kernel ${cfg.kernel} is not an ELF file; link it at KERNEL_BASE 0x${KERNEL_BASE.toString(16)} and give the ELF`);
  let end = KERNEL_BASE;
  const write = (va: bigint, data: Uint8Array): void => {
    let done = 0;
    while (done < data.length) {
      const a = va + BigInt(done);
      const pfn = Number((a - KERNEL_BASE) / BigInt(PAGE));
      const off = Number(a % BigInt(PAGE));
      const n = Math.min(PAGE - off, data.length - done);
      pv.hm.write(p2m[pfn] * PAGE + off, data.subarray(done, done + n));
      done += n;
    }
  };
  for (const seg of img.elf.segments) {
    if (seg.type !== PT_LOAD || seg.memsz === 0n) continue;
    if (seg.vaddr < KERNEL_BASE || seg.vaddr + seg.memsz > windowEnd) {
      fail(d, `kernel segment at 0x${seg.vaddr.toString(16)} (+0x${seg.memsz.toString(16)}) is outside the kernel window 0x${KERNEL_BASE.toString(16)}..0x${windowEnd.toString(16)} of its ${cfg.memoryMiB} MiB; link it at KERNEL_BASE or raise memory =`);
    }
    write(seg.vaddr, seg.data);
    if (seg.vaddr + seg.memsz > end) end = seg.vaddr + seg.memsz;
  }
  const entry = img.elf.entry;
  if (entry < KERNEL_BASE || entry >= end) fail(d, `kernel entry point 0x${entry.toString(16)} is not inside its image`);

  // --- layout: tables right after the image, then the boot pages, then the ramdisk (§3.1, §3.3)
  const kend = Number((end - KERNEL_BASE + BigInt(PAGE - 1)) / BigInt(PAGE));
  const nL1 = Math.ceil(nrPages / 512);
  const nL2 = Math.ceil(nL1 / 512);
  const nPt = 1 + nL2 + nL1;
  let next = kend;
  const rootPfn = next;
  next += nPt;
  const startInfoPfn = next++;
  const sharedInfoPfn = next++;
  const trapPfns = d.vcpus.map(() => next++);
  const mfnListPfn = next;
  next += Math.ceil((nrPages * 8) / PAGE);
  const storePfn = next++;
  const consolePfn = next++;
  let modStart = 0n;
  let modLen = 0;
  if (cfg.ramdisk) {
    const rd = readImage('ramdisk', cfg.ramdisk);
    modStart = KERNEL_BASE + BigInt(next * PAGE);
    modLen = rd.bytes.length;
    if (next + Math.ceil(modLen / PAGE) > nrPages) fail(d, `no room for the ${modLen}-byte ramdisk; raise memory =`);
    write(modStart, rd.bytes);
    next += Math.ceil(modLen / PAGE);
  }
  if (next > nrPages) fail(d, `the kernel image, its ${nPt} page-table frames and the boot pages need ${next} pages; it has ${nrPages}. Raise memory =`);

  // --- the kernel root: va = KERNEL_BASE + pfn * 4096 -> mfn[pfn], 4 KiB leaves, U = 1
  const ptPfn = (i: number): number => rootPfn + i; // 0 root, 1..nL2 the l2s, then the l1s
  const pte = (mfn: number, flags: bigint): bigint => (BigInt(mfn) << 10n) | flags;
  const vpn2 = Number((KERNEL_BASE >> 30n) & 0x1ffn);
  const readOnly = new Set<number>([startInfoPfn]);
  for (let i = 0; i < nPt; i++) readOnly.add(ptPfn(i));
  for (let j = 0; j < nL2; j++) pv.hm.setU64(p2m[rootPfn] * PAGE + (vpn2 + j) * 8, pte(p2m[ptPfn(1 + j)], NEXT));
  for (let k = 0; k < nL1; k++) {
    pv.hm.setU64(p2m[ptPfn(1 + Math.floor(k / 512))] * PAGE + (k % 512) * 8, pte(p2m[ptPfn(1 + nL2 + k)], NEXT));
  }
  for (let pfn = 0; pfn < nrPages; pfn++) {
    const l1 = p2m[ptPfn(1 + nL2 + Math.floor(pfn / 512))];
    pv.hm.setU64(l1 * PAGE + (pfn % 512) * 8, pte(p2m[pfn], readOnly.has(pfn) ? RO : RWX));
  }

  // --- boot pages
  const va = (pfn: number): bigint => KERNEL_BASE + BigInt(pfn * PAGE);
  const si = p2m[startInfoPfn] * PAGE;
  pv.hm.write(si + SI.magic, new TextEncoder().encode(START_INFO_MAGIC));
  pv.hm.setU64(si + SI.nr_pages, BigInt(nrPages));
  pv.hm.setU64(si + SI.shared_info, va(sharedInfoPfn));
  pv.hm.setU32(si + SI.flags, 0);
  pv.hm.setU32(si + SI.domid, d.id);
  pv.hm.setU64(si + SI.store_mfn, BigInt(p2m[storePfn]));
  pv.hm.setU32(si + SI.store_evtchn, 1);
  pv.hm.setU32(si + SI.console_evtchn, 2);
  pv.hm.setU64(si + SI.console_mfn, BigInt(p2m[consolePfn]));
  pv.hm.setU64(si + SI.pt_base, va(rootPfn));
  pv.hm.setU64(si + SI.nr_pt_frames, BigInt(nPt));
  pv.hm.setU64(si + SI.mfn_list, va(mfnListPfn));
  pv.hm.setU64(si + SI.mod_start, modStart);
  pv.hm.setU64(si + SI.mod_len, BigInt(modLen));
  pv.hm.setU64(si + SI.first_free_pfn, BigInt(next));
  const cmd = new TextEncoder().encode(cfg.cmdline ?? '').subarray(0, SI.CMDLINE_MAX - 1);
  pv.hm.write(si + SI.cmd_line, cmd);
  for (let pfn = 0; pfn < nrPages; pfn++) pv.hm.setU64(p2m[mfnListPfn] * PAGE + pfn * 8, BigInt(p2m[pfn]));
  const shared = p2m[sharedInfoPfn] * PAGE;
  for (let v = 0; v < d.vcpus.length; v++) pv.hm.setU8(shared + v * SH.VCPU_INFO_SIZE + SH.upcall_mask, 1);
  // wc_sec / wc_nsec stay 0: the wall clock at virtual time 0 is the epoch (deterministic)

  const boot: BootPages = {
    startInfo: p2m[startInfoPfn],
    sharedInfo: p2m[sharedInfoPfn],
    trapFrames: trapPfns.map((p) => p2m[p]),
    mfnList: p2m[mfnListPfn],
    store: p2m[storePfn],
    console: p2m[consolePfn],
    startInfoPfn,
    sharedInfoPfn,
  };
  const root = p2m[rootPfn];
  const vcpus: PvVcpu[] = d.vcpus.map((_, i) => (i === 0 ? { ...newVcpu(), initialised: true, up: true, kernelRoot: root } : newVcpu()));
  const domain: PvDomain = {
    id: d.id,
    maxPages: nrPages,
    pages: nrPages,
    boot,
    vcpus,
    ports: {
      1: { state: 'interdomain', vcpu: 0, remoteDom: 0, remotePort: 0, virq: -1, backend: 'xenstore' },
      2: { state: 'interdomain', vcpu: 0, remoteDom: 0, remotePort: 0, virq: -1, backend: 'console' },
    },
    grantFrames: [],
    active: {},
    maptrack: {},
    nextHandle: 0,
    m2p: {},
    xsIn: [],
    xsOut: [],
    xsKicked: false,
    consoleIn: [],
    consoleKicked: false,
    backends: {},
  };
  return { domain, entry, startInfoVa: va(startInfoPfn), sp: windowEnd };
}

/** MFNs of the initial tables, for pinning: the root, the l2s, the l1s. */
export function initialTables(domain: PvDomain, mem: { u64(hpa: number): bigint }): { root: number; l2: number[]; l1: number[] } {
  const root = domain.vcpus[0].kernelRoot;
  const l2: number[] = [];
  const l1: number[] = [];
  for (let i = 0; i < 512; i++) {
    const e = mem.u64(root * PAGE + i * 8);
    if (!(e & PTE.V)) continue;
    const m2 = Number(e >> 10n);
    l2.push(m2);
    for (let j = 0; j < 512; j++) {
      const e1 = mem.u64(m2 * PAGE + j * 8);
      if (e1 & PTE.V) l1.push(Number(e1 >> 10n));
    }
  }
  return { root, l2, l1 };
}
