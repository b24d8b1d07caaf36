// Save/restore of a hart's architectural state, for checkpoints and time travel. The state
// is plain data (numbers, bigints, typed-array copies) that v8.serialize round-trips.
import type { Hart } from './hart.ts';

/** Scalar fields copied one for one. Listing them keeps save and restore from drifting apart. */
const SCALARS = [
  'pcLo', 'pcHi', 'priv', 'virt',
  'mstatus', 'mstatusHi', 'medeleg', 'mideleg', 'mie', 'mipSw', 'mipHw',
  'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval', 'mtval2', 'mtinst',
  'mcounteren', 'mcountinhibit', 'menvcfg', 'mcycleBase', 'minstretBase', 'tselect',
  'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'scounteren', 'senvcfg', 'satp',
  'hstatus', 'hedeleg', 'hideleg', 'hcounteren', 'hgeie', 'htval', 'htinst', 'hgatp',
  'htimedelta', 'henvcfg', 'vsstatus', 'vstvec', 'vsscratch', 'vsepc', 'vscause', 'vstval',
  'vsatp', 'hvip', 'hgeip',
  'reservation', 'reservedLo', 'reservedHi', 'reservedSize', 'waiting', 'retired',
] as const;

type Scalar = (typeof SCALARS)[number];

export type HartState = { [K in Scalar]: Hart[K] } & {
  x: Int32Array;
  f: Int32Array | null;
  fflags: number;
  frm: number;
  pmpcfg: bigint[];
  pmpaddr: bigint[];
  mhpmevent: bigint[];
  mhpmcounter: bigint[];
};

export function saveHart(h: Hart): HartState {
  const s: Record<string, unknown> = {};
  for (const k of SCALARS) s[k] = h[k];
  s.x = h.x.slice();
  s.f = h.fpu ? h.fpu.f.slice() : null;
  s.fflags = h.fpu?.fflags ?? 0;
  s.frm = h.fpu?.frm ?? 0;
  s.pmpcfg = [...h.pmpcfg];
  s.pmpaddr = [...h.pmpaddr];
  s.mhpmevent = [...h.mhpmevent];
  s.mhpmcounter = [...h.mhpmcounter];
  return s as HartState;
}

export function restoreHart(h: Hart, s: HartState): void {
  const target = h as unknown as Record<string, unknown>;
  for (const k of SCALARS) target[k] = s[k];
  h.x.set(s.x);
  if (h.fpu && s.f) {
    h.fpu.f.set(s.f);
    h.fpu.fflags = s.fflags;
    h.fpu.frm = s.frm;
  }
  h.pmpcfg.splice(0, h.pmpcfg.length, ...s.pmpcfg);
  h.pmpaddr.splice(0, h.pmpaddr.length, ...s.pmpaddr);
  h.mhpmevent.splice(0, h.mhpmevent.length, ...s.mhpmevent);
  h.mhpmcounter.splice(0, h.mhpmcounter.length, ...s.mhpmcounter);
  h.flushTlb();
}

/** Fields that differ between two saved states (for divergence reports and tests). */
export function diffHartStates(a: HartState, b: HartState): string[] {
  const out: string[] = [];
  for (const k of SCALARS) if (a[k] !== b[k]) out.push(`${k}: ${String(a[k])} != ${String(b[k])}`);
  for (let i = 0; i < 64; i++) if (a.x[i] !== b.x[i]) out.push(`x${i >> 1}.${i & 1 ? 'hi' : 'lo'}`);
  if (a.f && b.f) for (let i = 0; i < 64; i++) if (a.f[i] !== b.f[i]) out.push(`f${i >> 1}.${i & 1 ? 'hi' : 'lo'}`);
  return out;
}
