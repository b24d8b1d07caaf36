// A hart's registers as plain values for display: pc, x0-x31, f0-f31, the privilege mode with
// V, and the CSRs a person debugging a kernel or hypervisor looks at. Read straight from the
// hart's fields (csrRead would apply privilege checks and counter side effects).
import type { Hart } from '../../cpu/hart.ts';
import { readMstatus } from '../../cpu/csr.ts';

export type PrivilegeName = 'M' | 'HS' | 'S' | 'U' | 'VS' | 'VU';

export interface RegisterSnapshot {
  pc: bigint;
  priv: PrivilegeName;
  virt: boolean;
  /** Waiting in WFI. */
  waiting: boolean;
  /** Instructions this hart retired. */
  retired: number;
  x: bigint[];
  /** FP registers (raw 64-bit patterns), or null without an FPU. */
  f: bigint[] | null;
  csrs: Array<{ name: string; value: bigint }>;
}

export function privilegeName(h: Hart): PrivilegeName {
  if (h.priv === 3) return 'M';
  if (h.priv === 1) return h.virt ? 'VS' : h.hasH ? 'HS' : 'S';
  return h.virt ? 'VU' : 'U';
}

const SSTATUS_VIEW = 0x800000030001e762n; // SD, UXL, MXR, SUM, XS, FS, VS, SPP, UBE, SPIE, SIE

export function readRegisters(h: Hart): RegisterSnapshot {
  const x: bigint[] = [];
  for (let i = 0; i < 32; i++) x.push(h.getX(i));
  const f = h.fpu ? Array.from({ length: 32 }, (_, i) => h.getF(i)) : null;
  const mstatus = readMstatus(h);
  const csrs: Array<{ name: string; value: bigint }> = [
    { name: 'mstatus', value: mstatus },
    { name: 'mepc', value: h.mepc },
    { name: 'mcause', value: h.mcause },
    { name: 'mtval', value: h.mtval },
    { name: 'mtvec', value: h.mtvec },
    { name: 'mie', value: BigInt(h.mie >>> 0) },
    { name: 'mip', value: BigInt((h.mip | h.hvipPending()) >>> 0) },
    { name: 'mscratch', value: h.mscratch },
    { name: 'medeleg', value: BigInt(h.medeleg >>> 0) },
    { name: 'mideleg', value: BigInt(h.mideleg >>> 0) },
    { name: 'sstatus', value: mstatus & SSTATUS_VIEW },
    { name: 'sepc', value: h.sepc },
    { name: 'scause', value: h.scause },
    { name: 'stval', value: h.stval },
    { name: 'stvec', value: h.stvec },
    { name: 'sscratch', value: h.sscratch },
    { name: 'satp', value: h.satp },
  ];
  if (h.hasH) {
    csrs.push(
      { name: 'hstatus', value: h.hstatus },
      { name: 'hedeleg', value: BigInt(h.hedeleg >>> 0) },
      { name: 'hideleg', value: BigInt(h.hideleg >>> 0) },
      { name: 'hvip', value: BigInt(h.hvip >>> 0) },
      { name: 'hgatp', value: h.hgatp },
      { name: 'htval', value: h.htval },
      { name: 'htinst', value: h.htinst },
      { name: 'vsstatus', value: h.vsstatus },
      { name: 'vsepc', value: h.vsepc },
      { name: 'vscause', value: h.vscause },
      { name: 'vstval', value: h.vstval },
      { name: 'vstvec', value: h.vstvec },
      { name: 'vsatp', value: h.vsatp },
    );
  }
  if (h.fpu) csrs.push({ name: 'fcsr', value: BigInt((h.fpu.frm << 5) | h.fpu.fflags) });
  return { pc: h.pc, priv: privilegeName(h), virt: h.virt, waiting: h.waiting, retired: h.retired, x, f, csrs };
}
