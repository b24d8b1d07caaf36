// Two harts for JIT differential testing: identical memory, devices and programs, one with
// the JIT and one without. `step` runs one slice on both; `difference` names the first
// thing that differs (hart state, memory, MMIO log) or returns null.
import { CodeCache } from '../../src/cpu/code-cache.ts';
import { Hart } from '../../src/cpu/hart.ts';
import { runSlice } from '../../src/cpu/interp.ts';
import type { JitOptions } from '../../src/cpu/jit/config.ts';
import { attachFpu } from '../../src/machine/fpu-attach.ts';
import { PhysicalMemory } from '../../src/machine/phys-mem.ts';
import { VirtualClock } from '../../src/machine/vtime.ts';
import { DATA_A, DATA_B, MMIO, PROGRAM, RAM, RAM_BYTES, Rng, type GuestImage } from './jit-programs.ts';

export interface Side {
  hart: Hart;
  mem: PhysicalMemory;
  clock: VirtualClock;
  code: CodeCache;
  /** Every MMIO access with the icount the device saw, in order. */
  mmio: string[];
}

/** A hart running `image`; `jit` false for the reference side. */
export function side(image: GuestImage, jit: false | Partial<JitOptions>, dataSeed: number): Side {
  const clock = new VirtualClock(0);
  const mem = new PhysicalMemory([{ name: 'ram', base: RAM, size: RAM_BYTES }]);
  const mmio: string[] = [];
  let reads = 0;
  mem.bus.add(MMIO, {
    name: 'probe',
    size: 0x1000,
    read: (off, size) => {
      mmio.push(`r ${off} ${size} @${clock.icount}`);
      reads++;
      const v = (Math.imul(reads, 0x9e3779b1) ^ off) >>> 0;
      return size === 4 ? v : v & ((1 << (8 * size)) - 1);
    },
    write: (off, size, value) => {
      mmio.push(`w ${off} ${size} ${value} @${clock.icount}`);
    },
    save: () => null,
    restore: () => undefined,
  });
  const rng = new Rng(dataSeed);
  for (const base of [DATA_A - 4096, DATA_B - 4096]) {
    const data = new Uint8Array(6 * 4096).map(() => rng.next() & 0xff);
    mem.load(base, data, 'test data');
  }
  const code = new CodeCache(mem.pageFlags, jit);
  const hart = new Hart({ hartId: 0, mem, code, clock, readTime: () => BigInt(clock.icount) });
  attachFpu(hart);
  mem.load(RAM, image.boot, 'boot code');
  mem.load(PROGRAM, image.program, 'program');
  hart.reset(BigInt(RAM));
  return { hart, mem, clock, code, mmio };
}

/** One slice, as Machine.run drives it (no interrupt sources exist in these tests). */
export function step(s: Side, budget: number): number {
  s.hart.icountBase = s.clock.icount;
  const n = runSlice(s.hart, budget);
  s.clock.icount += n;
  return n;
}

// Not compared: references to shared machinery, the interpreter's fetch cache (a cache of
// translations, not state), and h.sliceN, a scratch value the slow paths
// set right before they read it (the interpreter also leaves it stale between accesses).
const SKIP = new Set(['mem', 'code', 'clock', 'readTime', 'observer', 'fpu', 'sliceN', 'fetchCache']);

function same(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/** The first difference between the two sides, described, or null. */
export function difference(a: Side, b: Side): string | null {
  const ha = a.hart as unknown as Record<string, unknown>, hb = b.hart as unknown as Record<string, unknown>;
  for (const key of Object.keys(ha)) {
    if (SKIP.has(key) || typeof ha[key] === 'function') continue;
    if (!same(ha[key], hb[key])) return `hart.${key}: jit ${String(ha[key])} vs interpreter ${String(hb[key])}`;
  }
  const fa = a.hart.fpu!, fb = b.hart.fpu!;
  if (!same(fa.f, fb.f) || fa.fflags !== fb.fflags || fa.frm !== fb.frm) return 'fpu state';
  if (a.clock.icount !== b.clock.icount) return `icount ${a.clock.icount} vs ${b.clock.icount}`;
  const ma = a.mem.bytes, mb = b.mem.bytes;
  if (Buffer.compare(ma, mb) !== 0) {
    let i = 0;
    while (ma[i] === mb[i]) i++;
    return `memory at 0x${(RAM + i).toString(16)}: ${ma[i]} vs ${mb[i]}`;
  }
  if (a.mmio.length !== b.mmio.length || a.mmio.some((e, i) => e !== b.mmio[i])) {
    return `MMIO log: jit [${a.mmio.slice(-3).join('; ')}] vs interpreter [${b.mmio.slice(-3).join('; ')}]`;
  }
  return null;
}
